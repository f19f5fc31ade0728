"""Item analysis: facility and discrimination from stored answers, the export, the tab."""

from __future__ import annotations

import math
import uuid
from datetime import timedelta

import pytest

from kiosk import access_log, item_analysis, quiz
from kiosk.clock import to_iso
from kiosk.db import write_transaction
from kiosk.item_analysis import (
    EVERYONE_RIGHT,
    FEW_ANSWERS,
    STRONG_WRONG,
    analyse,
    item_statistics,
)
from tests.conftest import MANAGER_PASSWORD, kiosk_env
from tests.course_helpers import copy_pack, edit, use_course
from tests.manager_helpers import check_csv_bytes, read_csv
from tests.quiz_helpers import answer_all

COURSE = "safeguarding-children"


def store_attempt(db, user_id, finished_at, points: dict[str, float], *, passed: bool,
                  course_id: str = COURSE, status: str = "submitted") -> str:
    """One attempt with exactly these questions and points, as the quiz stores them."""
    attempt_id = uuid.uuid4().hex
    score = sum(points.values())
    with write_transaction(db):
        db.execute(
            "INSERT INTO attempts (id, kiosk_id, user_id, course_id, course_version, "
            "content_version, status, started_at) VALUES (?, 'k', ?, ?, '1', 'v', "
            "'in_progress', ?)", [attempt_id, user_id, course_id, finished_at])
        for position, (qid, got) in enumerate(points.items(), start=1):
            db.execute(
                "INSERT INTO attempt_questions (attempt_id, position, question_id, section_id, "
                "option_order, answer, answered_at, correct, points) "
                "VALUES (?, ?, ?, 'sec', '[0,1]', '[0]', ?, ?, ?)",
                [attempt_id, position, qid, finished_at, int(got == 1), got])
        if status == "submitted":
            db.execute(
                "UPDATE attempts SET status = 'submitted', finished_at = ?, score = ?, "
                "max_score = ?, percent = ?, pass_mark = 80, passed = ? WHERE id = ?",
                [finished_at, score, len(points), 100 * score / len(points), int(passed),
                 attempt_id])
    return attempt_id


# ---------------------------------------------------------------- the formulas

def test_formulas_match_hand_calculation():
    """F, SD, D and DE as Moodle defines them, checked against sums done by hand."""
    rest = [5, 4, 2, 1]  # mean 3, sample variance 10/3
    f, sd, d, de = item_statistics([1, 1, 0, 0], rest)
    assert f == 50
    assert sd == pytest.approx(100 * math.sqrt(1 / 3))
    assert d == pytest.approx(100 * 1 / math.sqrt((1 / 3) * (10 / 3)))  # 94.9
    assert de == pytest.approx(100)  # already the best pairing there is
    f, sd, d, de = item_statistics([0, 1, 1, 0], rest)
    assert (f, d, de) == (50, pytest.approx(0), pytest.approx(0))
    f, sd, d, de = item_statistics([0, 0, 1, 1], rest)
    assert d == pytest.approx(-94.868, abs=0.01) and de == pytest.approx(-100)


def test_efficiency_is_relative_to_the_best_possible_pairing():
    """An easy question cannot reach D = 100; DE says how close it comes."""
    scores = [1, 1, 1, 0, 1]
    rest = [9, 7, 5, 4, 2]  # the one miss is second lowest, not lowest
    _f, _sd, d, de = item_statistics(scores, rest)
    best = item_statistics(sorted(scores), sorted(rest))
    assert best[3] == pytest.approx(100)
    assert 0 < d < best[2] < 100
    assert de == pytest.approx(100 * d / best[2])


def test_undefined_statistics_are_none_not_errors():
    assert item_statistics([], []) == (None, None, None, None)
    assert item_statistics([1], [3]) == (100, None, None, None)
    f, sd, d, de = item_statistics([1, 1, 1], [2, 5, 7])  # no spread in the item
    assert (f, sd, d, de) == (100, 0, None, None)


# ---------------------------------------------------------------- from the database

