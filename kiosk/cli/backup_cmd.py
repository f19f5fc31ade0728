"""`kiosk backup DEST` and `kiosk restore SRC` (the logic lives in kiosk/backup.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk import access_log
from kiosk import backup as backups
from kiosk.clock import clock_for
from kiosk.context import open_context


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    b = sub.add_parser(
        "backup", parents=[common], help="copy data.db safely, even while the kiosk runs",
        description="Copy the database through SQLite's online backup API and check the "
        "copy's integrity. DEST is a file, or a folder to get a dated name inside it.")
    b.add_argument("dest", type=Path, metavar="DEST")
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

    ctx = open_context(db_path(args), create=False)
    try:
        target = backups.backup(ctx.db, ctx.db_path, args.dest, ctx.clock)
        # A backup is a copy of everyone's records: it is recorded like any export.
        access_log.append(ctx.db, ctx.clock, kiosk_id=ctx.kiosk_id,
                          event=access_log.MANAGER_ACTION, username_entered="(command line)",
                          reason=f"backup to {target}")
    finally:
        ctx.db.close()
    print(f"Backed up to {target} (integrity check ok).")
    return 0


def handle_restore(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path

    result = backups.restore(args.src, db_path(args), clock_for(db_path(args)))
    print(f"Restored {db_path(args).name} from {result.restored_from}.")
    if result.previous_kept_as is not None:
        print(f"The previous database is kept as {result.previous_kept_as}.")
    return 0
