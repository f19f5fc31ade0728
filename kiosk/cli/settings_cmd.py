"""`kiosk settings ...`: read and change settings (keys are a public contract).

Reading is open to anyone who can read the file (no personal data); `set` needs --as.
"""

from __future__ import annotations

import argparse

from kiosk.cli import signin
from kiosk.context import open_context
from kiosk.settings import REGISTRY, format_value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("settings", help="read and change settings")
    ssub = p.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    lst = ssub.add_parser("list", parents=[common], help="every setting with its value")
    lst.set_defaults(handler=handle_list)
    get = ssub.add_parser("get", parents=[common], help="print one setting's value")
    get.add_argument("key")
    get.set_defaults(handler=handle_get)
    st = ssub.add_parser("set", parents=[common], help="change one setting")
    st.add_argument("key")
    st.add_argument("value")
    signin.add_flag(st)
    st.set_defaults(handler=handle_set)


def handle_list(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path

    ctx = open_context(db_path(args), create=False)
    values = ctx.settings.all()
    width = max(len(s.key) for s in REGISTRY)
    for s in REGISTRY:
        print(f"{s.key.ljust(width)}  {format_value(values[s.key])!s:<14}  # {s.help}")
    return 0


def handle_get(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path

    ctx = open_context(db_path(args), create=False)
    print(format_value(ctx.settings.get(args.key)))
    return 0


def handle_set(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.operations import settings as settings_ops

    settings_ops.check({args.key: args.value})  # a bad value costs no password prompt
    ctx = open_context(db_path(args), create=False)
    settings_ops.change(ctx, signin.sign_in(ctx, args), {args.key: args.value})
    print(f"{args.key} = {format_value(ctx.settings.get(args.key))}")
    return 0
