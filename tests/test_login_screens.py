"""The first-run, login and home screens, driven by keyboard as staff would use them."""

from PySide6.QtCore import Qt

from kiosk import auth, users
from kiosk.ui.login_screen import NOTICE
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD
from tests.gui_helpers import focused, press, sign_in, type_into_focus


def events(ctx):
    return [(r["event"], r["reason"]) for r in ctx.db.query(
        "SELECT event, reason FROM access_log ORDER BY id")]


def test_first_run_creates_the_first_manager(qtbot, ctx, window):
    """With no manager, the set-up screen creates one by keyboard and moves to the login."""
    assert window.current_screen() == "setup"
    window.setup.centre_name.setFocus()
    type_into_focus(qtbot, "Hillside Family Centre")
    press(qtbot, Qt.Key.Key_Tab)
    focused().selectAll()
    type_into_focus(qtbot, "front-desk")
    for text in ("morgan", "Morgan Ellis", MANAGER_PASSWORD, MANAGER_PASSWORD):
        press(qtbot, Qt.Key.Key_Tab)
        type_into_focus(qtbot, text)
    press(qtbot, Qt.Key.Key_Return)
    assert window.current_screen() == "login"
    manager = users.find(ctx.db, "morgan")
    assert manager.is_manager and manager.full_name == "Morgan Ellis"
    assert ctx.settings.centre_name == "Hillside Family Centre"
    assert ctx.settings.kiosk_id == "front-desk"
    assert ("setup", "first manager created; centre and kiosk id recorded") in events(ctx)


def test_setup_shows_why_a_password_is_refused(qtbot, ctx, window):
    """A manager password under 15 characters is refused with the reason, nothing created."""
    window.setup.centre_name.setText("Hillside")
    window.setup.username.setText("morgan")
    window.setup.password.setText("too short pw")
    window.setup.confirm.setText("too short pw")
    qtbot.mouseClick(window.setup.create, Qt.MouseButton.LeftButton)
    assert "at least 15" in window.setup.message.text()
    assert window.setup.message.isVisible()
    assert not users.manager_exists(ctx.db)
    assert window.setup.password.text() == ""


def test_login_screen_notice_and_focus(qtbot, ctx, manager):
    """The login screen says attempts are monitored and starts with focus in the username."""
    from kiosk.ui.main_window import MainWindow

    win = MainWindow(ctx, ms_per_second=20)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    assert win.current_screen() == "login"
    assert win.login.notice.text() == NOTICE
    assert win.login.notice.isVisible() and "monitored" in win.login.notice.text()
    qtbot.waitUntil(lambda: focused() is win.login.username)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is win.login.password
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is win.login.sign_in
    win.allow_close = True
    win.idle.stop()


def test_three_failures_then_success_shows_them(qtbot, ctx, manager, learner, window):
    """Three wrong passwords then the right one: home says so, the log has all four."""
    window.move_to("login")
    sign_in(qtbot, window, "alex", "not the right one")
    for next_try in ("still not right", "nor this one", LEARNER_PASSWORD):
        assert window.current_screen() == "login"
        assert window.login.message.text() == auth.GENERIC_FAILURE
        # The username stays; the password is cleared and has the focus for the next try.
        assert window.login.username.text() == "alex"
        assert window.login.password.text() == "" and focused() is window.login.password
        ctx.clock.advance(minutes=1)
        type_into_focus(qtbot, next_try)
        press(qtbot, Qt.Key.Key_Return)
    assert window.current_screen() == "home"
    assert window.home.welcome.text() == "Welcome, Alex Learner"
    assert "3 failed attempts" in window.home.last_sign_in.text()
    assert not window.home.manager_box.isVisible()
    log = [e for e, _ in events(ctx) if e.startswith("login")]
    assert log == ["login_failure"] * 3 + ["login_success"]


def test_every_kind_of_failure_shows_the_same_message(qtbot, ctx, manager, make_user, window):
    """Unknown, wrong, disabled and locked accounts all get one generic message."""
    make_user("dana")
    users.set_disabled(ctx.db, ctx.settings, ctx.clock, "dana")
    make_user("lee")
    ctx.db.execute("UPDATE users SET locked_until = '2999-01-01T00:00:00+00:00' "
                   "WHERE username = 'lee'")
    window.move_to("login")
    seen = set()
    for name, pw in (("ghost", LEARNER_PASSWORD), ("manager", "wrong!"),
                     ("dana", LEARNER_PASSWORD), ("lee", LEARNER_PASSWORD)):
        window.login.username.clear()
        sign_in(qtbot, window, name, pw)
        seen.add(window.login.message.text())
    assert seen == {auth.GENERIC_FAILURE}


def test_ten_failures_lock_the_account(qtbot, ctx, manager, learner, window):
    """Ten wrong passwords lock the account; even the right one then fails, until unlocked."""
    ctx.settings.set("lockout_delay_after", 50)  # no waiting between tries in this test
    window.move_to("login")
    for _ in range(10):
        window.login.username.clear()
        sign_in(qtbot, window, "alex", "wrong password!")
    window.login.username.clear()
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    assert window.current_screen() == "login"
    assert ("lockout", "10 failed attempts; locked until 2026-01-05T09:15:00+00:00") in events(ctx)
    users.unlock(ctx.db, ctx.settings, ctx.clock, "alex", actor=manager)
    window.login.username.clear()
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    assert window.current_screen() == "home"


