"""County load check: 20 kiosks, each with a year of records, pushing to one PostgreSQL at once.

    .venv/bin/python benchmarks/county_load.py [--kiosks 20] [--quick]

Per kiosk (the issue's "year"): 200 people, 600 attempts with their answers (10
questions each), 50,000 access-log rows, built through kiosk.sample_data (the same
bulk helpers as benchmarks/make_data.py) and cached. Each kiosk then joins a fresh
county on a PostgreSQL started here (tests/pg_server.py: 127.0.0.1, a free port),
which queues its year in the outbox (the backfill), and all of them run the real
`kiosk sync` at once, each in its own process as on separate PCs. Reported: time to a
fully synced county, rows per second, the county matrix query on the result, that
the server's row counts equal the sum of the kiosks', and a kiosk's sign-in time
while its own background push runs (in a thread of the same process, as in
kiosk/ui/county_sync.py, same batch size and pauses) against the same sign-ins with
no push. Not a test.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import sample_data  # noqa: E402
from kiosk.clock import FakeClock  # noqa: E402
from kiosk.context import open_context  # noqa: E402

PASSWORD = "benchmark-sample-passphrase-2026"  # noqa: S105 - sample data only
TARGETS = {"sync": 60.0, "matrix": 1.0, "sign_in": 0.05}


def build_kiosk(path: Path, kiosk_id: str, *, people: int, attempts: int, log_rows: int,
                seed: int) -> None:
    rng = random.Random(seed)
    ctx = open_context(path, clock=FakeClock())
    ctx.settings.set("centre_name", f"Centre {kiosk_id}")
    ctx.settings.set("kiosk_id", kiosk_id)
    ids = sample_data.add_bulk_users(ctx.db, ctx.settings, ctx.clock, people, PASSWORD, rng)
    sample_data.add_attempts(ctx.db, sample_data.default_course(), ids, attempts, rng=rng,
                             kiosk_id=kiosk_id, today=sample_data.utc_today())
    sample_data.add_access_events(ctx.db, log_rows, rng=rng, kiosk_id=kiosk_id,
                                  end=sample_data.utc_today())
    ctx.db.close()


def local_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        q = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
        return {
            "people": q("SELECT COUNT(*) FROM users"),
            "attempts": q("SELECT COUNT(*) FROM attempts WHERE status = 'submitted'"),
            "attempt_answers": q("SELECT COUNT(*) FROM attempt_questions q JOIN attempts a ON "
                                 "a.id = q.attempt_id WHERE a.status = 'submitted'"),
            "access_log": q("SELECT COUNT(*) FROM access_log"),
        }
    finally:
        conn.close()


def kiosk_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("KIOSK_DB", None)
    return env


def sign_in_times(ctx, n: int) -> list[float]:
    times = []
    for _ in range(n):
        ctx.clock.advance(minutes=20)
        t = time.perf_counter()
        outcome = ctx.auth.login("staff000002", PASSWORD)
        times.append(time.perf_counter() - t)
        assert outcome.ok
    return times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kiosks", type=int, default=20)
    p.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    p.add_argument("--cache", type=Path,
                   default=Path(tempfile.gettempdir()) / "pkg" / "county-bench-cache")
    args = p.parse_args(argv)
    scale = 10 if args.quick else 1
    people, attempts, log_rows = 200 // scale, 600 // scale, 50_000 // scale
    cache = args.cache / f"{people}-{attempts}-{log_rows}"
    cache.mkdir(parents=True, exist_ok=True)

    from kiosk.county import reports, schema, sync
    from kiosk.course import load_default_courses
    from tests.pg_server import find_bin, start_server

    bindir = find_bin()
    if bindir is None:
        print("not measured: PostgreSQL is not installed (.ci/system_packages.sh)")
        return 1
    t0 = time.perf_counter()
    for n in range(args.kiosks + 1):
        target = cache / f"k{n:02d}.db"
        if not target.exists():
            build_kiosk(target.with_suffix(".partial"), f"k{n:02d}", people=people,
                        attempts=attempts, log_rows=log_rows, seed=n)
            target.with_suffix(".partial").rename(target)
    print(f"kiosk databases ready ({time.perf_counter() - t0:.1f} s)", flush=True)
    server = start_server(bindir)
    work = Path(tempfile.mkdtemp(prefix="county-bench-"))
    try:
        admin = server.create_database("county")
        schema.init_server(admin)
        paths = []
        t0 = time.perf_counter()
        for n in range(args.kiosks + 1):
            folder = work / f"k{n:02d}"
            folder.mkdir()
            path = folder / "kiosk.db"
            shutil.copy(cache / f"k{n:02d}.db", path)
            url = schema.add_kiosk(admin, f"k{n:02d}", f"Centre {n % 10}")
            ctx = open_context(path, clock=FakeClock())
            sync.join(ctx.db, ctx.db_path, ctx.clock, url)
            ctx.db.close()
            paths.append(path)
        print(f"joined {args.kiosks + 1} kiosks, outboxes filled "
              f"({time.perf_counter() - t0:.1f} s)", flush=True)
        pushers, probe = paths[:-1], paths[-1]
        expected = {k: sum(local_counts(pth)[k] for pth in pushers)
                    for k in ("people", "attempts", "attempt_answers", "access_log")}
        queued = 0
        for pth in pushers:
            conn = sqlite3.connect(pth)
            queued += conn.execute("SELECT COUNT(*) FROM county_outbox").fetchone()[0]
            conn.close()

        t0 = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-m", "kiosk", "sync", "--db", str(pth)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  env=kiosk_env(), cwd=pth.parent) for pth in pushers]
        failures = [(pr.wait(), pr.stderr.read().decode() if pr.stderr else "")
                    for pr in procs]
        took = time.perf_counter() - t0
        bad = [f for f in failures if f[0] != 0]
        server_rows = 0
        import psycopg

        with psycopg.connect(admin) as conn:
            got = {
                "people": conn.execute("SELECT count(DISTINCT (kiosk_id, local_id)) FROM "
                                       "county.people WHERE kiosk_id <> %s",
                                       [f"k{args.kiosks:02d}"]).fetchone()[0],
            }
            for table in ("attempts", "attempt_answers", "access_log"):
                got[table] = conn.execute(
                    f"SELECT count(*) FROM county.{table} WHERE kiosk_id <> %s",  # noqa: S608
                    [f"k{args.kiosks:02d}"]).fetchone()[0]
            for table in schema.DATA_TABLES:
                server_rows += conn.execute(f"SELECT count(*) FROM county.{table}"  # noqa: S608
                                            ).fetchone()[0]
            conn.execute("ANALYZE")
            courses = load_default_courses()
            today = sample_data.utc_today().date()
            matrix_times, rows = [], []
            for _ in range(5):
                t = time.perf_counter()
                rows = reports.county_matrix(conn, courses, today)
                matrix_times.append(time.perf_counter() - t)
        matrix_s = statistics.median(matrix_times)
        print(f"records queued: {queued:,} (server rows incl. answers: {server_rows:,})")
        print(f"time to a fully synced county ({args.kiosks} kiosks at once): {took:.1f} s "
              f"-> {'PASS' if took < TARGETS['sync'] and not bad else 'FAIL'} (< 60 s)")
        print(f"rows per second: {server_rows / took:,.0f} (records {queued / took:,.0f}/s)")
        print(f"failed pushes: {len(bad)}" + (f": {bad[0][1][:300]}" if bad else ""))
        print(f"server counts equal the kiosks' sums: {got == expected} {got} vs {expected}")
        print(f"county matrix query ({len(rows):,} rows): {matrix_s * 1000:.0f} ms -> "
              f"{'PASS' if matrix_s < TARGETS['matrix'] else 'FAIL'} (< 1 s)")

        # A kiosk's sign-ins with and without its own push running beside them.
        # After the sample log's last row, so its failed sign-ins do not pause this kiosk.
        ctx = open_context(probe, clock=FakeClock(sample_data.utc_today() + timedelta(days=2)))
        quiet = sign_in_times(ctx, 9)
        url, kiosk_id = sync.server_url(probe)
        done = threading.Event()

        def push() -> None:
            from kiosk.db import open_database

            db = open_database(probe, migrate=False)
            try:
                # As the running kiosk's background worker pushes.
                sync.push(db, url, kiosk_id, FakeClock(), batch_size=sync.BACKGROUND_BATCH,
                          pause_s=sync.BACKGROUND_PAUSE_SECONDS)
            finally:
                db.close()
                done.set()

        worker = threading.Thread(target=push, name="county-sync")
        worker.start()
        busy = []
        while not done.is_set() and len(busy) < 30:
            busy.extend(sign_in_times(ctx, 1))
        worker.join()
        quiet += sign_in_times(ctx, 9)  # before and after: a busy machine drifts
        ctx.db.close()
        q, b = statistics.median(quiet), statistics.median(busy) if busy else float("nan")
        change = (b - q) / q
        print(f"sign-in: {q * 1000:.0f} ms quiet vs {b * 1000:.0f} ms during its own push "
              f"({len(busy)} sign-ins) = {change * 100:+.1f}% -> "
              f"{'PASS' if change <= TARGETS['sign_in'] else 'FAIL'} (at most 5 % slower)")
    finally:
        server.stop()
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
