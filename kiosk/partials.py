"""Half-written copies of personal data (exports, backups) never outlive their writer.

Exports and backups are written to `<name>.partial` files (owner-only, mode 0600) and
renamed into place when complete. A process killed in between would leave that file,
full of people's records, wherever the manager chose to save. So each partial is
registered in a small note in the user's temporary folder, and the note is held locked
(the same operating-system lock as kiosk/instance.py) while its writer lives. At the
next start, `remove_leftovers()` deletes every partial whose note is no longer locked.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kiosk.instance import _try_lock, _unlock

log = logging.getLogger("kiosk")
NOTE_SUFFIX = ".note"
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def notes_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "kiosk-partials"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


@contextlib.contextmanager
def tracked(partial: Path | str) -> Iterator[Path]:
    """Register `partial` for clean-up should this process die before it is renamed."""
    partial = Path(partial).absolute()
    fd = -1
    note = Path()
    try:
        note = notes_folder() / f"{os.getpid()}-{secrets.token_hex(6)}{NOTE_SUFFIX}"
        fd = os.open(note, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, b" " + str(partial).encode("utf-8"))
        if not _try_lock(fd):  # pragma: no cover - a fresh file is never locked
            raise OSError("the partial-file note could not be locked")
    except OSError as exc:
        log.warning("could not register %s for clean-up: %s", partial, exc)
    try:
        yield partial
    finally:
        if fd >= 0:
            with contextlib.suppress(OSError):
                _unlock(fd)
            os.close(fd)
            with contextlib.suppress(OSError):
                note.unlink()


def remove_leftovers() -> list[Path]:
    """Delete the partials left by dead writers (from their notes); return them.

    Only what a note names: a `.partial` another live process is writing right now is
    locked, and one this code did not register is left alone.
    """
    removed: list[Path] = []
    try:
        notes = list(notes_folder().glob(f"*{NOTE_SUFFIX}"))
    except OSError:
        notes = []
    for note in notes:
        try:
            fd = os.open(note, os.O_RDWR)
        except OSError:
            continue
        try:
            if not _try_lock(fd):
                continue  # its writer is still at work
            os.lseek(fd, 0, os.SEEK_SET)
            target = Path(os.read(fd, 4096).decode("utf-8", "replace").strip())
            if target.name.endswith((".partial", ".restoring")):
                # A backup's partial is an SQLite file: a kill can leave its journal too,
                # holding pages of the same records.
                for leftover in (target, *(Path(f"{target}{s}") for s in SQLITE_SIDE_FILES)):
                    if leftover.exists():
                        leftover.unlink()
                        removed.append(leftover)
            _unlock(fd)
        except OSError as exc:
            log.warning("could not clean up after %s: %s", note, exc)
        finally:
            os.close(fd)
        with contextlib.suppress(OSError):
            note.unlink()
    for path in removed:
        log.info("removed a half-written copy left by a killed export or backup: %s", path)
    return removed
