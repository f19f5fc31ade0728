"""`kiosk verify`, `kiosk log verify` and `kiosk log receipt`: checking the evidence.

Verifying opens the file read-only (db.open_readonly): checking evidence must never
change it, and it must work on a copy on a read-only stick or share.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.errors import KioskError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    description = (
        "Check the whole record without changing the file: the access log's hash chain, "
        "every trigger and view, every submitted result and certificate against the digest "
        "sealed when it was made (scores recomputed from the answers), and every account "
        "against its recorded identity. Exit 0 when all is intact, 1 listing what is not.")
    top = sub.add_parser("verify", parents=[common], help="check that no record was changed",
                         description=description)
    _receipt_flag(top)
    top.set_defaults(handler=handle_verify)

    p = sub.add_parser("log", help="check the access log")
    lsub = p.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    verify = lsub.add_parser(
        "verify", parents=[common], help="the same check as `kiosk verify`",
        description=description)
    _receipt_flag(verify)
    verify.add_argument("--server", nargs="?", const="", default=None, metavar="URL",
                        help="also compare with the county server's copy (no URL: the "
                        "server this kiosk joined)")
    verify.set_defaults(handler=handle_verify)
    rec = lsub.add_parser(
        "receipt", parents=[common], help="print a receipt of the log's newest row",
        description="Print (or save with --out) a short receipt naming the access log's "
        "newest row and its hash. Keep it off the PC; `kiosk verify --receipt FILE` later "
        "shows whether anything up to that row was rewritten. Taking one is logged.")
    rec.add_argument("--out", type=Path, metavar="FILE", help="also save it to FILE")
    rec.set_defaults(handler=handle_receipt)


def _receipt_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--receipt", metavar="FILE_OR_TEXT",
        help="a receipt from `kiosk log receipt` (its file, or its Row/Hash text)")


def _receipt_text(value: str | None) -> str | None:
    if value is None:
        return None
    path = Path(value)
    try:
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")[:10_000]
    except OSError as exc:
        raise KioskError(f"the receipt {path} cannot be read ({exc.strerror or exc})") from None
    return value


def handle_verify(args: argparse.Namespace) -> int:
    from kiosk import verifier
    from kiosk.cli import db_path
    from kiosk.course import ContentError, load_default_courses
    from kiosk.db import open_readonly

    path = db_path(args)
    receipt = _receipt_text(args.receipt)
    try:
        courses = load_default_courses()
    except ContentError:
        courses = []  # scores are still checked against their own marks
    with open_readonly(path) as db:
        if not db["access_log"].exists():
            raise KioskError(f"{path.name} has no access log: it is not a kiosk database.")
        report = verifier.verify_all(db, courses, receipt)
        if report.ok and getattr(args, "server", None) is not None:
            from kiosk.county.anchor import compare_with_server
            from kiosk.osuser import name_county_connections

            name_county_connections("log verify --server")

            print(compare_with_server(db, path, args.server or None))
    chain = report.chain
    for note in report.notes:
        print(f"note: {note}")
    if report.ok:
        rows = chain.rows_checked
        print(f"Access log intact: {rows} row{'' if rows == 1 else 's'} checked; "
              f"{report.attempts_checked} results and {report.accounts_checked} accounts "
              "match their sealed records"
              + ("; the receipt matches." if report.receipt_checked else "."))
        return 0
    for problem in report.problems:
        print(f"problem: {problem}")
    if not chain.ok:
        if chain.first_bad_id is not None:
            raise KioskError(f"access log chain broken at row {chain.first_bad_id}: "
                             f"{chain.problem} ({chain.rows_checked} rows before it are "
                             "intact)")
        raise KioskError(f"access log check failed: {chain.problem} "
                         f"({chain.rows_checked} rows checked)")
    count = sum(1 for p in report.problems if not p.startswith("(more"))
    raise KioskError(f"the record has been changed outside the kiosk: {count} "
                     f"problem{'' if count == 1 else 's'}, first: {report.problems[0]}")


def handle_receipt(args: argparse.Namespace) -> int:
    from kiosk import access_log
    from kiosk.cli import db_path
    from kiosk.context import open_context
    from kiosk.operations import maintenance

    ctx = open_context(db_path(args), create=False)
    try:
        taken = maintenance.command_line_receipt(ctx)
        text = taken.text()
        if args.out is not None:
            access_log.save_receipt(args.out, text)
    finally:
        ctx.db.close()
    print(text, end="")
    return 0
