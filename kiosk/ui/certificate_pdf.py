"""The certificate as one A4 page, drawn with Qt's own PDF and print support.

The same painting goes to a QPdfWriter (Save certificate) or a QPrinter (Print),
so what is printed is exactly what is saved. The facts come from
kiosk.certificate; this module only lays them out.
"""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRectF
from PySide6.QtGui import (
    QColor,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
)

from kiosk.certificate import CertificateFacts
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.operations import certificates
from kiosk.paths import output_folder, replace_file
from kiosk.wording import human_date

if TYPE_CHECKING:  # print support is loaded when something is printed, not at start-up
    from kiosk.ui.printing import Printers

log = logging.getLogger("kiosk")

MARGIN_MM = 18
# Qt's text layout falls apart at 1200 dpi (QPrinter's HighResolution default): words
# break mid-way. 300 dpi is sharp on paper and lays out like the screen.
RESOLUTION_DPI = 300
LOGICAL_WIDTH = 660.0  # the printable width of A4 (18 mm margins) at 96 px per inch


VERIFY_WHERE = "Manager area \u2192 Results \u2192 Check a certificate"


def certificate_html(facts: CertificateFacts) -> str:
    e = html.escape
    centre = e(facts.centre_name) if facts.centre_name else "&nbsp;"
    who = e(facts.centre_name) if facts.centre_name else "the centre that issued it"
    fact = ('<td width="33%" align="center" style="padding: 10px; white-space: nowrap;">'
            '<span style="font-size: 13px; color: #33475b;">{label}</span><br/>'
            '<span style="font-size: 19px; font-weight: bold; color: #1b1f23;">{value}</span>'
            '</td>')
    facts_row = "".join(fact.format(label=label, value=value) for label, value in (
        ("Date passed", human_date(facts.passed_on)), ("Score", e(facts.score_text)),
        ("Valid until", human_date(facts.expires_on))))
    return f"""
<div style="font-family: 'DejaVu Sans', Arial, sans-serif; color: #1b1f23;">
<p align="center" style="font-size: 16px; color: #33475b;">{centre}</p>
<p align="center" style="font-size: 38px; font-weight: bold; color: #0b3d62;
 margin-top: 18px;">Certificate of completion</p>
<p align="center" style="font-size: 16px; margin-top: 28px;">This certifies that</p>
<p align="center" style="font-size: 32px; font-weight: bold; margin-top: 6px;">
{e(facts.full_name)}</p>
<p align="center" style="font-size: 16px; margin-top: 6px;">has completed and passed</p>
<p align="center" style="font-size: 21px; font-weight: bold; color: #0b3d62; margin-top: 6px;">
{e(facts.course_title)}</p>
<p align="center" style="font-size: 13px; color: #33475b;">Course version
 {e(facts.course_version)}</p>
<table width="100%" cellspacing="0" style="margin-top: 30px; border-top: 1px solid #c9d3dd;
 border-bottom: 1px solid #c9d3dd;"><tr>{facts_row}</tr></table>
<p align="center" style="font-size: 13px; color: #33475b; margin-top: 36px;">
Verification code</p>
<p align="center" style="font-size: 24px; font-weight: bold; font-family: 'DejaVu Sans Mono',
 'Consolas', monospace;">{e(facts.code)}</p>
<p align="center" style="font-size: 12px; color: #33475b; margin-top: 8px;">
To check this certificate, contact {who}<br/>and quote the code above.

A manager there enters it under {VERIFY_WHERE}<br/>and sees whose certificate it is and
 whether it is still valid.</p>
<p align="center" style="font-size: 12px; color: #33475b;">A refresher is due before the
 "valid until" date.</p>
</div>
"""


def paint_page(painter: QPainter, width: float, height: float, facts: CertificateFacts) -> None:
    """Draw the certificate into a `width` x `height` page on `painter` (any device)."""
    outer = QPen(QColor("#0b3d62"))
    outer.setWidthF(max(2.0, width / 150))
    painter.setPen(outer)
    inset = width / 60
    painter.drawRect(QRectF(inset, inset, width - 2 * inset, height - 2 * inset))
    inner = QPen(QColor("#0b5cad"))
    inner.setWidthF(max(1.0, width / 600))
    painter.setPen(inner)
    gap = inset + width / 80
    painter.drawRect(QRectF(gap, gap, width - 2 * gap, height - 2 * gap))
    # Laid out on a fixed logical page (px sizes, no DPI involved) and scaled onto the
    # device: the same proportions on a 300 dpi PDF, a 600 dpi laser, or any screen DPI.
    scale = width / LOGICAL_WIDTH
    logical_height = height / scale
    doc = QTextDocument()
    doc.setDocumentMargin(LOGICAL_WIDTH / 12)
    doc.setTextWidth(LOGICAL_WIDTH)
    doc.setHtml(certificate_html(facts))
    # Centred a little above the middle: balanced, as a printed certificate is.
    top = max(0.0, (logical_height - doc.size().height()) * 0.42)
    painter.save()
    painter.scale(scale, scale)
    painter.translate(0, top)
    doc.drawContents(painter, QRectF(0, 0, LOGICAL_WIDTH, logical_height))
    painter.restore()


