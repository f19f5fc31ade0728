"""`kiosk purge`: the retention purge of old access-log rows or results."""

from __future__ import annotations

import argparse

from kiosk import retention
from kiosk.cli import signin
from kiosk.console import stdin_is_terminal
from kiosk.context import open_context
from kiosk.errors import KioskError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "purge", parents=[common], help="remove access-log rows or results older than N months",
        description="Remove access-log rows (default) or results older than N months. "
        "Shows the count and asks first; --yes skips the question (needed when there is "
        "no terminal). The purge is recorded in the access log, and the log's hash chain "
        "still verifies afterwards.")
    p.add_argument("--older-than-months", type=int, required=True, metavar="N",
                   dest="months")
    p.add_argument("--what", choices=retention.WHAT, default=retention.ACCESS_LOG,
                   help="what to purge (default: access-log)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    signin.add_flag(p)
    p.set_defaults(handler=handle_purge)


def handle_purge(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.operations import maintenance

    ctx = open_context(db_path(args), create=False)
    actor = signin.sign_in(ctx, args)
    count, cutoff = maintenance.purge_preview(ctx, actor, args.what, args.months)
    noun = "access-log rows" if args.what == retention.ACCESS_LOG else "results"
    print(f"{count} {noun} from before {cutoff[:10]} (older than {args.months} months).")
    if count == 0:
        print("Nothing to purge.")
        return 0
    if not args.yes:
        if not stdin_is_terminal():  # NUL on Windows passes isatty()
            raise KioskError("not purging without confirmation: run at a terminal, or add "
                             "--yes")
        answer = input(f"Delete these {count} {noun} for ever? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was deleted.")
            return 0
    done = maintenance.purge(ctx, actor, args.what, args.months)
    print(f"Purged {done} {noun}.")
    return 0
