"""Opening data.db safely: check it, copy it aside before migrating, then migrate.

Every way a database can fail a person (damaged, locked, read-only, full disk,
written by a newer kiosk) becomes a DatabaseError with a message they can act on.
Nothing here writes to a file that failed its check.
"""

from __future__ import annotations

import ctypes
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database, Migrations

from kiosk.errors import DatabaseError
from kiosk.migrations import KNOWN, migrations
from kiosk.paths import replace_file

BUSY_TIMEOUT_MS = 5000

# PRAGMA quick_check reads every page (~0.23 s for a 1,000,000-row access log), which made
# start-up grow with years of records. Above this size the start-up check covers every
# table except the access log's own rows (append-only, guarded by its hash chain and
# `verify_chain`); the full check still runs before any migration touches the file.
FULL_CHECK_MAX_BYTES = 64 * 1024 * 1024


def friendly_error(exc: BaseException, path: Path | str = "data.db") -> DatabaseError:
    """Turn an sqlite3 error into the message a person can act on."""
    name = Path(path).name
    text = str(exc).lower()
    # SQLite says "disk I/O error" or "unable to open" when it cannot even create its
    # journal on a full disk; that is a full disk, never a damaged file.
    if "full" in text or (("i/o error" in text or "unable to open" in text)
                          and disk_is_full(path)):
        return full_disk(path)
    if "locked" in text or "busy" in text:
        return DatabaseError(
            f"{name} is busy: another kiosk or program is using it. Wait a moment and try again."
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseError(
            f"{name} cannot be written: the file or its folder is read-only. "
            "Ask whoever looks after this PC to give the kiosk write access."
        )
    if "unable to open" in text or "cannot open" in text:
        return DatabaseError(f"{name} cannot be opened at {path}: check the folder exists.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return damaged(path)
    return DatabaseError(f"{name} could not be used ({exc}). Nothing was changed.")


LOW_SPACE_BYTES = 1024 * 1024


def disk_is_full(path: Path | str) -> bool:
    """Less than a megabyte free where `path` lives: too little for SQLite's journal."""
    import shutil

    try:
        return shutil.disk_usage(Path(path).resolve().parent).free < LOW_SPACE_BYTES
    except OSError:
        return False


def full_disk(path: Path | str) -> DatabaseError:
    return DatabaseError(
        f"The disk holding {Path(path).name} is full. Nothing was saved; free some space "
        "and try again. The database itself is not damaged.")


def damaged(path: Path | str) -> DatabaseError:
    return DatabaseError(
        f"{Path(path).name} is damaged and has not been changed. "
        "Restore the latest backup (kiosk restore BACKUP_FILE) or ask for help."
    )


# SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE from sqlite3.h (Python 3.12 exports it as a constant).
_NO_CKPT_ON_CLOSE = 1006


def _sqlite_library() -> ctypes.CDLL | None:
    """The SQLite library the sqlite3 module itself uses (never a second copy)."""
    import _sqlite3

    try:
        if sys.platform == "win32":  # pragma: no cover - the DLL beside _sqlite3.pyd
            return ctypes.CDLL(str(Path(_sqlite3.__file__).with_name("sqlite3.dll")))
        # dlsym through the extension's own handle finds the libsqlite3 it is linked to.
        return ctypes.CDLL(_sqlite3.__file__)
    except (OSError, AttributeError):
        return None


def sqlite_memory_used() -> int:
    """Bytes SQLite holds right now (its page caches above all); -1 when unknown."""
    lib = _sqlite_library()
    if lib is None:
        return -1
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used())


def keep_wal_on_close(conn: sqlite3.Connection, path: Path) -> bool:
    """Make closing this connection never checkpoint and delete the WAL.

    SQLite deletes data.db-wal when the connection closing believes it is the last one,
    which it decides from POSIX locks. Those locks are per process and are dropped when
    any descriptor of the file is closed anywhere in that process (SQLite's "How To
    Corrupt", section 2.2), so a kiosk that lost them to another library looks absent,
    and a command closing beside it would delete the WAL the kiosk still writes to.
    A command run while a kiosk holds data.db therefore leaves the WAL alone; the kiosk
    checkpoints it as usual. Returns False when it could not be set (nothing else changes).
    """
    setconfig = getattr(conn, "setconfig", None)
    if setconfig is not None:  # Python 3.12+
        setconfig(_NO_CKPT_ON_CLOSE, True)
        return True
    lib = _sqlite_library()
    if lib is None:
        return False
    # CPython 3.11 has no API for this: the sqlite3* handle is the first field after the
    # object header. It is used only after SQLite itself confirms it is this connection.
    handle = ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value
    if not handle:
        return False
    filename = lib.sqlite3_db_filename
    filename.restype = ctypes.c_char_p
    filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    named = filename(handle, b"main")
    if not named or os.path.realpath(os.fsdecode(named)) != os.path.realpath(path):
        return False
    done = ctypes.c_int(-1)
    rc = lib.sqlite3_db_config(ctypes.c_void_p(handle), ctypes.c_int(_NO_CKPT_ON_CLOSE),
                               ctypes.c_int(1), ctypes.byref(done))
    return rc == 0 and done.value == 1


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


class FilesReplaced(DatabaseError):
    """data.db or its WAL is no longer the file this process opened."""


def remember_files(db: Database, path: Path) -> None:
    """Note which data.db and data.db-wal this connection writes, to notice a swap later."""
    db.kiosk_files = (path, _file_id(path), _file_id(Path(str(path) + "-wal")))  # type: ignore[attr-defined]


def check_files(db: Database) -> None:
    """Refuse to write when data.db or its WAL was replaced or deleted under us.

    Written into an unlinked WAL, a record would be kept only in memory and lost at the
    next power cut: better to stop and say so than to write where nobody will read.
    """
    noted = getattr(db, "kiosk_files", None)
    if noted is None:
        return
    if getattr(db, "kiosk_files_lost", False):
        raise FilesReplaced(_REPLACED)
    path, db_id, wal_id = noted
    wal = Path(str(path) + "-wal")
    if _file_id(path) != db_id or (wal_id is not None and _file_id(wal) != wal_id):
        db.kiosk_files_lost = True  # type: ignore[attr-defined]
        import logging

        logging.getLogger("kiosk").error("%s or its WAL was replaced or deleted while open",
                                         path)
        raise FilesReplaced(_REPLACED)


_REPLACED = (
    "The kiosk's database file was moved, replaced or deleted by another program while "
    "the kiosk was using it, so nothing more will be saved. Everything saved before is "
    "in the file. Close the kiosk and start it again; tell whoever looks after this PC."
)


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")


def _quick_check(conn: sqlite3.Connection, path: Path, *, full: bool = True,
                 only: tuple[str, ...] = ()) -> None:
    try:
        if full:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        else:
            tables = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'access_log'")
                if not only or r[0] in only]
            rows = [("ok",)]
            for table in tables:  # names come from the file's own schema, quoted as identifiers
                quoted = '"' + table.replace('"', '""') + '"'
                found = conn.execute(f"PRAGMA quick_check({quoted})").fetchall()
                if [r[0] for r in found] != ["ok"]:
                    rows = found
                    break
    except sqlite3.DatabaseError as exc:
        text = str(exc).lower()
        if ("not a database" in text or "malformed" in text or "corrupt" in text) \
                and not disk_is_full(path):
            raise damaged(path) from None
        if any(word in text for word in ("locked", "busy", "full", "i/o error", "readonly",
                                         "read-only", "unable to open")):
            raise friendly_error(exc, path) from None
        raise damaged(path) from None
    if [r[0] for r in rows] != ["ok"]:
        raise damaged(path)


