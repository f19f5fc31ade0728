"""The county server as a second witness: the kiosk's log chain and any certificate.

Used by `kiosk log verify --server` and `kiosk certificate verify --server`; both
raise KioskError with one plain line for anything a person can cause.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from kiosk.errors import KioskError


def _plain(exc: BaseException, url: str) -> KioskError:
    import psycopg

    from kiosk.county.credentials import password_of, redact

    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return KioskError("the county server refused: this role may not read that kiosk's "
                          "records")
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return KioskError("the county server reported a problem: " + redact(first, password_of(url)))


def compare_with_server(db: Database, db_path: Path, url: str | None) -> str:
    """Compare the local chain with the server's copy; return the line to print."""
    import psycopg

    from kiosk.county import reports, schema, sync

    target, kiosk_id = sync.server_url(db_path, url)
    if not kiosk_id:
        row = db.execute("SELECT kiosk_id FROM county_state WHERE id = 1").fetchone() \
            if db["county_state"].exists() else None
        kiosk_id = row[0] if row and row[0] else ""
    if not kiosk_id:
        raise KioskError("this kiosk has not joined a county server, so the server holds "
                         "no copy of its log")
    conn = schema.connect(target)
    try:
        result = reports.compare_log(db, conn, kiosk_id)
    except psycopg.Error as exc:
        raise _plain(exc, target) from None
    finally:
        conn.close()
    if not result.ok:
        raise KioskError(f"access log differs from the county server's copy at row "
                         f"{result.first_bad_id}: {result.problem}")
    return (f"Matches the county server's copy: {result.compared} rows compared, "
            f"{result.unsent} not sent yet.")


def verify_certificate_on_server(url: str, code: str) -> int:
    import psycopg

    from kiosk.cli.county_cmd import today
    from kiosk.county import reports, schema
    from kiosk.course import ContentError, load_default_courses

    try:
        courses = load_default_courses()
    except ContentError:
        courses = []
    conn = schema.connect(url)
    try:
        line, _current = reports.verify_certificate(conn, code, today(), courses)
    except psycopg.Error as exc:
        raise _plain(exc, url) from None
    finally:
        conn.close()
    print(line)
    return 0
