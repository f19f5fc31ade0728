"""Choosing a new password, required after a manager has reset someone's password."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk import users
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.operations import session
from kiosk.ui import metrics
from kiosk.ui.widgets import Screen, body, button, card_width, heading


class PasswordChangeScreen(Screen):
    password_changed = Signal()
    cancelled = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("passwordChangeScreen")
        self.first_sign_in = False  # set by the main window: a new account, not a reset
        card = QFrame()
        card.setObjectName("card")
        card_width(card, metrics.CARD_MIN_WIDTH, metrics.CARD_WIDTH)
        layout = QVBoxLayout(card)
        layout.addWidget(heading("Choose a new password"))
        self.intro = body("")
        layout.addWidget(self.intro)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("New password")
        self.password.setObjectName("newPassword")
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setAccessibleName("New password again")
        self.confirm.setObjectName("newPasswordConfirm")
        for edit in (self.password, self.confirm):
            edit.setMinimumHeight(metrics.FIELD_HEIGHT)
            edit.setMaxLength(1024)
            edit.returnPressed.connect(self.submit)
        form = QFormLayout()
        form.addRow("&New password", self.password)
        form.addRow("&Again", self.confirm)
        layout.addLayout(form)
        self.message = body("", "errorMessage")
        self.message.hide()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.save = button("Save password", primary=True)
        self.cancel = button("Sign out")
        row.addWidget(self.cancel)
        row.addStretch(1)
        row.addWidget(self.save)
        layout.addLayout(row)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(card, 3)
        centre.addStretch(1)
        outer.addLayout(centre)
        outer.addStretch(1)
        self.save.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.cancelled.emit)

    def entered(self) -> None:
        user = self.ctx.current_user
        if user is not None:
            minimum = users.min_length_for(self.ctx.settings, user.role)
            why = ("Welcome: this is your first sign-in, with the temporary password you "
                   "were given." if self.first_sign_in else
                   "A manager has reset your password.")
            self.intro.setText(
                f"{why} Choose your own password now: at least {minimum} characters, one "
                "you do not use anywhere else. A short sentence works well."
            )
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def reset(self) -> None:
        self.password.clear()
        self.confirm.clear()
        self.message.hide()

    def submit(self) -> None:
        user = self.ctx.current_user
        if user is None:
            return
        if self.password.text() != self.confirm.text():
            self.message.setText("The two passwords are different. Type them again.")
            self.message.show()
            self.reset_fields()
            return
        try:
            session.change_own_password(self.ctx, user, self.password.text())
        except KioskError as exc:
            self.message.setText(str(exc))
            self.message.show()
            self.reset_fields()
            return
        self.reset()
        self.ctx.current_user = users.get(self.ctx.db, user.id)
        self.password_changed.emit()

    def reset_fields(self) -> None:
        self.password.clear()
        self.confirm.clear()
        self.password.setFocus()
