"""The main window: owns the screen stack and is the only place that switches screens.

Screens emit past-tense or `*_requested` signals; this window decides where to
go. It also owns the idle watcher and refuses to close except through a
manager's confirmed exit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.errors import KioskError
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.login_screen import LoginScreen
from kiosk.ui.theme import apply_person_theme, remember
from kiosk.ui.widgets import Screen, announce, body, button

# Everything below loads after the first paint: the window and its sign-in screen are
# drawn before the kiosk opens data.db (kiosk/ui/app.py), so this module imports no core.
if TYPE_CHECKING:
    from kiosk.auth import LoginOutcome
    from kiosk.context import AppContext
    from kiosk.ui.home_screen import HomeScreen
    from kiosk.ui.manager_screen import ManagerScreen
    from kiosk.ui.my_results_screen import MyResultsScreen
    from kiosk.ui.password_change_screen import PasswordChangeScreen
    from kiosk.ui.reader_screen import ReaderScreen
    from kiosk.ui.result_screen import ResultScreen
    from kiosk.ui.setup_screen import SetupScreen
    from kiosk.ui.test_screen import TestScreen
    from kiosk.ui.urgent_screen import UrgentScreen


def _make_reader(ctx: AppContext) -> Screen:
    from kiosk.ui.reader_screen import ReaderScreen

    return ReaderScreen(ctx)


def _make_urgent(ctx: AppContext) -> Screen:
    from kiosk.ui.urgent_screen import UrgentScreen

    return UrgentScreen(ctx)


def _make_test(ctx: AppContext) -> Screen:
    from kiosk.ui.test_screen import TestScreen

    return TestScreen(ctx)


def _make_result(ctx: AppContext) -> Screen:
    from kiosk.ui.result_screen import ResultScreen

    return ResultScreen(ctx)


def _make_my_results(ctx: AppContext) -> Screen:
    from kiosk.ui.my_results_screen import MyResultsScreen

    return MyResultsScreen(ctx)


def _make_manager(ctx: AppContext) -> Screen:
    from kiosk.ui.manager_screen import ManagerScreen

    return ManagerScreen(ctx)


# Screens built the first time they are needed: the first paint (the login screen) must
# not wait for home, the reader, the test or the manager area's eight tabs.
def _make_setup(ctx: AppContext) -> Screen:
    from kiosk.ui.setup_screen import SetupScreen

    return SetupScreen(ctx)


def _make_home(ctx: AppContext) -> Screen:
    from kiosk.ui.home_screen import HomeScreen

    return HomeScreen(ctx)


def _make_password_change(ctx: AppContext) -> Screen:
    from kiosk.ui.password_change_screen import PasswordChangeScreen

    return PasswordChangeScreen(ctx)


# What the urgent page's Back button says, by the screen it returns to.
URGENT_BACK_LABELS = {
    "login": "&Back to sign in", "setup": "&Back to set-up", "home": "&Back to home",
    "reader": "&Back to the guidance", "test": "&Back to the test",
    "result": "&Back to your result", "my_results": "&Back to my results",
    "manager": "&Back to the manager area", "password_change": "&Back",
}

LAZY_SCREENS = {
    "setup": _make_setup,
    "home": _make_home,
    "password_change": _make_password_change,
    "reader": _make_reader,
    "urgent": _make_urgent,
    "test": _make_test,
    "result": _make_result,
    "my_results": _make_my_results,
    "manager": _make_manager,
}


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext | None, *, ms_per_second: int = 1000) -> None:
        """The window with its sign-in screen; with `ctx`, working at once.

        ctx is None only at start-up (kiosk/ui/app.py): the window and the sign-in screen
        are painted first, then data.db is opened and the complete context handed over
        with start(). Until then the window answers nothing (no sign-in, no F1, no close)
        and no other screen exists, so no screen ever sees a missing or partial context.
        """
        super().__init__()
        self.allow_close = False
        self.started = False
        self.setWindowTitle("Safeguarding training")
        self.setObjectName("mainWindow")

        self.stack = QStackedWidget()
        self.idle_banner = body("", "idleBanner")
        self.idle_banner.setAccessibleName("Idle sign-out warning")
        self.idle_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.idle_banner.hide()
        # "Worried about a child now?" sits above every screen, signed in or not, and F1
        # opens it from anywhere; its Back returns to the screen the person was on.
        self.top_bar = QFrame()
        self.top_bar.setObjectName("topBar")
        bar = QHBoxLayout(self.top_bar)
        bar.setContentsMargins(12, 6, 12, 6)
        self.urgent_button = button("Worried about a child now? (F1)",
                                    "Worried about a child now? Help at once (F1)")
        self.urgent_button.setObjectName("urgentBarButton")
        self.urgent_button.setAutoDefault(False)
        bar.addStretch(1)
        bar.addWidget(self.urgent_button)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.idle_banner)
        layout.addWidget(self.top_bar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._return_to = "login"

        self.screens: dict[str, Screen] = {}
        self.frames: dict[str, QScrollArea] = {}
        # Only the login screen is built up front; every other screen on first use.
        self.login: LoginScreen = self.add_screen("login", LoginScreen(ctx))  # type: ignore[assignment]
        self.top_bar.setVisible(False)  # the login card has its own urgent button
        if ctx is not None:
            self.start(ctx, ms_per_second=ms_per_second)

    def start(self, ctx: AppContext, *, ms_per_second: int = 1000) -> None:
        """Given the complete context: the idle watcher, the wiring, the first screen."""
        from kiosk import users

        self.ctx = ctx
        self.login.ctx = ctx
        urgent_key = QShortcut(QKeySequence(Qt.Key.Key_F1), self)
        urgent_key.setContext(Qt.ShortcutContext.WindowShortcut)
        urgent_key.activated.connect(self.open_urgent)
        settings = ctx.settings
        self.idle = IdleWatcher(int(settings.get("idle_timeout_seconds")),
                                int(settings.get("idle_countdown_seconds")),
                                ms_per_second=ms_per_second, parent=self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
        self._wire()
        self.started = True
        self.move_to("login" if users.manager_exists(ctx.db) else "setup")
        self.idle.start()

    def add_screen(self, name: str, screen: Screen) -> Screen:
        """Each screen sits in its own scroll area: at 200% text nothing is cut off, the
        screen scrolls instead (WCAG 1.4.4 and 1.4.10)."""
        frame = QScrollArea()
        frame.setObjectName("screenScroll")
        frame.setWidgetResizable(True)
        frame.setFrameShape(QFrame.Shape.NoFrame)
        frame.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        frame.viewport().setObjectName("screenViewport")
        frame.setWidget(screen)
        self.screens[name] = screen
        self.frames[name] = frame
        self.stack.addWidget(frame)
        return screen

    def get_screen(self, name: str) -> Screen:
        """The named screen, built and wired on first use."""
        if name not in self.screens:
            self.add_screen(name, LAZY_SCREENS[name](self.ctx))
            getattr(self, f"_wire_{name}")()
        return self.screens[name]

    # Typed accessors, so callers (and tests) can say window.reader as before.
    @property
    def setup(self) -> SetupScreen:
        return self.get_screen("setup")  # type: ignore[return-value]

    @property
    def home(self) -> HomeScreen:
        return self.get_screen("home")  # type: ignore[return-value]

    @property
    def password_change(self) -> PasswordChangeScreen:
        return self.get_screen("password_change")  # type: ignore[return-value]

    @property
    def reader(self) -> ReaderScreen:
        return self.get_screen("reader")  # type: ignore[return-value]

    @property
    def urgent(self) -> UrgentScreen:
        return self.get_screen("urgent")  # type: ignore[return-value]

    @property
    def test(self) -> TestScreen:
        return self.get_screen("test")  # type: ignore[return-value]

    @property
    def result(self) -> ResultScreen:
        return self.get_screen("result")  # type: ignore[return-value]

    @property
    def my_results(self) -> MyResultsScreen:
        return self.get_screen("my_results")  # type: ignore[return-value]

    @property
    def manager(self) -> ManagerScreen:
        return self.get_screen("manager")  # type: ignore[return-value]

    def _wire(self) -> None:
        self.login.logged_in.connect(self._on_logged_in)
        self.login.urgent_help_requested.connect(self.open_urgent)
        self.urgent_button.clicked.connect(self.open_urgent)
        self.idle.countdown_started.connect(self._show_countdown)
        self.idle.countdown_ticked.connect(self._show_countdown)
        self.idle.countdown_cancelled.connect(self.idle_banner.hide)
        self.idle.timed_out.connect(lambda: self.sign_out(idle=True))

    # Each lazily built screen is wired by its _wire_<name>, called once when it is built.

    def _wire_setup(self) -> None:
        self.setup.setup_completed.connect(self._setup_done)

    def _setup_done(self, username: str = "") -> None:
        self.move_to("login")
        who = f" as {username}" if username else ""
        self.login.show_info(f"Set-up is complete. Sign in{who} with the password you just "
                             "chose, then add your staff in the manager area.")
        if username:
            self.login.username.setText(username)
            self.login.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def _wire_home(self) -> None:
        self.home.sign_out_requested.connect(lambda: self.sign_out(idle=False))
        self.home.exit_requested.connect(self.request_exit)
        self.home.manager_area_requested.connect(self.open_manager_area)
        self.home.guidance_requested.connect(lambda: self.show_guidance())
        self.home.test_requested.connect(self.start_test)
        self.home.results_requested.connect(self.show_my_results)

    def _wire_password_change(self) -> None:
        self.password_change.password_changed.connect(self._show_home)
        self.password_change.cancelled.connect(lambda: self.sign_out(idle=False))

    def _wire_manager(self) -> None:
        self.manager.back_requested.connect(self._show_home)

    # ------------------------------------------------------------ the guidance (issue 3)

    def _wire_reader(self) -> None:
        self.reader.home_requested.connect(self._show_home)
        self.reader.test_requested.connect(self.start_test)
        self.reader.result_requested.connect(lambda: self.move_to("result"))

    def _wire_urgent(self) -> None:
        """The "Worried about a child now?" page, reachable without signing in."""
        self.urgent.back_requested.connect(self._back_from_urgent)

    def open_urgent(self) -> None:
        """From any screen: the urgent page, remembering where to come back to."""
        here = self.current_screen()
        if here == "urgent":
            return
        self._return_to = here or "login"
        self.urgent.set_return_to(URGENT_BACK_LABELS.get(self._return_to, "Back"))
        self.move_to("urgent")

    def _back_from_urgent(self) -> None:
        from kiosk import users

        target = self._return_to
        signed_in = self.ctx.current_user is not None
        if target not in self.screens or (not signed_in and target not in ("login", "setup")):
            target = "login" if users.manager_exists(self.ctx.db) else "setup"
        self._return_to = "login"
        self.move_to(target)

    def show_guidance(self, section_id: str | None = None, *, from_result: bool = False) -> None:
        """The reader, at `section_id` or at the person's first section not yet read."""
        self.move_to("reader")
        self.reader.offer_result(from_result)
        self.reader.open_section(section_id)

    # ------------------------------------------------------------ the test (issue 4)

    def _wire_test(self) -> None:
        self.test.submitted.connect(self._on_test_submitted)
        self.test.left.connect(self._show_home)

    def _wire_result(self) -> None:
        self.result.section_requested.connect(
            lambda section: self.show_guidance(section, from_result=True))
        self.result.home_requested.connect(self._show_home)

    def _wire_my_results(self) -> None:
        self.my_results.home_requested.connect(self._show_home)
        self.my_results.answers_requested.connect(self.show_answers)

    def show_answers(self, attempt_id: str) -> None:
        """A past attempt's result again, with its wrong answers (from My results)."""
        if self.ctx.current_user is None or self.ctx.course is None:
            return
        from kiosk import quiz

        attempt = quiz.load_attempt(self.ctx.db, attempt_id, self.ctx.course)
        if attempt.user_id != self.ctx.current_user.id:
            return  # only a person's own answers
        self.result.show_attempt(attempt)
        self.move_to("result")

    def start_test(self) -> None:
        """Resume the attempt in progress, or start one if the rules allow; else say why."""
        ctx = self.ctx
        if ctx.current_user is None or ctx.course is None:
            return
        from kiosk.operations import quiz as quiz_ops  # after sign-in: a light first paint

        try:
            attempt = quiz_ops.start_or_resume(ctx, ctx.current_user, ctx.course)
        except KioskError as exc:
            ctx.dialogs.inform("The test is not open yet", str(exc))
            return
        self.test.load(attempt)
        self.move_to("test")

    def _on_test_submitted(self, attempt: object) -> None:
        self.test.reset()
        self.result.show_attempt(attempt)
        self.move_to("result")

    def show_my_results(self) -> None:
        if self.ctx.current_user is None:
            return
        self.my_results.load()
        self.move_to("my_results")

    def _refresh_training_status(self) -> None:
        ctx = self.ctx
        user = ctx.current_user
        if user is None or ctx.course is None:
            return
        from kiosk import journey  # after sign-in only: keeps the first paint light

        j = journey.journey(ctx.db, ctx.settings, user.id, ctx.course, ctx.clock.now().date())
        text = j.status.describe()
        if j.in_progress:
            text += (" You have a test under way: choose \"Resume the test\" to carry on "
                     "where you left off; your answers so far are kept.")
        self.home.set_journey(j, ctx.course.title)
        self.home.set_status(text)

    def current_screen(self) -> str:
        widget = self.stack.currentWidget()
        return next((name for name, f in self.frames.items() if f is widget), "")

    def move_to(self, name: str) -> None:
        screen = self.get_screen(name)
        previous = self.current_screen()
        if previous and previous != name:
            self.screens[previous].leaving()
        self.stack.setCurrentWidget(self.frames[name])
        # The login card has its own urgent button; the urgent page needs none.
        self.top_bar.setVisible(name not in ("urgent", "login"))
        screen.entered()

    def _on_logged_in(self, outcome: LoginOutcome) -> None:
        self.ctx.current_user = outcome.user
        chosen = dict(self.login.chosen_prefs)
        self.login.reset()
        if chosen and outcome.user is not None:
            remember(self.ctx, chosen)  # chosen on the sign-in screen: now theirs
        user = self.ctx.current_user
        apply_person_theme(user.prefs if user is not None else None)
        self._last = (outcome.previous_login_at, outcome.failures_since)
        self.idle.configure(int(self.ctx.settings.get("idle_timeout_seconds")),
                            int(self.ctx.settings.get("idle_countdown_seconds")))
        if outcome.user is not None and outcome.user.must_change_password:
            self.password_change.first_sign_in = outcome.previous_login_at is None
            self.move_to("password_change")
        else:
            self._show_home()

    def open_manager_area(self) -> None:
        """Only a signed-in manager gets in; for anyone else the request does nothing."""
        user = self.ctx.current_user
        if user is None or not user.is_manager or user.disabled:
            return
        self.move_to("manager")

    def _show_home(self) -> None:
        previous, failures = getattr(self, "_last", (None, 0))
        self.home.show_user(previous, failures)
        self._refresh_training_status()
        self.move_to("home")

    def _show_countdown(self, seconds: int) -> None:
        unit = "second" if seconds == 1 else "seconds"
        self.idle_banner.setText(
            f"No activity: signing out in {seconds} {unit}. "
            "Press any key or move the mouse to stay signed in."
        )
        self.idle_banner.show()
        # Announced at the start and every ten seconds, not every tick: a screen reader
        # reading out each second would drown everything else.
        if seconds == self.idle.countdown_seconds or seconds % 10 == 0 or seconds <= 5:
            announce(self.idle_banner)

    def sign_out(self, *, idle: bool) -> None:
        """Sign out (logged), clear every screen's state, and return to the login screen."""
        from kiosk import users
        from kiosk.operations import session

        user = self.ctx.current_user
        session.sign_out(self.ctx, user, idle=idle)
        self.ctx.current_user = None
        self._last = (None, 0)
        self.idle_banner.hide()
        for screen in self.screens.values():
            screen.reset()
        apply_person_theme(None)
        self._return_to = "login"
        self.move_to("login" if users.manager_exists(self.ctx.db) else "setup")
        if idle and user is not None:
            self.login.show_info("You were signed out because nothing happened for a while. "
                                 "Your reading and answers so far are kept.")
        self.idle.start()

    def request_exit(self) -> None:
        """A manager closes the kiosk: password again, then a logged exit."""
        from kiosk.operations import session

        user = self.ctx.current_user
        dialogs = self.ctx.dialogs
        if user is None or not user.is_manager:
            return
        password = dialogs.ask_password(
            "Close the kiosk", "Type your password to close the kiosk.")
        if password is None:
            return
        try:
            closed = session.close_kiosk(self.ctx, user, password)
        except KioskError as exc:
            dialogs.warn("Kiosk not closed", str(exc))
            return
        if not closed:
            dialogs.warn("Kiosk not closed", "That password was not right.")
            return
        self.ctx.current_user = None
        self.allow_close = True
        self.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def _record_close_refused(self) -> None:
        # At most one row every ten seconds: a held Alt+F4 must not flood the log.
        now = self.ctx.clock.now()
        last = getattr(self, "_close_refused_at", None)
        if last is not None and (now - last).total_seconds() < 10:
            return
        self._close_refused_at = now
        from kiosk.operations import session

        session.close_refused(self.ctx)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Alt+F4, the taskbar and window managers all arrive here: only a manager's exit closes.
        if self.allow_close:
            event.accept()
        else:
            event.ignore()
            if self.started:  # before start() there is no log to write to yet
                self._record_close_refused()
