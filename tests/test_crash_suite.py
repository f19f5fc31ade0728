"""Crash suite: a real process doing a kiosk's work is killed (SIGKILL) at random moments.

Afterwards the file must pass SQLite's integrity check, the access log's chain must
verify through `kiosk log verify`, and every recorded action must be whole: an
account's failure counter and lock agree with the log rows written with them.

The driver (tests/crash_driver.py) holds the actions; CHECKS here hold the
invariants: one action there and one check here for each new kind of work.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk import users
from kiosk.context import open_context
from tests import crash_driver
from tests.conftest import ROOT, kiosk_env

KILLS = 55
TIME_BUDGET_S = 75  # stop starting new rounds after this; the kill count is still asserted
SEED = int(os.environ.get("KIOSK_CRASH_SEED", "20261125"))

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")


def integrity_ok(conn: sqlite3.Connection) -> list[str]:
    result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    return [] if result == ["ok"] else [f"integrity_check: {result[:5]}"]


def no_leftover_transaction_files(conn: sqlite3.Connection) -> list[str]:
    path = Path(conn.execute("PRAGMA database_list").fetchone()[2])
    stray = [p.name for p in path.parent.glob(f"{path.name}-journal")]
    return [f"a rollback journal was left behind: {stray}"] if stray else []


def failure_counts_match_the_log(conn: sqlite3.Connection) -> list[str]:
    """failed_count and locked_until were written in the same transaction as the log rows.

    So for each account: failed_count equals the wrong-password rows since its last
    success or unlock, and it is locked exactly when a lockout row follows that reset.
    """
    problems = []
    for user_id, name, failed, locked_until in conn.execute(
            "SELECT id, username, failed_count, locked_until FROM users WHERE role = 'learner'"):
        reset = conn.execute(
            "SELECT COALESCE(MAX(id), 0) FROM access_log WHERE user_id = ? "
            "AND event IN ('login_success', 'unlock')", [user_id]).fetchone()[0]
        wrong = conn.execute(
            "SELECT COUNT(*) FROM access_log WHERE user_id = ? AND id > ? "
            "AND event = 'login_failure' AND reason = 'wrong_password'",
            [user_id, reset]).fetchone()[0]
        lockouts = conn.execute(
            "SELECT COUNT(*) FROM access_log WHERE user_id = ? AND id > ? AND event = 'lockout'",
            [user_id, reset]).fetchone()[0]
        if failed != wrong:
            problems.append(f"{name}: failed_count {failed} but {wrong} failures logged")
        if bool(locked_until) != bool(lockouts):
            problems.append(f"{name}: locked_until={locked_until} but {lockouts} lockout rows")
    return problems


def every_row_whole(conn: sqlite3.Connection) -> list[str]:
    bad = conn.execute(
        "SELECT id FROM access_log WHERE occurred_at = '' OR event = '' OR length(row_hash) != 64 "
        "OR length(prev_hash) != 64").fetchall()
    return [f"half-written log rows: {bad[:5]}"] if bad else []


def attempts_whole(conn: sqlite3.Connection) -> list[str]:
    """An attempt is in progress or submitted, never half of either.

    Every attempt has all its questions (they are stored with it in one transaction);
    a submitted one has every result field and every question marked; one in progress
    has no question marked yet.
    """
    problems = []
    counts = {n for (n,) in conn.execute(
        "SELECT COUNT(q.position) FROM attempts a LEFT JOIN attempt_questions q "
        "ON q.attempt_id = a.id GROUP BY a.id")}
    if len(counts) > 1 or 0 in counts:
        problems.append(f"attempts with differing question counts: {sorted(counts)}")
    half_submitted = conn.execute(
        "SELECT id FROM attempts WHERE status = 'submitted' AND (finished_at IS NULL OR "
        "score IS NULL OR max_score IS NULL OR percent IS NULL OR passed IS NULL OR "
        "(passed = 1 AND (certificate_code IS NULL OR expires_on IS NULL)))").fetchall()
    if half_submitted:
        problems.append(f"submitted attempts missing results: {half_submitted[:3]}")
    unmarked = conn.execute(
        "SELECT COUNT(*) FROM attempt_questions q JOIN attempts a ON a.id = q.attempt_id "
        "WHERE a.status = 'submitted' AND (q.correct IS NULL OR q.points IS NULL)").fetchone()[0]
    if unmarked:
        problems.append(f"{unmarked} questions of submitted attempts are not marked")
    early = conn.execute(
        "SELECT COUNT(*) FROM attempt_questions q JOIN attempts a ON a.id = q.attempt_id "
        "WHERE a.status = 'in_progress' AND q.correct IS NOT NULL").fetchone()[0]
    if early:
        problems.append(f"{early} questions marked on attempts still in progress")
    several = conn.execute(
        "SELECT user_id FROM attempts WHERE status = 'in_progress' GROUP BY user_id, course_id "
        "HAVING COUNT(*) > 1").fetchall()
    if several:
        problems.append(f"more than one attempt in progress for users {several}")
    return problems


CHECKS: list[Callable[[sqlite3.Connection], list[str]]] = [
    integrity_ok,
    no_leftover_transaction_files,
    every_row_whole,
    failure_counts_match_the_log,
    attempts_whole,
]


def problems_in(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [p for check in CHECKS for p in check(conn)]
    finally:
        conn.close()


@pytest.fixture
def crash_db(tmp_path: Path, clock) -> Path:
    path = tmp_path / "data.db"
    ctx = open_context(path)
    ctx.settings.set("centre_name", "Crash Test Centre")
    ctx.settings.set("kiosk_failure_limit", "1000")  # the suite fails logins on purpose
    ctx.settings.set("require_all_sections", "false")  # straight to the test
    for name in crash_driver.LEARNERS:
        users.create(ctx.db, ctx.settings, ctx.clock, username=name,
                     password=crash_driver.PASSWORD, role="learner")
    ctx.db.close()
    return path


def kill_once(path: Path, rng: random.Random, round_no: int) -> str:
    """Start the driver, kill it at a random moment; return where the kill was aimed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_driver", str(path), str(rng.randrange(10**9))],
        cwd=ROOT, env=kiosk_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if round_no % 5 == 4:
            # Some kills land during start-up: opening, checking, configuring data.db.
            time.sleep(rng.uniform(0.0, 0.6))
            aim = "start-up"
        else:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "ready":
                proc.wait(timeout=10)
                err = proc.stderr.read() if proc.stderr else ""
                pytest.fail(f"driver did not start (round {round_no}): {line!r} {err}")
            time.sleep(rng.uniform(0.0, 0.8))
            aim = "work"
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            pytest.fail(f"driver died on its own (round {round_no}): {err}")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        return aim
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_sigkill_during_logins_and_tests_loses_nothing(crash_db, run_kiosk):
    """Killed 50+ times mid-work (sign-ins, test answers, submissions): the file is intact,
    the chain verifies, and no sign-in or attempt is half-done."""
    rng = random.Random(SEED)
    started = time.monotonic()
    kills = 0
    conn = sqlite3.connect(crash_db)
    rows_before = conn.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    conn.close()
    while kills < KILLS and time.monotonic() - started < TIME_BUDGET_S:
        kill_once(crash_db, rng, kills)
        kills += 1
        if kills % 10 == 0:
            problems = problems_in(crash_db)
            assert not problems, f"after {kills} kills (seed {SEED}): {problems}"
    assert kills >= 50, f"only {kills} kills fitted in {TIME_BUDGET_S} s"
    problems = problems_in(crash_db)
    assert not problems, f"seed {SEED}: {problems}"
    verified = run_kiosk("log", "verify", "--db", str(crash_db))
    assert verified.returncode == 0, verified.stderr
    conn = sqlite3.connect(crash_db)
    rows = conn.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    logins = conn.execute("SELECT COUNT(*) FROM access_log WHERE event LIKE 'login_%'"
                          ).fetchone()[0]
    answers = conn.execute("SELECT COUNT(*) FROM attempt_questions WHERE answer IS NOT NULL"
                           ).fetchone()[0]
    submitted = conn.execute("SELECT COUNT(*) FROM attempts WHERE status = 'submitted'"
                             ).fetchone()[0]
    conn.close()
    print(f"{kills} kills; {rows} log rows, {logins} sign-ins, {answers} answers, "
          f"{submitted} submitted attempts")
    assert rows > rows_before and logins > 0, "the driver never got any work done"
    assert answers > 0 and submitted > 0, "the driver never answered or submitted a test"
