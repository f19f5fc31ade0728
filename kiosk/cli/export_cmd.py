"""`kiosk export ...`: CSV files for Excel (conventions in kiosk/export.py)."""

from __future__ import annotations

import argparse

from kiosk import access_log, export
from kiosk.context import AppContext, open_context


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
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

    from kiosk.cli import item_analysis_cmd  # its own module: the statistics are its own work

    item_analysis_cmd.register_export(esub, common)


def add_range_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default=None, metavar="FILE",
                   help="write to FILE (default: standard output)")
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="from this day (UTC)")
    p.add_argument("--until", default=None, metavar="YYYY-MM-DD",
                   help="up to and including this day (UTC)")


def record_export(ctx: AppContext, what: str, count: int | None,
                  args: argparse.Namespace) -> None:
    """Exports of personal data are themselves access events.

    Called with count None BEFORE any row is written, so an export whose reader closes
    the pipe early, or that is killed, is still on record: no export can exist on disk
    (or in a pipe) without its row. Called again with the count when it is complete.
    """
    where = args.out or "standard output"
    reason = (f"export {what} started to {where}" if count is None
              else f"export {what}: {count} rows to {where}")
    access_log.append(
        ctx.db, ctx.clock, kiosk_id=ctx.settings.kiosk_id, event=access_log.MANAGER_ACTION,
        username_entered="(command line)", reason=reason,
    )


def handle_access_log(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path

    ctx = open_context(db_path(args), create=False)
    record_export(ctx, "access-log", None, args)
    count = export.export_access_log(ctx.db, args.out, since=args.since, until=args.until)
    record_export(ctx, "access-log", count, args)
    return 0


def add_course_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--course", default=None, metavar="ID",
                   help="only this course (its id, e.g. safeguarding-children)")


def handle_attempts(args: argparse.Namespace) -> int:
    """`export results` and `export answers`: the same filters over submitted attempts."""
    from kiosk.cli import db_path

    write = {"results": export.export_results, "answers": export.export_answers}
    ctx = open_context(db_path(args), create=False)
    record_export(ctx, args.export_command, None, args)
    count = write[args.export_command](ctx.db, args.out, since=args.since, until=args.until,
                                       course_id=args.course)
    record_export(ctx, args.export_command, count, args)
    return 0


def handle_matrix(args: argparse.Namespace) -> int:
    from kiosk import matrix
    from kiosk import status as status_rule
    from kiosk.cli import db_path
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
    ctx = open_context(db_path(args), create=False)
    today = ctx.clock.now().date()
    rows = matrix.build_matrix(ctx.db, courses, today, states=states, course_id=args.course)
    record_export(ctx, "matrix", None, args)
    count = matrix.export_matrix(rows, args.out)
    record_export(ctx, "matrix", count, args)
    return 0


def handle_person(args: argparse.Namespace) -> int:
    from kiosk import subject_access, users
    from kiosk.cli import db_path

    ctx = open_context(db_path(args), create=False)
    user = users.require(ctx.db, args.username)
    record_export(ctx, f"person {user.username}", None, args)
    count = subject_access.export_person(ctx.db, user, args.out)
    record_export(ctx, f"person {user.username}", count, args)
    return 0
