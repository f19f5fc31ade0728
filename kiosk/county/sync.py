"""Pushing the outbox to the county server, and pulling the roster's certificates back.

A batch is inserted in one server transaction with ON CONFLICT DO NOTHING on each
record's own key (attempt UUIDs, (kiosk, row) for the access log, a UUID per
version for people, reading and contacts), and removed from the outbox only after
the server has committed it. So a kiosk killed between the two, or a reply lost
on the way, pushes the same batch again and the server inserts nothing twice; a
server that goes away mid-batch rolls the whole batch back and nothing is marked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk.clock import Clock, to_iso
from kiosk.county import credentials, outbox
from kiosk.db import write_transaction
from kiosk.errors import KioskError

log = logging.getLogger("kiosk.county")

BATCH_SIZE = 2000

_INSERT = {
    "person": (
        "INSERT INTO county.people (event_id, kiosk_id, local_seq, person_uid, local_id, "
        "username, full_name, role, job_title, disabled, changed_at) VALUES "
        "(%(event_id)s, %(k)s, %(seq)s, %(person_uid)s, %(local_id)s, %(username)s, "
        "%(full_name)s, %(role)s, %(job_title)s, %(disabled)s, %(changed_at)s) "
        "ON CONFLICT DO NOTHING"),
    "attempt": (
        "INSERT INTO county.attempts (attempt_id, kiosk_id, person_uid, local_user_id, "
        "username, full_name, course_id, course_version, content_version, started_at, "
        "finished_at, duration_seconds, score, max_score, percent, pass_mark, passed, "
        "expires_on, certificate_code) VALUES (%(attempt_id)s, %(k)s, %(person_uid)s, "
        "%(local_user_id)s, %(username)s, %(full_name)s, %(course_id)s, %(course_version)s, "
        "%(content_version)s, %(started_at)s, %(finished_at)s, %(duration_seconds)s, "
        "%(score)s, %(max_score)s, %(percent)s, %(pass_mark)s, %(passed)s, %(expires_on)s, "
        "%(certificate_code)s) ON CONFLICT DO NOTHING"),
    "answer": (
        "INSERT INTO county.attempt_answers (attempt_id, position, kiosk_id, question_id, "
        "section_id, answer, answered_at, correct, points) VALUES (%(attempt_id)s, "
        "%(position)s, %(k)s, %(question_id)s, %(section_id)s, %(answer)s, %(answered_at)s, "
        "%(correct)s, %(points)s) ON CONFLICT DO NOTHING"),
    "access_log": (
        "INSERT INTO county.access_log (kiosk_id, row_id, occurred_at, row_kiosk_id, event, "
        "username_entered, user_id, user_matched, reason, prev_hash, row_hash) VALUES "
        "(%(k)s, %(row_id)s, %(occurred_at)s, %(kiosk_id)s, %(event)s, %(username_entered)s, "
        "%(user_id)s, %(user_matched)s, %(reason)s, %(prev_hash)s, %(row_hash)s) "
        "ON CONFLICT DO NOTHING"),
    "reading": (
        "INSERT INTO county.reading (event_id, kiosk_id, local_seq, view_id, person_uid, "
        "course_id, content_version, section_id, opened_at, seconds) VALUES (%(event_id)s, "
        "%(k)s, %(seq)s, %(view_id)s, %(person_uid)s, %(course_id)s, %(content_version)s, "
        "%(section_id)s, %(opened_at)s, %(seconds)s) ON CONFLICT DO NOTHING"),
    "contact": (
        "INSERT INTO county.contacts (event_id, kiosk_id, local_seq, op, contact_id, course_id, "
        "position, name, role, phone, web, area, last_verified, updated_at) VALUES "
        "(%(event_id)s, %(k)s, %(seq)s, %(op)s, %(contact_id)s, %(course_id)s, %(position)s, "
        "%(name)s, %(role)s, %(phone)s, %(web)s, %(area)s, %(last_verified)s, %(updated_at)s) "
        "ON CONFLICT DO NOTHING"),
}
_BOOLS = {"person": ("disabled",), "attempt": ("passed",), "answer": ("correct",)}
_ORDER = ("person", "attempt", "answer", "reading", "contact", "access_log")


@dataclass
class Hooks:
    """Test seams around the commit (a crash or a stopped server at the worst moment)."""

    before_commit: Callable[[], None] | None = None
    after_commit: Callable[[], None] | None = None


@dataclass
class SyncResult:
    sent: int = 0
    batches: int = 0
    certificates: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)


def server_url(db_path: Path, given: str | None = None) -> tuple[str, str]:
    """(URL, kiosk id) to push to: `given`, else the joined server's."""
    saved = credentials.load(db_path)
    if given:
        return credentials.check_url(given), (saved or {}).get("kiosk_id", "")
    if saved is None:
        raise KioskError("this kiosk has not joined a county server: ask the county's "
                         "administrator for its URL, then run `kiosk sync join`")
    return saved["url"], saved["kiosk_id"]


