"""Data protection: the retention purge and everything held about one person."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kiosk import retention, users
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.operations import exports, maintenance
from kiosk.ui import metrics
from kiosk.ui.layouts import flow_row
from kiosk.ui.manager_common import ManagerPanel, labelled_edit
from kiosk.ui.widgets import body, button, enter_acts, heading

SETTING_FOR = {retention.ACCESS_LOG: "retention_months_access_log",
               retention.RESULTS: "retention_months_results"}
NOUN = {retention.ACCESS_LOG: "access-log rows", retention.RESULTS: "test results"}


class DataPanel(ManagerPanel):
    title = "Data protection"
    view_name = "data protection"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("dataPanel")
        purge_box = QFrame()
        purge_box.setObjectName("card")
        self.what = QComboBox()
        self.what.setAccessibleName("What to purge")
        self.what.addItem("Access-log rows", retention.ACCESS_LOG)
        self.what.addItem("Test results (with their answers)", retention.RESULTS)
        what_label = QLabel("&Remove")
        what_label.setBuddy(self.what)
        self.months = QSpinBox()
        self.months.setRange(1, retention.MAX_MONTHS)
        self.months.setValue(24)
        self.months.setSuffix(" months")
        # Typed (or Up/Down keys), styled like every field: the sheet leaves no room for
        # Qt's tiny arrow buttons, which showed as a stray line.
        self.months.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.months.setAccessibleName("Older than how many months")
        self.months.setMinimumHeight(metrics.FIELD_HEIGHT)
        months_label = QLabel("&older than")
        months_label.setBuddy(self.months)
        self.preview_button = button("Count them")
        self.purge_button = button("Purge…")
        row = flow_row((what_label, self.what), (months_label, self.months),
                       self.preview_button, self.purge_button)
        self.preview_label = body("", "notice")
        self.preview_label.hide()
        pl = QVBoxLayout(purge_box)
        pl.addWidget(heading("Retention purge", level=2))
        pl.addWidget(body("Old records are removed for good, oldest first. The purge is "
                          "itself recorded, and the access log's tamper check still passes "
                          "afterwards.", "lastSignIn"))
        pl.addLayout(row)
        pl.addWidget(self.preview_label)

        person_box = QFrame()
        person_box.setObjectName("card")
        person_label, self.person = labelled_edit("&Username", "their username", 260)
        self.person.setAccessibleName("Username for the subject access export")
        self.person_button = button("Export everything held…",
                                    "Export everything held about this person")
        prow = flow_row((person_label, self.person), self.person_button)
        self.person_message = body("", "errorMessage")
        self.person_message.hide()
        ql = QVBoxLayout(person_box)
        ql.addWidget(heading("Subject access request", level=2))
        ql.addWidget(body("One CSV file with the person's account details, every test "
                          "attempt and answer, their reading, and every access-log row about "
                          "them or where their username was typed. Passwords are never "
                          "included.", "lastSignIn"))
        ql.addLayout(prow)
        ql.addWidget(self.person_message)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(purge_box)
        layout.addWidget(person_box)
        layout.addStretch(1)
        self.what.currentIndexChanged.connect(self._default_months)
        self.preview_button.clicked.connect(self.preview)
        enter_acts(self.preview, self.what, self.months)
        self.purge_button.clicked.connect(self.purge)
        self.person_button.clicked.connect(self.export_person)
        self.person.returnPressed.connect(self.export_person)

    def shown(self) -> None:
        self._default_months()

    def _default_months(self) -> None:
        configured = int(self.ctx.settings.get(SETTING_FOR[self.what.currentData()]))
        if configured:
            self.months.setValue(configured)
        self.preview_label.hide()

    def _count(self) -> tuple[int, str] | None:
        try:
            return maintenance.purge_preview(self.ctx, self.actor(), self.what.currentData(),
                                             self.months.value())
        except KioskError as exc:
            self.warn("Purge", str(exc))
            return None

    def preview(self) -> None:
        if self.actor() is None:
            return
        counted = self._count()
        if counted is None:
            return
        count, cutoff = counted
        self.preview_label.setText(
            f"{count} {NOUN[self.what.currentData()]} from before {cutoff[:10]}.")
        self.preview_label.show()

    def purge(self) -> None:
        actor = self.actor()
        if actor is None:
            return
        counted = self._count()
        if counted is None:
            return
        count, cutoff = counted
        noun = NOUN[self.what.currentData()]
        if count == 0:
            self.preview_label.setText(f"No {noun} from before {cutoff[:10]}: nothing to purge.")
            self.preview_label.show()
            return
        if not self.confirm("Purge old records",
                            f"Delete {count} {noun} from before {cutoff[:10]} for ever? "
                            "This cannot be undone."):
            return
        what, months = self.what.currentData(), self.months.value()

        def purged(done: object) -> None:
            self.preview_label.setText(f"Purged {done} {noun} from before {cutoff[:10]}.")
            self.preview_label.show()

        self.jobs.start(self.ctx, f"Purging {noun}…",
                        lambda ctx, _progress: maintenance.purge(ctx, actor, what, months),
                        done=purged,
                        failed=lambda message: self.warn(
                            "Purge failed", f"{message}\n\nNothing was deleted."))

    def export_person(self) -> None:
        if self.actor() is None:
            return
        self.person_message.hide()
        try:
            person = users.require(self.ctx.db, self.person.text())
        except KioskError as exc:
            self.person_message.setText(str(exc))
            self.person_message.show()
            return
        actor = self.actor()
        self.export_csv(f"everything held about {person.username}",
                        f"person-{person.username}",
                        lambda ctx, path, step: exports.export_person(
                            ctx, actor, person.username, path, step))

    def reset(self) -> None:
        self.person.clear()
        self.person_message.hide()
        self.preview_label.hide()
