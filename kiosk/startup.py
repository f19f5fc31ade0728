"""A first look at data.db, cheap enough to come before the kiosk's first paint.

Starting the kiosk properly (the content check, the instance lock, the integrity check,
migrations, the start's access-log row) needs sqlite-utils, Argon2 and the course
loader: about twice what a bare Qt window costs to start. The sign-in screen needs none
of it to be drawn, only two facts: whether a manager exists (else first-run set-up is
shown) and the centre's name. This reads them with the standard library, read-only,
so the screen can be painted first and the kiosk opened straight after (kiosk/ui/app.py).

It decides nothing else: every check still runs, in the same order, before anyone can
sign in. Any doubt (no file, an empty file, a locked, damaged or foreign one, a newer
schema) answers None and the kiosk starts the ordinary way, opening data.db first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FirstLook:
    centre_name: str


def first_look(db_path: Path) -> FirstLook | None:
    """The sign-in screen's facts when data.db is an existing kiosk with a manager."""
    try:
        if not db_path.is_file() or db_path.stat().st_size == 0:
            return None
        # mode=ro: never creates data.db, never writes to it (a lost data.db must still
        # be noticed by refuse_if_vanished, and a damaged one copied aside untouched).
        # After a clean close there is no -wal or -shm and the main file holds everything:
        # read it as immutable, which leaves the folder exactly as it was (a WAL-mode file
        # opened read-only would otherwise get an empty -wal and -shm beside it). When
        # they exist (a kiosk running, or one that crashed), read through them. Either
        # way MainWindow.start() decides again on the real context, so a look that raced
        # a writer costs at most a repaint.
        side = [Path(f"{db_path}{suffix}").exists() for suffix in ("-wal", "-shm")]
        flags = "?mode=ro" if any(side) else "?mode=ro&immutable=1"
        # as_uri(): percent-encoded, and file:///C:/... on Windows, as SQLite expects.
        uri = db_path.resolve().as_uri() + flags
        conn = sqlite3.connect(uri, uri=True, timeout=0.2)
    except (OSError, sqlite3.Error, ValueError):
        return None
    try:
        manager = conn.execute(
            "SELECT 1 FROM users WHERE role = 'manager' AND disabled = 0 LIMIT 1").fetchone()
        if manager is None:
            return None
        row = conn.execute("SELECT value FROM settings WHERE key = 'centre_name'").fetchone()
        name = str(row[0]).strip() if row is not None and row[0] is not None else ""
        return FirstLook(centre_name=name)
    except sqlite3.Error:
        return None
    finally:
        conn.close()
