"""What every command must prove, decided for all of them (issue 11; SECURITY.md, "What
the command line can do, and who can run it").

Each command is in exactly one class below, so a new command cannot be added without a
decision; every command that changes people or settings, or exports or sends personal
data, is attacked without a sign-in through the real CLI and must change nothing.
"""

from __future__ import annotations

import argparse
import sqlite3

from tests.conftest import MANAGER_PASSWORD
from tests.test_cli import add, assert_one_line_error

# A manager's sign-in (--as), always.
SIGN_IN = {
    "users add", "users list", "users unlock", "users disable", "users import",
    "users reset-password", "settings set", "export access-log", "export results",
    "export answers", "export matrix", "export person", "export item-analysis", "purge",
    "backup", "sync join", "county link",
}
# A manager's sign-in for part of what they do: `sync --server` to any server but the
# joined one; `sync status` names people only with --as (tests/test_county_signin.py).
SIGN_IN_FOR_PART = {"sync", "sync status"}
# Read nothing personal, touch no data.db, or must work with nobody to sign in as.
OPEN = {"settings list", "settings get", "verify", "log verify", "log receipt",
        "certificate verify", "content check", "demo", "gallery", "run", "restore"}
# PostgreSQL checks the role in the URL; nothing local is read or written.
SERVER_ROLE = {"server init", "server add-kiosk", "server add-reporter", "county matrix",
               "county results", "county access-log", "county verify"}


def commands(parser: argparse.ArgumentParser,
             prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every command that runs something, by its words ("users add"), with its parser."""
    found: dict[str, argparse.ArgumentParser] = {}
    if parser.get_default("handler") is not None:
        found[prefix.strip()] = parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(commands(sub, f"{prefix} {name}"))
    return found


def test_every_command_has_a_decided_authority():
    from kiosk.cli import build_parser

    every = commands(build_parser())
    classes = (SIGN_IN, SIGN_IN_FOR_PART, OPEN, SERVER_ROLE)
    assert sum(len(c) for c in classes) == len(set().union(*classes))  # no overlaps
    assert set(every) == set().union(*classes)
    for name in SIGN_IN | SIGN_IN_FOR_PART:
        flags = {o for a in every[name]._actions for o in a.option_strings}
        assert "--as" in flags, name


def test_nothing_that_changes_people_settings_or_sends_data_runs_without_a_sign_in(
        run_kiosk, tmp_path):
    db = tmp_path / "data.db"
    assert add(run_kiosk, db, "boss", "manager").returncode == 0
    assert add(run_kiosk, db, "llyr", "learner", "a kettle on the hob").returncode == 0
    people = tmp_path / "people.csv"
    people.write_text("username,full_name\r\nnew.person,New Person\r\n", encoding="utf-8")
    out = tmp_path / "out"

    def snapshot() -> tuple[list[tuple], list[tuple], int]:
        with sqlite3.connect(db) as conn:
            return (conn.execute("SELECT * FROM users ORDER BY id").fetchall(),
                    conn.execute("SELECT key, value FROM settings ORDER BY key").fetchall(),
                    conn.execute("SELECT COUNT(*) FROM access_log").fetchone()[0])

    before = snapshot()
    attacks = {
        "users add": ("users", "add", "mallory", "--role", "manager"),
        "users list": ("users", "list"),
        "users unlock": ("users", "unlock", "llyr"),
        "users disable": ("users", "disable", "llyr"),
        "users import": ("users", "import", str(people)),
        "users reset-password": ("users", "reset-password", "llyr"),
        "settings set": ("settings", "set", "pass_mark", "10"),
        "export access-log": ("export", "access-log", "--out", str(out)),
        "export results": ("export", "results", "--out", str(out)),
        "export answers": ("export", "answers", "--out", str(out)),
        "export matrix": ("export", "matrix", "--out", str(out)),
        "export person": ("export", "person", "llyr", "--out", str(out)),
        "export item-analysis": ("export", "item-analysis", "--out", str(out)),
        "purge": ("purge", "--older-than-months", "1", "--yes"),
        "backup": ("backup", str(out)),
        # Refused before any server is asked: no server is needed to prove it.
        "sync join": ("sync", "join", "--server", "postgresql://k:pw@127.0.0.1:1/county"),
        "county link": ("county", "link", "llyr", "--certificate", "SGK-AAAA-BBBB"),
        "sync --server": ("sync", "--server", "postgresql://k:pw@127.0.0.1:1/evil"),
    }
    assert set(attacks) - {"sync --server"} == SIGN_IN
    for name, args in attacks.items():
        result = run_kiosk(*args, "--db", str(db), input=MANAGER_PASSWORD + "\n")
        assert_one_line_error(result, "needs a manager's sign-in")
        assert not out.exists(), name
        assert snapshot() == before, name  # not a row, not a setting, not an account
