"""`kiosk certificate verify CODE`: whose certificate a code is, and whether it is current.

Exit codes: 0 the code is known (current or expired: the line says which);
1 the code is unknown or the database cannot be used; 2 a usage error.
"""

from __future__ import annotations

import argparse

from kiosk import access_log, certificate
from kiosk.context import AppContext, open_context
from kiosk.course import ContentError, load_default_courses
from kiosk.errors import KioskError, NotFoundError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("certificate", help="check certificates")
    csub = p.add_subparsers(dest="certificate_command", metavar="WHAT", required=True)
    verify = csub.add_parser(
        "verify", parents=[common],
        help="say whose certificate a code is and whether it is current",
    )
    verify.add_argument("code", metavar="CODE", help="the code printed on the certificate")
    verify.add_argument("--server", default=None, metavar="URL",
                        help="look the code up on the county server (any kiosk's certificate)")
    verify.set_defaults(handler=handle_verify)


def handle_verify(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path

    if args.server is not None:
        from kiosk.county.anchor import verify_certificate_on_server

        return verify_certificate_on_server(args.server, args.code)
    ctx = open_context(db_path(args), create=False)
    try:
        courses = load_default_courses()
    except ContentError:
        courses = []  # the record still answers; the title falls back to the course id
    today = ctx.clock.now().date()
    wanted = certificate.normalise_code(args.code)
    try:
        result = certificate.verify(ctx.db, args.code, today, courses)
    except NotFoundError:
        _log(ctx, f"certificate verify {wanted}: unknown code")
        raise
    _log(ctx, f"certificate verify {wanted}: {result.state.lower()}")
    if result.problem:
        raise KioskError(result.describe())
    print(result.describe())
    return 0


def _log(ctx: AppContext, reason: str) -> None:
    # Looking up whose certificate a code is reveals personal data: record it.
    access_log.append(ctx.db, ctx.clock, kiosk_id=ctx.settings.kiosk_id,
                      event=access_log.MANAGER_ACTION, username_entered="(command line)",
                      reason=reason)
