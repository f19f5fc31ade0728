"""The default pack's content rules, the review-date format, and the give-away warnings."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timezone

import pytest

from kiosk.content_check import check_pack_fully, question_bank_warnings
from kiosk.course import load_course, reviews_due
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD
from tests.course_helpers import DEFAULT_PACK, copy_pack, edit, line_of, use_course

C, K, Q = "course.toml", "contacts.toml", "questions.toml"
S3 = "sections/03-responding.md"
# The longest section of the 2013 course, in words: no section may take longer to read.
LONGEST_ORIGINAL_WORDS = 895


def problems_and_warnings(pack):
    problems, warnings, _data = check_pack_fully(pack, today=date(2026, 12, 1))
    return [str(p) for p in problems], [str(w) for w in warnings]


# ---------------------------------------------------------------- the shipped pack

def test_default_pack_is_clean_and_dated():
    """No problems and no warnings; the pack and every section carry both review dates."""
    problems, warnings = problems_and_warnings(DEFAULT_PACK)
    assert problems == [] and warnings == []
    course = load_course(DEFAULT_PACK)
    assert course.last_reviewed and course.next_review > course.last_reviewed
    for section in course.sections:
        assert section.last_reviewed and section.next_review > section.last_reviewed


def test_default_pack_has_eight_questions_per_section_and_short_sections():
    course = load_course(DEFAULT_PACK)
    per_section = Counter(q.section for q in course.questions)
    assert {s.id for s in course.sections} == set(per_section)
    assert min(per_section.values()) >= 8
    for section in course.sections:
        words = len(re.findall(r"\w+", section.markdown))
        assert words <= LONGEST_ORIGINAL_WORDS, (section.id, words)


def test_default_pack_questions_name_their_section_and_no_settings():
    """Each explanation points at where the answer is; no question asks about the course's
    own settings (pass mark, refresher) or quotes one."""
    course = load_course(DEFAULT_PACK)
    for q in course.questions:
        assert "See '" in q.explanation or "See the" in q.explanation, q.id
        words = (q.text + " ".join(q.options)).lower()
        assert "pass mark" not in words and "refresher" not in words, q.id
        assert not re.search(r"\b\d{2,3}%", words), q.id


def test_corrections_and_sources_are_recorded():
    """Each correction the issue asks for is dated and cites sources that exist, with urls."""
    course = load_course(DEFAULT_PACK)
    ids = {s.id: s for s in course.sources if s.id}
    assert {"wt2023", "info-sharing-2024", "eyfs-2025", "kcsie-2025"} <= set(ids)
    for source in ids.values():
        assert source.url.startswith(("https://", "http://")) and source.accessed
    changed = " ".join(c.change for c in course.corrections)
    for topic in ("Working Together 2023", "seven golden rules", "LADO", "unitary",
                  "straight away"):
        assert topic in changed, topic
    for correction in course.corrections:
        assert correction.date and set(correction.sources) <= set(ids)


def test_every_section_cites_sources_that_exist(tmp_path):
    course = load_course(DEFAULT_PACK)
    ids = {s.id for s in course.sources if s.id}
    for section in course.sections:
        assert section.sources and set(section.sources) <= ids, section.id
    pack = copy_pack(tmp_path)
    edit(pack, C, 'sources = ["prevent-2023"]', 'sources = ["prevent-2015"]')
    problems, _ = problems_and_warnings(pack)
    line = line_of(pack, C, 'sources = ["prevent-2015"]')
    assert f"course.toml:{line}: section 8 cites the unknown source id 'prevent-2015' " \
           "(give the source an id = \"...\" in [[sources]])" in problems


def test_contacts_are_sourced_and_no_2013_number_is_current():
    course = load_course(DEFAULT_PACK)
    assert all(c.source for c in course.contacts)
    assert course.contacts[0].name.startswith("North Yorkshire children's social care")
    assert not any(c.last_verified.year == 2013 for c in course.contacts)
    unverified = [c.name for c in course.contacts if not c.verified]
    assert unverified == ["Local Authority Designated Officer (LADO), City of York",
                          "Police non-emergency"]


# ---------------------------------------------------------------- review dates

def test_reviews_due_names_pack_and_sections_from_the_day_itself():
    course = load_course(DEFAULT_PACK)
    assert reviews_due([course], date(2027, 8, 31)) == []
    due = reviews_due([course], date(2027, 9, 1))
    assert [d.section_id for d in due] == ["", "good-practice", "safer-working",
                                           "whistleblowing", "exploitation"]
    assert due[0].describe().startswith("The course \u201cSafeguarding children")
    assert "1 September 2027" in due[1].describe()
    assert len(reviews_due([course], date(2028, 1, 1))) == 1 + len(course.sections)


def test_missing_next_review_warns_and_bad_order_is_refused(tmp_path):
    pack = copy_pack(tmp_path)
    edit(pack, C, "next_review = 2027-09-01\n", "")
    edit(pack, C, "last_reviewed = 2026-12-01\nnext_review = 2027-12-01",
         "last_reviewed = 2026-12-01\nnext_review = 2026-01-01")
    problems, warnings = problems_and_warnings(pack)
    assert any("course.toml has no 'next_review' date" in w for w in warnings)
    line = line_of(pack, C, "next_review = 2026-01-01")
    assert f"course.toml:{line}: 'next_review' in section 1 (2026-01-01) must be after " \
           "'last_reviewed' (2026-12-01)" in problems


def test_section_review_date_as_text_is_refused(tmp_path):
    pack = copy_pack(tmp_path)
    edit(pack, C, "next_review = 2027-12-01", 'next_review = "next year"')
    problems, _ = problems_and_warnings(pack)
    assert any("'next_review' in section 1 must be a date written without quotes" in p
               for p in problems)


def test_manager_home_screen_lists_content_past_review(qtbot, ctx, clock, manager, learner,
                                                       window):
    """After the review date a manager is told, at sign-in, what to review; a learner is not."""
    from tests.test_reader import sign_in

    use_course(ctx)
    clock.current = datetime(2027, 9, 2, 9, 0, tzinfo=timezone.utc)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    box = window.home.reviews_due
    assert box.isVisible()
    assert "\u2022 Section \u201cWhistleblowing and escalation\u201d was due for review on " \
           "1 September 2027" in box.text()
    window.sign_out(idle=False)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    assert not window.home.reviews_due.isVisible()


def test_manager_home_screen_is_quiet_before_review(qtbot, ctx, clock, manager, window):
    from tests.test_reader import sign_in

    use_course(ctx)
    clock.current = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    assert not window.home.reviews_due.isVisible()


# ---------------------------------------------------------------- refused content

@pytest.mark.parametrize("content", ["", "   \n\n\t  \n"], ids=["empty", "whitespace"])
def test_empty_section_is_refused(tmp_path, content):
    pack = copy_pack(tmp_path)
    (pack / S3).write_text(content, encoding="utf-8")
    problems, _ = problems_and_warnings(pack)
    assert any(p.startswith(f"{S3}:1: the file is empty") for p in problems)


def test_contacts_file_with_no_entries_and_urgent_page_without_contacts(tmp_path):
    pack = copy_pack(tmp_path)
    (pack / K).write_text('[localities]\narea = "York"\nnames = ["York"]\n', encoding="utf-8")
    problems, _ = problems_and_warnings(pack)
    assert any(p.startswith("contacts.toml:1: the contacts file has no [[contacts]]")
               for p in problems)
    assert any(p.startswith("urgent.md:1: the urgent help page has no contacts") for p in problems)


@pytest.mark.parametrize(("typed", "words"), [
    ("Ring 01609 533080 now.", "the phone number 01609 533080 is typed into the text"),
    ("Ring +44 1904 551900.", "the phone number +44 1904 551900"),
    ("Call 0808 800 5000 for advice.", "the phone number 0808 800 5000"),
    ("See https://www.gov.uk/x for more.", "the address https://www.gov.uk/x is typed"),
    ("Visit www.nspcc.org.uk today.", "the address www.nspcc.org.uk is typed"),
    ("Email lado@example.org please.", "the address lado@example.org"),
    ("[the partnership](https://www.safeguardingchildren.co.uk)", "is typed into the text"),
], ids=["landline", "international", "freephone", "https", "www", "email", "link"])
def test_numbers_and_addresses_typed_into_text_are_refused(tmp_path, typed, words):
    pack = copy_pack(tmp_path)
    edit(pack, S3, "## Emergencies", f"{typed}\n\n## Emergencies")
    problems, _ = problems_and_warnings(pack)
    line = line_of(pack, S3, typed)
    assert any(p.startswith(f"{S3}:{line}: ") and words in p for p in problems), problems


def test_short_emergency_numbers_and_section_links_are_allowed(tmp_path):
    pack = copy_pack(tmp_path)
    edit(pack, S3, "## Emergencies",
         "Call 999, 101 or 111. Read [Recording](12-recording.md) on 3 March 2026.\n\n"
         "## Emergencies")
    problems, _ = problems_and_warnings(pack)
    assert problems == []


def test_urgent_page_may_not_type_numbers_either(tmp_path):
    pack = copy_pack(tmp_path)
    edit(pack, "urgent.md", "Call 999 now.**", "Call 999 now.** Or 01904 551900.")
    problems, _ = problems_and_warnings(pack)
    assert any(p.startswith("urgent.md:") and "01904 551900" in p for p in problems)


def test_contact_without_source_warns_and_verified_must_be_true_or_false(tmp_path):
    pack = copy_pack(tmp_path)
    text = (pack / K).read_text(encoding="utf-8")
    first = text.index("source = ")
    end = text.index("\n", first)
    (pack / K).write_text(text[:first] + text[end + 1:], encoding="utf-8")
    edit(pack, K, 'verified = false\nsource = "An older', 'verified = "no"\nsource = "An older')
    problems, warnings = problems_and_warnings(pack)
    assert any("contact 'North Yorkshire children's social care (Customer Service Centre)' "
               "has no 'source'" in w for w in warnings)
    course_problems = [p for p in problems if "'source'" in p]
    assert course_problems == []  # an older pack without sources still starts
    assert any("'verified' in contact 'Local Authority Designated Officer (LADO), City of York'"
               " must be true or false" in p for p in problems)


def test_correction_citing_unknown_source_or_section_is_refused(tmp_path):
    pack = copy_pack(tmp_path)
    edit(pack, C, 'sources = ["info-sharing-2024"]', 'sources = ["info-sharing-2018"]')
    edit(pack, C, 'section = "responding"', 'section = "reponding"')
    problems, _ = problems_and_warnings(pack)
    line = line_of(pack, C, 'sources = ["info-sharing-2018"]')
    assert f"course.toml:{line}: correction 2 cites the unknown source id 'info-sharing-2018' " \
           "(give the source an id = \"...\" in [[sources]])" in problems
    assert any("correction 5 names the unknown section 'reponding'" in p for p in problems)


# ---------------------------------------------------------------- give-away warnings

def single(qid, options, right):
    return {"id": qid, "section": "s", "type": "single", "text": "?", "options": options,
            "answer": [right], "explanation": "."}


def test_right_option_longest_far_more_often_than_chance_warns():
    bank = {"questions": [single(f"q{n}", [f"No {n}", f"Nope {n}", f"Yes: rule {n} says so"], 2)
                          for n in range(10)]}
    warnings = question_bank_warnings(bank)
    assert len(warnings) == 1
    assert "the right option is the longest in 10 of 10 single-choice questions, where " \
           "chance would give about 3" in warnings[0].message


def test_right_option_longest_about_as_often_as_chance_is_quiet():
    questions = []
    for n in range(12):
        options = [f"short {n}", f"a rather longer option {n}", f"mid length {n}"]
        questions.append(single(f"q{n}", options, n % 3))  # longest is right 4 times in 12
    assert question_bank_warnings({"questions": questions}) == []


def test_too_few_questions_say_nothing_about_length():
    bank = {"questions": [single(f"q{n}", [f"No {n}", f"Yes, indeed it is {n}"], 1)
                          for n in range(7)]}
    assert question_bank_warnings(bank) == []


def test_same_wrong_option_across_questions_warns():
    questions = [single(f"q{n}", [f"Answer {n}", "It is not abuse", f"Other {n} long"], 0)
                 for n in range(3)]
    warnings = question_bank_warnings({"questions": questions})
    assert [w.message for w in warnings] == [
        "the wrong option 'It is not abuse' appears in 3 questions (q0, q1, q2): once it is "
        "known to be wrong it gives nothing away about understanding; write a plausible wrong "
        "option for each question"]
    questions[2]["options"][1] = "It is neglect"
    assert question_bank_warnings({"questions": questions}) == []


def test_select_all_with_a_single_wrong_option_warns():
    q = {"id": "m1", "section": "s", "type": "multiple", "text": "Select all",
         "options": ["Listen", "Reassure", "Report", "Juggle"], "answer": [0, 1, 2],
         "explanation": "."}
    warnings = question_bank_warnings({"questions": [q]})
    assert len(warnings) == 1 and "question 'm1' is \"select all\" with a single wrong option " \
        "('Juggle')" in warnings[0].message
    q["options"].append("Ask leading questions")
    assert question_bank_warnings({"questions": [q]}) == []


def test_warnings_name_the_line_and_do_not_fail_the_check(tmp_path, capsys):
    """`kiosk content check` prints warnings with file and line and still exits 0."""
    from kiosk.cli import main as cli_main

    pack = copy_pack(tmp_path, "warned")
    edit(pack, Q, ', "A child who is tired one morning after a family wedding"', "")
    code = cli_main(["content", "check", str(pack)])
    out = capsys.readouterr().out
    assert code == 0
    line = line_of(pack, Q, 'id = "recog-07"') + 4  # the options line of that question
    assert f"warned/questions.toml:{line}: warning: question 'recog-07' is \"select all\"" in out
    assert "warned: ok:" in out
