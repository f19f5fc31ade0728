"""The application context: the one object handed to every service and screen.

It replaces globals: a test builds one on a temporary database with a fake
clock and scripted dialogs, and every screen sees exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils import Database

from kiosk.auth import Authenticator
from kiosk.clock import Clock, clock_for
from kiosk.db import open_database, refuse_if_vanished
from kiosk.errors import DatabaseError
from kiosk.settings import Settings
from kiosk.users import User


class Dialogs(Protocol):
    """Every modal question the kiosk asks, behind one seam (kiosk/ui/dialogs.py)."""

    def confirm(self, title: str, text: str) -> bool: ...
    def inform(self, title: str, text: str) -> None: ...
    def warn(self, title: str, text: str) -> None: ...
    def ask_password(self, title: str, text: str) -> str | None: ...
    def ask_save_path(self, title: str, suggested_name: str, filter_: str) -> str | None: ...
    def ask_open_path(self, title: str, filter_: str) -> str | None: ...
    def ask_printer(self, title: str) -> Any | None: ...  # a QPrinter, or None if cancelled


@dataclass
class AppContext:
    db: Database
    db_path: Path
    clock: Clock
    settings: Settings
    auth: Authenticator
    course: Any = None  # the default kiosk.course.Course, when a pack is loaded
    courses: tuple[Any, ...] = ()  # every loaded pack (the matrix shows each)
    dialogs: Dialogs | None = None
    current_user: User | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def kiosk_id(self) -> str:
        return self.settings.kiosk_id


def open_context(db_path: Path | str, *, clock: Clock | None = None,
                 create: bool = True) -> AppContext:
    """Open data.db (migrating it) and build the context around it."""
    path = Path(db_path)
    if not create and not path.exists():
        raise DatabaseError(
            f"There is no kiosk database at {path}. Check --db, or start the kiosk once."
        )
    from kiosk import partials

    partials.remove_leftovers()  # what a killed export or backup left behind
    refuse_if_vanished(path)  # never a fresh, empty kiosk where one has already run
    db = open_database(path)
    clock = clock or clock_for(path)
    settings = Settings(db, clock)
    return AppContext(db=db, db_path=path, clock=clock, settings=settings,
                      auth=Authenticator(db, settings, clock))
