"""First run: the centre's name, the kiosk id and the first manager, in one transaction."""

from __future__ import annotations

from kiosk import access_log, audit, users
from kiosk.audit import Actor
from kiosk.context import AppContext
from kiosk.db import write_transaction
from kiosk.errors import ValidationError
from kiosk.operations.base import PermissionDenied
from kiosk.settings import parse
from kiosk.users import User

# The labels a person sees for each key, in messages about what they typed.
LABELS = {"centre_name": "Centre name", "kiosk_id": "Kiosk id"}


def _parse(key: str, text: str) -> str:
    try:
        return str(parse(key, text))
    except ValidationError as exc:
        raise ValidationError(str(exc).replace(key, LABELS[key])) from None


def set_up_centre(ctx: AppContext, *, centre_name: str, kiosk_id: str, username: str,
                  password: str, full_name: str = "") -> User:
    """Record the centre and create the first manager; refused once any manager exists.

    Nobody is signed in here (there is nobody to sign in as), which is why the check that
    no active manager exists is made under the same write lock as the writes.
    """
    centre = _parse("centre_name", centre_name)
    kiosk = _parse("kiosk_id", kiosk_id)
    with write_transaction(ctx.db):
        if users.manager_exists(ctx.db):
            raise PermissionDenied("A manager account already exists. Sign in instead.")
        ctx.settings.set("centre_name", centre)
        ctx.settings.set("kiosk_id", kiosk)
        manager = users.create(ctx.db, ctx.settings, ctx.clock, username=username,
                               password=password, role="manager", full_name=full_name,
                               actor=None)
        audit.record(ctx.db, ctx.settings, ctx.clock, Actor(manager),
                     "first manager created; centre and kiosk id recorded",
                     event=access_log.SETUP)
    return manager
