"""The test clock: how a test hands its date to a process it starts, and why a kiosk in
use cannot be moved by it."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from kiosk import access_log
from kiosk.clock import TEST_CLOCK_ENV, Clock, StartedClock, clock_for
from kiosk.context import open_context
from tests.conftest import MANAGER_PASSWORD

START = datetime(2031, 2, 28, 23, 59, 58, tzinfo=timezone.utc)


def test_a_cli_process_records_the_tests_date(run_kiosk, tmp_path, clock):
    """A command started by a test writes its access-log row on the test's date, not today's."""
    db = tmp_path / "data.db"
    clock.current = START
    added = run_kiosk("users", "add", "boss", "--role", "manager", "--db", str(db),
                      input=MANAGER_PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    ctx = open_context(db, clock=clock)
    try:
        times = [r["occurred_at"] for r in ctx.db.query("SELECT occurred_at FROM access_log")]
    finally:
        ctx.db.close()
    assert times and all(t.startswith(("2031-02-28T23:59", "2031-03-01T00:00")) for t in times)
    assert access_log.verify_chain(open_context(db).db).ok


def test_the_started_clock_runs_on_from_its_start():
    """It never goes back and never jumps: it starts where the test was and moves on."""
    clock = StartedClock(START)
    first = clock.now()
    second = clock.now()
    assert START <= first <= second
    assert (second - START).total_seconds() < 5


def test_the_variable_is_ignored_for_a_real_data_folder(monkeypatch, tmp_path):
    """A database outside the temporary folder (where every real data.db lives) keeps the
    real clock, whatever the environment says."""
    monkeypatch.setenv(TEST_CLOCK_ENV, START.isoformat())
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path / "elsewhere"))
    clock = clock_for(tmp_path / "data.db")
    assert type(clock) is Clock
    assert abs((clock.now() - datetime.now(timezone.utc)).total_seconds()) < 60


def test_the_variable_is_ignored_by_the_built_kiosk(monkeypatch, tmp_path):
    """The frozen kiosk never reads it, even on a database under the temporary folder."""
    monkeypatch.setenv(TEST_CLOCK_ENV, START.isoformat())
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert type(clock_for(tmp_path / "data.db")) is Clock


def test_a_malformed_value_means_the_real_clock(monkeypatch, tmp_path):
    monkeypatch.setenv(TEST_CLOCK_ENV, "next tuesday")
    assert type(clock_for(tmp_path / "data.db")) is Clock
    monkeypatch.setenv(TEST_CLOCK_ENV, "2031-02-28T12:00:00")
    assert clock_for(Path(tmp_path / "data.db")).now().year == 2031
