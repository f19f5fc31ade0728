"""`kiosk county ...`: reports across every kiosk, read from the county server."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import date
from typing import Any

from kiosk.cli import signin
from kiosk.errors import KioskError, ValidationError

SERVER_ENV = "KIOSK_COUNTY_SERVER"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("county", help="reports across every kiosk in the county")
    csub = p.add_subparsers(dest="county_command", metavar="WHAT", required=True)

    def report(name: str, help_: str) -> argparse.ArgumentParser:
        r: argparse.ArgumentParser = csub.add_parser(name, parents=[common], help=help_)
        add_server_flag(r)
        r.add_argument("--centre", default=None, metavar="NAME", help="only this centre")
        r.add_argument("--out", default=None, metavar="FILE",
                       help="write to FILE (default: standard output)")
        return r

    mat = report("matrix", "the training matrix of every kiosk's people")
    mat.add_argument("--status", default=None, metavar="STATUS",
                     help="only these statuses (comma-separated): expired, due, in_progress, "
                     "passed, not_started")
    mat.add_argument("--course", default=None, metavar="ID", help="only this course")
    mat.set_defaults(handler=handle_matrix)
    res = report("results", "every submitted test attempt from every kiosk")
    res.add_argument("--status", default=None, choices=("passed", "failed"))
    add_days(res)
    res.set_defaults(handler=handle_results)
    log = report("access-log", "every kiosk's access log")
    log.add_argument("--status", default=None, metavar="EVENT",
                     help="only these events (comma-separated), e.g. login_failure,lockout")
    add_days(log)
    log.set_defaults(handler=handle_access_log)
    ver = csub.add_parser("verify", parents=[common],
                          help="check every kiosk's access-log chain on the server")
    add_server_flag(ver)
    ver.set_defaults(handler=handle_verify)
    link = csub.add_parser(
        "link", parents=[common], help="link a person here to the same person elsewhere",
        description="Give USERNAME here the county id of the person holding certificate "
        "CODE (issued at any centre), after the server checks the name on it matches. "
        "Their training elsewhere then counts here. Uses the joined server.")
    link.add_argument("username", metavar="USERNAME")
    link.add_argument("--certificate", required=True, metavar="CODE")
    signin.add_flag(link)
    link.set_defaults(handler=handle_link)


def add_server_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", default=None, metavar="URL",
                   help=f"a reporting or administrator URL (default: ${SERVER_ENV})")


def add_days(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="from this day (UTC)")
    p.add_argument("--until", default=None, metavar="YYYY-MM-DD",
                   help="up to and including this day (UTC)")


def today() -> date:
    """Today (UTC) for a county report's status words; a test's clock when a test set one
    (kiosk.clock.clock_for: never in the built kiosk)."""
    from kiosk.clock import clock_for

    return clock_for(None).now().date()


def name_the_connection(args: argparse.Namespace) -> None:
    """Each connection to the server carries the command and the OS user (kiosk.osuser)."""
    from kiosk.osuser import name_county_connections

    name_county_connections(args.command, getattr(args, "county_command", None),
                            getattr(args, "server_command", None),
                            getattr(args, "sync_command", None))


def connect(args: argparse.Namespace) -> Any:  # a psycopg connection
    from kiosk.county.schema import connect as pg_connect

    url = args.server or os.environ.get(SERVER_ENV, "").strip()
    if not url:
        raise KioskError(f"give the county server with --server URL (or set {SERVER_ENV})")
    name_the_connection(args)
    return pg_connect(url)


def _guard(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Server refusals and lost connections become one plain error line."""
    def run(args: argparse.Namespace) -> int:
        import psycopg

        from kiosk.county.credentials import redact

        try:
            return int(fn(args))
        except psycopg.errors.InsufficientPrivilege:
            raise KioskError("the county server refused: this role may not read that "
                             "(use a reporting role's URL)") from None
        except psycopg.Error as exc:
            raise KioskError("the county server reported a problem: "
                             + redact((str(exc).splitlines() or ["?"])[0])) from None
    return run


@_guard
def handle_matrix(args: argparse.Namespace) -> int:
    from kiosk import status as status_rule
    from kiosk.county import reports
    from kiosk.course import load_default_courses

    states = tuple(s.strip() for s in (args.status or "").split(",") if s.strip())
    bad = [s for s in states if s not in status_rule.ORDER]
    if bad:
        raise ValidationError(f"unknown status '{bad[0]}'; use one of "
                              + ", ".join(status_rule.ORDER))
    courses = load_default_courses()
    if args.course and args.course not in {c.id for c in courses}:
        raise ValidationError(f"there is no course '{args.course}'")
    with connect(args) as conn:
        reports.export_county_matrix(conn, args.out, courses, today(), states=states,
                                     centre=args.centre, course_id=args.course)
    return 0


@_guard
def handle_results(args: argparse.Namespace) -> int:
    from kiosk.county import reports
    from kiosk.export import write_csv

    passed = None if args.status is None else args.status == "passed"
    with connect(args) as conn:
        rows = reports.results_rows(conn, since=args.since, until=args.until,
                                    centre=args.centre, passed=passed)
        write_csv(args.out, reports.COUNTY_RESULTS_COLUMNS, rows)
    return 0


@_guard
def handle_access_log(args: argparse.Namespace) -> int:
    from kiosk.county import reports
    from kiosk.export import write_csv

    with connect(args) as conn:
        events = tuple(e.strip() for e in (args.status or "").split(",") if e.strip())
        rows = reports.access_log_rows(conn, since=args.since, until=args.until,
                                       centre=args.centre, events=events)
        write_csv(args.out, reports.COUNTY_ACCESS_LOG_COLUMNS, rows)
    return 0


@_guard
def handle_verify(args: argparse.Namespace) -> int:
    from kiosk.county import reports

    with connect(args) as conn:
        chains = reports.verify_county(conn)
    broken = [c for c in chains if not c.ok]
    for c in chains:
        where = f"{c.kiosk_id} ({c.centre})" if c.centre else c.kiosk_id
        state = "intact" if c.ok else f"BROKEN: {c.problem}"
        print(f"{where}: {c.rows} row{'' if c.rows == 1 else 's'} checked, {state}")
    if broken:
        raise KioskError(f"{len(broken)} of {len(chains)} kiosks' access logs are broken on "
                         "the server (listed above)")
    print(f"Every kiosk's access log is intact on the server ({len(chains)} kiosks).")
    return 0


def handle_link(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.context import open_context
    from kiosk.operations import county

    ctx = open_context(db_path(args), create=False)
    try:
        actor = signin.sign_in(ctx, args)  # it changes who an account is: a manager's
        name_the_connection(args)
        county.link_person(ctx, actor, args.username, args.certificate)
    finally:
        ctx.db.close()
    print(f"Linked '{args.username}' to the county's record of the holder of that "
          "certificate; run `kiosk sync` to bring their certificates here.")
    return 0
