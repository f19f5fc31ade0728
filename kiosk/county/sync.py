"""Pushing the outbox to the county server, and pulling the roster's certificates back.

A batch is inserted in one server transaction with ON CONFLICT DO NOTHING on each
record's own key (attempt UUIDs, (kiosk, row) for the access log, a UUID per
version for people, reading and contacts), and removed from the outbox only after
the server has committed it. So a kiosk killed between the two, or a reply lost
on the way, pushes the same batch again and the server inserts nothing twice; a
server that goes away mid-batch rolls the whole batch back and nothing is marked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk import users
from kiosk.clock import Clock, to_iso
from kiosk.county import credentials, outbox
from kiosk.db import write_transaction
from kiosk.errors import KioskError

log = logging.getLogger("kiosk.county")

BATCH_SIZE = 2000
# The running kiosk's background push: small batches with a rest between them, so a
# kiosk catching up on a month offline does not slow the sign-in of the person at the
# screen (BENCHMARKS.md, county load check).
BACKGROUND_BATCH = 500
BACKGROUND_PAUSE_SECONDS = 0.25

# A batch travels as the outbox's own JSON, streamed with COPY into a temporary table,
# and is unpacked on the server into the county's tables: no Python per record, so a
# year of a kiosk's records goes in seconds. ON CONFLICT DO NOTHING on each record's
# key makes a batch sent twice insert nothing the second time.
_STAGE = ("CREATE TEMP TABLE IF NOT EXISTS county_incoming "
          "(seq bigint NOT NULL, kind text NOT NULL, payload jsonb NOT NULL) "
          "ON COMMIT DELETE ROWS")
_FROM = "FROM (SELECT seq, payload AS p FROM county_incoming WHERE kind = '{kind}') i"
_APPLY = (
    "INSERT INTO county.people (event_id, kiosk_id, local_seq, person_uid, local_id, "
    "username, full_name, role, job_title, disabled, changed_at) "
    "SELECT (p->>'event_id')::uuid, %(k)s, seq, (p->>'person_uid')::uuid, "
    "(p->>'local_id')::bigint, p->>'username', p->>'full_name', p->>'role', "
    "p->>'job_title', (p->>'disabled')::int::boolean, p->>'changed_at' "
    + _FROM.format(kind="person") + " ON CONFLICT DO NOTHING",
    "INSERT INTO county.attempts (attempt_id, kiosk_id, person_uid, local_user_id, "
    "username, full_name, course_id, course_version, content_version, started_at, "
    "finished_at, duration_seconds, score, max_score, percent, pass_mark, passed, "
    "expires_on, certificate_code) "
    "SELECT (p->>'attempt_id')::uuid, %(k)s, (p->>'person_uid')::uuid, "
    "(p->>'local_user_id')::bigint, COALESCE(p->>'username', ''), "
    "COALESCE(p->>'full_name', ''), p->>'course_id', p->>'course_version', "
    "p->>'content_version', p->>'started_at', p->>'finished_at', "
    "(p->>'duration_seconds')::integer, (p->>'score')::float8, (p->>'max_score')::float8, "
    "(p->>'percent')::float8, (p->>'pass_mark')::integer, (p->>'passed')::int::boolean, "
    "p->>'expires_on', p->>'certificate_code' "
    + _FROM.format(kind="attempt") + " ON CONFLICT DO NOTHING",
    "INSERT INTO county.attempt_answers (attempt_id, position, kiosk_id, question_id, "
    "section_id, answer, answered_at, correct, points) "
    "SELECT (p->>'attempt_id')::uuid, (a->>'position')::integer, %(k)s, a->>'question_id', "
    "a->>'section_id', a->>'answer', a->>'answered_at', (a->>'correct')::int::boolean, "
    "(a->>'points')::float8 " + _FROM.format(kind="attempt")
    + ", jsonb_array_elements(COALESCE(p->'answers', '[]'::jsonb)) a "
    "ON CONFLICT DO NOTHING",
    "INSERT INTO county.reading (event_id, kiosk_id, local_seq, view_id, person_uid, "
    "course_id, content_version, section_id, opened_at, seconds) "
    "SELECT (p->>'event_id')::uuid, %(k)s, seq, (p->>'view_id')::bigint, "
    "(p->>'person_uid')::uuid, p->>'course_id', p->>'content_version', p->>'section_id', "
    "p->>'opened_at', (p->>'seconds')::float8 "
    + _FROM.format(kind="reading") + " ON CONFLICT DO NOTHING",
    "INSERT INTO county.contacts (event_id, kiosk_id, local_seq, op, contact_id, course_id, "
    "position, name, role, phone, web, area, last_verified, updated_at) "
    "SELECT (p->>'event_id')::uuid, %(k)s, seq, p->>'op', (p->>'contact_id')::bigint, "
    "p->>'course_id', (p->>'position')::integer, p->>'name', p->>'role', p->>'phone', "
    "p->>'web', p->>'area', p->>'last_verified', p->>'updated_at' "
    + _FROM.format(kind="contact") + " ON CONFLICT DO NOTHING",
    "INSERT INTO county.access_log (kiosk_id, row_id, occurred_at, row_kiosk_id, event, "
    "username_entered, user_id, user_matched, reason, prev_hash, row_hash) "
    "SELECT %(k)s, (p->>'row_id')::bigint, p->>'occurred_at', p->>'kiosk_id', p->>'event', "
    "p->>'username_entered', (p->>'user_id')::bigint, p->>'user_matched', p->>'reason', "
    "p->>'prev_hash', p->>'row_hash' "
    + _FROM.format(kind="access_log") + " ORDER BY seq ON CONFLICT DO NOTHING",
)


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


def join(db: Database, db_path: Path, clock: Clock, url: str,
         record: Callable[[str], None] | None = None) -> tuple[str, int]:
    """Check the URL works as a kiosk role, save it beside data.db, switch queueing on.

    Returns (kiosk id, records queued from before). The kiosk's `kiosk_id` setting is
    set to the id the server knows it by, so its access log and results say the same.
    `record(kiosk_id)` (kiosk.operations.county: the manager's check and log row) runs in
    the transaction that changes the setting and switches queueing on.
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
    with write_transaction(db):
        if record is not None:
            record(kiosk_id)
        if settings.kiosk_id != kiosk_id:
            settings.set("kiosk_id", kiosk_id)
        queued = outbox.enable(db, kiosk_id, to_iso(clock.now()))
    # After the commit: a refused or failed join leaves no credential behind. A crash
    # before this line leaves a joined kiosk without one, which `kiosk sync status` names
    # ("join again"), and joining again queues nothing twice.
    credentials.save(db_path, url, kiosk_id)
    return kiosk_id, queued


def push(db: Database, url: str, kiosk_id: str, clock: Clock, *,
         batch_size: int = BATCH_SIZE, hooks: Hooks | None = None,
         max_batches: int | None = None, pause_s: float = 0.0) -> SyncResult:
    """Push every queued record, a batch per server transaction; record the outcome.

    Raises KioskError (already recorded as the last error) when the server cannot be
    reached or refuses; what was committed before that stays marked as sent.
    `pause_s` between batches leaves the CPU to the kiosk's own work (the background
    push on an old two-core PC shares it with a person signing in).
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
                unknown = {kind for _seq, kind, _p in queued} - set(outbox.KINDS)
                if unknown:
                    raise KioskError(f"the outbox holds an unknown kind '{min(unknown)}' "
                                     "(written by a newer kiosk?); nothing was sent")
                with conn.transaction(), conn.cursor() as cur:
                    cur.execute(_STAGE)
                    with cur.copy("COPY county_incoming (seq, kind, payload) FROM STDIN") as cp:
                        for row in queued:
                            cp.write_row(row)
                    for statement in _APPLY:
                        cur.execute(statement, {"k": kiosk_id})
                    if hooks.before_commit:
                        hooks.before_commit()
                # Committed: from here the server holds the batch. A crash now resends it
                # next time, and ON CONFLICT DO NOTHING makes that harmless.
                if hooks.after_commit:
                    hooks.after_commit()
                outbox.mark_sent(db, queued[0][0], queued[-1][0])
                result.sent += len(queued)
                result.batches += 1
                if pause_s:
                    time.sleep(pause_s)
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
                url: str | None = None, *,
                record: Callable[[users.User, str], None]) -> str:
    """Give a local account the county id of the person holding certificate `code`.

    The manager has the person in front of them with their certificate; the server
    answers only when the code exists and the names match, and reveals nothing else.
    The link is a new version of the person (pushed like any edit); `record(user, code)`
    (kiosk.operations.county: the manager's check and log row) runs in its transaction.
    """
    from kiosk import evidence
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
    uid: str | None = str(row[0]) if row and row[0] else None
    if not uid:
        raise KioskError(f"the county has no certificate {wanted} in the name "
                         f"'{user.full_name}'; check the code and that the name here is "
                         "spelled as on the certificate")
    with write_transaction(db):
        record(user, wanted)
        other = db.execute("SELECT username FROM users WHERE person_uid = ? AND id != ?",
                           [uid, user.id]).fetchone()
        if other:
            raise KioskError(f"that person is already linked to the account '{other[0]}' "
                             "here")
        db.execute("UPDATE users SET person_uid = ? WHERE id = ?", [uid, user.id])
        # Who the account is in the county is part of who it is: sealed like a rename.
        evidence.seal_identity(db, clock, user.id, Settings(db, clock).kiosk_id,
                               f"county link to the holder of {wanted}")
    return uid
