"""`kiosk demo`: a separate sample database whose printed sign-ins really work."""

from __future__ import annotations

import re

from kiosk import access_log, users
from kiosk.context import open_context
from tests.conftest import kiosk_env


def printed_logins(stdout: str) -> dict[str, str]:
    rows = re.findall(r"^  (\S+)\s+(demo-\S+-passphrase)\s", stdout, flags=re.M)
    return dict(rows)


def test_demo_builds_accounts_and_records_without_touching_data_db(run_kiosk, tmp_path, clock):
    """`kiosk demo --no-run --db demo.db` makes the sample people, results, a lockout and log
    rows in that file only, marks the sign-ins demo-only, and every printed sign-in works."""
    demo = tmp_path / "demo.db"
    proc = run_kiosk("demo", "--no-run", "--db", str(demo), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "DEMO ONLY" in proc.stdout
    assert demo.exists()
    assert not (tmp_path / "data.db").exists()
    logins = printed_logins(proc.stdout)
    assert {"demo-manager", "llyr", "tomas"} <= set(logins)

    # The demo ran on the test's clock; sign in on the same day, a moment later.
    ctx = open_context(demo, create=False, clock=clock)
    try:
        assert users.find(ctx.db, "llyr").full_name == "Llŷr Wyn"
        assert users.find(ctx.db, "demo-manager").full_name == "Zoë Ødegård"
        outcomes = {r["status"] for r in ctx.db.query("SELECT status FROM attempts")}
        assert outcomes == {"submitted", "in_progress"}
        lockouts = list(ctx.db.query("SELECT username_entered FROM access_log WHERE event = ?",
                                     [access_log.LOCKOUT]))
        assert [r["username_entered"] for r in lockouts] == ["tomas"]
        assert ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0] > 100
        assert access_log.verify_chain(ctx.db).ok
        for username, password in logins.items():
            outcome = ctx.auth.login(username, password)
            assert outcome.ok is (username != "tomas"), username  # tomas is locked out
    finally:
        ctx.db.close()


def test_demo_refuses_data_db_and_the_kiosk_database(run_kiosk, tmp_path):
    """A file called data.db, or the kiosk's own $KIOSK_DB, is refused and left alone."""
    refused = run_kiosk("demo", "--no-run", "--db", str(tmp_path / "data.db"))
    assert refused.returncode == 1
    assert refused.stderr.startswith("kiosk: error:")
    assert not (tmp_path / "data.db").exists()

    live = tmp_path / "live.db"
    same = run_kiosk("demo", "--no-run", "--db", str(live), env=kiosk_env(live))
    assert same.returncode == 1
    assert "separate file" in same.stderr
    assert not live.exists()


def test_demo_leaves_an_unrelated_file_alone(run_kiosk, tmp_path):
    """An existing file not made by the demo is not overwritten."""
    other = tmp_path / "notes.db"
    other.write_bytes(b"precious")
    proc = run_kiosk("demo", "--no-run", "--db", str(other))
    assert proc.returncode == 1
    assert other.read_bytes() == b"precious"
