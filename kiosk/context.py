"""The application context: the one object handed to every service and screen.

It replaces globals: a test builds one on a temporary database with a fake
clock and scripted dialogs, and every screen sees exactly that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlite_utils import Database

from kiosk.auth import Authenticator
from kiosk.clock import Clock, clock_for
from kiosk.db import connect, open_database, refuse_if_vanished
from kiosk.errors import DatabaseError
from kiosk.settings import Settings
from kiosk.users import User

if TYPE_CHECKING:  # loading a pack's module is the caller's business, not the context's
    from kiosk.course import Course
    from kiosk.speech import Speaker  # loaded with the first Listen button, not at start

log = logging.getLogger("kiosk")


class Dialogs(Protocol):
    """Every modal question the kiosk asks, behind one seam (kiosk/ui/dialogs.py)."""

    def confirm(self, title: str, text: str) -> bool: ...
    def inform(self, title: str, text: str) -> None: ...
    def warn(self, title: str, text: str) -> None: ...
    def ask_password(self, title: str, text: str) -> str | None: ...
    def ask_save_path(self, title: str, suggested_name: str, filter_: str) -> str | None: ...
    def ask_open_path(self, title: str, filter_: str) -> str | None: ...
    def ask_printer(self, title: str) -> Any | None: ...  # a QPrinter, or None if cancelled


class NoDialogs:
    """The dialogs of a context with no screen (the command line, a background job):
    every question is answered "no" or "cancel", every message goes to kiosk.log."""

    def confirm(self, title: str, text: str) -> bool:
        return False

    def inform(self, title: str, text: str) -> None:
        log.info("%s: %s", title, text)

    def warn(self, title: str, text: str) -> None:
        log.warning("%s: %s", title, text)

    def ask_password(self, title: str, text: str) -> str | None:
        return None

    def ask_save_path(self, title: str, suggested_name: str, filter_: str) -> str | None:
        return None

    def ask_open_path(self, title: str, filter_: str) -> str | None:
        return None

    def ask_printer(self, title: str) -> Any | None:
        return None


class SyncService(Protocol):
    """The county push running beside the kiosk (kiosk/ui/county_sync.py), when joined."""

    def request_sync(self) -> None: ...
    def shutdown(self, timeout_ms: int = 5000) -> None: ...


@dataclass
class AppContext:
    """Complete when built: screens never wait for a part to be filled in later."""

    db: Database
    db_path: Path
    clock: Clock
    settings: Settings
    auth: Authenticator
    dialogs: Dialogs = field(default_factory=NoDialogs)
    courses: tuple[Course, ...] = ()  # every loaded pack (the matrix shows each)
    current_user: User | None = None
    county_sync: SyncService | None = None  # set once the push has started
    # The read-aloud voice (kiosk/speech.py), made on first use of a Listen button: the
    # computer's speech engine takes a moment to start, and most sessions never need it.
    speaker: Speaker | None = None

    @property
    def course(self) -> Course | None:
        """The default course: the first pack loaded."""
        return self.courses[0] if self.courses else None

    @property
    def kiosk_id(self) -> str:
        return self.settings.kiosk_id

    def for_worker(self) -> AppContext:
        """The same context on a new connection, for a background thread."""
        db = connect(self.db_path)
        settings = Settings(db, self.clock)
        return AppContext(db=db, db_path=self.db_path, clock=self.clock, settings=settings,
                          auth=Authenticator(db, settings, self.clock), dialogs=NoDialogs(),
                          courses=self.courses, current_user=self.current_user)


def open_context(db_path: Path | str, *, clock: Clock | None = None, create: bool = True,
                 dialogs: Dialogs | None = None, courses: tuple[Course, ...] = (),
                 writes_only: tuple[str, ...] = ()) -> AppContext:
    """Open data.db (migrating it) and build the context around it (see open_database for
    `writes_only`)."""
    path = Path(db_path)
    if not create and not path.exists():
        raise DatabaseError(
            f"There is no kiosk database at {path}. Check --db, or start the kiosk once."
        )
    from kiosk import partials

    partials.remove_leftovers()  # what a killed export or backup left behind
    refuse_if_vanished(path)  # never a fresh, empty kiosk where one has already run
    db = open_database(path, writes_only=writes_only)
    clock = clock or clock_for(path)
    settings = Settings(db, clock)
    return AppContext(db=db, db_path=path, clock=clock, settings=settings,
                      auth=Authenticator(db, settings, clock),
                      dialogs=dialogs if dialogs is not None else NoDialogs(),
                      courses=courses)
