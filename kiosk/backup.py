"""Backups and restores of data.db.

- `backup(db, dest)`: a consistent copy through SQLite's online backup API (safe
  while the kiosk runs), integrity-checked before it is kept.
- `daily_backup(ctx)`: at most one automatic copy a day, made when the kiosk
  starts, in a `backups/` folder beside data.db, keeping the newest `backup_keep`.
  A failure is logged and never stops the kiosk: sign-in matters more.
- `restore(src, db_path)`: checks the file first (SQLite, intact, a kiosk
  database, not from a newer kiosk), refuses while a kiosk holds data.db, and
  keeps the current file aside under a timestamped name, so nothing is lost.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from kiosk import access_log, partials
from kiosk.audit import reason_text
from kiosk.clock import Clock
from kiosk.db import (
    BUSY_TIMEOUT_MS,
    backup_to,
    friendly_error,
    open_database,
    open_readonly,
    remove_stale_journal,
)
from kiosk.errors import DatabaseError, KioskError
from kiosk.instance import InstanceLock
from kiosk.migrations import KNOWN
from kiosk.paths import FileInUseError, replace_file

SQLITE_MAGIC = b"SQLite format 3\x00"
BACKUP_FOLDER = "backups"
# data-auto-2026-01-31.db: the date is the kiosk's local day, so "once a day" means
# the centre's day, and names sort by date.
AUTO_PATTERN = re.compile(r"^(?P<stem>.+)-auto-(?P<day>\d{4}-\d{2}-\d{2})\.db$")
KIOSK_TABLES = ("users", "access_log", "settings", "attempts")
IN_USE_ADVICE = "Close that program (and any kiosk using the file) and restore again"

log = logging.getLogger("kiosk")


def _local(clock: Clock) -> datetime:
    return clock.now().astimezone()


def _write_failure(exc: BaseException, target: Path) -> KioskError:
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return KioskError(f"The disk is full: the backup {target.name} was not written. "
                              "Free some space and try again.")
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return KioskError(f"No permission to write {target}. Choose another folder.")
        if exc.errno == errno.ENOENT:
            return KioskError(f"The folder {target.parent} does not exist.")
        return KioskError(f"The backup {target.name} could not be written "
                          f"({exc.strerror or exc}).")
    text = str(exc).lower()
    if "full" in text:
        return KioskError(f"The disk is full: the backup {target.name} was not written. "
                          "Free some space and try again.")
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return KioskError(f"{target.parent} cannot be written: the backup was not made. "
                          "Choose another folder.")
    return KioskError(f"The backup {target.name} could not be written ({exc}).")


def is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def destination(db_path: Path, dest: Path | str, clock: Clock) -> Path:
    """Where a backup to `dest` goes, or the reason it cannot (checked before a sign-in,
    so a mistyped destination costs no password and writes nothing)."""
    dest = Path(dest)
    if dest.is_dir():
        stamp = _local(clock).strftime("%Y-%m-%d-%H%M%S")
        dest = dest / f"{db_path.stem}-backup-{stamp}.db"
    if not dest.parent.is_dir():
        raise KioskError(f"The folder {dest.parent} does not exist.")
    if _same_file(dest, db_path) or dest.resolve() == db_path.resolve():
        raise KioskError("That is the kiosk's own database; choose another place for the backup.")
    if dest.exists() and not is_sqlite_file(dest):
        raise KioskError(f"{dest} already exists and is not a kiosk backup; it was not replaced.")
    return dest


def backup(db: Database, db_path: Path, dest: Path | str, clock: Clock) -> Path:
    """Copy the live database to `dest` (a file, or a folder for a dated name inside it)."""
    dest = destination(db_path, dest, clock)
    try:
        backup_to(db, dest)
    except DatabaseError:
        raise
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            dest.with_name(dest.name + ".partial").unlink()
        raise _write_failure(exc, dest) from None
    return dest


def auto_backups(folder: Path, stem: str) -> list[Path]:
    """The automatic backups in `folder`, oldest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = AUTO_PATTERN.match(path.name)
        if match and match.group("stem") == stem:
            found.append((match.group("day"), path))
    return [p for _, p in sorted(found)]


