"""`kiosk content check` and the validator behind it: every defect named, with file and line."""

from __future__ import annotations

import shutil

import pytest

from kiosk.cli import main as cli_main
from kiosk.content_check import check_pack
from tests.conftest import kiosk_env
from tests.course_helpers import DEFAULT_PACK, copy_pack, edit, line_of

Q = "questions.toml"
C = "course.toml"
K = "contacts.toml"
S2 = "sections/02-recognising-abuse.md"
INTRO_01_OPTIONS = ('options = ["Only social workers", "Everyone who works or volunteers with '
                    'children", "Only managers and the designated safeguarding lead"]')
INTRO_01_EXPLANATION = ('explanation = "Safeguarding is everyone\'s job. It applies to everyone '
                        'who works or volunteers with children, whatever their job title. '
                        'See \'Introduction: who it applies to\'."')

# (case id, edits [(file, old, new)], expected file, (marker file, marker, nth) for the
#  expected line, words the message must contain)
CASES = [
    ("invalid-toml", [(Q, 'text = "Who does safeguarding apply to?"',
                       'text = "Who does safeguarding apply to?')],
     Q, (Q, "Who does safeguarding apply to?", 1), "not valid TOML"),
    ("missing-required-key", [(Q, INTRO_01_EXPLANATION + '\n', '')],
     Q, (Q, "[[questions]]", 1), "question 'intro-01' is missing the required key 'explanation'"),
    ("missing-course-key", [(C, "pass_mark = 80\n", "")],
     C, None, "course.toml is missing the required key 'pass_mark'"),
    ("unknown-course-key", [(C, "reveal_answers = true", "reveal_answer = true")],
     C, (C, "reveal_answer = true", 1), "unknown key 'reveal_answer' in course.toml"),
    ("unknown-section-key", [(C, 'title = "Responding to concerns and disclosures"',
                              'titel = "Responding to concerns and disclosures"')],
     C, (C, "titel =", 1), "unknown key 'titel' in section 3"),
    ("unknown-source-key", [(C, 'edition = "Act of Parliament (UK)"',
                             'edtion = "Act of Parliament (UK)"')],
     C, (C, "edtion =", 1), "unknown key 'edtion' in source 25"),
    ("unknown-question-key", [(Q, 'id = "intro-02"', 'id = "intro-02"\nhint = "no"')],
     Q, (Q, 'hint = "no"', 1), "unknown key 'hint' in question 'intro-02'"),
    ("unknown-contact-key", [(K, 'phone = "01904 551900"',
                              'phone = "01904 551900"\nemail = "a@b.c"')],
     K, (K, "email =", 1), "unknown key 'email' in contact 'City of York Multi-Agency"),
    ("unknown-localities-key", [(K, 'area = "North Yorkshire and York"',
                                 'area = "North Yorkshire and York"\ntown = "York"')],
     K, (K, "town =", 1), "unknown key 'town' in [localities]"),
    ("wrong-type", [(C, "pass_mark = 80", 'pass_mark = "80"')],
     C, (C, "pass_mark =", 1), "'pass_mark' in course.toml must be a whole number"),
    ("duplicate-section-id", [(C, 'id = "responding"', 'id = "recognising-abuse"')],
     C, (C, 'id = "recognising-abuse"', 2), "duplicate section id 'recognising-abuse'"),
    ("duplicate-question-id", [(Q, 'id = "intro-02"', 'id = "intro-01"')],
     Q, (Q, 'id = "intro-01"', 2), "duplicate question id 'intro-01'"),
    ("duplicate-section-file", [(C, 'file = "sections/03-responding.md"',
                                 'file = "sections/02-recognising-abuse.md"')],
     C, (C, 'file = "sections/02-recognising-abuse.md"', 2),
     "duplicate section file sections/02-recognising-abuse.md"),
    ("unknown-section", [(Q, 'section = "introduction"', 'section = "intro"')],
     Q, (Q, 'section = "intro"', 1), "question 'intro-01' points at the unknown section 'intro'"),
    ("date-as-text", [(C, "last_reviewed = 2026-12-01", 'last_reviewed = "2026-12-01"')],
     C, (C, "last_reviewed", 1), "'last_reviewed' in course.toml must be a date written without"),
    ("verified-as-text", [(K, "last_verified = 2026-12-01", 'last_verified = "2026"')],
     K, (K, "last_verified =", 1), "'last_verified' in contact 'North Yorkshire children's social"),
    ("answer-out-of-range", [(Q, "answer = [1]", "answer = [3]")],
     Q, (Q, "answer = [3]", 1), "answer index 3 of question 'intro-01' is out of range"),
    ("single-two-answers", [(Q, "answer = [1]", "answer = [0, 1]")],
     Q, (Q, "answer = [0, 1]", 1), "single-choice question 'intro-01' must have exactly one"),
    ("multiple-one-answer", [(Q, "answer = [0, 2, 3]", "answer = [0]")],
     Q, (Q, "answer = [0]", 1), "multiple-choice question 'intro-05' must have at least two"),
    ("true-false-options", [(Q, "answer = true", 'answer = true\noptions = ["Yes", "No"]')],
     Q, (Q, 'options = ["Yes", "No"]', 1), "question 'intro-02' is true_false, so it takes no"),
    ("true-false-not-boolean", [(Q, "answer = true", 'answer = "true"')],
     Q, (Q, 'answer = "true"', 1), "true_false question 'intro-02' must be true or false"),
    ("too-few-options", [(Q, INTRO_01_OPTIONS + '\nanswer = [1]',
                          'options = ["Only social workers"]\nanswer = [0]')],
     Q, (Q, 'options = ["Only social workers"]', 1),
     "question 'intro-01' has 1 options; it needs between 2"),
    ("too-many-options", [(Q, INTRO_01_OPTIONS,
                           'options = ["1", "2", "3", "4", "5", "6", "7"]')],
     Q, (Q, 'options = ["1", "2"', 1), "question 'intro-01' has 7 options"),
    ("duplicate-option", [(Q, INTRO_01_OPTIONS,
                           'options = ["Only social workers", "Everyone", "only  social workers"]'
                           )],
     Q, (Q, 'options = ["Only social workers", "Everyone"', 1),
     "option 3 of question 'intro-01' repeats"),
    ("empty-option", [(Q, INTRO_01_OPTIONS, 'options = ["Only social workers", " ", "Managers"]')],
     Q, (Q, 'options = ["Only social workers", " "', 1),
     "option 2 of question 'intro-01' is empty"),
    ("empty-text", [(Q, 'text = "Who does safeguarding apply to?"', 'text = ""')],
     Q, (Q, 'text = ""', 1), "'text' in question 'intro-01' is empty"),
    ("empty-explanation", [(Q, INTRO_01_EXPLANATION, 'explanation = "  "')],
     Q, (Q, 'explanation = "  "', 1), "'explanation' in question 'intro-01' is empty"),
    ("empty-title", [(C, 'title = "Introduction"', 'title = ""')],
     C, (C, 'title = ""', 1), "'title' in section 1 is empty"),
    ("pass-mark-zero", [(C, "pass_mark = 80", "pass_mark = 0")],
     C, (C, "pass_mark = 0", 1), "'pass_mark' in course.toml must be between 1 and 100, not 0"),
    ("pass-mark-high", [(C, "pass_mark = 80", "pass_mark = 101")],
     C, (C, "pass_mark = 101", 1), "must be between 1 and 100, not 101"),
    ("per-test-zero", [(C, "questions_per_test = 10", "questions_per_test = 0")],
     C, (C, "questions_per_test", 1), "'questions_per_test' must be at least 1, not 0"),
    ("per-test-over-bank", [(C, "questions_per_test = 10", "questions_per_test = 102")],
     C, (C, "questions_per_test", 1), "'questions_per_test' is 102 but the question bank holds "
                                      "only 101"),
    ("refresher-zero", [(C, "refresher_months = 12", "refresher_months = 0")],
     C, (C, "refresher_months", 1), "'refresher_months' in course.toml must be between 1 and 60"),
    ("refresher-high", [(C, "refresher_months = 12", "refresher_months = 61")],
     C, (C, "refresher_months", 1), "between 1 and 60, not 61"),
    ("scoring", [(C, 'multiple_scoring = "all_or_nothing"', 'multiple_scoring = "some"')],
     C, (C, "multiple_scoring", 1), "'multiple_scoring' must be \"all_or_nothing\" or \"partial\""),
    ("image", [(S2, "## Physical abuse", "![a bruise](https://example.org/b.png)\n\n## Physical")],
     S2, (S2, "![a bruise]", 1), "images are not allowed"),
    ("raw-html", [(S2, "## Physical abuse", "<script>alert(1)</script>\n\n## Physical abuse")],
     S2, (S2, "<script>", 1), "raw HTML is not allowed (<script>)"),
    ("dead-section-link", [("sections/01-introduction.md", "(03-responding.md)",
                            "(03-responding-to-concerns.md)")],
     "sections/01-introduction.md", ("sections/01-introduction.md", "03-responding-to", 1),
     "the link 03-responding-to-concerns.md points at a section file that does not exist"),
    ("question-type", [(Q, 'type = "single"', 'type = "essay"')],
     Q, (Q, 'type = "essay"', 1), "'type' of question 'intro-01' must be one of single"),
]

