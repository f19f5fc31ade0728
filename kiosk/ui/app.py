"""Starting the GUI: the QApplication, the context, the main window, and the safety net.

The order, when data.db already holds a kiosk with a manager (every start but the
first): the sign-in screen is painted first, from a read-only look at two facts
(kiosk/startup.py), and then, in the event loop's next turn, the kiosk opens for real:
the content check, the instance lock, the integrity check and migrations, the start's
access-log row, and the context handed to the window. Nothing can be signed in before
that; keys typed meanwhile wait in the queue and reach the screen after. The heavy
imports (sqlite-utils, Argon2, the course loader, the dialogs) come after the paint,
which is what brings the first paint within twice a bare Qt window (BENCHMARKS.md).
Any doubt, and a first run, take the ordinary order: open data.db, then paint.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from kiosk.errors import KioskError
from kiosk.logs import setup_logging
from kiosk.startup import first_look
from kiosk.ui.main_window import MainWindow
from kiosk.ui.theme import apply_theme

if TYPE_CHECKING:
    from kiosk.context import AppContext
    from kiosk.instance import InstanceLock
    from kiosk.ui.jobs import JobRunner

# A benchmark's switch (benchmarks/run_benchmarks.py): the file to write the wall-clock
# time of the first paint to, so start-up is timed to the painted screen.
FIRST_PAINT_FILE_ENV = "KIOSK_FIRST_PAINT_FILE"


def note_first_paint() -> None:
    target = os.environ.get(FIRST_PAINT_FILE_ENV)
    if target:
        with contextlib.suppress(OSError):
            Path(target).write_text(repr(time.time()), encoding="ascii")


class FirstPaint(QObject):
    """Runs `then` once the watched widget has painted for the first time."""

    def __init__(self, then: Callable[[], None]) -> None:
        super().__init__()
        self.then = then
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            note_first_paint()
            QTimer.singleShot(0, self.then)
        return False


def _show(window: QMainWindow, windowed: bool) -> None:
    if windowed:
        window.resize(1024, 768)
        window.show()
    else:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        # Cover the screen even where no window manager honours full-screen (Xvfb, some
        # kiosk shells): set the geometry first, then ask for full-screen.
        screen = window.screen() or QApplication.primaryScreen()
        if screen is not None:
            window.setGeometry(screen.geometry())
        window.showFullScreen()
    # Without a window manager (a bare X session, common on kiosks) nothing else makes the
    # window active, and shortcuts such as Alt+N or PageDown only work in the active window.
    window.activateWindow()


def install_safety_net(ctx: AppContext, window: MainWindow, log: logging.Logger) -> None:
    """An unexpected error is logged in full and shown as a calm message, never a traceback."""

    from kiosk.db import friendly_error

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if isinstance(value, sqlite3.Error):
            # A full disk or a lock held too long is a fact about the PC, not a bug.
            log.error("database error: %s", value)
            value = friendly_error(value, ctx.db_path)
        if isinstance(value, KioskError):
            ctx.dialogs.warn("Something went wrong", str(value))
            return
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        ctx.dialogs.warn(
            "Something went wrong",
            "The kiosk hit a problem and has returned to the start. Everything saved "
            "so far is kept. If it happens again, tell a manager.",
        )
        try:
            window.sign_out(idle=False)
        except Exception:
            log.exception("sign-out after an error failed")

    sys.excepthook = hook


def settle_at_rest(app: QApplication) -> None:
    """A kiosk waits all day on the sign-in screen: make waiting cost nothing.

    The text cursor's blink was the only thing waking the process (about twice a
    second, and a repaint each time: 3-8 % of an old PC's core under X). A steady
    cursor is as easy to see, and kinder to people who find blinking distracting
    (WCAG 2.2.2).
    """
    app.styleHints().setCursorFlashTime(0)


def build_window(ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    _dialogs_over(ctx, window)
    return window


def _dialogs_over(ctx: AppContext, window: MainWindow) -> None:
    from kiosk.ui.dialogs import QtDialogs

    if isinstance(ctx.dialogs, QtDialogs):
        ctx.dialogs.parent = window  # centred over the kiosk; the seam existed before it


def open_kiosk(db_path: Path) -> tuple[AppContext, InstanceLock] | tuple[str, str]:
    """The content check, the lock, data.db opened and checked, the start logged.

    Returns the context and the held lock, or (title, message) for the error screen.
    """
    from kiosk.course import ContentError, load_default_courses
    from kiosk.db import friendly_error, refuse_if_vanished
    from kiosk.instance import InstanceLock
    from kiosk.operations import session

    try:
        # The content is checked before data.db is opened: a broken pack touches nothing.
        courses = load_default_courses()
    except ContentError as exc:
        print(f"kiosk: error: the course content has problems:\n{exc}", file=sys.stderr)
        return ("The course content has problems",
                "Fix these and start the kiosk again (kiosk content check lists "
                f"them too):\n\n{exc}")
    from kiosk.context import open_context
    from kiosk.ui.dialogs import QtDialogs, in_exports_folder

    # One kiosk per data.db; held until this process ends (the OS frees it even on a crash).
    lock = InstanceLock(db_path)
    try:
        # Before the lock file is made: one left by an earlier run is a sign of it too.
        refuse_if_vanished(db_path, include_log=True, include_lock=True)
        lock.acquire()
        # The context is complete (dialogs, courses) before any screen but the painted
        # sign-in screen exists, and that one is given it whole (MainWindow.start).
        # Managers' file dialogs open in the exports folder; the settings are read when a
        # dialog opens, long after `ctx` below exists.
        dialogs = QtDialogs(data_folder=db_path.resolve().parent,
                            start_folder=in_exports_folder(db_path, lambda: ctx.settings))
        ctx = open_context(db_path, dialogs=dialogs, courses=tuple(courses))
        session.kiosk_started(ctx)
    except (KioskError, sqlite3.Error) as exc:
        lock.release()
        message = str(exc if isinstance(exc, KioskError) else friendly_error(exc, db_path))
        print(f"kiosk: error: {message}", file=sys.stderr)
        return ("The kiosk cannot start", message)
    return ctx, lock


def run(db_path: Path, *, windowed: bool = False, exit_when_ready: bool = False) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "kiosk"])
    assert isinstance(app, QApplication)
    app.setApplicationName("Safeguarding Kiosk")
    settle_at_rest(app)
    apply_theme(app)
    log = setup_logging(db_path)
    runners: list[JobRunner] = []
    state: dict[str, object] = {}  # what opening gave: the context and lock, or an error

    def ready(ctx: AppContext, window: MainWindow) -> None:
        # The day's backup waits until the login screen is up, and runs off the GUI
        # thread: copying a large data.db on an old PC must not freeze the login screen.
        # (The runner too is loaded only now: nothing the first paint does not need.)
        from kiosk.backup import daily_backup
        from kiosk.ui.jobs import JobRunner

        jobs = JobRunner(parent=window)
        runners.append(jobs)
        keep = int(ctx.settings.get("backup_keep"))
        jobs.start(ctx, "Backing up", lambda wctx, _progress: daily_backup(
            wctx.db, wctx.db_path, wctx.clock, keep, kiosk_id=wctx.kiosk_id))
        if not exit_when_ready:
            # The county push runs on its own thread, after the first screen is up.
            from kiosk.ui.county_sync import start_if_joined

            start_if_joined(ctx)
        if exit_when_ready:
            app.exit(0)

    look = first_look(db_path)
    if look is None:
        # The ordinary order (a first run, or anything in doubt): open, then paint.
        opened = open_kiosk(db_path)
        if isinstance(opened[0], str):
            return _run_fatal(app, opened[0], str(opened[1]), windowed, exit_when_ready)
        ctx, lock = opened  # type: ignore[misc]
        state.update(ctx=ctx, lock=lock)
        window = build_window(ctx)
        install_safety_net(ctx, window, log)
        watcher = FirstPaint(lambda: ready(ctx, window))
    else:
        # Painted first, opened straight after (see the module's docstring).
        window = MainWindow(None)
        window.login.show_centre(look.centre_name)
        window.login.username.setFocus(Qt.FocusReason.OtherFocusReason)

        def open_after_paint() -> None:
            opened = open_kiosk(db_path)
            if isinstance(opened[0], str):
                window.hide()
                state["fatal"] = _fatal_window(app, opened[0], str(opened[1]), windowed,
                                               exit_when_ready)
                return
            ctx, lock = opened  # type: ignore[misc]
            state.update(ctx=ctx, lock=lock)
            _dialogs_over(ctx, window)
            window.start(ctx)
            install_safety_net(ctx, window, log)
            ready(ctx, window)

        watcher = FirstPaint(open_after_paint)
    window.screens[window.current_screen()].installEventFilter(watcher)
    stopped = _handle_sigterm(app)

    def record_session_end(how: str) -> None:
        from kiosk.operations import session

        opened_ctx = state.get("ctx")
        if opened_ctx is not None:  # nothing to record before data.db was opened
            session.kiosk_terminated(opened_ctx, how)  # type: ignore[arg-type]

    session_end = SessionEnd(app, record_session_end)
    _show(window, windowed)
    code = app.exec()
    ctx_opened = state.get("ctx")
    if ctx_opened is None:
        # The error screen was shown, or the kiosk was stopped before it had opened.
        return 1 if "fatal" in state else int(code)
    ctx = ctx_opened  # type: ignore[assignment]
    if stopped and not session_end.recorded:
        from kiosk.operations import session

        session.kiosk_terminated(ctx, stopped[0])
    for jobs in runners:
        jobs.wait()  # a backup under way finishes before its database is closed
    if ctx.county_sync is not None:
        ctx.county_sync.shutdown()
    ctx.db.close()
    state["lock"].release()  # type: ignore[attr-defined]
    return int(code)


class SessionEnd(QObject):
    """Records `kiosk_exit` when Windows signs the kiosk account out or shuts down.

    Windows sends a GUI program no signal then: it asks (WM_QUERYENDSESSION, for which Qt
    emits commitDataRequest), then tells (WM_ENDSESSION, for which Qt emits aboutToQuit)
    and may end the process as soon as that returns, so `app.exec()` never returns and
    nothing after it runs. The exit is therefore written from aboutToQuit, and only after
    the question: an ordinary quit (a manager's close, SIGTERM) is recorded elsewhere.
    """

    def __init__(self, app: QApplication, record: Callable[[str], None]) -> None:
        super().__init__(app)
        self.record = record
        self.asked = False
        self.recorded = False
        app.commitDataRequest.connect(self.asked_to_end)
        app.aboutToQuit.connect(self.quitting)

    def asked_to_end(self, _manager: object = None) -> None:
        self.asked = True

    def quitting(self) -> None:
        if self.asked and not self.recorded:
            self.recorded = True
            self.record("Windows sign-out or shutdown")


def _handle_sigterm(app: QApplication) -> list[str]:
    """Quit cleanly on SIGTERM (a shutdown, `kill`), so the run ends with `kiosk_exit`.

    Python runs signal handlers only between bytecodes, and Qt's event loop is C++, so a
    slow timer gives Python a moment now and then. Returns a list that names the signal
    once one has arrived.
    """
    import signal

    from PySide6.QtCore import QTimer

    stopped: list[str] = []

    def on_signal(number: int, _frame: object) -> None:
        stopped.append(signal.Signals(number).name)
        # exit(), not quit(): Qt 6's quit() first asks each window to close, and the
        # kiosk window refuses anyone but a manager.
        app.exit(0)

    for name in ("SIGTERM", "SIGBREAK", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(ValueError, OSError):
                signal.signal(number, on_signal)
    tick = QTimer(app)
    tick.timeout.connect(lambda: None)
    tick.start(250)
    return stopped


def _fatal_window(app: QApplication, title: str, message: str, windowed: bool,
                  exit_when_ready: bool) -> QMainWindow:
    from kiosk.ui.error_screen import ErrorScreen

    window = QMainWindow()
    screen = ErrorScreen(title, message)
    window.setCentralWidget(screen)
    screen.close_requested.connect(lambda: app.exit(1))
    if exit_when_ready:
        watcher = FirstPaint(lambda: app.exit(1))
        screen.installEventFilter(watcher)
        window._first_paint = watcher  # type: ignore[attr-defined]  # kept alive with it
    _show(window, windowed)
    return window


def _run_fatal(app: QApplication, title: str, message: str, windowed: bool,
               exit_when_ready: bool) -> int:
    window = _fatal_window(app, title, message, windowed, exit_when_ready)
    app.exec()
    window.close()
    return 1
