"""Every modal dialog the kiosk shows, behind one seam.

Screens never call QMessageBox or QFileDialog directly; they call these through
the context, and tests hand the context a scripted replacement instead.

The dialogs' Qt classes are loaded when a dialog is first shown: the kiosk builds
QtDialogs at every start, most days shows none, and loading them costs ~3.5 MB.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.ui import metrics

if TYPE_CHECKING:  # printing is loaded when a certificate is printed, not at start-up
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

    from kiosk.settings import Settings


def is_kiosk_data_file(path: Path, data_folder: Path) -> bool:
    """data.db, its -wal/-shm/.lock, backups and anything else in the data folder."""
    try:
        return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(data_folder))
    except (OSError, ValueError):
        return False


def in_exports_folder(db_path: Path, settings: Callable[[], Settings]) -> Callable[[], Path]:
    """Where a manager's file dialogs open: `exports_folder`, read at each dialog (so a
    change in the Settings tab counts at once), never the data or program folder."""
    from kiosk.paths import output_folder

    return lambda: output_folder(str(settings().get("exports_folder")), "exports_folder",
                                 db_path)


class QtDialogs:
    """The real dialogs. Each is built by a method of its own (message_box, password_box)
    so the gallery can draw exactly what a person sees, styled by the kiosk's sheet."""

    def __init__(self, parent: QWidget | None = None, *, data_folder: Path | None = None,
                 start_folder: Path | Callable[[], Path] | None = None) -> None:
        self.parent = parent
        self.data_folder = Path(data_folder) if data_folder is not None else None
        # A callable is asked each time: the exports_folder setting can change while the
        # kiosk runs (kiosk/ui/app.py passes one reading it).
        self._start_folder = start_folder

    def start_folder(self) -> Path:
        """Where file dialogs open: the chosen folder, else Documents, never the data folder."""
        home = Path.home()
        chosen = self._start_folder() if callable(self._start_folder) else self._start_folder
        for candidate in (chosen, home / "Documents", home):
            if candidate is None or not Path(candidate).is_dir():
                continue
            if self.data_folder is not None and is_kiosk_data_file(candidate, self.data_folder):
                continue
            return candidate
        return Path(os.path.abspath(os.sep))

    def _file_dialog(self, title: str, filter_: str, mode: QFileDialog.AcceptMode,
                     suggested_name: str = "") -> str | None:
        """Qt's own (not the system's) file dialog, which can be kept out of data.db's folder.

        The system dialog on Windows offers Explorer's menus (a way out of a kiosk), and
        none of them can be told not to read the files it lists.
        """
        from PySide6.QtWidgets import QDialog, QFileDialog
        from shiboken6 import Shiboken

        from kiosk.ui.file_dialog import HideDataFolder, NameOnlyIcons

        dialog = QFileDialog(self.parent, title, str(self.start_folder()), filter_)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
        # Neither the icon provider nor the proxy model is owned by the dialog: Python
        # must keep them alive for as long as it is open, or Qt uses freed memory.
        icons = NameOnlyIcons()
        dialog.setIconProvider(icons)
        keep_alive: list[object] = [icons]
        dialog.setAcceptMode(mode)
        if mode == QFileDialog.AcceptMode.AcceptOpen:
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        if suggested_name:
            dialog.selectFile(suggested_name)
        if self.data_folder is not None:
            data_folder = self.data_folder
            proxy = HideDataFolder(data_folder)
            keep_alive.append(proxy)
            dialog.setProxyModel(proxy)
            start = str(self.start_folder())

            def keep_out(entered: str) -> None:
                if is_kiosk_data_file(Path(entered), data_folder):
                    dialog.setDirectory(start)

            dialog.directoryEntered.connect(keep_out)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        chosen = dialog.selectedFiles() if accepted else []
        # Delete the dialog now, while what it points to is still alive.
        Shiboken.delete(dialog)
        del keep_alive
        if not chosen:
            return None
        if self.data_folder is not None and is_kiosk_data_file(Path(chosen[0]), self.data_folder):
            self.warn(title, "Files cannot be saved or opened in the kiosk's own data folder. "
                             "Choose another folder.")
            return None
        return chosen[0]

    def _box(self, icon: QMessageBox.Icon, title: str, text: str,
             buttons: QMessageBox.StandardButton) -> QMessageBox:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        # Messages quote names and file names people typed: always plain text, never markup.
        box = QMessageBox(icon, title, text, buttons, self.parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        return box

    def message_box(self, kind: str, title: str, text: str) -> QMessageBox:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

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
        from PySide6.QtWidgets import QInputDialog, QLineEdit

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
        from PySide6.QtWidgets import QMessageBox

        box = self.message_box("confirm", title, text)
        box.exec()
        return box.buttonRole(box.clickedButton()) == QMessageBox.ButtonRole.YesRole

    def inform(self, title: str, text: str) -> None:
        self.message_box("inform", title, text).exec()

    def warn(self, title: str, text: str) -> None:
        self.message_box("warn", title, text).exec()

    def ask_password(self, title: str, text: str) -> str | None:
        from PySide6.QtWidgets import QDialog

        box = self.password_box(title, text)
        ok = box.exec() == QDialog.DialogCode.Accepted
        value = box.textValue() if ok else None
        box.setTextValue("")  # the password leaves the widget at once
        return value

    def ask_save_path(self, title: str, suggested_name: str, filter_: str) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        return self._file_dialog(title, filter_, QFileDialog.AcceptMode.AcceptSave,
                                 suggested_name)

    def ask_open_path(self, title: str, filter_: str) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        return self._file_dialog(title, filter_, QFileDialog.AcceptMode.AcceptOpen)

    def ask_printer(self, title: str) -> QPrinter | None:
        """The system print dialog; a configured printer, or None if cancelled."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter
        from PySide6.QtWidgets import QDialog

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.parent)
        dialog.setWindowTitle(title)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer
