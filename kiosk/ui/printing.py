"""Which printer a learner's certificate goes to, decided without a dialog.

A print dialog on a shared kiosk is a way out of it: it lists the PC's printers and their
preferences, and a "Print to PDF" printer opens a Save dialog, which is a file browser.
So a learner's Print goes straight to one printer: the one named in the
`certificate_printer` setting, else the PC's default. A printer that writes files
instead of paper is never handed the job: Qt writes the PDF itself, into the
certificates folder under a generated name. With no usable printer the certificate is
saved there too, and the learner is told where.

The choice (`plan`) is plain data in, plain data out, so every branch is tested without
a printer installed; `make_printer` turns it into a QPrinter. Saving instead goes through
the same one-step PDF writer as Save certificate (kiosk/ui/certificate_pdf.py).

Imported only when something is printed: Qt's print support is not loaded at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

# Windows' and CUPS' printers that write a file (and ask where) rather than print:
# "Microsoft Print to PDF", "Microsoft XPS Document Writer", "Send To OneNote", "Fax",
# "CUPS-PDF", "Adobe PDF". Matched on words in the name: Qt says nothing of a printer's port.
FILE_PRINTER_WORDS = ("pdf", "xps", "onenote", "one note", "document writer", "fax")

NO_PRINTER = "no printer"
NOT_INSTALLED = "not installed"
FILE_PRINTER = "file printer"
FAILED = "failed"


@dataclass(frozen=True)
class Printers:
    """The printers this PC has, as Qt reports them."""

    installed: tuple[str, ...] = ()
    default: str = ""

    @classmethod
    def of_system(cls) -> Printers:
        return cls(tuple(QPrinterInfo.availablePrinterNames()),
                   QPrinterInfo.defaultPrinterName())


@dataclass(frozen=True)
class PrintPlan:
    """Print on `printer`, or (printer empty) save a PDF instead, for `reason`."""

    printer: str
    reason: str = ""
    named: str = ""  # the printer that was wanted, for the message

    @property
    def saves_instead(self) -> bool:
        return not self.printer


def is_file_printer(name: str) -> bool:
    folded = name.casefold()
    return any(word in folded for word in FILE_PRINTER_WORDS)


def plan(configured: str, printers: Printers) -> PrintPlan:
    """The configured printer, else the default; a PDF in the folder when neither will do."""
    wanted = configured.strip() or printers.default
    if not wanted:
        return PrintPlan("", NO_PRINTER)
    if is_file_printer(wanted):
        return PrintPlan("", FILE_PRINTER, wanted)
    if wanted not in printers.installed:
        return PrintPlan("", NOT_INSTALLED, wanted)
    return PrintPlan(wanted)


def why_saved(chosen: PrintPlan, path: Path) -> str:
    """What the learner is told when the certificate was saved instead of printed."""
    if chosen.reason == FILE_PRINTER:
        why = (f"This PC's printer ({chosen.named}) makes files rather than paper, so "
               "your certificate was saved as a PDF instead.")
    elif chosen.reason == FAILED:
        why = (f"The printer {chosen.named} could not be used (is it on?), so your "
               "certificate was saved as a PDF instead.")
    elif chosen.reason == NOT_INSTALLED:
        why = (f"The printer {chosen.named} is not available on this PC, so your "
               "certificate was saved as a PDF instead.")
    else:
        why = "No printer is set up on this PC, so your certificate was saved as a PDF instead."
    # The path on a line of its own: it is long, and a manager will look for it.
    return f"{why}\n\n{path}\n\nAsk a manager to print it."


def make_printer(chosen: PrintPlan) -> QPrinter:
    """A QPrinter on the plan's printer, set up in code: no dialog is ever shown."""
    if not chosen.printer:
        raise ValueError("this plan saves the certificate instead of printing it")
    printer = QPrinter(QPrinterInfo.printerInfo(chosen.printer),
                       QPrinter.PrinterMode.HighResolution)
    printer.setDocName("Certificate")
    return printer
