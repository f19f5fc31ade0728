"""Sample records for `kiosk demo` and benchmarks/make_data.py, made through the core.

Accounts go through kiosk.users (one password checked and hashed once, see
users.create_many), log rows through kiosk.access_log.append_many (so the hash
chain verifies), and test attempts through kiosk.quiz when that module exists.
Nothing here is ever run against a real centre's data.db: the demo command and
the benchmark generator both refuse that file.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from kiosk import access_log, evidence, passwords, quiz, users
from kiosk.clock import Clock, add_months, to_iso
from kiosk.db import write_transaction
from kiosk.settings import Settings

FIRST_NAMES = ("Zoë", "Llŷr", "Siân", "Aoife", "Dafydd", "Chloé", "Mohammed", "Priya", "Bogdan",
               "Grace", "Oluwaseun", "Ewan", "Małgorzata", "Tomás", "Amélie", "Kwame")
LAST_NAMES = ("Ødegård", "Wyn", "Ní Bhriain", "O'Neill", "Jones", "Kowalska", "Okafor",
              "Patel", "Müller", "Ó Súilleabháin", "Lefèvre", "Smith", "Nguyễn", "Ahmed")
JOBS = ("Early years practitioner", "Volunteer", "Family support worker", "Cook",
        "Receptionist", "Play worker", "Outreach worker")

# Outcomes a test attempt can leave, as the training-status rule (kiosk/status.py) sees them.
PASSED, DUE, EXPIRED, FAILED, IN_PROGRESS = "passed", "due", "expired", "failed", "in_progress"
OUTCOMES = (PASSED, DUE, EXPIRED, FAILED, IN_PROGRESS)


class SteppingClock(Clock):
    """A clock that moves on by `step` each time it is read: spreads bulk rows over time."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self.current = start
        self.step = step

    def now(self) -> datetime:
        moment = self.current
        self.current += self.step
        return moment


@dataclass(frozen=True)
class CourseInfo:
    """What an attempt row needs from a course pack, without loading Qt or the pack twice."""

    id: str
    version: str
    content_version: str
    pass_mark: int
    refresher_months: int
    questions: tuple[tuple[str, str, int], ...]  # (question id, section id, option count)
    # Per question id: (a right answer, a wrong one) as option indices, so sample marks
    # follow from sample answers exactly as `kiosk verify` recomputes them.
    keys: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=dict)

    @classmethod
    def from_course(cls, course: Any) -> CourseInfo:
        keys = {}
        for q in course.questions:
            wrong = [i for i in range(len(q.options)) if i not in q.answer]
            keys[q.id] = (tuple(sorted(q.answer)), tuple(wrong[:1]))
        return cls(course.id, course.version, course.content_version, course.pass_mark,
                   course.refresher_months,
                   tuple((q.id, q.section, len(q.options)) for q in course.questions), keys)


def default_course() -> CourseInfo:
    from kiosk.course import load_default_courses

    return CourseInfo.from_course(load_default_courses()[0])


