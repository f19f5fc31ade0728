"""Opening data.db: pragmas, health check, refusing files it must not change."""

import sqlite3

import pytest

from kiosk.db import open_database, write_transaction
from kiosk.errors import DatabaseError


def test_pragmas_are_set(tmp_path):
    """WAL, FULL sync, foreign keys and a busy timeout of at least 5 s on every connection."""
    db = open_database(tmp_path / "data.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_first_run_creates_schema(tmp_path):
    """A new file gets every table of the one migration set."""
    db = open_database(tmp_path / "data.db")
    for table in ("users", "settings", "access_log", "attempts", "attempt_questions",
                  "section_views", "contacts"):
        assert db[table].exists(), table


def test_damaged_file_is_refused_and_left_unchanged(tmp_path):
    """A file that fails its check gives a clear message and is not written to."""
    path = tmp_path / "data.db"
    path.write_bytes(b"this is not a database at all" * 100)
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="damaged"):
        open_database(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "data.db-wal").exists()


def test_truncated_database_is_refused(tmp_path):
    """A real database cut short (a copy interrupted, a bad disk) is reported as damaged."""
    path = tmp_path / "data.db"
    db = open_database(path)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(DatabaseError):
        open_database(path)


def test_other_programs_database_is_not_touched(tmp_path):
    """Pointing --db at some other SQLite file refuses rather than adding kiosk tables."""
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="not a kiosk database"):
        open_database(path)
    names = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert names == {"invoices"}


def test_newer_database_is_refused(tmp_path):
    """A data.db migrated by a newer kiosk is not opened for writing."""
    path = tmp_path / "data.db"
    db = open_database(path)
    db["_sqlite_migrations"].insert({"migration_set": "kiosk", "name": "m999_future",
                                     "applied_at": "2030-01-01"})
    db.close()
    with pytest.raises(DatabaseError, match="newer version"):
        open_database(path)


def test_missing_folder_is_a_clear_error(tmp_path):
    """A --db in a folder that does not exist says so instead of crashing."""
    with pytest.raises(DatabaseError, match="does not exist"):
        open_database(tmp_path / "nope" / "data.db")


def test_write_transaction_rolls_back_on_error(tmp_path):
    """A failed grouped write leaves nothing behind."""
    db = open_database(tmp_path / "data.db")
    with pytest.raises(RuntimeError), write_transaction(db):
        db.execute("INSERT INTO settings (key, value, updated_at) VALUES ('x', '1', 'now')")
        raise RuntimeError("boom")
    assert db.execute("SELECT COUNT(*) FROM settings").fetchone()[0] == 0


def test_existing_file_is_copied_aside_before_a_migration(tmp_path):
    """Upgrading an existing data.db first keeps a full copy of it beside the file."""
    from sqlite_utils import Migrations

    from kiosk.migrations import KNOWN, m001_initial

    path = tmp_path / "data.db"
    db = open_database(path)
    db.execute("INSERT INTO settings (key, value, updated_at) VALUES ('centre_name', 'A', 'x')")
    db.close()

    next_release = Migrations("kiosk")
    next_release()(m001_initial)

    @next_release()
    def m002_add_notes(db):
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")

    upgraded = open_database(path, migration_set=next_release, known=(*KNOWN, "m002_add_notes"))
    assert upgraded["notes"].exists()
    copies = list(tmp_path.glob("data.db.pre-migration-*"))
    assert len(copies) == 1
    old = sqlite3.connect(copies[0])
    assert old.execute("SELECT value FROM settings").fetchone()[0] == "A"
    assert "notes" not in {r[0] for r in old.execute("SELECT name FROM sqlite_master")}


def test_no_copy_when_nothing_to_migrate(tmp_path):
    """Opening an up-to-date file makes no copies (no clutter on every start)."""
    open_database(tmp_path / "data.db").close()
    open_database(tmp_path / "data.db").close()
    assert not list(tmp_path.glob("*.pre-migration-*"))
