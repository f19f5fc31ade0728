"""The access log, newest first, paged from the database as the manager scrolls."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk import records
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
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
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

    def reset(self) -> None:
        self.model.clear()
        self.dates.clear()
        self.person.clear()
        self.event_choice.setCurrentIndex(0)
        self.message.hide()
