"""Measuring what was painted: contrast of text and borders, and text that does not fit.

Every check reads pixels from a real grab of the main window, so it fails when the
screen *looks* wrong, whatever the stylesheet claims.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QWidget,
)


def luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green())
            + 0.0722 * channel(colour.blue()))


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def visible(widget: QWidget, window: QWidget) -> bool:
    """On screen now: shown, and not scrolled out of sight or behind another tab."""
    return (widget.isVisibleTo(window) and widget.width() > 0 and widget.height() > 0
            and not widget.visibleRegion().isEmpty())


def region(image: QImage, window: QWidget, widget: QWidget) -> tuple[int, int, int, int]:
    """The part of `widget` actually on screen, in image pixels."""
    shown = widget.visibleRegion().boundingRect()
    top_left = widget.mapTo(window, shown.topLeft())
    ratio = image.devicePixelRatio() or 1
    x0, y0 = int(top_left.x() * ratio), int(top_left.y() * ratio)
    x1 = min(image.width(), int((top_left.x() + shown.width()) * ratio))
    y1 = min(image.height(), int((top_left.y() + shown.height()) * ratio))
    return max(0, x0), max(0, y0), x1, y1


def text_contrast(image: QImage, window: QWidget, widget: QWidget) -> float:
    """Background = the commonest colour in the widget; text = the pixel furthest from it."""
    x0, y0, x1, y1 = region(image, window, widget)
    if y1 - y0 < widget.fontMetrics().height() // 2:
        return 21.0  # only a sliver is on screen (scrolled to the edge): nothing to read
    counts: Counter[int] = Counter()
    for y in range(y0, y1, 1):
        for x in range(x0, x1, 1):
            counts[image.pixel(x, y)] += 1
    if len(counts) < 2:
        return 1.0
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    return max(contrast(background, QColor.fromRgb(p)) for p in counts)


def edge_contrast(image: QImage, window: QWidget, widget: QWidget) -> float:
    """The widget's left edge (its border or fill) against what is just outside it."""
    x0, y0, _, y1 = region(image, window, widget)
    y = (y0 + y1) // 2
    # What surrounds the control: the commonest colour in a strip just left of it (a
    # neighbouring label's glyph at one pixel must not count as the background).
    strip: Counter[int] = Counter(image.pixel(max(0, x0 - dx), yy)
                                  for dx in (2, 3, 4) for yy in range(y0, max(y1, y0 + 1)))
    outside = QColor.fromRgb(strip.most_common(1)[0][0])
    best = 0.0
    for dx in range(0, 4):  # the border's core, whatever its anti-aliased first column
        best = max(best, contrast(outside, QColor.fromRgb(image.pixel(x0 + dx, y))))
    return best


def text_widgets(root: QWidget) -> list[QWidget]:
    """Labels with text and buttons, as a person sees them on the screen now."""
    found: list[QWidget] = []
    for w in root.findChildren(QWidget):
        if isinstance(w, (QLabel, QPushButton)) and w.text().strip():
            found.append(w)
    return found


def clipped(window: QWidget, root: QWidget) -> list[str]:
    """Every label, button or table header on `root` whose text does not fit in its box."""
    problems: list[str] = []
    for w in root.findChildren(QWidget):
        if not visible(w, window):
            continue
        if isinstance(w, QLabel) and w.text().strip() and w.textFormat() != Qt.TextFormat.RichText:
            fm = w.fontMetrics()
            margins = w.contentsMargins()
            inner = w.width() - margins.left() - margins.right() - 2 * w.margin()
            if w.wordWrap():
                needed = w.heightForWidth(w.width())
                if needed > w.height() + 1:
                    problems.append(f"label {w.objectName()!r} {w.text()[:40]!r}: "
                                    f"needs {needed}px high, has {w.height()}")
            else:
                shown = w.text()
                if w.buddy() is not None:  # "&Role": the & is an underline, not a character
                    shown = shown.replace("&&", "\0").replace("&", "").replace("\0", "&")
                longest = max(fm.horizontalAdvance(line) for line in shown.split("\n"))
                if longest > inner + 1:
                    problems.append(f"label {w.objectName()!r} {w.text()[:40]!r}: needs "
                                    f"{longest}px wide, has {inner}")
        elif isinstance(w, QAbstractButton) and isinstance(w, QPushButton) and w.text():
            text = w.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            need = w.fontMetrics().horizontalAdvance(text)
            if need > w.width() - 8:
                problems.append(f"button {w.objectName()!r} {text!r}: needs {need}px, "
                                f"has {w.width()}")
            if w.height() < w.fontMetrics().height() + 4:
                problems.append(f"button {w.objectName()!r} {text!r}: too low for its text")
        elif isinstance(w, QTableView):
            header: QHeaderView = w.horizontalHeader()
            model = w.model()
            fm = header.fontMetrics()
            for col in range(header.count()):
                if header.isSectionHidden(col):
                    continue
                title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
                if fm.horizontalAdvance(title) + 12 > header.sectionSize(col):
                    problems.append(f"table {w.objectName()!r} header {title!r}: needs "
                                    f"{fm.horizontalAdvance(title) + 12}px, has "
                                    f"{header.sectionSize(col)}")
    return problems