def test_one_accounts_failures_never_make_a_colleague_or_the_manager_wait(
        qtbot, ctx, manager, learner, make_user, window):
    """Twelve wrong tries on Alex's account (issue 11): Alex's account waits and locks, but
    the colleague next in the queue and the manager who comes to unlock it sign in at once."""
    make_user("sam", full_name="Sam Colleague")
    window.move_to("login")
    for _ in range(12):
        window.login.username.clear()
        sign_in(qtbot, window, "alex", "wrong password!")
        ctx.clock.advance(seconds=1)
    assert window.login.sign_in.isEnabled()
    assert "anyone else can sign in now" in window.login.message.text()
    window.login.username.clear()
    sign_in(qtbot, window, "sam", LEARNER_PASSWORD)
    assert window.current_screen() == "home" and ctx.current_user.username == "sam"
    window.sign_out(idle=False)
    window.login.username.clear()
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    assert window.current_screen() == "home" and ctx.current_user.username == "manager"
    # Alex's own account is the one held back.
    assert users.find(ctx.db, "alex").failed_count >= int(ctx.settings.get("lockout_delay_after"))
    assert ctx.auth.login("alex", LEARNER_PASSWORD).ok is False


def test_idle_countdown_then_logout_clears_everything(qtbot, ctx, manager, learner, window):
    """No input: a visible countdown, then sign-out to a cleared login screen, logged."""
    ctx.settings.set("idle_timeout_seconds", 30)
    ctx.settings.set("idle_countdown_seconds", 5)
    window.move_to("login")
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    assert window.current_screen() == "home"
    qtbot.waitUntil(window.idle_banner.isVisible, timeout=5000)
    assert "signing out in" in window.idle_banner.text()
    qtbot.waitUntil(lambda: window.current_screen() == "login", timeout=5000)
    assert ctx.current_user is None
    assert window.home.welcome.text() == ""
    assert window.login.username.text() == "" and window.login.password.text() == ""
    assert not window.idle_banner.isVisible()
    assert ("idle_logout", "") in events(ctx)


def test_any_key_cancels_the_idle_countdown(qtbot, ctx, manager, learner, window):
    """Pressing a key during the countdown keeps the person signed in."""
    ctx.settings.set("idle_timeout_seconds", 30)
    ctx.settings.set("idle_countdown_seconds", 30)
    window.move_to("login")
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    qtbot.waitUntil(window.idle_banner.isVisible, timeout=5000)
    press(qtbot, Qt.Key.Key_Shift)
    assert not window.idle_banner.isVisible()
    assert window.current_screen() == "home"


def test_sign_out_is_logged(qtbot, ctx, manager, learner, window):
    """The Sign out button returns to the login screen and records a logout."""
    window.move_to("login")
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    qtbot.mouseClick(window.home.sign_out, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "login"
    assert events(ctx)[-1] == ("logout", "")


def test_window_cannot_be_closed_except_by_a_manager(qtbot, ctx, manager, learner, window):
    """Closing the window is refused; a manager's password closes it, and that is logged."""
    assert window.close() is False and window.isVisible()
    window.move_to("login")
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    assert window.home.manager_box.isVisible()
    ctx.dialogs.queue("not my password")
    qtbot.mouseClick(window.home.exit_kiosk, Qt.MouseButton.LeftButton)
    assert window.isVisible()
    assert "not right" in ctx.dialogs.texts("warn")[-1]
    ctx.dialogs.queue(MANAGER_PASSWORD)
    qtbot.mouseClick(window.home.exit_kiosk, Qt.MouseButton.LeftButton)
    assert not window.isVisible()
    assert events(ctx)[-1] == ("kiosk_exit", "closed by a manager")


def test_forced_password_change_after_reset(qtbot, ctx, manager, learner, window):
    """After a manager reset, the person must choose a new password before anything else."""
    users.set_password(ctx.db, ctx.settings, ctx.clock, learner, "temporary pass 2026",
                       must_change=True, actor=manager)
    window.move_to("login")
    sign_in(qtbot, window, "alex", "temporary pass 2026")
    assert window.current_screen() == "password_change"
    type_into_focus(qtbot, "short")
    press(qtbot, Qt.Key.Key_Tab)
    type_into_focus(qtbot, "short")
    press(qtbot, Qt.Key.Key_Return)
    assert "at least 12" in window.password_change.message.text()
    window.password_change.password.setFocus()
    type_into_focus(qtbot, "a brand new phrase")
    press(qtbot, Qt.Key.Key_Tab)
    type_into_focus(qtbot, "a brand new phrase")
    press(qtbot, Qt.Key.Key_Return)
    assert window.current_screen() == "home"
    assert ctx.auth.login("alex", "a brand new phrase").ok
