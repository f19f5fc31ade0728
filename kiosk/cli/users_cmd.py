"""`kiosk users ...`: add, list, unlock, disable, import and reset accounts.

Every action needs a manager's sign-in (`--as`), except adding the first manager to a
database that has none (the command line's version of the first-run set-up screen).
"""

from __future__ import annotations

import argparse
import getpass

from kiosk import users
from kiosk.cli import signin
from kiosk.console import stdin_is_terminal
from kiosk.context import open_context
from kiosk.errors import ValidationError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("users", help="manage accounts")
    usub = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    add = usub.add_parser("add", parents=[common], help="add an account",
                          description="Add an account. Needs --as MANAGER unless the database "
                          "has no active manager yet. The new password is read from standard "
                          "input when that is not a terminal (after the manager's password), "
                          "and asked twice when it is.")
    add.add_argument("username")
    add.add_argument("--role", choices=users.ROLES, required=True)
    add.add_argument("--name", default="", metavar='"Full Name"', help="the person's full name")
    add.add_argument("--job-title", default="", help="their job or role at the centre")
    signin.add_flag(add)
    add.set_defaults(handler=handle_add)

    lst = usub.add_parser("list", parents=[common], help="list accounts")
    signin.add_flag(lst)
    lst.set_defaults(handler=handle_list)

    unl = usub.add_parser("unlock", parents=[common], help="unlock a locked account")
    unl.add_argument("username")
    signin.add_flag(unl)
    unl.set_defaults(handler=handle_unlock)

    dis = usub.add_parser("disable", parents=[common],
                          help="disable an account (records are kept)")
    dis.add_argument("username")
    signin.add_flag(dis)
    dis.set_defaults(handler=handle_disable)

    imp = usub.add_parser(
        "import", parents=[common], help="add people from a CSV file",
        description="Add people from a CSV file with the header "
        "username,full_name,role,job_title (see README). Each new account gets a "
        "temporary password, printed once, and must choose its own at first sign-in. "
        "Bad rows are reported and skipped; the good ones are added.")
    imp.add_argument("file", metavar="FILE")
    signin.add_flag(imp)
    imp.set_defaults(handler=handle_import)

    rst = usub.add_parser(
        "reset-password", parents=[common], help="set a new password that must be changed",
        description="Set a new password for USERNAME; they must choose their own at their "
        "next sign-in. The password is read from standard input when that is not a "
        "terminal (after the manager's password), and asked twice when it is. Also clears "
        "a lockout.")
    rst.add_argument("username")
    signin.add_flag(rst)
    rst.set_defaults(handler=handle_reset_password)


def read_new_password(prompt: str = "Password") -> str:
    """One line from a pipe, or asked twice at a terminal. Never echoed, never logged."""
    if not stdin_is_terminal():  # a pipe, a file, or NUL on Windows
        return signin.read_secret(prompt)
    first = getpass.getpass(f"{prompt}: ")
    second = getpass.getpass(f"{prompt} (again): ")
    if first != second:
        raise ValidationError("the two passwords did not match; nothing was changed")
    return first


def handle_add(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.operations import people, session

    # Check the username before asking for a password, so a typo costs nothing.
    users.check_username(args.username)
    ctx = open_context(db_path(args))
    if not args.as_user and not users.manager_exists(ctx.db):
        if args.role != "manager":
            raise ValidationError("there is no manager yet: add a manager first "
                                  "(--role manager)")
        user = people.add_first_manager(
            ctx, username=args.username, password=read_new_password(), full_name=args.name,
            job_title=args.job_title, via=session.command_line_via())
    else:
        actor = signin.sign_in(ctx, args)
        user = people.add(ctx, actor, username=args.username, role=args.role,
                          full_name=args.name, job_title=args.job_title,
                          password=read_new_password()).user
    print(f"Added {user.role} '{user.username}'.")
    return 0


def handle_list(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.operations import exports, people

    ctx = open_context(db_path(args), create=False)
    actor = signin.sign_in(ctx, args)
    listed = people.list_people(ctx, actor)
    exports.record_view(ctx, actor, "people list")
    rows = [("USERNAME", "ROLE", "STATUS", "LAST SIGN-IN", "NAME")]
    for p in listed:
        u = p.user
        rows.append((u.username, u.role, p.state, u.last_login_at or "never", u.full_name))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4])
    return 0


def handle_unlock(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.operations import people

    ctx = open_context(db_path(args), create=False)
    user = people.unlock(ctx, signin.sign_in(ctx, args), args.username)
    print(f"Unlocked '{user.username}'.")
    return 0


def handle_disable(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.operations import people

    ctx = open_context(db_path(args), create=False)
    user = people.set_disabled(ctx, signin.sign_in(ctx, args), args.username, True)
    print(f"Disabled '{user.username}'. Their records are kept.")
    return 0


def handle_import(args: argparse.Namespace) -> int:
    from kiosk import people_import
    from kiosk.cli import db_path
    from kiosk.operations import people

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

    report = people.import_people(ctx, signin.sign_in(ctx, args), args.file,
                                  before_commit=show)
    if report.rejected:
        # A partial import is a failure a script must notice; the good rows stay added.
        raise ValidationError(f"{len(report.rejected)} row(s) were not added (listed above); "
                              "fix them and import just those rows again")
    return 0


def handle_reset_password(args: argparse.Namespace) -> int:
    from kiosk.cli import db_path
    from kiosk.operations import people

    ctx = open_context(db_path(args), create=False)
    actor = signin.sign_in(ctx, args)
    target = users.require(ctx.db, args.username)
    user, _ = people.reset_password(ctx, actor, target.username,
                                    read_new_password("New password"))
    print(f"Password reset for '{user.username}'; they must choose a new one at their next "
          "sign-in.")
    return 0
