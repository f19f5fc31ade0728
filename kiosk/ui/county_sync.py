"""The running kiosk's background push to the county server, on its own thread.

Never on the GUI thread and never in the way of a sign-in: the worker lives in a
QThread with its own SQLite connection (a connection belongs to one thread), waits
for the first screen before its first push, pushes every INTERVAL seconds while the
server answers, and backs off (doubling up to MAX_BACKOFF) while it does not.
Failures go to kiosk.log (kiosk.county.sync logs them, password removed) and to the
status the manager area shows; the kiosk itself carries on regardless.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from kiosk.clock import Clock
from kiosk.context import AppContext

log = logging.getLogger("kiosk.county")

INTERVAL_SECONDS = 120
FIRST_DELAY_SECONDS = 20
MAX_BACKOFF_SECONDS = 30 * 60


class SyncWorker(QObject):
    """Lives on the sync thread; every slot runs there."""

    finished_round = Signal(bool, str)  # ok, message (for the manager panel)

    def __init__(self, db_path: Path, clock: Clock, *, interval_s: int = INTERVAL_SECONDS,
                 first_delay_s: int = FIRST_DELAY_SECONDS,
                 max_backoff_s: int = MAX_BACKOFF_SECONDS) -> None:
        super().__init__()
        self.db_path = db_path
        self.clock = clock
        self.interval_s = interval_s
        self.first_delay_s = first_delay_s
        self.max_backoff_s = max_backoff_s
        self.failures = 0
        self.next_delay_s = first_delay_s
        self.thread_name = ""
        self._db: Any = None
        self._timer: QTimer | None = None

    @Slot()
    def begin(self) -> None:
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run_once)
        self._timer.start(self.first_delay_s * 1000)

    @Slot()
    def run_once(self) -> None:
        from kiosk.db import open_database
        from kiosk.errors import KioskError
        from kiosk.operations import county

        self.thread_name = threading.current_thread().name
        ok, message = False, ""
        try:
            if self._db is None:
                self._db = open_database(self.db_path, migrate=False)
            result = county.background_push(self._db, self.db_path, self.clock)
            ok, message = True, f"{result.sent} records sent"
        except KioskError as exc:  # already logged and recorded by sync.push
            message = str(exc)
        except Exception:
            log.exception("the background county sync failed")
            message = "the background sync failed; the details are in kiosk.log"
        if ok:
            self.failures = 0
            self.next_delay_s = self.interval_s
        else:
            self.failures += 1
            self.next_delay_s = min(self.max_backoff_s,
                                    self.interval_s * 2 ** min(self.failures, 16))
        if self._timer is not None:
            self._timer.start(self.next_delay_s * 1000)
        self.finished_round.emit(ok, message)

    @Slot()
    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer.deleteLater()  # a timer must die on its own thread
            self._timer = None
        if self._db is not None:
            self._db.close()
            self._db = None


class CountySync(QObject):
    """Owned by the GUI thread: starts, nudges and stops the worker's thread."""

    sync_now_requested = Signal()
    stop_requested = Signal()

    def __init__(self, ctx: AppContext, **worker_options: int) -> None:
        super().__init__()
        self.thread = QThread()
        self.thread.setObjectName("county-sync")
        self.worker = SyncWorker(ctx.db_path, ctx.clock, **worker_options)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.begin)
        self.sync_now_requested.connect(self.worker.run_once)
        # Blocking: at exit the worker closes its timer and database on its own thread
        # before the thread ends (a push in flight finishes first).
        self.stop_requested.connect(self.worker.stop,
                                    Qt.ConnectionType.BlockingQueuedConnection)

    def start(self) -> None:
        self.thread.start(QThread.Priority.LowPriority)

    def request_sync(self) -> None:
        self.sync_now_requested.emit()  # queued: runs on the worker's thread

    def shutdown(self, timeout_ms: int = 5000) -> None:
        if self.thread.isRunning():
            self.stop_requested.emit()
            self.thread.quit()
            self.thread.wait(timeout_ms)


def start_if_joined(ctx: AppContext, **worker_options: int) -> CountySync | None:
    """Start the background push when this kiosk has joined a county server."""
    from kiosk.county import credentials
    from kiosk.errors import KioskError

    try:
        if credentials.load(ctx.db_path) is None:
            return None
    except KioskError as exc:
        log.warning("county sync not started: %s", exc)
        return None
    controller = CountySync(ctx, **worker_options)
    ctx.county_sync = controller
    controller.start()
    return controller
