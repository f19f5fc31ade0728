"""`kiosk server ...`: the county administrator's commands for the central PostgreSQL."""

from __future__ import annotations

import argparse

from kiosk.errors import ValidationError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("server", help="set up the county server (administrator)")
    ssub = p.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    init = ssub.add_parser(
        "init", help="create or upgrade the county schema and its roles",
        description="Create or upgrade the county schema on PostgreSQL 14 or newer through "
        "its own ordered migrations, and create the kiosk and reporting group roles. Safe to "
        "run again. URL: the administrator's, e.g. postgresql://admin@HOST/county "
        "(the password may come from ~/.pgpass or PGPASSWORD instead of the URL).")
    init.add_argument("--server", required=True, metavar="URL", help="the administrator's URL")
    init.set_defaults(handler=handle_init)
    add = ssub.add_parser(
        "add-kiosk", help="create a kiosk's role and print the URL it will use",
        description="Create the PostgreSQL role of one kiosk (insert its own rows, read "
        "nothing else) and print, as the last line, the URL to give that kiosk "
        "(`kiosk sync join` on it). Run again for the same kiosk to issue a new password; "
        "the old one stops working.")
    add.add_argument("kiosk_id", metavar="KIOSK_ID")
    add.add_argument("--server", required=True, metavar="ADMIN_URL")
    add.add_argument("--centre", default="", metavar="NAME", help="the centre it belongs to")
    add.set_defaults(handler=handle_add_kiosk)
    rep = ssub.add_parser(
        "add-reporter", help="create a reporting role and print its URL",
        description="Create a read-only reporting role for the whole county, or for one "
        "centre with --centre, and print its URL as the last line.")
    rep.add_argument("name", metavar="NAME")
    rep.add_argument("--server", required=True, metavar="ADMIN_URL")
    rep.add_argument("--centre", default=None, metavar="NAME")
    rep.set_defaults(handler=handle_add_reporter)


def handle_init(args: argparse.Namespace) -> int:
    from kiosk.county import schema
    from kiosk.osuser import name_county_connections

    name_county_connections("server", args.server_command)
    result = schema.init_server(args.server)
    if result.applied:
        print("Applied: " + ", ".join(result.applied))
    else:
        print("The county schema is up to date.")
    print(f"Roles: {result.kiosk_role} (kiosks), {result.report_role} (reporting).")
    return 0


def handle_add_kiosk(args: argparse.Namespace) -> int:
    from kiosk.county import schema
    from kiosk.osuser import name_county_connections

    name_county_connections("server", args.server_command)
    url = schema.add_kiosk(args.server, args.kiosk_id, args.centre)
    print(f"Kiosk {args.kiosk_id} can now push to the county. On that kiosk run "
          "`kiosk sync join` and paste this URL (keep it secret: it holds the kiosk's "
          "password):")
    print(url)
    return 0


def handle_add_reporter(args: argparse.Namespace) -> int:
    from kiosk.county import schema
    from kiosk.osuser import name_county_connections

    name_county_connections("server", args.server_command)
    if args.centre is not None and not args.centre.strip():
        raise ValidationError("--centre cannot be empty")
    url = schema.add_reporter(args.server, args.name, args.centre)
    scope = f"centre {args.centre}" if args.centre else "the whole county"
    print(f"Reporting role {args.name} reads {scope}. Its URL (keep it secret):")
    print(url)
    return 0