def person(rng: random.Random, i: int) -> tuple[str, str]:
    """A (username, full name) pair; usernames are unique by their number."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return f"staff{i:06d}", f"{first} {last}"


def add_bulk_users(db: Database, settings: Settings, clock: Clock, count: int, password: str,
                   rng: random.Random, *, managers: int = 1) -> list[int]:
    """`count` accounts sharing `password` (checked against the policy, hashed once)."""
    if count <= 0:
        return []
    passwords.check_policy(password, username="", centre_name=settings.centre_name,
                           min_length=users.min_length_for(settings, "manager"))
    hashed = passwords.hash_password(password)
    people = []
    for i in range(count):
        username, name = person(rng, i + 1)
        people.append((username, name, "manager" if i < managers else "learner",
                       rng.choice(JOBS)))
    start = db.execute("SELECT COALESCE(MAX(id), 0) FROM users").fetchone()[0]
    users.create_many(db, settings, clock, people, password_hash=hashed)
    return [row[0] for row in db.execute("SELECT id FROM users WHERE id > ? ORDER BY id",
                                         [start])]


def _attempt_rows(course: CourseInfo, user_id: int, outcome: str, today: datetime,
                  rng: random.Random, kiosk_id: str, questions_per_attempt: int
                  ) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """One attempt and its questions, shaped like m001's attempts/attempt_questions."""
    days_ago = {PASSED: rng.randint(10, 200), DUE: 365 - rng.randint(3, 25),
                EXPIRED: 365 + rng.randint(10, 300), FAILED: rng.randint(1, 200),
                IN_PROGRESS: 0}[outcome]
    started = today - timedelta(days=days_ago, minutes=rng.randint(20, 600))
    attempt_id = uuid.UUID(int=rng.getrandbits(128)).hex
    n = min(questions_per_attempt, len(course.questions)) if course.questions else 0
    chosen = rng.sample(course.questions, n) if n else []
    need = (n * course.pass_mark + 99) // 100  # correct answers needed to pass
    right = (rng.randint(0, max(need - 1, 0)) if outcome == FAILED
             else rng.randint(min(need, n), n))
    submitted = outcome != IN_PROGRESS
    finished = started + timedelta(minutes=rng.randint(4, 25)) if submitted else None
    # The test's own rules, so sample results look exactly like real ones.
    percent = quiz.percent_of(right, n) if n and submitted else None
    passed = None if percent is None else int(quiz.is_pass(percent, course.pass_mark))
    expires = None
    if passed and finished is not None:
        expires = add_months(finished.date(), course.refresher_months)
    attempt = {
        "id": attempt_id, "kiosk_id": kiosk_id, "user_id": user_id, "course_id": course.id,
        "course_version": course.version, "content_version": course.content_version,
        "status": "submitted" if submitted else "in_progress",
        "started_at": to_iso(started), "finished_at": to_iso(finished) if finished else None,
        "duration_seconds": int((finished - started).total_seconds()) if finished else None,
        "score": float(right) if submitted else None, "max_score": float(n) if n else None,
        "percent": percent, "pass_mark": course.pass_mark, "passed": passed,
        "expires_on": expires.isoformat() if expires else None,
        "certificate_code": quiz.new_certificate_code() if passed else None,
    }
    rows = []
    for pos, (qid, section, options) in enumerate(chosen):
        answered = submitted or pos < n // 2
        correct = int(pos < right) if submitted else None
        good, bad = course.keys.get(qid, ((0,), ()))
        given = list(good if pos < right else bad)
        rows.append((attempt_id, pos + 1, qid, section,
                     json.dumps(rng.sample(range(max(options, 2)), max(options, 2))),
                     json.dumps(given) if answered and given else None,
                     to_iso(started + timedelta(seconds=30 * (pos + 1))) if answered else None,
                     correct, float(correct) if correct is not None else None))
    return attempt, rows