def _copy_aside(conn: sqlite3.Connection, path: Path) -> Path:
    """A consistent copy (WAL included) made with SQLite's online backup API.

    Written under a temporary name and renamed when complete, so a kill or a full disk
    never leaves a half-copy that looks like a good pre-migration file.
    """
    from kiosk import partials

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.pre-migration-{stamp}")
    tmp = target.with_name(target.name + ".partial")
    try:
        with partials.tracked(tmp):
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
            dest = sqlite3.connect(tmp)
            try:
                conn.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")  # self-contained, no -wal
            finally:
                dest.close()
            replace_file(tmp, target)  # Windows: refused while something holds the old one
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()
    return bool(row[0])


def _check_writable(path: Path) -> None:
    """Refuse early, with the real reason, rather than fail at the first sign-in.

    os.access also sees what permission bits do not: a file or folder marked
    immutable, or on a read-only drive, is refused even for an administrator.
    """
    if path.exists() and not os.access(path, os.W_OK):
        raise DatabaseError(
            f"{path.name} is read-only, so nothing could be saved. Nothing was changed. "
            "Ask whoever looks after this PC to make the file writable for the kiosk."
        )
    if not os.access(path.parent, os.W_OK):
        raise DatabaseError(
            f"The folder {path.parent} is read-only, so the kiosk cannot save anything "
            f"there (SQLite writes its journal beside {path.name}). Nothing was changed. "
            "Ask whoever looks after this PC to give the kiosk write access to the folder."
        )


