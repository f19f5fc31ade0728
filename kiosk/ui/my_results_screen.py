"""My results: every test attempt a person has made, and their certificates again."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk import certificate, quiz
from kiosk.clock import from_iso
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.ui import metrics
from kiosk.ui.certificate_pdf import print_certificate, save_certificate
from kiosk.ui.layouts import clear_layout
from kiosk.ui.widgets import Screen, body, button, heading
from kiosk.wording import human_date, plural
from kiosk.wording import number as score_text

HEADERS = ("Date", "Score", "Result", "Valid until", "Answers and certificate")


class MyResultsScreen(Screen):
    home_requested = Signal()
    answers_requested = Signal(str)  # an attempt id: show its result and wrong answers

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("myResultsScreen")
        self.title = heading("My results")
        self.summary = body("", "resultsSummary")
        self.table = QWidget()
        self.table.setObjectName("resultsTable")
        self.grid = QGridLayout(self.table)
        self.grid.setHorizontalSpacing(metrics.SPACING * 2)
        self.grid.setVerticalSpacing(metrics.SPACING // 2)
        scroll = QScrollArea()
        scroll.setObjectName("plainScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.table)
        self.home = button("Back to &home", "Back to home")
        self.home.setObjectName("homeButton")
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.home)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN, metrics.MARGIN, metrics.MARGIN, metrics.MARGIN)
        layout.setSpacing(metrics.SPACING)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)
        self.home.clicked.connect(self.home_requested.emit)
        self.rows: list[dict] = []

    def _clear(self) -> None:
        clear_layout(self.grid)

    def load(self) -> None:
        """Read this person's attempts afresh (newest first)."""
        self._clear()
        user = self.ctx.current_user
        course = self.ctx.course
        if user is None:
            return
        self.rows = quiz.attempts_for(self.ctx.db, user.id, course.id if course else None)
        today = self.ctx.clock.now().date()
        if not self.rows:
            self.summary.setText("You have not taken the test yet.")
            return
        self.summary.setText(
            f"{plural(len(self.rows), 'attempt')}. Dates are when each attempt finished.")
        for column, text in enumerate(HEADERS):
            self.grid.addWidget(body(text, "tableHeader"), 0, column)
        for number, row in enumerate(self.rows, start=1):
            self._add_row(number, row, today)
        self.grid.setRowStretch(len(self.rows) + 1, 1)
        self.grid.setColumnStretch(len(HEADERS), 1)

    def _add_row(self, number: int, row: dict, today: date) -> None:
        if row["status"] != "submitted":
            cells = [human_date(from_iso(row['started_at']), short=True), "–",
                     "In progress", "–"]
        else:
            passed = bool(row["passed"])
            expires = date.fromisoformat(row["expires_on"]) if row["expires_on"] else None
            if expires is None:
                valid = "–"
            elif expires < today:
                valid = f"{human_date(expires, short=True)} (expired)"
            else:
                valid = human_date(expires, short=True)
            cells = [human_date(from_iso(row['finished_at']), short=True),
                     f"{score_text(row['score'])} / {score_text(row['max_score'])} "
                     f"({score_text(row['percent'])}%)",
                     "Passed" if passed else "Not passed", valid]
        for column, text in enumerate(cells):
            self.grid.addWidget(body(text, "tableCell"), number, column)
        if row["status"] != "submitted":
            return
        actions = QWidget()
        alayout = QHBoxLayout(actions)
        alayout.setContentsMargins(0, 0, 0, 0)
        answers = button("See answers", f"See the answers of the test from {cells[0]}")
        answers.setObjectName("seeAnswersButton")
        answers.clicked.connect(lambda _=False, a=row["id"]: self.answers_requested.emit(a))
        alayout.addWidget(answers)
        self.grid.addWidget(actions, number, len(HEADERS) - 1)
        if row["passed"] and row["certificate_code"]:
            save = button("Save PDF", f"Save the certificate from {cells[0]} as a PDF")
            save.setObjectName("saveCertificateButton")
            printing = button("Print", f"Print the certificate from {cells[0]}")
            printing.setObjectName("printCertificateButton")
            save.clicked.connect(lambda _=False, a=row["id"]: self._save(a))
            printing.clicked.connect(lambda _=False, a=row["id"]: self._print(a))
            alayout.addWidget(save)
            alayout.addWidget(printing)

    def _facts(self, attempt_id: str) -> certificate.CertificateFacts | None:
        try:
            return certificate.for_attempt(self.ctx.db, self.ctx.settings, attempt_id,
                                           self.ctx.courses)
        except KioskError as exc:
            self.ctx.dialogs.warn("No certificate", str(exc))
            return None

    def _save(self, attempt_id: str) -> None:
        facts = self._facts(attempt_id)
        if facts is not None:
            save_certificate(self.ctx, facts)

    def _print(self, attempt_id: str) -> None:
        facts = self._facts(attempt_id)
        if facts is not None:
            print_certificate(self.ctx, facts)

    def entered(self) -> None:
        self.home.setFocus(Qt.FocusReason.OtherFocusReason)

    def reset(self) -> None:
        self._clear()
        self.rows = []
        self.summary.clear()
