"""CSV conventions shared by every export."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import access_log, export
from kiosk.errors import KioskError


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark"
    text = raw.decode("utf-8-sig")
    return raw, list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "|", "%", "\t", "\r", "\n"])
def test_formula_starts_are_neutralised(start):
    """Every text cell a spreadsheet could evaluate gets a leading apostrophe."""
    assert export.safe_cell(start + "SUM(A1)") == "'" + start + "SUM(A1)"


def test_numbers_stay_numbers():
    """Numbers, including negative ones, are not prefixed: they are not text."""
    assert export.safe_cell(-5) == -5
    assert export.safe_cell(12.5) == 12.5
    assert export.safe_cell(True) == "true"


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60))
def test_round_trip_never_starts_with_a_formula_character(text):
    """Written and read back, no text cell can start a formula, and the text survives."""
    buf = io.StringIO(newline="")
    export.write_rows(buf, ["cell"], [{"cell": text}])
    rows = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))
    cell = rows[1][0] if len(rows) > 1 else ""
    assert not cell.startswith(export.FORMULA_STARTS)
    assert cell in (text, "'" + text)


def test_access_log_export_file(ctx, tmp_path):
    """BOM, CRLF, snake_case header, ISO times with offset, names intact, formulas inert."""
    for typed in ("Zoë Ødegård", "Llŷr Wyn", "=HYPERLINK(\"http://x\")", "-2+3"):
        access_log.append(ctx.db, ctx.clock, kiosk_id="test-kiosk", event="login_failure",
                          username_entered=typed, reason="unknown_user")
    out = tmp_path / "log.csv"
    assert export.export_access_log(ctx.db, out) == 4
    raw, rows = read_csv(out)
    assert raw.count(b"\r\n") == 5 and b"\n" not in raw.replace(b"\r\n", b"")
    assert rows[0][:6] == ["occurred_at", "kiosk_id", "event", "username_entered",
                           "user_matched", "reason"]
    assert rows[1][0].endswith("+00:00") and rows[1][0][10] == "T"
    assert [r[3] for r in rows[1:]] == ["Zoë Ødegård", "Llŷr Wyn", "'=HYPERLINK(\"http://x\")",
                                        "'-2+3"]


def test_date_range_is_inclusive(ctx, tmp_path):
    """--since and --until are whole days, both included."""
    ctx.clock.current = ctx.clock.current.replace(day=4, hour=23)
    access_log.append(ctx.db, ctx.clock, kiosk_id="k", event="logout")
    ctx.clock.advance(hours=2)  # the 5th, 01:00
    access_log.append(ctx.db, ctx.clock, kiosk_id="k", event="logout")
    out = tmp_path / "x.csv"
    assert export.export_access_log(ctx.db, out, since="2026-01-05", until="2026-01-05") == 1
    assert export.export_access_log(ctx.db, out, since="2026-01-04", until="2026-01-05") == 2


def test_bad_dates_and_folders_are_clear_errors(ctx, tmp_path):
    """A wrong date or a folder as the output file is a message, not a crash."""
    with pytest.raises(KioskError, match="date like"):
        export.export_access_log(ctx.db, tmp_path / "a.csv", since="31/01/2026")
    with pytest.raises(KioskError, match="folder"):
        export.export_access_log(ctx.db, tmp_path)
    with pytest.raises(KioskError, match="does not exist"):
        export.export_access_log(ctx.db, tmp_path / "missing" / "a.csv")


def test_failed_write_leaves_no_partial_file(ctx, tmp_path):
    """If writing fails half-way, neither the target nor a temporary file is left behind."""
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "a.csv"

    def rows():
        yield {"occurred_at": "x"}
        raise OSError(28, "No space left on device")

    with pytest.raises(KioskError, match="disk is full"):
        export.write_csv(out, ["occurred_at"], rows())
    assert list(folder.iterdir()) == []


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=40))
def test_sql_neutralising_matches_safe_cell(text):
    """The SQL used by the large exports neutralises exactly as safe_cell() does."""
    import sqlite3

    conn = sqlite3.connect(":memory:")
    (got,) = conn.execute(f"SELECT {export.safe_sql('?1')}", [text]).fetchone()
    assert got == export.safe_cell(text)


def test_sql_neutralising_prefilter_covers_every_formula_start():
    """safe_sql's quick byte comparisons let through every character a formula can start
    with, and values of every SQLite type come out as safe_cell's rule says."""
    import sqlite3

    conn = sqlite3.connect(":memory:")
    values = [chr(c) + tail for c in range(0, 0x250) for tail in ("", "x")]
    values += [5, -5, 0, 2.5, -2.5, None, b"=", "\U0001F600=", "Zoë"]
    for value in values:
        (got,) = conn.execute(f"SELECT {export.safe_sql('?1')}", [value]).fetchone()
        if isinstance(value, str):
            assert got == export.safe_cell(value), repr(value)
        elif isinstance(value, (int, float)) and str(value).startswith("-"):
            assert got == "'" + str(value)  # what substr sees: its text
        else:
            assert got == value