MISSING = [
    ("missing-section-file", "sections/03-responding.md", 'file = "sections/03-responding.md"',
     "the section file sections/03-responding.md is missing"),
    ("missing-urgent", "urgent.md", 'urgent = "urgent.md"',
     "the urgent help file urgent.md is missing"),
    ("missing-contacts", "contacts.toml", 'contacts = "contacts.toml"',
     "the contacts file contacts.toml is missing"),
    ("missing-questions", "questions.toml", 'questions = "questions.toml"',
     "the question bank file questions.toml is missing"),
]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli_main(["content", "check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_default_pack_passes_check(run_kiosk, clock):
    """The shipped pack passes `kiosk content check` (a real subprocess) with a summary line."""
    from datetime import datetime, timezone

    clock.current = datetime(2027, 1, 5, 9, 0, tzinfo=timezone.utc)  # after its review
    result = run_kiosk("content", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "safeguarding-children: ok" in result.stdout
    assert "Safeguarding children: guidance for good practice" in result.stdout
    assert "12 sections, 101 questions" in result.stdout
    assert "warning:" not in result.stdout  # the shipped bank gives nothing away
    assert "Traceback" not in result.stderr


def test_default_pack_has_no_problems():
    """The validator finds nothing wrong with the shipped pack."""
    problems, data = check_pack(DEFAULT_PACK)
    assert problems == []
    assert data["course"]["id"] == "safeguarding-children"


@pytest.mark.parametrize(("case", "edits", "rel", "where", "words"), CASES,
                         ids=[c[0] for c in CASES])
def test_broken_pack_names_problem_file_and_line(tmp_path, capsys, case, edits, rel, where,
                                                 words):
    """Each single defect is reported with its own message, its file and its line; exit 1."""
    pack = copy_pack(tmp_path, "broken")
    for file, old, new in edits:
        edit(pack, file, old, new)
    line = line_of(pack, *where) if where else 1
    problems, _ = check_pack(pack)
    assert any(p.file == rel and p.line == line and words in p.message for p in problems), \
        "\n".join(str(p) for p in problems)
    code, out, _err = run_cli(capsys, str(pack))
    assert code == 1
    assert any(o.startswith(f"broken/{rel}:{line}: ") and words in o for o in out.splitlines()), out


@pytest.mark.parametrize(("case", "missing", "marker", "words"), MISSING,
                         ids=[c[0] for c in MISSING])
def test_missing_file_is_reported_where_it_is_named(tmp_path, capsys, case, missing, marker,
                                                    words):
    """A missing file is reported on the course.toml line that names it."""
    pack = copy_pack(tmp_path, "broken")
    (pack / missing).unlink()
    code, out, _err = run_cli(capsys, str(pack))
    assert code == 1
    assert f"broken/course.toml:{line_of(pack, 'course.toml', marker)}: {words}" in out


def test_every_problem_is_listed_at_once(tmp_path, capsys):
    """Several defects in different files are all reported in one run."""
    pack = copy_pack(tmp_path, "broken")
    edit(pack, C, "pass_mark = 80", "pass_mark = 0")
    edit(pack, Q, "answer = [1]", "answer = [9]")
    edit(pack, K, "last_verified = 2026-12-01", 'last_verified = "soon"')
    code, out, _ = run_cli(capsys, str(pack))
    assert code == 1
    assert "broken/course.toml:" in out
    assert "broken/questions.toml:" in out
    assert "broken/contacts.toml:" in out


def test_missing_course_toml_and_missing_folder(tmp_path, capsys):
    """No course.toml, or no such folder: a one-line error and exit 1, never a traceback."""
    code, _out, err = run_cli(capsys, str(tmp_path / "nowhere"))
    assert code == 1
    assert err.startswith("kiosk: error: there is no folder")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _out, err = run_cli(capsys, str(empty))
    assert code == 1
    assert "no content pack" in err


def test_cli_subprocess_reports_broken_pack(tmp_path, run_kiosk):
    """A real `kiosk content check DIR` on a broken pack prints FILE:LINE and exits 1."""
    pack = copy_pack(tmp_path, "broken")
    edit(pack, Q, 'section = "introduction"', 'section = "nowhere"')
    result = run_kiosk("content", "check", str(pack.parent))
    assert result.returncode == 1
    line = line_of(pack, Q, 'section = "nowhere"')
    assert f"broken/questions.toml:{line}: question 'intro-01' points at the unknown section" \
        in result.stdout
    assert "Traceback" not in result.stderr


def test_kiosk_will_not_start_on_broken_pack(tmp_path, run_kiosk):
    """The kiosk started on a broken pack exits 1, prints the problem, and creates no data.db."""
    pack = copy_pack(tmp_path, "broken")
    edit(pack, Q, "answer = [1]", "answer = [5]")
    db = tmp_path / "data.db"
    env = kiosk_env()
    env["KIOSK_COURSES"] = str(pack.parent)
    result = run_kiosk("--db", str(db), "--exit-when-ready", env=env)
    assert result.returncode == 1
    assert "broken/questions.toml:" in result.stderr
    assert "answer index 5 of question 'intro-01' is out of range" in result.stderr
    assert not db.exists()


def test_kiosk_on_broken_pack_leaves_existing_database_unchanged(tmp_path, run_kiosk):
    """An existing data.db is not touched (same bytes) when the pack is broken."""
    db = tmp_path / "data.db"
    ok = run_kiosk("--db", str(db), "--exit-when-ready")
    assert ok.returncode == 0, ok.stderr
    before = db.read_bytes()
    pack = copy_pack(tmp_path, "broken")
    shutil.rmtree(pack / "sections")
    env = kiosk_env()
    env["KIOSK_COURSES"] = str(pack.parent)
    result = run_kiosk("--db", str(db), "--exit-when-ready", env=env)
    assert result.returncode == 1
    assert "the section file sections/01-introduction.md is missing" in result.stderr
    assert db.read_bytes() == before


def test_locator_ignores_keys_inside_multiline_values(tmp_path):
    """A `key =` inside a multi-line array or string is not mistaken for a key line."""
    from kiosk.content_check import Locator

    loc = Locator('a = [\n  "b = 1",\n]\ns = """\nc = 2\n"""\n[[t]]\nc = 3\n[[t]]\nc = 4\n')
    assert loc.key("", 0, "a") == 1
    assert "b" not in loc.keys[("", 0)]
    assert "c" not in loc.keys[("", 0)]
    assert loc.key("t", 0, "c") == 8
    assert loc.key("t", 1, "c") == 10


def test_a_date_after_today_warns_but_the_kiosk_still_starts(tmp_path):
    """An old PC whose clock battery died thinks it is years ago: a 'verified' date after
    its today is a warning to check, never a reason to refuse the pack."""
    from datetime import date

    from kiosk.content_check import check_pack_fully

    pack = copy_pack(tmp_path, "safeguarding-children")
    edit(pack, K, "last_verified = 2026-12-01", "last_verified = 2099-01-01")
    problems, warnings, _ = check_pack_fully(pack, date(2027, 1, 5))
    assert problems == []
    assert any("is after today (2099-01-01)" in w.message for w in warnings)
    problems, _, _ = check_pack_fully(pack, date(2001, 1, 1))  # a PC that lost its clock
    assert problems == []
