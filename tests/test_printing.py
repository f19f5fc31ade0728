"""A learner's Print opens no dialog (issue 11: no file browser on a shared kiosk), and a
manager's file dialogs open in the exports folder.

The screens are driven as a person would; the dialogs seam (tests/fakes.py) records
every dialog asked for, so "no dialog" is an assertion, and each file is read back.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from kiosk import certificate
from kiosk.ui import printing
from kiosk.ui.printing import Printers, PrintPlan, plan
from tests.conftest import MANAGER_PASSWORD
from tests.quiz_helpers import sign_in, use_default_course
from tests.test_quiz_ui import answer_rest_by_keyboard, pdf_text

LEFT = Qt.MouseButton.LeftButton
# Every dialog that is a window onto the PC: a learner must never be given one.
BROWSERS = {"ask_printer", "ask_save_path", "ask_open_path"}


@pytest.fixture
def course(ctx):
    return use_default_course(ctx)


def pass_the_test(qtbot, window, ctx) -> str:
    sign_in(qtbot, window)
    qtbot.mouseClick(window.home.test, LEFT)
    ctx.dialogs.queue(True)
    answer_rest_by_keyboard(qtbot, window, right=10)
    return window.result.attempt.certificate_code


def log_of(ctx) -> list[str]:
    return [r[0] for r in ctx.db.execute(
        "SELECT reason FROM access_log WHERE event = 'certificate' ORDER BY id")]


def test_the_printer_is_the_setting_then_the_default_and_never_one_that_makes_files():
    office = Printers(("Office Laser", "Microsoft Print to PDF"), "Office Laser")
    assert plan("", office) == PrintPlan("Office Laser")
    assert plan("Microsoft Print to PDF", office).saves_instead
    assert plan("Microsoft Print to PDF", office).reason == printing.FILE_PRINTER
    only_pdf = Printers(("Microsoft Print to PDF", "Microsoft XPS Document Writer", "Fax",
                         "Send To OneNote 2016", "CUPS-PDF"), "Microsoft Print to PDF")
    assert plan("", only_pdf).saves_instead  # the usual PC with no real printer
    for name in only_pdf.installed:
        assert plan(name, only_pdf).reason == printing.FILE_PRINTER, name
    assert plan("", Printers()) == PrintPlan("", printing.NO_PRINTER)
    assert plan("Hall Printer", office) == PrintPlan("", printing.NOT_INSTALLED,
                                                     "Hall Printer")
    hall = Printers(("Office Laser", "Hall Printer"), "Office Laser")
    assert plan(" Hall Printer ", hall) == PrintPlan("Hall Printer")  # the setting first


@pytest.mark.parametrize("setting", ["Microsoft Print to PDF", "CUPS-PDF"])
def test_a_learners_print_on_a_pdf_printer_saves_to_the_folder_with_no_dialog(
        qtbot, window, ctx, course, learner, tmp_path, setting):
    """The classic way out of a kiosk: Print -> "Print to PDF" -> a Save dialog, which
    is a file browser. Here the PDF goes into the certificates folder, named for them."""
    folder = tmp_path / "certificates"
    ctx.settings.set("certificates_folder", str(folder))
    ctx.settings.set("certificate_printer", setting)
    code = pass_the_test(qtbot, window, ctx)
    ctx.dialogs.shown.clear()
    qtbot.mouseClick(window.result.print, LEFT)
    assert [kind for kind, _, _ in ctx.dialogs.shown] == ["inform"]
    [saved] = list(folder.glob("*.pdf"))
    assert code in pdf_text(saved) and "Alex Learner" in pdf_text(saved)
    told = ctx.dialogs.texts("inform")[-1]
    assert setting in told and str(saved) in told and "makes files" in told
    assert log_of(ctx) == [f"saved PDF of certificate {code} (alex)"]

    # And again from My results: a second file, never over the first.
    qtbot.mouseClick(window.result.home, LEFT)
    qtbot.mouseClick(window.home.results, LEFT)
    again = next(b for b in window.my_results.table.findChildren(QPushButton)
                 if b.text() == "Print")
    ctx.dialogs.shown.clear()
    qtbot.mouseClick(again, LEFT)
    assert not {kind for kind, _, _ in ctx.dialogs.shown} & BROWSERS
    assert len(list(folder.glob("*.pdf"))) == 2


def test_a_learners_print_with_no_printer_it_can_use_saves_and_says_so(
        qtbot, window, ctx, course, learner, tmp_path):
    """A printer named in the settings but not on this PC: one step, a clear message,
    the certificate in the folder; nothing asks where."""
    folder = tmp_path / "certificates"
    ctx.settings.set("certificates_folder", str(folder))
    ctx.settings.set("certificate_printer", "Hall Printer That Is Not Here")
    code = pass_the_test(qtbot, window, ctx)
    ctx.dialogs.shown.clear()
    qtbot.mouseClick(window.result.print, LEFT)
    assert not {kind for kind, _, _ in ctx.dialogs.shown} & BROWSERS
    [saved] = list(folder.glob("*.pdf"))
    assert code in pdf_text(saved)
    told = ctx.dialogs.texts("inform")[-1]
    assert "Hall Printer That Is Not Here is not available" in told and str(saved) in told


def test_a_printer_that_cannot_be_used_gets_the_certificate_saved_instead(
        qapp, ctx, course, learner, tmp_path):
    """The PC says it has the printer, but it cannot be opened (switched off, its driver
    gone): the learner still leaves with the certificate, and is told why."""
    from kiosk import quiz
    from kiosk.ui.certificate_pdf import print_certificate

    folder = tmp_path / "certificates"
    ctx.settings.set("certificates_folder", str(folder))
    ctx.current_user = learner
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    for item in attempt.questions:
        quiz.answer(ctx.db, ctx.clock, attempt.id, item.position, item.question.answer)
    done = quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)
    facts = certificate.for_attempt(ctx.db, ctx.settings, done.id, (course,))
    broken = Printers(("Ghost Printer",), "Ghost Printer")  # not a printer Qt can open
    assert print_certificate(ctx, facts, broken) is False
    [saved] = list(folder.glob("*.pdf"))
    assert done.certificate_code in pdf_text(saved)
    assert "Ghost Printer could not be used" in ctx.dialogs.texts("inform")[-1]
    assert not {kind for kind, _, _ in ctx.dialogs.shown} & BROWSERS


def test_a_plan_that_saves_is_never_sent_to_a_printer():
    with pytest.raises(ValueError):
        printing.make_printer(PrintPlan("", printing.FILE_PRINTER, "Microsoft Print to PDF"))


def test_managers_file_dialogs_open_in_the_exports_folder(qtbot, window, ctx, manager,
                                                          tmp_path_factory, monkeypatch):
    """Qt's real file dialog, built as the kiosk builds it (kiosk/ui/app.py): People ->
    Import opens in `exports_folder`, and in the new one once the setting changes; a
    setting naming the data folder is ignored."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog

    from kiosk.ui.dialogs import QtDialogs, in_exports_folder
    from tests.test_manager_ui import open_area
    from tests.test_manager_ui import sign_in as manager_sign_in

    monkeypatch.setenv("HOME", str(ctx.db_path.parent))  # home is the data folder here
    exports, elsewhere = tmp_path_factory.mktemp("exports"), tmp_path_factory.mktemp("other")
    manager_sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.people)
    scripted = ctx.dialogs
    ctx.dialogs = QtDialogs(window, data_folder=ctx.db_path.parent,
                            start_folder=in_exports_folder(ctx.db_path, lambda: ctx.settings))
    opened: list[Path] = []

    def look_then_cancel() -> None:
        shown = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QFileDialog) and w.isVisible()]
        if not shown:
            QTimer.singleShot(50, look_then_cancel)
            return
        opened.append(Path(shown[0].directory().absolutePath()))
        shown[0].reject()

    try:
        for where in (exports, elsewhere, ctx.db_path.parent):
            ctx.settings.set("exports_folder", str(where))
            QTimer.singleShot(50, look_then_cancel)
            qtbot.mouseClick(area.people.import_button, LEFT)  # returns when it closes
    finally:
        ctx.dialogs = scripted
    assert opened[:2] == [exports, elsewhere]
    assert opened[2].resolve() != ctx.db_path.parent.resolve()
    assert ctx.db_path.parent.resolve() not in opened[2].resolve().parents
