"""The one builder of audit rows: every view, export and change lands in the access log.

Personal data read in the manager area is itself evidence (who looked at whom, and
when), so each view, export and change is a hash-chained access-log row built here,
the same way whether the GUI or the command line asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlite_utils import Database

from kiosk import access_log
from kiosk.clock import Clock
from kiosk.settings import Settings

if TYPE_CHECKING:  # kiosk.users records through this module: no import back at run time
    from kiosk.users import User


@dataclass(frozen=True)
class Actor:
    """Who is acting, and through what: a signed-in account plus its channel.

    `via` is empty at the kiosk's screen; on the command line it names the channel and
    the operating-system user ("command line, OS user ann"), recorded in every row.
    """

    user: User
    via: str = ""

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def is_manager(self) -> bool:
        return self.user.is_manager

    @property
    def disabled(self) -> bool:
        return self.user.disabled

    def with_user(self, user: User) -> Actor:
        return Actor(user, self.via)


def as_actor(actor: Actor | User | None) -> Actor | None:
    if actor is None or isinstance(actor, Actor):
        return actor
    return Actor(actor)


def reason_text(action: str, detail: str = "", via: str = "") -> str:
    """`action: detail [via]`, with the channel kept even when the detail is cut short."""
    reason = action + (f": {detail}" if detail else "")
    if not via:
        return reason
    tag = f" [{via}]"
    room = access_log.REASON_CAP - len(tag)
    return reason[:max(room, 0)] + tag


def record(db: Database, settings: Settings, clock: Clock, actor: Actor | User | None,
           action: str, detail: str = "", *, subject: User | None = None,
           event: str = access_log.MANAGER_ACTION, about: User | None = None) -> int:
    """Append one audit row and return its id.

    `actor` None is the system itself (sample data, the daily backup); `subject` adds the
    person concerned to the reason; `about` files the row under that person (an unlock is
    about the account unlocked) instead of under the actor.
    """
    who = as_actor(actor)
    if subject is not None and subject.username not in detail:
        detail = f"{detail} ({subject.username})" if detail else subject.username
    target = about if about is not None else (who.user if who else None)
    return access_log.append(
        db, clock, kiosk_id=settings.kiosk_id, event=event,
        username_entered=who.username if who else "(system)",
        user_id=target.id if target else None,
        user_matched=target.username if target else "",
        reason=reason_text(action, detail, who.via if who else ""),
    )
