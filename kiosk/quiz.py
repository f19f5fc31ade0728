"""The test: drawing questions, crash-safe attempts, scoring, limits and grants.

An attempt is written in one transaction when it starts (its questions, their
order and each question's option order), every answer is saved the moment it is
given, and submission scores and freezes it in one more transaction. So after a
crash, a power cut or an idle sign-out the same attempt resumes exactly, and an
attempt is only ever "in progress" or "submitted", never half of either.
Database triggers (migrations.m001) refuse any change to a submitted attempt.

Answers are stored as indices into the ORIGINAL option list of the bank, so a
stored answer means the same thing whatever order the options were shown in.
"""

from __future__ import annotations

import json
import random
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from kiosk import audit, evidence, reading
from kiosk.audit import Actor
from kiosk.clock import Clock, add_months, from_iso, to_iso
from kiosk.course import Course, Question
from kiosk.db import write_transaction
from kiosk.errors import KioskError, NotFoundError, ValidationError
from kiosk.settings import Settings
from kiosk.users import User

ALL_OR_NOTHING = "all_or_nothing"
PARTIAL = "partial"

# No 0/O, 1/I/L or 5/S look-alikes: a code read aloud over the phone or typed from
# paper must not be ambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXYZ2346789"
CODE_PREFIX = "SGK"


class TestRefused(KioskError):
    """The test cannot be started now; the message says why and what to do."""

    __test__ = False  # not a pytest test class despite the name


# ---------------------------------------------------------------- scoring (pure)

def question_points(qtype: str, correct: frozenset[int], selected: Iterable[int] | None,
                    multiple_scoring: str = ALL_OR_NOTHING) -> float:
    """Points (0..1) for one question.

    single and true/false: 1 when the one chosen option is the correct one.
    multiple, all_or_nothing: 1 only when exactly the correct options are chosen.
    multiple, partial: (correct options chosen - wrong options chosen) / correct
    options, never below 0; so choosing everything scores what guessing deserves.
    """
    chosen = frozenset(selected or ())
    if not chosen:
        return 0.0
    if qtype != "multiple" or multiple_scoring != PARTIAL:
        return 1.0 if chosen == correct else 0.0
    right = len(chosen & correct)
    wrong = len(chosen - correct)
    return max(0.0, (right - wrong) / len(correct)) if correct else 0.0


def percent_of(score: float, max_score: float) -> float:
    """The percentage, rounded to 2 places; that rounded figure is the one compared and shown."""
    if max_score <= 0:
        return 0.0
    return round(100.0 * score / max_score, 2)


def is_pass(percent: float, pass_mark: int) -> bool:
    return percent >= pass_mark


def effective_pass_mark(settings: Settings, course: Course) -> int:
    override = int(settings.get("pass_mark") or 0)
    return override if override > 0 else int(course.pass_mark)


# ---------------------------------------------------------------- drawing (pure)

def draw_questions(course: Course, rng: random.Random | None = None,
                   count: int | None = None) -> list[tuple[Question, tuple[int, ...]]]:
    """Pick `count` questions spread as evenly as the bank allows across the sections.

    Sections take turns (in a random order each round) giving one random question
    each, skipping sections that have run out; then the drawn questions are
    shuffled, and each question's options too. True/false keeps True before False:
    swapping them only confuses.
    """
    rng = rng or random.Random(secrets.randbits(64))
    wanted = course.questions_per_test if count is None else count
    pools: dict[str, list[Question]] = {}
    for question in course.questions:
        pools.setdefault(question.section, []).append(question)
    for pool in pools.values():
        rng.shuffle(pool)
    wanted = min(wanted, sum(len(p) for p in pools.values()))
    drawn: list[Question] = []
    while len(drawn) < wanted:
        turn = [s for s in pools if pools[s]]
        rng.shuffle(turn)
        for section in turn:
            if len(drawn) == wanted:
                break
            drawn.append(pools[section].pop())
    rng.shuffle(drawn)
    result = []
    for question in drawn:
        order = list(range(len(question.options)))
        if question.type != "true_false":
            rng.shuffle(order)
        result.append((question, tuple(order)))
    return result


# ---------------------------------------------------------------- attempts

