"""The training matrix: who is trained, due, overdue; a person's full history on Enter."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk import matrix, users
from kiosk import status as status_rule
from kiosk.context import AppContext
from kiosk.operations import exports
from kiosk.ui.layouts import flow_row
from kiosk.ui.manager_common import (
    Index,
    ManagerPanel,
    RowsModel,
    SelectionGate,
    course_titles,
    fmt,
    labelled_edit,
    local_day,
    local_time,
    table_view,
)
from kiosk.ui.theme import HIGH_CONTRAST, current_high_contrast
from kiosk.ui.widgets import body, button, heading
from kiosk.wording import human_date

# Colour is a second cue only: every status cell also says its status in words.
STATUS_COLOURS = {
    status_rule.EXPIRED: ("#fde8e8", "#5c0b0b"),
    status_rule.DUE: ("#fff4d6", "#3d2a00"),
    status_rule.IN_PROGRESS: ("#e6f0fa", "#0b3d62"),
    status_rule.PASSED: ("#e3f4e8", "#0f4d24"),
    status_rule.NOT_STARTED: ("#eef1f4", "#1b1f23"),
}

COLUMNS = (
    ("full_name", "Name"), ("status", "Status"), ("expires_on", "Expires on"),
    ("passed_on", "Passed on"), ("last_percent", "Last score %"), ("username", "Username"),
    ("role", "Role"), ("job_title", "Job title"), ("course_title", "Course"),
)
STATUS_COLUMN = 1
COURSE_COLUMN = 8


class MatrixModel(RowsModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent=parent)
        self.items: list[matrix.MatrixRow] = []

    def set_items(self, items: list[matrix.MatrixRow]) -> None:
        self.items = items
        self.set_rows([{
            "full_name": r.full_name or r.username, "username": r.username, "role": r.role,
            "job_title": r.job_title, "course_title": r.course_title, "status": r.label,
            "last_percent": r.last_percent, "passed_on": r.passed_on,
            "expires_on": r.expires_on, "_state": r.state, "_urgency": r.urgency,
            "user_id": r.user_id,
            "_note": (f"Last test on {human_date(r.last_on)}: "
                      f"{fmt(r.last_percent)}%, not passed. They need to read again and "
                      "retake the test." if r.last_failed and r.last_on else ""),
        } for r in items])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if index.column() == STATUS_COLUMN:
            colours = STATUS_COLOURS[row["_state"]]
            # High contrast: the table's own black and white (pastel cells were light
            # blocks in a black theme), with the status's words as the cue.
            high = current_high_contrast()
            if role == Qt.ItemDataRole.BackgroundRole:
                return None if high else QColor(colours[0])
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(HIGH_CONTRAST.get(colours[1], "#ffffff") if high
                              else colours[1])
            if role == Qt.ItemDataRole.UserRole:
                return row["_urgency"]
            if role == Qt.ItemDataRole.ToolTipRole and row.get("_note"):
                return f"{row['status']}. {row['_note']}"
        if role == Qt.ItemDataRole.UserRole:
            value = super().data(index, role)
            # Sort blanks last and dates/numbers as themselves, never as text.
            if value is None:
                return ""
            return fmt(value).casefold() if isinstance(value, str) else fmt(value).zfill(12)
        return super().data(index, role)


class MatrixTable(QTableView):
    """Enter opens the selected person's history, as a double-click does."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activated.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class MatrixPanel(ManagerPanel):
    title = "Training matrix"
    view_name = "training matrix"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("matrixPanel")
        self.pages = QStackedWidget()

        # The matrix page.
        page = QWidget()
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Status filter")
        self.status_filter.addItem("Every status", ())
        self.status_filter.addItem("Expired or due (overdue soon)",
                                   (status_rule.EXPIRED, status_rule.DUE))
        for state in status_rule.ORDER:
            self.status_filter.addItem(status_rule.LABELS[state], (state,))
        self.role_filter = QComboBox()
        self.role_filter.setAccessibleName("Role filter")
        self.role_filter.addItem("Every role", "")
        for role in users.ROLES:
            self.role_filter.addItem(role.title(), role)
        self.job_filter = QComboBox()
        self.job_filter.setAccessibleName("Job title filter")
        for combo in (self.status_filter, self.role_filter, self.job_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        search_label, self.search = labelled_edit("&Search", "name, username or job title")
        self.search.setAccessibleName("Search people")
        status_label = QLabel("S&tatus")
        status_label.setBuddy(self.status_filter)
        role_label = QLabel("&Role")
        role_label.setBuddy(self.role_filter)
        self.search.setMinimumWidth(240)
        filters = flow_row((status_label, self.status_filter),
                           (role_label, self.role_filter, self.job_filter),
                           (search_label, self.search))

        self.model = MatrixModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.table = table_view(self.proxy, "Training matrix: Enter opens a person's history",
                                sortable=True, view=MatrixTable())
        self.table.setObjectName("matrixTable")
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)

        self.summary = body("", "matrixSummary")
        self.export_button = button("Export this list…", "Export the training matrix as shown")
        self.history_button = button("Open history", "Open the selected person's history")
        actions = QHBoxLayout()
        actions.addWidget(self.summary, 1)
        actions.addWidget(self.history_button)
        actions.addWidget(self.export_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.pages.addWidget(page)

        # The history page.
        history = QWidget()
        self.history_title = heading("", level=2)
        self.history_model = RowsModel(
            [(k, h) for k, h in (
                ("course_id", "Course"), ("finished_at", "Finished"), ("status", "State"),
                ("percent", "Score %"), ("passed", "Result"), ("expires_on", "Expires on"),
                ("certificate_code", "Certificate"), ("course_version", "Course version"),
                ("kiosk_id", "Kiosk"))],
            formatters={
                "finished_at": local_time,
                "expires_on": local_day,
                "course_id": course_titles(ctx),
                "status": lambda v: "Submitted" if v == "submitted" else "Not finished",
                "passed": lambda v: {1: "Passed", 0: "Not passed"}.get(v, ""),
            },
            parent=self,
        )
        self.history_table = table_view(self.history_model, "Test history")
        self.history_empty = body("", "historyEmpty")
        self.back_button = button("Back to the matrix")
        hl = QVBoxLayout(history)
        hl.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.history_title, 1)
        top.addWidget(self.back_button)
        hl.addLayout(top)
        hl.addWidget(self.history_empty)
        hl.addWidget(self.history_table, 1)
        self.pages.addWidget(history)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self.status_filter.currentIndexChanged.connect(self.refresh)
        self.role_filter.currentIndexChanged.connect(self.refresh)
        self.job_filter.currentIndexChanged.connect(self.refresh)
        self.search.textChanged.connect(self.refresh)
        self.table.activated.connect(self.open_history)
        self.table.doubleClicked.connect(self.open_history)
        self.history_button.clicked.connect(lambda: self.open_history(self.table.currentIndex()))
        self.back_button.clicked.connect(self.show_matrix)
        SelectionGate(self.table, self.history_button)
        self.export_button.clicked.connect(self.export)

    def shown(self) -> None:
        if self.actor() is None:
            return
        current = self.job_filter.currentData() or ""
        self.job_filter.blockSignals(True)
        self.job_filter.clear()
        self.job_filter.addItem("Every job title", "")
        for title in matrix.job_titles(self.ctx.db):
            self.job_filter.addItem(title, title)
        self.job_filter.setCurrentIndex(max(0, self.job_filter.findData(current)))
        self.job_filter.setAccessibleName("Job title filter")
        self.job_filter.blockSignals(False)
        self.show_matrix()
        self.refresh()

    def items(self) -> list[matrix.MatrixRow]:
        return list(self.model.items)

    def refresh(self) -> None:
        if self.actor() is None:
            return
        rows = exports.training_matrix(
            self.ctx, self.actor(), self.ctx.courses, self.today(),
            states=self.status_filter.currentData() or (),
            role=self.role_filter.currentData() or None,
            job_title=self.job_filter.currentData() or None, text=self.search.text().strip(),
        )
        self.model.set_items(rows)
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.state] = counts.get(r.state, 0) + 1
        failed = sum(1 for r in rows if r.state == status_rule.IN_PROGRESS and r.last_failed)
        parts = [f"{counts[s]} {status_rule.LABELS[s].lower()}"
                 + (f" ({failed} with a failed last test)" if s == status_rule.IN_PROGRESS
                    and failed else "")
                 for s in status_rule.ORDER if s in counts]
        self.summary.setText(f"{len(rows)} shown" + (": " + ", ".join(parts) if parts else ""))
        # With one course the course column says the same thing on every row.
        self.table.setColumnHidden(COURSE_COLUMN, len(self.ctx.courses or ()) <= 1)
        self.table.fitter.fit()  # type: ignore[attr-defined]

    def open_history(self, index: QModelIndex) -> None:
        if self.actor() is None or not index.isValid():
            return
        source = self.proxy.mapToSource(index)
        row = self.model.row(source.row())
        person, history = exports.person_history(self.ctx, self.actor(), row["username"])
        self.history_title.setText(f"History: {person.display_name} ({person.username})")
        self.history_model.set_rows(history)
        self.history_empty.setText(
            "No test attempts yet." if not history
            else f"{len(history)} attempts, newest first, across every refresher.")
        self.history_table.fitter.fit()  # type: ignore[attr-defined]
        self.pages.setCurrentIndex(1)
        self.back_button.setFocus()

    def show_matrix(self) -> None:
        self.pages.setCurrentIndex(0)
        self.history_model.set_rows([])

    def export(self) -> None:
        items = self.items()
        actor = self.actor()
        self.export_csv("training matrix", "training-matrix",
                        lambda ctx, path, step: exports.export_matrix(ctx, actor, items, path,
                                                                      step),
                        total=len(items))

    def reset(self) -> None:
        self.model.set_items([])
        self.history_model.set_rows([])
        self.search.clear()
        self.status_filter.setCurrentIndex(0)
        self.role_filter.setCurrentIndex(0)
        self.pages.setCurrentIndex(0)
        self.summary.clear()
