"""The certificate as one A4 page, drawn with Qt's own PDF and print support.

The same painting goes to a QPdfWriter (Save certificate) or a QPrinter (Print),
so what is printed is exactly what is saved. The facts come from
kiosk.certificate; this module only lays them out.
"""

from __future__ import annotations

import contextlib
import html
from pathlib import Path

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

from kiosk import certificate
from kiosk.certificate import CertificateFacts
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.paths import output_folder, replace_file

MARGIN_MM = 18
# Qt's text layout falls apart at 1200 dpi (QPrinter's HighResolution default): words
# break mid-way. 300 dpi is sharp on paper and lays out like the screen.
RESOLUTION_DPI = 300
LOGICAL_WIDTH = 660.0  # the printable width of A4 (18 mm margins) at 96 px per inch


def certificate_html(facts: CertificateFacts) -> str:
    e = html.escape
    centre = e(facts.centre_name) if facts.centre_name else "&nbsp;"
    return f"""
<div style="font-family: 'DejaVu Sans', Arial, sans-serif; color: #1b1f23;">
<p align="center" style="font-size: 17px; color: #33475b;">{centre}</p>
<p align="center" style="font-size: 40px; font-weight: bold; color: #0b3d62;">
Certificate of completion</p>
<p align="center" style="font-size: 17px;">This certifies that</p>
<p align="center" style="font-size: 34px; font-weight: bold;">{e(facts.full_name)}</p>
<p align="center" style="font-size: 17px;">has completed and passed the course</p>
<p align="center" style="font-size: 24px; font-weight: bold; color: #0b3d62;">
{e(facts.course_title)}</p>
<p align="center" style="font-size: 16px;">Course version {e(facts.course_version)}</p>
<br/>
<table align="center" cellpadding="6" style="font-size: 17px;">
<tr><td>Date passed:</td><td><b>{facts.passed_on:%d %B %Y}</b></td></tr>
<tr><td>Score:</td><td><b>{e(facts.score_text)}</b></td></tr>
<tr><td>Valid until:</td><td><b>{facts.expires_on:%d %B %Y}</b></td></tr>
<tr><td>Verification code:</td><td><b>{e(facts.code)}</b></td></tr>
</table>
<br/>
<p align="center" style="font-size: 13px; color: #33475b;">
A refresher is due before the date above. To check this certificate, a manager at the
centre runs: kiosk certificate verify {e(facts.code)}</p>
</div>
"""


def paint(device: QPagedPaintDevice, facts: CertificateFacts) -> None:
    """Lay the certificate out on one A4 portrait page of `device`."""
    set_resolution = getattr(device, "setResolution", None)
    if callable(set_resolution):
        set_resolution(RESOLUTION_DPI)
    device.setPageLayout(QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter))
    painter = QPainter()
    if not painter.begin(device):
        raise KioskError("The certificate could not be written there. Choose another place.")
    try:
        width, height = device.width(), device.height()
        pen = QPen(QColor("#0b5cad"))
        pen.setWidthF(max(2.0, width / 250))
        painter.setPen(pen)
        inset = width / 60
        painter.drawRect(QRectF(inset, inset, width - 2 * inset, height - 2 * inset))
        # Laid out on a fixed logical page (px sizes, no DPI involved) and scaled onto the
        # device: the same proportions on a 300 dpi PDF, a 600 dpi laser, or any screen DPI.
        scale = width / LOGICAL_WIDTH
        logical_height = height / scale
        doc = QTextDocument()
        doc.setDocumentMargin(LOGICAL_WIDTH / 14)
        doc.setTextWidth(LOGICAL_WIDTH)
        doc.setHtml(certificate_html(facts))
        top = max(0.0, (logical_height - doc.size().height()) / 3)
        painter.scale(scale, scale)
        painter.translate(0, top)
        doc.drawContents(painter, QRectF(0, 0, LOGICAL_WIDTH, logical_height))
    finally:
        painter.end()


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


def save_certificate(ctx: AppContext, facts: CertificateFacts) -> Path | None:
    """Save the PDF to the certificates folder in one step, log it; the file written.

    No file dialog: on a shared kiosk a Save dialog is a file browser, a classic way out
    of the kiosk (and into data.db). The folder is `certificates_folder`.
    """
    folder = output_folder(str(ctx.settings.get("certificates_folder")),
                           "certificates_folder", ctx.db_path)
    chosen = folder / facts.file_name
    number = 2
    while chosen.exists():
        chosen = folder / f"{Path(facts.file_name).stem}-{number}.pdf"
        number += 1
    try:
        written = write_pdf(chosen, facts)
    except KioskError as exc:
        ctx.dialogs.warn("Certificate not saved", str(exc))
        return None
    certificate.record_output(ctx.db, ctx.settings, ctx.clock, ctx.current_user, facts,
                              "saved PDF of")
    ctx.dialogs.inform("Certificate saved", f"Your certificate was saved as {written}.")
    return written


def print_certificate(ctx: AppContext, facts: CertificateFacts) -> bool:
    """Choose a printer, print one page, log it; False if cancelled or it failed."""
    printer = ctx.dialogs.ask_printer("Print certificate")
    if printer is None:
        return False
    try:
        paint(printer, facts)
    except KioskError:
        ctx.dialogs.warn("Certificate not printed",
                         "The printer could not be used. Check it is on, or save the "
                         "certificate as a PDF instead.")
        return False
    certificate.record_output(ctx.db, ctx.settings, ctx.clock, ctx.current_user, facts,
                              "printed")
    return True
