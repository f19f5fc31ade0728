"""The application-wide idle timer: any key, click, touch or mouse move restarts it.

After `idle_timeout_seconds` of no input it announces a countdown; if the
countdown runs out the main window signs the person out. The clock is a real
QTimer; tests shorten the unit of time (`ms_per_second`) rather than fake it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

_ACTIVITY = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
}


class IdleWatcher(QObject):
    countdown_started = Signal(int)  # seconds left
    countdown_ticked = Signal(int)
    countdown_cancelled = Signal()
    timed_out = Signal()

    def __init__(self, idle_seconds: int, countdown_seconds: int, *,
                 ms_per_second: int = 1000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ms_per_second = ms_per_second
        self.idle_seconds = idle_seconds
        self.countdown_seconds = countdown_seconds
        self.seconds_left = 0
        self.active = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self._start_countdown)
        self._tick = QTimer(self)
        self._tick.setInterval(ms_per_second)
        self._tick.timeout.connect(self._on_tick)

    def configure(self, idle_seconds: int, countdown_seconds: int) -> None:
        self.idle_seconds = idle_seconds
        self.countdown_seconds = countdown_seconds

    def start(self) -> None:
        self.active = True
        self.poke()

    def stop(self) -> None:
        self.active = False
        self._idle.stop()
        if self._tick.isActive():
            self._tick.stop()
            self.countdown_cancelled.emit()

    @property
    def counting_down(self) -> bool:
        return self._tick.isActive()

    def poke(self) -> None:
        """Input happened: cancel any countdown and start the idle wait again."""
        if not self.active:
            return
        if self._tick.isActive():
            self._tick.stop()
            self.countdown_cancelled.emit()
        self._idle.start(self.idle_seconds * self.ms_per_second)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.poke()
        return False

    def _start_countdown(self) -> None:
        self.seconds_left = self.countdown_seconds
        self._tick.start()
        self.countdown_started.emit(self.seconds_left)

    def _on_tick(self) -> None:
        self.seconds_left -= 1
        if self.seconds_left > 0:
            self.countdown_ticked.emit(self.seconds_left)
            return
        self._tick.stop()
        self.active = False
        self.timed_out.emit()
