"""Item analysis: how each question of the bank behaves, from the stored answers.

For content editors and managers: a question everyone gets right teaches nothing about
who understood, and one that people who do well overall get wrong is probably
misleading or wrong. The statistics are the classical ones Moodle's quiz statistics
report (docs: "Quiz statistics calculations"), over every submitted attempt in which
the question was drawn:

- facility index F = 100 * mean(x) / max, the share of the marks people got
  (x is the question's points in one attempt, 0..1; an unanswered question scores 0);
- standard deviation SD = 100 * sqrt(V(x)) / max, V the sample variance (n - 1);
- discrimination index D = 100 * C(x, X) / sqrt(V(x) * V(X)), the correlation
  between the question's score and the score on the REST of that attempt (X, the
  attempt's points minus this question's), so a question is not correlated with itself;
- discriminative efficiency DE = 100 * C(x, X) / C_max, where C_max is the largest
  covariance the same two sets of scores could have: both sorted, then paired in order.
  D is capped below 100 for very easy or very hard questions; DE says how near the cap.

Flags: `everyone_right` (F is 100), `strong_candidates_wrong` (D below 0, or a lower
facility among attempts that passed than among those that did not). A question with
fewer than MIN_ANSWERS answers gets only `few_answers`: its numbers are shown but mean
little. No Qt here: the manager panel and `kiosk export
item-analysis` both call `analyse()`.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter, mul
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from kiosk import export

MIN_ANSWERS = 5  # below this a question's statistics are shown but flagged
EVERYONE_RIGHT = "everyone_right"
STRONG_WRONG = "strong_candidates_wrong"
FEW_ANSWERS = "few_answers"

COLUMNS = (
    "course_id", "question_id", "section_id", "question_text", "answers",
    "facility_index", "standard_deviation", "discrimination_index",
    "discriminative_efficiency", "right_when_passed", "right_when_not_passed", "flags",
)

FLAG_TEXT = {
    EVERYONE_RIGHT: "everyone got it right: it does not tell who understood",
    STRONG_WRONG: "people who did well on the rest got it wrong more often: check its "
                  "wording and its answer",
    FEW_ANSWERS: f"fewer than {MIN_ANSWERS} answers so far: the numbers mean little yet",
}


@dataclass(frozen=True)
class ItemStats:
    course_id: str
    question_id: str
    section_id: str
    question_text: str  # "" when the question is no longer in the pack
    answers: int
    facility_index: float | None
    standard_deviation: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    right_when_passed: float | None  # facility among attempts that passed
    right_when_not_passed: float | None
    flags: tuple[str, ...]

    def as_row(self) -> dict[str, Any]:
        row = {name: getattr(self, name) for name in COLUMNS}
        row["flags"] = ";".join(self.flags)
        for key in COLUMNS[5:11]:
            if row[key] is not None:
                value = round(row[key], 1)
                row[key] = int(value) if value.is_integer() else value  # 100, not 100.0
        return row


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _covariance(a: Sequence[float], b: Sequence[float]) -> float:
    """Sample covariance (n - 1), as Moodle uses; callers ensure len >= 2.

    From sums (map/mul run in C): scores are small whole numbers or halves, so there
    is no cancellation worth the slower two-pass form.
    """
    n = len(a)
    return (sum(map(mul, a, b)) - sum(a) * sum(b) / n) / (n - 1)


def item_statistics(scores: Sequence[float], rest: Sequence[float],
                    ) -> tuple[float | None, float | None, float | None, float | None]:
    """(F, SD, D, DE) for one question: its scores (0..1) and the rest-of-attempt scores.

    None where the formula is undefined: no answers; one answer (no spread); D and DE
    when either set of scores does not vary (everyone scored the same).
    """
    n = len(scores)
    if n == 0:
        return None, None, None, None
    facility = 100 * _mean(scores)
    if n < 2:
        return facility, None, None, None
    var_x = _covariance(scores, scores)
    var_rest = _covariance(rest, rest)
    sd = 100 * math.sqrt(max(var_x, 0.0))
    if var_x <= 1e-12 or var_rest <= 1e-12:
        return facility, sd, None, None
    cov = _covariance(scores, rest)
    discrimination = 100 * cov / math.sqrt(var_x * var_rest)
    cov_max = _covariance(sorted(scores), sorted(rest))
    efficiency = 100 * cov / cov_max if cov_max > 1e-12 else None
    return facility, sd, discrimination, efficiency


def _rows(db: Database, since: str | None, until: str | None,
          course_id: str | None) -> Iterable[tuple[str, str, str, float, float, int]]:
    """(course, question, section, x, rest-of-attempt score, passed), by course and question.

    The attempt's total comes from a window over its own rows, so each row already
    carries its rest score and the rows arrive grouped by question: Python only sums.
    """
    # The same filter as the results and answers exports: submitted attempts only, by
    # the UTC day they were finished; `where` is fixed text, every value a parameter.
    where, params = export._attempt_filter(since, until, course_id)
    sql = (  # fixed fragments only; every value is a parameter
        "SELECT a.course_id, q.question_id, q.section_id, COALESCE(q.points, 0) AS x, "  # noqa: S608
        "SUM(COALESCE(q.points, 0)) OVER (PARTITION BY q.attempt_id) - COALESCE(q.points, 0), "
        "COALESCE(a.passed, 0) FROM attempts a "
        "JOIN attempt_questions q ON q.attempt_id = a.id WHERE " + where
        + " ORDER BY a.course_id, q.question_id")
    return db.conn.execute(sql, params)


def analyse(db: Database, courses: Sequence[Any] = (), *, since: str | None = None,
            until: str | None = None, course_id: str | None = None) -> list[ItemStats]:
    """Statistics for every question of `courses` (answered or not) and every question
    that has answers, in the bank's order, then any retired questions by id."""
    # per (course, question): scores, rest-of-attempt scores, passed flags
    items: dict[tuple[str, str], tuple[list[float], list[float], list[bool]]] = {}
    sections: dict[tuple[str, str], str] = {}
    for key, group in groupby(_rows(db, since, until, course_id), key=itemgetter(0, 1)):
        rows = list(group)
        sections[key] = rows[0][2]
        items[key] = ([float(r[3]) for r in rows], [float(r[4]) for r in rows],
                      [bool(r[5]) for r in rows])

    order: list[tuple[str, str]] = []
    texts: dict[tuple[str, str], str] = {}
    for course in courses:
        if course_id and course.id != course_id:
            continue
        for question in course.questions:
            key = (course.id, question.id)
            order.append(key)
            texts[key] = question.text
            sections.setdefault(key, question.section)
    known = set(order)
    order += sorted(k for k in items if k not in known)

    result = []
    for key in order:
        scores, rest, passed = items.get(key, ([], [], []))
        facility, sd, discrimination, efficiency = item_statistics(scores, rest)
        when_passed = [s for s, p in zip(scores, passed, strict=True) if p]
        when_failed = [s for s, p in zip(scores, passed, strict=True) if not p]
        flags = []
        if len(scores) < MIN_ANSWERS:
            # Too few to judge: a question three people happened to get right is not "easy".
            flags.append(FEW_ANSWERS)
        else:
            if facility is not None and facility >= 100 - 1e-9:
                flags.append(EVERYONE_RIGHT)
            if (discrimination is not None and discrimination < 0) or (
                    when_passed and when_failed and _mean(when_passed) < _mean(when_failed)):
                flags.append(STRONG_WRONG)
        result.append(ItemStats(
            course_id=key[0], question_id=key[1], section_id=sections.get(key, ""),
            question_text=texts.get(key, ""), answers=len(scores),
            facility_index=facility, standard_deviation=sd,
            discrimination_index=discrimination, discriminative_efficiency=efficiency,
            right_when_passed=100 * _mean(when_passed) if when_passed else None,
            right_when_not_passed=100 * _mean(when_failed) if when_failed else None,
            flags=tuple(flags)))
    return result


def analyse_file(path: Path | str, courses: Sequence[Any] = (), *, since: str | None = None,
                 until: str | None = None, course_id: str | None = None) -> list[ItemStats]:
    """analyse() on its own read-only connection, for a worker thread.

    A sqlite3 connection belongs to the thread that made it, and a read-only one can
    never write: the GUI keeps its own connection while this one reads beside it (WAL).
    """
    uri = f"file:{Path(path).resolve().as_posix()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=10)
    try:
        return analyse(Database(conn, execute_plugins=False), courses, since=since,
                       until=until, course_id=course_id)
    finally:
        conn.close()


def export_item_analysis(db: Database, target: Path | str | None, courses: Sequence[Any] = (),
                         *, since: str | None = None, until: str | None = None,
                         course_id: str | None = None,
                         progress: Callable[[int], None] | None = None) -> int:
    """One CSV row per question (kiosk.export's conventions); returns the rows written."""
    stats = analyse(db, courses, since=since, until=until, course_id=course_id)
    return export.write_csv(target, COLUMNS, (s.as_row() for s in stats), progress)
