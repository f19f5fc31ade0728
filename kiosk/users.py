"""People: accounts, roles and their administration. Nobody is ever deleted.

Training records point at people, so an account is disabled, never removed.
Every change made on someone's behalf is written to the access log by the
caller (auth for logins, admin actions here via `actor`).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from kiosk import access_log, audit, evidence, passwords
from kiosk.audit import Actor
from kiosk.clock import Clock, to_iso
from kiosk.db import write_transaction
from kiosk.errors import NotFoundError, ValidationError
from kiosk.settings import Settings

ROLES = ("learner", "manager")
USERNAME_MAX = 64
NAME_MAX = 100


@dataclass(frozen=True)
class User:
    id: int
    username: str
    full_name: str
    role: str
    job_title: str
    disabled: bool
    must_change_password: bool
    failed_count: int
    locked_until: str | None
    last_login_at: str | None
    prefs: dict[str, Any]

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> User:
        try:
            prefs = json.loads(row.get("prefs") or "{}")
        except ValueError:
            prefs = {}
        return cls(
            id=row["id"],
            username=row["username"],
            full_name=row["full_name"],
            role=row["role"],
            job_title=row.get("job_title", ""),
            disabled=bool(row["disabled"]),
            must_change_password=bool(row["must_change_password"]),
            failed_count=row["failed_count"],
            locked_until=row["locked_until"],
            last_login_at=row["last_login_at"],
            prefs=prefs if isinstance(prefs, dict) else {},
        )


def normalise_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username or "").strip()


def username_key(username: str) -> str:
    """What two usernames must differ in: full Unicode case folding and NFKC.

    SQLite's NOCASE folds only A-Z, so `Zoë` and `ZOË` were two accounts. The key is
    stored (users.username_key, unique) and every lookup goes through it.
    """
    return unicodedata.normalize("NFKC", normalise_username(username).casefold())


# Letters from other scripts (and digits) that look like Latin letters in the kiosk's
# font, after case folding. Not the whole Unicode confusables list: the look-alikes
# of the letters usernames are made of.
_LOOKALIKE = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "к": "k",
    "м": "m", "т": "t", "в": "b", "н": "h", "ɡ": "g", "ι": "i", "ο": "o", "α": "a",
    "ν": "v", "ρ": "p", "τ": "t", "κ": "k", "χ": "x", "υ": "u", "ϲ": "c", "ε": "e",
    "0": "o", "1": "l", "|": "l", "ı": "i", "ł": "l", "đ": "d", "ø": "o",
    "ß": "ss", "æ": "ae", "œ": "oe", "_": "-", "'": "", "’": "",
})


def username_skeleton(username: str) -> str:
    """A form in which look-alike usernames are equal (`zoe`, `zoë`, `zое` in Cyrillic)."""
    folded = unicodedata.normalize("NFKD", username_key(username))
    bare = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return bare.translate(_LOOKALIKE).replace("rn", "m").replace("vv", "w")


def check_username(username: str) -> str:
    """Return the canonical username, or raise with the reason it is not allowed."""
    name = normalise_username(username)
    if not name:
        raise ValidationError("The username cannot be empty.")
    if len(name) > USERNAME_MAX:
        raise ValidationError(f"The username must be at most {USERNAME_MAX} characters.")
    allowed = set(".-_@'")
    if not all(ch.isalnum() or ch in allowed for ch in name):
        raise ValidationError(
            "The username may use letters, digits and . - _ @ ' only (no spaces)."
        )
    return name


def check_full_name(full_name: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", full_name or "").split())
    name = "".join(ch for ch in name if ch.isprintable())
    if len(name) > NAME_MAX:
        raise ValidationError(f"The name must be at most {NAME_MAX} characters.")
    return name


def min_length_for(settings: Settings, role: str) -> int:
    key = "password_min_length_manager" if role == "manager" else "password_min_length_learner"
    return int(settings.get(key))


def find(db: Database, username: str) -> User | None:
    name = normalise_username(username)
    if not name or len(name) > USERNAME_MAX:
        return None
    rows = list(db.query("SELECT * FROM users WHERE username_key = ?", [username_key(name)]))
    if not rows:  # a row written without its key (older code): the old NOCASE match
        rows = list(db.query("SELECT * FROM users WHERE username = ?", [name]))
    return User.from_row(rows[0]) if rows else None


def lookalike_of(db: Database, username: str) -> str | None:
    """An existing username that `username` could be mistaken for, if any."""
    wanted = username_skeleton(username)
    for (existing,) in db.execute("SELECT username FROM users"):
        if username_skeleton(existing) == wanted:
            return str(existing)
    return None


def get(db: Database, user_id: int) -> User:
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    if not rows:
        raise NotFoundError(f"No account with id {user_id}.")
    return User.from_row(rows[0])


def require(db: Database, username: str) -> User:
    user = find(db, username)
    if user is None:
        raise NotFoundError(f"There is no account called '{normalise_username(username)[:64]}'.")
    return user


def list_users(db: Database, *, include_disabled: bool = True) -> list[User]:
    sql = "SELECT * FROM users"
    if not include_disabled:
        sql += " WHERE disabled = 0"
    sql += " ORDER BY username COLLATE NOCASE"
    return [User.from_row(r) for r in db.query(sql)]


def manager_exists(db: Database) -> bool:
    row = db.execute("SELECT 1 FROM users WHERE role = 'manager' AND disabled = 0 LIMIT 1")
    return row.fetchone() is not None


def create(
    db: Database,
    settings: Settings,
    clock: Clock,
    *,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    job_title: str = "",
    must_change_password: bool = False,
    actor: Actor | User | None = None,
    password_hash: str | None = None,
) -> User:
    """Create an account after checking the username and the password policy.

    `password_hash`: the password already hashed (people_import hashes every row before
    its one short write transaction, so the write lock is never held through Argon2).
    """
    if role not in ROLES:
        raise ValidationError("The role must be 'learner' or 'manager'.")
    name = check_username(username)
    full = check_full_name(full_name)
    job = check_full_name(job_title)
    passwords.check_policy(
        password, username=name, centre_name=settings.centre_name,
        min_length=min_length_for(settings, role),
    )
    hashed = password_hash or passwords.hash_password(password)
    with write_transaction(db):
        if find(db, name) is not None:
            raise ValidationError(f"An account called '{name}' already exists.")
        similar = lookalike_of(db, name)
        if similar is not None:
            raise ValidationError(
                f"'{name}' looks too much like the existing account '{similar}'; "
                "people could sign in as the wrong one. Choose a clearly different username.")
        cursor = db.execute(
            "INSERT INTO users (username, username_key, full_name, role, job_title, "
            "password_hash, must_change_password, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [name, username_key(name), full, role, job, hashed, int(must_change_password),
             to_iso(clock.now())],
        )
        user_id = int(cursor.lastrowid or 0)
        _log_admin(db, settings, clock, actor, "user_added", name, f"role={role}")
        _seal(db, settings, clock, user_id, "added", actor)
    return get(db, user_id)


def _log_admin(
    db: Database, settings: Settings, clock: Clock, actor: Actor | User | None,
    action: str, target: str, detail: str = "",
) -> None:
    """Record an administrative change; `actor` None means the system (sample data)."""
    audit.record(db, settings, clock, actor, action,
                 target + (f" ({detail})" if detail else ""))


def _require_another_manager(db: Database, user: User) -> None:
    """Refuse to leave no active manager. Called inside the write transaction, so two
    managers disabling each other at once cannot both succeed."""
    others = db.execute(
        "SELECT COUNT(*) FROM users WHERE role = 'manager' AND disabled = 0 AND id != ?",
        [user.id],
    ).fetchone()[0]
    if others == 0:
        raise ValidationError("This is the only active manager; add another manager first.")


def _seal(db: Database, settings: Settings, clock: Clock, user_id: int, why: str,
          actor: Actor | User | None) -> None:
    """Put who the account now is into the chain (see kiosk/evidence.py)."""
    evidence.seal_identity(db, clock, user_id, settings.kiosk_id, why,
                           actor.username if actor else "(system)")


def unlock(db: Database, settings: Settings, clock: Clock, username: str,
           actor: Actor | User | None = None) -> User:
    with write_transaction(db):
        user = require(db, username)
        db.execute(
            "UPDATE users SET failed_count = 0, locked_until = NULL, not_before = NULL "
            "WHERE id = ?", [user.id],
        )
        who = actor.username if actor else "the system"
        audit.record(db, settings, clock, actor, f"unlocked by {who}",
                     event=access_log.UNLOCK, about=user)
    return get(db, user.id)


def set_disabled(db: Database, settings: Settings, clock: Clock, username: str,
                 disabled: bool = True, actor: Actor | User | None = None) -> User:
    with write_transaction(db):
        user = require(db, username)  # read under the write lock: no stale decisions
        if disabled and user.is_manager and not user.disabled:
            _require_another_manager(db, user)
        db.execute("UPDATE users SET disabled = ? WHERE id = ?", [int(disabled), user.id])
        _log_admin(db, settings, clock, actor, "user_disabled" if disabled else "user_enabled",
                   user.username)
        _seal(db, settings, clock, user.id, "disabled" if disabled else "enabled", actor)
    return get(db, user.id)


def update_details(db: Database, settings: Settings, clock: Clock, username: str, *,
                   full_name: str | None = None, role: str | None = None,
                   job_title: str | None = None, actor: Actor | User | None = None) -> User:
    with write_transaction(db):
        user = require(db, username)
        full = check_full_name(full_name) if full_name is not None else user.full_name
        job = check_full_name(job_title) if job_title is not None else user.job_title
        new_role = role or user.role
        if new_role not in ROLES:
            raise ValidationError("The role must be 'learner' or 'manager'.")
        if user.is_manager and new_role != "manager" and not user.disabled:
            _require_another_manager(db, user)
        db.execute("UPDATE users SET full_name = ?, role = ?, job_title = ? WHERE id = ?",
                   [full, new_role, job, user.id])
        _log_admin(db, settings, clock, actor, "user_edited", user.username,
                   f"role={new_role}")
        _seal(db, settings, clock, user.id, "details changed", actor)
    return get(db, user.id)


def set_password(db: Database, settings: Settings, clock: Clock, user: User, password: str, *,
                 must_change: bool = False, actor: Actor | User | None = None) -> None:
    """Set a new password after the policy check. `must_change` forces a change at next login."""
    passwords.check_policy(password, username=user.username, centre_name=settings.centre_name,
                           min_length=min_length_for(settings, user.role))
    hashed = passwords.hash_password(password)
    with write_transaction(db):
        db.execute(
            "UPDATE users SET password_hash = ?, must_change_password = ?, failed_count = 0, "
            "locked_until = NULL, not_before = NULL WHERE id = ?",
            [hashed, int(must_change), user.id],
        )
        if must_change or (actor is not None and actor.id != user.id):
            _log_admin(db, settings, clock, actor, "password_reset", user.username)
        else:
            access_log.append(
                db, clock, kiosk_id=settings.kiosk_id, event=access_log.PASSWORD_CHANGED,
                username_entered=user.username, user_id=user.id, user_matched=user.username,
            )
        _seal(db, settings, clock, user.id, "password set", actor or user)


def save_prefs(db: Database, user: User, prefs: dict[str, Any]) -> None:
    db.execute("UPDATE users SET prefs = ? WHERE id = ?", [json.dumps(prefs), user.id])


def create_many(db: Database, settings: Settings, clock: Clock,
                people: list[tuple[str, str, str, str]], *, password_hash: str,
                actor: Actor | User | None = None) -> int:
    """Create many accounts, (username, full name, role, job title), sharing one hash.

    For sample data (`kiosk demo`, benchmarks/make_data.py): Argon2 is slow and
    memory-hard on purpose (~0.1 s and 64 MiB per hash), so 10,000 accounts hashed one by
    one would take many minutes. The caller checks one password against the policy,
    hashes it once with passwords.hash_password, and every sample account shares it.
    Names are checked as in create(); one access-log row records the batch.
    """
    rows = []
    for username, full_name, role, job_title in people:
        if role not in ROLES:
            raise ValidationError("The role must be 'learner' or 'manager'.")
        name = check_username(username)
        rows.append([name, username_key(name), check_full_name(full_name), role,
                     check_full_name(job_title), password_hash, to_iso(clock.now())])
    with write_transaction(db):
        first = db.execute("SELECT COALESCE(MAX(id), 0) FROM users").fetchone()[0]
        db.conn.executemany(
            "INSERT INTO users (username, username_key, full_name, role, job_title, "
            "password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows,
        )
        _log_admin(db, settings, clock, actor, "users_added", f"{len(rows)} accounts")
        evidence.seal_identities(
            db, clock, settings.kiosk_id, "added",
            [r[0] for r in db.execute("SELECT id FROM users WHERE id > ?", [first])],
            actor.username if actor else "(command line)")
    return len(rows)
