"""Question statistics: each question's facility and discrimination, with its flags.

For managers and content editors. The numbers come from kiosk.item_analysis (the
formulas are in its docstring and the README); this tab only shows them and exports
the same table as `kiosk export item-analysis`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk import item_analysis
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.ui.manager_common import DateRange, ManagerPanel, RowsModel, table_view
from kiosk.ui.widgets import body, button

COLUMNS = (
    ("question_id", "Question"), ("section_id", "Section"), ("answers", "Answers"),
    ("facility_index", "Facility %"), ("discrimination_index", "Discrimination"),
    ("discriminative_efficiency", "Efficiency %"), ("right_when_passed", "Passes %"),
    ("right_when_not_passed", "Fails %"), ("flags", "Look at"),
    ("question_text", "Question text"),
)
# Wide enough for each header at the kiosk's font on a 1024-pixel screen.
WIDTHS = (90, 140, 85, 95, 140, 115, 90, 80, 180)

FLAG_WORDS = {
    item_analysis.EVERYONE_RIGHT: "Everyone right",
    item_analysis.STRONG_WRONG: "Strong candidates wrong",
    item_analysis.FEW_ANSWERS: "Too few answers",
}


def number(value: Any) -> str:
    return "" if value is None else f"{value:.0f}"


def flag_words(value: Any) -> str:
    return ", ".join(FLAG_WORDS.get(f, f) for f in (value or "").split(";") if f)


class ItemAnalysisPanel(ManagerPanel):
    title = "Questions"
    view_name = "item analysis"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("itemAnalysisPanel")
        self.dates = DateRange()
        self.course = QComboBox()
        self.course.setAccessibleName("Course")
        course_label = QLabel("&Course")
        course_label.setBuddy(self.course)
        self.apply = button("Show", "Show question statistics for these filters", primary=True)
        filters = QHBoxLayout()
        filters.addWidget(self.dates)
        for w in (course_label, self.course, self.apply):
            filters.addWidget(w)
        filters.addStretch(1)
        self.message = body("", "errorMessage")
        self.message.hide()
        self.summary = body("", "lastSignIn")
        self.summary.setAccessibleName("Questions to look at")
        formatters = {key: number for key, _ in COLUMNS[3:8]}
        formatters["flags"] = flag_words
        self.model = RowsModel(COLUMNS, formatters, parent=self)
        self.table = table_view(self.model, "Question statistics table", sortable=False)
        self.table.setObjectName("itemAnalysisTable")
        self.note = body(
            "Facility: the share of marks people got. Discrimination: how well the question "
            "separates people who do well on the rest of the test from those who do not "
            "(below 0: strong candidates get it wrong). Passes % / Fails %: facility among "
            "tests passed / not passed. From submitted tests only.",
            "lastSignIn")
        self.note.setWordWrap(True)
        self.export_button = button("Export question statistics…")
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.apply.clicked.connect(self.refresh)
        self.dates.since.returnPressed.connect(self.refresh)
        self.dates.until.returnPressed.connect(self.refresh)
        self.course.activated.connect(lambda _i: self.refresh())
        self.export_button.clicked.connect(self.export)

    def courses(self) -> tuple[Any, ...]:
        return tuple(self.ctx.courses or ([self.ctx.course] if self.ctx.course else []))

    def shown(self) -> None:
        if self.course.count() == 0:
            # Question ids are per course, so the table is always one course's bank.
            for c in self.courses():
                self.course.addItem(c.title, c.id)
        self.refresh()

    def filters(self) -> tuple[str | None, str | None, str | None] | None:
        self.message.hide()
        try:
            since, until = self.dates.texts()
        except KioskError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return None
        return since, until, self.course.currentData() or None

    def refresh(self) -> None:
        if self.actor() is None:
            return
        chosen = self.filters()
        if chosen is None:
            self.model.set_rows([])
            self.summary.clear()
            return
        since, until, course_id = chosen
        stats = item_analysis.analyse(self.ctx.db, self.courses(), since=since, until=until,
                                      course_id=course_id)
        self.model.set_rows([s.as_row() for s in stats])
        counts = {flag: sum(flag in s.flags for s in stats) for flag in FLAG_WORDS}
        answered = sum(1 for s in stats if s.answers)
        self.summary.setText(
            f"{answered} of {len(stats)} questions answered so far. "
            f"{counts[item_analysis.EVERYONE_RIGHT]} that everyone gets right; "
            f"{counts[item_analysis.STRONG_WRONG]} that strong candidates get wrong.")
        for col, width in enumerate(WIDTHS):
            self.table.setColumnWidth(col, width)

    def export(self) -> None:
        chosen = self.filters()
        if chosen is None:
            return
        since, until, course_id = chosen
        courses = self.courses()
        self.export_csv(
            "item analysis", "item-analysis",
            lambda path, step: item_analysis.export_item_analysis(
                self.ctx.db, path, courses, since=since, until=until, course_id=course_id,
                progress=step),
        )

    def reset(self) -> None:
        self.model.set_rows([])
        self.summary.clear()
        self.dates.clear()
        self.message.hide()
