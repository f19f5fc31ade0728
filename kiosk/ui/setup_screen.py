"""First run: create the first manager and record the centre's name and kiosk id.

Shown only while no active manager exists. There are no default accounts:
this screen is the only way in on a new data.db (besides `kiosk users add`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.operations import setup
from kiosk.ui import metrics
from kiosk.ui.widgets import Screen, body, button, card_width, heading


def _field(name: str, accessible: str, password: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setMinimumHeight(metrics.FIELD_HEIGHT)
    edit.setMaxLength(200)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class SetupScreen(Screen):
    setup_completed = Signal(str)  # the new manager's username

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("setupScreen")
        card = QFrame()
        card.setObjectName("card")
        card_width(card, metrics.CARD_MIN_WIDTH, metrics.CARD_WIDTH + 120)
        layout = QVBoxLayout(card)
        layout.setSpacing(metrics.SPACING)
        layout.addWidget(heading("Set up this kiosk"))
        layout.addWidget(body(
            "There is no manager account yet. Create the first one: it can add staff, "
            "see results and the access log, and close the kiosk. Managers' passwords "
            "need at least 15 characters; a short sentence works well."
        ))
        self.centre_name = _field("centreName", "Centre name")
        self.kiosk_id = _field("kioskId", "Kiosk id")
        self.kiosk_id.setText(ctx.settings.kiosk_id)
        self.username = _field("managerUsername", "Manager username")
        self.full_name = _field("managerFullName", "Manager full name")
        self.password = _field("managerPassword", "Manager password", password=True)
        self.password.setMaxLength(1024)
        self.confirm = _field("managerPasswordConfirm", "Manager password again", password=True)
        self.confirm.setMaxLength(1024)
        form = QFormLayout()
        form.setSpacing(metrics.SPACING)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("&Centre name", self.centre_name)
        form.addRow("&Kiosk id", self.kiosk_id)
        form.addRow("Manager &username", self.username)
        form.addRow("Manager's &full name", self.full_name)
        form.addRow("&Password", self.password)
        form.addRow("Password &again", self.confirm)
        layout.addLayout(form)
        self.message = body("", "errorMessage")
        self.message.setAccessibleName("Set-up message")
        self.message.hide()
        layout.addWidget(self.message)
        self.create = button("Create manager account", primary=True)
        self.create.setObjectName("createManagerButton")
        layout.addWidget(self.create)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(metrics.MARGIN, metrics.MARGIN, metrics.MARGIN, metrics.MARGIN)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        self.create.clicked.connect(self.submit)
        for edit in (self.centre_name, self.kiosk_id, self.username, self.full_name,
                     self.password, self.confirm):
            edit.returnPressed.connect(self.submit)

    def entered(self) -> None:
        self.centre_name.setFocus(Qt.FocusReason.OtherFocusReason)

    def reset(self) -> None:
        self.password.clear()
        self.confirm.clear()
        self.message.hide()

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def submit(self) -> None:
        if self.password.text() != self.confirm.text():
            self._show("The two passwords are different. Type them again.")
            self.password.clear()
            self.confirm.clear()
            self.password.setFocus()
            return
        try:
            manager = setup.set_up_centre(
                self.ctx, centre_name=self.centre_name.text(), kiosk_id=self.kiosk_id.text(),
                username=self.username.text(), password=self.password.text(),
                full_name=self.full_name.text())
        except KioskError as exc:
            self._show(str(exc))
            # A refused password is not kept on screen: type it again, fresh.
            self.password.clear()
            self.confirm.clear()
            self.password.setFocus()
            return
        self.password.clear()
        self.confirm.clear()
        self.setup_completed.emit(manager.username)
