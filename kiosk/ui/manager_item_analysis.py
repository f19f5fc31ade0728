"""Question statistics: each question's facility and discrimination, with its flags.

For managers and content editors. The numbers come from kiosk.item_analysis (the
formulas are in its docstring and the README); this tab only shows them and exports
the same table as `kiosk export item-analysis`.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk import item_analysis
from kiosk.context import AppContext
from kiosk.db import friendly_error
from kiosk.errors import KioskError
from kiosk.operations import exports
from kiosk.ui.layouts import flow_row
from kiosk.ui.manager_common import DateRange, ManagerPanel, RowsModel, table_view
from kiosk.ui.widgets import body, button, enter_acts

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


class _Relay(QObject):
    """Carries a worker's result back to the GUI thread (a queued signal)."""

    done = Signal(int, object)
    failed = Signal(int, str)


class _Analysis(QRunnable):
    """Works the statistics out on a pool thread, on its own read-only connection.

    Every submitted attempt's answers are read; with years of tests that takes seconds,
    and the kiosk must not freeze while it does.
    """

    def __init__(self, relay: _Relay, number: int, path: Any, courses: tuple[Any, ...],
                 since: str | None, until: str | None, course_id: str | None) -> None:
        super().__init__()
        self.relay, self.number, self.path = relay, number, path
        self.args = (courses, since, until, course_id)

    def run(self) -> None:
        courses, since, until, course_id = self.args
        try:
            stats = item_analysis.analyse_file(self.path, courses, since=since, until=until,
                                               course_id=course_id)
        except KioskError as exc:
            self.relay.failed.emit(self.number, str(exc))
        except sqlite3.Error as exc:
            self.relay.failed.emit(self.number, str(friendly_error(exc, self.path)))
        except Exception:  # never let a pool thread die silently
            logging.getLogger("kiosk").exception("question statistics failed")
            self.relay.failed.emit(self.number, "The statistics could not be worked out; "
                                                "the details are in kiosk.log.")
        else:
            self.relay.done.emit(self.number, stats)


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
        self.course.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.course.setMinimumContentsLength(22)
        filters = flow_row(self.dates, (course_label, self.course), self.apply)
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
        enter_acts(self.refresh, self.course)
        self.export_button.clicked.connect(self.export)
        # Each request has a number; a result for an older one (or one that arrives
        # after sign-out) is dropped.
        self.request = 0
        self.relay = _Relay()
        self.relay.done.connect(self._show)
        self.relay.failed.connect(self._failed)

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
        self.request += 1
        self.summary.setText("Working out the statistics\u2026")
        QThreadPool.globalInstance().start(_Analysis(
            self.relay, self.request, self.ctx.db_path, self.courses(), since, until,
            course_id))

    def busy(self) -> bool:
        return self.summary.text().endswith("\u2026")

    def _failed(self, number: int, message: str) -> None:
        if number != self.request or self.actor() is None:
            return
        self.model.set_rows([])
        self.summary.clear()
        self.message.setText(message)
        self.message.show()

    def _show(self, number: int, stats: list[item_analysis.ItemStats]) -> None:
        if number != self.request or self.actor() is None:
            return
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
        actor = self.actor()
        self.export_csv(
            "item analysis", "item-analysis",
            lambda ctx, path, step: exports.export_item_analysis(
                ctx, actor, courses, path, since=since, until=until, course_id=course_id,
                progress=step),
        )

    def reset(self) -> None:
        self.request += 1  # a result still being worked out is not shown to the next person
        self.model.set_rows([])
        self.summary.clear()
        self.dates.clear()
        self.message.hide()
