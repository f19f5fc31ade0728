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

from kiosk.ui import metrics


class QtDialogs:
    """The real dialogs. Each is built by a method of its own (message_box, password_box)
    so the gallery can draw exactly what a person sees, styled by the kiosk's sheet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def message_box(self, kind: str, title: str, text: str) -> QMessageBox:
        icons = {"confirm": QMessageBox.Icon.Question, "inform": QMessageBox.Icon.Information,
                 "warn": QMessageBox.Icon.Warning}
        box = QMessageBox(icons[kind], title, text, QMessageBox.StandardButton.NoButton,
                          self.parent)
        box.setObjectName(f"{kind}Dialog")
        box.setTextFormat(Qt.TextFormat.PlainText)  # names and file paths are never markup
        box.setAccessibleName(title)
        box.setAccessibleDescription(text)
        if kind == "confirm":
            yes = box.addButton("&Yes", QMessageBox.ButtonRole.YesRole)
            no = box.addButton("&No", QMessageBox.ButtonRole.NoRole)
            box.setDefaultButton(no)
            box.setEscapeButton(no)
            yes.setObjectName("primaryButton")
        else:
            ok = box.addButton("OK", QMessageBox.ButtonRole.AcceptRole)
            box.setDefaultButton(ok)
            box.setEscapeButton(ok)
        for b in box.buttons():
            b.setMinimumHeight(metrics.BUTTON_HEIGHT)
            b.setMinimumWidth(110)
        return box

    def password_box(self, title: str, text: str) -> QInputDialog:
        box = QInputDialog(self.parent)
        box.setObjectName("passwordDialog")
        box.setWindowTitle(title)
        box.setLabelText(text)
        box.setTextEchoMode(QLineEdit.EchoMode.Password)
        box.setOkButtonText("&Close the kiosk" if "close" in title.lower() else "OK")
        box.setCancelButtonText("Cancel")
        box.setAccessibleName(title)
        box.setMinimumWidth(460)
        return box

    def confirm(self, title: str, text: str) -> bool:
        box = self.message_box("confirm", title, text)
        box.exec()
        return box.buttonRole(box.clickedButton()) == QMessageBox.ButtonRole.YesRole

    def inform(self, title: str, text: str) -> None:
        self.message_box("inform", title, text).exec()

    def warn(self, title: str, text: str) -> None:
        self.message_box("warn", title, text).exec()

    def ask_password(self, title: str, text: str) -> str | None:
        box = self.password_box(title, text)
        ok = box.exec() == QDialog.DialogCode.Accepted
        value = box.textValue() if ok else None
        box.setTextValue("")  # the password leaves the widget at once
        return value

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