def join(db: Database, db_path: Path, clock: Clock, url: str) -> tuple[str, int]:
    """Check the URL works as a kiosk role, save it beside data.db, switch queueing on.

    Returns (kiosk id, records queued from before). The kiosk's `kiosk_id` setting is
    set to the id the server knows it by, so its access log and results say the same.
    """
    from kiosk.county.schema import connect
    from kiosk.settings import Settings

    url = credentials.check_url(url)
    conn = connect(url)
    try:
        row = conn.execute("SELECT county.my_kiosk()").fetchone()
    except Exception as exc:
        raise KioskError("the server did not accept this URL as a kiosk's: "
                         + credentials.redact(str(exc).splitlines()[0],
                                              credentials.password_of(url))) from None
    finally:
        conn.close()
    kiosk_id = row[0] if row else None
    if not kiosk_id:
        raise KioskError("this URL is not a kiosk's (use the URL `kiosk server add-kiosk` "
                         "printed for this kiosk)")
    settings = Settings(db, clock)
    if settings.kiosk_id != kiosk_id:
        settings.set("kiosk_id", kiosk_id)
    credentials.save(db_path, url, kiosk_id)
    queued = outbox.enable(db, kiosk_id, to_iso(clock.now()))
    return kiosk_id, queued


def _rows(kind: str, seq: int, payload: dict[str, Any], kiosk_id: str,
          into: dict[str, list[dict[str, Any]]]) -> None:
    payload["k"] = kiosk_id
    payload["seq"] = seq
    if kind == "attempt":
        for answer in payload.pop("answers", None) or []:
            answer["attempt_id"] = payload["attempt_id"]
            answer["k"] = kiosk_id
            into["answer"].append(_booleans("answer", answer))
    into[kind].append(_booleans(kind, payload))


