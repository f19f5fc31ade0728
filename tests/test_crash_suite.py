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
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk import users
from kiosk.context import open_context
from tests import crash_driver
from tests.conftest import MANAGER_PASSWORD, ROOT, kiosk_env, run_as

# A count, not a time budget: how many kills fit in a minute depends on the machine.
KILLS = int(os.environ.get("KIOSK_CRASH_KILLS", "55"))
CLI_EVERY = 4  # every 4th round a command runs beside the kiosk before the kill
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


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def found(conn: sqlite3.Connection, folder: Path, done: list[str]) -> list[str]:
    """Every record a `done` line confirmed, looked up in the file after the kills."""
    missing = []
    last_setting: tuple[str, int] | None = None
    for line in done:
        kind, *key = line.split(" ")
        if kind == "log":
            ok = conn.execute("SELECT 1 FROM access_log WHERE id = ?", [int(key[0])]).fetchone()
        elif kind == "answer":
            ok = conn.execute("SELECT 1 FROM attempt_questions WHERE attempt_id = ? AND "
                              "position = ? AND answer IS NOT NULL", [key[0], int(key[1])]
                              ).fetchone()
        elif kind == "submit":
            ok = conn.execute("SELECT 1 FROM attempts WHERE id = ? AND status = 'submitted'",
                              [key[0]]).fetchone()
        elif kind == "person":
            ok = conn.execute("SELECT 1 FROM users WHERE username = ?", [key[0]]).fetchone()
        elif kind == "setting":
            value, row = " ".join(key[1:-1]), int(key[-1])
            ok = conn.execute("SELECT 1 FROM access_log WHERE id = ?", [row]).fetchone()
            last_setting = (value, row)
        elif kind == "export":
            text = (folder / key[0]).read_bytes() if (folder / key[0]).exists() else b""
            ok = text.startswith(b"\xef\xbb\xbfattempt_id") and text.endswith(b"\r\n") and \
                conn.execute("SELECT 1 FROM access_log WHERE id = ?", [int(key[1])]).fetchone()
        elif kind in ("backup", "restore"):
            path = folder / ("crash-backups" if kind == "backup" else "") / key[0]
            ok = path.exists() and _integrity(path) == "ok"
        else:
            ok = None
        if not ok:
            missing.append(line)
    if last_setting is not None:
        value, row = last_setting
        now = conn.execute("SELECT value FROM settings WHERE key = 'centre_name'").fetchone()
        later = conn.execute("SELECT reason FROM access_log WHERE id > ? AND reason LIKE "
                             "'setting changed: centre_name=%'", [row]).fetchall()
        allowed = {value} | {"Centre " + r[0].split("=", 1)[1] for r in later}
        if not now or now[0] not in allowed:
            missing.append(f"setting centre_name: {now} not in {sorted(allowed)[:3]}")
    return missing


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
    # The suite fails logins on purpose, at a script's rate: keep the kiosk-wide pause
    # (which rightly stops such a rate) out of its way within one round.
    ctx.settings.set("kiosk_failure_limit", "1000")
    ctx.settings.set("kiosk_failure_window_minutes", "1")
    ctx.settings.set("require_all_sections", "false")  # straight to the test
    for name in crash_driver.LEARNERS:
        users.create(ctx.db, ctx.settings, ctx.clock, username=name,
                     password=crash_driver.PASSWORD, role="learner")
    # The manager the commands run beside the kiosk sign in as (`--as`).
    users.create(ctx.db, ctx.settings, ctx.clock, username="manager",
                 password=MANAGER_PASSWORD, role="manager")
    ctx.db.close()
    return path


def kill_once(path: Path, rng: random.Random, round_no: int, clock,
              run_kiosk: Callable[..., subprocess.CompletedProcess[str]]) -> tuple[str, list[str]]:
    """Start the driver, kill it at a random moment; return where the kill was aimed and
    the records it (and any command run beside it) confirmed as written."""
    # Each round is a later moment of the kiosk's day (time is an input): the failures
    # one round makes on purpose never add up to the kiosk-wide pause of a later round.
    clock.advance(minutes=2)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_driver", str(path), str(rng.randrange(10**9))],
        cwd=ROOT, env=kiosk_env(clock=clock), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    done: list[str] = []
    reader: threading.Thread | None = None
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
            stream = proc.stdout
            reader = threading.Thread(
                target=lambda: done.extend(x[5:].strip() for x in stream if x.startswith("done ")),
                daemon=True)
            reader.start()
            if round_no % CLI_EVERY == 1:
                name = f"cli{round_no}"
                added = run_as(run_kiosk, "users", "add", name, "--role", "learner", "--db",
                               str(path), input=crash_driver.PASSWORD + "\n")
                assert added.returncode == 0, added.stderr
                done.append(f"person {name}")
            time.sleep(rng.uniform(0.0, 0.8))
            aim = "work"
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            pytest.fail(f"driver died on its own (round {round_no}): {err}")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        if reader is not None:
            reader.join(timeout=10)
        return aim, done
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_sigkill_during_every_kind_of_write_loses_nothing(crash_db, run_kiosk, clock):
    """Killed 55 times mid-work (sign-ins, answers, submissions, people, settings, exports'
    log rows, backups, restores, and commands run beside the kiosk): the file is intact,
    the chain verifies, nothing is half-done, and every record confirmed is there."""
    rng = random.Random(SEED)
    conn = sqlite3.connect(crash_db)
    rows_before = conn.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    conn.close()
    confirmed: list[str] = []
    for kills in range(1, KILLS + 1):
        _, done = kill_once(crash_db, rng, kills - 1, clock, run_kiosk)
        confirmed += done
        conn = sqlite3.connect(crash_db)
        try:
            lost = found(conn, crash_db.parent, done)
        finally:
            conn.close()
        assert not lost, f"after kill {kills} (seed {SEED}) these were confirmed and lost: {lost}"
        if kills % 10 == 0:
            problems = problems_in(crash_db)
            assert not problems, f"after {kills} kills (seed {SEED}): {problems}"
    problems = problems_in(crash_db)
    assert not problems, f"seed {SEED}: {problems}"
    verified = run_kiosk("log", "verify", "--db", str(crash_db))
    assert verified.returncode == 0, verified.stderr
    conn = sqlite3.connect(crash_db)
    lost = found(conn, crash_db.parent, confirmed)
    rows = conn.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    conn.close()
    kinds = Counter(line.split(" ")[0] for line in confirmed)
    print(f"{KILLS} kills; {len(confirmed)} records confirmed, {len(confirmed) - len(lost)} "
          f"found; by kind {dict(kinds)}; {rows} log rows")
    assert not lost, f"confirmed but not found: {lost[:10]}"
    assert rows > rows_before, "the driver never got any work done"
    needed = {"log", "answer", "submit", "person", "setting", "export", "backup", "restore"}
    assert needed <= set(kinds), f"kinds never confirmed: {needed - set(kinds)}"
