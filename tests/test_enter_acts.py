"""Every form acts on Enter, typed as a person types; buttons that need a selected row are
off without one. (Sign-in, set-up and password change by Enter: test_login_screens.py.)"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog, QLineEdit

from kiosk import users
from kiosk.ui.dialogs import QtDialogs
from tests.conftest import MANAGER_PASSWORD
from tests.gui_helpers import focused, press, type_into_focus
from tests.test_manager_ui import courses_ctx, open_area, sign_in  # noqa: F401 (fixture)

ENTER = Qt.Key.Key_Return


def _area(qtbot, window, panel_name: str):
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    panel = getattr(area, panel_name)
    area.tabs.setCurrentWidget(panel)
    return area, panel


def test_people_add_and_edit_on_enter_in_any_field(
        qtbot, window, courses_ctx, manager):  # noqa: F811
    ctx = courses_ctx
    _, people = _area(qtbot, window, "people")
    people.username.setFocus()
    type_into_focus(qtbot, "nia")
    press(qtbot, Qt.Key.Key_Tab)
    type_into_focus(qtbot, "Nia Jones")
    press(qtbot, ENTER)
    assert users.find(ctx.db, "nia").full_name == "Nia Jones"
    assert ctx.dialogs.shown[-1][1] == "Person added"
    number = next(i for i, r in enumerate(people.model.rows) if r["username"] == "nia")
    people.table.selectRow(number)
    people.job_title.setFocus()
    type_into_focus(qtbot, "Cook")
    press(qtbot, ENTER)
    assert users.find(ctx.db, "nia").job_title == "Cook"
    # Enter on the role list (a combo box has no returnPressed) saves too.
    people.role.setFocus()
    people.role.setCurrentIndex(people.role.findData("manager"))
    press(qtbot, ENTER)
    assert users.find(ctx.db, "nia").role == "manager"


def test_settings_save_on_enter_in_a_field_or_a_check_box(
        qtbot, window, courses_ctx, manager):  # noqa: F811
    ctx = courses_ctx
    _, panel = _area(qtbot, window, "settings")
    field = panel.fields["centre_name"]
    field.setFocus()
    field.selectAll()
    type_into_focus(qtbot, "Hillside Centre")
    press(qtbot, ENTER)
    assert ctx.settings.get("centre_name") == "Hillside Centre"
    assert panel.message.text() == "Saved: 1 setting changed."
    box = next(key for key, w in panel.fields.items() if not isinstance(w, QLineEdit))
    check = panel.fields[box]
    check.setFocus()
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, ENTER)
    assert ctx.settings.get(box) == check.isChecked()


def test_contacts_enter_ends_the_edit_then_saves(
        qtbot, window, courses_ctx, manager):  # noqa: F811
    from kiosk.contacts import stored_rows

    ctx = courses_ctx
    ctx.clock.advance(days=400)  # past the course's own "last verified" dates
    _, panel = _area(qtbot, window, "contacts")
    table = panel.table
    assert not panel.remove_button.isEnabled()  # nothing selected yet
    table.setFocus()
    table.setCurrentCell(0, 0)
    assert panel.remove_button.isEnabled()
    press(qtbot, Qt.Key.Key_F2)
    editor = focused()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    type_into_focus(qtbot, "Duty desk")
    press(qtbot, ENTER)  # ends the edit (Qt commits it a moment later), saves nothing yet
    qtbot.waitUntil(lambda: table.item(0, 0).text() == "Duty desk")
    assert stored_rows(ctx.db, panel.current_course().id) == []
    assert focused() is table, focused()
    press(qtbot, ENTER)  # saves the list
    assert not panel.message.isVisible(), panel.message.text()
    assert stored_rows(ctx.db, panel.current_course().id)[0]["name"] == "Duty desk"


def test_data_panel_counts_on_enter(qtbot, window, courses_ctx, manager):  # noqa: F811
    _, panel = _area(qtbot, window, "data")
    panel.months.setFocus()
    press(qtbot, ENTER)
    assert panel.preview_label.isVisible() and "from before" in panel.preview_label.text()


def test_filters_show_on_enter_in_a_list(qtbot, window, courses_ctx, manager):  # noqa: F811
    area, panel = _area(qtbot, window, "access_log")
    area.access_log.model.clear()
    panel.event_choice.setFocus()
    press(qtbot, ENTER)
    assert panel.model.rowCount() > 0


def test_buttons_that_need_a_selection_are_off_without_one(
        qtbot, window, courses_ctx, manager, make_user):  # noqa: F811
    make_user("zoe")
    area, matrix = _area(qtbot, window, "matrix")
    qtbot.waitUntil(lambda: matrix.proxy.rowCount() > 0)
    matrix.table.clearSelection()
    assert not matrix.history_button.isEnabled()
    matrix.table.selectRow(0)
    assert matrix.history_button.isEnabled()
    area.tabs.setCurrentWidget(area.security)
    assert area.security.locked.rowCount() == 0
    assert not area.security.unlock_button.isEnabled()


def _answer_when_shown(qtbot, kind, answer) -> None:
    """Once a modal dialog of `kind` is up, `answer(dialog)` types into it as a person."""
    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind) or not dialog.isVisible():
            QTimer.singleShot(30, look)
            return
        answer(dialog)
    QTimer.singleShot(30, look)


def test_close_kiosk_prompt_answers_on_enter(qtbot, qapp):
    def type_and_enter(dialog: QInputDialog) -> None:
        edit = dialog.findChild(QLineEdit)
        qtbot.keyClicks(edit, MANAGER_PASSWORD)
        qtbot.keyClick(edit, ENTER)
    _answer_when_shown(qtbot, QInputDialog, type_and_enter)
    dialogs = QtDialogs()
    assert dialogs.ask_password("Close the kiosk", "Type your password.") == MANAGER_PASSWORD


def test_confirmations_answer_on_enter_no_unless_easy_to_undo(qtbot, qapp):
    def enter(dialog: QDialog) -> None:
        qtbot.keyClick(dialog.focusWidget() or dialog, ENTER)
    from PySide6.QtWidgets import QMessageBox

    dialogs = QtDialogs()
    _answer_when_shown(qtbot, QMessageBox, enter)
    assert dialogs.confirm("Disable account", "Disable zoe?") is False
    _answer_when_shown(qtbot, QMessageBox, enter)
    assert dialogs.confirm("Grant a test attempt", "Let zoe take the test once more?",
                           yes_by_default=True) is True


def test_grant_attempt_by_keyboard_and_enter(
        qtbot, window, courses_ctx, manager, make_user):  # noqa: F811
    """The grant button by keyboard; the real confirmation answered with Enter."""
    from kiosk import quiz

    ctx = courses_ctx
    zoe = make_user("zoe")
    _, people = _area(qtbot, window, "people")
    ctx.dialogs = QtDialogs(window)
    number = next(i for i, r in enumerate(people.model.rows) if r["username"] == "zoe")
    people.table.selectRow(number)
    people.grant_button.setFocus()

    from PySide6.QtWidgets import QMessageBox

    _answer_when_shown(qtbot, QMessageBox,
                       lambda d: qtbot.keyClick(d.focusWidget() or d, ENTER))
    press(qtbot, Qt.Key.Key_Space)
    assert "may take the test once more" in people.editing.text()
    assert quiz._unused_grant(ctx.db, zoe.id, ctx.course.id) is not None


def test_import_file_dialog_opens_the_typed_file_on_enter(qtbot, qapp, tmp_path):
    target = tmp_path / "people.csv"
    target.write_text("username,full_name\r\n")

    def type_and_enter(dialog: QFileDialog) -> None:
        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        edit.setFocus()
        qtbot.keyClicks(edit, "people.csv")
        qtbot.keyClick(edit, ENTER)
    _answer_when_shown(qtbot, QFileDialog, type_and_enter)
    dialogs = QtDialogs(start_folder=tmp_path)
    chosen = dialogs.ask_open_path("Import people from CSV", "CSV files (*.csv *.txt)")
    assert chosen == str(target)