def _booleans(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    for name in _BOOLS.get(kind, ()):
        if row.get(name) is not None:
            row[name] = bool(row[name])
    return row


def push(db: Database, url: str, kiosk_id: str, clock: Clock, *,
         batch_size: int = BATCH_SIZE, hooks: Hooks | None = None,
         max_batches: int | None = None) -> SyncResult:
    """Push every queued record, a batch per server transaction; record the outcome.

    Raises KioskError (already recorded as the last error) when the server cannot be
    reached or refuses; what was committed before that stays marked as sent.
    """
    from kiosk.county.schema import connect

    hooks = hooks or Hooks()
    result = SyncResult()
    secret = credentials.password_of(url)
    try:
        conn = connect(url)
        try:
            while max_batches is None or result.batches < max_batches:
                queued = outbox.batch(db, batch_size)
                if not queued:
                    break
                grouped: dict[str, list[dict[str, Any]]] = {k: [] for k in _ORDER}
                for seq, kind, payload in queued:
                    if kind not in _INSERT:
                        raise KioskError(f"the outbox holds an unknown kind '{kind}' "
                                         "(written by a newer kiosk?); nothing was sent")
                    _rows(kind, seq, json.loads(payload), kiosk_id, grouped)
                with conn.transaction(), conn.cursor() as cur:
                    for kind in _ORDER:
                        if grouped[kind]:
                            cur.executemany(_INSERT[kind], grouped[kind])
                    if hooks.before_commit:
                        hooks.before_commit()
                # Committed: from here the server holds the batch. A crash now resends it
                # next time, and ON CONFLICT DO NOTHING makes that harmless.
                if hooks.after_commit:
                    hooks.after_commit()
                outbox.mark_sent(db, queued[0][0], queued[-1][0])
                result.sent += len(queued)
                result.batches += 1
            pulled = pull(db, conn)
            result.certificates, result.conflicts = pulled
        finally:
            conn.close()
    except KioskError as exc:
        message = credentials.redact(str(exc), secret)
        _record_failure(db, clock, message)
        raise KioskError(message) from None
    except Exception as exc:  # psycopg errors: a lost server, a refusal
        message = "the county server stopped the sync: " + credentials.redact(
            (str(exc).strip().splitlines() or [type(exc).__name__])[0], secret)
        _record_failure(db, clock, message)
        raise KioskError(message + f" ({result.sent} records sent before that; the rest "
                         "stay queued)") from None
    outbox.record_attempt(db, to_iso(clock.now()), synced=True, pulled=True)
    return result


def _record_failure(db: Database, clock: Clock, message: str) -> None:
    log.warning("county sync failed: %s", message)
    try:
        outbox.record_attempt(db, to_iso(clock.now()), error=message)
    except Exception:  # the status line must never hide the real failure
        log.exception("could not record the sync failure")


def pull(db: Database, conn: Any) -> tuple[int, int]:
    """Replace the local copies of the roster's certificates and name conflicts."""
    certs = conn.execute(
        "SELECT attempt_id::text, person_uid::text, course_id, finished_at, expires_on, "
        "percent, certificate_code, COALESCE(centre, ''), kiosk_id "
        "FROM county.roster_certificates()").fetchall()
    clashes = conn.execute(
        "SELECT person_uid::text, field, here, there, COALESCE(centre, ''), kiosk_id "
        "FROM county.roster_conflicts()").fetchall()
    conn.commit()
    with write_transaction(db):
        db.execute("DELETE FROM county_certificates")
        db.conn.executemany(
            "INSERT INTO county_certificates (attempt_id, person_uid, course_id, finished_at, "
            "expires_on, percent, certificate_code, centre, kiosk_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", certs)
        db.execute("DELETE FROM county_conflicts")
        db.conn.executemany(
            "INSERT INTO county_conflicts (person_uid, field, here, there, centre, kiosk_id) "
            "VALUES (?, ?, ?, ?, ?, ?)", clashes)
    return len(certs), len(clashes)


def link_person(db: Database, db_path: Path, clock: Clock, username: str, code: str,
                url: str | None = None) -> str:
    """Give a local account the county id of the person holding certificate `code`.

    The manager has the person in front of them with their certificate; the server
    answers only when the code exists and the names match, and reveals nothing else.
    The link is a new version of the person (pushed like any edit) and is logged.
    """
    from kiosk import access_log, users
    from kiosk.certificate import normalise_code
    from kiosk.county.schema import connect
    from kiosk.settings import Settings

    user = users.require(db, username)
    wanted = normalise_code(code)
    target, _kiosk = server_url(db_path, url)
    conn = connect(target)
    try:
        row = conn.execute("SELECT county.claim_person(%s, %s)::text",
                           [wanted, user.full_name]).fetchone()
    finally:
        conn.close()
    uid = row[0] if row else None
    if not uid:
        raise KioskError(f"the county has no certificate {wanted} in the name "
                         f"'{user.full_name}'; check the code and that the name here is "
                         "spelled as on the certificate")
    settings = Settings(db, clock)
    with write_transaction(db):
        other = db.execute("SELECT username FROM users WHERE person_uid = ? AND id != ?",
                           [uid, user.id]).fetchone()
        if other:
            raise KioskError(f"that person is already linked to the account '{other[0]}' "
                             "here")
        db.execute("UPDATE users SET person_uid = ? WHERE id = ?", [uid, user.id])
        access_log.append(db, clock, kiosk_id=settings.kiosk_id,
                          event=access_log.MANAGER_ACTION, username_entered="(command line)",
                          user_id=user.id, user_matched=user.username,
                          reason=f"county link: {user.username} to the holder of {wanted}")
    return uid