def add_attempts(db: Database, course: CourseInfo, user_ids: list[int], count: int, *,
                 rng: random.Random, kiosk_id: str, today: datetime,
                 outcomes: list[str] | None = None, questions_per_attempt: int = 10,
                 batch: int = 5000) -> int:
    """Add `count` attempts spread over `user_ids` (or exactly `outcomes`, one each).

    Rows are written in bulk (parameterised executemany, batches in one transaction) in the
    shape of the attempts/attempt_questions tables, with kiosk.quiz's own scoring, pass and
    expiry rules. Going through quiz.start_or_resume/answer/submit instead would cost one
    FULL-sync transaction per answer: hours for the benchmarks' 1,000,000 attempts.
    """
    plan: Iterator[tuple[int, str]]
    if outcomes is not None:
        plan = iter(list(zip(user_ids, outcomes, strict=False)))
        count = min(len(user_ids), len(outcomes))
    else:
        weights = (55, 10, 15, 12, 8)
        plan = ((rng.choice(user_ids), rng.choices(OUTCOMES, weights)[0]) for _ in range(count))
    columns = ("id", "kiosk_id", "user_id", "course_id", "course_version", "content_version",
               "status", "started_at", "finished_at", "duration_seconds", "score",
               "max_score", "percent", "pass_mark", "passed", "expires_on", "certificate_code")
    # Column names are the constants above; every value is a bound parameter.
    insert_attempt = (f"INSERT INTO attempts ({', '.join(columns)}) VALUES "  # noqa: S608
                      f"({', '.join(':' + c for c in columns)})")
    insert_question = (
        "INSERT INTO attempt_questions (attempt_id, position, question_id, section_id, "
        "option_order, answer, answered_at, correct, points) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    done = 0
    while done < count:
        attempts, questions = [], []
        for user_id, outcome in plan:
            attempt, rows = _attempt_rows(course, user_id, outcome, today, rng, kiosk_id,
                                          questions_per_attempt)
            attempts.append(attempt)
            questions.extend(rows)
            if len(attempts) >= batch:
                break
        if not attempts:
            break
        with write_transaction(db):
            db.conn.executemany(insert_attempt, attempts)
            db.conn.executemany(insert_question, questions)
            # Sealed like a real submission, so `kiosk verify` passes on sample data.
            evidence.seal_attempts_bulk(db, SteppingClock(today, timedelta(0)), attempts,
                                        questions, kiosk_id)
        done += len(attempts)
    return done


def access_events(rng: random.Random, usernames: list[tuple[int | None, str]], count: int,
                  kiosk_id: str) -> Iterator[dict[str, Any]]:
    """Plausible sign-in traffic: mostly successes and sign-outs, some mistakes."""
    for _ in range(count):
        user_id, name = rng.choice(usernames)
        roll = rng.random()
        if roll < 0.45:
            yield {"kiosk_id": kiosk_id, "event": access_log.LOGIN_SUCCESS,
                   "username_entered": name, "user_id": user_id, "user_matched": name}
        elif roll < 0.85:
            yield {"kiosk_id": kiosk_id, "event": access_log.LOGOUT, "username_entered": name,
                   "user_id": user_id, "user_matched": name}
        elif roll < 0.95:
            yield {"kiosk_id": kiosk_id, "event": access_log.LOGIN_FAILURE,
                   "username_entered": name, "user_id": user_id, "user_matched": name,
                   "reason": "wrong_password"}
        else:
            yield {"kiosk_id": kiosk_id, "event": access_log.LOGIN_FAILURE,
                   "username_entered": name + "x", "reason": "unknown_user"}


def add_access_events(db: Database, count: int, *, rng: random.Random, kiosk_id: str,
                      end: datetime, batch: int = 50_000) -> int:
    """`count` log rows ending at `end`, about three minutes apart, in chained batches."""
    if count <= 0:
        return 0
    known: list[tuple[int | None, str]] = [
        (r[0], r[1]) for r in db.execute("SELECT id, username FROM users LIMIT 2000")]
    known = known or [(None, "visitor")]
    step = timedelta(minutes=3)
    clock = SteppingClock(end - step * count, step)
    done = 0
    while done < count:
        n = min(batch, count - done)
        done += access_log.append_many(db, clock, access_events(rng, known, n, kiosk_id))
    return done


def utc_today() -> datetime:
    from kiosk.clock import clock_for

    return clock_for(None).now().replace(microsecond=0)


# ---------------------------------------------------------------- the gallery's states

# Who has read how many sections, for the home screens the gallery draws (`kiosk gallery`).
GALLERY_READING = (("chloe", 2), ("dafydd", 4), ("llyr", 4), ("sian", 4), ("aoife", 1))


def gallery_progress(ctx: Any, manager: str, course: Any) -> None:
    """Reading records and one test under way (Chloé's) on the gallery's demo database.

    Made through the operations, as the people themselves would make them on the kiosk,
    so the gallery draws states the kiosk can really reach. Chloé starts her test before
    she has read every section, which the kiosk allows only when `require_all_sections`
    is off: the demo's manager turns it off and on again (two audit rows, as in life).
    """
    from kiosk.operations import quiz as quiz_ops
    from kiosk.operations import reading as reading_ops
    from kiosk.operations import settings as settings_ops

    for username, count in GALLERY_READING:
        person = users.require(ctx.db, username)
        for section in course.sections[:count]:
            view = reading_ops.open_section(ctx, person, course, section.id)
            reading_ops.reached_end(ctx, person, view)
    chloe = users.require(ctx.db, "chloe")
    if quiz.in_progress_id(ctx.db, chloe.id, course) is None:
        boss = users.require(ctx.db, manager)
        settings_ops.change(ctx, boss, {"require_all_sections": "false"})
        try:
            quiz_ops.start_or_resume(ctx, chloe, course)
        finally:
            settings_ops.change(ctx, boss, {"require_all_sections": "true"})


def latest_attempt_id(db: Database, username: str, *, passed: bool) -> str:
    """The newest submitted attempt of `username` that passed (or failed)."""
    person = users.require(db, username)
    for row in quiz.attempts_for(db, person.id):
        if row["status"] == "submitted" and bool(row["passed"]) == passed:
            return str(row["id"])
    raise LookupError(f"{username} has no {'passed' if passed else 'failed'} attempt")
