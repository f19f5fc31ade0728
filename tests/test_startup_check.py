"""The start-up integrity check on a large data.db (kiosk/db.py FULL_CHECK_MAX_BYTES)."""

from __future__ import annotations

import pytest

from kiosk import db as kiosk_db
from kiosk.errors import DatabaseError


def test_large_file_check_still_opens_good_and_refuses_garbage(tmp_path, monkeypatch):
    """Treated as large, a healthy database opens and a damaged file is still refused."""
    monkeypatch.setattr(kiosk_db, "FULL_CHECK_MAX_BYTES", 0)
    good = tmp_path / "good.db"
    kiosk_db.open_database(good).close()
    reopened = kiosk_db.open_database(good)
    assert reopened.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0
    reopened.close()
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\0" + b"\xff" * 8000)
    with pytest.raises(DatabaseError, match="damaged"):
        kiosk_db.open_database(bad)
