"""Temporary passwords after an import or a reset: on screen unwrapped, printed as a sheet
of slips through the dialogs seam, gone when the manager leaves the tab, and never written
to any file but the sheet the manager printed."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPicture
from PySide6.QtPrintSupport import QPrinter

from kiosk import users
from kiosk.ui.password_slips import CHANGE_NOTE, COLUMNS, ROWS, Slip, pages, paint_sheet
from tests.conftest import MANAGER_PASSWORD
from tests.gui_helpers import wait_for_jobs
from tests.test_manager_ui import courses_ctx, open_area, sign_in  # noqa: F401 (fixture)

LEFT = Qt.MouseButton.LeftButton


def _drawn_text(slips: list[Slip], centre: str) -> bytes:
    """What one sheet draws, recorded by a QPicture (text is kept as UTF-16)."""
    picture = QPicture()
    painter = QPainter(picture)
    paint_sheet(painter, 706, 1000, slips, centre)
    painter.end()
    return bytes(picture.data())


def _has(recorded: bytes, text: str) -> bool:
    return text.encode("utf-16-be") in recorded


def _pdf_pages(path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", path.read_bytes()))


def test_a_slip_carries_name_username_password_note_and_centre(qapp):
    slip = Slip("zoe", "abcd-efgh-jkmn-pqrs-tuvw", "Zoë Ødegård")
    recorded = _drawn_text([slip], "Llŷr Family Centre")
    for text in ("Zoë Ødegård", "zoe", "abcd-efgh-jkmn-pqrs-tuvw", CHANGE_NOTE,
                 "Llŷr Family Centre", "Temporary password", "Username"):
        assert _has(recorded, text), text
    many = [Slip(f"worker{i}", f"pw{i:02d}") for i in range(COLUMNS * ROWS + 1)]
    assert [len(p) for p in pages(many)] == [COLUMNS * ROWS, 1]


def test_import_and_reset_passwords_print_as_slips_and_leave_with_the_tab(
        qtbot, window, courses_ctx, manager, tmp_path):  # noqa: F811
    ctx = courses_ctx
    ctx.settings.set("centre_name", "Riverside Centre")
    path = tmp_path / "people.csv"
    rows = ["username,full_name"] + [f"worker{i},Worker Number {i}" for i in range(11)]
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.people)
    people = area.people
    assert not people.slips_button.isEnabled()  # nothing to print yet

    ctx.dialogs.queue(str(path))
    qtbot.mouseClick(people.import_button, LEFT)
    wait_for_jobs(qtbot, area, timeout=120_000)
    assert len(people.slips) == 11 and people.slips_button.isEnabled()
    shown = people.report.toPlainText()
    for slip in people.slips:
        # One line each, never wrapped: username and password side by side.
        assert any(slip.username in line and slip.password in line
                   for line in shown.splitlines()), slip.username
    assert people.report.lineWrapMode() == people.report.LineWrapMode.NoWrap
    assert people.slips[0].full_name == "Worker Number 0"

    number = next(i for i, r in enumerate(people.model.rows) if r["username"] == manager.username)
    people.table.selectRow(number)
    ctx.dialogs.queue(True)
    qtbot.mouseClick(people.reset_button, LEFT)
    assert len(people.slips) == 12 and people.slips[-1].username == manager.username
    passwords = [s.password for s in people.slips]
    assert users.find(ctx.db, "worker3") is not None

    # Print: the manager's printer (here Qt's PDF printer) gets two A4 pages of slips.
    sheet = tmp_path / "chosen" / "slips.pdf"
    sheet.parent.mkdir()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(sheet))
    ctx.dialogs.queue(printer)
    qtbot.mouseClick(people.slips_button, LEFT)
    assert ctx.dialogs.shown[-1][:2] == ("ask_printer", "Print temporary password slips")
    del printer  # closes the PDF
    assert _pdf_pages(sheet) == 2
    assert "Printed 12 slips." in people.editing.text()

    # Cancelled at the printer: nothing printed, the passwords stay on screen.
    qtbot.mouseClick(people.slips_button, LEFT)
    assert len(people.slips) == 12

    # Leaving the tab takes every password off the screen and out of the panel.
    area.tabs.setCurrentWidget(area.matrix)
    assert people.report.toPlainText() == "" and people.slips == []
    assert not people.slips_button.isEnabled()

    # No file but the printed sheet holds a password (database, WAL, logs, exports...).
    ctx.db.execute("PRAGMA wal_checkpoint").fetchall()
    for file in tmp_path.rglob("*"):
        if not file.is_file() or file == sheet:
            continue
        data = file.read_bytes()
        for password in passwords:
            for encoded in (password.encode(), password.encode("utf-16-le"),
                            password.encode("utf-16-be")):
                assert encoded not in data, (file, password)


def test_a_person_added_by_hand_gets_a_slip_too(
        qtbot, window, courses_ctx, manager):  # noqa: F811
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.people)
    people = area.people
    qtbot.keyClicks(people.username, "nia")
    qtbot.keyClicks(people.full_name, "Nia Jones")
    qtbot.keyClick(people.full_name, Qt.Key.Key_Return)  # Enter adds the person
    assert users.find(courses_ctx.db, "nia") is not None
    assert [s.username for s in people.slips] == ["nia"]
    assert people.slips[0].password in people.report.toPlainText()
    window.sign_out(idle=False)
    assert people.slips == [] and people.report.toPlainText() == ""
