"""`kiosk sync`: push this kiosk's queued records to the county server; its status; joining."""

from __future__ import annotations

import argparse
import sys

from kiosk.cli import signin
from kiosk.errors import ValidationError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "sync", parents=[common], help="push queued records to the county server",
        description="Push every record queued since the last sync to the county server, in "
        "batches; each is marked sent only after the server has committed it, and pushing "
        "again never doubles anything. Then pull the current certificates of the people on "
        "this kiosk's roster. Default server: the one the kiosk joined.")
    p.add_argument("--server", default=None, metavar="URL",
                   help="push to this URL instead of the joined server's (a manager only: "
                   "with --as; what is sent there is not sent to the joined server)")
    signin.add_flag(p)
    ssub = p.add_subparsers(dest="sync_command", metavar="ACTION")
    st = ssub.add_parser("status", parents=[common],
                         help="last synced, records not yet sent, the last error",
                         description="Anyone may see the counts; with --as a manager also "
                         "sees who is recorded differently at another centre (names).")
    signin.add_flag(st)
    st.set_defaults(handler=handle_status)
    join = ssub.add_parser(
        "join", parents=[common], help="join this kiosk to a county server",
        description="Check the URL that `kiosk server add-kiosk` printed, save it beside "
        "data.db (data.db.county, owner-only; never in data.db), set kiosk_id to the id "
        "the server knows, and queue every existing record for the first sync. The URL is "
        "read from standard input (one line, after the manager's password) unless "
        "--server is given. A manager's sign-in (--as) is needed.")
    join.add_argument("--server", default=None, metavar="URL")
    signin.add_flag(join)
    join.set_defaults(handler=handle_join)
    p.set_defaults(handler=handle_sync)


def handle_sync(args: argparse.Namespace) -> int:
    """No sign-in to the joined server (a scheduled job; the running kiosk pushes there by
    itself); a manager's to push anywhere else."""
    from kiosk.cli import db_path
    from kiosk.cli.county_cmd import name_the_connection
    from kiosk.context import open_context
    from kiosk.operations import county

    ctx = open_context(db_path(args), create=False)
    try:
        actor = signin.sign_in(ctx, args) if args.as_user else None
        name_the_connection(args)
        result = county.push(ctx, actor, args.server)
    finally:
        ctx.db.close()
    print(f"Synced: {result.sent} records sent in {result.batches} batches; "
          f"{result.certificates} certificates of this kiosk's people held in the county.")
    if result.conflicts:
        print(f"{result.conflicts} people are recorded differently at another centre: see "
              "`kiosk sync status --as MANAGER`.")
    return 0


def handle_status(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.context import open_context
    from kiosk.county import credentials, outbox
    from kiosk.operations import county

    ctx = open_context(db_path(args), create=False)
    try:
        state = outbox.state(ctx.db)
        # Who differs, and how, names people: a manager's view (recorded).
        clashes = county.conflicts(ctx, signin.sign_in(ctx, args)) if args.as_user else []
        joined = credentials.load(ctx.db_path) is not None
    finally:
        ctx.db.close()
    print(f"County server: {'joined as ' + state.kiosk_id if state.enabled else 'not joined'}"
          + ("" if joined or not state.enabled else " (its settings file is missing: "
             "join again)"))
    print(f"Last synced: {state.last_synced_at or 'never'}")
    print(f"Not yet sent: {state.unsent}")
    print(f"Last error: {state.last_error or 'none'}")
    if state.conflicts and not clashes:
        print(f"Conflicts: {state.conflicts} people are recorded differently at another "
              "centre (add --as MANAGER to see who)")
    for c in clashes:
        print(f"Conflict: {c['username']}: {c['field']} is '{c['here']}' here but "
              f"'{c['there']}' at {c['centre'] or c['kiosk_id']}; edit the person here, or "
              "ask that centre, so both agree")
    return 0


def handle_join(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.cli.county_cmd import name_the_connection
    from kiosk.context import open_context
    from kiosk.operations import county

    ctx = open_context(db_path(args), create=False)
    try:
        # The manager first (their password is the first line of standard input), then
        # the URL: joining changes kiosk_id and starts sending personal data to a server.
        actor = signin.sign_in(ctx, args)
        url = read_url(args)
        name_the_connection(args)
        kiosk_id, queued = county.join(ctx, actor, url)
    finally:
        ctx.db.close()
    print(f"Joined the county as kiosk {kiosk_id}; {queued} existing records are queued "
          "for the first `kiosk sync`.")
    return 0


def read_url(args: argparse.Namespace) -> str:
    url: str = args.server or ""
    if not url:
        from kiosk.console import stdin_is_terminal

        if stdin_is_terminal():  # NUL on Windows is not a terminal
            import getpass

            url = getpass.getpass("County server URL (from `kiosk server add-kiosk`): ")
        else:
            url = sys.stdin.readline().strip()
    if not url:
        raise ValidationError("no server URL was given")
    return url
