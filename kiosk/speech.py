"""Read aloud: what a screen says, in a natural order, spoken by the computer's own voice.

Many volunteers read English as a second language or with difficulty, so the reader,
the test and the urgent page can be listened to. Two parts, both Qt-free:

- `*_chunks()` turn a section, a question or the contacts into short pieces of plain
  text in reading order (headings, paragraphs, list items; phone numbers digit by
  digit), so pausing stops at a sentence, never mid-word;
- a `Speaker` speaks them off the GUI thread. `EngineSpeaker` drives pyttsx3 (SAPI5 on
  Windows, espeak-ng on Linux) on its own worker thread; tests use a recording speaker
  with the same methods (tests/fakes.py) to check what would be read.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

log = logging.getLogger(__name__)

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)")
_ESCAPE = re.compile(r"\\(.)")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_PHONE = re.compile(r"\d[\d ]{4,}\d")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def plain(text: str) -> str:
    """Markdown inline syntax removed: link text kept, emphasis and escapes dropped."""
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    return " ".join(text.split())


def speakable(text: str) -> str:
    """Phone numbers digit by digit ("0 1 9 0 4 ..."), as a person reads one out."""
    return _PHONE.sub(lambda m: " ".join(ch for ch in m.group(0) if ch.isdigit()), text)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s.strip()]


def markdown_chunks(markdown: str) -> list[str]:
    """Headings, paragraphs and list items of a Markdown text, in order, as plain text."""
    chunks: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            chunks.extend(sentences(speakable(plain(" ".join(paragraph)))))
            paragraph.clear()

    for line in markdown.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("<!--", "---", "|")):
            flush()
            continue
        if stripped.startswith("#"):
            flush()
            heading = plain(stripped.lstrip("#"))
            if heading:
                chunks.append(heading + ".")
            continue
        if _LIST.match(stripped):
            flush()
            paragraph.append(_LIST.sub("", stripped))
            flush()
            continue
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ")
        paragraph.append(stripped)
    flush()
    return [c for c in chunks if c.strip(" .")]


def question_chunks(number: int, total: int, text: str, options: Sequence[str],
                    multiple: bool) -> list[str]:
    """A question as it is read to someone: where, the question, how to answer, each option."""
    how = ("Select all that apply." if multiple else "Choose one answer.")
    chunks = [f"Question {number} of {total}.", plain(text), how]
    chunks += [f"Option {n}: {plain(option)}" for n, option in enumerate(options, start=1)]
    return chunks


def contact_chunks(contacts: Iterable[Any]) -> list[str]:
    """Each contact: name, role, phone number digit by digit, area."""
    chunks: list[str] = []
    for c in contacts:
        parts = [plain(c.name) + "."]
        if getattr(c, "role", ""):
            parts.append(plain(c.role) + ".")
        if getattr(c, "phone", ""):
            parts.append(f"Phone: {speakable(plain(c.phone))}.")
        if getattr(c, "area", ""):
            parts.append(f"Area: {plain(c.area)}.")
        chunks.append(" ".join(parts))
    return chunks


class Speaker(Protocol):
    """What the screens need from a voice. Every method returns at once."""

    def speak(self, chunks: Sequence[str], on_done: Callable[[], None] | None = None) -> None:
        """Start reading `chunks` from the first (replacing anything being read)."""

    def pause(self) -> None:
        """Stop after the chunk being read; resume() carries on from the next."""

    def resume(self) -> None: ...

    def stop(self) -> None:
        """Stop and forget (leaving a screen, signing out)."""

    @property
    def speaking(self) -> bool: ...


class SpeechUnavailable(Exception):
    """The computer has no speech engine the library can use."""


class EngineSpeaker:
    """pyttsx3 on a worker thread of its own: the engine is created, used and ended there
    (it is not thread-safe), and the GUI only puts commands on a queue."""

    def __init__(self, rate: int = 150, engine_factory: Callable[[], Any] | None = None) -> None:
        self.rate = rate
        self._factory = engine_factory
        self._commands: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._chunks: list[str] = []
        self._position = 0
        self._paused = threading.Event()
        self._busy = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._generation = 0
        self._on_done: Callable[[], None] | None = None
        self.spoken: list[str] = []  # what was actually handed to the engine, in order
        self._thread = threading.Thread(target=self._run, name="kiosk-speech", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=15)
        if self._error is not None:
            raise SpeechUnavailable(str(self._error)) from self._error

    # -- called from the GUI thread

    def speak(self, chunks: Sequence[str], on_done: Callable[[], None] | None = None) -> None:
        self._generation += 1
        self._paused.clear()
        self._commands.put(("speak", (self._generation, list(chunks), on_done)))

    def pause(self) -> None:
        self._paused.set()

    def resume(self) -> None:
        if self._paused.is_set():
            self._paused.clear()
            self._commands.put(("resume", self._generation))

    def stop(self) -> None:
        self._generation += 1
        self._paused.clear()
        self._commands.put(("stop", self._generation))

    @property
    def speaking(self) -> bool:
        return self._busy.is_set() and not self._paused.is_set()

    def close(self) -> None:
        self._commands.put(("quit", None))
        self._thread.join(timeout=10)

    def wait_idle(self, timeout: float = 30) -> bool:
        """For tests and shutdown: True once nothing is being read."""
        done = threading.Event()

        def check() -> None:
            done.set()

        self._commands.put(("ping", check))
        return done.wait(timeout)

    # -- the worker thread

    def _run(self) -> None:
        try:
            if self._factory is not None:
                engine = self._factory()
            else:
                import pyttsx3  # the computer's own voice: SAPI5, NSSpeech or espeak-ng

                engine = pyttsx3.init()
            engine.setProperty("rate", self.rate)
        except Exception as exc:  # no voice on this PC: the button says so
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        generation = -1
        while True:
            try:
                command, arg = self._commands.get(timeout=0.1 if self._busy.is_set() else None)
            except queue.Empty:
                command, arg = "", None
            if command == "quit":
                break
            if command == "ping":
                if self._busy.is_set() and not self._paused.is_set():
                    self._commands.put((command, arg))  # answered once reading ends
                else:
                    arg()
                    continue
            if command == "speak":
                generation, self._chunks, self._on_done = arg
                self._position = 0
                self._busy.set()
            elif command == "stop":
                self._busy.clear()
                self._chunks = []
                continue
            elif command == "resume" and arg == generation:
                self._busy.set()
            if not self._busy.is_set() or self._paused.is_set():
                continue
            if generation != self._generation:
                self._busy.clear()  # replaced or stopped since
                continue
            if self._position >= len(self._chunks):
                self._busy.clear()
                if self._on_done is not None:
                    self._on_done()
                continue
            chunk = self._chunks[self._position]
            self._position += 1
            try:
                engine.say(chunk)
                engine.runAndWait()
                self.spoken.append(chunk)
            except Exception:
                log.exception("speech failed")
                self._busy.clear()
            # Loop on at once to the next chunk (the queue wait is skipped while busy).
            self._commands.put(("", None))
        with contextlib.suppress(Exception):  # the engine is going away anyway
            engine.stop()