@dataclass(frozen=True)
class DailyResult:
    made: Path | None = None
    removed: tuple[Path, ...] = ()
    skipped: str = ""


def daily_backup(db: Database, db_path: Path, clock: Clock, keep: int, *,
                 kiosk_id: str = "") -> DailyResult:
    """Make today's automatic backup if there is none yet, then keep only the newest `keep`.

    Never raises: a backup that cannot be made is logged to kiosk.log and the
    kiosk carries on.
    """
    if keep <= 0:
        return DailyResult(skipped="automatic backups are off (backup_keep = 0)")
    folder = db_path.parent / BACKUP_FOLDER
    day = _local(clock).strftime("%Y-%m-%d")
    target = folder / f"{db_path.stem}-auto-{day}.db"
    made = None
    try:
        if target.exists():
            skipped = "today's backup already exists"
        else:
            folder.mkdir(exist_ok=True)
            made = backup(db, db_path, target, clock)
            skipped = ""
            access_log.append(db, clock, kiosk_id=kiosk_id, event=access_log.MANAGER_ACTION,
                              username_entered="(automatic)",
                              reason=f"automatic backup to {BACKUP_FOLDER}/{target.name}")
    except (KioskError, OSError, sqlite3.Error) as exc:
        log.error("automatic backup to %s failed: %s", target, exc)
        return DailyResult(skipped=f"failed: {exc}")
    removed = []
    for old in auto_backups(folder, db_path.stem)[:-keep]:
        try:
            old.unlink()
            removed.append(old)
        except OSError as exc:
            log.error("could not remove old backup %s: %s", old, exc)
    return DailyResult(made=made, removed=tuple(removed), skipped=skipped)


