"""The access log is tamper-evident: `kiosk log verify` finds every kind of tampering.

Each test plays someone with file access who opens data.db with Python's sqlite3
module, drops the append-only triggers, changes the log, and (mostly) puts the
triggers back to hide it. The real CLI then has to name the first bad row.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk import access_log
from kiosk.clock import FakeClock
from kiosk.db import open_database
from kiosk.migrations import migrations

ROWS = 8
INSERT = (
    "INSERT INTO access_log (id, occurred_at, kiosk_id, event, username_entered, user_id, "
    "user_matched, reason, prev_hash, row_hash) VALUES (:id, :occurred_at, :kiosk_id, :event, "
    ":username_entered, :user_id, :user_matched, :reason, :prev_hash, :row_hash)"
)


@pytest.fixture
def logged(ctx, db_path: Path) -> Path:
    """A closed data.db whose log holds exactly ROWS rows (ids 1..ROWS)."""
    already = ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    for i in range(ROWS - already):
        ctx.clock.advance(minutes=1)
        access_log.append(ctx.db, ctx.clock, kiosk_id="k1", event=access_log.LOGIN_FAILURE,
                          username_entered=f"user{i}", reason="wrong_password")
    ctx.db.close()
    return db_path


def tamper(path: Path, *statements: str | tuple[str, object], restore_triggers: bool = True,
           params: tuple | dict = ()) -> None:
    """Drop every trigger, run the statements, and (by default) recreate the triggers.

    A statement is SQL text or (SQL, parameters); `params` go with the first one.
    """
    conn = sqlite3.connect(path)
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    for i, statement in enumerate(statements):
        sql, values = statement if isinstance(statement, tuple) else (statement, ())
        conn.execute(sql, values or (params if i == 0 else ()))
    if restore_triggers:
        for _, sql in triggers:
            conn.execute(sql)
    conn.commit()
    conn.close()


def row(path: Path, row_id: int) -> dict:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    found = dict(conn.execute("SELECT * FROM access_log WHERE id = ?", [row_id]).fetchone())
    conn.close()
    return found


def verify(run_kiosk, path: Path):
    return run_kiosk("log", "verify", "--db", str(path))


def assert_broken_at(result, row_id: int) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"kiosk: error: access log chain broken at row {row_id}: ")
    assert "Traceback" not in result.stderr


def test_intact_log_verifies(run_kiosk, logged):
    """An untouched log: exit 0 and the number of rows checked."""
    result = verify(run_kiosk, logged)
    assert result.returncode == 0, result.stderr
    assert f"{ROWS} rows checked" in result.stdout


def test_changed_field_is_found(run_kiosk, logged):
    """Changing who tried to sign in, with the triggers dropped, breaks the chain at that row."""
    tamper(logged, "UPDATE access_log SET username_entered = 'someone-else' WHERE id = 3")
    assert_broken_at(verify(run_kiosk, logged), 3)


def test_changed_field_with_rehash_is_found_at_next_row(run_kiosk, logged):
    """Recomputing the changed row's own hash does not help: the next row no longer follows."""
    forged = row(logged, 3)
    forged["reason"] = "nothing to see"
    new_hash = access_log.row_digest(forged["prev_hash"], forged)
    tamper(logged, "UPDATE access_log SET reason = 'nothing to see', row_hash = ? WHERE id = 3",
           params=(new_hash,))
    assert_broken_at(verify(run_kiosk, logged), 4)


def test_deleted_middle_row_is_found(run_kiosk, logged):
    """A row removed from the middle is named as missing."""
    tamper(logged, "DELETE FROM access_log WHERE id = 5")
    result = verify(run_kiosk, logged)
    assert_broken_at(result, 5)
    assert "missing" in result.stderr


def test_deleted_last_row_is_found(run_kiosk, logged):
    """Cutting the newest row off the end is found through the recorded head of the log."""
    tamper(logged, ("DELETE FROM access_log WHERE id = ?", [ROWS]))
    result = verify(run_kiosk, logged)
    assert_broken_at(result, ROWS)
    assert "removed from the end" in result.stderr


def test_everything_deleted_is_found(run_kiosk, logged):
    """Emptying the whole log is not an intact empty log."""
    tamper(logged, "DELETE FROM access_log")
    assert_broken_at(verify(run_kiosk, logged), 1)


def test_head_record_removed_is_found(run_kiosk, logged):
    """Deleting the record of the log's end (to hide a truncation) is itself reported."""
    tamper(logged, ("DELETE FROM access_log WHERE id = ?", [ROWS]),
           "DELETE FROM access_log_head")
    result = verify(run_kiosk, logged)
    assert result.returncode == 1
    assert "record of the log's end was removed" in result.stderr


def test_forged_row_appended_is_found(run_kiosk, logged):
    """A made-up row added at the end with a guessed hash is named."""
    last = row(logged, ROWS)
    tamper(logged, INSERT, params={
        "id": ROWS + 1, "occurred_at": "2026-01-05T10:00:00+00:00", "kiosk_id": "k1",
        "event": "login_success", "username_entered": "boss", "user_id": None,
        "user_matched": "boss", "reason": "", "prev_hash": last["row_hash"],
        "row_hash": "f" * 64})
    assert_broken_at(verify(run_kiosk, logged), ROWS + 1)


def test_correctly_hashed_row_appended_behind_the_kiosks_back_is_found(run_kiosk, logged):
    """A well-forged row added with the head trigger dropped does not match the recorded head."""
    last = row(logged, ROWS)
    forged = {"id": ROWS + 1, "occurred_at": "2026-01-05T10:00:00+00:00", "kiosk_id": "k1",
              "event": "login_success", "username_entered": "boss", "user_id": None,
              "user_matched": "boss", "reason": ""}
    digest = access_log.row_digest(last["row_hash"], forged)
    tamper(logged, INSERT, params={**forged, "prev_hash": last["row_hash"], "row_hash": digest})
    result = verify(run_kiosk, logged)
    assert_broken_at(result, ROWS + 1)
    assert "added" in result.stderr


def test_row_slipped_into_the_middle_is_found(run_kiosk, logged):
    """Renumbering later rows to make room for a correctly hashed forgery breaks the chain."""
    before = row(logged, 4)
    forged = {"id": 5, "occurred_at": before["occurred_at"], "kiosk_id": "k1",
              "event": "logout", "username_entered": "alibi", "user_id": None,
              "user_matched": "", "reason": ""}
    digest = access_log.row_digest(before["row_hash"], forged)
    tamper(logged, "UPDATE access_log SET id = id + 100 WHERE id >= 5",
           "UPDATE access_log SET id = id - 99 WHERE id >= 105",
           (INSERT, {**forged, "prev_hash": before["row_hash"], "row_hash": digest}))
    assert_broken_at(verify(run_kiosk, logged), 6)


def test_reordered_rows_are_found(run_kiosk, logged):
    """Swapping the contents of two rows (ids kept) is found at the first of them."""
    a, b = row(logged, 3), row(logged, 4)
    cols = [c for c in a if c != "id"]  # fixed names from the table itself
    sets = ", ".join(f"{c} = ?" for c in cols)
    swap = f"UPDATE access_log SET {sets} WHERE id = ?"  # noqa: S608
    conn = sqlite3.connect(logged)
    triggers = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    conn.execute("DROP TRIGGER access_log_no_update")
    conn.execute(swap, [*(b[c] for c in cols), 3])
    conn.execute(swap, [*(a[c] for c in cols), 4])
    conn.execute(next(sql for (sql,) in triggers if "access_log_no_update" in sql))
    conn.commit()
    conn.close()
    assert_broken_at(verify(run_kiosk, logged), 3)


def test_dropped_triggers_are_reported(run_kiosk, logged):
    """Removing the append-only triggers and leaving them out is reported, even with no edit."""
    tamper(logged, "SELECT 1", restore_triggers=False)
    result = verify(run_kiosk, logged)
    assert result.returncode == 1
    assert result.stderr.startswith("kiosk: error: access log check failed: the protection")
    assert "removed" in result.stderr


def test_weakened_trigger_is_reported(run_kiosk, logged):
    """A guard replaced by a look-alike that lets updates through is reported as altered."""
    conn = sqlite3.connect(logged)
    conn.executescript(
        "DROP TRIGGER access_log_no_update;"
        "CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log WHEN 0 "
        "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;")
    conn.close()
    result = verify(run_kiosk, logged)
    assert result.returncode == 1
    assert "altered" in result.stderr


def test_triggers_stop_casual_edits(logged):
    """Without dropping the triggers, the sqlite3 tool cannot change or delete a row."""
    conn = sqlite3.connect(logged)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE access_log SET reason = 'x' WHERE id = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM access_log WHERE id = 2")
    with pytest.raises(sqlite3.DatabaseError, match="cannot be removed"):
        conn.execute("DELETE FROM access_log_head")
    conn.close()


def test_purge_through_the_gate_keeps_the_chain_verifiable(run_kiosk, logged):
    """The retention purge's way (gate, delete the oldest, anchor) leaves a log that verifies."""
    first_kept = row(logged, 4)
    conn = sqlite3.connect(logged)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO access_log_purge_gate (open) VALUES (1)")
    conn.execute("DELETE FROM access_log WHERE id < 4")
    conn.execute("INSERT INTO access_log_anchor (first_id, prev_hash, created_at) "
                 "VALUES (4, ?, '2026-02-01T00:00:00+00:00')", [first_kept["prev_hash"]])
    conn.execute("DELETE FROM access_log_purge_gate")
    conn.execute("COMMIT")
    conn.close()
    result = verify(run_kiosk, logged)
    assert result.returncode == 0, result.stderr
    assert f"{ROWS - 3} rows checked" in result.stdout


def test_purge_gate_left_open_is_reported(logged):
    """A gate left open (so anyone can delete rows) is reported by the check."""
    conn = sqlite3.connect(logged)
    conn.execute("INSERT INTO access_log_purge_gate (open) VALUES (1)")
    conn.commit()
    conn.close()
    db = open_database(logged)
    report = access_log.verify_chain(db)
    db.close()
    assert not report.ok and "purge gate" in report.problem


def test_database_from_before_the_head_gets_one_on_upgrade(tmp_path, run_kiosk):
    """A data.db made before m003 is upgraded with the head at its newest row; truncation shows."""
    path = tmp_path / "old.db"
    db = open_database(path, migrate=False)
    migrations.apply(db, stop_before="m003_access_log_head")
    clock = FakeClock()
    for i in range(3):
        access_log.append(db, clock, kiosk_id="k", event=access_log.KIOSK_START, reason=str(i))
    db.close()
    assert verify(run_kiosk, path).returncode == 0  # verify does not migrate: no head yet
    db = open_database(path)  # upgrade
    assert db.execute("SELECT last_id FROM access_log_head").fetchone()[0] == 3
    db.close()
    assert verify(run_kiosk, path).returncode == 0
    tamper(path, "DELETE FROM access_log WHERE id = 3")
    assert_broken_at(verify(run_kiosk, path), 3)
