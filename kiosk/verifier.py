"""`kiosk verify`: check the whole record, trusting nothing the kiosk did not write itself.

1. The access log's hash chain, its head and its guards, and every trigger and view in
   the file against what the migrations create (access_log.verify_chain).
2. Every submitted attempt against the digest sealed into the chain when it was
   submitted, and every sealed attempt still present (or removed by a recorded purge).
3. Scores recomputed from the stored answers and the course's rules; pass, expiry and
   certificate code checked against the score and the pass mark.
4. Every account against the newest `identity` digest in the chain (renaming someone
   so another person's certificate becomes theirs, or promoting an account).
5. Optionally a chain-head receipt kept outside the file (see access_log.receipt).

Nothing here writes: the caller opens the file read-only (db.open_readonly).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlite_utils import Database

from kiosk import access_log, evidence, quiz
from kiosk.certificate import normalise_code
from kiosk.clock import add_months

# A results purge records "results_purge: N attempts before YYYY-MM-DD"; attempts
# sealed before that day may be gone.
PURGE_REASON = re.compile(r"^results_purge: \d+ attempts before (?P<day>\d{4}-\d{2}-\d{2})")
MAX_LISTED = 20


@dataclass
class Report:
    chain: access_log.ChainReport
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    attempts_checked: int = 0
    accounts_checked: int = 0
    receipt_checked: bool = False

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems

    def add(self, problem: str) -> None:
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)
        elif len(self.problems) == MAX_LISTED:
            self.problems.append("(more problems not listed)")


@dataclass
class _Sealed:
    attempts: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # id: digest, row, at
    identities: dict[int, tuple[str, int]] = field(default_factory=dict)  # user: digest, row
    purged_before: str = ""  # the latest results-purge cut-off day


def _sealed(db: Database, report: Report) -> _Sealed:
    found = _Sealed()
    cursor = db.execute(
        "SELECT id, occurred_at, event, user_id, reason FROM access_log "
        "WHERE event IN (?, ?, ?) ORDER BY id",
        [evidence.TEST_SUBMITTED, evidence.IDENTITY, access_log.MANAGER_ACTION])
    for row_id, at, event, user_id, reason in cursor:
        if event == evidence.TEST_SUBMITTED:
            match = evidence.ATTEMPT_REASON.match(reason or "")
            if not match:
                report.add(f"log row {row_id} records a test without a digest")
                continue
            if match["id"] in found.attempts:
                report.add(f"attempt {match['id']} is recorded as submitted twice "
                           f"(log rows {found.attempts[match['id']][1]} and {row_id})")
            found.attempts[match["id"]] = (match["digest"], row_id, at)
        elif event == evidence.IDENTITY:
            match = evidence.IDENTITY_REASON.match(reason or "")
            if not match or user_id is None or int(match["id"]) != int(user_id):
                report.add(f"log row {row_id} records an identity without a matching digest")
                continue
            found.identities[int(user_id)] = (match["digest"], row_id)
        else:
            purge = PURGE_REASON.match(reason or "")
            if purge:
                found.purged_before = max(found.purged_before, purge["day"])
    return found


def _log_purged_before(db: Database) -> str:
    """The time of the oldest kept log row when the log has been purged, else ''."""
    if not db.execute("SELECT 1 FROM access_log_anchor LIMIT 1").fetchone():
        return ""
    row = db.execute("SELECT MIN(occurred_at) FROM access_log").fetchone()
    return str(row[0] or "")


def _attempts(db: Database) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Every submitted attempt with its questions, streamed (two ordered cursors, merged)."""
    questions = db.query(
        "SELECT q.* FROM attempt_questions q JOIN attempts a ON a.id = q.attempt_id "
        "WHERE a.status = 'submitted' ORDER BY q.attempt_id, q.position")
    pending = next(questions, None)
    for attempt in db.query("SELECT * FROM attempts WHERE status = 'submitted' ORDER BY id"):
        mine = []
        while pending is not None and pending["attempt_id"] < attempt["id"]:
            pending = next(questions, None)
        while pending is not None and pending["attempt_id"] == attempt["id"]:
            mine.append(pending)
            pending = next(questions, None)
        yield attempt, mine


def _close(a: Any, b: Any) -> bool:
    return a is not None and b is not None and abs(float(a) - float(b)) < 1e-6