@contextlib.contextmanager
def a4_painter(device: QPagedPaintDevice, margin_mm: float,
               refused: str) -> Iterator[QPainter]:
    """A painter on A4 portrait pages of `device` (a QPrinter, or a QPdfWriter), at
    RESOLUTION_DPI, ended however the painting ends; `refused` if the device says no."""
    set_resolution = getattr(device, "setResolution", None)
    if callable(set_resolution):
        set_resolution(RESOLUTION_DPI)
    device.setPageLayout(QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
        QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm), QPageLayout.Unit.Millimeter))
    painter = QPainter()
    if not painter.begin(device):
        raise KioskError(refused)
    try:
        yield painter
    finally:
        painter.end()


def paint(device: QPagedPaintDevice, facts: CertificateFacts) -> None:
    """Lay the certificate out on one A4 portrait page of `device`."""
    with a4_painter(device, MARGIN_MM, "The certificate could not be written there. "
                    "Choose another place.") as painter:
        paint_page(painter, device.width(), device.height(), facts)


def write_pdf(path: Path | str, facts: CertificateFacts) -> Path:
    """Write the certificate to `path` (temp file, then rename: never half a file)."""
    target = Path(path)
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")
    tmp = target.with_name(f".{target.name}.partial")
    writer = QPdfWriter(str(tmp))
    writer.setTitle(f"Certificate: {facts.full_name}, {facts.course_title}")
    writer.setCreator("Safeguarding training kiosk")
    try:
        paint(writer, facts)
        del writer  # closes the file
        replace_file(tmp, target)  # Windows: says so when the old PDF is open in a viewer
    except OSError as exc:
        raise KioskError(f"The certificate could not be saved ({exc.strerror or exc}).") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return target


def next_free_name(folder: Path, file_name: str) -> Path:
    """`file_name` in `folder`, or `name-2.pdf`, `name-3.pdf`... : never over another file."""
    chosen = folder / file_name
    number = 2
    while chosen.exists():
        chosen = folder / f"{Path(file_name).stem}-{number}.pdf"
        number += 1
    return chosen


def save_certificate(ctx: AppContext, facts: CertificateFacts,
                     told: Callable[[Path], str] | None = None) -> Path | None:
    """Save the PDF to the certificates folder in one step, log it; the file written.

    No file dialog: on a shared kiosk a Save dialog is a file browser, a classic way out
    of the kiosk (and into data.db). The folder is `certificates_folder`. `told(path)`
    is what the person is told afterwards (why it was saved rather than printed).
    """
    folder = output_folder(str(ctx.settings.get("certificates_folder")),
                           "certificates_folder", ctx.db_path)
    try:
        written = write_pdf(next_free_name(folder, facts.file_name), facts)
    except KioskError as exc:
        ctx.dialogs.warn("Certificate not saved", str(exc))
        return None
    certificates.record_output(ctx, ctx.current_user, facts, "saved PDF of")
    if told is None:
        ctx.dialogs.inform("Certificate saved", f"Your certificate was saved as {written}.")
    else:
        ctx.dialogs.inform("Certificate saved instead", told(written))
    return written


def print_certificate(ctx: AppContext, facts: CertificateFacts,
                      printers: Printers | None = None) -> bool:
    """Print on the kiosk's printer in one step, no dialog, and log it; True if printed.

    The printer is `certificate_printer`, else the PC's default (kiosk/ui/printing.py).
    With none, a printer that writes files (Print to PDF), or one that fails, the
    certificate is saved to the certificates folder instead and the person told where:
    a learner never sees a print dialog or a Save dialog.
    """
    from kiosk.ui import printing

    chosen = printing.plan(str(ctx.settings.get("certificate_printer")),
                           printers if printers is not None else printing.Printers.of_system())
    if chosen.printer:
        printer = printing.make_printer(chosen)
        try:
            paint(printer, facts)
        except KioskError:
            log.warning("printer %r could not be used; the certificate is saved instead",
                        chosen.printer)
            failed = printing.PrintPlan("", printing.FAILED, chosen.printer)
            save_certificate(ctx, facts, lambda path: printing.why_saved(failed, path))
            return False
        certificates.record_output(ctx, ctx.current_user, facts, "printed")
        ctx.dialogs.inform("Certificate printed",
                           f"Your certificate was sent to the printer {chosen.printer}.")
        return True
    save_certificate(ctx, facts, lambda path: printing.why_saved(chosen, path))
    return False