def open_database(path: Path | str, *, migrate: bool = True,
                  migration_set: Migrations = migrations,
                  known: tuple[str, ...] = KNOWN,
                  writes_only: tuple[str, ...] = ()) -> Database:
    """Open (creating on first run) and migrate the kiosk database.

    Raises DatabaseError with a message for a person; never leaves the file half-migrated.
    `migration_set`/`known` exist so tests can stand in for a future release.
    `writes_only`: a command that reads much and writes only these tables (an export
    writes its sign-in and its log row) checks just them before writing; a damaged page
    among the tables it reads fails the read, before anything is written.
    """
    path = Path(path)
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file.")
    if not path.parent.exists():
        raise DatabaseError(f"The folder {path.parent} does not exist.")
    size = path.stat().st_size if path.exists() else 0
    existed = size > 0
    checked_fully = size <= FULL_CHECK_MAX_BYTES and not writes_only
    _check_writable(path)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise friendly_error(exc, path) from None
    try:
        _configure(conn)
        if existed:
            _quick_check(conn, path, full=checked_fully, only=writes_only)
        db = Database(conn, execute_plugins=False)
        applied = [m.name for m in migration_set.applied(db)]
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise DatabaseError(
                f"{path.name} was written by a newer version of the kiosk. "
                "Install that version (or newer); this one will not change the file."
            )
        if existed and not applied and _has_tables(conn):
            # Someone pointed --db at another program's database: never add our tables to it.
            raise DatabaseError(
                f"{path.name} is not a kiosk database. Check the path; it was not changed."
            )
        # WAL lets the manager's views read while a learner's answers are written;
        # FULL sync because a power cut must never lose a submitted answer.
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        from kiosk.instance import held_elsewhere

        if held_elsewhere(path):
            keep_wal_on_close(conn, path)
        if migrate:
            pending = migration_set.pending(db)
            if pending and existed and not checked_fully:
                _quick_check(conn, path, full=True)
            if pending and existed and applied:
                _copy_aside(conn, path)
            if pending:
                migration_set.apply(db)
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the WAL now exists
        remember_files(db, path)
        return db
    except DatabaseError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise friendly_error(exc, path) from None


def connect(path: Path | str) -> Database:
    """Another connection to a file already opened (checked, migrated) by open_database.

    For a background job: an SQLite connection belongs to the thread that made it. The
    job's connection never checkpoints and deletes the WAL when it closes: the kiosk's own
    connection, still open, does that as usual.
    """
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    _configure(conn)
    keep_wal_on_close(conn, Path(path))
    conn.execute("PRAGMA synchronous = FULL")
    return Database(conn, execute_plugins=False)


def signs_of_earlier_use(path: Path | str, *, include_log: bool = False,
                         include_lock: bool = False) -> list[str]:
    """Files that only a kiosk which has run on `path` leaves beside it.

    A missing or empty data.db with any of these beside it is a lost or replaced
    database, not a new kiosk: starting afresh would offer first-run set-up (anyone
    may create the first manager) and hide the old record.
    """
    path = Path(path)
    found = []
    folder = path.parent / "backups"
    if folder.is_dir() and any(folder.glob(f"{path.stem}-auto-*.db")):
        found.append("backups/")
    for pattern in (f"{path.name}.replaced-*", f"{path.name}.pre-migration-*"):
        found.extend(sorted(p.name for p in path.parent.glob(pattern))[:1])
    for suffix in (".namekey", "-wal"):
        if Path(f"{path}{suffix}").exists():
            found.append(f"{path.name}{suffix}")
    if include_lock and Path(f"{path}.lock").exists():
        found.append(f"{path.name}.lock")
    log_file = path.with_name("kiosk.log")
    if include_log and log_file.exists() and log_file.stat().st_size > 0:
        found.append("kiosk.log")
    return found


def refuse_if_vanished(path: Path | str, **kinds: bool) -> None:
    """Raise when data.db is missing or empty although a kiosk has clearly run there."""
    path = Path(path)
    try:
        empty = not path.exists() or path.stat().st_size == 0
    except OSError:
        return
    if not empty:
        return
    signs = signs_of_earlier_use(path, **kinds)
    if signs:
        state = "is missing" if not path.exists() else "is empty"
        raise DatabaseError(
            f"{path.name} {state}, but a kiosk has run here before (found: "
            f"{', '.join(signs)}). Nothing was created. Restore the latest backup with "
            f"`kiosk restore BACKUP_FILE` (the newest is in {path.parent / 'backups'}); to "
            "start a new kiosk on purpose, move those files somewhere else first.")


