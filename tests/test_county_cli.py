"""The county commands through the real CLI in subprocesses, against a real PostgreSQL."""

from __future__ import annotations

import csv
import os
import sqlite3
import stat

import psycopg
import pytest

from kiosk import access_log
from kiosk.county import credentials, reports, schema
from tests.conftest import kiosk_env, run_as
from tests.county_helpers import add_person, join, make_kiosk, sync_now, take_test

CLOCK = "2026-03-01T12:00:00+00:00"


@pytest.fixture
def county(county_admin_url):
    schema.init_server(county_admin_url)
    return county_admin_url


def env_with_clock() -> dict[str, str]:
    env = kiosk_env()
    env["KIOSK_TEST_CLOCK"] = CLOCK
    return env


def lines_of(result) -> list[str]:
    return result.stdout.strip().splitlines()


def one_error_line(result) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk: error: "), result.stderr
    return lines[0]


def read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_set_up_a_county_join_a_kiosk_and_sync_from_the_command_line(tmp_path, run_kiosk,
                                                                     county_admin_url):
    first = run_kiosk("server", "init", "--server", county_admin_url)
    assert first.returncode == 0, first.stderr
    assert "Applied: c001_initial" in first.stdout
    again = run_kiosk("server", "init", "--server", county_admin_url)
    assert again.returncode == 0 and "up to date" in again.stdout
    added = run_kiosk("server", "add-kiosk", "riverside-1", "--server", county_admin_url,
                      "--centre", "Riverside")
    assert added.returncode == 0, added.stderr
    url = lines_of(added)[-1]
    assert url.startswith("postgresql://") and "riverside-1" in url

    ctx = make_kiosk(tmp_path, "riverside-1")
    take_test(ctx, add_person(ctx, "zoe", "Zoë Ødegård"))
    add_person(ctx, "manager", role="manager")
    db = str(ctx.db_path)
    ctx.db.close()
    # The manager's password first, then the URL (both on standard input).
    joined = run_as(run_kiosk, "sync", "join", "--db", db, input=url + "\n")
    assert joined.returncode == 0, joined.stderr
    assert "Joined the county as kiosk riverside-1" in joined.stdout
    status = run_kiosk("sync", "status", "--db", db)
    assert "Last synced: never" in status.stdout
    assert "Not yet sent: 0" not in status.stdout
    synced = run_kiosk("sync", "--db", db)
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.startswith("Synced: ")
    status = run_kiosk("sync", "status", "--db", db)
    assert "Not yet sent: 0" in status.stdout and "Last error: none" in status.stdout
    assert "Last synced: never" not in status.stdout


def test_mistakes_and_outages_give_one_line_and_never_the_password(tmp_path, run_kiosk,
                                                                   county):
    ctx = make_kiosk(tmp_path, "k1")
    url = join(ctx, county)
    add_person(ctx, "manager", role="manager")
    db = str(ctx.db_path)
    ctx.db.close()
    password = credentials.password_of(url)
    bad = run_as(run_kiosk, "sync", "--db", db, "--server", "http://example.org/")
    assert "postgresql://" in one_error_line(bad)
    port = url.rsplit(":", 1)[1].split("/")[0]
    down = run_as(run_kiosk, "sync", "--db", db, "--server", url.replace(f":{port}/", ":1/"))
    assert "cannot reach the county server" in one_error_line(down)
    wrong = url.replace(password, "not-the-password")
    refused = run_as(run_kiosk, "sync", "--db", db, "--server", wrong)
    line = one_error_line(refused)
    assert "not-the-password" not in line and password not in line
    not_joined = make_kiosk(tmp_path, "k2")
    not_joined.db.close()
    assert "has not joined" in one_error_line(run_kiosk("sync", "--db",
                                                        str(not_joined.db_path)))
    no_schema = run_kiosk("server", "add-kiosk", "k9", "--server",
                          county.rsplit("/", 1)[0] + "/postgres")
    assert "kiosk server init" in one_error_line(no_schema)
    as_kiosk = run_kiosk("county", "matrix", "--server", url)
    assert "refused" in one_error_line(as_kiosk)
    for result in (bad, down, refused, as_kiosk):
        assert "Traceback" not in result.stderr


