"""Looking after the file: retention purges and backups."""

from __future__ import annotations

from pathlib import Path

from kiosk import access_log, audit, retention
from kiosk import backup as backups
from kiosk.audit import Actor
from kiosk.clock import Clock
from kiosk.context import AppContext
from kiosk.operations.base import as_manager, require_manager
from kiosk.operations.session import command_line_via
from kiosk.users import User

Who = Actor | User | None


def purge_preview(ctx: AppContext, actor: Who, what: str, months: int) -> tuple[int, str]:
    """How many rows a purge would remove, and the cut-off time."""
    require_manager(ctx.db, actor, "purge old records")
    cutoff = retention.cutoff_for(ctx.clock, months)
    return retention.preview(ctx.db, what, cutoff), cutoff


def purge(ctx: AppContext, actor: Who, what: str, months: int) -> int:
    """Remove rows older than `months` (recorded; the chain still verifies)."""
    with as_manager(ctx.db, actor, "purge old records") as who:
        return retention.purge(ctx.db, ctx.settings, ctx.clock, what, months, actor=who)


def backup(ctx: AppContext, actor: Who, dest: Path | str) -> Path:
    """A checked copy of the whole file: everyone's records, so recorded like an export."""
    who = require_manager(ctx.db, actor, "back up the database")
    target = backups.backup(ctx.db, ctx.db_path, dest, ctx.clock)
    audit.record(ctx.db, ctx.settings, ctx.clock, who, f"backup to {target}")
    return target



def log_receipt(ctx: AppContext, actor: Who) -> access_log.Receipt:
    """A manager takes a receipt of the access log's chain (logged after it is taken)."""
    who = require_manager(ctx.db, actor, "take a log receipt")
    return access_log.take_receipt(ctx.db, ctx.clock, kiosk_id=ctx.kiosk_id,
                                   centre_name=ctx.settings.centre_name, who=who.username,
                                   user_id=who.id)


def command_line_receipt(ctx: AppContext) -> access_log.Receipt:
    """`kiosk log receipt`: no sign-in, by design. A receipt holds the chain's last row
    number and hash, the time and the kiosk, nothing about anyone; whoever can run
    commands beside data.db can read those anyway. Its log row names the command line."""
    return access_log.take_receipt(ctx.db, ctx.clock, kiosk_id=ctx.kiosk_id,
                                   centre_name=ctx.settings.centre_name,
                                   who="(command line)", via=command_line_via())


def restore(src: Path | str, db_path: Path | str, clock: Clock, *,
            via: str) -> backups.RestoreResult:
    """`kiosk restore`: no sign-in, by design. It is the way back when data.db is missing
    or damaged, and then there is nobody to sign in as; whoever can run it can already
    replace the file by hand. The backup is checked first, the old file kept aside, and
    the restore recorded in the restored file's log (kiosk/backup.py)."""
    return backups.restore(src, db_path, clock, via=via)
