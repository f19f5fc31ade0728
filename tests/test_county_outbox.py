"""The kiosk's outbox (no server needed): triggers queue in the writer's own transaction."""

from __future__ import annotations

import json
import sys

import pytest

from kiosk import access_log, users
from kiosk.county import outbox
from tests.county_helpers import add_person, make_kiosk, take_test


def kinds(ctx) -> list[str]:
    return [r[0] for r in ctx.db.execute("SELECT kind FROM county_outbox ORDER BY seq")]


def test_nothing_is_queued_until_the_kiosk_joins_then_history_is_backfilled(tmp_path):
    ctx = make_kiosk(tmp_path, "k1")
    person = add_person(ctx, "zoe", "Zoë Ødegård")
    take_test(ctx, person)
    assert kinds(ctx) == []  # a kiosk that never joins a county pays nothing
    queued = outbox.enable(ctx.db, "k1", "2026-01-05T09:00:00+00:00")
    got = kinds(ctx)
    assert queued == len(got)
    assert got.count("person") == 1 and got.count("attempt") == 1
    assert got.count("access_log") == ctx.db.execute("SELECT COUNT(*) FROM access_log"
                                                     ).fetchone()[0]
    assert outbox.enable(ctx.db, "k1", "2026-01-05T09:00:00+00:00") == 0  # never twice


def test_a_submitted_attempt_is_queued_once_with_its_answers_and_certificate(tmp_path):
    ctx = make_kiosk(tmp_path, "k1")
    outbox.enable(ctx.db, "k1", "2026-01-05T09:00:00+00:00")
    person = add_person(ctx, "zoe", "Zoë Ødegård")
    ctx.db.execute("DELETE FROM county_outbox")
    attempt = take_test(ctx, person)
    rows = [json.loads(r[0]) for r in ctx.db.execute(
        "SELECT payload FROM county_outbox WHERE kind = 'attempt'")]
    assert len(rows) == 1  # answers saved one by one queue nothing; the submit queues it
    payload = rows[0]
    assert payload["attempt_id"] == attempt.id
    assert payload["certificate_code"] == attempt.certificate_code
    assert payload["person_uid"] == ctx.db.execute(
        "SELECT person_uid FROM users WHERE id = ?", [person.id]).fetchone()[0]
    assert len(payload["answers"]) == len(attempt.questions)
    assert all(a["correct"] == 1 for a in payload["answers"])


def test_a_write_that_rolls_back_leaves_nothing_in_the_outbox(tmp_path):
    ctx = make_kiosk(tmp_path, "k1")
    outbox.enable(ctx.db, "k1", "2026-01-05T09:00:00+00:00")
    before = kinds(ctx)
    from kiosk.db import write_transaction

    with pytest.raises(RuntimeError), write_transaction(ctx.db):
        access_log.append(ctx.db, ctx.clock, kiosk_id="k1", event=access_log.MANAGER_ACTION,
                          reason="about to fail")
        raise RuntimeError("power cut")
    assert kinds(ctx) == before


def test_people_changes_queue_but_sign_ins_do_not(tmp_path):
    ctx = make_kiosk(tmp_path, "k1")
    outbox.enable(ctx.db, "k1", "2026-01-05T09:00:00+00:00")
    add_person(ctx, "zoe", "Zoe")
    ctx.db.execute("DELETE FROM county_outbox")
    ctx.auth.login("zoe", "maple-kettle-harbour")
    ctx.auth.login("zoe", "wrong-password-here")
    assert "person" not in kinds(ctx)  # last_login_at, failed_count: not the county's
    users.update_details(ctx.db, ctx.settings, ctx.clock, "zoe", full_name="Zoë Ødegård")
    people = [json.loads(r[0]) for r in ctx.db.execute(
        "SELECT payload FROM county_outbox WHERE kind = 'person'")]
    assert [p["full_name"] for p in people] == ["Zoë Ødegård"]
    assert "password_hash" not in people[0]


def test_reading_and_contact_edits_are_queued(tmp_path):
    from kiosk import reading

    ctx = make_kiosk(tmp_path, "k1")
    outbox.enable(ctx.db, "k1", "2026-01-05T09:00:00+00:00")
    person = add_person(ctx, "zoe")
    ctx.db.execute("DELETE FROM county_outbox")
    view = reading.record_open(ctx.db, ctx.clock, person.id, ctx.course,
                               ctx.course.sections[0].id)
    reading.record_seconds(ctx.db, view, 42.0)
    ctx.db.execute("INSERT INTO contacts (course_id, position, name, last_verified, "
                   "updated_at) VALUES ('c', 1, 'Duty team', '2026-01-01', '2026-01-01')")
    ctx.db.execute("DELETE FROM contacts")
    assert kinds(ctx) == ["reading", "reading", "contact", "contact"]
    ops = [json.loads(r[0])["op"] for r in ctx.db.execute(
        "SELECT payload FROM county_outbox WHERE kind = 'contact'")]
    assert ops == ["insert", "delete"]


def test_every_person_has_a_county_wide_id(tmp_path):
    ctx = make_kiosk(tmp_path, "k1")
    a, b = add_person(ctx, "a"), add_person(ctx, "b")
    uids = [r[0] for r in ctx.db.execute("SELECT person_uid FROM users WHERE id IN (?, ?)",
                                         [a.id, b.id])]
    assert len(set(uids)) == 2 and all(len(u) == 36 for u in uids)


def test_a_kiosk_url_keeps_the_servers_tls_options_and_passwords_are_redacted():
    from kiosk.county import credentials, schema

    url = schema._url_for("postgresql://admin:s3cret@db.example:5433/county?sslmode=verify-full"
                          "&sslrootcert=/etc/ca.pem", "county_k_a", "p@ss/word")
    assert url.startswith("postgresql://county_k_a:p%40ss%2Fword@db.example:5433/county?")
    assert "sslmode=verify-full" in url and "sslrootcert=" in url
    assert "s3cret" not in url and "admin" not in url
    assert credentials.password_of(url) == "p@ss/word"
    text = "failed for postgresql://k:hunter2@h/db and password=hunter2 and 'hunter2'"
    cleaned = credentials.redact(text, "hunter2")
    assert "hunter2" not in cleaned and "***" in cleaned


def test_the_credential_file_is_owner_only_and_bad_files_are_refused(tmp_path):
    import os
    import stat

    from kiosk.county import credentials
    from kiosk.errors import KioskError, ValidationError

    db = tmp_path / "data.db"
    with pytest.raises(ValidationError):
        credentials.save(db, "http://example.org", "k1")
    saved = credentials.save(db, "postgresql://k:pw@h/db", "k1")
    assert saved.name == "data.db.county"
    if sys.platform != "win32":  # Windows keeps it private by the folder's ACL (DEPLOYMENT §2)
        assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    assert credentials.load(db) == {"url": "postgresql://k:pw@h/db", "kiosk_id": "k1"}
    saved.write_text("not json")
    with pytest.raises(KioskError):
        credentials.load(db)