def test_the_credential_lives_beside_data_db_owner_only_and_nowhere_else(tmp_path,
                                                                         run_kiosk, county):
    ctx = make_kiosk(tmp_path, "k1")
    take_test(ctx, add_person(ctx, "zoe"))
    add_person(ctx, "manager", role="manager")  # the exports below sign in as them
    url = join(ctx, county)
    sync_now(ctx)
    password = credentials.password_of(url)
    saved = credentials.path_for(ctx.db_path)
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    db = str(ctx.db_path)
    ctx.db.close()
    port = url.rsplit(":", 1)[1].split("/")[0]
    run_as(run_kiosk, "sync", "--db", db, "--server", url.replace(f":{port}/", ":1/"))
    for what in ("access-log", "results", "matrix"):
        done = run_as(run_kiosk, "export", what, "--db", db, "--out",
                      str(tmp_path / f"{what}.csv"))
        assert done.returncode == 0, done.stderr
    assert run_as(run_kiosk, "backup", str(tmp_path / "copy.db"), "--db", db).returncode == 0
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != saved:
            assert password.encode() not in path.read_bytes(), path


def test_log_rewritten_with_recomputed_hashes_is_caught_by_log_verify_server(tmp_path,
                                                                            run_kiosk,
                                                                            county):
    ctx = make_kiosk(tmp_path, "k1")
    take_test(ctx, add_person(ctx, "zoe"))
    for n in range(5):
        access_log.append(ctx.db, ctx.clock, kiosk_id="k1", event=access_log.LOGIN_FAILURE,
                          username_entered=f"user{n}", reason="wrong_password")
    join(ctx, county)
    sync_now(ctx)
    db = ctx.db_path
    ctx.db.close()
    assert run_kiosk("log", "verify", "--server", "--db", str(db)).returncode == 0

    # Rewrite row 3 and recompute every hash after it and the head: locally perfect.
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                            ).fetchall()
    for t in triggers:
        conn.execute(f'DROP TRIGGER "{t["name"]}"')
    rows = [dict(r) for r in conn.execute("SELECT * FROM access_log ORDER BY id")]
    # A sign-in row: changing a sealed result or identity row would be caught locally.
    target = next(r["id"] for r in rows if r["event"] == access_log.LOGIN_FAILURE)
    prev = rows[1]["row_hash"]
    for r in rows[2:]:
        if r["id"] == target:
            r["reason"] = "nothing to see here"
        r["prev_hash"] = prev
        r["row_hash"] = access_log.row_digest(prev, r)
        conn.execute("UPDATE access_log SET reason = ?, prev_hash = ?, row_hash = ? "
                     "WHERE id = ?", [r["reason"], r["prev_hash"], r["row_hash"], r["id"]])
        prev = r["row_hash"]
    conn.execute("UPDATE access_log_head SET last_hash = ? WHERE id = 1", [prev])
    for t in triggers:
        conn.execute(t["sql"])
    conn.commit()
    conn.close()

    local = run_kiosk("log", "verify", "--db", str(db))
    assert local.returncode == 0  # the local chain alone cannot tell
    anchored = run_kiosk("log", "verify", "--server", "--db", str(db))
    line = one_error_line(anchored)
    assert f"row {target}" in line and "county server" in line


