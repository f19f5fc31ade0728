"""After sign-in: the person's name, their last sign-in, and where to go next.

Everyone sees the training (guidance, test, results); managers also see the
manager area and the way to close the kiosk.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.clock import from_iso
from kiosk.contacts import effective_contacts, stale_contacts
from kiosk.context import AppContext
from kiosk.course import reviews_due
from kiosk.ui import metrics
from kiosk.ui.widgets import Screen, body, button, heading


def describe_last_sign_in(previous: str | None, failures: int) -> str:
    if previous:
        moment = from_iso(previous).astimezone()  # shown in the PC's local time
        text = f"Last signed in {moment:%A %d %B %Y at %H:%M}"
    else:
        text = "This is your first sign-in"
    since = "since then" if previous else "before now"
    if failures == 1:
        text += f" · 1 failed attempt on your account {since}"
    elif failures:
        text += f" · {failures} failed attempts on your account {since}"
    return text + "."


class HomeScreen(Screen):
    guidance_requested = Signal()
    test_requested = Signal()
    results_requested = Signal()
    manager_area_requested = Signal()
    exit_requested = Signal()
    sign_out_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("homeScreen")
        self.welcome = heading("")
        self.last_sign_in = body("", "lastSignIn")
        self.status = body("", "trainingStatus")
        self.status.setAccessibleName("Training status")
        self.status.hide()

        self.guidance = button("Read the guidance", primary=True)
        self.guidance.setObjectName("guidanceButton")
        self.test = button("Take the test")
        self.test.setObjectName("testButton")
        self.results = button("My results")
        self.results.setObjectName("resultsButton")
        training = QGridLayout()
        training.setSpacing(metrics.SPACING)
        training.addWidget(self.guidance, 0, 0)
        training.addWidget(self.test, 0, 1)
        training.addWidget(self.results, 0, 2)

        self.manager_box = QFrame()
        self.manager_box.setObjectName("managerBox")
        mlayout = QVBoxLayout(self.manager_box)
        mlayout.addWidget(heading("Manager", level=2))
        mrow = QHBoxLayout()
        self.manager_area = button("Open the manager area", primary=True)
        self.manager_area.setObjectName("managerAreaButton")
        self.exit_kiosk = button("Close the kiosk…", "Close the kiosk (needs your password)")
        self.exit_kiosk.setObjectName("exitKioskButton")
        mrow.addWidget(self.manager_area)
        mrow.addStretch(1)
        mrow.addWidget(self.exit_kiosk)
        mlayout.addLayout(mrow)
        self.stale_contacts = body("", "staleContacts")
        self.stale_contacts.setAccessibleName("Contacts to check")
        self.stale_contacts.hide()
        mlayout.addWidget(self.stale_contacts)
        self.reviews_due = body("", "reviewsDue")
        self.reviews_due.setAccessibleName("Course content past its review date")
        self.reviews_due.hide()
        mlayout.addWidget(self.reviews_due)

        self.sign_out = button("Sign out")
        self.sign_out.setObjectName("signOutButton")
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.sign_out)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN, metrics.MARGIN, metrics.MARGIN, metrics.MARGIN)
        layout.setSpacing(metrics.SPACING)
        layout.addWidget(self.welcome)
        layout.addWidget(self.last_sign_in)
        layout.addWidget(self.status)
        layout.addSpacing(metrics.SPACING)
        layout.addWidget(heading("Your training", level=2))
        layout.addLayout(training)
        layout.addSpacing(metrics.SPACING)
        layout.addWidget(self.manager_box)
        layout.addStretch(1)
        layout.addLayout(bottom)

        self.guidance.clicked.connect(self.guidance_requested.emit)
        self.test.clicked.connect(self.test_requested.emit)
        self.results.clicked.connect(self.results_requested.emit)
        self.manager_area.clicked.connect(self.manager_area_requested.emit)
        self.exit_kiosk.clicked.connect(self.exit_requested.emit)
        self.sign_out.clicked.connect(self.sign_out_requested.emit)

    def show_user(self, previous_login_at: str | None, failures_since: int) -> None:
        user = self.ctx.current_user
        if user is None:
            return
        self.welcome.setText(f"Welcome, {user.display_name}")
        self.last_sign_in.setText(describe_last_sign_in(previous_login_at, failures_since))
        self.manager_box.setVisible(user.is_manager)
        self.show_stale_contacts()
        self.show_reviews_due()

    def show_reviews_due(self) -> None:
        """Managers are told which course content is past its review date."""
        user = self.ctx.current_user
        due = []
        if user is not None and user.is_manager:
            due = reviews_due(self.ctx.courses, self.ctx.clock.now().date())
        if not due:
            self.reviews_due.clear()
            self.reviews_due.hide()
            return
        lines = "\n".join(f"\u2022 {d.describe()}" for d in due)
        self.reviews_due.setText(
            "Course content to review against current guidance:\n" + lines)
        self.reviews_due.show()

    def show_stale_contacts(self) -> None:
        """Managers are told which contacts nobody has checked in the last 12 months."""
        user, course = self.ctx.current_user, self.ctx.course
        stale = []
        if user is not None and user.is_manager and course is not None:
            stale = stale_contacts(effective_contacts(self.ctx.db, course),
                                   self.ctx.clock.now().date())
        if not stale:
            self.stale_contacts.clear()
            self.stale_contacts.hide()
            return
        names = "\n".join(
            f"\u2022 {c.name} (last verified {c.last_verified.day} {c.last_verified:%B %Y})"
            for c in stale)
        self.stale_contacts.setText(
            f"Check the contacts: {len(stale)} not verified in the last 12 months. "
            f"A wrong number in an emergency costs time.\n{names}")
        self.stale_contacts.show()

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def set_test_in_progress(self, in_progress: bool) -> None:
        """A test already started is resumed, not begun again: say so on the button."""
        self.test.setText("Resume the test" if in_progress else "Take the test")
        self.test.setAccessibleName(self.test.text())

    def entered(self) -> None:
        self.guidance.setFocus(Qt.FocusReason.OtherFocusReason)

    def reset(self) -> None:
        self.welcome.clear()
        self.last_sign_in.clear()
        self.set_status("")
        self.set_test_in_progress(False)
        self.manager_box.hide()
        self.stale_contacts.clear()
        self.stale_contacts.hide()
        self.reviews_due.clear()
        self.reviews_due.hide()