@pytest.fixture
def answered(ctx, make_user):
    """Six people; 'easy' everyone gets, 'good' separates, 'trap' the strong get wrong."""
    people = [make_user(f"p{n}") for n in range(6)]
    now = ctx.clock.now()
    plans = [  # (good, trap, easy, filler...) and whether the attempt passed
        ({"good": 1, "trap": 0, "easy": 1, "f1": 1, "f2": 1, "rare": 1}, True),
        ({"good": 1, "trap": 0, "easy": 1, "f1": 1, "f2": 1}, True),
        ({"good": 1, "trap": 0, "easy": 1, "f1": 1, "f2": 0}, True),
        ({"good": 0, "trap": 1, "easy": 1, "f1": 0, "f2": 1, "rare": 0}, False),
        ({"good": 0, "trap": 1, "easy": 1, "f1": 0, "f2": 0}, False),
        ({"good": 0, "trap": 1, "easy": 1, "f1": 0, "f2": 0}, False),
    ]
    for n, (points, passed) in enumerate(plans):
        store_attempt(ctx.db, people[n].id, to_iso(now - timedelta(days=n)), points,
                      passed=passed)
    # Not evidence yet: an attempt in progress is ignored.
    store_attempt(ctx.db, people[0].id, to_iso(now), {"good": 0, "easy": 0}, passed=False,
                  status="in_progress")
    return people


def by_id(stats):
    return {s.question_id: s for s in stats}


def test_analysis_flags_from_stored_answers(ctx, answered):
    stats = by_id(analyse(ctx.db))
    assert stats["easy"].answers == 6 and stats["easy"].facility_index == 100
    assert stats["easy"].flags == (EVERYONE_RIGHT,)
    assert stats["easy"].discrimination_index is None  # no spread, no correlation
    assert stats["good"].flags == ()
    # 'trap' pulls the rest-of-test scores the other way, so 'good' is good, not perfect.
    assert stats["good"].discrimination_index > 40
    assert stats["good"].right_when_passed == 100 and stats["good"].right_when_not_passed == 0
    assert stats["trap"].flags == (STRONG_WRONG,)
    assert stats["trap"].discrimination_index < 0
    assert stats["rare"].answers == 2 and stats["rare"].flags == (FEW_ANSWERS,)


def test_every_bank_question_is_listed_in_bank_order(ctx, answered):
    """The pack's questions come first, in bank order, answered or not; answers to
    questions no longer in the pack follow, by id, with no text."""
    course = use_course(ctx)
    stats = analyse(ctx.db, [course])
    assert [s.question_id for s in stats[:len(course.questions)]] == \
        [q.id for q in course.questions]
    first = stats[0]
    assert first.answers == 0 and first.facility_index is None
    assert first.flags == (FEW_ANSWERS,) and first.question_text == course.questions[0].text
    assert [s.question_id for s in stats[len(course.questions):]] == \
        ["easy", "f1", "f2", "good", "rare", "trap"]


def test_date_range_and_course_filters(ctx, answered):
    today = ctx.clock.now().date()
    recent = by_id(analyse(ctx.db, since=(today - timedelta(days=1)).isoformat()))
    assert recent["easy"].answers == 2
    assert by_id(analyse(ctx.db, course_id="another-course")) == {}
    with pytest.raises(Exception, match="--until is before --since"):
        analyse(ctx.db, since="2026-02-01", until="2026-01-01")


def test_real_attempts_through_the_quiz(ctx, learner, make_user):
    """Attempts taken through the quiz core: each drawn question is counted once per
    attempt, and a perfect attempt's questions all score 100."""
    course = use_course(ctx)
    ctx.settings.set("require_all_sections", False)
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, attempt, right=len(attempt.questions))
    quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)
    other = make_user("pat")
    second = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, other, course)
    answer_all(ctx, second, right=0)
    quiz.submit(ctx.db, ctx.settings, ctx.clock, second.id, course)
    stats = by_id(analyse(ctx.db, [course]))
    drawn = [q.question.id for q in attempt.questions]
    assert sum(s.answers for s in stats.values()) == 2 * len(drawn)
    for qid in drawn:
        assert stats[qid].right_when_passed == 100


# ---------------------------------------------------------------- the export

