"""Build a sample kiosk database for benchmarks, through the project's own code.

    .venv/bin/python benchmarks/make_data.py --db /tmp/pkg/big.db --users 500 \\
        --attempts 100000 --access-events 1000000

Accounts: kiosk.users (one password hashed once and shared: Argon2 costs ~0.1 s per hash
by design, see users.create_many). Log rows: kiosk.access_log.append_many, so the hash
chain verifies. Attempts: see kiosk.sample_data.add_attempts (direct rows in the m001
schema until kiosk.quiz is merged). Refuses a file called data.db.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk import sample_data
from kiosk.context import open_context

# Shared by every sample account; benchmarks sign in with it.
SAMPLE_PASSWORD = "benchmark-sample-passphrase-2026"  # noqa: S105 - sample data only


def build(db_path: Path, *, users: int, attempts: int, access_events: int,
          questions_per_attempt: int = 10, seed: int = 7, quiet: bool = False) -> None:
    if db_path.name.lower() == "data.db":
        raise SystemExit("make_data: refusing to write sample rows into a file named data.db")
    started = time.perf_counter()
    rng = random.Random(seed)
    ctx = open_context(db_path)
    ctx.settings.set("centre_name", "Benchmark Children's Centre")
    ids = sample_data.add_bulk_users(ctx.db, ctx.settings, ctx.clock, users, SAMPLE_PASSWORD,
                                     rng)
    if attempts:
        course = sample_data.default_course()
        sample_data.add_attempts(ctx.db, course, ids, attempts, rng=rng,
                                 kiosk_id=ctx.kiosk_id, today=sample_data.utc_today(),
                                 questions_per_attempt=questions_per_attempt)
    sample_data.add_access_events(ctx.db, access_events, rng=rng, kiosk_id=ctx.kiosk_id,
                                  end=sample_data.utc_today())
    ctx.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ctx.db.close()
    if not quiet:
        print(f"make_data: {db_path} with {users} users, {attempts} attempts, "
              f"{access_events} access events in {time.perf_counter() - started:.1f} s")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, required=True, metavar="PATH")
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--attempts", type=int, default=0)
    p.add_argument("--access-events", type=int, default=0)
    p.add_argument("--questions-per-attempt", type=int, default=10)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    if args.db.exists():
        raise SystemExit(f"make_data: {args.db} exists; give a new file")
    build(args.db, users=args.users, attempts=args.attempts, access_events=args.access_events,
          questions_per_attempt=args.questions_per_attempt, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
