"""A scripted stand-in for kiosk.ui.dialogs.QtDialogs: the one seam tests replace.

Queue answers before the action; every question asked is recorded so a test can
assert what the person was told.
"""

from __future__ import annotations

from collections import deque
from typing import Any


class FakeDialogs:
    def __init__(self) -> None:
        self.answers: deque[Any] = deque()
        self.shown: list[tuple[str, str, str]] = []  # (kind, title, text)

    def queue(self, *answers: Any) -> None:
        self.answers.extend(answers)

    def _next(self, kind: str, title: str, text: str, default: Any) -> Any:
        self.shown.append((kind, title, text))
        return self.answers.popleft() if self.answers else default

    def confirm(self, title: str, text: str, *, yes_by_default: bool = False) -> bool:
        return bool(self._next("confirm", title, text, False))

    def inform(self, title: str, text: str) -> None:
        self._next("inform", title, text, None)

    def warn(self, title: str, text: str) -> None:
        self._next("warn", title, text, None)

    def ask_password(self, title: str, text: str) -> str | None:
        return self._next("ask_password", title, text, None)

    def ask_save_path(self, title: str, suggested_name: str, filter_: str) -> str | None:
        return self._next("ask_save_path", title, suggested_name, None)

    def ask_open_path(self, title: str, filter_: str) -> str | None:
        return self._next("ask_open_path", title, filter_, None)

    def ask_printer(self, title: str) -> Any | None:
        """Queue a QPrinter (e.g. one printing to a PDF file) or None for "cancelled"."""
        return self._next("ask_printer", title, "", None)

    def texts(self, kind: str | None = None) -> list[str]:
        return [text for k, _, text in self.shown if kind is None or k == kind]


class RecordingSpeaker:
    """Stands in for kiosk.speech.EngineSpeaker: records what would be read, in order.

    Put it in ctx.speaker before pressing a Listen button.
    """

    def __init__(self) -> None:
        self.read: list[list[str]] = []
        self.events: list[str] = []
        self._on_done = None

    def speak(self, chunks, on_done=None) -> None:
        self.read.append(list(chunks))
        self.events.append("speak")
        self._on_done = on_done

    def pause(self) -> None:
        self.events.append("pause")

    def resume(self) -> None:
        self.events.append("resume")

    def stop(self) -> None:
        self.events.append("stop")

    def finish(self) -> None:
        """As if the voice reached the end."""
        if self._on_done is not None:
            self._on_done()

    @property
    def speaking(self) -> bool:
        return bool(self.read) and self.events[-1] in ("speak", "resume")
