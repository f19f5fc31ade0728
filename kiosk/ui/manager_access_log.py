"""The access log, newest first, paged from the database as the manager scrolls."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk import access_log, records
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.filters import AccessLogFilter
from kiosk.operations import exports
from kiosk.ui.manager_common import (
    DateRange,
    ManagerPanel,
    PagedModel,
    labelled_edit,
    local_time,
    table_view,
)
from kiosk.ui.widgets import body, button

COLUMNS = (
    ("occurred_at", "When (local time)"), ("event", "Event"),
    ("username_entered", "Username typed"), ("user_matched", "Account"),
    ("reason", "Reason"), ("kiosk_id", "Kiosk"), ("id", "Row"),
)


class AccessLogPanel(ManagerPanel):
    title = "Access log"
    view_name = "access log"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("accessLogPanel")
        self.dates = DateRange()
        self.event_choice = QComboBox()
        self.event_choice.setAccessibleName("Event filter")
        self.event_choice.addItem("Every event", "")
        for name in records.known_events():
            self.event_choice.addItem(name, name)
        event_label = QLabel("&Event")
        event_label.setBuddy(self.event_choice)
        person_label, self.person = labelled_edit("&Person", "username", 180)
        self.person.setAccessibleName("Person's username")
        self.apply = button("Show", "Show the log with these filters", primary=True)
        filters = QHBoxLayout()
        filters.addWidget(self.dates)
        for w in (event_label, self.event_choice, person_label, self.person, self.apply):
            filters.addWidget(w)
        filters.addStretch(1)
        self.message = body("", "errorMessage")
        self.message.hide()
        self.model = PagedModel(COLUMNS, records.access_log_key, records.PAGE_SIZE,
                                formatters={"occurred_at": local_time}, parent=self)
        self.table = table_view(self.model, "Access log table")
        self.table.setObjectName("accessLogTable")
        self.note = body("Newest first; more rows load as you scroll. The export holds "
                         "exactly the rows these filters show.", "lastSignIn")
        self.export_button = button("Export access log…")
        self.receipt_button = button(
            "Log receipt…", "A short receipt of the log's newest row to print or save, "
            "kept away from this PC: `kiosk verify --receipt` later shows any rewrite")
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.receipt_button)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.apply.clicked.connect(self.refresh)
        self.person.returnPressed.connect(self.refresh)
        self.dates.since.returnPressed.connect(self.refresh)
        self.dates.until.returnPressed.connect(self.refresh)
        self.event_choice.activated.connect(lambda _i: self.refresh())
        self.export_button.clicked.connect(self.export)
        self.receipt_button.clicked.connect(self.take_receipt)

    def shown(self) -> None:
        self.refresh()

    def current_filter(self) -> AccessLogFilter:
        """What the table shows, and exactly what the export writes."""
        return AccessLogFilter(self.dates.range(), self.event_choice.currentData() or None,
                               self.person.text().strip() or None)

    def refresh(self) -> None:
        if self.actor() is None:
            return
        self.message.hide()
        try:
            flt = self.current_filter()
            flt.where(self.ctx.db)  # an unknown person is said now, not as an empty table
        except KioskError as exc:
            self.model.clear()
            self.show_problem(exc)
            return
        self.model.load(partial(exports.access_log_page, self.ctx, self.actor(), flt))
        self.table.setColumnWidth(0, 165)
        self.table.setColumnWidth(1, 130)
        self.table.setColumnWidth(2, 150)
        self.table.setColumnWidth(3, 110)
        self.table.setColumnWidth(4, 260)

    def export(self) -> None:
        try:
            flt = self.current_filter()
        except KioskError as exc:
            self.warn("Export not started", str(exc))
            return
        actor = self.actor()
        self.export_csv("access log", "access-log",
                        lambda ctx, path, step: exports.export_access_log(ctx, actor, flt,
                                                                          path, step))

    def take_receipt(self) -> None:
        """Show the receipt, then print it or save it (both offered; either is enough)."""
        actor = self.actor()
        if actor is None or self.ctx.dialogs is None:
            return
        from kiosk.operations import maintenance

        try:
            taken = maintenance.log_receipt(self.ctx, actor)
        except KioskError as exc:
            self.warn("No receipt taken", str(exc))
            return
        text = taken.text()
        dialogs = self.ctx.dialogs
        dialogs.inform("Log receipt", text)
        if dialogs.confirm("Print the receipt?", "Print it now on this PC's printer?"):
            printer = dialogs.ask_printer("Print log receipt")
            if printer is not None:
                from PySide6.QtGui import QTextDocument

                doc = QTextDocument()
                doc.setPlainText(text)  # plain text: nothing in it is markup
                doc.print_(printer)
        path = dialogs.ask_save_path("Save the log receipt",
                                     f"log-receipt-row-{taken.row_id}.txt", "Text (*.txt)")
        if path:
            try:
                access_log.save_receipt(Path(path), text)
            except KioskError as exc:
                self.warn("Receipt not saved", str(exc))
                return
            self.inform("Receipt saved", f"Saved to {path}. Keep a copy away from this PC.")
        self.refresh()

    def reset(self) -> None:
        self.model.clear()
        self.dates.clear()
        self.person.clear()
        self.event_choice.setCurrentIndex(0)
        self.message.hide()
