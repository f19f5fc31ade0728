"""The guidance reader, driven as a person drives it: keyboard first."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication

from kiosk import reading, users
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD
from tests.course_helpers import use_course


def focused():
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has keyboard focus"
    return widget


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(focused(), key, modifier)


def sign_in(qtbot, window, username, password):
    """Type the username, Tab, type the password, Enter: as a person at the kiosk does."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.login.username)
    qtbot.keyClicks(focused(), username)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is window.login.password
    qtbot.keyClicks(focused(), password)
    press(qtbot, Qt.Key.Key_Return)
    assert window.current_screen() == "home"


def read_to_end(qtbot, reader) -> None:
    """PageDown until the end of the section is on screen, as a reader does."""
    bar = reader.text.verticalScrollBar()
    for _ in range(60):
        if bar.value() >= bar.maximum():
            break
        press(qtbot, Qt.Key.Key_PageDown)
    assert bar.value() >= bar.maximum()


def test_read_whole_course_by_keyboard_and_reach_test(qtbot, ctx, manager, learner, window):
    """Sign in, open the guidance and read all twelve sections to their ends with keys
    only; "Proceed to test" is then visible, enabled and focused, and Enter asks for it."""
    course = use_course(ctx)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    assert focused() is window.home.guidance
    press(qtbot, Qt.Key.Key_Return)
    reader = window.reader
    assert window.current_screen() == "reader"
    assert reader.current == "introduction"
    assert "Welcome to this course" in reader.text.toPlainText()
    read_to_end(qtbot, reader)
    press(qtbot, Qt.Key.Key_Return)  # Next has the focus
    assert reader.current == "recognising-abuse"
    read_to_end(qtbot, reader)
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # Alt+N
    qtbot.waitUntil(lambda: reader.current == "responding")  # mnemonics click after a flash
    assert not reader.proceed.isVisible()
    read_to_end(qtbot, reader)
    press(qtbot, Qt.Key.Key_Return)
    assert reader.current == "good-practice"
    read_to_end(qtbot, reader)
    for section in course.sections[4:]:
        press(qtbot, Qt.Key.Key_Return)
        assert reader.current == section.id
        read_to_end(qtbot, reader)
    assert reader.current == "recording"
    assert reader.proceed.isVisible() and reader.proceed.isEnabled()
    assert not reader.next.isEnabled()
    reader.proceed.setFocus()
    assert reader.progress.text() == "12 of 12 sections read"
    assert all(reader.contents.item(i).text().startswith("\u2713") for i in range(12))
    assert reading.may_take_test(ctx.db, ctx.settings, learner.id, course)
    with qtbot.waitSignal(reader.test_requested):
        press(qtbot, Qt.Key.Key_Return)


def test_contents_list_opens_section_with_enter_and_space(qtbot, ctx, manager, learner, window):
    """In the contents, arrow keys move and Enter or Space opens the chosen section."""
    use_course(ctx)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.show_guidance()
    reader = window.reader
    reader.contents.setFocus()
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    assert reader.current == "responding"
    press(qtbot, Qt.Key.Key_Up)
    press(qtbot, Qt.Key.Key_Space)
    assert reader.current == "recognising-abuse"
    assert reader.progress.text() == "0 of 12 sections read"  # opened is not read


def test_page_down_scrolls_text_from_a_button(qtbot, ctx, manager, learner, window):
    """PageDown scrolls the section even while a button has the focus."""
    use_course(ctx)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.show_guidance("recognising-abuse")
    bar = window.reader.text.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    press(qtbot, Qt.Key.Key_PageDown)
    assert bar.value() > 0
    press(qtbot, Qt.Key.Key_PageUp)
    assert bar.value() == 0


def test_progress_survives_sign_out_and_in(qtbot, ctx, clock, manager, learner, window):
    """Sections read before signing out keep their ticks at the next sign-in, and the
    reader starts at the first section not yet read. Seconds spent are stored."""
    course = use_course(ctx)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    read_to_end(qtbot, window.reader)
    window.reader.next.setFocus()
    clock.advance(seconds=40)
    press(qtbot, Qt.Key.Key_Return)  # Next: introduction closed after 40 s
    read_to_end(qtbot, window.reader)
    window.reader.next.setFocus()
    clock.advance(seconds=25)
    window.sign_out(idle=False)
    assert window.reader.contents.count() == 0  # nothing personal left on screen
    rows = list(ctx.db.query(
        "SELECT section_id, seconds, content_version FROM section_views ORDER BY id"))
    assert [(r["section_id"], r["seconds"]) for r in rows] == [
        ("introduction", 40.0), ("recognising-abuse", 25.0)]
    assert {r["content_version"] for r in rows} == {course.content_version}

    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    reader = window.reader
    assert reader.current == "responding"
    ticks = [reader.contents.item(i).text()[0] for i in range(reader.contents.count())]
    assert ticks == ["\u2713", "\u2713", "\u25d0"] + ["\u25cb"] * 9  # read, open now, not yet
    assert reader.progress.text() == "2 of 12 sections read"


