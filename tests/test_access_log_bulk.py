"""access_log.append_many(): bulk appends that keep the hash chain whole."""

from __future__ import annotations

import pytest

from kiosk import access_log


def test_append_many_extends_the_chain(ctx) -> None:
    """Rows added in bulk after single appends verify, carry their cleaned text, and count."""
    access_log.append(ctx.db, ctx.clock, kiosk_id="k1", event=access_log.KIOSK_START)
    rows = [
        {"kiosk_id": "k1", "event": access_log.LOGIN_FAILURE,
         "username_entered": f"zoë\n{i}", "reason": "unknown_user"}
        for i in range(250)
    ]
    assert access_log.append_many(ctx.db, ctx.clock, rows) == 250
    access_log.append(ctx.db, ctx.clock, kiosk_id="k1", event=access_log.KIOSK_EXIT)
    report = access_log.verify_chain(ctx.db)
    assert report.ok, report.problem
    assert report.rows_checked == 252
    stored = list(ctx.db.query("SELECT username_entered FROM access_log WHERE id = 2"))
    assert stored[0]["username_entered"] == "zoë0"  # the newline was stripped


def test_append_many_on_empty_log_and_nothing_to_add(ctx) -> None:
    """An empty batch adds nothing; a first batch starts the chain at row 1."""
    assert access_log.append_many(ctx.db, ctx.clock, []) == 0
    assert access_log.append_many(
        ctx.db, ctx.clock, ({"kiosk_id": "k", "event": "logout"} for _ in range(3))) == 3
    ids = [r["id"] for r in ctx.db.query("SELECT id FROM access_log ORDER BY id")]
    assert ids == [1, 2, 3]
    assert access_log.verify_chain(ctx.db).ok


def test_append_many_rolls_back_whole_batch_on_error(ctx) -> None:
    """A bad row (no event) leaves none of the batch behind and the chain intact."""
    rows = [{"kiosk_id": "k", "event": "logout"}, {"kiosk_id": "k"}]
    with pytest.raises(KeyError):
        access_log.append_many(ctx.db, ctx.clock, rows)
    assert ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0] == 0
    assert access_log.verify_chain(ctx.db).ok
