"""The test module's core: scoring rules, the draw, crash-safe storage, limits, exports, CLI."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import access_log, certificate, export, quiz
from kiosk.errors import KioskError, NotFoundError
from kiosk.quiz import TestRefused
from tests.conftest import kiosk_env
from tests.quiz_helpers import answer_all, use_default_course


@pytest.fixture
def course(ctx):
    """The default course pack on the test context."""
    return use_default_course(ctx)


QTYPES = st.sampled_from(["single", "true_false", "multiple"])


@st.composite
def question_and_choice(draw):
    qtype = draw(QTYPES)
    n = 2 if qtype == "true_false" else draw(st.integers(2, 6))
    size = draw(st.integers(1, n)) if qtype == "multiple" else 1
    correct = frozenset(draw(st.lists(st.integers(0, n - 1), min_size=size, max_size=size,
                                      unique=True)))
    chosen = draw(st.sets(st.integers(0, n - 1), max_size=n))
    return qtype, correct, chosen


# ---------------------------------------------------------------- scoring properties

@settings(max_examples=150, deadline=None)
@given(st.lists(question_and_choice(), min_size=1, max_size=15),
       st.sampled_from(["all_or_nothing", "partial"]), st.integers(0, 100))
def test_score_is_between_zero_and_max_and_pass_is_exactly_percent_at_least_mark(
        questions, scoring, pass_mark):
    """Whatever is chosen, the score lies in [0, max]; a pass is exactly percent >= pass mark."""
    points = [quiz.question_points(t, c, s, scoring) for t, c, s in questions]
    assert all(0.0 <= p <= 1.0 for p in points)
    score, max_score = sum(points), float(len(questions))
    assert 0.0 <= score <= max_score
    percent = quiz.percent_of(score, max_score)
    assert 0.0 <= percent <= 100.0
    assert quiz.is_pass(percent, pass_mark) == (percent >= pass_mark)


@settings(max_examples=100, deadline=None)
@given(question_and_choice())
def test_exact_answer_scores_one_and_all_or_nothing_gives_no_part_marks(item):
    """The right options score 1 point; all-or-nothing gives 0 for anything else."""
    qtype, correct, chosen = item
    assert quiz.question_points(qtype, correct, correct, "partial") == 1.0
    aon = quiz.question_points(qtype, correct, chosen, "all_or_nothing")
    assert aon == (1.0 if frozenset(chosen) == correct else 0.0)


def test_partial_scoring_counts_right_minus_wrong_over_right():
    """Partial: (right chosen - wrong chosen) / right options, never below 0."""
    right = frozenset({0, 2, 3})
    assert quiz.question_points("multiple", right, {0, 2}, "partial") == pytest.approx(2 / 3)
    assert quiz.question_points("multiple", right, {0, 1}, "partial") == 0.0
    assert quiz.question_points("multiple", right, {0, 1, 2, 3, 4}, "partial") == pytest.approx(
        1 / 3)
    assert quiz.question_points("multiple", right, set(), "partial") == 0.0


def test_expiry_adds_calendar_months_and_clamps_to_month_end():
    """Passed on 31 January with 1 month: 28 February; 12 months after 29 Feb: 28 Feb."""
    assert quiz.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert quiz.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert quiz.add_months(date(2026, 11, 5), 12) == date(2027, 11, 5)
    assert quiz.add_months(date(2026, 3, 15), -3) == date(2025, 12, 15)


# ---------------------------------------------------------------- the draw

def test_draw_spreads_across_sections_and_shuffles(course):
    """Ten questions from twelve sections: ten different sections give one each, and over
    many draws every section is asked about; nothing repeats within a draw."""
    asked: set[str] = set()
    for seed in range(20):
        drawn = quiz.draw_questions(course, random.Random(seed))
        assert len(drawn) == course.questions_per_test
        assert len({q.id for q, _ in drawn}) == len(drawn)
        per_section = Counter(q.section for q, _ in drawn)
        assert len(per_section) == min(len(course.sections), len(drawn))
        assert max(per_section.values()) - min(per_section.values()) <= 1
        asked |= set(per_section)
        for question, order in drawn:
            assert sorted(order) == list(range(len(question.options)))
    assert asked == {s.id for s in course.sections}


def test_resume_gives_the_same_questions_order_options_and_answers(ctx, course, learner):
    """Starting again while an attempt is open returns it unchanged, answers included."""
    first = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    quiz.answer(ctx.db, ctx.clock, first.id, 2, {first.questions[1].option_order[0]})
    again = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    assert again.id == first.id
    assert [q.question.id for q in again.questions] == [q.question.id for q in first.questions]
    assert [q.option_order for q in again.questions] == [q.option_order for q in first.questions]
    assert again.questions[1].selected == {first.questions[1].option_order[0]}
    assert again.unanswered() == [p for p in range(1, 11) if p != 2]


def test_attempt_row_records_who_where_and_which_content(ctx, course, learner):
    """The stored attempt has a UUID, the kiosk id, course, versions and a UTC start."""
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    row = next(ctx.db.query("SELECT * FROM attempts"))
    assert len(row["id"]) == 36 and row["id"].count("-") == 4
    assert row["kiosk_id"] == "test-kiosk"
    assert (row["course_id"], row["course_version"], row["content_version"]) == (
        course.id, course.version, course.content_version)
    assert row["started_at"].endswith("+00:00") and row["status"] == "in_progress"
    assert ctx.db.execute("SELECT COUNT(*) FROM attempt_questions WHERE attempt_id = ?",
                          [attempt.id]).fetchone()[0] == 10


# ---------------------------------------------------------------- submitting

def test_submit_scores_freezes_and_issues_a_certificate_code(ctx, course, learner):
    """8 of 10 right passes at 80%: score, expiry a year on, a code; then nothing can change."""
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, attempt, right=8)
    ctx.clock.advance(minutes=6, seconds=30)
    done = quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)
    assert (done.score, done.max_score, done.percent, done.passed) == (8, 10, 80.0, True)
    assert done.duration_seconds == 390
    assert done.expires_on == date(2027, 1, 5)
    assert done.certificate_code and done.certificate_code.startswith("SGK-")
    assert sum(1 for q in done.questions if q.correct) == 8
    with pytest.raises(KioskError):
        quiz.answer(ctx.db, ctx.clock, attempt.id, 1, {0})
    with pytest.raises(KioskError):
        quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)


def test_trigger_refuses_any_change_to_a_submitted_attempt(ctx, course, learner):
    """Even raw SQL cannot change a submitted attempt or its answers."""
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, attempt, right=3)
    quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)
    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        ctx.db.execute("UPDATE attempts SET passed = 1 WHERE id = ?", [attempt.id])
    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        ctx.db.execute("UPDATE attempt_questions SET correct = 1 WHERE attempt_id = ?",
                       [attempt.id])
    row = next(ctx.db.query("SELECT passed, score FROM attempts"))
    assert row == {"passed": 0, "score": 3}


def test_fail_has_no_code_or_expiry_and_setting_overrides_pass_mark(ctx, course, learner):
    """7/10 fails at the course's 80%; with pass_mark set to 70 the next 7/10 passes."""
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, attempt, right=7)
    failed = quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)
    assert (failed.passed, failed.certificate_code, failed.expires_on) == (False, None, None)
    ctx.settings.set("pass_mark", 70)
    second = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, second, right=7)
    passed = quiz.submit(ctx.db, ctx.settings, ctx.clock, second.id, course)
    assert passed.passed and passed.pass_mark == 70


