"""Test results, newest first, paged; exports of results and of every answer given."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk import records
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.filters import ResultsFilter
from kiosk.operations import exports
from kiosk.ui.layouts import flow_row
from kiosk.ui.manager_common import (
    DateRange,
    ManagerPanel,
    PagedModel,
    course_titles,
    labelled_edit,
    local_day,
    local_time,
    table_view,
)
from kiosk.ui.widgets import announce, body, button, enter_acts
from kiosk.wording import human_date

COLUMNS = (
    ("finished_at", "Finished (local time)"), ("full_name", "Name"), ("username", "Username"),
    ("course_id", "Course"), ("percent", "Score %"), ("passed", "Result"),
    ("expires_on", "Expires on"), ("certificate_code", "Certificate"), ("kiosk_id", "Kiosk"),
)


class ResultsPanel(ManagerPanel):
    title = "Results"
    view_name = "results"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("resultsPanel")
        self.dates = DateRange()
        person_label, self.person = labelled_edit("&Person", "username", 180)
        self.person.setAccessibleName("Person's username")
        self.course = QComboBox()
        self.course.setAccessibleName("Course filter")
        course_label = QLabel("&Course")
        course_label.setBuddy(self.course)
        self.apply = button("Show", "Show results with these filters", primary=True)
        # Long course titles would make the row (and the tab) wider than the screen.
        self.course.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.course.setMinimumContentsLength(22)
        filters = flow_row(self.dates, (person_label, self.person),
                           (course_label, self.course), self.apply)
        self.message = body("", "errorMessage")
        self.message.hide()
        self.model = PagedModel(
            COLUMNS, records.results_key, records.PAGE_SIZE,
            formatters={"finished_at": local_time, "expires_on": local_day,
                        "course_id": course_titles(ctx),
                        "passed": lambda v: {1: "Passed", 0: "Not passed"}.get(v, "")},
            parent=self)
        self.table = table_view(self.model, "Results table")
        self.table.setObjectName("resultsTable")
        self.note = body("Newest first; more rows load as you scroll. Exports hold exactly "
                         "the rows these filters show.", "lastSignIn")
        self.export_results = button("Export results…")
        self.export_answers = button("Export answers…")
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.export_results)
        bottom.addWidget(self.export_answers)
        # Check a certificate: what an inspector who rings the centre is told. The same
        # check as `kiosk certificate verify`, without a command line.
        check_label, self.check_code = labelled_edit("Check a certi&ficate", "SGK-ABCD-2346",
                                                     220)
        self.check_code.setAccessibleName("Certificate code to check")
        self.check_button = button("Check", "Check this certificate code")
        self.check_result = body("", "infoMessage")
        self.check_result.hide()
        check = flow_row((check_label, self.check_code), self.check_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addLayout(check)
        layout.addWidget(self.check_result)
        self.check_button.clicked.connect(self.check_certificate)
        self.check_code.returnPressed.connect(self.check_certificate)
        self.apply.clicked.connect(self.refresh)
        self.person.returnPressed.connect(self.refresh)
        self.dates.since.returnPressed.connect(self.refresh)
        self.dates.until.returnPressed.connect(self.refresh)
        self.course.activated.connect(lambda _i: self.refresh())
        enter_acts(self.refresh, self.course)
        self.export_results.clicked.connect(lambda: self.export("results"))
        self.export_answers.clicked.connect(lambda: self.export("answers"))

    def check_certificate(self) -> None:
        """Whose certificate a code is, and whether it is current (recorded as a view)."""
        if self.actor() is None or not self.check_code.text().strip():
            return
        from kiosk.operations import certificates

        try:
            # The operation records the check (who looked up whose certificate).
            found = certificates.verify(self.ctx, self.check_code.text(), self.today(),
                                        self.ctx.courses, via="manager area")
        except KioskError as exc:
            text = f"Not found: {exc}"
        else:
            f = found.facts
            if found.problem:
                text = found.describe()
            else:
                text = (f"{f.code} is {found.state}: {f.full_name} passed "
                        f"\"{f.course_title}\" on {human_date(f.passed_on)} "
                        f"({f.score_text}); valid until {human_date(f.expires_on)}.")
        announce(self.check_result, text)

    def shown(self) -> None:
        if self.course.count() == 0:
            self.course.addItem("Every course", "")
            for c in self.ctx.courses or ([self.ctx.course] if self.ctx.course else []):
                self.course.addItem(c.title, c.id)
        self.refresh()

    def current_filter(self) -> ResultsFilter:
        """What the table shows, and exactly what its exports write."""
        return ResultsFilter(self.dates.range(), self.person.text().strip() or None,
                             self.course.currentData() or None)

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
        self.model.load(partial(exports.results_page, self.ctx, self.actor(), flt))
        for col, width in enumerate((150, 170, 110, 150, 70, 90, 100, 120)):
            self.table.setColumnWidth(col, width)

    def export(self, what: str) -> None:
        try:
            flt = self.current_filter()
        except KioskError as exc:
            self.warn("Export not started", str(exc))
            return
        write = {"results": exports.export_results, "answers": exports.export_answers}[what]
        actor = self.actor()
        self.export_csv(what, what,
                        lambda ctx, path, step: write(ctx, actor, flt, path, step))

    def reset(self) -> None:
        self.model.clear()
        self.dates.clear()
        self.person.clear()
        self.message.hide()
