"""Issue 2's "done when", end to end: GUI, CLI and the exported access log together."""

import csv
import io

from PySide6.QtCore import Qt

from kiosk import users
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD, run_as
from tests.gui_helpers import press, sign_in, type_into_focus


def test_first_manager_learner_failures_lockout_idle_all_in_the_export(
        qtbot, ctx, window, db_path, run_kiosk):
    """Create the first manager, add a learner by CLI, fail 3x then succeed, lock with 10
    failures, be logged out when idle: each appears as rows in `kiosk export access-log`."""
    window.setup.centre_name.setFocus()
    for text in ("Hillside", None, "morgan", "Morgan Ellis", MANAGER_PASSWORD,
                 MANAGER_PASSWORD):
        if text is not None:
            type_into_focus(qtbot, text)
        press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Return)
    assert window.current_screen() == "login"

    added = run_as(run_kiosk, "users", "add", "llyr", "--role", "learner", "--name",
                   "Llŷr Wyn", "--db", str(db_path), username="morgan",
                   input=LEARNER_PASSWORD + "\n")
    assert added.returncode == 0, added.stderr

    ctx.settings.set("lockout_delay_after", 50)  # the GUI would otherwise make us wait
    ctx.settings.set("idle_timeout_seconds", 30)
    ctx.settings.set("idle_countdown_seconds", 5)
    for _ in range(3):
        window.login.username.clear()
        sign_in(qtbot, window, "llyr", "wrong password")
    window.login.username.clear()
    sign_in(qtbot, window, "llyr", LEARNER_PASSWORD)
    assert window.current_screen() == "home"
    qtbot.waitUntil(lambda: window.current_screen() == "login", timeout=5000)  # idle

    for _ in range(10):
        window.login.username.clear()
        sign_in(qtbot, window, "morgan", "guessing again")

    # Morgan is locked out now: a second manager runs the export (signed in, as it must be).
    users.create(ctx.db, ctx.settings, ctx.clock, username="deputy", password=MANAGER_PASSWORD,
                 role="manager")
    result = run_as(run_kiosk, "export", "access-log", "--db", str(db_path), username="deputy")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"), newline="")))
    llyr = [(r["event"], r["reason"]) for r in rows if r["username_entered"] == "llyr"]
    assert llyr == [("login_failure", "wrong_password")] * 3 + [("login_success", ""),
                                                                ("idle_logout", "")]
    morgan = [r["event"] for r in rows if r["username_entered"] == "morgan"]
    assert morgan.count("login_failure") == 10 and morgan.count("lockout") == 1
    assert any(r["event"] == "setup" for r in rows)
    assert any("user_added: llyr" in r["reason"] for r in rows)
    assert all(r["kiosk_id"] == ctx.settings.kiosk_id for r in rows if r["event"] != "setup")
