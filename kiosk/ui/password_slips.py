"""Temporary passwords as a sheet of slips to cut apart: one per person, A4, Qt's own printing.

A manager hands each new (or reset) person a slip with their name, username, temporary
password and the centre's name, instead of copying passwords off the screen by hand. The
sheet goes only to the printer the manager chooses (a real one, or "Print to PDF" there):
the passwords are never written to any other file, log or setting (SECURITY.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPainter,
    QPen,
)

from kiosk.context import AppContext
from kiosk.errors import KioskError

MARGIN_MM = 12
LOGICAL_WIDTH = 706.0  # A4's width less 12 mm margins, at 96 px per inch
COLUMNS = 2
ROWS = 5  # ten slips a page: each big enough to read, small enough to pocket
CHANGE_NOTE = "Change it at your first sign-in."


@dataclass(frozen=True)
class Slip:
    username: str
    password: str = field(repr=False)  # never in a repr, a log line or a traceback
    full_name: str = ""


def slip_lines(slip: Slip, centre: str) -> list[tuple[str, str]]:
    """(label, text) in the order printed; the label says how to draw it."""
    return [
        ("centre", centre or "Safeguarding training kiosk"),
        ("name", slip.full_name or slip.username),
        ("label", "Username"), ("value", slip.username),
        ("label", "Temporary password"), ("password", slip.password),
        ("note", CHANGE_NOTE),
    ]


def pages(slips: list[Slip]) -> list[list[Slip]]:
    per_page = COLUMNS * ROWS
    return [slips[i:i + per_page] for i in range(0, len(slips), per_page)]


def _font(px: float, *, bold: bool = False, mono: bool = False) -> QFont:
    font = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
    if mono:
        font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPixelSize(round(px))
    font.setBold(bold)
    return font


_STYLE = {  # label -> (pixel size, bold, mono, colour, gap after)
    "centre": (11, False, False, "#33475b", 6),
    "name": (17, True, False, "#1b1f23", 10),
    "label": (10, False, False, "#33475b", 1),
    "value": (15, True, False, "#1b1f23", 6),
    "password": (17, True, True, "#0b3d62", 8),
    "note": (11, False, False, "#1b1f23", 0),
}


def paint_slip(painter: QPainter, rect: QRectF, slip: Slip, centre: str) -> None:
    """One slip in `rect` (logical px). Names too long for the slip are elided, never the
    username or password, which are short by rule and must be read exactly."""
    pad = 14.0
    y = rect.top() + pad
    width = rect.width() - 2 * pad
    for kind, text in slip_lines(slip, centre):
        px, bold, mono, colour, gap = _STYLE[kind]
        font = _font(px, bold=bold, mono=mono)
        painter.setFont(font)
        painter.setPen(QColor(colour))
        metrics = QFontMetricsF(font)
        shown = text if kind in ("value", "password") else metrics.elidedText(
            text, Qt.TextElideMode.ElideRight, width)
        line = QRectF(rect.left() + pad, y, width, metrics.height())
        painter.drawText(line, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         shown)
        y += metrics.height() + gap


def paint_sheet(painter: QPainter, width: float, height: float, slips: list[Slip],
                centre: str) -> None:
    """Up to COLUMNS x ROWS slips on one `width` x `height` page, with dashed cut lines."""
    scale = width / LOGICAL_WIDTH
    logical_height = height / scale
    painter.save()
    painter.scale(scale, scale)
    cell_w = LOGICAL_WIDTH / COLUMNS
    cell_h = logical_height / ROWS
    cut = QPen(QColor("#7a8794"))
    cut.setStyle(Qt.PenStyle.DashLine)
    cut.setWidthF(0.8)
    for number, slip in enumerate(slips[:COLUMNS * ROWS]):
        col, row = number % COLUMNS, number // COLUMNS
        cell = QRectF(col * cell_w, row * cell_h, cell_w, cell_h)
        painter.setPen(cut)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(cell)
        paint_slip(painter, cell, slip, centre)
    painter.restore()


def paint(device: QPagedPaintDevice, slips: list[Slip], centre: str) -> None:
    """Every slip onto A4 portrait pages of `device` (a QPrinter, or a QPdfWriter in tests)."""
    from kiosk.ui.certificate_pdf import a4_painter

    with a4_painter(device, MARGIN_MM, "The slips could not be printed there.") as painter:
        for number, page in enumerate(pages(slips)):
            if number:
                device.newPage()
            paint_sheet(painter, device.width(), device.height(), page, centre)


def print_slips(ctx: AppContext, slips: list[Slip]) -> bool:
    """Ask for a printer (the dialogs seam) and print the sheet; False if cancelled/failed."""
    if not slips:
        return False
    printer = ctx.dialogs.ask_printer("Print temporary password slips")
    if printer is None:
        return False
    try:
        paint(printer, slips, ctx.settings.centre_name)
    except KioskError:
        ctx.dialogs.warn("Slips not printed", "The printer could not be used. Check it is "
                         "on, then print the slips again; the passwords stay on screen "
                         "until you leave the People tab.")
        return False
    return True
