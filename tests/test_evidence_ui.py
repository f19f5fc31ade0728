"""The manager area's side of the evidence: a log receipt taken, shown, printed and saved
with the mouse as a manager would, and checked from the command line afterwards."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from kiosk import access_log
from tests.conftest import MANAGER_PASSWORD

LEFT = Qt.MouseButton.LeftButton


def test_manager_takes_prints_and_saves_a_log_receipt(qtbot, window, ctx, manager, tmp_path,
                                                      run_kiosk):
    window._on_logged_in(ctx.auth.login("manager", MANAGER_PASSWORD))
    qtbot.mouseClick(window.home.manager_area, LEFT)
    area = window.manager
    area.tabs.setCurrentWidget(area.access_log)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "receipt.pdf"))
    saved = tmp_path / "receipt.txt"
    ctx.dialogs.queue(None, True, printer, str(saved), None)
    qtbot.mouseClick(area.access_log.receipt_button, LEFT)
    shown = ctx.dialogs.texts("inform")[0]
    assert shown.startswith(access_log.RECEIPT_TITLE) and "Row: " in shown
    assert (tmp_path / "receipt.pdf").stat().st_size > 0
    assert saved.read_text(encoding="utf-8") == shown
    reasons = [r["reason"] for r in access_log.query(ctx.db)]
    assert any(r.startswith("log receipt taken at row") for r in reasons)
    result = run_kiosk("verify", "--receipt", str(saved), "--db", str(ctx.db_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the receipt matches" in result.stdout
