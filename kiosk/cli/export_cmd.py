"""`kiosk export ...`: CSV files for Excel (conventions in kiosk/export.py).

Every export is of personal data: each needs a manager's sign-in (--as) and is recorded.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kiosk.cli import signin
from kiosk.context import open_context
from kiosk.filters import AccessLogFilter, DayRange, ResultsFilter

if TYPE_CHECKING:  # the packs load when a command needs them
    from kiosk.course import Course

# What an export writes: the manager's sign-in (users, and its log row) and the export's
# log row. Only these are integrity-checked before the export (see open_database): the
# file is never written where it is damaged, and a 200 MB file of results is not read
# end to end first. A damaged page in what the export reads fails the export instead.
WRITES = ("users", "access_log_head", "settings")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("export", help="export records to CSV")
    esub = p.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    log = esub.add_parser("access-log", parents=[common], help="the access-attempt log")
    add_range_flags(log)
    log.set_defaults(handler=handle_access_log)
    results = esub.add_parser("results", parents=[common],
                              help="every submitted test attempt, one row each")
    add_range_flags(results)
    add_course_flag(results)
    results.set_defaults(handler=handle_attempts)
    answers = esub.add_parser("answers", parents=[common],
                              help="each submitted attempt's answers, one row per question")
    add_range_flags(answers)
    add_course_flag(answers)
    answers.set_defaults(handler=handle_attempts)

    mat = esub.add_parser("matrix", parents=[common],
                          help="the training matrix: every active person and course")
    mat.add_argument("--out", default=None, metavar="FILE",
                     help="write to FILE (default: standard output)")
    mat.add_argument("--course", default=None, metavar="ID", help="only this course")
    mat.add_argument("--status", default=None, metavar="STATUS",
                     help="only this status: expired, due, in_progress, passed, not_started "
                     "(comma-separated for several)")
    mat.set_defaults(handler=handle_matrix)

    per = esub.add_parser("person", parents=[common],
                          help="everything held about one person (subject access request)")
    per.add_argument("username")
    per.add_argument("--out", default=None, metavar="FILE",
                     help="write to FILE (default: standard output)")
    per.set_defaults(handler=handle_person)
    for parser in (log, results, answers, mat, per):
        signin.add_flag(parser)

    from kiosk.cli import item_analysis_cmd  # its own module: the statistics are its own work

    item_analysis_cmd.register_export(esub, common)


def add_range_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default=None, metavar="FILE",
                   help="write to FILE (default: standard output)")
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="from this day (UTC)")
    p.add_argument("--until", default=None, metavar="YYYY-MM-DD",
                   help="up to and including this day (UTC)")


def handle_access_log(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.operations import exports

    flt = AccessLogFilter(DayRange.parse(args.since, args.until))
    ctx = open_context(db_path(args), create=False, writes_only=WRITES)
    exports.export_access_log(ctx, signin.sign_in(ctx, args), flt, args.out)
    return 0


def add_course_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--course", default=None, metavar="ID",
                   help="only this course (its id, e.g. safeguarding-children)")


def handle_attempts(args: argparse.Namespace) -> int:
    """`export results` and `export answers`: the same filter over submitted attempts."""
    from kiosk.cli import db_path
    from kiosk.operations import exports

    write = {"results": exports.export_results, "answers": exports.export_answers}
    flt = ResultsFilter(DayRange.parse(args.since, args.until), course_id=args.course)
    ctx = open_context(db_path(args), create=False, writes_only=WRITES)
    write[args.export_command](ctx, signin.sign_in(ctx, args), flt, args.out)
    return 0


def matrix_choices(args: argparse.Namespace) -> tuple[tuple[str, ...], list[Course]]:
    """`--status a,b` and `--course` of a matrix export (this kiosk's or the county's),
    checked against the status words and the bundled courses: (states, courses)."""
    from kiosk import status as status_rule
    from kiosk.course import load_default_courses
    from kiosk.errors import ValidationError

    states = tuple(s.strip() for s in (args.status or "").split(",") if s.strip())
    bad = [s for s in states if s not in status_rule.ORDER]
    if bad:
        raise ValidationError(f"unknown status '{bad[0]}'; use one of "
                              + ", ".join(status_rule.ORDER))
    courses = load_default_courses()
    if args.course and args.course not in {c.id for c in courses}:
        raise ValidationError(f"there is no course '{args.course}'; courses: "
                              + ", ".join(c.id for c in courses))
    return states, courses


def handle_matrix(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.clock import local_today
    from kiosk.operations import exports

    states, courses = matrix_choices(args)
    ctx = open_context(db_path(args), create=False, writes_only=WRITES)
    actor = signin.sign_in(ctx, args)
    rows = exports.training_matrix(ctx, actor, courses, local_today(ctx.clock), states=states,
                                   course_id=args.course)
    exports.export_matrix(ctx, actor, rows, args.out)
    return 0


def handle_person(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.operations import exports

    ctx = open_context(db_path(args), create=False, writes_only=WRITES)
    exports.export_person(ctx, signin.sign_in(ctx, args), args.username, args.out)
    return 0
