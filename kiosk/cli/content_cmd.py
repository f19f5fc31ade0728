"""`kiosk content check [DIR]`: validate course content packs before a kiosk uses them.

Prints every problem as `PACK/FILE:LINE: message` and exits 1, or one summary line
per good pack and exits 0. Warnings (`PACK/FILE:LINE: warning: message`) are printed
either way and do not change the exit status: the kiosk runs, but an editor should look.
It never opens data.db, so a centre can check an edited pack on any PC.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.errors import KioskError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("content", help="check course content packs")
    csub = p.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = csub.add_parser(
        "check", parents=[common],
        help="check a content pack (or a folder of packs) and list every problem")
    check.add_argument(
        "dir", nargs="?", type=Path, default=None, metavar="DIR",
        help="a pack folder, or a folder of packs (default: every pack the kiosk uses: "
             "$KIOSK_COURSES, else resources/courses)")
    check.set_defaults(handler=handle_check)


def handle_check(args: argparse.Namespace) -> int:
    from kiosk.content_check import check_pack_fully
    from kiosk.course import content_version, courses_root, load_course, pack_dirs

    root = Path(args.dir) if args.dir is not None else courses_root()
    if not root.exists():
        raise KioskError(f"there is no folder {root}")
    if not root.is_dir():
        raise KioskError(f"{root} is not a folder: give a pack folder or a folder of packs")
    dirs = pack_dirs(root)
    if not dirs:
        raise KioskError(f"no content pack in {root} (a pack is a folder with a course.toml)")
    failed = False
    for directory in dirs:
        problems, warnings, _data = check_pack_fully(directory)
        for warning in warnings:
            print(f"{directory.name}/{warning.file}:{warning.line}: warning: {warning.message}")
        if problems:
            failed = True
            for problem in problems:
                print(f"{directory.name}/{problem.file}:{problem.line}: {problem.message}")
            continue
        course = load_course(directory)
        print(f"{directory.name}: ok: \"{course.title}\" version {course.version}, "
              f"content version {content_version(directory)}, {len(course.sections)} sections, "
              f"{len(course.questions)} questions")
    if failed:
        print("kiosk: error: the content has problems (listed above); "
              "the kiosk will not start until they are fixed", file=sys.stderr)
    return 1 if failed else 0