def test_county_reports_have_the_kiosk_columns_plus_centre_and_kiosk_id(tmp_path, run_kiosk,
                                                                       county):
    a, b = make_kiosk(tmp_path, "ka"), make_kiosk(tmp_path, "kb")
    take_test(a, add_person(a, "zoe", "=HYPERLINK(\"http://x\")"))
    take_test(b, add_person(b, "sian", "Siân Jones"), passed=False)
    add_person(b, "priya", "Priya Patel")
    join(a, county, "Centre A")
    join(b, county, "Centre B")
    sync_now(a)
    sync_now(b)
    reporter = schema.add_reporter(county, "all")
    env = env_with_clock()
    out = tmp_path / "matrix.csv"
    result = run_kiosk("county", "matrix", "--server", reporter, "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    rows = read_csv(out)
    assert tuple(rows[0]) == reports.COUNTY_MATRIX_COLUMNS
    body = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert body["zoe"]["status"] == "passed" and body["zoe"]["centre"] == "Centre A"
    assert body["zoe"]["full_name"].startswith("'=")  # neutralised for spreadsheets
    assert body["sian"]["status"] == "in_progress" and body["sian"]["kiosk_id"] == "kb"
    assert body["priya"]["status"] == "not_started"
    only_b = run_kiosk("county", "matrix", "--server", reporter, "--centre", "Centre B",
                       "--status", "not_started", env=env)
    names = [r[0] for r in csv.reader(only_b.stdout.lstrip("\ufeff").splitlines())]
    assert names == ["username", "priya"]
    res = run_kiosk("county", "results", "--server", reporter, "--out",
                    str(tmp_path / "r.csv"), env=env)
    assert res.returncode == 0, res.stderr
    results = read_csv(tmp_path / "r.csv")
    assert tuple(results[0]) == reports.COUNTY_RESULTS_COLUMNS
    assert sorted(r[-1] for r in results[1:]) == ["Centre A", "Centre B"]
    log = run_kiosk("county", "access-log", "--server", reporter, "--centre", "Centre A",
                    "--out", str(tmp_path / "l.csv"), env=env)
    assert log.returncode == 0, log.stderr
    logged = read_csv(tmp_path / "l.csv")
    assert tuple(logged[0]) == reports.COUNTY_ACCESS_LOG_COLUMNS
    assert {r[1] for r in logged[1:]} == {"ka"}
    added = run_kiosk("county", "access-log", "--server", reporter, "--status",
                      "manager_action", env=env)
    events = [r[2] for r in csv.reader(added.stdout.lstrip("\ufeff").splitlines())][1:]
    assert events and set(events) == {"manager_action"}


def test_county_verify_checks_every_kiosks_chain_on_the_server(tmp_path, run_kiosk, county):
    kiosks = [make_kiosk(tmp_path, f"k{n}") for n in range(2)]
    for ctx in kiosks:
        take_test(ctx, add_person(ctx, "zoe"))
        for n in range(3):
            access_log.append(ctx.db, ctx.clock, kiosk_id=ctx.kiosk_id,
                              event=access_log.LOGIN_FAILURE, username_entered=f"u{n}")
        join(ctx, county)
        sync_now(ctx)
    ok = run_kiosk("county", "verify", "--server", county)
    assert ok.returncode == 0, ok.stderr
    assert "intact on the server (2 kiosks)" in ok.stdout
    with psycopg.connect(county) as conn:  # someone with the owner's password edits a row
        conn.execute("UPDATE county.access_log SET reason = 'edited' "
                     "WHERE kiosk_id = 'k1' AND row_id = 2")
    broken = run_kiosk("county", "verify", "--server", county)
    assert "1 of 2 kiosks" in one_error_line(broken)
    assert "k1: " in broken.stdout and "BROKEN: row 2" in broken.stdout


def test_certificate_verify_on_the_server_finds_any_kiosks_certificate(tmp_path, run_kiosk,
                                                                       county):
    a, b = make_kiosk(tmp_path, "ka"), make_kiosk(tmp_path, "kb")
    attempt = take_test(a, add_person(a, "zoe", "Zoë Ødegård"))
    join(a, county, "Centre A")
    url_b = join(b, county, "Centre B")
    sync_now(a)
    env = env_with_clock()
    code = attempt.certificate_code.lower().replace("-", " ")
    found = run_kiosk("certificate", "verify", code, "--server", url_b, env=env)
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith(f"{attempt.certificate_code}: CURRENT. Zoë Ødegård")
    assert "Centre A" in found.stdout
    unknown = run_kiosk("certificate", "verify", "SGK-AAAA-BBBB", "--server", url_b, env=env)
    assert "no certificate in the county" in one_error_line(unknown)