# ---------------------------------------------------------------- gate, limit, cool-down, grant

def test_gate_refuses_until_every_section_is_opened(ctx, course, learner):
    """With reading required, the refusal names the sections still to read."""
    ctx.settings.set("require_all_sections", True)
    with pytest.raises(TestRefused, match="Still to read: Introduction"):
        quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)


def test_attempt_limit_cooldown_and_manager_grant(ctx, course, learner, manager):
    """Limit 1 refuses a second attempt; a manager's grant (logged) allows exactly one more."""
    ctx.settings.set("attempt_limit", 1)
    first = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, first, right=2)
    quiz.submit(ctx.db, ctx.settings, ctx.clock, first.id, course)
    with pytest.raises(TestRefused, match="used all 1 test attempts"):
        quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    with pytest.raises(KioskError):
        quiz.grant_attempt(ctx.db, ctx.settings, ctx.clock, learner, learner.id, course.id)
    quiz.grant_attempt(ctx.db, ctx.settings, ctx.clock, manager, learner.id, course.id)
    reasons = [r["reason"] for r in access_log.query(ctx.db, events=("manager_action",))]
    assert any("allowed another test attempt: alex" in r for r in reasons)
    second = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    assert ctx.db.execute("SELECT used_by_attempt FROM attempt_grants").fetchone()[0] == second.id
    quiz.submit(ctx.db, ctx.settings, ctx.clock, second.id, course)
    with pytest.raises(TestRefused):
        quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)

    ctx.settings.set("attempt_limit", 0)
    ctx.settings.set("attempt_cooldown_hours", 24)
    with pytest.raises(TestRefused, match="take the test again from"):
        quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    ctx.clock.advance(hours=24, minutes=1)
    assert quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course).id


