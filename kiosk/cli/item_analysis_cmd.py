"""`kiosk export item-analysis`: each question's facility and discrimination, as CSV.

A sub-command of `kiosk export` (so it is registered by export_cmd, not as a top-level
command group); the statistics are in kiosk/item_analysis.py.
"""

from __future__ import annotations

import argparse


def register_export(esub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from kiosk.cli.export_cmd import add_course_flag, add_range_flags

    p = esub.add_parser(
        "item-analysis", parents=[common],
        help="each question's facility and discrimination, from submitted attempts")
    add_range_flags(p)
    add_course_flag(p)
    p.set_defaults(handler=handle_item_analysis)


def handle_item_analysis(args: argparse.Namespace) -> int:
    from kiosk import item_analysis
    from kiosk.cli import db_path
    from kiosk.cli.export_cmd import record_export
    from kiosk.context import open_context
    from kiosk.course import load_default_courses
    from kiosk.errors import ValidationError

    courses = load_default_courses()
    if args.course and args.course not in {c.id for c in courses}:
        raise ValidationError(f"there is no course '{args.course}'; courses: "
                              + ", ".join(c.id for c in courses))
    ctx = open_context(db_path(args), create=False)
    count = item_analysis.export_item_analysis(ctx.db, args.out, courses, since=args.since,
                                               until=args.until, course_id=args.course)
    record_export(ctx, "item-analysis", count, args)
    return 0
