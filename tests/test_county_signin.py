"""What the county commands must prove (issue 11: "the command line changes people, settings
and exports personal data without any sign-in"), attacked through the real CLI in
subprocesses, against a real PostgreSQL.

- `kiosk sync join` changes kiosk_id and starts sending personal data: a manager's sign-in.
- `kiosk county link` changes who an account is in the county: a manager's sign-in.
- `kiosk sync --server` to any server but the joined one: a manager's sign-in (what goes
  there is marked sent, so it never reaches the joined server).
- `kiosk sync status` names people only to a manager.
- `kiosk sync` to the joined server: no sign-in (a scheduled job; the running kiosk pushes
  there by itself).
- `kiosk server ...` and `kiosk county` reports: the server's own role is the proof; each
  connection names the command and the OS user to the server's log.
Every row written names the manager and `[command line, OS user NAME]`.
"""

from __future__ import annotations

import sqlite3

import pytest

from kiosk.county import credentials, schema
from kiosk.osuser import os_user
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD, run_as
from tests.county_helpers import add_person, join, make_kiosk, sync_now, take_test, unsent


@pytest.fixture
def county(county_admin_url):
    schema.init_server(county_admin_url)
    return county_admin_url


def error_line(result) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk: error: "), result.stderr
    return lines[0]


def rows(db, like: str) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT username_entered, reason FROM access_log "
                            "WHERE reason LIKE ? ORDER BY id", [like]).fetchall()


def kiosk_with_people(tmp_path, kiosk_id: str = "k1"):
    ctx = make_kiosk(tmp_path, kiosk_id)
    add_person(ctx, "manager", role="manager")
    learner = add_person(ctx, "alex")
    return ctx, learner


def test_joining_a_county_server_needs_a_managers_sign_in_and_records_the_os_user(
        tmp_path, run_kiosk, county):
    ctx, _ = kiosk_with_people(tmp_path)
    url = schema.add_kiosk(county, "k1-at-county", "Riverside")
    db = str(ctx.db_path)
    ctx.db.close()

    anyone = run_kiosk("sync", "join", "--db", db, input=url + "\n")
    assert "needs a manager's sign-in" in error_line(anyone)
    learner = run_as(run_kiosk, "sync", "join", "--db", db, username="alex",
                     password=LEARNER_PASSWORD, input=url + "\n")
    assert "Only a manager" in error_line(learner)
    wrong = run_as(run_kiosk, "sync", "join", "--db", db, password="not-it",
                   input=url + "\n")
    assert "sign-in failed" in error_line(wrong)
    # Nothing joined, nothing changed by any of the three.
    assert credentials.load(ctx.db_path) is None
    assert run_kiosk("settings", "get", "kiosk_id", "--db", db).stdout.strip() == "k1"
    assert rows(db, "county join:%") == []

    done = run_as(run_kiosk, "sync", "join", "--db", db, input=url + "\n")
    assert done.returncode == 0, done.stderr
    assert credentials.load(ctx.db_path) is not None
    [(who, reason)] = rows(db, "county join:%")
    assert who == "manager"
    assert reason.startswith("county join: as kiosk k1-at-county on 127.0.0.1:")
    assert "kiosk_id k1 -> k1-at-county" in reason
    assert reason.endswith(f"[command line, OS user {os_user()}]")
    assert credentials.password_of(url) not in reason and "k1-at-county:" not in reason


def test_linking_a_person_in_the_county_needs_a_managers_sign_in(tmp_path, run_kiosk,
                                                                 county):
    a = make_kiosk(tmp_path, "ka")
    join(a, county, "Centre A")
    attempt = take_test(a, add_person(a, "zoe", "Zoë Ødegård"))
    sync_now(a)
    b, _ = kiosk_with_people(tmp_path, "kb")
    join(b, county, "Centre B")
    add_person(b, "zoe.o", "Zoë Ødegård")
    db = str(b.db_path)
    uid_before = b.db.execute("SELECT person_uid FROM users WHERE username = 'zoe.o'"
                              ).fetchone()[0]
    b.db.close()

    anyone = run_kiosk("county", "link", "zoe.o", "--certificate",
                       attempt.certificate_code, "--db", db)
    assert "needs a manager's sign-in" in error_line(anyone)
    learner = run_as(run_kiosk, "county", "link", "zoe.o", "--certificate",
                     attempt.certificate_code, "--db", db, username="alex",
                     password=LEARNER_PASSWORD)
    assert "Only a manager" in error_line(learner)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT person_uid FROM users WHERE username = 'zoe.o'"
                            ).fetchone()[0] == uid_before
    assert rows(db, "county link:%") == []

    done = run_as(run_kiosk, "county", "link", "zoe.o", "--certificate",
                  attempt.certificate_code, "--db", db)
    assert done.returncode == 0, done.stderr
    [(who, reason)] = rows(db, "county link:%")
    assert who == "manager"
    assert reason == (f"county link: zoe.o to the holder of {attempt.certificate_code} "
                      f"[command line, OS user {os_user()}]")


