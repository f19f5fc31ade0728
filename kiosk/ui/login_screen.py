"""The login screen: the monitoring notice, username, password, and nothing else to leak.

Keyboard first: focus starts in the username, Tab moves on, Enter signs in.
Every failure shows the same message. Repeated failures make the name that was
tried wait longer each time (known or not, so the wait reveals no account), while
the next person at the kiosk can sign in at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.ui import metrics, theme
from kiosk.ui.widgets import Screen, announce, body, button, heading

if TYPE_CHECKING:  # the sign-in screen is painted before these are loaded (ui/app.py)
    from kiosk.auth import LoginOutcome
    from kiosk.context import AppContext

NOTICE = (
    "All access attempts are monitored and recorded. Every sign-in, right or wrong, "
    "is logged with the time and this kiosk's name, and may be reviewed by managers. "
    "Use only your own account."
)


class LoginScreen(Screen):
    logged_in = Signal(object)  # LoginOutcome
    urgent_help_requested = Signal()

    def __init__(self, ctx: AppContext | None, parent: QWidget | None = None) -> None:
        # ctx is None only while the kiosk starts: the screen is painted first and given
        # the context by MainWindow.start(); until then it signs nobody in.
        super().__init__(ctx, parent)  # type: ignore[arg-type]
        self.setObjectName("loginScreen")
        self._failures = 0
        self._wait_left = 0
        self._wait_timer = QTimer(self)
        self._wait_timer.setInterval(1000)
        self._wait_timer.timeout.connect(self._tick_wait)

        card = QFrame()
        card.setObjectName("card")
        card.setMinimumWidth(metrics.CARD_MIN_WIDTH)
        card.setMaximumWidth(metrics.CARD_WIDTH)
        form = QVBoxLayout(card)
        form.setSpacing(metrics.SPACING)

        self.title = heading("Safeguarding training")
        self.centre = body("", "centreName")
        self.notice = body(NOTICE, "notice")
        self.notice.setAccessibleName("Notice: all access attempts are monitored and recorded")

        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setAccessibleName("Username")
        self.username.setMaxLength(200)
        self.username.setMinimumHeight(metrics.FIELD_HEIGHT)
        self.username.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
        user_label = QLabel("&Username")
        user_label.setBuddy(self.username)

        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(1024)
        self.password.setMinimumHeight(metrics.FIELD_HEIGHT)
        pass_label = QLabel("&Password")
        pass_label.setBuddy(self.password)

        self.message = body("", "errorMessage")
        self.message.setAccessibleName("Sign-in message")
        self.message.hide()
        self.info = body("", "infoMessage")
        self.info.hide()

        # Chosen before signing in (someone who cannot read the form needs it first), then
        # kept in the person's own prefs once they sign in (kiosk/ui/main_window.py).
        self.contrast = button("High c&ontrast", "High contrast")
        self.contrast.setObjectName("loginContrastButton")
        self.contrast.setCheckable(True)
        self.contrast.setAutoDefault(False)
        self.larger = button("Larger &text", "Larger text")
        self.larger.setObjectName("loginLargerButton")
        self.larger.setCheckable(True)
        self.larger.setAutoDefault(False)
        self.chosen_prefs: dict[str, object] = {}

        self.sign_in = button("Sign in", primary=True)
        self.sign_in.setObjectName("signInButton")
        self.urgent = button("Worried about a child now? (F1)", "Worried about a child now? "
                             "Help without signing in (F1)")
        self.urgent.setObjectName("urgentButton")

        for widget in (self.title, self.centre, self.info, self.notice, user_label,
                       self.username, pass_label, self.password, self.message, self.sign_in):
            form.addWidget(widget)
        form.addWidget(self.urgent)
        row = QHBoxLayout()
        row.addWidget(self.contrast)
        row.addWidget(self.larger)
        row.addStretch(1)
        form.addLayout(row)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(metrics.MARGIN, metrics.MARGIN, metrics.MARGIN, metrics.MARGIN)
        outer.addStretch(1)
        centre_row = QHBoxLayout()
        centre_row.addStretch(1)
        centre_row.addWidget(card, 3)
        centre_row.addStretch(1)
        outer.addLayout(centre_row)
        outer.addStretch(1)

        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.sign_in)
        self.setTabOrder(self.sign_in, self.urgent)
        self.setTabOrder(self.urgent, self.contrast)
        self.setTabOrder(self.contrast, self.larger)
        self.contrast.toggled.connect(self._choice_changed)
        self.larger.toggled.connect(self._choice_changed)
        self.username.returnPressed.connect(self._enter_in_username)
        self.password.returnPressed.connect(self.submit)
        self.sign_in.clicked.connect(self.submit)
        self.urgent.clicked.connect(self.urgent_help_requested.emit)

    def entered(self) -> None:
        if self.ctx is not None:
            self.show_centre(self.ctx.settings.centre_name)
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_centre(self, name: str) -> None:
        self.centre.setText(name)
        self.centre.setVisible(bool(name))

    def reset(self) -> None:
        self.username.clear()
        self.password.clear()
        self.message.clear()
        self.message.hide()
        self.info.clear()
        self.info.hide()
        self._failures = 0
        self._end_wait()
        for choice in (self.contrast, self.larger):
            choice.blockSignals(True)
            choice.setChecked(False)
            choice.blockSignals(False)
        self.chosen_prefs = {}

    def show_info(self, text: str) -> None:
        """A calm note above the form (signed out for inactivity, set-up finished)."""
        announce(self.info, text)

    def _choice_changed(self) -> None:
        self.chosen_prefs = {
            theme.PREF_HIGH_CONTRAST: self.contrast.isChecked(),
            theme.PREF_TEXT_SCALE: 2 if self.larger.isChecked() else 0,  # 150%
        }
        theme.apply_person_theme(self.chosen_prefs)

    def _enter_in_username(self) -> None:
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus(Qt.FocusReason.TabFocusReason)

    def submit(self) -> None:
        if self._wait_left > 0 or self.ctx is None:
            return  # (no context: the kiosk is still opening data.db; what was typed stays)
        from kiosk.operations import session

        typed = self.username.text()
        password = self.password.text()
        # The password leaves the widget at once; nothing below keeps a copy.
        self.password.clear()
        outcome: LoginOutcome = session.sign_in(self.ctx, typed, password)
        del password
        if outcome.ok:
            self.info.hide()
            self.logged_in.emit(outcome)
            return
        self._failures += 1
        self.info.hide()
        # The wait belongs to the name that was tried (auth.py), never to the screen: the
        # next person in the queue signs in at once.
        wait = outcome.retry_after_seconds
        announce(self.message, outcome.message + (
            f" That username can be tried again in {wait} s; anyone else can sign in now."
            if wait else ""))
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def _start_wait(self, seconds: int) -> None:
        self._wait_left = seconds
        self.sign_in.setEnabled(False)
        self._show_wait()
        self._wait_timer.start()

    def _show_wait(self) -> None:
        self.sign_in.setText(f"Please wait {self._wait_left} s")

    def _tick_wait(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._end_wait()
        else:
            self._show_wait()

    def _end_wait(self) -> None:
        self._wait_timer.stop()
        self._wait_left = 0
        self.sign_in.setEnabled(True)
        self.sign_in.setText("Sign in")
