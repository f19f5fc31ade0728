"""Read aloud: what is read, in what order, pausable, and a real voice behind it."""

from __future__ import annotations

import shutil
import sys

import pytest
from PySide6.QtCore import Qt

from kiosk import speech
from kiosk.contacts import effective_contacts
from tests.conftest import LEARNER_PASSWORD
from tests.course_helpers import use_course
from tests.fakes import RecordingSpeaker
from tests.quiz_helpers import sign_in, use_default_course


def test_markdown_is_read_in_order_as_plain_sentences():
    """Headings, paragraphs and list items in order; no Markdown marks; links read as words."""
    md = ("# Responding\n\nListen **calmly**. Do not promise [secrecy](03-x.md).\n\n"
          "- Write it down\n- Tell your DSL\n\nCall 01904 555695 now.")
    assert speech.markdown_chunks(md) == [
        "Responding.", "Listen calmly.", "Do not promise secrecy.", "Write it down",
        "Tell your DSL", "Call 0 1 9 0 4 5 5 5 6 9 5 now."]


def test_reader_listen_reads_the_section_and_pauses(qtbot, ctx, manager, learner, window):
    """Listen in the reader reads the section on screen from its title; pressing again
    pauses, then resumes; moving to another section stops the voice."""
    use_course(ctx)
    voice = RecordingSpeaker()
    ctx.speaker = voice
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.show_guidance("responding")
    listen = window.reader.listen.button
    qtbot.mouseClick(listen, Qt.MouseButton.LeftButton)
    chunks = voice.read[-1]
    section = ctx.course.section("responding")
    assert section.title in chunks[0]
    assert all("**" not in c and "](" not in c for c in chunks)
    assert len(chunks) > 5
    assert listen.text().replace("&", "") == "Pause reading"
    qtbot.mouseClick(listen, Qt.MouseButton.LeftButton)
    assert voice.events[-1] == "pause" and listen.text().replace("&", "") == "Resume reading"
    qtbot.mouseClick(listen, Qt.MouseButton.LeftButton)
    assert voice.events[-1] == "resume"
    window.reader.next.click()
    assert voice.events[-1] == "stop" and listen.text().replace("&", "") == "Read aloud"


def test_test_listen_reads_question_then_options_as_numbered(qtbot, ctx, learner, window):
    """On the test, Listen reads "Question n of 10", the question, how to answer, and each
    option with the number that chooses it, in the order shown."""
    use_default_course(ctx)
    voice = RecordingSpeaker()
    ctx.speaker = voice
    sign_in(qtbot, window)
    window.start_test()
    screen = window.test
    qtbot.mouseClick(screen.listen.button, Qt.MouseButton.LeftButton)
    item = screen.attempt.questions[screen.index]
    shown = [text for _, text in item.shown_options()]
    expected = [f"Question {screen.index + 1} of 10.", item.question.text]
    assert voice.read[-1][:2] == expected
    assert voice.read[-1][-len(shown):] == [f"Option {n}: {t}" for n, t in
                                            enumerate(shown, start=1)]
    voice.finish()
    qtbot.waitUntil(lambda: screen.listen.state == "idle")


def test_urgent_listen_reads_what_to_do_then_each_contact(qtbot, ctx, manager, window):
    """The urgent page reads its advice first and then every contact, phone numbers digit
    by digit, without anyone signing in."""
    course = use_course(ctx)
    voice = RecordingSpeaker()
    ctx.speaker = voice
    window.login.urgent.click()
    qtbot.mouseClick(window.urgent.listen.button, Qt.MouseButton.LeftButton)
    chunks = voice.read[-1]
    assert any("999" in c for c in chunks[:6])
    contacts = effective_contacts(ctx.db, course)
    first = chunks.index("Contacts.")
    assert chunks[first + 1].startswith(contacts[0].name)
    assert "0 1 9 0 4" in " ".join(chunks[first:])
    window.urgent.back.click()
    assert voice.events[-1] == "stop"


@pytest.mark.skipif(sys.platform != "linux", reason="espeak-ng is the Linux voice")
def test_the_real_engine_speaks_through_espeak_ng():
    """pyttsx3 drives the computer's own engine (espeak-ng here, Debian package espeak-ng)
    on its own thread: every chunk reaches it, in order, and the GUI thread never waits."""
    assert shutil.which("espeak-ng") or any(
        __import__("pathlib").Path(d).glob("libespeak-ng.so*")
        for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib")
    ), "install the Debian package espeak-ng (the tests' speech engine)"
    done = []
    voice = speech.EngineSpeaker(rate=400)
    try:
        voice.speak(["Call 999 now.", "Then tell your designated safeguarding lead."],
                    on_done=lambda: done.append(True))
        assert voice.wait_idle(60)
        assert voice.spoken == ["Call 999 now.", "Then tell your designated safeguarding lead."]
        assert done == [True]
    finally:
        voice.close()
