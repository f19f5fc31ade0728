"""Attacks on the training record, made as an insider would with the sqlite3 tool on the
real file, and `kiosk verify` (and `kiosk certificate verify`) catching every one.

Each attack edits data.db through its own sqlite3 connection (what the sqlite3 shell
does), then the checks run in a real `python -m kiosk` subprocess or through the core.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest

from kiosk import access_log, certificate, evidence, quiz, retention, users, verifier
from kiosk.db import backup_to, open_readonly
from tests.quiz_helpers import answer_all, default_course, use_default_course


@pytest.fixture
def course(ctx):
    return use_default_course(ctx)


def take_test(ctx, user, right: int) -> quiz.Attempt:
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, user, ctx.course)
    answer_all(ctx, attempt, right)
    ctx.clock.advance(minutes=5)
    return quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, ctx.course)


def attack(path: Path, *statements: str | tuple[str, tuple]) -> None:
    """What `sqlite3 data.db` does: a plain connection, no kiosk code involved.

    Each statement is SQL text, or (SQL, parameters) for values taken from the test.
    """
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, ())
            conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def trigger_sql(path: Path, name: str) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()[0]
    finally:
        conn.close()


def without_trigger(path: Path, name: str, *statements: str | tuple[str, tuple]) -> None:
    """Drop a guard, make the change, and put the guard back exactly as it was."""
    sql = trigger_sql(path, name)
    attack(path, f"DROP TRIGGER {name}", *statements, sql)


def check(path: Path) -> verifier.Report:
    with open_readonly(path) as db:
        return verifier.verify_all(db, [default_course()])


@pytest.fixture
def record(ctx, course, learner, make_user):
    """Two people, a fail and a pass each way round; the file verifies before any attack."""
    other = make_user("sam", full_name="Sam Other")
    failed = take_test(ctx, learner, right=2)
    passed = take_test(ctx, other, right=len(failed.questions))
    assert not failed.passed and passed.passed
    report = check(ctx.db_path)
    assert report.ok, report.problems
    assert report.attempts_checked == 2 and report.accounts_checked == 2
    return {"failed": failed, "passed": passed, "learner": learner, "other": other}


def test_submitting_a_test_writes_a_sealed_log_row(ctx, record):
    rows = list(access_log.query(ctx.db, events=(evidence.TEST_SUBMITTED,)))
    assert len(rows) == 2
    assert rows[0]["reason"].startswith(f"attempt {record['failed'].id} digest ")
    assert rows[1]["user_id"] == record["other"].id
    assert f"certificate {record['passed'].certificate_code}" in rows[1]["reason"]


def test_fail_turned_into_a_90_percent_pass_is_caught(ctx, record, run_kiosk):
    attempt = record["failed"]
    without_trigger(ctx.db_path, "attempts_frozen",
                    ("UPDATE attempts SET score = 9, percent = 90, passed = 1, "
                     "certificate_code = 'SGK-AAAA-BBBB', expires_on = '2027-01-05' "
                     "WHERE id = ?", (attempt.id,)))
    report = check(ctx.db_path)
    assert not report.ok and report.chain.ok  # the chain itself is untouched
    assert any(attempt.id in p and "changed after it was submitted" in p
               for p in report.problems)
    result = run_kiosk("verify", "--db", str(ctx.db_path))
    assert result.returncode == 1
    assert "changed after it was submitted" in result.stdout
    assert result.stderr.startswith("kiosk: error: the record has been changed")
    # The forged certificate is refused as well.
    checked = run_kiosk("certificate", "verify", "SGK-AAAA-BBBB", "--db", str(ctx.db_path))
    assert checked.returncode == 1 and "NOT VALID" in checked.stderr
    assert "CURRENT" not in checked.stdout + checked.stderr


def test_backdated_result_is_caught(ctx, record):
    attempt = record["passed"]
    without_trigger(ctx.db_path, "attempts_frozen",
                    ("UPDATE attempts SET finished_at = '2025-06-01T09:00:00+00:00', "
                     "expires_on = '2026-06-01' WHERE id = ?", (attempt.id,)))
    assert any("changed after it was submitted" in p for p in check(ctx.db_path).problems)


def test_deleted_fail_is_caught(ctx, record, run_kiosk):
    attempt = record["failed"]
    without_trigger(ctx.db_path, "attempts_no_delete",
                    ("DELETE FROM attempt_questions WHERE attempt_id = ?", (attempt.id,)),
                    ("DELETE FROM attempts WHERE id = ?", (attempt.id,)))
    problems = check(ctx.db_path).problems
    assert any(attempt.id in p and "removed" in p for p in problems)
    assert run_kiosk("log", "verify", "--db", str(ctx.db_path)).returncode == 1


def test_in_progress_attempt_promoted_to_a_pass_is_caught(ctx, course, record, run_kiosk):
    """No trigger needs dropping: an in-progress attempt may still change."""
    learner = record["learner"]
    ctx.clock.advance(days=1)
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    n = len(attempt.questions)
    attack(ctx.db_path,
           ("UPDATE attempt_questions SET correct = 1, points = 1 WHERE attempt_id = ?",
            (attempt.id,)),
           ("UPDATE attempts SET status = 'submitted', finished_at = "
            "'2026-01-06T10:00:00+00:00', score = ?, max_score = ?, percent = 100, "
            "pass_mark = 80, passed = 1, expires_on = '2027-01-06', "
            "certificate_code = 'SGK-MADE-UPXX' WHERE id = ?", (n, n, attempt.id)))
    problems = check(ctx.db_path).problems
    assert any(attempt.id in p and "never recorded" in p for p in problems)
    checked = run_kiosk("certificate", "verify", "SGK-MADE-UPXX", "--db", str(ctx.db_path))
    assert checked.returncode == 1 and "never recorded" in checked.stderr


def test_forged_attempt_inserted_is_caught(ctx, record):
    learner = record["learner"]
    forged = str(uuid.uuid4())
    attack(ctx.db_path,
           ("INSERT INTO attempts (id, kiosk_id, user_id, course_id, course_version, "
            "content_version, status, started_at, finished_at, duration_seconds, score, "
            "max_score, percent, pass_mark, passed, expires_on, certificate_code) VALUES "
            "(?, 'test-kiosk', ?, 'safeguarding-children', '1', 'x', "
            "'submitted', '2026-01-05T09:00:00+00:00', '2026-01-05T09:10:00+00:00', 600, "
            "10, 10, 100, 80, 1, '2027-01-05', 'SGK-FAKE-CERT')", (forged, learner.id)))
    assert any(forged in p and "never recorded" in p for p in check(ctx.db_path).problems)


def test_person_renamed_to_take_anothers_certificate_is_caught(ctx, record, run_kiosk):
    """Alex failed, Sam passed: renaming Sam's account to Alex makes the pass look Alex's."""
    code = record["passed"].certificate_code
    attack(ctx.db_path, "UPDATE users SET username = 'sam-old', full_name = 'Sam Old' "
                        "WHERE username = 'alex'",
                        "UPDATE users SET username = 'alex', full_name = 'Alex Learner' "
                        "WHERE username = 'sam'")
    problems = check(ctx.db_path).problems
    assert sum("changed outside the kiosk" in p for p in problems) == 2
    checked = run_kiosk("certificate", "verify", code, "--db", str(ctx.db_path))
    assert checked.returncode == 1
    assert "NOT VALID" in checked.stderr and "name, username or county link was changed" in (
        checked.stderr)


def test_result_reattributed_to_someone_else_is_caught(ctx, record):
    attempt = record["passed"]
    without_trigger(ctx.db_path, "attempts_frozen",
                    ("UPDATE attempts SET user_id = ? WHERE id = ?",
                     (record["learner"].id, attempt.id)))
    assert any(attempt.id in p for p in check(ctx.db_path).problems)


def test_answers_changed_after_submission_are_caught(ctx, record):
    attempt = record["failed"]
    without_trigger(ctx.db_path, "attempt_questions_frozen",
                    ("UPDATE attempt_questions SET answer = '[0,1,2,3,4,5]' "
                     "WHERE attempt_id = ? AND position = 1", (attempt.id,)))
    assert any(attempt.id in p for p in check(ctx.db_path).problems)


def test_account_promoted_or_added_or_password_swapped_outside_the_kiosk(ctx, record):
    attack(ctx.db_path, "UPDATE users SET role = 'manager' WHERE username = 'alex'")
    assert any("'alex'" in p for p in check(ctx.db_path).problems)
    attack(ctx.db_path, "UPDATE users SET role = 'learner' WHERE username = 'alex'")
    assert check(ctx.db_path).ok  # put back exactly, it matches its seal again
    attack(ctx.db_path, "UPDATE users SET password_hash = (SELECT password_hash FROM users "
                        "WHERE username = 'alex') WHERE username = 'sam'")
    assert any("'sam'" in p for p in check(ctx.db_path).problems)
    attack(ctx.db_path, "INSERT INTO users (username, full_name, role, password_hash, "
                        "created_at) VALUES ('ghost', 'Ghost', 'manager', 'x', '2026')")
    assert any("'ghost'" in p and "added outside" in p for p in check(ctx.db_path).problems)


def test_county_link_swapped_to_take_anothers_county_training_is_caught(ctx, record):
    """Sam's county id holds a pass from another centre (pulled as a sync does); giving
    Alex that id makes the pass count as Alex's. The county id is part of who they are."""
    from kiosk import status

    course_id = record["passed"].course_id
    sam_uid = ctx.db.execute("SELECT person_uid FROM users WHERE username = 'sam'"
                             ).fetchone()[0]
    ctx.db.execute("INSERT INTO county_certificates (attempt_id, person_uid, course_id, "
                   "finished_at, expires_on, percent, certificate_code, centre, kiosk_id) "
                   "VALUES ('elsewhere-1', ?, ?, '2026-01-02T10:00:00+00:00', '2027-01-02', "
                   "100, 'SGK-ELSE-WHER', 'Centre B', 'kb')", [sam_uid, course_id])
    ctx.db.conn.commit()
    assert check(ctx.db_path).ok
    attack(ctx.db_path, "UPDATE users SET person_uid = 'parked' WHERE username = 'sam'",
           ("UPDATE users SET person_uid = ? WHERE username = 'alex'", (sam_uid,)))
    alex = record["learner"]
    today = ctx.clock.now().date()
    assert status.training_status(ctx.db, alex.id, course_id, today).state == "passed"
    problems = check(ctx.db_path).problems
    assert any("'alex'" in p and "county link" in p for p in problems), problems
    assert any("'sam'" in p for p in problems)