@dataclass(frozen=True)
class AttemptQuestion:
    position: int  # 1-based, the order shown
    question: Question
    option_order: tuple[int, ...]  # original option indices, in the order shown
    selected: frozenset[int]  # original option indices; empty = not answered
    correct: bool | None = None
    points: float | None = None

    @property
    def answered(self) -> bool:
        return bool(self.selected)

    def shown_options(self) -> list[tuple[int, str]]:
        """(original index, text) in the order this person sees them."""
        return [(i, self.question.options[i]) for i in self.option_order]


@dataclass(frozen=True)
class Attempt:
    id: str
    kiosk_id: str
    user_id: int
    course_id: str
    course_version: str
    content_version: str
    status: str
    started_at: str
    questions: tuple[AttemptQuestion, ...]
    finished_at: str | None = None
    duration_seconds: int | None = None
    score: float | None = None
    max_score: float | None = None
    percent: float | None = None
    pass_mark: int | None = None
    passed: bool | None = None
    expires_on: date | None = None
    certificate_code: str | None = None

    @property
    def submitted(self) -> bool:
        return self.status == "submitted"

    def unanswered(self) -> list[int]:
        return [q.position for q in self.questions if not q.answered]


def _decode(text: str | None) -> frozenset[int]:
    if not text:
        return frozenset()
    try:
        return frozenset(int(i) for i in json.loads(text))
    except (ValueError, TypeError):
        return frozenset()


def load_attempt(db: Database, attempt_id: str, course: Course) -> Attempt:
    rows = list(db.query("SELECT * FROM attempts WHERE id = ?", [attempt_id]))
    if not rows:
        raise NotFoundError("That test attempt does not exist.")
    row = rows[0]
    questions = []
    for q in db.query("SELECT * FROM attempt_questions WHERE attempt_id = ? ORDER BY position",
                      [attempt_id]):
        questions.append(AttemptQuestion(
            position=int(q["position"]),
            question=course.question(q["question_id"]),
            option_order=tuple(int(i) for i in json.loads(q["option_order"])),
            selected=_decode(q["answer"]),
            correct=None if q["correct"] is None else bool(q["correct"]),
            points=q["points"],
        ))
    return Attempt(
        id=row["id"], kiosk_id=row["kiosk_id"], user_id=int(row["user_id"]),
        course_id=row["course_id"], course_version=row["course_version"],
        content_version=row["content_version"], status=row["status"],
        started_at=row["started_at"], questions=tuple(questions),
        finished_at=row["finished_at"], duration_seconds=row["duration_seconds"],
        score=row["score"], max_score=row["max_score"], percent=row["percent"],
        pass_mark=row["pass_mark"],
        passed=None if row["passed"] is None else bool(row["passed"]),
        expires_on=date.fromisoformat(row["expires_on"]) if row["expires_on"] else None,
        certificate_code=row["certificate_code"],
    )


def in_progress_id(db: Database, user_id: int, course: Course) -> str | None:
    """The attempt this person would resume, if any (its questions must still be in the bank)."""
    bank = {q.id for q in course.questions}
    for row in db.execute(
        "SELECT id FROM attempts WHERE user_id = ? AND course_id = ? AND status = 'in_progress' "
        "ORDER BY started_at DESC", [user_id, course.id],
    ).fetchall():
        ids = {r[0] for r in db.execute(
            "SELECT question_id FROM attempt_questions WHERE attempt_id = ?", [row[0]])}
        # An attempt drawn from questions since removed from the pack cannot be shown
        # again; it stays in the file as it is, and a fresh one is drawn.
        if ids and ids <= bank:
            return str(row[0])
    return None


def _unused_grant(db: Database, user_id: int, course_id: str) -> int | None:
    row = db.execute(
        "SELECT id FROM attempt_grants WHERE user_id = ? AND course_id = ? "
        "AND used_by_attempt IS NULL ORDER BY id LIMIT 1", [user_id, course_id],
    ).fetchone()
    return int(row[0]) if row else None


