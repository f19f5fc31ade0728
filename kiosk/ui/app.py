"""Starting the GUI: the QApplication, the context, the main window, and the safety net."""

from __future__ import annotations

import logging
import sqlite3
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from kiosk import access_log
from kiosk.context import AppContext, open_context
from kiosk.course import ContentError, load_default_courses
from kiosk.db import friendly_error
from kiosk.errors import KioskError
from kiosk.instance import InstanceLock
from kiosk.logs import setup_logging
from kiosk.ui.dialogs import QtDialogs
from kiosk.ui.error_screen import ErrorScreen
from kiosk.ui.main_window import MainWindow
from kiosk.ui.theme import apply_theme


class FirstPaint(QObject):
    """Runs `then` once the watched widget has painted for the first time."""

    def __init__(self, then: Callable[[], None]) -> None:
        super().__init__()
        self.then = then
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
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

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if isinstance(value, sqlite3.Error):
            # A full disk or a lock held too long is a fact about the PC, not a bug.
            log.error("database error: %s", value)
            value = friendly_error(value, ctx.db_path)
        if isinstance(value, KioskError):
            if ctx.dialogs is not None:
                ctx.dialogs.warn("Something went wrong", str(value))
            return
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if ctx.dialogs is not None:
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


def build_window(ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    ctx.dialogs = QtDialogs(window)
    return window


def run(db_path: Path, *, windowed: bool = False, exit_when_ready: bool = False) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "kiosk"])
    assert isinstance(app, QApplication)
    app.setApplicationName("Safeguarding Kiosk")
    apply_theme(app)
    log = setup_logging(db_path)
    try:
        # The content is checked before data.db is opened: a broken pack touches nothing.
        courses = load_default_courses()
    except ContentError as exc:
        print(f"kiosk: error: the course content has problems:\n{exc}", file=sys.stderr)
        return _run_fatal(app, "The course content has problems",
                          "Fix these and start the kiosk again (kiosk content check lists "
                          f"them too):\n\n{exc}", windowed, exit_when_ready)
    # One kiosk per data.db; held until this process ends (the OS frees it even on a crash).
    lock = InstanceLock(db_path)
    try:
        lock.acquire()
        ctx = open_context(db_path)
        access_log.append(ctx.db, ctx.clock, kiosk_id=ctx.kiosk_id,
                          event=access_log.KIOSK_START)
    except (KioskError, sqlite3.Error) as exc:
        lock.release()
        message = str(exc if isinstance(exc, KioskError) else friendly_error(exc, db_path))
        print(f"kiosk: error: {message}", file=sys.stderr)
        return _run_fatal(app, "The kiosk cannot start", message, windowed, exit_when_ready)
    ctx.extras["instance_lock"] = lock
    ctx.courses = tuple(courses)
    ctx.course = courses[0] if courses else None
    window = build_window(ctx)
    install_safety_net(ctx, window, log)

    def after_first_paint() -> None:
        # The day's backup waits until the login screen is up: copying a large data.db
        # on an old PC must not keep staff looking at an empty screen.
        from kiosk.backup import daily_backup

        daily_backup(ctx.db, ctx.db_path, ctx.clock, int(ctx.settings.get("backup_keep")),
                     kiosk_id=ctx.kiosk_id)
        if exit_when_ready:
            app.exit(0)

    watcher = FirstPaint(after_first_paint)
    window.screens[window.current_screen()].installEventFilter(watcher)
    _show(window, windowed)
    code = app.exec()
    ctx.db.close()
    lock.release()
    return int(code)


def _run_fatal(app: QApplication, title: str, message: str, windowed: bool,
               exit_when_ready: bool) -> int:
    window = QMainWindow()
    screen = ErrorScreen(title, message)
    window.setCentralWidget(screen)
    screen.close_requested.connect(app.quit)
    if exit_when_ready:
        watcher = FirstPaint(lambda: app.exit(1))
        screen.installEventFilter(watcher)
    _show(window, windowed)
    app.exec()
    return 1
