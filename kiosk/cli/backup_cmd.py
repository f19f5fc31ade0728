"""`kiosk backup DEST` and `kiosk restore SRC` (the logic lives in kiosk/backup.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk import backup as backups
from kiosk.cli import signin
from kiosk.clock import clock_for
from kiosk.context import open_context


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    b = sub.add_parser(
        "backup", parents=[common], help="copy data.db safely, even while the kiosk runs",
        description="Copy the database through SQLite's online backup API and check the "
        "copy's integrity. DEST is a file, or a folder to get a dated name inside it.")
    b.add_argument("dest", type=Path, metavar="DEST")
    signin.add_flag(b)
    b.set_defaults(handler=handle_backup)
    r = sub.add_parser(
        "restore", parents=[common], help="replace data.db with a checked backup",
        description="Check SRC (an intact kiosk database, not from a newer version), keep "
        "the current database aside as data.db.replaced-<time>, then put SRC in its place. "
        "Refused while a kiosk is running on the database.")
    r.add_argument("src", type=Path, metavar="SRC")
    r.set_defaults(handler=handle_restore)


def handle_backup(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.operations import maintenance

    ctx = open_context(db_path(args), create=False)
    try:
        backups.destination(ctx.db_path, args.dest, ctx.clock)
        target = maintenance.backup(ctx, signin.sign_in(ctx, args), args.dest)
    finally:
        ctx.db.close()
    print(f"Backed up to {target} (integrity check ok).")
    return 0


def handle_restore(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.operations import maintenance
    from kiosk.operations.session import command_line_via

    result = maintenance.restore(args.src, db_path(args), clock_for(db_path(args)),
                                 via=command_line_via())
    print(f"Restored {db_path(args).name} from {result.restored_from}.")
    if result.previous_kept_as is not None:
        print(f"The previous database is kept as {result.previous_kept_as}.")
    return 0
