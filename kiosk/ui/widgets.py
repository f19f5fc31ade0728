"""Small building blocks shared by screens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.ui import metrics

if TYPE_CHECKING:  # loaded after the first paint (ui/app.py)
    from kiosk.context import AppContext


class Screen(QWidget):
    """A page in the main window's stack. `reset()` forgets everything a person typed."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def entered(self) -> None:
        """Called each time the main window shows this screen."""

    def reset(self) -> None:
        """Called at every sign-out: clear fields, selections and any personal data."""

    def leaving(self) -> None:
        """Called when the main window moves away from this screen (e.g. stop reading aloud)."""


def heading(text: str, level: int = 1) -> QLabel:
    label = QLabel(text)
    # Stored text (names, centre, course titles) is data, never markup: a full name of
    # `<img src=...>` must show those characters, not draw an image.
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setObjectName("heading" if level == 1 else "subheading")
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


def body(text: str = "", name: str = "body") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # see heading()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


def button(text: str, accessible: str | None = None, primary: bool = False) -> QPushButton:
    btn = QPushButton(text)
    btn.setObjectName("primaryButton" if primary else "button")
    btn.setMinimumHeight(metrics.BUTTON_HEIGHT)
    btn.setAccessibleName(accessible or text.replace("&", ""))
    btn.setAutoDefault(True)
    return btn


def announce(label: QLabel, text: str | None = None) -> None:
    """Show `text` (or the label's own) and have screen readers say it now.

    The label's accessible name carries the words (an Alert event makes NVDA and Orca
    read the name), so an error or the idle countdown is heard, not only seen.
    """
    if text is not None:
        label.setText(text)
    label.setAccessibleName(label.text())
    label.show()
    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleEvent(label, QAccessible.Event.Alert))


def set_primary(btn: QPushButton, primary: bool) -> None:
    """Make `btn` the screen's one filled (primary) button, or an outlined one."""
    if bool(btn.property("primary")) != primary:
        btn.setProperty("primary", primary)
        btn.style().unpolish(btn)
        btn.style().polish(btn)
