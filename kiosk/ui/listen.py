"""The "Listen" button: reads the current section, question or contacts aloud.

One speaker per kiosk, kept in the context (ctx.speaker) and made on first
use, so a PC without a voice costs nothing until someone presses Listen. Speech runs
on the speaker's own thread; when it ends, a queued signal brings the news back to
the GUI thread to reset the button.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal

from kiosk.context import AppContext
from kiosk.speech import EngineSpeaker, Speaker, SpeechUnavailable
from kiosk.ui.widgets import button


def speaker_for(ctx: AppContext) -> Speaker | None:
    speaker = ctx.speaker
    if speaker is None:
        try:
            speaker = EngineSpeaker()
        except SpeechUnavailable:
            if ctx.dialogs is not None:
                ctx.dialogs.inform("Read aloud is not available",
                                   "This computer has no speech voice installed. Ask a "
                                   "manager to add one (Windows: Settings, Time & language, "
                                   "Speech).")
            return None
        ctx.speaker = speaker
    return speaker


class _Done(QObject):
    finished = Signal()


class ListenControl(QObject):
    """Owns one Listen/Pause/Resume button for a screen; `chunks` says what to read."""

    def __init__(self, ctx: AppContext, chunks: Callable[[], Sequence[str]],
                 mnemonic: str = "&Listen", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.chunks = chunks
        self.label = mnemonic
        self.button = button(mnemonic, "Listen: read this aloud")
        self.button.setObjectName("listenButton")
        self.button.setAutoDefault(False)
        self.state = "idle"  # idle, speaking, paused
        self._done = _Done()
        self._done.finished.connect(self._finished)
        self.button.clicked.connect(self.toggle)

    def toggle(self) -> None:
        speaker = speaker_for(self.ctx)
        if speaker is None:
            return
        if self.state == "idle":
            speaker.speak(list(self.chunks()), on_done=self._done.finished.emit)
            self._set("speaking")
        elif self.state == "speaking":
            speaker.pause()
            self._set("paused")
        else:
            speaker.resume()
            self._set("speaking")

    def stop(self) -> None:
        """Leaving the screen or the content changed: silence, button back to Listen."""
        if self.state != "idle":
            speaker = self.ctx.speaker
            if speaker is not None:
                speaker.stop()
        self._set("idle")

    def _finished(self) -> None:
        if self.state == "speaking":
            self._set("idle")

    def _set(self, state: str) -> None:
        self.state = state
        text = {"idle": self.label, "speaking": "Pa&use reading",
                "paused": "Res&ume reading"}[state]
        self.button.setText(text)
        self.button.setAccessibleName({"idle": "Listen: read this aloud",
                                       "speaking": "Pause reading aloud",
                                       "paused": "Resume reading aloud"}[state])
