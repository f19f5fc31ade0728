"""Local contacts (numbers, web sites, last-verified dates). Saved rows replace the pack's."""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.contacts import FIELDS, is_stale, stored_rows
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.operations import contacts as contacts_ops
from kiosk.ui.manager_common import ColumnFitter, ManagerPanel, SelectionGate
from kiosk.ui.theme import HIGH_CONTRAST, current_high_contrast
from kiosk.ui.widgets import body, button, enter_acts

HEADERS = ("Name", "Role", "Phone", "Web", "Area", "Last verified (YYYY-MM-DD)")


class ContactsPanel(ManagerPanel):
    title = "Contacts"
    view_name = "contacts"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("contactsPanel")
        self.course = QComboBox()
        self.course.setAccessibleName("Course")
        course_label = QLabel("&Course")
        course_label.setBuddy(self.course)
        self.source = body("", "lastSignIn")
        top = QHBoxLayout()
        top.addWidget(course_label)
        top.addWidget(self.course)
        top.addWidget(self.source, 1)
        self.table = QTableWidget(0, len(FIELDS))
        self.table.setObjectName("contactsTable")
        self.table.setAccessibleName("Contacts: edit a cell with F2 or by typing")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.fitter = ColumnFitter(self.table)  # type: ignore[attr-defined]
        self.message = body("", "errorMessage")
        self.message.hide()
        self.add_button = button("Add contact")
        self.remove_button = button("Remove contact")
        self.revert_button = button("Use the course's own list")
        self.save_button = button("Save contacts", primary=True)
        row = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.revert_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.course.activated.connect(lambda _i: self.load())
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        self.save_button.clicked.connect(self.save)
        # Enter ends a cell's edit; Enter again (or in the course list) saves the list.
        enter_acts(self.save, self.table)
        SelectionGate(self.table, self.remove_button)
        self.revert_button.clicked.connect(self.revert)

    def courses(self) -> list:
        return list(self.ctx.courses or ([self.ctx.course] if self.ctx.course else []))

    def current_course(self):
        cid = self.course.currentData()
        return next((c for c in self.courses() if c.id == cid), None)

    def shown(self) -> None:
        if self.course.count() == 0:
            for c in self.courses():
                self.course.addItem(c.title, c.id)
        self.load()

    def load(self) -> None:
        course = self.current_course()
        if self.actor() is None or course is None:
            return
        rows = stored_rows(self.ctx.db, course.id)
        if rows:
            self.source.setText("Showing the centre's edited list.")
        else:
            rows = [{f: getattr(c, f) for f in FIELDS} for c in course.contacts]
            self.source.setText("Showing the course's own list; saving makes it the "
                                "centre's list.")
        self.table.setRowCount(0)
        for contact in rows:
            self._append([str(contact[f]) for f in FIELDS])
        self.table.resizeColumnsToContents()
        for col in range(len(FIELDS) - 1):
            self.table.setColumnWidth(col, min(self.table.columnWidth(col), 220))
        self.message.hide()

    def _append(self, values: list[str]) -> None:
        number = self.table.rowCount()
        self.table.insertRow(number)
        for col, value in enumerate(values):
            self.table.setItem(number, col, QTableWidgetItem(value))
        self._mark_stale(number)

    def _mark_stale(self, number: int) -> None:
        item = self.table.item(number, FIELDS.index("last_verified"))
        if item is None:
            return
        try:
            checked = date.fromisoformat(item.text().strip())
        except ValueError:
            return
        if is_stale(checked, self.today()):
            # The notice colour, through the theme's map (black in high contrast).
            item.setBackground(QColor(HIGH_CONTRAST["#fff4d6"] if current_high_contrast()
                                      else "#fff4d6"))
            item.setToolTip("Not checked for over a year: ring the number to check it.")
            item.setText(item.text().strip())

    def add_row(self) -> None:
        self._append(["", "", "", "", "", self.today().isoformat()])
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)
        self.table.setFocus()

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def _rows(self) -> list[dict[str, str]]:
        rows = []
        for number in range(self.table.rowCount()):
            cells = [self.table.item(number, col) for col in range(len(FIELDS))]
            rows.append({name: (cell.text() if cell else "")
                         for name, cell in zip(FIELDS, cells, strict=True)})
        return rows

    def save(self) -> None:
        actor = self.actor()
        course = self.current_course()
        if actor is None or course is None:
            return
        try:
            saved = contacts_ops.save(self.ctx, actor, course.id, self._rows(), self.today())
        except KioskError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        self.load()
        self.source.setText(f"Saved {saved} contacts.")

    def revert(self) -> None:
        course = self.current_course()
        if self.actor() is None or course is None:
            return
        if not self.confirm("Use the course's own list",
                            "Remove the centre's edited contacts and show the course's own "
                            "list again?"):
            return
        try:
            contacts_ops.revert(self.ctx, self.actor(), course.id)
        except KioskError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        self.load()

    def reset(self) -> None:
        self.table.setRowCount(0)
        self.message.hide()