def refusal(db: Database, settings: Settings, clock: Clock, user_id: int,
            course: Course) -> str | None:
    """Why a new attempt may not start now (limit or cool-down), or None when it may.

    The limit counts attempts started in the current refresher period: since the
    later of the last pass and `refresher_months` ago, so a refresher a year on
    gets a fresh allowance.
    """
    now = clock.now()
    limit = int(settings.get("attempt_limit"))
    if limit:
        period_start = datetime.combine(
            add_months(now.date(), -course.refresher_months), now.timetz())
        last_pass = db.execute(
            "SELECT MAX(finished_at) FROM attempts WHERE user_id = ? AND course_id = ? "
            "AND status = 'submitted' AND passed = 1", [user_id, course.id],
        ).fetchone()[0]
        since = max(to_iso(period_start), last_pass or "")
        used = db.execute(
            "SELECT COUNT(*) FROM attempts WHERE user_id = ? AND course_id = ? "
            "AND status = 'submitted' AND started_at > ?", [user_id, course.id, since],
        ).fetchone()[0]
        if used >= limit:
            return (f"You have used all {limit} test attempts allowed for this course. "
                    "Ask a manager: they can allow you another attempt.")
    hours = int(settings.get("attempt_cooldown_hours"))
    if hours:
        last = db.execute(
            "SELECT MAX(finished_at) FROM attempts WHERE user_id = ? AND course_id = ? "
            "AND status = 'submitted'", [user_id, course.id],
        ).fetchone()[0]
        if last:
            ready = from_iso(last) + timedelta(hours=hours)
            if ready > now:
                local = ready.astimezone()
                return (f"You can take the test again from {local:%d %B %Y at %H:%M}. "
                        "Read the guidance again in the meantime, or ask a manager if you "
                        "need to take it sooner.")
    return None


def start_or_resume(db: Database, settings: Settings, clock: Clock, user: User,
                    course: Course, *, rng: random.Random | None = None) -> Attempt:
    """The attempt in progress, exactly as it was; otherwise a new one if allowed.

    Raises TestRefused with the reason (guidance not read, limit, cool-down).
    """
    existing = in_progress_id(db, user.id, course)
    if existing:
        return load_attempt(db, existing, course)
    if not reading.may_take_test(db, settings, user.id, course):
        missing = [s.title for s in course.sections
                   if s.id not in reading.opened_sections(db, user.id, course)]
        raise TestRefused(
            "The test opens once you have read every section of the guidance. "
            f"Still to read: {', '.join(missing)}.")
    drawn = draw_questions(course, rng)
    if not drawn:
        raise TestRefused("This course has no questions yet. Tell a manager.")
    attempt_id = str(uuid.uuid4())
    with write_transaction(db):
        # Checked again under the write lock: two kiosks must not both start one.
        existing = in_progress_id(db, user.id, course)
        if existing:
            return load_attempt(db, existing, course)
        reason = refusal(db, settings, clock, user.id, course)
        if reason:
            grant = _unused_grant(db, user.id, course.id)
            if grant is None:
                raise TestRefused(reason)
        db.execute(
            "INSERT INTO attempts (id, kiosk_id, user_id, course_id, course_version, "
            "content_version, status, started_at) VALUES (?, ?, ?, ?, ?, ?, 'in_progress', ?)",
            [attempt_id, settings.kiosk_id, user.id, course.id, course.version,
             course.content_version, to_iso(clock.now())],
        )
        if reason:
            db.execute("UPDATE attempt_grants SET used_by_attempt = ? WHERE id = ?",
                       [attempt_id, grant])
        db.conn.executemany(
            "INSERT INTO attempt_questions (attempt_id, position, question_id, section_id, "
            "option_order) VALUES (?, ?, ?, ?, ?)",
            [(attempt_id, pos, q.id, q.section, json.dumps(list(order)))
             for pos, (q, order) in enumerate(drawn, start=1)],
        )
    return load_attempt(db, attempt_id, course)


def answer(db: Database, clock: Clock, attempt_id: str, position: int,
           selected: Iterable[int]) -> None:
    """Save one answer now (original option indices; empty clears it)."""
    chosen = sorted({int(i) for i in selected})
    with write_transaction(db):
        row = db.execute(
            "SELECT a.status, q.option_order FROM attempts a JOIN attempt_questions q "
            "ON q.attempt_id = a.id WHERE a.id = ? AND q.position = ?", [attempt_id, position],
        ).fetchone()
        if row is None:
            raise NotFoundError("That question is not part of this test.")
        if row[0] != "in_progress":
            raise KioskError("This test has been submitted; its answers cannot be changed.")
        options = len(json.loads(row[1]))
        if any(i < 0 or i >= options for i in chosen):
            raise ValidationError("That option is not one of this question's answers.")
        db.execute(
            "UPDATE attempt_questions SET answer = ?, answered_at = ? "
            "WHERE attempt_id = ? AND position = ?",
            [json.dumps(chosen) if chosen else None, to_iso(clock.now()) if chosen else None,
             attempt_id, position],
        )


def new_certificate_code() -> str:
    def part() -> str:
        return "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))

    return f"{CODE_PREFIX}-{part()}-{part()}"


def submit(db: Database, settings: Settings, clock: Clock, attempt_id: str,
           course: Course) -> Attempt:
    """Score and freeze the attempt in one transaction; returns it as stored."""
    pass_mark = effective_pass_mark(settings, course)
    with write_transaction(db):
        attempt = load_attempt(db, attempt_id, course)
        if attempt.submitted:
            raise KioskError("This test has already been submitted.")
        score = 0.0
        for item in attempt.questions:
            points = question_points(item.question.type, item.question.answer, item.selected,
                                     course.multiple_scoring)
            score += points
            db.execute(
                "UPDATE attempt_questions SET correct = ?, points = ? "
                "WHERE attempt_id = ? AND position = ?",
                [int(points == 1.0), round(points, 4), attempt_id, item.position],
            )
        max_score = float(len(attempt.questions))
        score = round(score, 4)
        percent = percent_of(score, max_score)
        passed = is_pass(percent, pass_mark)
        now = clock.now()
        started = from_iso(attempt.started_at)
        expires = add_months(now.date(), course.refresher_months) if passed else None
        code = None
        if passed:
            code = new_certificate_code()
            while db.execute("SELECT 1 FROM attempts WHERE certificate_code = ?",
                             [code]).fetchone():
                code = new_certificate_code()
        db.execute(
            "UPDATE attempts SET status = 'submitted', finished_at = ?, duration_seconds = ?, "
            "score = ?, max_score = ?, percent = ?, pass_mark = ?, passed = ?, expires_on = ?, "
            "certificate_code = ? WHERE id = ?",
            [to_iso(now), max(0, int((now - started).total_seconds())), score, max_score,
             percent, pass_mark, int(passed), expires.isoformat() if expires else None, code,
             attempt_id],
        )
        # The result (and its certificate) goes into the hash chain in the same step.
        evidence.seal_attempt(db, clock, attempt_id, settings.kiosk_id)
    return load_attempt(db, attempt_id, course)


def attempts_for(db: Database, user_id: int, course_id: str | None = None,
                 ) -> list[dict[str, Any]]:
    """A person's attempts, newest first (summary rows, for "My results")."""
    sql = ("SELECT id, course_id, course_version, status, started_at, finished_at, score, "
           "max_score, percent, passed, expires_on, certificate_code FROM attempts "
           "WHERE user_id = ?")
    params: list[Any] = [user_id]
    if course_id:
        sql += " AND course_id = ?"
        params.append(course_id)
    return list(db.query(sql + " ORDER BY started_at DESC", params))


def grant_attempt(db: Database, settings: Settings, clock: Clock, actor: Actor | User,
                  user_id: int, course_id: str) -> int:
    """A manager allows one more attempt beyond the limit or cool-down (logged).

    The caller (kiosk.operations.quiz) has re-read the actor under the write lock.
    """
    if not actor.is_manager:
        raise KioskError("Only a manager can allow another attempt.")
    with write_transaction(db):
        target = db.execute("SELECT username FROM users WHERE id = ?", [user_id]).fetchone()
        if target is None:
            raise NotFoundError("There is no such person.")
        cursor = db.execute(
            "INSERT INTO attempt_grants (user_id, course_id, granted_by, granted_at) "
            "VALUES (?, ?, ?, ?)", [user_id, course_id, actor.id, to_iso(clock.now())],
        )
        audit.record(db, settings, clock, actor, "allowed another test attempt",
                     f"{target[0]}, {course_id}")
    return int(cursor.lastrowid or 0)
