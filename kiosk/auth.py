"""Logging in: checking a password, lockout, throttling, and recording every attempt.

The person at the screen gets one generic message for every failure, so the
kiosk never tells a stranger which usernames exist or which are locked. The
access log gets the real reason, for managers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

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

    def login(self, username_typed: str, password: str) -> LoginOutcome:
        typed = access_log.clean_text(username_typed, access_log.USERNAME_CAP)
        if self._kiosk_paused():
            self._log(access_log.LOGIN_FAILURE, typed, None, KIOSK_THROTTLED)
            return LoginOutcome(False, KIOSK_PAUSED)

        user = users.find(self.db, typed)
        if user is None:
            passwords.verify_dummy(password)
            self._log(access_log.LOGIN_FAILURE, typed, None, UNKNOWN_USER)
            return LoginOutcome(False, GENERIC_FAILURE)

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
