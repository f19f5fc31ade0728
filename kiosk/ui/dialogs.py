"""Every modal dialog the kiosk shows, behind one seam.

Screens never call QMessageBox or QFileDialog directly; they call these through
the context, and tests hand the context a scripted replacement instead.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)


class QtDialogs:
    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def _box(self, icon: QMessageBox.Icon, title: str, text: str,
             buttons: QMessageBox.StandardButton) -> QMessageBox:
        # Messages quote names and file names people typed: always plain text, never markup.
        box = QMessageBox(icon, title, text, buttons, self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        return box

    def confirm(self, title: str, text: str) -> bool:
        box = self._box(QMessageBox.Icon.Question, title, text,
                        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def inform(self, title: str, text: str) -> None:
        self._box(QMessageBox.Icon.Information, title, text,
                  QMessageBox.StandardButton.Ok).exec()

    def warn(self, title: str, text: str) -> None:
        self._box(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok).exec()

    def ask_password(self, title: str, text: str) -> str | None:
        value, ok = QInputDialog.getText(self.parent, title, text, QLineEdit.EchoMode.Password)
        return value if ok else None

    def ask_save_path(self, title: str, suggested_name: str, filter_: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, title, suggested_name, filter_)
        return path or None

    def ask_open_path(self, title: str, filter_: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, "", filter_)
        return path or None

    def ask_printer(self, title: str) -> QPrinter | None:
        """The system print dialog; a configured printer, or None if cancelled."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.parent)
        dialog.setWindowTitle(title)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer
