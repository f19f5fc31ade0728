"""The pieces of the kiosk's file dialog (kiosk/ui/dialogs.py), loaded when one opens."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileInfo, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel
from PySide6.QtWidgets import QFileIconProvider, QFileSystemModel

from kiosk.ui.dialogs import is_kiosk_data_file


class NameOnlyIcons(QFileIconProvider):
    """Icons and type names from a file's kind and name, never from its contents.

    Qt's own provider asks QMimeDatabase, which opens and reads files to sniff their
    type. On POSIX, closing any descriptor of data.db (or its -shm) drops every lock
    this process holds on it, and another process then deletes the WAL the kiosk is
    writing to (issue: records silently lost). So nothing here may open a file.
    """

    def icon(self, what: object) -> object:  # type: ignore[override]
        if isinstance(what, QFileInfo):
            kind = (QFileIconProvider.IconType.Folder if what.isDir()
                    else QFileIconProvider.IconType.File)
            return super().icon(kind)
        return super().icon(what)  # type: ignore[arg-type]

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"


class HideDataFolder(QSortFilterProxyModel):
    """Leaves the data folder and everything in it out of the dialog's lists."""

    def __init__(self, data_folder: Path) -> None:
        super().__init__()
        self.data_folder = data_folder

    def filterAcceptsRow(self, row: int,
                         parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if isinstance(model, QFileSystemModel):
            path = Path(model.filePath(model.index(row, 0, parent)))
            if is_kiosk_data_file(path, self.data_folder):
                return False
        return True