def _rule_problems(attempt: dict[str, Any], questions: list[dict[str, Any]],
                   courses: dict[str, Any], stale: set[str]) -> list[str]:
    """What is wrong with the attempt's own arithmetic, pass, expiry and certificate."""
    out = []
    if not attempt.get("finished_at"):
        out.append("is submitted but has no finishing time")
    course = courses.get(attempt["course_id"])
    bank_matches = course is not None and course.content_version == attempt["content_version"]
    if course is not None and not bank_matches:
        stale.add(attempt["course_id"])
    points = 0.0
    for q in questions:
        stored = float(q["points"] or 0)
        points += stored
        if bank_matches and course is not None:
            try:
                item = course.question(q["question_id"])
            except StopIteration:
                out.append(f"question {q['question_id']} is not in the course it was taken on")
                continue
            selected = quiz._decode(q["answer"])
            expected = round(quiz.question_points(item.type, item.answer, selected,
                                                  course.multiple_scoring), 4)
            if not _close(expected, stored) or int(q["correct"] or 0) != int(expected == 1.0):
                out.append(f"question {q['position']}'s mark does not follow from its answer")
    if not _close(attempt["max_score"], len(questions)):
        out.append("its maximum score is not its number of questions")
    if not _close(attempt["score"], round(points, 4)):
        out.append("its score is not the sum of its questions' marks")
    percent = quiz.percent_of(float(attempt["score"] or 0), float(attempt["max_score"] or 0))
    if not _close(attempt["percent"], percent):
        out.append("its percentage does not follow from its score")
    passed = quiz.is_pass(percent, int(attempt["pass_mark"] or 0))
    if bool(attempt["passed"]) != passed:
        out.append("its pass or fail does not follow from its score and pass mark")
    code = attempt.get("certificate_code")
    if passed and (not code or normalise_code(code) != code):
        out.append("it is a pass without a valid certificate code")
    if not passed and (code or attempt.get("expires_on")):
        out.append("it is a fail but carries a certificate or an expiry date")
    if passed and course is not None and attempt.get("finished_at"):
        finished = date.fromisoformat(attempt["finished_at"][:10])
        expected_expiry = add_months(finished, course.refresher_months).isoformat()
        if attempt.get("expires_on") != expected_expiry:
            out.append("its certificate's expiry date does not follow from the course")
    return out


def _check_attempts(db: Database, report: Report, sealed: _Sealed,
                    courses: dict[str, Any]) -> None:
    log_cut = _log_purged_before(db)
    stale: set[str] = set()
    unsealed_old = 0
    seen: set[str] = set()
    for attempt, questions in _attempts(db):
        report.attempts_checked += 1
        seen.add(attempt["id"])
        label = f"attempt {attempt['id']}"
        seal = sealed.attempts.get(attempt["id"])
        if seal is None:
            if log_cut and (attempt.get("finished_at") or "") < log_cut:
                unsealed_old += 1  # its log row went in a retention purge of the log
            else:
                report.add(f"{label} is a submitted result the kiosk never recorded "
                           "(inserted, or promoted from in progress, outside the kiosk)")
                continue
        elif evidence.attempt_digest(attempt, questions) != seal[0]:
            report.add(f"{label} was changed after it was submitted (sealed in log row "
                       f"{seal[1]})")
            continue
        for problem in _rule_problems(attempt, questions, courses, stale):
            report.add(f"{label}: {problem}")
    for attempt_id, (_digest, row_id, at) in sealed.attempts.items():
        if attempt_id in seen:
            continue
        if sealed.purged_before and at[:10] < sealed.purged_before:
            continue  # removed by a recorded results purge
        report.add(f"attempt {attempt_id} (sealed in log row {row_id}) has been removed "
                   "or un-submitted")
    if unsealed_old:
        report.notes.append(f"{unsealed_old} results are older than the purged part of the "
                            "access log, so only their arithmetic could be checked")
    for course_id in sorted(stale):
        report.notes.append(f"some {course_id} results were taken on older course text: their "
                            "marks are checked against their sealed digests, not the bank")


def _check_identities(db: Database, report: Report, sealed: _Sealed) -> None:
    present = set()
    for user in db.query("SELECT * FROM users ORDER BY id"):
        report.accounts_checked += 1
        present.add(int(user["id"]))
        seal = sealed.identities.get(int(user["id"]))
        label = f"account '{access_log.clean_text(user['username'], 64)}' (id {user['id']})"
        if seal is None:
            report.add(f"{label} was added outside the kiosk")
        elif seal[0] not in evidence.identity_digests(user):
            report.add(f"{label}: its username, name, role, status, password or county "
                       f"link was changed outside the kiosk (last recorded in log row "
                       f"{seal[1]})")
    for user_id, (_digest, row_id) in sealed.identities.items():
        if user_id not in present:
            report.add(f"account id {user_id} (recorded in log row {row_id}) has been removed")


def verify_all(db: Database, courses: Sequence[Any] = (), receipt: str | None = None
               ) -> Report:
    """Everything above; `receipt` is the text of a chain-head receipt to check against."""
    report = Report(access_log.verify_chain(db))
    if receipt is not None:
        problem = access_log.check_receipt(db, receipt)
        report.receipt_checked = True
        if problem:
            report.add(problem)
    if not db["access_log"].exists() or not db["attempts"].exists():
        return report
    migrated = db["_sqlite_migrations"].exists() and db.execute(
        "SELECT 1 FROM _sqlite_migrations WHERE name = ?", ["evidence_seal_records"]).fetchone()
    has_seals = db.execute("SELECT 1 FROM access_log WHERE event IN (?, ?) LIMIT 1",
                           [evidence.TEST_SUBMITTED, evidence.IDENTITY]).fetchone()
    if has_seals and not migrated:
        report.add("the record of the upgrade that started sealing results was removed")
    if not migrated and not has_seals:
        report.notes.append("this file is from before results were sealed; open it with "
                            "the kiosk once to start sealing them")
        return report
    sealed = _sealed(db, report)
    _check_attempts(db, report, sealed, {c.id: c for c in courses})
    _check_identities(db, report, sealed)
    return report
