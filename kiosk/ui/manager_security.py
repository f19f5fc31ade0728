"""Failed sign-ins: per day, the most-tried usernames, and who is locked out now."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from kiosk import reports
from kiosk.clock import to_iso
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.operations import people
from kiosk.ui.layouts import flow_row
from kiosk.ui.manager_common import (
    DateRange,
    ManagerPanel,
    RowsModel,
    SelectionGate,
    local_day,
    local_time,
    table_view,
)
from kiosk.ui.widgets import body, button, heading

DEFAULT_DAYS = 30


class SecurityPanel(ManagerPanel):
    title = "Sign-ins"
    view_name = "failed sign-in report"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("securityPanel")
        self.dates = DateRange()
        self.apply = button("Show", "Show the report for these dates", primary=True)
        top = flow_row(self.dates, self.apply)
        self.message = body("", "errorMessage")
        self.message.hide()
        self.per_day = RowsModel((("day", "Day (UTC)"), ("failures", "Failed sign-ins")),
                                 formatters={"day": local_day}, parent=self)
        self.per_day_table = table_view(self.per_day, "Failed sign-ins per day")
        self.tried = RowsModel((("username_entered", "Username typed"),
                                ("failures", "Failures"), ("account", "Matches account"),
                                ("last_at", "Last try")),
                               formatters={"last_at": local_time,
                                           "account": lambda v: v or "(no such account)"},
                               parent=self)
        self.tried_table = table_view(self.tried, "Most-tried usernames")
        self.locked = RowsModel((("username", "Username"), ("full_name", "Name"),
                                 ("failed_count", "Failures"),
                                 ("locked_until", "Locked until")),
                                formatters={"locked_until": local_time}, parent=self)
        self.locked_table = table_view(self.locked, "Accounts locked now")
        self.locked_table.setObjectName("lockedTable")
        self.unlock_button = button("Unlock selected account")
        self.locked_note = body("", "lastSignIn")
        grid = QGridLayout()
        grid.addWidget(heading("Failures per day", level=2), 0, 0)
        grid.addWidget(heading("Most-tried usernames", level=2), 0, 1)
        grid.addWidget(self.per_day_table, 1, 0)
        grid.addWidget(self.tried_table, 1, 1)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        self.locked_note.setWordWrap(False)
        lock_row = flow_row(heading("Locked now", level=2), self.locked_note,
                            self.unlock_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addLayout(grid, 3)
        layout.addLayout(lock_row)
        layout.addWidget(self.locked_table, 2)
        self.apply.clicked.connect(self.refresh)
        self.dates.since.returnPressed.connect(self.refresh)
        self.dates.until.returnPressed.connect(self.refresh)
        self.unlock_button.clicked.connect(self.unlock)
        SelectionGate(self.locked_table, self.unlock_button)

    def shown(self) -> None:
        if not self.dates.since.text() and not self.dates.until.text():
            today = self.today()
            self.dates.since.setText((today - timedelta(days=DEFAULT_DAYS - 1)).isoformat())
            self.dates.until.setText(today.isoformat())
        self.refresh()

    def refresh(self) -> None:
        if self.actor() is None:
            return
        self.message.hide()
        try:
            since, until = self.dates.range().iso()
        except KioskError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        self.per_day.set_rows([{"day": d, "failures": n}
                               for d, n in reports.failures_per_day(self.ctx.db, since, until)])
        self.tried.set_rows([vars(t) for t in reports.most_tried(self.ctx.db, since, until)])
        self.refresh_locked()
        self.per_day_table.setColumnWidth(0, 130)
        self.tried_table.setColumnWidth(0, 170)
        self.tried_table.setColumnWidth(1, 80)
        self.tried_table.setColumnWidth(2, 150)

    def refresh_locked(self) -> None:
        rows = reports.current_lockouts(self.ctx.db, to_iso(self.ctx.clock.now()))
        self.locked.set_rows(rows)
        self.locked_note.setText("Nobody is locked out." if not rows
                                 else f"{len(rows)} locked; select one, then Unlock.")
        self.locked_table.setColumnWidth(0, 150)
        self.locked_table.setColumnWidth(1, 200)
        self.locked_table.setColumnWidth(2, 90)
        if rows:
            self.locked_table.selectRow(0)

    def unlock(self) -> None:
        actor = self.actor()
        number = self.locked_table.currentIndex().row()
        if actor is None or number < 0 or number >= len(self.locked.rows):
            return
        username = self.locked.row(number)["username"]
        try:
            people.unlock(self.ctx, actor, username)
        except KioskError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        self.refresh_locked()
        self.locked_note.setText(f"Unlocked {username}. " + self.locked_note.text())

    def reset(self) -> None:
        for model in (self.per_day, self.tried, self.locked):
            model.set_rows([])
        self.dates.clear()
        self.message.hide()