@pytest.mark.parametrize("script", [
    # Silences chosen rows forever: no error, the row is simply never written.
    "CREATE TRIGGER hush BEFORE INSERT ON access_log WHEN NEW.username_entered = 'sam' "
    "BEGIN SELECT RAISE(IGNORE); END",
    "CREATE TRIGGER quiet_results BEFORE INSERT ON attempts BEGIN SELECT RAISE(IGNORE); END",
    "CREATE VIEW passes AS SELECT * FROM attempts WHERE passed = 1",
])
def test_unknown_trigger_or_view_on_any_table_is_reported(ctx, record, run_kiosk, script):
    attack(ctx.db_path, script)
    report = check(ctx.db_path)
    assert not report.chain.ok and "unknown" in report.chain.problem
    result = run_kiosk("log", "verify", "--db", str(ctx.db_path))
    assert result.returncode == 1 and "unknown" in result.stderr


def test_scores_are_recomputed_from_the_answers(ctx, course, learner):
    """Even a result sealed as it is (the seal can be forged by rewriting the chain) must
    add up: its marks follow from its answers and the course, its pass from its mark."""
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, attempt, right=0)
    n = len(attempt.questions)
    attack(ctx.db_path,
           ("UPDATE attempt_questions SET correct = 1, points = 1 WHERE attempt_id = ?",
            (attempt.id,)),
           ("UPDATE attempts SET status = 'submitted', finished_at = "
            "'2026-01-05T10:00:00+00:00', score = ?, max_score = ?, percent = 100, "
            "pass_mark = 80, passed = 1, expires_on = '2027-01-06', "
            "certificate_code = 'SGK-AAAA-BBBB' WHERE id = ?", (n, n, attempt.id)))
    evidence.seal_attempt(ctx.db, ctx.clock, attempt.id, "test-kiosk")
    problems = check(ctx.db_path).problems
    assert any("mark does not follow from its answer" in p for p in problems)
    assert not any("never recorded" in p for p in problems)


def test_full_chain_rewrite_passes_alone_but_not_against_a_receipt(ctx, record, run_kiosk,
                                                                   tmp_path):
    """The limit SECURITY.md states: someone who recomputes every hash gets a log that
    verifies. A receipt kept off the PC is what shows it."""
    saved = tmp_path / "receipt.txt"
    taken = run_kiosk("log", "receipt", "--out", str(saved), "--db", str(ctx.db_path))
    assert taken.returncode == 0, taken.stderr
    assert "Row: " in taken.stdout and saved.read_text() == taken.stdout
    assert run_kiosk("verify", "--receipt", str(saved), "--db",
                     str(ctx.db_path)).returncode == 0
    from kiosk.osuser import os_user

    [logged] = [r[0] for r in ctx.db.execute(
        "SELECT reason FROM access_log WHERE reason LIKE 'log receipt taken%'")]
    assert logged.endswith(f"[command line, OS user {os_user()}]")  # who took it
    ctx.db.close()
    _rewrite_chain(ctx.db_path, "sam", "mallory")
    alone = run_kiosk("verify", "--db", str(ctx.db_path))
    assert alone.returncode == 0, alone.stdout + alone.stderr
    against = run_kiosk("verify", "--receipt", str(saved), "--db", str(ctx.db_path))
    assert against.returncode == 1
    assert "was rewritten" in against.stdout
    # The short form a manager copies by hand (row and 16 hex characters) works too.
    row = next(line for line in saved.read_text().splitlines() if line.startswith("Row:"))
    digest = next(line for line in saved.read_text().splitlines() if line.startswith("Hash:"))
    short = f"{row} {digest[:6 + 16]}"
    assert run_kiosk("verify", "--receipt", short, "--db", str(ctx.db_path)).returncode == 1


def _rewrite_chain(path: Path, old: str, new: str) -> None:
    """Change typed usernames in the log and recompute every hash and the head."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    conn.executescript("DROP TRIGGER access_log_no_update;")
    prev = access_log.GENESIS
    for row in conn.execute("SELECT * FROM access_log ORDER BY id").fetchall():
        data = dict(row)
        data["username_entered"] = data["username_entered"].replace(old, new)
        data["prev_hash"] = prev
        data["row_hash"] = access_log.row_digest(prev, data)
        conn.execute("UPDATE access_log SET username_entered = ?, prev_hash = ?, row_hash = ? "
                     "WHERE id = ?", [data["username_entered"], prev, data["row_hash"],
                                      data["id"]])
        prev = data["row_hash"]
    conn.execute("UPDATE access_log_head SET last_hash = ?", [prev])
    conn.commit()
    conn.executescript(trigger_sql_from_fresh("access_log_no_update") + ";")
    conn.close()


def trigger_sql_from_fresh(name: str) -> str:
    from sqlite_utils import Database

    from kiosk.migrations import migrations
    fresh = Database(memory=True)
    migrations.apply(fresh)
    return fresh.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()[0]


def test_receipt_detects_rows_cut_after_it_and_survives_appends(ctx, record):
    taken = access_log.receipt(ctx.db, ctx.clock, kiosk_id="test-kiosk", centre_name="C")
    ctx.auth.login("alex", "wrong password here")
    assert access_log.check_receipt(ctx.db, taken.text()) == ""
    assert "could not be read" in access_log.check_receipt(ctx.db, "nonsense")
    assert access_log.check_receipt(ctx.db, f"Row: {taken.row_id + 50} Hash: {'a' * 16}")


def _file_state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_verify_never_changes_a_backup_or_its_folder(ctx, record, run_kiosk, tmp_path):
    """A backup is in rollback-journal mode; checking it must not switch it to WAL (which
    rewrites its header and leaves -wal/-shm beside it)."""
    folder = tmp_path / "stick"
    folder.mkdir()
    copy = folder / "copy.db"
    backup_to(ctx.db, copy)
    before = _file_state(folder)
    header = copy.read_bytes()[18:20]
    for args in (["verify"], ["log", "verify"]):
        result = run_kiosk(*args, "--db", str(copy))
        assert result.returncode == 0, result.stderr
    assert _file_state(folder) == before
    assert copy.read_bytes()[18:20] == header == b"\x01\x01"


def test_verify_reads_a_wal_set_without_changing_it(ctx, record, tmp_path, run_kiosk):
    """A -wal copied beside its file without its -shm (how a copied set arrives): its
    committed rows count, and nothing is created next to the original."""
    folder = tmp_path / "set"
    folder.mkdir()
    ctx.auth.login("alex", "one more wrong try")  # committed, still only in the WAL
    shutil.copyfile(ctx.db_path, folder / "data.db")
    shutil.copyfile(f"{ctx.db_path}-wal", folder / "data.db-wal")
    before = _file_state(folder)
    result = run_kiosk("verify", "--db", str(folder / "data.db"))
    assert result.returncode == 0, result.stderr
    with open_readonly(folder / "data.db") as db:
        rows = db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    assert rows == ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    assert _file_state(folder) == before


def test_verify_works_on_a_read_only_folder(ctx, record, tmp_path, run_kiosk):
    """As a user who cannot write the folder (root ignores permissions, so the check runs
    as `nobody` when the suite is root). On Windows the files are read-only (the attribute)
    but the folder is not: Windows ignores a folder's read-only attribute and only an ACL
    stops writes there, which Wine does not enforce; nothing may appear in it all the same."""
    import os
    import subprocess
    import sys
    import tempfile

    runner: list[str] = []
    if sys.platform != "win32" and os.geteuid() == 0:
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser")
        runner = ["runuser", "-u", "nobody", "--"]
    # Not under tmp_path: pytest keeps its own tree owner-only (and another pytest session
    # starting meanwhile puts it back to 0700), so `nobody` could not even reach the file.
    outer = Path(tempfile.mkdtemp(prefix="kiosk-ro-test-"))
    outer.chmod(0o755)
    folder = outer / "ro"
    folder.mkdir()
    try:
        backup_to(ctx.db, folder / "data.db")
        shutil.copyfile(ctx.db_path, folder / "live.db")
        if os.path.exists(f"{ctx.db_path}-wal"):
            shutil.copyfile(f"{ctx.db_path}-wal", folder / "live.db-wal")
        for p in folder.iterdir():
            p.chmod(0o444)
        folder.chmod(0o555)
        before = _file_state(folder)
        from tests.conftest import ROOT, kiosk_env
        for name in ("data.db", "live.db"):
            result = subprocess.run(
                [*runner, sys.executable, "-m", "kiosk", "verify", "--db", str(folder / name)],
                capture_output=True, text=True, cwd=folder.anchor, env=kiosk_env(),
                timeout=60)
            assert result.returncode == 0, (name, result.stderr, str(ROOT))
        assert _file_state(folder) == before
    finally:
        folder.chmod(0o755)
        shutil.rmtree(outer, ignore_errors=True)


def test_legitimate_purges_still_verify(ctx, record, clock):
    clock.advance(days=800)
    assert retention.purge(ctx.db, ctx.settings, clock, retention.RESULTS, 12) == 2
    assert check(ctx.db_path).ok, check(ctx.db_path).problems
    users.update_details(ctx.db, ctx.settings, clock, "alex", full_name="Alex Renamed")
    take_test(ctx, record["learner"], right=0)
    clock.advance(days=800)
    retention.purge(ctx.db, ctx.settings, clock, retention.ACCESS_LOG, 12)
    report = check(ctx.db_path)
    # The seals that went with the purged rows were made again by the purge.
    assert report.ok, report.problems
    attack(ctx.db_path, "UPDATE users SET full_name = 'After Purge' WHERE username = 'sam'")
    assert any("'sam'" in p for p in check(ctx.db_path).problems)


def test_upgrade_seals_records_already_in_the_file(tmp_path, clock):
    """A file from before sealing: its records are sealed at the upgrade; removing the
    migration's record so that altered records are sealed afresh does not launder them."""
    from sqlite_utils import Database

    from kiosk.context import open_context
    from kiosk.migrations import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="evidence_seal_records")
    old.execute("INSERT INTO users (username, full_name, role, password_hash, created_at) "
                "VALUES ('zoe', 'Zoe Old', 'learner', 'h', '2025-01-01')")
    old.execute("INSERT INTO attempts (id, kiosk_id, user_id, course_id, course_version, "
                "content_version, status, started_at, finished_at, duration_seconds, score, "
                "max_score, percent, pass_mark, passed) VALUES ('a1', 'k', 1, 'c', '1', 'v', "
                "'submitted', '2025-01-01T09:00:00+00:00', '2025-01-01T09:10:00+00:00', 600, "
                "0, 1, 0, 80, 0)")
    old.execute("INSERT INTO attempt_questions (attempt_id, position, question_id, "
                "section_id, option_order, answer, correct, points) "
                "VALUES ('a1', 1, 'q', 's', '[0,1]', '[1]', 0, 0)")
    old.conn.commit()
    old.close()
    assert check(path).notes  # before the upgrade: said plainly, not passed as sealed
    open_context(path, clock=clock).db.close()  # the upgrade
    assert check(path).ok, check(path).problems
    attack(path, "UPDATE users SET full_name = 'Zoe Changed'",
                 "DELETE FROM _sqlite_migrations WHERE name = 'evidence_seal_records'")
    assert any("upgrade" in p for p in check(path).problems)
    open_context(path, clock=clock).db.close()  # the migration runs again, seals nothing
    assert any("'zoe'" in p for p in check(path).problems)


def test_demo_database_verifies(tmp_path, run_kiosk):
    demo = tmp_path / "demo.db"
    built = run_kiosk("demo", "--no-run", "--db", str(demo))
    assert built.returncode == 0, built.stderr
    result = run_kiosk("verify", "--db", str(demo))
    assert result.returncode == 0, result.stdout + result.stderr


def test_seal_digest_is_stable_across_python_and_sqlite_types():
    attempt = {"id": "a", "user_id": 1, "score": 8, "passed": True, "pass_mark": 80.0}
    same = {"id": "a", "user_id": 1.0, "score": 8.0, "passed": 1, "pass_mark": 80}
    q = [{"position": 1, "points": 1, "correct": True, "answer": json.dumps([0])}]
    assert evidence.attempt_digest(attempt, q) == evidence.attempt_digest(
        same, [{"position": 1.0, "points": 1.0, "correct": 1, "answer": "[0]"}])
    assert certificate.normalise_code("sgk aaaa bbbb") == "SGK-AAAA-BBBB"
