"""Kiosks pushing to one real PostgreSQL: idempotency, crashes, outages, a long offline spell."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import psycopg
import pytest

from kiosk import access_log
from kiosk.county import outbox, reports, schema, sync
from kiosk.errors import KioskError
from tests.conftest import kiosk_env
from tests.county_helpers import (
    add_person,
    join,
    local_counts,
    make_kiosk,
    server_counts,
    sync_now,
    take_test,
    unsent,
)


@pytest.fixture
def county(county_admin_url):
    schema.init_server(county_admin_url)
    return county_admin_url


def busy_kiosk(tmp_path, kiosk_id, people=3):
    ctx = make_kiosk(tmp_path, kiosk_id)
    for n in range(people):
        person = add_person(ctx, f"{kiosk_id}-p{n}", f"Person {n} of {kiosk_id}")
        take_test(ctx, person, passed=n % 3 != 2)
        ctx.clock.advance(hours=1)
    return ctx


def test_several_kiosks_push_to_one_server_and_the_counts_add_up(tmp_path, county):
    kiosks = [busy_kiosk(tmp_path, f"k{n}") for n in range(3)]
    for n, ctx in enumerate(kiosks):
        join(ctx, county, centre=f"Centre {n}")
        result = sync_now(ctx)
        assert result.sent > 0 and unsent(ctx) == 0
    total = server_counts(county)
    for name in ("attempts", "attempt_answers", "access_log"):
        assert total[name] == sum(local_counts(ctx)[name] for ctx in kiosks), name
    for ctx in kiosks:
        assert server_counts(county, ctx.settings.kiosk_id)["access_log"] == \
            local_counts(ctx)["access_log"]
    assert total["people"] == 9


def test_the_same_batch_pushed_twice_inserts_nothing_twice(tmp_path, county):
    ctx = busy_kiosk(tmp_path, "k1")
    join(ctx, county)
    queued = unsent(ctx)

    def reply_lost() -> None:
        raise ConnectionError("the reply never arrived")

    with pytest.raises(KioskError):
        sync_now(ctx, hooks=sync.Hooks(after_commit=reply_lost))
    assert unsent(ctx) == queued  # the server committed, the kiosk could not know
    first = server_counts(county)
    assert first["access_log"] > 0
    result = sync_now(ctx)
    assert result.sent == queued and unsent(ctx) == 0
    assert server_counts(county) == first


def test_sigkill_after_the_server_commits_and_before_marking_sent(tmp_path, county):
    ctx = busy_kiosk(tmp_path, "k1")
    join(ctx, county)
    queued = unsent(ctx)
    ctx.db.close()
    proc = subprocess.run(
        [sys.executable, "-m", "tests.county_driver", str(ctx.db_path), "5"],
        capture_output=True, text=True, timeout=120, env=kiosk_env(), cwd=tmp_path)
    assert proc.returncode == -9, proc.stderr  # really killed
    assert "committed" in proc.stdout
    after_kill = server_counts(county)
    after_kill.pop("attempt_answers")  # carried inside their attempt's record
    assert sum(after_kill.values()) == 5  # the first batch is on the server...
    ctx = make_kiosk(tmp_path, "k1")
    assert unsent(ctx) == queued  # ...and still queued here
    result = sync_now(ctx)
    assert result.sent == queued and unsent(ctx) == 0
    assert server_counts(county)["access_log"] == local_counts(ctx)["access_log"]
    assert server_counts(county)["attempts"] == local_counts(ctx)["attempts"]


def test_server_stopped_in_the_middle_of_a_batch(tmp_path, county, pg_server):
    ctx = busy_kiosk(tmp_path, "k1")
    join(ctx, county)
    queued = unsent(ctx)
    calls = {"n": 0}

    def stop_on_second_batch() -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            pg_server.stop(mode="immediate")  # the server dies before this batch commits

    try:
        with pytest.raises(KioskError) as caught:
            sync_now(ctx, batch_size=7, hooks=sync.Hooks(before_commit=stop_on_second_batch))
        assert "stay queued" in str(caught.value)
        assert unsent(ctx) == queued - 7  # only the committed first batch is marked
        state = outbox.state(ctx.db)
        assert state.last_error and state.unsent == queued - 7
    finally:
        pg_server.start()
    committed = server_counts(county)
    committed.pop("attempt_answers")
    assert sum(committed.values()) == 7
    sync_now(ctx, batch_size=7)
    assert unsent(ctx) == 0
    assert server_counts(county)["access_log"] == local_counts(ctx)["access_log"]
    assert outbox.state(ctx.db).last_error == ""


def test_a_kiosk_offline_for_a_month_catches_up_with_nothing_lost_or_doubled(tmp_path,
                                                                              county):
    ctx = make_kiosk(tmp_path, "k1")
    join(ctx, county)
    sync_now(ctx)
    url, kiosk_id = sync.server_url(ctx.db_path)
    port = url.rsplit(":", 1)[1].split("/")[0]
    unreachable = url.replace(f":{port}/", ":1/")
    people = [add_person(ctx, f"p{n}") for n in range(4)]
    for day in range(31):  # a month of work with the network down
        ctx.clock.advance(days=1)
        person = people[day % 4]
        # Sign-ins as the log records them (Argon2 for 31 real ones would dominate the test).
        access_log.append(ctx.db, ctx.clock, kiosk_id="k1", event=access_log.LOGIN_SUCCESS,
                          username_entered=person.username, user_id=person.id,
                          user_matched=person.username)
        if day % 5 == 0:
            take_test(ctx, person, passed=day % 2 == 0)
        if day % 7 == 0:  # the background push keeps trying and failing
            with pytest.raises(KioskError):
                sync.push(ctx.db, unreachable, kiosk_id, ctx.clock)
    state = outbox.state(ctx.db)
    assert state.unsent > 31 and "cannot reach" in state.last_error
    assert "@" not in state.last_error  # no credential in the stored error
    sync_now(ctx, batch_size=50)
    assert unsent(ctx) == 0
    counts = server_counts(county)
    local = local_counts(ctx)
    assert counts["access_log"] == local["access_log"]
    assert counts["attempts"] == local["attempts"]
    assert counts["attempt_answers"] == local["attempt_answers"]
    sync_now(ctx)  # and again: nothing more
    assert server_counts(county) == counts


def test_a_kiosk_role_cannot_read_other_rows_or_change_a_pushed_one(tmp_path, county):
    a, b = busy_kiosk(tmp_path, "ka", 1), busy_kiosk(tmp_path, "kb", 1)
    url_a = join(a, county, "Centre A")
    join(b, county, "Centre B")
    sync_now(a)
    sync_now(b)
    with psycopg.connect(url_a, autocommit=True) as conn:
        for sql in ("SELECT * FROM county.people", "SELECT * FROM county.access_log",
                    "SELECT * FROM county.attempts", "SELECT * FROM county.kiosks",
                    "UPDATE county.access_log SET reason = 'x' WHERE kiosk_id = 'ka'",
                    "UPDATE county.people SET full_name = 'x'",
                    "DELETE FROM county.attempts WHERE kiosk_id = 'ka'",
                    "DELETE FROM county.access_log",
                    "TRUNCATE county.access_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql.encode())
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # posing as kiosk B
            conn.execute(
                "INSERT INTO county.access_log (kiosk_id, row_id, occurred_at, row_kiosk_id, "
                "event, username_entered, user_matched, reason, prev_hash, row_hash) "
                "VALUES ('kb', 999, 't', 'kb', 'e', '', '', '', 'p', 'h')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM county.log_hashes('kb', 0, 10)")
        own = conn.execute("SELECT count(*) FROM county.log_hashes('ka', 0, 100000)"
                           ).fetchone()[0]
        assert own == local_counts(a)["access_log"]
    assert server_counts(county, "kb")["access_log"] == local_counts(b)["access_log"]


def test_a_scoped_reporting_role_sees_one_centre_only(tmp_path, county):
    a, b = busy_kiosk(tmp_path, "ka", 2), busy_kiosk(tmp_path, "kb", 2)
    join(a, county, "Centre A")
    join(b, county, "Centre B")
    sync_now(a)
    sync_now(b)
    everyone = schema.add_reporter(county, "all")
    only_b = schema.add_reporter(county, "bonly", "Centre B")
    with psycopg.connect(everyone) as conn:
        rows = reports.county_matrix(conn, [a.course], date(2026, 3, 1))
        assert {r["kiosk_id"] for r in rows} == {"ka", "kb"}
    with psycopg.connect(only_b) as conn:
        rows = reports.county_matrix(conn, [a.course], date(2026, 3, 1))
        assert {r["centre"] for r in rows} == {"Centre B"}
        assert {r[0] for r in conn.execute("SELECT DISTINCT kiosk_id FROM county.access_log")
                } == {"kb"}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE county.attempts SET passed = true")


def test_county_matrix_status_uses_training_anywhere_in_the_county(tmp_path, county):
    a = make_kiosk(tmp_path, "ka")
    zoe = add_person(a, "zoe", "Zoë Ødegård")
    attempt = take_test(a, zoe)
    add_person(a, "priya", "Priya Patel")
    join(a, county, "Centre A")
    sync_now(a)
    with psycopg.connect(county) as conn:
        rows = reports.county_matrix(conn, [a.course], date(2026, 2, 1))
        late = reports.county_matrix(conn, [a.course], date(2030, 1, 1))
    by_name = {r["username"]: r for r in rows}
    assert by_name["zoe"]["status"] == "passed"
    assert by_name["zoe"]["expires_on"] == attempt.expires_on.isoformat()
    assert by_name["priya"]["status"] == "not_started"
    assert {r["username"]: r["status"] for r in late}["zoe"] == "expired"
    assert rows[0]["centre"] == "Centre A"


def test_the_local_log_is_checked_against_the_servers_copy(tmp_path, county):
    ctx = busy_kiosk(tmp_path, "k1", 1)
    join(ctx, county)
    sync_now(ctx)
    access_log.append(ctx.db, ctx.clock, kiosk_id="k1", event=access_log.MANAGER_ACTION,
                      reason="not sent yet")
    from kiosk.county.anchor import compare_with_server

    line = compare_with_server(ctx.db, ctx.db_path, None)
    assert "rows compared, 1 not sent yet" in line