def test_pushing_to_another_server_needs_a_manager_and_the_joined_one_does_not(
        tmp_path, run_kiosk, county):
    """A scheduled `kiosk sync` needs no password. Sending the outbox anywhere else would
    hand personal data to that server and mark it sent (lost to the county): refused
    without a manager, and recorded before the first record leaves."""
    ctx, _ = kiosk_with_people(tmp_path)
    take_test(ctx, add_person(ctx, "zoe"))
    url = join(ctx, county)
    queued = unsent(ctx)
    db = str(ctx.db_path)
    ctx.db.close()
    other = url + ("&" if "?" in url else "?") + "connect_timeout=5"  # not the joined URL

    stolen = run_kiosk("sync", "--db", db, "--server", other)
    assert "needs a manager's sign-in" in error_line(stolen)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM county_outbox").fetchone()[0] == queued
    learner = run_as(run_kiosk, "sync", "--db", db, "--server", other, username="alex",
                     password=LEARNER_PASSWORD)
    assert "Only a manager" in error_line(learner)

    scheduled = run_kiosk("sync", "--db", db)
    assert scheduled.returncode == 0, scheduled.stderr
    assert rows(db, "county sync:%") == []  # what the kiosk does by itself: no row
    elsewhere = run_as(run_kiosk, "sync", "--db", db, "--server", other)
    assert elsewhere.returncode == 0, elsewhere.stderr
    [(who, reason)] = rows(db, "county sync:%")
    assert who == "manager" and "(not the joined server)" in reason
    assert reason.endswith(f"[command line, OS user {os_user()}]")
    assert credentials.password_of(url) not in reason


def test_sync_status_names_people_only_to_a_manager(tmp_path, run_kiosk, county):
    ctx, _ = kiosk_with_people(tmp_path)
    zoe = add_person(ctx, "zoe", "Zoë Smith")
    join(ctx, county)
    uid = ctx.db.execute("SELECT person_uid FROM users WHERE id = ?", [zoe.id]).fetchone()[0]
    # A conflict as a pull leaves it: the other centre's version of the name.
    ctx.db.execute("INSERT INTO county_conflicts (person_uid, field, here, there, centre, "
                   "kiosk_id) VALUES (?, 'full_name', 'Zoë Smith', 'Zoë Ødegård-Smith', "
                   "'Centre B', 'kb')", [uid])
    ctx.db.conn.commit()
    db = str(ctx.db_path)
    ctx.db.close()

    anyone = run_kiosk("sync", "status", "--db", db)
    assert anyone.returncode == 0, anyone.stderr
    assert "1 people are recorded differently" in anyone.stdout
    assert "zoe" not in anyone.stdout and "Ødegård" not in anyone.stdout
    manager = run_as(run_kiosk, "sync", "status", "--db", db)
    assert "Conflict: zoe: full_name is 'Zoë Smith' here but 'Zoë Ødegård-Smith'" in (
        manager.stdout)
    [(who, reason)] = rows(db, "viewed county conflicts%")
    assert who == "manager" and reason.endswith(f"[command line, OS user {os_user()}]")


def test_server_and_county_commands_name_the_command_and_os_user_to_the_server(
        tmp_path, run_kiosk, county, pg_server):
    """Their proof is the server's own role (an administrator's, a reporter's); the
    server's log says which command, run by which OS account, used it."""
    reporter = schema.add_reporter(county, "county-office", None)
    ctx = make_kiosk(tmp_path, "k1")
    join(ctx, county)
    url = credentials.load(ctx.db_path)["url"]
    ctx.db.close()
    assert run_kiosk("county", "verify", "--server", reporter).returncode == 0
    assert run_kiosk("server", "add-kiosk", "k2", "--server", county).returncode == 0
    refused = run_kiosk("server", "add-kiosk", "k3", "--server", reporter)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    as_kiosk = run_kiosk("county", "matrix", "--server", url)
    assert "refused" in error_line(as_kiosk)
    log = pg_server.logfile.read_text(errors="replace")
    user = os_user()
    for command in ("county verify", "server add-kiosk", "county matrix"):
        assert f"application_name=kiosk {command}, OS user {user}" in log, command


def test_the_os_user_is_ascii_and_cut_to_what_postgresql_keeps(monkeypatch):
    from kiosk import osuser

    monkeypatch.setattr(osuser, "os_user", lambda: "Zoë" + "x" * 80)
    name = osuser.name_county_connections("county", "matrix")
    assert name.startswith("kiosk county matrix, OS user Zo?x") and len(name) == 63
    assert MANAGER_PASSWORD not in name
