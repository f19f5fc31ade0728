"""`kiosk log verify`: check the access log's hash chain from end to end."""

from __future__ import annotations

import argparse

from kiosk import access_log
from kiosk.db import open_database
from kiosk.errors import DatabaseError, KioskError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("log", help="check the access log")
    lsub = p.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    verify = lsub.add_parser(
        "verify", parents=[common], help="check that no access-log row was changed or removed",
        description="Recompute the access log's hash chain. Exit 0 when it is intact, "
        "1 naming the first bad row when any row was changed, removed, inserted or "
        "reordered, or the log's guards were removed. With --server, also compare it with "
        "the county server's copy, which catches history rewritten after it was sent "
        "even when every hash was recomputed.")
    verify.add_argument("--server", nargs="?", const="", default=None, metavar="URL",
                        help="compare with the county server's copy (no URL: the server "
                        "this kiosk joined)")
    verify.set_defaults(handler=handle_verify)


def handle_verify(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path

    path = db_path(args)
    if not path.exists():
        raise DatabaseError(f"There is no kiosk database at {path}. Check --db.")
    # Not migrated: checking evidence must not change its schema first.
    db = open_database(path, migrate=False)
    try:
        if not db["access_log"].exists():
            raise KioskError(f"{path.name} has no access log: it is not a kiosk database.")
        report = access_log.verify_chain(db)
        if report.ok and args.server is not None:
            from kiosk.county.anchor import compare_with_server

            print(compare_with_server(db, path, args.server or None))
    finally:
        db.close()
    if report.ok:
        rows = report.rows_checked
        print(f"Access log intact: {rows} row{'' if rows == 1 else 's'} checked.")
        return 0
    if report.first_bad_id is not None:
        raise KioskError(f"access log chain broken at row {report.first_bad_id}: "
                         f"{report.problem} ({report.rows_checked} rows before it are intact)")
    raise KioskError(f"access log check failed: {report.problem} "
                     f"({report.rows_checked} rows checked)")
