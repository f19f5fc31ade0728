"""A manager's sign-in for the commands that change people or settings or export records.

`--as USERNAME` names the manager; the password is read from standard input when that is
not a terminal (one line, for scheduled jobs: first line the manager's password, then any
new password the command asks for) and asked without echo when it is. The sign-in goes
through the same checks as the login screen (lockout, throttling, every attempt logged),
and every row the command writes names the manager and the operating-system user.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.audit import Actor
from kiosk.context import AppContext
from kiosk.errors import KioskError, ValidationError


def add_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as", dest="as_user", metavar="USERNAME", default=None,
                   help="sign in as this manager; the password is read from standard input "
                   "when it is not a terminal, otherwise asked")


def read_secret(prompt: str) -> str:
    """One line from a pipe, or typed without echo at a terminal. Never logged."""
    from kiosk.console import stdin_is_terminal

    if not stdin_is_terminal():  # a pipe, a file, or NUL on Windows (which isatty() calls a tty)
        line = sys.stdin.readline()
        secret = line[:-1] if line.endswith("\n") else line
        secret = secret[:-1] if secret.endswith("\r") else secret
        if not secret:
            raise ValidationError(f"no {prompt.lower()} was given on standard input")
        return secret
    return getpass.getpass(f"{prompt}: ")


def sign_in(ctx: AppContext, args: argparse.Namespace) -> Actor:
    from kiosk.operations import session

    if not getattr(args, "as_user", None):
        raise KioskError("this command needs a manager's sign-in: add --as USERNAME (the "
                         "password is then read from standard input, or asked)")
    password = read_secret(f"Password for {args.as_user}")
    return session.sign_in_command_line(ctx, args.as_user, password)
