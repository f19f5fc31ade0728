"""Checking a certificate code: whose it is and whether it is current (each check logged)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from kiosk import access_log, certificate
from kiosk.audit import reason_text
from kiosk.context import AppContext
from kiosk.errors import NotFoundError
from kiosk.users import User

if TYPE_CHECKING:  # only the type: the caller has loaded the packs
    from kiosk.course import Course


def verify(ctx: AppContext, code: str, today: date, courses: Sequence[Course], *,
           via: str) -> certificate.Verification:
    """Open to anyone who has the code (an employer checking it has no kiosk account).

    Looking up whose certificate a code is reveals personal data, so every check, found
    or not, is recorded with the channel (`via`, e.g. the OS user on the command line).
    """
    wanted = certificate.normalise_code(code)
    try:
        result = certificate.verify(ctx.db, code, today, courses)
    except NotFoundError:
        _record(ctx, f"certificate verify {wanted}: unknown code", via)
        raise
    _record(ctx, f"certificate verify {wanted}: {result.state.lower()}", via)
    return result


def _record(ctx: AppContext, reason: str, via: str) -> None:
    access_log.append(ctx.db, ctx.clock, kiosk_id=ctx.kiosk_id,
                      event=access_log.MANAGER_ACTION, username_entered="(certificate check)",
                      reason=reason_text(reason, via=via))


def record_output(ctx: AppContext, user: User | None, facts: certificate.CertificateFacts,
                  how: str) -> None:
    """A certificate saved or printed (`how`) by the person signed in: an access event.

    Anyone signed in may save or print their own certificate, so there is no right to
    check; with nobody signed in (a reprint from the gallery) nothing is recorded."""
    certificate.record_output(ctx.db, ctx.settings, ctx.clock, user, facts, how)
