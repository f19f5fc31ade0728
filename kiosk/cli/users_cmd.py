"""`kiosk users ...`: add, list, unlock and disable accounts from the command line."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk import users
from kiosk.context import open_context
from kiosk.errors import ValidationError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("users", help="manage accounts")
    usub = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    add = usub.add_parser("add", parents=[common], help="add an account",
                          description="Add an account. The password is read from standard "
                          "input when that is not a terminal, and asked twice when it is.")
    add.add_argument("username")
    add.add_argument("--role", choices=users.ROLES, required=True)
    add.add_argument("--name", default="", metavar='"Full Name"', help="the person's full name")
    add.add_argument("--job-title", default="", help="their job or role at the centre")
    add.set_defaults(handler=handle_add)

    lst = usub.add_parser("list", parents=[common], help="list accounts")
    lst.set_defaults(handler=handle_list)

    unl = usub.add_parser("unlock", parents=[common], help="unlock a locked account")
    unl.add_argument("username")
    unl.set_defaults(handler=handle_unlock)

    dis = usub.add_parser("disable", parents=[common],
                          help="disable an account (records are kept)")
    dis.add_argument("username")
    dis.set_defaults(handler=handle_disable)

    imp = usub.add_parser(
        "import", parents=[common], help="add people from a CSV file",
        description="Add people from a CSV file with the header "
        "username,full_name,role,job_title (see README). Each new account gets a "
        "temporary password, printed once, and must choose its own at first sign-in. "
        "Bad rows are reported and skipped; the good ones are added.")
    imp.add_argument("file", metavar="FILE")
    imp.set_defaults(handler=handle_import)

    rst = usub.add_parser(
        "reset-password", parents=[common], help="set a new password that must be changed",
        description="Set a new password for USERNAME; they must choose their own at their "
        "next sign-in. The password is read from standard input when that is not a "
        "terminal, and asked twice when it is. Also clears a lockout.")
    rst.add_argument("username")
    rst.set_defaults(handler=handle_reset_password)


def read_new_password(prompt: str = "Password") -> str:
    """One line from a pipe, or asked twice at a terminal. Never echoed, never logged."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        if not password:
            raise ValidationError("no password was given on standard input")
        return password
    first = getpass.getpass(f"{prompt}: ")
    second = getpass.getpass(f"{prompt} (again): ")
    if first != second:
        raise ValidationError("the two passwords did not match; nothing was changed")
    return first


def handle_add(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path

    # Check the username before asking for a password, so a typo costs nothing.
    users.check_username(args.username)
    password = read_new_password()
    ctx = open_context(db_path(args))
    user = users.create(ctx.db, ctx.settings, ctx.clock, username=args.username,
                        password=password, role=args.role, full_name=args.name,
                        job_title=args.job_title)
    print(f"Added {user.role} '{user.username}'.")
    return 0


def status_of(user: users.User, now_iso: str) -> str:
    if user.disabled:
        return "disabled"
    if user.locked_until and user.locked_until > now_iso:
        return "locked"
    return "active"


def handle_list(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.clock import to_iso

    ctx = open_context(db_path(args), create=False)
    now = to_iso(ctx.clock.now())
    rows = [("USERNAME", "ROLE", "STATUS", "LAST SIGN-IN", "NAME")]
    for u in users.list_users(ctx.db):
        rows.append((u.username, u.role, status_of(u, now), u.last_login_at or "never",
                     u.full_name))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4])
    return 0


def handle_unlock(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path

    ctx = open_context(db_path(args), create=False)
    user = users.unlock(ctx.db, ctx.settings, ctx.clock, args.username)
    print(f"Unlocked '{user.username}'.")
    return 0


def handle_disable(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path

    ctx = open_context(db_path(args), create=False)
    user = users.set_disabled(ctx.db, ctx.settings, ctx.clock, args.username, True)
    print(f"Disabled '{user.username}'. Their records are kept.")
    return 0


def handle_import(args: argparse.Namespace) -> int:
    from kiosk import people_import
    from kiosk.cli import db_path

    ctx = open_context(db_path(args), create=False)

    def show(report: people_import.ImportReport) -> None:
        # Called before the accounts are committed: if this output never arrives (the
        # process is killed, the pipe is closed), no account is left behind.
        for note in report.notes:
            print(f"note: {note}")
        if report.accepted:
            print("Added (temporary passwords are shown only now; each person must choose "
                  "their own at first sign-in):")
            for row in report.accepted:
                print(f"  line {row.line}: {row.username}  temporary password: "
                      f"{row.temporary_password}")
        if report.rejected:
            print("Not added:")
            for row in report.rejected:
                print(f"  {row.describe()}")
        print(report.summary(), flush=True)

    report = people_import.import_people(ctx.db, ctx.settings, ctx.clock, args.file,
                                         before_commit=show)
    if report.rejected:
        # A partial import is a failure a script must notice; the good rows stay added.
        raise ValidationError(f"{len(report.rejected)} row(s) were not added (listed above); "
                              "fix them and import just those rows again")
    return 0


def handle_reset_password(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path

    ctx = open_context(db_path(args), create=False)
    user = users.require(ctx.db, args.username)
    password = read_new_password("New password")
    users.set_password(ctx.db, ctx.settings, ctx.clock, user, password, must_change=True)
    print(f"Password reset for '{user.username}'; they must choose a new one at their next "
          "sign-in.")
    return 0
