"""A Markdown viewer that can neither fetch nor open anything.

Content packs are edited by centres, so the viewer treats them as untrusted:
no image or remote resource is ever loaded, no link is ever followed by Qt
itself, and nothing reaches QDesktopServices. Clicked links arrive as
`link_clicked(QUrl)` for the screen to decide (a section link navigates; an
external address is only shown as text).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QTextBlockFormat, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QWidget

EXTERNAL_SCHEMES = ("http", "https", "mailto", "tel", "ftp", "file", "data", "javascript")


class SafeBrowser(QTextBrowser):
    link_clicked = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self.link_clicked.emit)

    def loadResource(self, kind: int, name: QUrl) -> Any:
        # Nothing is fetched: not images, not style sheets, not remote files. (A list of
        # what was asked for used to be kept here, growing with every page shown.)
        return None

    def show_markdown(self, text: str) -> None:
        self.setMarkdown(text)
        # Qt's Markdown import leaves paragraphs touching; space them for easier reading.
        cursor = QTextCursor(self.document())
        block = self.document().begin()
        while block.isValid():
            fmt = block.blockFormat()
            if fmt.headingLevel():
                fmt.setTopMargin(14)
            fmt.setBottomMargin(8)
            fmt.setLineHeight(125, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
            cursor.setPosition(block.position())
            cursor.setBlockFormat(fmt)
            block = block.next()
        self.document().setModified(False)
        self.verticalScrollBar().setValue(0)


def describe_external(url: QUrl) -> str:
    """What the person is told instead of a browser opening."""
    scheme = url.scheme().lower()
    if scheme == "mailto":
        return ("This kiosk does not send email. The address is: "
                f"{url.path() or url.toString()}")
    if scheme == "tel":
        return f"This kiosk cannot make calls. The number is: {url.path() or url.toString()}"
    # A bare address at the end of a sentence picks up its full stop when autolinked.
    address = url.toString().rstrip(".,;:!?")
    return f"This kiosk does not open web pages. The address is: {address}"
