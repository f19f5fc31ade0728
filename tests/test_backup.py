"""Backups and restores: `kiosk backup`, the daily automatic copy, `kiosk restore`."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path

import pytest

from kiosk import backup, users
from kiosk.clock import FakeClock
from kiosk.instance import InstanceLock
from tests.conftest import LEARNER_PASSWORD, run_as


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def usernames(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT username FROM users ORDER BY username")]
    conn.close()
    return names


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return result


def one_error_line(result) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk: error: "), result.stderr
    return lines[0]


@pytest.fixture
def live(ctx, manager, learner, db_path: Path) -> Path:
    """A closed data.db with a manager and a learner."""
    ctx.db.close()
    return db_path


def test_backup_to_a_file(run_kiosk, live, tmp_path):
    """`kiosk backup FILE` writes an intact, self-contained copy and records it in the log."""
    target = tmp_path / "copy.db"
    result = run_as(run_kiosk, "backup", str(target), "--db", str(live))
    assert result.returncode == 0, result.stderr
    assert integrity(target) == "ok"
    assert usernames(target) == ["alex", "manager"]
    assert not Path(str(target) + "-wal").exists()
    assert not list(tmp_path.glob("*.partial"))
    conn = sqlite3.connect(live)
    reasons = [r[0] for r in conn.execute("SELECT reason FROM access_log")]
    conn.close()
    assert any(r.startswith("backup to ") for r in reasons)


def test_backup_into_a_folder_gets_a_dated_name(run_kiosk, live, tmp_path):
    """Given a folder, the backup is a dated file inside it."""
    folder = tmp_path / "usb"
    folder.mkdir()
    result = run_as(run_kiosk, "backup", str(folder), "--db", str(live))
    assert result.returncode == 0, result.stderr
    (made,) = folder.glob("data-backup-*.db")
    assert integrity(made) == "ok"
    assert str(made) in result.stdout


def test_backup_refuses_to_overwrite_another_file_or_itself(run_kiosk, live, tmp_path):
    """A backup never replaces a document that is not a database, nor data.db itself."""
    letter = tmp_path / "letter.txt"
    letter.write_text("keep me")
    assert "not a kiosk backup" in one_error_line(
        run_as(run_kiosk, "backup", str(letter), "--db", str(live)))
    assert letter.read_text() == "keep me"
    before = digest(live)
    assert "own database" in one_error_line(run_as(run_kiosk, "backup", str(live), "--db",
                                                   str(live)))
    assert integrity(live) == "ok" and usernames(live) == ["alex", "manager"]
    assert digest(live) == before


def test_backup_to_a_missing_folder(run_kiosk, live, tmp_path):
    """A folder that does not exist is one clear line, not a traceback."""
    line = one_error_line(run_as(run_kiosk, "backup", str(tmp_path / "nope" / "x.db"),
                                 "--db", str(live)))
    assert "does not exist" in line


def test_daily_backup_once_a_day_keeping_the_newest(ctx, learner, db_path):
    """One automatic copy per day; with backup_keep 3 only the newest three days remain."""
    clock: FakeClock = ctx.clock
    first = backup.daily_backup(ctx.db, db_path, clock, 3)
    assert first.made is not None and first.made.parent == db_path.parent / "backups"
    again = backup.daily_backup(ctx.db, db_path, clock, 3)
    assert again.made is None and "already" in again.skipped
    for _ in range(4):
        clock.advance(days=1)
        backup.daily_backup(ctx.db, db_path, clock, 3)
    kept = backup.auto_backups(db_path.parent / "backups", "data")
    assert len(kept) == 3
    assert kept[-1].name == f"data-auto-{clock.now().astimezone():%Y-%m-%d}.db"
    assert all(integrity(p) == "ok" for p in kept)


def test_daily_backup_off_when_keep_is_zero(ctx, db_path):
    """backup_keep = 0 turns the automatic copy off."""
    result = backup.daily_backup(ctx.db, db_path, ctx.clock, 0)
    assert result.made is None
    assert not (db_path.parent / "backups").exists()


def test_daily_backup_failure_never_stops_the_kiosk(ctx, db_path, caplog):
    """If the backups folder cannot be made, the failure is logged and nothing is raised."""
    (db_path.parent / "backups").write_text("a file in the way")
    logging.getLogger("kiosk").propagate = True
    try:
        with caplog.at_level(logging.ERROR, logger="kiosk"):
            result = backup.daily_backup(ctx.db, db_path, ctx.clock, 7)
    finally:
        logging.getLogger("kiosk").propagate = False
    assert result.made is None and result.skipped.startswith("failed")
    assert "automatic backup" in caplog.text


@pytest.mark.gui
def test_kiosk_start_makes_the_daily_backup(run_kiosk, live):
    """Starting the GUI makes today's backup beside data.db, in backups/."""
    result = run_kiosk("run", "--exit-when-ready", "--db", str(live))
    assert result.returncode == 0, result.stderr
    made = list((live.parent / "backups").glob("data-auto-*.db"))
    assert len(made) == 1 and integrity(made[0]) == "ok"


def test_restore_puts_the_backup_back_and_keeps_the_current_aside(run_kiosk, live, tmp_path):
    """After a restore the backup's data is live and the replaced database is kept, intact."""
    saved = tmp_path / "saved.db"
    assert run_as(run_kiosk, "backup", str(saved), "--db", str(live)).returncode == 0
    added = run_as(run_kiosk, "users", "add", "sam", "--role", "learner", "--db", str(live),
                   input=LEARNER_PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    result = run_kiosk("restore", str(saved), "--db", str(live))
    assert result.returncode == 0, result.stderr
    assert usernames(live) == ["alex", "manager"]
    (aside,) = tmp_path.glob("data.db.replaced-*")
    assert usernames(aside) == ["alex", "manager", "sam"]
    assert integrity(aside) == "ok"
    verified = run_kiosk("log", "verify", "--db", str(live))
    assert verified.returncode == 0, verified.stderr
    conn = sqlite3.connect(live)
    last = conn.execute("SELECT reason FROM access_log ORDER BY id DESC LIMIT 1").fetchone()[0]
    conn.close()
    assert last.startswith("restored from saved.db")


def bad_sources(tmp_path: Path, live: Path) -> dict[str, tuple[Path, str]]:
    """Files that must never be restored, with words the refusal should contain."""
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    plain = tmp_path / "plain.db"
    conn = sqlite3.connect(plain)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(live.read_bytes()[: live.stat().st_size // 2])
    newer = tmp_path / "newer.db"
    newer.write_bytes(live.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('kiosk', 'm999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    return {
        "missing": (tmp_path / "missing.db", "no file"),
        "folder": (tmp_path, "folder"),
        "garbage": (garbage, "not a kiosk backup"),
        "plain": (plain, "not a kiosk database"),
        "truncated": (truncated, "damaged"),
        "newer": (newer, "newer version"),
    }


def test_restore_refuses_bad_files_and_changes_nothing(run_kiosk, live, tmp_path):
    """Missing, folder, garbage, non-kiosk, damaged and newer files are refused; data.db stays."""
    before = digest(live)
    for name, (src, words) in bad_sources(tmp_path, live).items():
        line = one_error_line(run_kiosk("restore", str(src), "--db", str(live)))
        assert words in line, (name, line)
        assert digest(live) == before, name
    assert not list(tmp_path.glob("data.db.replaced-*"))


def test_restore_refused_while_a_kiosk_runs(run_kiosk, live, tmp_path):
    """While a kiosk holds data.db, restore says so and changes nothing."""
    saved = tmp_path / "saved.db"
    saved.write_bytes(live.read_bytes())
    before = digest(live)
    with InstanceLock(live):
        line = one_error_line(run_kiosk("restore", str(saved), "--db", str(live)))
    assert "Another kiosk is already running" in line
    assert digest(live) == before


def test_restore_over_a_damaged_database(run_kiosk, live, tmp_path):
    """The usual reason to restore: the damaged file is kept aside as it was, the backup goes in."""
    saved = tmp_path / "saved.db"
    assert run_as(run_kiosk, "backup", str(saved), "--db", str(live)).returncode == 0
    live.write_bytes(b"\0" * 4096 + b"scrambled")
    damaged = digest(live)
    result = run_kiosk("restore", str(saved), "--db", str(live))
    assert result.returncode == 0, result.stderr
    (aside,) = tmp_path.glob("data.db.replaced-*")
    assert digest(aside) == damaged
    assert usernames(live) == ["alex", "manager"]


def test_restored_database_works_for_sign_in(run_kiosk, live, tmp_path, clock):
    """A restored file is a working kiosk database: the learner can sign in."""
    from kiosk.context import open_context

    saved = tmp_path / "saved.db"
    assert run_as(run_kiosk, "backup", str(saved), "--db", str(live)).returncode == 0
    assert run_kiosk("restore", str(saved), "--db", str(live)).returncode == 0
    context = open_context(live, clock=clock)
    try:
        assert context.auth.login("alex", LEARNER_PASSWORD).ok
        assert users.find(context.db, "alex") is not None
    finally:
        context.db.close()