def test_cli_export_item_analysis(ctx, answered, run_kiosk, db_path, tmp_path):
    """`kiosk export item-analysis`: the usual CSV conventions, text cells neutralised,
    the export logged; mistakes are one clear line."""
    pack = copy_pack(tmp_path, COURSE)
    edit(pack, "questions.toml", 'text = "Who does safeguarding apply to?"',
         'text = "=HYPERLINK(1) Who does safeguarding apply to?"')
    env = kiosk_env()
    env["KIOSK_COURSES"] = str(pack.parent)
    out = tmp_path / "items.csv"
    result = run_kiosk("export", "item-analysis", "--db", str(db_path), "--out", str(out),
                       "--course", COURSE, env=env)
    assert result.returncode == 0, result.stderr
    raw, table = read_csv(out)
    check_csv_bytes(raw)
    assert tuple(table[0]) == item_analysis.COLUMNS
    rows = {r[1]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    assert rows["intro-01"]["question_text"].startswith("'=HYPERLINK")
    assert rows["easy"]["facility_index"] == "100" and rows["easy"]["flags"] == EVERYONE_RIGHT
    assert rows["trap"]["flags"] == STRONG_WRONG
    assert len(rows) == 101 + 6
    reasons = [r["reason"] for r in access_log.query(ctx.db,
                                                     events=(access_log.MANAGER_ACTION,))]
    assert f"export item-analysis: {len(rows)} rows to {out}" in reasons

    bad = run_kiosk("export", "item-analysis", "--db", str(db_path), "--course", "nope",
                    env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("kiosk: error: there is no course")
    bad = run_kiosk("export", "item-analysis", "--db", str(db_path), "--since", "soon",
                    env=env)
    assert bad.returncode == 1 and "--since must be a date" in bad.stderr
    assert "Traceback" not in bad.stderr


# ---------------------------------------------------------------- the manager tab

def test_manager_tab_shows_flags_and_exports(qtbot, window, ctx, answered, manager, tmp_path):
    from tests.test_manager_ui import open_area, sign_in

    use_course(ctx)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.questions)
    panel = area.questions
    model = panel.model
    qtbot.waitUntil(lambda: model.rowCount() == 101 + 6)  # worked out off the GUI thread
    assert not panel.busy()
    shown = {model.data(model.index(r, 0)): r for r in range(model.rowCount())}
    flags_col = [c for c, _ in item_analysis_columns()].index("flags")
    assert model.data(model.index(shown["trap"], flags_col)) == "Strong candidates wrong"
    assert model.data(model.index(shown["easy"], flags_col)) == "Everyone right"
    assert "1 that everyone gets right; 1 that strong candidates get wrong" in \
        panel.summary.text()
    qtbot.keyClicks(panel.dates.since, "not a date")
    qtbot.keyClick(panel.dates.since, Qt_Key_Return())
    assert panel.message.isVisible() and "From must be a date" in panel.message.text()
    panel.dates.since.clear()
    target = tmp_path / "questions.csv"
    ctx.dialogs.queue(str(target))
    qtbot.mouseClick(panel.export_button, LEFT())
    raw, table = read_csv(target)
    check_csv_bytes(raw)
    assert len(table) == 1 + 101 + 6
    assert ctx.dialogs.shown[-1][0] == "inform"


def test_manager_tab_drops_a_late_result_after_sign_out(qtbot, window, ctx, answered,
                                                        manager, monkeypatch):
    """Signing out while the statistics are still being worked out: the result that
    arrives afterwards is not shown to whoever comes next."""
    import threading

    from PySide6.QtCore import QThreadPool

    from tests.test_manager_ui import open_area, sign_in

    release = threading.Event()
    real = item_analysis.analyse_file

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(item_analysis, "analyse_file", slow)
    use_course(ctx)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.questions)
    assert area.questions.busy()
    window.sign_out(idle=False)
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10_000)
    qtbot.wait(100)  # the queued result is delivered, and must be dropped
    assert area.questions.model.rowCount() == 0
    assert area.questions.summary.text() == ""


def test_analyse_file_reads_without_writing(ctx, answered, db_path):
    """The worker's own connection is read-only: it sees the answers and cannot write."""
    import sqlite3

    stats = by_id(item_analysis.analyse_file(db_path))
    assert stats["easy"].answers == 6
    uri = f"file:{db_path.resolve().as_posix()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM attempt_questions")
    conn.close()


def item_analysis_columns():
    from kiosk.ui.manager_item_analysis import COLUMNS

    return COLUMNS


def Qt_Key_Return():
    from PySide6.QtCore import Qt

    return Qt.Key.Key_Return


def LEFT():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
