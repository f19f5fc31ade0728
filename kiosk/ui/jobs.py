"""Long work off the GUI thread: one small runner, in the way of anki's background ops.

An operation (kiosk/operations) runs in a QThreadPool worker on its own SQLite
connection (a connection belongs to the thread that opened it). Progress, success and
failure come back as queued signals, so widgets are only touched on the GUI thread, the
idle timer and the rest of the event loop keep running, and Cancel stops the work at its
next progress step (the export's temporary file is removed, nothing half-written stays).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton

from kiosk.context import AppContext
from kiosk.db import friendly_error
from kiosk.errors import KioskError
from kiosk.operations.base import Cancelled, Progress

log = logging.getLogger("kiosk")

Work = Callable[[AppContext, Progress], Any]
PROGRESS_EVERY_S = 0.05  # at most ~20 progress updates a second reach the GUI thread


class _Signals(QObject):
    progressed = Signal(int)
    succeeded = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, ctx: AppContext, work: Work, signals: _Signals,
                 cancelled: threading.Event) -> None:
        super().__init__()
        self.ctx = ctx
        self.work = work
        self.signals = signals
        self.cancelled = cancelled
        self.last = 0.0

    def progress(self, done: int) -> None:
        if self.cancelled.is_set():
            raise Cancelled("Cancelled: nothing was kept.")
        # Hand the interpreter to the GUI thread between chunks: without it, a CPU-bound
        # worker keeps it for whole 5 ms switch intervals and timers fire late.
        time.sleep(0)
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S:
            self.last = now
            self.signals.progressed.emit(done)

    def run(self) -> None:
        worker = None
        try:
            worker = self.ctx.for_worker()
            self.signals.succeeded.emit(self.work(worker, self.progress))
        except KioskError as exc:
            self.signals.failed.emit(str(exc))
        except sqlite3.Error as exc:
            log.error("database error in a background job: %s", exc)
            self.signals.failed.emit(str(friendly_error(exc, self.ctx.db_path)))
        except Exception:
            log.exception("unexpected error in a background job")
            self.signals.failed.emit("Something unexpected went wrong; the details are in "
                                     "kiosk.log.")
        finally:
            if worker is not None:
                worker.db.close()


class JobRunner(QObject):
    """Runs one job at a time and shows it on a progress bar with a Cancel button."""

    finished = Signal()

    def __init__(self, bar: QProgressBar | None = None, cancel: QPushButton | None = None,
                 parent: QObject | None = None, status: QLabel | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.cancel_button = cancel
        self.status = status  # says what is running and how far it has got, in words
        self._title = ""
        self.pool = QThreadPool.globalInstance()
        self.busy = False
        self._cancelled = threading.Event()
        self._done: Callable[[Any], None] | None = None
        self._failed: Callable[[str], None] | None = None
        self._signals: _Signals | None = None
        self._total = 0
        if cancel is not None:
            cancel.clicked.connect(self.cancel)
            cancel.hide()

    def start(self, ctx: AppContext, title: str, work: Work, *, total: int | None = None,
              done: Callable[[Any], None] | None = None,
              failed: Callable[[str], None] | None = None) -> bool:
        """Start `work(worker_ctx, progress)`; False (and nothing started) while busy."""
        if self.busy:
            if failed is not None:
                failed("Another task is still running; wait for it or cancel it.")
            return False
        self.busy = True
        self._cancelled.clear()
        self._done, self._failed, self._total = done, failed, total or 0
        self._title = title
        signals = _Signals()
        signals.progressed.connect(self._progressed)
        signals.succeeded.connect(self._succeeded)
        signals.failed.connect(self._failed_slot)
        self._signals = signals  # kept alive until the job reports back
        if self.bar is not None:
            self.bar.setRange(0, self._total)
            self.bar.setValue(0)
            self.bar.setFormat(f"{title} %v rows" if self._total == 0 else f"{title} %p%")
            self.bar.show()
        if self.cancel_button is not None:
            self.cancel_button.show()
        if self.status is not None:
            self.status.setText(title)
            self.status.show()
        self.pool.start(_Job(ctx, work, signals, self._cancelled))
        return True

    def cancel(self, *, forget: bool = False) -> None:
        """Stop the job at its next progress step. `forget`: its outcome is not shown
        (at sign-out: the next person must not see the last one's export report)."""
        self._cancelled.set()
        if forget:
            self._done = self._failed = None

    def wait(self, msecs: int = 30000) -> bool:
        """For shutdown and tests: block until the pool is idle."""
        return bool(self.pool.waitForDone(msecs))

    @Slot(int)
    def _progressed(self, done: int) -> None:
        if self.bar is not None and self._total:
            self.bar.setValue(min(done, self._total))
        if self.status is not None:  # a bar with no known end shows no text of its own
            self.status.setText(f"{self._title} {done:,} rows")

    def _end(self) -> None:
        self.busy = False
        self._signals = None
        if self.bar is not None:
            self.bar.hide()
        if self.cancel_button is not None:
            self.cancel_button.hide()
        if self.status is not None:
            self.status.hide()

    @Slot(object)
    def _succeeded(self, result: object) -> None:
        done = self._done
        self._end()
        if done is not None:
            done(result)
        self.finished.emit()

    @Slot(str)
    def _failed_slot(self, message: str) -> None:
        failed = self._failed
        self._end()
        if failed is not None:
            failed(message)
        self.finished.emit()
