"""Logging in: checking a password, lockout, throttling, and recording every attempt.

The person at the screen gets one generic message for every failure, so the
kiosk never tells a stranger which usernames exist or which are locked. The
access log gets the real reason, for managers.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlite_utils import Database

from kiosk import access_log, evidence, passwords, users
from kiosk.clock import Clock, from_iso, to_iso
from kiosk.db import write_transaction
from kiosk.settings import Settings
from kiosk.users import User

GENERIC_FAILURE = (
    "Those details did not work. Check your username and password and try again, "
    "or ask a manager for help."
)
KIOSK_PAUSED = (
    "Too many failed sign-ins on this kiosk. Sign-in is paused for a few minutes; "
    "ask a manager if you need help now."
)

# Reasons are recorded for managers, never shown at the login screen.
UNKNOWN_USER = "unknown_user"
WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason code
LOCKED = "locked"
DISABLED = "disabled"
TOO_SOON = "too_soon"
KIOSK_THROTTLED = "kiosk_throttled"


@dataclass(frozen=True)
class LoginOutcome:
    ok: bool
    message: str = ""
    user: User | None = None
    previous_login_at: str | None = None
    failures_since: int = 0
    retry_after_seconds: int = 0


UNKNOWN_PREFIX = "(unrecognised #"
KEY_SUFFIX = ".namekey"


def unknown_name_label(typed: str, key: bytes) -> str:
    """A keyed tag for a name no account has: the same name gives the same tag.

    HMAC-SHA-256 under a key kept beside data.db (never inside it, nor in backups or
    exports), so the log, a backup or an export alone cannot be searched for the
    password someone typed into the username box. 32 bits: enough to tell the names
    tried apart, and a guess that matches one tag also matches many other words.
    """
    folded = users.username_key(typed).encode("utf-8")
    return f"{UNKNOWN_PREFIX}{hmac.new(key, folded, hashlib.sha256).hexdigest()[:8]})"


def unknown_name_key(db: Database) -> bytes:
    """The key for unknown_name_label: `data.db.namekey`, made owner-only on first use.

    A database in memory, or a folder that cannot be written, gets a key for this process
    only (the tags then group names only until the kiosk restarts).
    """
    row = db.execute("PRAGMA database_list").fetchone()
    path = Path(row[2]) if row and row[2] else None
    if path is None:
        return secrets.token_bytes(32)
    key_path = path.with_name(path.name + KEY_SUFFIX)
    try:
        data = key_path.read_bytes()
        if len(data) >= 32:
            return data[:32]
    except OSError:
        pass
    fresh = secrets.token_bytes(32)
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        try:
            return key_path.read_bytes()[:32] or fresh
        except OSError:
            return fresh
    except OSError:
        return fresh
    with os.fdopen(fd, "wb") as fh:
        fh.write(fresh)
        fh.flush()
        os.fsync(fh.fileno())
    return fresh


def delay_for(failures: int, delay_after: int) -> int:
    """Seconds to wait before the next try: 1, 2, 4, 8... from the `delay_after`th failure."""
    if failures < delay_after:
        return 0
    return int(min(2 ** (failures - delay_after), 300))


class Authenticator:
    """Login checks for one kiosk; built from the application context's parts."""

    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self._key: bytes | None = None

    def _log(self, event: str, typed: str, user: User | None, reason: str = "") -> None:
        access_log.append(
            self.db, self.clock, kiosk_id=self.settings.kiosk_id, event=event,
            username_entered=typed, user_id=user.id if user else None,
            user_matched=user.username if user else "", reason=reason,
        )

    def _kiosk_paused(self) -> bool:
        window = int(self.settings.get("kiosk_failure_window_minutes"))
        since = to_iso(self.clock.now() - timedelta(minutes=window))
        count = self.db.execute(
            "SELECT COUNT(*) FROM access_log WHERE kiosk_id = ? AND event = ? "
            "AND occurred_at >= ? AND reason != ?",
            [self.settings.kiosk_id, access_log.LOGIN_FAILURE, since, KIOSK_THROTTLED],
        ).fetchone()[0]
        return bool(count >= int(self.settings.get("kiosk_failure_limit")))

    def _secret(self) -> bytes:
        if self._key is None:
            self._key = unknown_name_key(self.db)
        return self._key

    def _unknown_throttle(self, label: str) -> int:
        """Seconds before this unrecognised name may be tried again (as for an account).

        The same rising delay as a real account gets, counted from the log, so the
        delay itself says nothing about whether an account exists.
        """
        since = to_iso(self.clock.now()
                       - timedelta(minutes=int(self.settings.get("lockout_minutes"))))
        count, last = self.db.execute(
            "SELECT COUNT(*), MAX(occurred_at) FROM access_log WHERE event = ? "
            "AND username_entered = ? AND reason = ? AND occurred_at >= ?",
            [access_log.LOGIN_FAILURE, label, UNKNOWN_USER, since]).fetchone()
        wait = delay_for(int(count), int(self.settings.get("lockout_delay_after")))
        if not wait or not last:
            return 0
        left = (from_iso(last) + timedelta(seconds=wait) - self.clock.now()).total_seconds()
        return max(0, int(left) + (1 if left > int(left) else 0))

    def login(self, username_typed: str, password: str) -> LoginOutcome:
        typed = access_log.clean_text(username_typed, access_log.USERNAME_CAP)
        user = users.find(self.db, typed)
        # What is typed for a name no account has is often a password typed into the wrong
        # box: the log keeps only a keyed tag of it, so managers see the same unknown name
        # tried again and again, and nobody can read it back (SECURITY.md).
        shown = typed if user is not None else unknown_name_label(typed, self._secret())
        if self._kiosk_paused():
            self._log(access_log.LOGIN_FAILURE, shown, None, KIOSK_THROTTLED)
            return LoginOutcome(False, KIOSK_PAUSED)

        if user is None:
            passwords.verify_dummy(password)
            wait = self._unknown_throttle(shown)
            if wait:
                self._log(access_log.LOGIN_FAILURE, shown, None, TOO_SOON)
                return LoginOutcome(False, GENERIC_FAILURE, retry_after_seconds=wait)
            self._log(access_log.LOGIN_FAILURE, shown, None, UNKNOWN_USER)
            failures = self.db.execute(
                "SELECT COUNT(*) FROM access_log WHERE event = ? AND username_entered = ? "
                "AND reason = ? AND occurred_at >= ?",
                [access_log.LOGIN_FAILURE, shown, UNKNOWN_USER, to_iso(self.clock.now() - timedelta(
                    minutes=int(self.settings.get("lockout_minutes"))))]).fetchone()[0]
            delay = delay_for(int(failures), int(self.settings.get("lockout_delay_after")))
            return LoginOutcome(False, GENERIC_FAILURE, retry_after_seconds=delay)

        # The expensive check runs before taking the write lock, and for every account
        # state, so timing does not reveal whether an account is locked or disabled.
        stored = self.db.execute(
            "SELECT password_hash FROM users WHERE id = ?", [user.id]
        ).fetchone()[0]
        password_ok = passwords.verify(stored, password)
        now = self.clock.now()
        with write_transaction(self.db):
            row = next(self.db.query(
                "SELECT failed_count, locked_until, not_before, disabled, last_login_at "
                "FROM users WHERE id = ?", [user.id]))
            if row["disabled"]:
                self._log(access_log.LOGIN_FAILURE, typed, user, DISABLED)
                return LoginOutcome(False, GENERIC_FAILURE)
            locked_until = from_iso(row["locked_until"]) if row["locked_until"] else None
            failed = int(row["failed_count"])
            if locked_until is not None and locked_until > now:
                self._log(access_log.LOGIN_FAILURE, typed, user, LOCKED)
                return LoginOutcome(False, GENERIC_FAILURE)
            if locked_until is not None:
                failed = 0  # the lock has run out: a fresh start
            not_before = from_iso(row["not_before"]) if row["not_before"] else None
            if not_before is not None and now < not_before:
                self._log(access_log.LOGIN_FAILURE, typed, user, TOO_SOON)
                wait = int((not_before - now).total_seconds()) + 1
                return LoginOutcome(False, GENERIC_FAILURE, retry_after_seconds=wait)
            if not password_ok:
                return self._record_failure(typed, user, failed + 1)
            return self._record_success(typed, user, row["last_login_at"], stored, password)

    def _record_failure(self, typed: str, user: User, failed: int) -> LoginOutcome:
        now = self.clock.now()
        threshold = int(self.settings.get("lockout_threshold"))
        delay = delay_for(failed, int(self.settings.get("lockout_delay_after")))
        locked_until = None
        if failed >= threshold:
            minutes = int(self.settings.get("lockout_minutes"))
            locked_until = to_iso(now + timedelta(minutes=minutes))
            delay = 0
        not_before = to_iso(now + timedelta(seconds=delay)) if delay else None
        self.db.execute(
            "UPDATE users SET failed_count = ?, last_failed_at = ?, not_before = ?, "
            "locked_until = ? WHERE id = ?",
            [failed, to_iso(now), not_before, locked_until, user.id],
        )
        self._log(access_log.LOGIN_FAILURE, typed, user, WRONG_PASSWORD)
        if locked_until:
            self._log(access_log.LOCKOUT, typed, user,
                      f"{failed} failed attempts; locked until {locked_until}")
        return LoginOutcome(False, GENERIC_FAILURE, retry_after_seconds=delay)

    def _record_success(
        self, typed: str, user: User, previous: str | None, stored: str, password: str
    ) -> LoginOutcome:
        now = to_iso(self.clock.now())
        failures_since = self.db.execute(
            "SELECT COUNT(*) FROM access_log WHERE user_id = ? AND event = ? AND occurred_at > ?",
            [user.id, access_log.LOGIN_FAILURE, previous or ""],
        ).fetchone()[0]
        new_hash = passwords.hash_password(password) if passwords.needs_rehash(stored) else stored
        self.db.execute(
            "UPDATE users SET failed_count = 0, locked_until = NULL, not_before = NULL, "
            "last_login_at = ?, password_hash = ? WHERE id = ?",
            [now, new_hash, user.id],
        )
        self._log(access_log.LOGIN_SUCCESS, typed, user)
        if new_hash != stored:  # a stronger hash is a change of identity record too
            evidence.seal_identity(self.db, self.clock, user.id, self.settings.kiosk_id,
                                   "password rehashed", user.username)
        return LoginOutcome(
            True, user=users.get(self.db, user.id), previous_login_at=previous,
            failures_since=int(failures_since),
        )

    def logout(self, user: User, *, idle: bool = False) -> None:
        event = access_log.IDLE_LOGOUT if idle else access_log.LOGOUT
        self._log(event, user.username, user)

    def confirm_manager(self, manager: User, password: str, purpose: str) -> bool:
        """Re-check a signed-in manager's password before a sensitive action; logged."""
        stored = self.db.execute(
            "SELECT password_hash FROM users WHERE id = ? AND role = 'manager' AND disabled = 0",
            [manager.id],
        ).fetchone()
        ok = bool(stored) and passwords.verify(stored[0], password)
        self._log(
            access_log.MANAGER_ACTION, manager.username, manager,
            f"{purpose}: {'confirmed' if ok else 'password not accepted'}",
        )
        return ok
