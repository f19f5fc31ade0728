"""Small building blocks shared by screens."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent, QKeyEvent, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QWidget,
)

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


def repolish(widget: QWidget) -> None:
    """Have the stylesheet look at the widget again (a property or name it matches on
    changed)."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def set_primary(btn: QPushButton, primary: bool) -> None:
    """Make `btn` the screen's one filled (primary) button, or an outlined one."""
    if bool(btn.property("primary")) != primary:
        btn.setProperty("primary", primary)
        btn.style().unpolish(btn)
        btn.style().polish(btn)


class EnterActs(QObject):
    """Enter on a widget without a returnPressed of its own (a combo box, a spin box, a
    check box, a table) runs the form's action, as Enter in a text field does.

    A table being edited keeps Enter for itself (it ends the edit); the next Enter acts.
    """

    def __init__(self, widget: QWidget, act: Callable[[], object]) -> None:
        super().__init__(widget)
        self._act = act
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter) or (
                event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            return False
        if isinstance(watched, QAbstractItemView) and \
                watched.state() == QAbstractItemView.State.EditingState:
            return False
        self._act()
        return True


def enter_acts(act: Callable[[], object], *widgets: QWidget) -> None:
    """Enter in any of `widgets` runs `act` (the form's main button's action)."""
    for widget in widgets:
        if isinstance(widget, QLineEdit):
            widget.returnPressed.connect(act)
        else:
            EnterActs(widget, act)


class GrowsWithText(QObject):
    """A card's width follows the text size: at 200% a 480-560 px card left fields a few
    letters wide. Its minimum grows with the font, up to what the window can hold."""

    BASE_PX = 15  # the sheet's body text size at 100%

    def __init__(self, card: QWidget, min_width: int, max_width: int) -> None:
        super().__init__(card)
        self._min, self._max = min_width, max_width
        card.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.Show) and \
                isinstance(watched, QWidget):
            px = watched.font().pixelSize()
            factor = max(1.0, px / self.BASE_PX) if px > 0 else 1.0
            room = watched.window().width() - 2 * metrics.MARGIN - 16
            wanted = round(self._min * factor)
            watched.setMinimumWidth(max(self._min, min(wanted, room)) if room > 0
                                    else self._min)
            watched.setMaximumWidth(max(round(self._max * factor), self._min))
        return False


def card_width(card: QWidget, min_width: int, max_width: int) -> None:
    card.setMinimumWidth(min_width)
    card.setMaximumWidth(max_width)
    GrowsWithText(card, min_width, max_width)


class ElidingButton(QPushButton):
    """A button whose words may be cut short with "…" when there is no room (a section's
    long title at 200% text was wider than the screen and pushed it sideways). Its text,
    accessible name and tooltip keep the whole words."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        # A push button may not shrink below its words by default (Minimum policy).
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def minimumSizeHint(self) -> QSize:  # Qt's name
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance("M" * 10)),
                     hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt's name
        option = QStyleOptionButton()
        self.initStyleOption(option)
        style = self.style()
        room = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self)
        metrics_ = self.fontMetrics()
        if metrics_.horizontalAdvance(self.text()) <= room.width() + 1:
            super().paintEvent(event)
            return
        option.text = metrics_.elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                          room.width())
        painter = QStylePainter(self)
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)
        painter.end()