def check_restorable(src: Path) -> None:
    """Raise KioskError saying why `src` cannot be restored; return quietly if it can."""
    if not src.exists():
        raise KioskError(f"There is no file at {src}.")
    if src.is_dir():
        raise KioskError(f"{src} is a folder; give the backup file itself.")
    if not is_sqlite_file(src):
        raise KioskError(f"{src.name} is not a kiosk backup (it is not an SQLite database).")
    try:
        # Read-only (db.open_readonly): checking a backup must never change it, and the
        # committed rows in a -wal beside it are part of it.
        opened = open_readonly(src)
        conn = opened.__enter__().conn
    except DatabaseError as exc:
        if "damaged" in str(exc):
            raise KioskError(f"{src.name} is damaged (it cannot be read); it was not "
                             "restored. Try an older backup.") from None
        raise KioskError(f"{src.name} cannot be opened as a database.") from None
    except sqlite3.Error:
        raise KioskError(f"{src.name} cannot be opened as a database.") from None
    try:
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError:
            rows = [("damaged",)]
        if [r[0] for r in rows] != ["ok"]:
            raise KioskError(f"{src.name} is damaged (its integrity check failed); "
                             "it was not restored. Try an older backup.")
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not set(KIOSK_TABLES) <= tables or "_sqlite_migrations" not in tables:
            raise KioskError(f"{src.name} is an SQLite database but not a kiosk database.")
        applied = [r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'kiosk'")]
        if not applied:
            raise KioskError(f"{src.name} is an SQLite database but not a kiosk database.")
        if any(name not in KNOWN for name in applied):
            raise KioskError(f"{src.name} was written by a newer version of the kiosk; "
                             "install that version to restore it.")
    except sqlite3.Error as exc:
        raise KioskError(f"{src.name} cannot be read as a kiosk database ({exc}).") from None
    finally:
        opened.__exit__(None, None, None)


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    previous_kept_as: Path | None


def _move_aside(db_path: Path, stamp: str) -> Path | None:
    """Rename data.db and its -wal/-shm together, so the set stays a usable database."""
    if not db_path.exists():
        return None
    aside = db_path.with_name(f"{db_path.name}.replaced-{stamp}")
    moved = []
    try:
        for suffix in ("", "-wal", "-shm"):
            part = Path(str(db_path) + suffix)
            if part.exists():
                target = Path(str(aside) + suffix)
                # Windows will not rename a file another program has open (POSIX would,
                # under that program's feet): say so rather than "access denied".
                replace_file(part, target, held=part, advice=IN_USE_ADVICE)
                moved.append((target, part))
    except FileInUseError:
        _put_back(moved)
        raise
    except OSError as exc:
        _put_back(moved)
        raise KioskError(f"{db_path.name} could not be moved aside ({exc.strerror or exc}); "
                         "nothing was changed.") from None
    return aside


def _put_back(moved: list[tuple[Path, Path]]) -> None:
    """Undo _move_aside's renames, newest first: all or nothing."""
    for target, part in reversed(moved):
        with contextlib.suppress(OSError):
            os.replace(target, part)


def restore(src: Path | str, db_path: Path | str, clock: Clock, *,
            via: str = "command line") -> RestoreResult:
    """Replace data.db with the backup `src` after checking it; the old file is kept aside."""
    src = Path(src)
    db_path = Path(db_path)
    check_restorable(src)
    if _same_file(src, db_path):
        raise KioskError("That is the kiosk's own database; give a backup file.")
    if not db_path.parent.is_dir():
        raise KioskError(f"The folder {db_path.parent} does not exist.")
    with InstanceLock(db_path, "restore"):
        stamp = _local(clock).strftime("%Y%m%d-%H%M%S")
        staged = db_path.with_name(f".{db_path.name}.restoring")
        staged.unlink(missing_ok=True)
        with partials.tracked(staged):
            try:
                os.close(os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
                # The source's committed WAL rows come with it (open_readonly reads them).
                with open_readonly(src) as source:
                    dest = sqlite3.connect(staged)
                    try:
                        source.conn.backup(dest)
                        dest.execute("PRAGMA journal_mode = DELETE")
                        ok = [r[0] for r in dest.execute("PRAGMA integrity_check")] == ["ok"]
                    finally:
                        dest.close()
            except (OSError, sqlite3.Error, DatabaseError) as exc:
                staged.unlink(missing_ok=True)
                raise _write_failure(exc, db_path) from None
            if not ok:
                staged.unlink(missing_ok=True)
                raise KioskError(
                    "The restored copy failed its integrity check; nothing was changed.")
            try:
                if db_path.exists():
                    _check_not_in_use(db_path)
                aside = _move_aside(db_path, stamp)
            except BaseException:
                staged.unlink(missing_ok=True)  # a refused restore leaves nothing behind
                raise
            # A -wal/-shm with no data.db (deleted by hand, say) belongs to another file:
            # SQLite would replay it into the restored one.
            remove_stale_journal(db_path)
            try:
                os.replace(staged, db_path)
            except OSError as exc:
                # data.db was moved aside a moment ago: put it back rather than leave none.
                if aside is not None:
                    _put_back([(Path(str(aside) + sfx), Path(str(db_path) + sfx))
                               for sfx in ("", "-wal", "-shm")
                               if Path(str(aside) + sfx).exists()])
                staged.unlink(missing_ok=True)
                raise KioskError(f"{db_path.name} could not be replaced "
                                 f"({exc.strerror or exc}); nothing was changed.") from None
    db = open_database(db_path)
    try:
        settings_kiosk = db.execute(
            "SELECT value FROM settings WHERE key = 'kiosk_id'").fetchone()
        access_log.append(
            db, clock, kiosk_id=settings_kiosk[0] if settings_kiosk else "kiosk-1",
            event=access_log.MANAGER_ACTION, username_entered="(restore)",
            # No sign-in is possible here (the file being replaced may be damaged), so the
            # row says who ran it as far as the operating system knows.
            reason=reason_text(f"restored from {src.name}"
                               + (f"; previous database kept as {aside.name}" if aside else ""),
                               via=via),
        )
    finally:
        db.close()
    return RestoreResult(src, aside)


def _check_not_in_use(db_path: Path) -> None:
    """A program other than a kiosk (the sqlite3 tool, a report) may still have it open."""
    try:
        conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise friendly_error(exc, db_path) from None
        # A damaged current file is exactly why people restore: it is moved aside as it is.
