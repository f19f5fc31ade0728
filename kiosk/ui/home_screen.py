"""After sign-in: the person's name, their last sign-in, and where to go next.

Everyone sees the training (guidance, test, results); managers also see the
manager area and the way to close the kiosk.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk import journey as journey_mod
from kiosk.clock import from_iso, local_today
from kiosk.contacts import effective_contacts, stale_contacts
from kiosk.context import AppContext
from kiosk.course import reviews_due
from kiosk.ui import metrics
from kiosk.ui.layouts import clear_layout
from kiosk.ui.widgets import Screen, body, button, heading, set_primary
from kiosk.wording import human_date, human_datetime


def describe_last_sign_in(previous: str | None, failures: int) -> str:
    if previous:
        moment = from_iso(previous).astimezone()  # shown in the PC's local time
        text = f"Last signed in {moment:%A} {human_datetime(moment)}"
    else:
        text = "This is your first sign-in"
    # Two sentences, not "A · B": at large text the line broke before the "·".
    since = "since then" if previous else "before now"
    if failures == 1:
        text += f". 1 failed attempt to sign in to your account {since}"
    elif failures:
        text += f". {failures} failed attempts to sign in to your account {since}"
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
        self.journey: journey_mod.Journey | None = None
        self.welcome = heading("")
        self.last_sign_in = body("", "lastSignIn")

        # Left: the course at a glance, each section read or not and the reading left.
        self.course_box = QFrame()
        self.course_box.setObjectName("homeCourse")
        clayout = QVBoxLayout(self.course_box)
        clayout.setSpacing(metrics.SPACING // 2)
        self.course_title = heading("", level=2)
        self.reading_summary = body("", "muted")
        self.reading_summary.setAccessibleName("Reading progress")
        self.sections_box = QWidget()
        self.sections_layout = QVBoxLayout(self.sections_box)
        self.sections_layout.setContentsMargins(0, 0, 0, 0)
        self.sections_layout.setSpacing(4)
        self.reading_rule = body("A section counts as read once you reach its end.", "muted")
        clayout.addWidget(self.course_title)
        clayout.addWidget(self.reading_summary)
        clayout.addWidget(self.sections_box)
        clayout.addWidget(self.reading_rule)
        clayout.addStretch(1)

        # Right: the status with its date, the last result, and the one next step.
        self.status_box = QFrame()
        self.status_box.setObjectName("homeStatusCard")
        slayout = QVBoxLayout(self.status_box)
        slayout.setSpacing(metrics.SPACING)
        slayout.addWidget(heading("Your training", level=2))
        self.status = body("", "trainingStatus")
        self.status.setAccessibleName("Training status")
        self.status.hide()
        self.last_result = body("", "lastSignIn")
        self.last_result.setAccessibleName("Last result")
        self.last_result.hide()
        self.guidance = button("Read the guidance")
        self.guidance.setObjectName("guidanceButton")
        self.test = button("Take the test")
        self.test.setObjectName("testButton")
        self.results = button("My results")
        self.results.setObjectName("resultsButton")
        slayout.addWidget(self.status)
        slayout.addWidget(self.last_result)
        for b in (self.guidance, self.test, self.results):
            slayout.addWidget(b)
        slayout.addStretch(1)

        columns = QHBoxLayout()
        self.columns = columns
        columns.setSpacing(metrics.SPACING)
        columns.addWidget(self.course_box, 3)
        columns.addWidget(self.status_box, 2)

        self.manager_box = QFrame()
        self.manager_box.setObjectName("managerBox")
        mlayout = QVBoxLayout(self.manager_box)
        mlayout.addWidget(heading("Manager", level=2))
        mrow = QHBoxLayout()
        self.manager_area = button("Open the manager area")
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
        top = QHBoxLayout()
        names = QVBoxLayout()
        names.addWidget(self.welcome)
        names.addWidget(self.last_sign_in)
        top.addLayout(names, 1)
        top.addWidget(self.sign_out, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN, metrics.MARGIN // 2, metrics.MARGIN,
                                  metrics.MARGIN // 2)
        layout.setSpacing(metrics.SPACING)
        layout.addLayout(top)
        layout.addLayout(columns)
        layout.addWidget(self.manager_box)
        layout.addStretch(1)

        self.guidance.clicked.connect(self.guidance_requested.emit)
        self.test.clicked.connect(self.test_requested.emit)
        self.results.clicked.connect(self.results_requested.emit)
        self.manager_area.clicked.connect(self.manager_area_requested.emit)
        self.exit_kiosk.clicked.connect(self.exit_requested.emit)
        self.sign_out.clicked.connect(self.sign_out_requested.emit)
        self.setTabOrder(self.guidance, self.test)
        self.setTabOrder(self.test, self.results)
        self.setTabOrder(self.results, self.manager_area)
        self.setTabOrder(self.manager_area, self.exit_kiosk)
        self.setTabOrder(self.exit_kiosk, self.sign_out)

    def changeEvent(self, event: QEvent) -> None:  # Qt's name
        # At large text two columns leave a few words a line and push the next step below
        # the fold: stack them, "Your training" (status and next step) first.
        if event.type() == QEvent.Type.FontChange and hasattr(self, "columns"):
            large = self.font().pixelSize() >= 24
            self.columns.setDirection(QBoxLayout.Direction.BottomToTop if large
                                      else QBoxLayout.Direction.LeftToRight)
        super().changeEvent(event)

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
                                   local_today(self.ctx.clock))
        if not stale:
            self.stale_contacts.clear()
            self.stale_contacts.hide()
            return
        names = "\n".join(
            f"\u2022 {c.name} (last verified {human_date(c.last_verified)})" for c in stale)
        count = len(stale)
        self.stale_contacts.setText(
            f"Check the contacts: {count} {'has' if count == 1 else 'have'} not been verified "
            f"in the last 12 months. A wrong number in an emergency costs time.\n{names}")
        self.stale_contacts.show()

    def set_journey(self, j: journey_mod.Journey, course_title: str) -> None:
        """Lay out where the person stands; the next step becomes the one primary button."""
        self.journey = j
        self.course_title.setText(course_title)
        self.reading_summary.setText(j.reading_summary())
        clear_layout(self.sections_layout)
        for number, section in enumerate(j.sections, start=1):
            mark = "\u2713 Read" if section.read else (
                "Started" if section.opened else "Not read yet")
            line = body(f"{number}. {section.title} \u2014 {mark} "
                        f"({section.minutes} min)",
                        "sectionRead" if section.read else "sectionUnread")
            line.setAccessibleName(f"Section {number}, {section.title}: {mark}, about "
                                   f"{section.minutes} minutes")
            self.sections_layout.addWidget(line)
            line.show()
        self.last_result.setText(j.status.last_result())
        self.last_result.setVisible(bool(self.last_result.text()))
        self.status.setProperty("failed", j.status.last_failed)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.test.setText({journey_mod.RESUME: "Resume the test",
                           journey_mod.RETAKE: "Retake the test"}.get(j.next_action,
                                                                       "Take the test"))
        self.test.setAccessibleName(self.test.text())
        self.guidance.setText("Carry on reading" if j.next_action == journey_mod.READ and any(
            s.opened for s in j.sections) else "Read the guidance")
        self.guidance.setAccessibleName(self.guidance.text())
        self.results.setText("My results and certificate" if j.status.passed_on
                             else "My results")
        self.results.setAccessibleName(self.results.text())
        primary = self.primary_button()
        for b in (self.guidance, self.test, self.results):
            set_primary(b, b is primary)

    def primary_button(self) -> QPushButton:
        action = self.journey.next_action if self.journey else journey_mod.READ
        if action in (journey_mod.TEST, journey_mod.RESUME, journey_mod.RETAKE):
            return self.test
        if action == journey_mod.RESULTS:
            return self.results
        return self.guidance

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def set_test_in_progress(self, in_progress: bool) -> None:
        """A test already started is resumed, not begun again: say so on the button."""
        if in_progress:
            self.test.setText("Resume the test")
        elif self.test.text() == "Resume the test":
            self.test.setText("Take the test")
        self.test.setAccessibleName(self.test.text())

    def entered(self) -> None:
        self.primary_button().setFocus(Qt.FocusReason.OtherFocusReason)

    def reset(self) -> None:
        self.journey = None
        self.welcome.clear()
        self.last_sign_in.clear()
        self.set_status("")
        self.last_result.clear()
        self.last_result.hide()
        clear_layout(self.sections_layout)
        self.reading_summary.clear()
        self.course_title.clear()
        self.set_test_in_progress(False)
        self.manager_box.hide()
        self.stale_contacts.clear()
        self.stale_contacts.hide()
        self.reviews_due.clear()
        self.reviews_due.hide()
