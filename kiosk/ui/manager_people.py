"""People: add, edit, disable (never delete), unlock, reset a password, import from CSV."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk import people_import, users
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.operations import people, quiz
from kiosk.ui import metrics
from kiosk.ui.layouts import flow_row
from kiosk.ui.manager_common import ManagerPanel, RowsModel, local_time, table_view
from kiosk.ui.password_slips import Slip, print_slips
from kiosk.ui.widgets import body, button, enter_acts, heading

COLUMNS = (
    ("username", "Username"), ("full_name", "Name"), ("role_shown", "Role"),
    ("job_title", "Job title"), ("state", "Status"), ("last_login_at", "Last sign-in"),
)


class PeoplePanel(ManagerPanel):
    title = "People"
    view_name = "people"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("peoplePanel")
        self.model = RowsModel(COLUMNS, formatters={"last_login_at": local_time}, parent=self)
        self.table = table_view(self.model, "People table")
        self.table.setObjectName("peopleTable")

        self.username = QLineEdit()
        self.full_name = QLineEdit()
        self.job_title = QLineEdit()
        self.role = QComboBox()
        for role in users.ROLES:
            self.role.addItem(role.title(), role)
        for widget, name in ((self.username, "Username"), (self.full_name, "Full name"),
                             (self.job_title, "Job title"), (self.role, "Role")):
            widget.setAccessibleName(name)
            widget.setMinimumHeight(metrics.FIELD_HEIGHT)
        self.username.setMaxLength(users.USERNAME_MAX)
        self.full_name.setMaxLength(users.NAME_MAX)
        self.job_title.setMaxLength(users.NAME_MAX)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("&Username", self.username)
        form.addRow("Full &name", self.full_name)
        form.addRow("R&ole", self.role)
        form.addRow("&Job title", self.job_title)
        for field in (self.username, self.full_name, self.role, self.job_title):
            # Level with the middle of its field, not with its top edge.
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setMinimumHeight(metrics.FIELD_HEIGHT)
                label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.editing = body("", "lastSignIn")

        self.new_button = button("New person")
        self.add_button = button("Add person", primary=True)
        self.save_button = button("Save changes")
        self.disable_button = button("Disable")
        self.unlock_button = button("Unlock")
        self.reset_button = button("Reset password…")
        self.import_button = button("Import from CSV…")
        self.grant_button = button("Grant a test attempt",
                                   "Grant one more test attempt past the limit or cool-down")
        self.slips_button = button("&Print password slips…",
                                   "Print the temporary passwords as slips, one per person")
        self.slips_button.setObjectName("printSlipsButton")
        self.slips_button.setEnabled(False)
        # Rows that wrap: each button as wide as its words, so the side fits at 1024x768
        # without scrolling (a 2-column grid of equal buttons did not).
        rows = QVBoxLayout()
        for group in ((self.new_button, self.add_button, self.save_button),
                      (self.disable_button, self.unlock_button, self.reset_button,
                       self.grant_button),
                      (self.import_button, self.slips_button)):
            rows.addLayout(flow_row(*group))
        self.message = body("", "errorMessage")
        self.message.hide()
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setObjectName("importReport")
        self.report.setAccessibleName("Import report")
        self.report.setPlaceholderText("The report of a CSV import, and the temporary "
                                       "passwords of people added or reset, appear here.")
        # Temporary passwords are read off the screen: one line each, never wrapped.
        self.report.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.report.setMinimumHeight(72)
        self.passwords_note = body("Temporary passwords are shown only here, until you leave "
                                   "this tab. Print them as slips to hand out (Print "
                                   "password slips).", "notice")
        self.passwords_note.hide()

        side = QVBoxLayout()
        side.addWidget(heading("Details", level=2))
        side.addWidget(self.editing)
        side.addLayout(form)
        side.addWidget(self.message)
        side.addLayout(rows)
        side.addWidget(self.passwords_note)
        side.addWidget(self.report, 1)
        side_box = QWidget()
        side_box.setLayout(side)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # The room is shared by these ratios alone (the table's own width wish would take
        # nearly all of it and squeeze the form): wide columns scroll inside the table.
        self.table.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.table, 5)
        layout.addWidget(side_box, 4)
        self._form = form

        self.selected: users.User | None = None
        # Temporary passwords given out since the tab was opened: in memory only, on screen
        # and on the printed slips, gone when the manager leaves the tab.
        self.slips: list[Slip] = []
        self._import_lines: list[str] = []
        self._last_report: object = None
        self.table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.select(cur.row()))
        self.new_button.clicked.connect(self.new_person)
        self.add_button.clicked.connect(self.add_person)
        self.save_button.clicked.connect(self.save_person)
        self.disable_button.clicked.connect(self.toggle_disabled)
        self.unlock_button.clicked.connect(self.unlock)
        self.reset_button.clicked.connect(self.reset_password)
        self.import_button.clicked.connect(self.import_csv)
        self.grant_button.clicked.connect(self.grant_attempt)
        self.slips_button.clicked.connect(self.print_slips)
        enter_acts(self.submit, self.username, self.full_name, self.job_title, self.role)
        self.new_person()

    def shown(self) -> None:
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # Qt's name
        # At large text a label beside its field leaves the field a few letters wide: put
        # labels above fields then.
        if event.type() == QEvent.Type.FontChange and hasattr(self, "_form"):
            large = self.fontMetrics().height() > 26
            self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows if large
                                        else QFormLayout.RowWrapPolicy.DontWrapRows)
        super().changeEvent(event)

    def left_tab(self) -> None:
        """Temporary passwords leave the screen as soon as the manager leaves the tab."""
        self._forget_passwords()

    def _forget_passwords(self) -> None:
        self.slips.clear()
        self._import_lines = []
        self._last_report = None
        self.report.clear()
        self.passwords_note.hide()
        self.slips_button.setEnabled(False)

    def _add_slips(self, new: list[Slip]) -> None:
        self.slips.extend(new)
        self.slips_button.setEnabled(bool(self.slips))
        self._show_text()

    def _show_text(self) -> None:
        lines = list(self._import_lines)
        if self.slips:
            if lines:
                lines.append("")
            # Short lines: the box never wraps (a password must read as one line), so the
            # explanation is in the label above it and each line is username, password.
            lines.append("Temporary passwords:")
            width = max(len(s.username) for s in self.slips)
            lines += [f"  {s.username.ljust(width)}  {s.password}" for s in self.slips]
        self.report.setPlainText("\n".join(lines))
        self.passwords_note.setVisible(bool(self.slips))

    def print_slips(self) -> None:
        if self.actor() is None or not self.slips:
            return
        if print_slips(self.ctx, list(self.slips)):
            self.editing.setText(f"Printed {len(self.slips)} "
                                 f"slip{'' if len(self.slips) == 1 else 's'}.")

    def submit(self) -> None:
        """Enter in a field: add the new person, or save the one being edited."""
        if self.selected is None:
            self.add_person()
        else:
            self.save_person()

    def refresh(self) -> None:
        if self.actor() is None:
            return
        rows = []
        try:
            listed = people.list_people(self.ctx, self.actor())
        except KioskError as exc:
            self._fail(exc)
            return
        for person in listed:
            u = person.user
            rows.append({"username": u.username, "full_name": u.full_name, "role": u.role,
                         "job_title": u.job_title, "state": person.state.capitalize(),
                         "role_shown": u.role.title(),
                         "last_login_at": u.last_login_at, "_id": u.id})
        keep = self.selected.id if self.selected else None
        self.model.set_rows(rows)
        if keep is not None:
            for number, row in enumerate(rows):
                if row["_id"] == keep:
                    self.table.selectRow(number)
                    self.select(number)
                    break

    def select(self, number: int) -> None:
        if self.actor() is None or number < 0 or number >= len(self.model.rows):
            return
        self.selected = users.get(self.ctx.db, self.model.row(number)["_id"])
        u = self.selected
        self.username.setText(u.username)
        self.username.setReadOnly(True)
        self.full_name.setText(u.full_name)
        self.job_title.setText(u.job_title)
        self.role.setCurrentIndex(self.role.findData(u.role))
        self.editing.setText(f"Editing {u.username}. Usernames cannot be changed.")
        self.disable_button.setText("Enable" if u.disabled else "Disable")
        self.disable_button.setAccessibleName(self.disable_button.text())
        for b in (self.save_button, self.disable_button, self.unlock_button, self.reset_button,
                  self.grant_button):
            b.setEnabled(True)
        self.add_button.setEnabled(False)
        self.message.hide()

    def new_person(self) -> None:
        self.selected = None
        self.table.clearSelection()
        for edit in (self.username, self.full_name, self.job_title):
            edit.clear()
        self.username.setReadOnly(False)
        self.role.setCurrentIndex(0)
        self.editing.setText("A new person: they get a temporary password to change at "
                             "their first sign-in.")
        # Buttons that act on a selected person are off until someone is selected.
        for b in (self.save_button, self.disable_button, self.unlock_button, self.reset_button,
                  self.grant_button):
            b.setEnabled(False)
        self.add_button.setEnabled(True)
        self.message.hide()
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fail(self, exc: KioskError) -> None:
        self.message.setText(str(exc))
        self.message.show()

    def add_person(self) -> None:
        actor = self.actor()
        if actor is None:
            return
        try:
            added = people.add(self.ctx, actor, username=self.username.text(),
                               role=self.role.currentData(), full_name=self.full_name.text(),
                               job_title=self.job_title.text())
        except KioskError as exc:
            self._fail(exc)
            return
        self.refresh()
        if added.temporary_password:
            self._add_slips([Slip(added.user.username, added.temporary_password,
                                  added.user.full_name)])
        self.inform("Person added", self._password_note(added.user,
                                                        added.temporary_password or ""))
        self.new_person()

    @staticmethod
    def _password_note(user: users.User, password: str) -> str:
        return (f"Temporary password for {user.username}:\n\n{password}\n\n"
                "Give it to them now, or print it as a slip (Print password slips): it "
                "leaves the screen when you leave the People tab. They must choose their "
                "own password when they first sign in.")

    def save_person(self) -> None:
        actor = self.actor()
        if actor is None or self.selected is None:
            return
        try:
            people.edit(self.ctx, actor, self.selected.username,
                        full_name=self.full_name.text(), role=self.role.currentData(),
                        job_title=self.job_title.text())
        except KioskError as exc:
            self._fail(exc)
            return
        self.refresh()
        self.editing.setText(f"Saved {self.selected.username}.")

    def toggle_disabled(self) -> None:
        actor = self.actor()
        if actor is None or self.selected is None:
            return
        target = self.selected
        if not target.disabled and not self.confirm(
            "Disable account",
            f"Disable {target.username}? They will not be able to sign in. Their training "
            "records are kept, and you can enable the account again later."):
            return
        try:
            people.set_disabled(self.ctx, actor, target.username, not target.disabled)
        except KioskError as exc:
            self._fail(exc)
            return
        self.refresh()

    def unlock(self) -> None:
        actor = self.actor()
        if actor is None or self.selected is None:
            return
        try:
            people.unlock(self.ctx, actor, self.selected.username)
        except KioskError as exc:
            self._fail(exc)
            return
        self.refresh()
        self.editing.setText(f"Unlocked {self.selected.username}.")

    def reset_password(self) -> None:
        actor = self.actor()
        if actor is None or self.selected is None:
            return
        target = self.selected
        if not self.confirm("Reset password",
                            f"Give {target.username} a new temporary password? Their "
                            "current password stops working now."):
            return
        try:
            target, password = people.reset_password(self.ctx, actor, target.username)
        except KioskError as exc:
            self._fail(exc)
            return
        self.refresh()
        self._add_slips([Slip(target.username, password, target.full_name)])
        self.inform("Password reset", self._password_note(target, password))

    def grant_attempt(self) -> None:
        """One more attempt for the selected person, past the attempt limit or cool-down."""
        actor = self.actor()
        course = self.ctx.course
        if actor is None or self.selected is None or course is None:
            return
        target = self.selected
        if not self.confirm("Grant a test attempt",
                            f"Let {target.username} take the test once more, even if they "
                            "have reached the attempt limit or are in a cool-down?",
                            yes_by_default=True):
            return
        try:
            quiz.grant_attempt(self.ctx, actor, target.username, course.id)
        except KioskError as exc:
            self._fail(exc)
            return
        self.editing.setText(f"{target.username} may take the test once more.")

    def import_csv(self) -> None:
        actor = self.actor()
        if actor is None:
            return
        path = self.ctx.dialogs.ask_open_path("Import people from CSV",
                                              "CSV files (*.csv *.txt);;All files (*)")
        if not path:
            return
        self._import_lines = ["Importing…"]
        self._show_text()
        shown = _ShowBeforeCommit(self._show_report)
        self._shown = shown  # alive until the job reports back
        self.jobs.start(self.ctx, "Importing people…",
                        lambda ctx, progress: people.import_people(
                            ctx, actor, path, progress=lambda done, _total: progress(done),
                            before_commit=shown.show_and_wait),
                        done=self._show_report,
                        failed=self._import_failed)

    def _import_failed(self, message: str) -> None:
        self._import_lines = []
        self._show_text()
        self.warn("Import not possible", message)

    def _show_report(self, report: object) -> None:
        assert isinstance(report, people_import.ImportReport)
        if report is self._last_report:
            # Shown already, just before the commit; this is the job's "done": the new
            # accounts are committed now, so the table can list them.
            self.refresh()
            return
        self._last_report = report
        lines = [report.summary(), ""]
        lines += [f"Note: {n}" for n in report.notes]
        if report.accepted:
            lines.append("Added (each person chooses their own password at first sign-in):")
            lines += [f"  line {r.line}: {r.username}" for r in report.accepted]
        if report.rejected:
            lines.append("")
            lines.append("Not added:")
            lines += [f"  {r.describe()}" for r in report.rejected]
        self._import_lines = lines
        self._add_slips([Slip(r.username, r.temporary_password, r.full_name)
                         for r in report.accepted])
        self.report.repaint()
        self.refresh()

    def reset(self) -> None:
        self._forget_passwords()
        self.model.set_rows([])
        self.new_person()


class _ShowBeforeCommit(QObject):
    """Shows an import's report on the GUI thread while the worker waits, before commit.

    people_import commits the new accounts only after `before_commit` returns, so a kiosk
    killed at any moment never leaves an account whose temporary password nobody saw.
    The worker blocks (BlockingQueuedConnection) until the report has been painted.
    """

    requested = Signal(object)

    def __init__(self, show: Callable[[object], None]) -> None:
        super().__init__()
        self._show = show
        self.requested.connect(self._on_requested, Qt.ConnectionType.BlockingQueuedConnection)

    @Slot(object)
    def _on_requested(self, report: object) -> None:
        self._show(report)

    def show_and_wait(self, report: people_import.ImportReport) -> None:
        self.requested.emit(report)
