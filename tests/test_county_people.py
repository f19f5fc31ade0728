"""One person across sites: a manager-confirmed link, pulled certificates, conflicts."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from kiosk import status, users
from kiosk.county import outbox, reports, schema
from kiosk.errors import KioskError
from tests.county_helpers import add_person, join, link, make_kiosk, sync_now, take_test


@pytest.fixture
def two_centres(tmp_path, county_admin_url):
    schema.init_server(county_admin_url)
    a, b = make_kiosk(tmp_path, "ka"), make_kiosk(tmp_path, "kb")
    join(a, county_admin_url, "Centre A")
    join(b, county_admin_url, "Centre B")
    return a, b, county_admin_url


def test_a_person_trained_at_one_centre_shows_as_trained_at_the_other(two_centres):
    a, b, county = two_centres
    zoe = add_person(a, "zoe", "Zoë Ødegård")
    attempt = take_test(a, zoe)
    sync_now(a)
    newcomer = add_person(b, "zoe.o", "zoë  ødegård")  # typed differently: still matches
    today = b.clock.now().date()
    assert status.training_status(b.db, newcomer.id, b.course.id, today).state == "not_started"
    link(b, "zoe.o", attempt.certificate_code)
    result = sync_now(b)
    assert result.certificates == 1
    st = status.training_status(b.db, newcomer.id, b.course.id, today)
    assert st.state == "passed" and st.expires_on == attempt.expires_on
    with psycopg.connect(county) as conn:
        rows = reports.county_matrix(conn, [a.course], date(2026, 2, 1))
    assert {(r["kiosk_id"], r["username"], r["status"]) for r in rows
            if r["username"] != "county-mgr"} == {  # the manager who linked them
        ("ka", "zoe", "passed"), ("kb", "zoe.o", "passed")}
    logged = b.db.execute("SELECT reason FROM access_log WHERE reason LIKE 'county link:%'"
                          ).fetchall()
    assert len(logged) == 1
    from kiosk import verifier  # the link is sealed: the file still verifies

    assert verifier.verify_all(b.db, [b.course]).ok


def test_a_link_needs_the_right_code_and_name(two_centres):
    a, b, _county = two_centres
    attempt = take_test(a, add_person(a, "zoe", "Zoë Ødegård"))
    sync_now(a)
    add_person(b, "sam", "Sam Someone")
    add_person(b, "zoe.o", "Zoë Ødegård")
    with pytest.raises(KioskError, match="no certificate"):
        link(b, "sam", attempt.certificate_code)
    with pytest.raises(KioskError, match="no certificate"):
        link(b, "zoe.o", "SGK-AAAA-BBBB")
    link(b, "zoe.o", attempt.certificate_code)
    add_person(b, "zoe2", "Zoë Ødegård")
    with pytest.raises(KioskError, match="already linked"):
        link(b, "zoe2", attempt.certificate_code)


def test_a_person_edited_at_two_centres_offline_is_a_conflict_not_an_overwrite(two_centres):
    a, b, county = two_centres
    attempt = take_test(a, add_person(a, "zoe", "Zoë Ødegård"))
    sync_now(a)
    add_person(b, "zoe.o", "Zoë Ødegård")
    link(b, "zoe.o", attempt.certificate_code)
    sync_now(b)
    # Both centres offline; each manager corrects the name differently.
    users.update_details(a.db, a.settings, a.clock, "zoe", full_name="Zoë Smith")
    users.update_details(b.db, b.settings, b.clock, "zoe.o", full_name="Zoë Ødegård-Smith")
    sync_now(a)
    sync_now(b)
    sync_now(a)  # A pulls after B's edit arrived
    for ctx, here, there in ((a, "Zoë Smith", "Zoë Ødegård-Smith"),
                             (b, "Zoë Ødegård-Smith", "Zoë Smith")):
        clashes = outbox.conflicts(ctx.db)
        assert [(c["here"], c["there"]) for c in clashes] == [(here, there)]
        # Neither centre's record was overwritten by the other's.
        zoe = next(u for u in users.list_users(ctx.db) if u.username.startswith("zoe"))
        assert zoe.full_name == here
    with psycopg.connect(county) as conn:
        names = {r[0] for r in conn.execute("SELECT full_name FROM county.people")}
    assert {"Zoë Ødegård", "Zoë Smith", "Zoë Ødegård-Smith"} <= names  # every version kept
    # A manager resolves it by making them agree; the conflict goes at the next sync.
    users.update_details(b.db, b.settings, b.clock, "zoe.o", full_name="Zoë Smith")
    sync_now(b)
    sync_now(a)
    assert outbox.conflicts(a.db) == [] and outbox.conflicts(b.db) == []
