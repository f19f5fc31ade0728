"""`kiosk gallery`: every screen and state drawn into PNG files, to look at the whole kiosk.

It builds its own demo database (never data.db) in a temporary folder and draws
offscreen unless --on-screen is given, so it runs on a server or in CI too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from kiosk.errors import ValidationError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "gallery", help="draw every screen and state into PNG files",
        description="Build a demo database and draw every screen and state (set-up, sign-in, "
        "home in each training status, reader, test, results, certificate, each manager tab, "
        "each dialog) at 1024x768 and 1366x768, in both themes and at 100% and 200% text, "
        "into PNG files under OUT (one folder per size/theme/text size).")
    p.add_argument("--out", type=Path, default=Path("gallery"), metavar="OUT",
                   help="folder for the PNG files (default: ./gallery)")
    p.add_argument("--size", action="append", choices=["1024x768", "1366x768"],
                   help="only this size (repeatable; default: both)")
    p.add_argument("--theme", action="append", choices=["normal", "high-contrast"],
                   help="only this theme (repeatable; default: both)")
    p.add_argument("--text", action="append", type=int, choices=[100, 150, 200],
                   help="only this text size in percent (repeatable; default: 100 and 200)")
    p.add_argument("--only", default="", metavar="TEXT",
                   help="only states whose file name contains TEXT (e.g. manager)")
    p.add_argument("--on-screen", action="store_true",
                   help="draw on the real display (e.g. under Xvfb) instead of offscreen")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValidationError(f"{out} is a file, not a folder; give a folder for the images")
    if not args.on_screen:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    work = Path(tempfile.mkdtemp(prefix="kiosk-gallery-"))
    try:
        return _draw(args, out, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the throwaway demo database


def _draw(args: argparse.Namespace, out: Path, work: Path) -> int:
    from kiosk.cli import demo_cmd

    db = work / "gallery-demo.db"
    demo_cmd.build_demo(db)
    passwords = {username: (demo_cmd.MANAGER_PASSWORD if role == "manager"
                            else demo_cmd.LEARNER_PASSWORD)
                 for username, _, role, *_ in demo_cmd.PEOPLE}
    from kiosk.ui import gallery  # Qt only now

    sizes = [tuple(int(n) for n in s.split("x")) for s in (args.size or [])] or gallery.SIZES
    themes = args.theme or gallery.THEMES
    text = [t / 100 for t in (args.text or [])] or gallery.TEXT
    chosen = list(gallery.variants(sizes, themes, text))
    written = gallery.run_gallery(db, out, passwords, chosen, args.only)
    print(f"{len(written)} images in {out.resolve()} "
          f"({len(chosen)} variant{'s' if len(chosen) != 1 else ''}).")
    sys.stdout.flush()
    return 0