def test_progress_is_per_person(qtbot, ctx, manager, learner, window):
    """Another person does not see the first person's ticks."""
    use_course(ctx)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.show_guidance("good-practice")
    window.sign_out(idle=False)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    window.show_guidance()
    assert window.reader.current == "introduction"
    assert window.reader.progress.text() == "0 of 12 sections read"
    assert window.reader.contents.item(3).text()[0] == "\u25cb"


def test_external_link_is_never_opened_and_address_shown(qtbot, ctx, manager, learner, window,
                                                         monkeypatch):
    """Clicking a web link opens nothing and shows its address; no resource is fetched."""
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url))
    use_course(ctx)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.show_guidance("introduction")
    reader = window.reader
    reader.text.anchorClicked.emit(QUrl("https://www.gov.uk/working-together"))
    assert opened == []
    assert reader.current == "introduction"
    assert reader.message.isVisible()
    assert reader.message.text() == ("This kiosk does not open web pages. The address is: "
                                     "https://www.gov.uk/working-together")
    assert reader.text.loadResource(2, QUrl("https://example.org/x.png")) is None


def test_internal_link_opens_that_section(qtbot, ctx, manager, learner, window):
    """A link to another section's file (as written in the pack) opens that section."""
    use_course(ctx)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.show_guidance("introduction")
    reader = window.reader
    reader.text.anchorClicked.emit(QUrl("03-responding.md"))
    assert reader.current == "responding"
    assert reader.text.toPlainText().startswith("Responding to concerns")
    assert reader.contents.currentItem().text().endswith("Responding to concerns and "
                                                         "disclosures")


def test_internal_links_in_text_are_real_anchors(qtbot, ctx, manager, learner, window):
    """The introduction's contents links are rendered as clickable section links."""
    use_course(ctx)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.show_guidance("introduction")
    html = window.reader.text.toHtml()
    assert 'href="02-recognising-abuse.md"' in html


def test_text_size_and_contrast_remembered_per_person(qtbot, ctx, manager, learner, window):
    """Larger text and high contrast are saved for the person, applied at their next
    sign-in, reset at sign-out, and not applied to someone else."""
    use_course(ctx)
    app = QApplication.instance()
    normal_sheet = app.styleSheet()
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.show_guidance()
    reader = window.reader
    reader.larger.setFocus()
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_Space)
    assert reader.text_scale == 2
    assert reader.size_label.text() == "150%"
    press(qtbot, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # Alt+O: high contrast
    qtbot.waitUntil(reader.contrast.isChecked)
    assert app.styleSheet() != normal_sheet
    assert users.get(ctx.db, learner.id).prefs == {"reader_text_scale": 2,
                                                   "high_contrast": True}
    window.sign_out(idle=False)
    assert app.styleSheet() == normal_sheet
    assert reader.text_scale == 0

    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    assert app.styleSheet() == normal_sheet
    window.show_guidance()
    assert reader.text_scale == 0 and not reader.contrast.isChecked()
    window.sign_out(idle=False)

    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    assert app.styleSheet() != normal_sheet  # high contrast from the home screen on
    window.show_guidance()
    assert reader.text_scale == 2 and reader.contrast.isChecked()
    assert "QWidget { font-size: 22px;" in app.styleSheet()  # 150% of 15px, every screen
    window.sign_out(idle=False)


def test_every_control_has_an_accessible_name(qtbot, ctx, manager, learner, window):
    """Every focusable control on the reader has an accessible name."""
    from PySide6.QtWidgets import QWidget

    use_course(ctx)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.show_guidance()
    for widget in window.reader.findChildren(QWidget):
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisible():
            assert widget.accessibleName(), widget


def test_back_to_home_by_keyboard(qtbot, ctx, manager, learner, window):
    """Alt+H leaves the reader for the home screen."""
    use_course(ctx)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.show_guidance()
    press(qtbot, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: window.current_screen() == "home")