@contextmanager
def open_readonly(path: Path | str) -> Iterator[Database]:
    """Open a database for checking only: the file and its folder are left exactly as found.

    - No -wal beside it: `immutable=1`, so SQLite neither writes nor creates anything
      (not even a -shm), and a backup's journal mode is never switched.
    - A -wal and -shm present (a running kiosk, or one that crashed): an ordinary
      read-only connection, which sees the committed rows in the WAL.
    - A -wal without its -shm (a copied set, or a read-only folder): the file and its WAL
      are copied to a private temporary folder and the copy is read, so the WAL's rows
      count and nothing appears beside the original.
    """
    import shutil
    import tempfile

    path = Path(path)
    if not path.is_file():
        raise DatabaseError(f"There is no kiosk database at {path}. Check --db.")
    wal = Path(f"{path}-wal")
    shm = Path(f"{path}-shm")
    workdir: str | None = None
    try:
        if wal.exists() and not shm.exists():
            workdir = tempfile.mkdtemp(prefix="kiosk-verify-")
            target = Path(workdir) / path.name
            shutil.copyfile(path, target)
            shutil.copyfile(wal, Path(f"{target}-wal"))
            uri = target.resolve().as_uri() + "?mode=ro"
        elif wal.exists():
            uri = path.resolve().as_uri() + "?mode=ro"
        else:
            uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except OSError as exc:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        raise DatabaseError(f"{path.name} could not be read ({exc.strerror or exc}).") from None
    except sqlite3.Error as exc:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        raise friendly_error(exc, path) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise friendly_error(exc, path) from None
        yield Database(conn, execute_plugins=False)
    finally:
        conn.close()
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A transaction that takes the write lock before its first read.

    db.atomic() issues a deferred BEGIN: in WAL mode a read-then-write transaction
    can then fail with SQLITE_BUSY_SNAPSHOT, which the busy timeout does not retry.
    BEGIN IMMEDIATE waits for the lock instead, which matters for the hash chain
    (read the last hash, then append) when two kiosks share one file.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        # Under the write lock, so no other kiosk process can be swapping files mid-check.
        check_files(db)
        with db.atomic():  # nested: a savepoint, so sqlite-utils' own rules still apply
            yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def backup_to(db: Database, target: Path | str) -> None:
    """Copy the live database to `target` through SQLite's online backup API.

    The copy is written beside the target and renamed into place only once it
    has passed an integrity check, so a failure (full disk, pulled USB stick)
    never leaves a half-written file under the backup's name.
    """
    from kiosk import partials  # partials -> instance -> errors: no cycle, but kept local

    target = Path(target)
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    try:
        with partials.tracked(tmp):
            # Owner-only from the first byte: it holds everyone's records.
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
            dest = sqlite3.connect(tmp)
            try:
                db.conn.backup(dest)
                # One self-contained file: a backup must not depend on a -wal beside it.
                dest.execute("PRAGMA journal_mode = DELETE")
                rows = dest.execute("PRAGMA integrity_check").fetchall()
            finally:
                dest.close()
            if [r[0] for r in rows] != ["ok"]:
                raise DatabaseError(
                    "The backup copy failed its integrity check; it was not kept.")
            remove_stale_journal(target)
            replace_file(tmp, target)  # Windows: refused while a viewer has the old backup open
    except BaseException:
        for leftover in (tmp, *(Path(f"{tmp}{s}") for s in partials.SQLITE_SIDE_FILES)):
            leftover.unlink(missing_ok=True)  # its journal holds pages of the same records
        raise


def remove_stale_journal(target: Path) -> list[Path]:
    """Move aside a -wal/-shm left beside `target` by some earlier file of that name.

    SQLite applies a -wal to whatever database file has the matching name, so a stale
    one beside a fresh copy would be replayed into it (and could damage it). The copy is
    self-contained (rollback-journal mode), so anything there belongs to another file.
    """
    moved = []
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for suffix in ("-wal", "-shm", "-journal"):
        stale = Path(f"{target}{suffix}")
        if stale.exists():
            aside = stale.with_name(f"{stale.name}.stale-{stamp}")
            os.replace(stale, aside)
            moved.append(aside)
    return moved
