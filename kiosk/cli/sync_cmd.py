"""`kiosk sync`: push this kiosk's queued records to the county server; its status; joining."""

from __future__ import annotations

import argparse
import sys

from kiosk.errors import ValidationError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "sync", parents=[common], help="push queued records to the county server",
        description="Push every record queued since the last sync to the county server, in "
        "batches; each is marked sent only after the server has committed it, and pushing "
        "again never doubles anything. Then pull the current certificates of the people on "
        "this kiosk's roster. Default server: the one the kiosk joined.")
    p.add_argument("--server", default=None, metavar="URL",
                   help="push to this URL instead of the joined server's")
    ssub = p.add_subparsers(dest="sync_command", metavar="ACTION")
    st = ssub.add_parser("status", parents=[common],
                         help="last synced, records not yet sent, the last error")
    st.set_defaults(handler=handle_status)
    join = ssub.add_parser(
        "join", parents=[common], help="join this kiosk to a county server",
        description="Check the URL that `kiosk server add-kiosk` printed, save it beside "
        "data.db (data.db.county, owner-only; never in data.db), set kiosk_id to the id "
        "the server knows, and queue every existing record for the first sync. The URL is "
        "read from standard input (one line) unless --server is given.")
    join.add_argument("--server", default=None, metavar="URL")
    join.set_defaults(handler=handle_join)
    p.set_defaults(handler=handle_sync)


def handle_sync(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.context import open_context
    from kiosk.county import outbox, sync
    from kiosk.errors import KioskError

    ctx = open_context(db_path(args), create=False)
    try:
        url, kiosk_id = sync.server_url(ctx.db_path, args.server)
        if not outbox.enabled(ctx.db):
            raise KioskError("this kiosk has not joined a county server, so nothing is "
                             "queued: run `kiosk sync join` first")
        kiosk_id = kiosk_id or ctx.settings.kiosk_id
        result = sync.push(ctx.db, url, kiosk_id, ctx.clock)
    finally:
        ctx.db.close()
    print(f"Synced: {result.sent} records sent in {result.batches} batches; "
          f"{result.certificates} certificates of this kiosk's people held in the county.")
    if result.conflicts:
        print(f"{result.conflicts} people are recorded differently at another centre: see "
              "`kiosk sync status`.")
    return 0


def handle_status(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.context import open_context
    from kiosk.county import credentials, outbox

    ctx = open_context(db_path(args), create=False)
    try:
        state = outbox.state(ctx.db)
        clashes = outbox.conflicts(ctx.db)
        joined = credentials.load(ctx.db_path) is not None
    finally:
        ctx.db.close()
    print(f"County server: {'joined as ' + state.kiosk_id if state.enabled else 'not joined'}"
          + ("" if joined or not state.enabled else " (its settings file is missing: "
             "join again)"))
    print(f"Last synced: {state.last_synced_at or 'never'}")
    print(f"Not yet sent: {state.unsent}")
    print(f"Last error: {state.last_error or 'none'}")
    for c in clashes:
        print(f"Conflict: {c['username']}: {c['field']} is '{c['here']}' here but "
              f"'{c['there']}' at {c['centre'] or c['kiosk_id']}; edit the person here, or "
              "ask that centre, so both agree")
    return 0


def handle_join(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.context import open_context
    from kiosk.county import sync

    url = args.server
    if not url:
        if sys.stdin.isatty():
            import getpass

            url = getpass.getpass("County server URL (from `kiosk server add-kiosk`): ")
        else:
            url = sys.stdin.readline().strip()
    if not url:
        raise ValidationError("no server URL was given")
    ctx = open_context(db_path(args), create=False)
    try:
        kiosk_id, queued = sync.join(ctx.db, ctx.db_path, ctx.clock, url)
    finally:
        ctx.db.close()
    print(f"Joined the county as kiosk {kiosk_id}; {queued} existing records are queued "
          "for the first `kiosk sync`.")
    return 0
