"""`kiosk certificate verify CODE`: whose certificate a code is, and whether it is current.

Exit codes: 0 the code is known (current or expired: the line says which);
1 the code is unknown or the database cannot be used; 2 a usage error.
"""

from __future__ import annotations

import argparse

from kiosk.context import open_context
from kiosk.course import ContentError, load_default_courses
from kiosk.errors import KioskError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
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
    from kiosk.clock import local_today
    from kiosk.operations import certificates
    from kiosk.operations.session import command_line_via

    if args.server is not None:
        from kiosk.county.anchor import verify_certificate_on_server
        from kiosk.osuser import name_county_connections

        name_county_connections("certificate verify --server")

        return verify_certificate_on_server(args.server, args.code)
    ctx = open_context(db_path(args), create=False)
    try:
        courses = load_default_courses()
    except ContentError:
        courses = []  # the record still answers; the title falls back to the course id
    result = certificates.verify(ctx, args.code, local_today(ctx.clock), courses,
                                 via=command_line_via())
    if result.problem:  # the record behind the code no longer matches its seal
        raise KioskError(result.describe())
    print(result.describe())
    return 0
