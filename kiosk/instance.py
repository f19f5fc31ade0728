"""One kiosk per data.db: an operating-system lock on `data.db.lock` beside the file.

Two kiosk windows on one file would each sign people in and out under the other's
feet, so `kiosk run` takes this lock for its whole life and a second start is
refused with a message. The lock is the OS's own (flock on POSIX, msvcrt.locking
on Windows): it is released when the process ends, even after a crash or a
power cut, so a stale lock file never blocks the next start. The file's contents
(the holder's process id) are only for people; the lock is what counts.
Command-line tools do not take it (reports and exports work while the kiosk
runs) except `kiosk restore`, which must not swap the file under a running kiosk.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from kiosk.errors import DatabaseError

if sys.platform == "win32":  # pragma: no cover - exercised on the Windows kiosks
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


# Lock files this process holds. A fact about the process (the OS keeps locks per
# process), so that a probe from the kiosk itself does not mistake its own lock for
# another kiosk's.
_HELD_HERE: set[str] = set()


def lock_path(db_path: Path | str) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


class KioskRunning(DatabaseError):
    """Another kiosk (or a restore) holds data.db."""


class InstanceLock:
    """Held while a kiosk (or a restore) uses data.db; `with InstanceLock(path):`."""

    def __init__(self, db_path: Path | str, purpose: str = "kiosk") -> None:
        self.db_path = Path(db_path)
        self.path = lock_path(self.db_path)
        self.purpose = purpose
        self._fd = -1
        self._others: list[InstanceLock] = []

    def _aliases(self) -> list[Path]:
        """Other lock files for the same database reached by another name.

        `data.db.lock` is per name: a symlink or a hard link to data.db would get a lock
        of its own and a second kiosk would start. So the kiosk also locks beside the
        real path (symlinks) and a lock named after the file's identity, its device and
        inode, in the temporary folder (hard links).
        """
        found = []
        try:
            real = self.db_path.resolve()
        except OSError:
            real = self.db_path
        if real != self.db_path.absolute() and not _same_file(lock_path(real), self.path):
            # (The same lock file by another name is ours already: a folder reached through
            # a link, or on Windows an 8.3 short name such as C:\Users\ZOE~1\..., a
            # junction or a `subst` drive. Locking it twice would refuse the kiosk itself.)
            found.append(lock_path(real))
        try:
            info = os.stat(self.db_path)
        except OSError:
            return found
        folder = Path(tempfile.gettempdir()) / "kiosk-locks"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError:
            return found
        found.append(folder / f"{info.st_dev}-{info.st_ino}.lock")
        return found

    @property
    def held(self) -> bool:
        return self._fd >= 0

    def acquire(self) -> InstanceLock:
        """Take the lock or raise KioskRunning / DatabaseError with a message for a person."""
        if self.held:
            return self
        try:
            # Windows locks a byte range, so the file must have a byte to lock.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise DatabaseError(
                    f"The folder {self.db_path.parent} cannot be written, so the kiosk cannot "
                    "use it. Ask whoever looks after this PC to give the kiosk write access."
                ) from None
            raise DatabaseError(
                f"{self.path.name} cannot be created ({exc.strerror or exc})."
            ) from None
        # A command probing the lock (held_elsewhere) holds it for microseconds; a kiosk
        # starting at that instant waits a moment rather than report a second kiosk.
        for _ in range(20):
            if _try_lock(fd):
                break
            time.sleep(0.05)
        else:
            holder = _read_holder(fd)
            os.close(fd)
            raise KioskRunning(
                f"Another kiosk is already running on {self.db_path.name}"
                f"{f' ({holder})' if holder else ''}. Close it first; only one kiosk "
                "may use the file at a time."
            )
        self._fd = fd
        _HELD_HERE.add(os.path.realpath(self.path))
        self._write_holder()
        for alias in self._aliases():
            other = InstanceLock(self.db_path, self.purpose)
            other.path = alias
            other._others = []
            try:
                other._acquire_one()
            except KioskRunning:
                self.release()
                raise KioskRunning(
                    f"Another kiosk is already running on {self.db_path.name} under another "
                    "name (a link to the same file). Close it first; only one kiosk may use "
                    "the file at a time.") from None
            except DatabaseError:
                continue  # the extra lock is a safeguard; its folder may not be writable
            self._others.append(other)
        return self

    def _acquire_one(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise DatabaseError(f"{self.path.name} cannot be created ({exc})") from None
        if not _try_lock(fd):
            os.close(fd)
            raise KioskRunning("held")
        self._fd = fd
        self._write_holder()

    def _write_holder(self) -> None:
        # Best effort: the text helps a person, the OS lock is what protects the file.
        # Byte 0 stays the locked byte on Windows, so the note is written after it.
        try:
            note = f" {self.purpose} pid {os.getpid()}\n".encode()
            os.ftruncate(self._fd, 0)
            os.lseek(self._fd, 0, os.SEEK_SET)
            os.write(self._fd, note)
        except OSError:
            pass

    def release(self) -> None:
        for other in self._others:
            other.release()
        self._others = []
        if not self.held:
            return
        with contextlib.suppress(OSError):
            _unlock(self._fd)
        os.close(self._fd)
        self._fd = -1
        _HELD_HERE.discard(os.path.realpath(self.path))

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _read_holder(fd: int) -> str:
    # Windows locks are mandatory: byte 0 (a space) cannot be read by anyone else while
    # the kiosk holds it, so the note is read from byte 1 there.
    start = 1 if sys.platform == "win32" else 0
    try:
        os.lseek(fd, start, os.SEEK_SET)
        return os.read(fd, 100).decode("ascii", "replace").strip()
    except OSError:
        return ""


def held_elsewhere(db_path: Path | str) -> bool:
    """True when another process's kiosk (or restore) holds data.db right now.

    Only POSIX needs to ask (see db.keep_wal_on_close): Windows' locks belong to the
    handle, and closing another handle of the file never drops them. The probe takes a
    shared lock for an instant and never creates the lock file.
    """
    if sys.platform == "win32":  # pragma: no cover - not needed there
        return False
    path = lock_path(db_path)
    if os.path.realpath(path) in _HELD_HERE:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # no lock file: no kiosk has run here since it was removed
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # closing the descriptor releases the probe's lock
    return False
