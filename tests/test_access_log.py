"""The access log: append-only, sanitised, hash-chained."""

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import access_log


def test_update_and_delete_are_rejected(ctx):
    """Triggers stop anyone changing or removing a row through SQL."""
    access_log.append(ctx.db, ctx.clock, kiosk_id="k", event="login_failure",
                      username_entered="x")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        ctx.db.execute("UPDATE access_log SET reason = 'edited'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        ctx.db.execute("DELETE FROM access_log")
    assert ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0] == 1


def test_typed_username_is_sanitised_and_capped(ctx):
    """Control characters (newlines, escapes, bidi overrides) are stripped; length capped."""
    typed = "ev\u202eil\x1b[31m\r\nname" + "x" * 500
    access_log.append(ctx.db, ctx.clock, kiosk_id="k", event="login_failure",
                      username_entered=typed)
    stored = ctx.db.execute("SELECT username_entered FROM access_log").fetchone()[0]
    assert stored.startswith("evil[31mname")
    assert len(stored) == access_log.USERNAME_CAP


def test_chain_verifies_and_detects_a_changed_row(ctx):
    """An intact chain verifies; editing a row (triggers dropped) is caught at that row."""
    for i in range(5):
        access_log.append(ctx.db, ctx.clock, kiosk_id="k", event="login_failure",
                          username_entered=f"u{i}")
    assert access_log.verify_chain(ctx.db).ok
    ctx.db.execute("DROP TRIGGER access_log_no_update")
    ctx.db.execute("UPDATE access_log SET username_entered = 'someone' WHERE id = 3")
    report = access_log.verify_chain(ctx.db)
    assert not report.ok and report.first_bad_id == 3


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_clean_text_never_keeps_control_characters(text):
    """Whatever is typed, what is stored has no control characters and fits the cap."""
    import unicodedata

    cleaned = access_log.clean_text(text, 64)
    assert len(cleaned) <= 64
    assert not any(unicodedata.category(ch).startswith("C") for ch in cleaned)
