"""`kiosk demo`: a separate database full of sample people and records, then the kiosk on it.

So a newcomer can see every screen in a minute without touching a centre's data.db:
the demo refuses any file called data.db and the kiosk's own default database, and
only ever replaces a file that it made itself.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.errors import ValidationError

if TYPE_CHECKING:  # the demo loads these only when it runs
    from kiosk.auth import Authenticator
    from kiosk.clock import FakeClock
    from kiosk.context import AppContext

DEMO_CENTRE = "Demo Children's Centre (sample data)"
DEMO_KIOSK_ID = "demo-kiosk"

# Demo-only passwords, printed on screen: this database holds no real person.
MANAGER_PASSWORD = "demo-manager-passphrase"  # noqa: S105
LEARNER_PASSWORD = "demo-learner-passphrase"  # noqa: S105

# (username, full name, role, job title, what their record shows)
PEOPLE = (
    ("demo-manager", "Zoë Ødegård", "manager", "Centre manager", "manager"),
    ("llyr", "Llŷr Wyn", "learner", "Early years practitioner", "passed"),
    ("sian", "Siân Jones", "learner", "Family support worker", "due"),
    ("aoife", "Aoife Ní Bhriain", "learner", "Volunteer", "expired"),
    ("dafydd", "Dafydd O'Neill", "learner", "Cook", "failed"),
    ("chloe", "Chloé Lefèvre", "learner", "Play worker", "in_progress"),
    ("tomas", "Tomás Ó Súilleabháin", "learner", "Receptionist", "locked"),
    ("priya", "Priya Patel", "learner", "Outreach worker", "not started"),
)


def default_demo_path() -> Path:
    return Path(tempfile.gettempdir()) / "kiosk-demo" / "demo.db"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "demo", parents=[common], help="build a demo database with sample staff and open it",
        description="Build a separate demo database (never data.db) with sample staff, "
        "results, a lockout and log rows, print the demo sign-ins, and open the kiosk on it "
        f"full-screen. Default file: {default_demo_path()}",
    )
    p.add_argument("--no-run", action="store_true",
                   help="only build the demo database and print the sign-ins")
    p.add_argument("--windowed", action="store_true",
                   help="open the demo in an ordinary window instead of full-screen")
    p.set_defaults(handler=handle)


def check_target(path: Path) -> None:
    """Refuse anything that could be a centre's real database."""
    from kiosk.paths import default_db_path

    if path.name.casefold() == "data.db":
        raise ValidationError("the demo never writes to a file called data.db; "
                              "give another name, e.g. --db demo.db")
    if path.resolve() == default_db_path().resolve():
        raise ValidationError(f"{path} is the kiosk's own database ($KIOSK_DB); "
                              "the demo needs a separate file")
    if path.exists() and not is_demo_database(path):
        raise ValidationError(f"{path} already exists and was not made by `kiosk demo`; "
                              "it was left alone. Give a new file name.")


def is_demo_database(path: Path) -> bool:
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = 'centre_name'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return bool(row) and DEMO_CENTRE in str(row[0])


def remove_old_demo(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build_demo(path: Path) -> None:
    from kiosk import sample_data, users
    from kiosk.auth import Authenticator
    from kiosk.clock import FakeClock
    from kiosk.context import open_context

    check_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_old_demo(path)
    ctx = open_context(path)
    try:
        ctx.settings.set("centre_name", DEMO_CENTRE)
        ctx.settings.set("kiosk_id", DEMO_KIOSK_ID)
        rng = random.Random(2026)
        now = ctx.clock.now()
        made = {}
        for username, name, role, job, _ in PEOPLE:
            password = MANAGER_PASSWORD if role == "manager" else LEARNER_PASSWORD
            made[username] = users.create(ctx.db, ctx.settings, ctx.clock, username=username,
                                          password=password, role=role, full_name=name,
                                          job_title=job)
        # Past sign-in traffic first, so the log reads in time order.
        sample_data.add_access_events(ctx.db, 400, rng=rng, kiosk_id=DEMO_KIOSK_ID,
                                      end=now - timedelta(minutes=20))
        with_results = [(made[u].id, state) for u, *_, state in PEOPLE
                        if state in sample_data.OUTCOMES]
        sample_data.add_attempts(
            ctx.db, sample_data.default_course(), [uid for uid, _ in with_results],
            len(with_results), rng=rng, kiosk_id=DEMO_KIOSK_ID, today=now,
            outcomes=[state for _, state in with_results])
        lock_out(ctx, made["tomas"].username, Authenticator, FakeClock, now)
    finally:
        ctx.db.close()


def lock_out(ctx: AppContext, username: str, authenticator_cls: type[Authenticator],
             clock_cls: type[FakeClock], now: datetime) -> None:
    """Real failed sign-ins through the Authenticator, so the lockout is logged as usual.

    A clock a minute apart per try (ending a minute ago) steps past the rising delays,
    and leaves the lock running for a while after the demo opens.
    """
    threshold = int(ctx.settings.get("lockout_threshold"))
    clock = clock_cls(now - timedelta(minutes=threshold + 1))
    auth = authenticator_cls(ctx.db, ctx.settings, clock)
    for _ in range(threshold):
        clock.advance(minutes=1)
        auth.login(username, "a wrong guess at the password")


def print_logins(path: Path) -> None:
    print(f"Demo database: {path}")
    print("DEMO ONLY - sample people and sign-ins; never use these on a real kiosk.")
    print(f"  {'USERNAME':<14} {'PASSWORD':<26} SHOWS")
    for username, name, role, _, state in PEOPLE:
        password = MANAGER_PASSWORD if role == "manager" else LEARNER_PASSWORD
        shows = "the manager's area" if role == "manager" else f"{name}: {state.replace('_', ' ')}"
        if state == "locked":
            shows += " (too many wrong passwords; unlock it as the manager)"
        print(f"  {username:<14} {password:<26} {shows}")


def handle(args: argparse.Namespace) -> int:
    path = Path(args.db) if args.db else default_demo_path()
    build_demo(path)
    print_logins(path)
    if args.no_run:
        return 0
    if not args.windowed:
        print("Opening full-screen, like a real kiosk; sign in as demo-manager and use "
              "'Close the kiosk...' to leave, or run `kiosk demo --windowed`.")
    sys.stdout.flush()
    from kiosk.ui.app import run  # Qt only when the demo actually opens

    return run(path, windowed=args.windowed)
