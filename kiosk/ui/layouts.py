"""Layout helpers: clearing a layout that is rebuilt (test, results), and a flow layout."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every item; widgets leave at once, so lookups never see stale ones."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


class FlowLayout(QLayout):
    """Items left to right, wrapping onto the next line when the row is full (Qt's own
    "Flow Layout" example). Filter rows and button rows use it so that at 1024x768 and
    200% text nothing is squeezed below its size (labels cut to "Tc", fields to "u…")
    and nothing runs off the side: the row wraps instead."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # Qt's name
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # Qt's name
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # Qt's name
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # Qt's name
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        line: list[tuple[QLayoutItem, QSize]] = []

        def flush() -> None:
            # Items on one line share its height and are centred in it, as in a QHBoxLayout.
            for item, hint in line:
                if move:
                    geo = item.geometry()
                    item.setGeometry(QRect(QPoint(geo.x(), y + (line_height - hint.height()) // 2),
                                           hint))
            line.clear()

        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint().boundedTo(QSize(area.width(), 10_000))
            if line and x + hint.width() > area.right() + 1:
                flush()
                x = area.x()
                y += line_height + self._spacing
                line_height = 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            line.append((item, hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        flush()
        return y + line_height - rect.y() + margins.bottom()


def flow_row(*groups: QWidget | tuple[QWidget, ...]) -> FlowLayout:
    """A wrapping row; a tuple (a label and its field) is kept together on one line."""
    from PySide6.QtWidgets import QHBoxLayout

    row = FlowLayout()
    for group in groups:
        if isinstance(group, tuple):
            box = QWidget()
            inner = QHBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            inner.setSpacing(6)
            for widget in group:
                inner.addWidget(widget)
            row.addWidget(box)
        else:
            row.addWidget(group)
    return row