# ---------------------------------------------------------------- certificates, exports, CLI

def _passed_attempt(ctx, course, learner, right=9):
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, attempt, right=right)
    ctx.clock.advance(minutes=5)
    return quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)


def test_verify_current_expired_and_unknown(ctx, course, learner):
    """A code is current until its expiry day, then expired; a typo is unknown."""
    done = _passed_attempt(ctx, course, learner)
    ok = certificate.verify(ctx.db, done.certificate_code.lower().replace("-", " "),
                            date(2027, 1, 5), [course])
    assert ok.current and ok.facts.full_name == "Alex Learner"
    assert not certificate.verify(ctx.db, done.certificate_code, date(2027, 1, 6)).current
    with pytest.raises(NotFoundError):
        certificate.verify(ctx.db, "SGK-AAAA-AAAA", date(2026, 2, 1))


def _parse(raw: bytes) -> list[dict[str, str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_export_results_and_answers_columns_and_filters(ctx, course, learner, tmp_path):
    """Only submitted attempts; the issue's columns in order; numbers unquoted; filters work."""
    done = _passed_attempt(ctx, course, learner)
    quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)  # in progress
    out = tmp_path / "results.csv"
    assert export.export_results(ctx.db, out) == 1
    raw = out.read_bytes()
    rows = _parse(raw)
    header = raw[3:].split(b"\r\n")[0].decode().split(",")
    assert header[:15] == ["attempt_id", "kiosk_id", "username", "full_name", "course_id",
                           "course_version", "started_at", "finished_at", "duration_seconds",
                           "score", "max_score", "percent", "passed", "expires_on",
                           "certificate_code"]
    assert rows[0]["attempt_id"] == done.id
    assert (rows[0]["score"], rows[0]["max_score"], rows[0]["percent"]) == ("9", "10", "90")
    assert rows[0]["passed"] == "true" and rows[0]["expires_on"] == "2027-01-05"
    assert b",9,10,90,true," in raw
    assert export.export_results(ctx.db, out, since="2026-01-06") == 0
    assert export.export_results(ctx.db, out, course_id="other") == 0
    assert export.export_answers(ctx.db, out, until="2026-01-05") == 10
    answers = _parse(out.read_bytes())
    assert sum(r["correct"] == "true" for r in answers) == 9
    assert {r["position"] for r in answers} == {str(n) for n in range(1, 11)}


def test_cli_verify_and_export_results(ctx, course, learner, run_kiosk, db_path):
    """`kiosk certificate verify` names the person (exit 0) or refuses (exit 1); export shows it."""
    done = _passed_attempt(ctx, course, learner)
    env = kiosk_env(db_path, ctx.clock)
    ok = run_kiosk("certificate", "verify", done.certificate_code, env=env)
    assert ok.returncode == 0, ok.stderr
    # The command runs on the test's clock, the day the test was passed: never expired.
    assert "Alex Learner" in ok.stdout and "CURRENT" in ok.stdout
    assert "2027-01-05" in ok.stdout
    bad = run_kiosk("certificate", "verify", "SGK-AAAA-AAAA", env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("kiosk: error: no certificate")
    assert "Traceback" not in bad.stderr
    res = run_kiosk("export", "results", "--course", course.id, env=env)
    assert res.returncode == 0, res.stderr
    assert done.certificate_code in res.stdout and ",9,10,90,true,2027-01-05," in res.stdout
    bad_date = run_kiosk("export", "answers", "--since", "yesterday", env=env)
    assert bad_date.returncode == 1 and "--since must be a date" in bad_date.stderr
