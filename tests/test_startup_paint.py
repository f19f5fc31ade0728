"""Start-up paints the sign-in screen first, then opens data.db (kiosk/ui/app.py): the
first look is read-only and decides nothing, the screen acts only once given the
context, and every start still ends with the same checks and the start's log row."""

from __future__ import annotations

import sqlite3

import pytest

from kiosk import access_log
from kiosk.startup import first_look
from tests.conftest import LEARNER_PASSWORD, kiosk_env


def folder_state(folder):
    return {p.name: p.stat().st_size for p in folder.iterdir()}


def test_first_look_needs_an_existing_kiosk_with_a_manager(tmp_path, ctx, make_user):
    assert first_look(tmp_path / "missing.db") is None
    assert not (tmp_path / "missing.db").exists()  # never created
    (tmp_path / "empty.db").write_bytes(b"")
    assert first_look(tmp_path / "empty.db") is None
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert first_look(tmp_path / "junk.db") is None
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE notes (text TEXT)")
    other.commit()
    other.close()
    assert first_look(tmp_path / "other.db") is None  # another program's database
    assert first_look(ctx.db_path) is None  # a kiosk with nobody yet: set-up comes first
    make_user("alex")
    assert first_look(ctx.db_path) is None  # learners only: still set-up
    make_user("manager", role="manager")
    look = first_look(ctx.db_path)
    assert look is not None and look.centre_name == "Riverside Children's Centre"


def test_first_look_changes_nothing_beside_data_db(tmp_path, make_user, ctx):
    """After a clean close (no -wal, no -shm) the folder is left exactly as it was; with a
    kiosk running, what is still only in its WAL is seen."""
    make_user("manager", role="manager")
    ctx.db.close()
    before = folder_state(tmp_path)
    assert "data.db-wal" not in before
    assert first_look(ctx.db_path) is not None
    assert folder_state(tmp_path) == before
    from kiosk.context import open_context

    running = open_context(ctx.db_path, clock=ctx.clock)
    running.settings.set("centre_name", "Only in the WAL so far")
    try:
        assert first_look(ctx.db_path).centre_name == "Only in the WAL so far"
    finally:
        running.db.close()


def test_a_disabled_only_manager_means_set_up(ctx, make_user):
    make_user("manager", role="manager")
    ctx.db.execute("UPDATE users SET disabled = 1 WHERE username = 'manager'")
    assert first_look(ctx.db_path) is None


@pytest.mark.gui
def test_the_window_painted_first_signs_in_only_once_given_the_context(qtbot, ctx,
                                                                       make_user):
    """Before start() the sign-in screen keeps what is typed and signs nobody in (no
    context, no log row); after it, the same screen signs in as usual."""
    from PySide6.QtCore import Qt

    from kiosk.ui.main_window import MainWindow

    make_user("manager", role="manager")
    make_user("alex")
    rows = len(list(access_log.query(ctx.db)))
    win = MainWindow(None)
    qtbot.addWidget(win)
    win.resize(1024, 768)
    win.show()
    qtbot.waitExposed(win)
    assert win.current_screen() == "login" and not win.top_bar.isVisible()
    signed_in = []
    win.login.logged_in.connect(signed_in.append)
    qtbot.keyClicks(win.login.username, "alex")
    win.login.password.setFocus()
    qtbot.keyClicks(win.login.password, LEARNER_PASSWORD)
    qtbot.keyClick(win.login.password, Qt.Key.Key_Return)
    assert not signed_in and win.login.password.text() == LEARNER_PASSWORD  # kept
    win.close()  # refused, and nothing to record it in yet
    assert win.isVisible() and len(list(access_log.query(ctx.db))) == rows
    win.start(ctx, ms_per_second=20)
    assert win.login.centre.text() == "Riverside Children's Centre"
    qtbot.keyClick(win.login.password, Qt.Key.Key_Return)
    assert win.current_screen() == "home"
    assert ctx.current_user is not None and ctx.current_user.username == "alex"
    win.allow_close = True
    win.idle.stop()


@pytest.mark.gui
def test_start_paints_first_then_opens_and_logs_the_start(tmp_path, run_kiosk, ctx,
                                                          make_user):
    """A real start on a kiosk with a manager: the first paint is reported (the benchmark's
    switch), the kiosk still opens, checks and records its start, and exits when ready."""
    make_user("manager", role="manager")
    ctx.db.close()
    mark = tmp_path / "painted"
    env = kiosk_env()
    env["KIOSK_FIRST_PAINT_FILE"] = str(mark)
    done = run_kiosk("--exit-when-ready", "--db", str(ctx.db_path), env=env)
    assert done.returncode == 0, done.stderr
    assert float(mark.read_text()) > 0
    conn = sqlite3.connect(ctx.db_path)
    events = [r[0] for r in conn.execute("SELECT event FROM access_log ORDER BY id")]
    conn.close()
    assert events[-1] == access_log.KIOSK_START or access_log.KIOSK_START in events[-3:]


@pytest.mark.gui
def test_a_broken_database_after_the_first_paint_shows_the_error_screen(tmp_path, run_kiosk,
                                                                         ctx, make_user):
    """Painted first, opened after: a newer-version file still ends on the error screen,
    exit 1, with the message, and the file is not changed."""
    make_user("manager", role="manager")
    ctx.db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                   "VALUES ('kiosk', 'm999_from_the_future', '2030-01-01')")
    ctx.db.close()
    assert first_look(ctx.db_path) is not None  # so this start takes the painted-first path
    before = ctx.db_path.read_bytes()
    done = run_kiosk("--exit-when-ready", "--db", str(ctx.db_path))
    assert done.returncode == 1 and "newer version" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert ctx.db_path.read_bytes() == before
