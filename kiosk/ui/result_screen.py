"""The result of a submitted test: score, pass or fail, and what to read again.

Each wrong answer shows its explanation and a link back to its guidance section;
whether the right option is revealed follows the course's `reveal_answers`.
On a pass the certificate can be saved as a PDF or printed straight away.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk import certificate
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.quiz import Attempt, AttemptQuestion
from kiosk.ui import metrics
from kiosk.ui.certificate_pdf import print_certificate, save_certificate
from kiosk.ui.layouts import clear_layout, flow_row
from kiosk.ui.widgets import ElidingButton, Screen, body, button, heading
from kiosk.wording import human_date, plural


def _number(value: float | None) -> str:
    return f"{(value or 0):g}"


def _options_text(item: AttemptQuestion, indices: frozenset[int]) -> str:
    return "; ".join(item.question.options[i] for i in item.option_order if i in indices)


class ResultScreen(Screen):
    section_requested = Signal(str)
    home_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("resultScreen")
        self.attempt: Attempt | None = None
        self.facts: certificate.CertificateFacts | None = None

        self.verdict = heading("")
        self.verdict.setObjectName("resultVerdict")
        self.score = body("", "resultScore")
        self.score.setAccessibleName("Your score")
        self.next_step = body("", "resultNextStep")

        self.save = button("&Save certificate (PDF)", "Save certificate as a PDF", primary=True)
        self.save.setObjectName("saveCertificateButton")
        self.print = button("&Print certificate", "Print certificate")
        self.print.setObjectName("printCertificateButton")
        self.home = button("Back to &home", "Back to home")
        self.home.setObjectName("homeButton")
        # A row that wraps: at 200% text the three buttons are wider than 1024 pixels.
        actions = flow_row(self.save, self.print, self.home)
        # A pass is an occasion: the verdict, the dates and the certificate in one box.
        self.top_box = QFrame()
        self.top_box.setObjectName("resultTop")
        top = QVBoxLayout(self.top_box)
        top.setSpacing(metrics.SPACING // 2)
        top.addWidget(self.verdict)
        top.addWidget(self.score)
        top.addWidget(self.next_step)
        top.addLayout(actions)

        self.review_heading = heading("", level=2)
        self.review_box = QWidget()
        self.review_box.setObjectName("resultReview")
        self.review_layout = QVBoxLayout(self.review_box)
        self.review_layout.setContentsMargins(0, 0, 8, 0)
        self.review_layout.setSpacing(metrics.SPACING)
        scroll = QScrollArea()
        scroll.setObjectName("plainScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.review_box)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN, metrics.MARGIN // 2, metrics.MARGIN,
                                  metrics.MARGIN // 2)
        layout.setSpacing(metrics.SPACING // 2)
        layout.addWidget(self.top_box)
        layout.addWidget(self.review_heading)
        layout.addWidget(scroll, 1)

        self.save.clicked.connect(self._save)
        self.print.clicked.connect(self._print)
        self.home.clicked.connect(self.home_requested.emit)

    def show_attempt(self, attempt: Attempt) -> None:
        self.attempt = attempt
        course = self.ctx.course
        passed = bool(attempt.passed)
        user = self.ctx.current_user
        first = (user.display_name.split()[0] if user is not None and user.display_name
                 else "")
        self.verdict.setText(f"Well done{', ' + first if first else ''}: you passed"
                              if passed else "Not passed this time")
        for widget in (self.verdict, self.top_box):
            widget.setProperty("passed", passed)
            widget.style().unpolish(widget)  # the colour follows the property
            widget.style().polish(widget)
        self.score.setText(
            f"You scored {_number(attempt.score)} out of {_number(attempt.max_score)} "
            f"({_number(attempt.percent)}%). The pass mark is {attempt.pass_mark}%.")
        if passed and attempt.expires_on:
            self.next_step.setText(
                f"You are trained until {human_date(attempt.expires_on)}. Your certificate "
                f"(code {attempt.certificate_code}) is ready: save it or print it now, or "
                "later from \"My results\".")
        else:
            wrong = [q for q in attempt.questions if not q.correct]
            titles = []
            for q in wrong:
                title = (self.ctx.course.section(q.question.section).title
                         if self.ctx.course is not None else q.question.section)
                if title not in titles:
                    titles.append(title)
            self.next_step.setText(
                "What to do next: read again " + (", ".join(titles) or "the guidance")
                + ", then retake the test from the home screen. These answers stay in "
                "\"My results\".")
        self.facts = None
        if passed:
            try:
                self.facts = certificate.for_attempt(self.ctx.db, self.ctx.settings, attempt.id,
                                                     self.ctx.courses or (course,))
            except KioskError:
                self.facts = None
        self.save.setVisible(self.facts is not None)
        self.print.setVisible(self.facts is not None)
        self._fill_review(attempt)

    def _fill_review(self, attempt: Attempt) -> None:
        clear_layout(self.review_layout)
        wrong = [q for q in attempt.questions if not q.correct]
        reveal = bool(getattr(self.ctx.course, "reveal_answers", True))
        if not wrong:
            self.review_heading.setText("Every answer was right.")
            self.review_layout.addStretch(1)
            return
        self.review_heading.setText(f"{plural(len(wrong), 'answer')} to look at again")
        for item in wrong:
            card = QFrame()
            card.setObjectName("wrongAnswer")
            clayout = QVBoxLayout(card)
            clayout.addWidget(body(f"Question {item.position}: {item.question.text}",
                                   "wrongQuestion"))
            given = _options_text(item, item.selected) if item.selected else "(not answered)"
            clayout.addWidget(body(f"Your answer: {given}", "wrongGiven"))
            if reveal:
                clayout.addWidget(body(
                    f"Right answer: {_options_text(item, item.question.answer)}",
                    "rightAnswer"))
            clayout.addWidget(body(item.question.explanation, "explanation"))
            section_id = item.question.section
            title = (self.ctx.course.section(section_id).title
                     if self.ctx.course is not None else section_id)
            link = ElidingButton(f"Read: {title}")
            link.setMinimumHeight(metrics.BUTTON_HEIGHT)
            link.setAutoDefault(True)
            link.setAccessibleName(f"Read the section {title} again (you can come back to "
                                   "this result)")
            link.setToolTip(f"Read: {title}")
            link.setObjectName("readSectionButton")
            link.clicked.connect(lambda _=False, s=section_id: self.section_requested.emit(s))
            row = QHBoxLayout()
            row.addWidget(link)
            row.addStretch(1)
            clayout.addLayout(row)
            self.review_layout.addWidget(card)
        self.review_layout.addStretch(1)

    def _save(self) -> None:
        if self.facts is not None:
            save_certificate(self.ctx, self.facts)

    def _print(self) -> None:
        if self.facts is not None:
            print_certificate(self.ctx, self.facts)

    def entered(self) -> None:
        target = self.save if self.save.isVisible() else self.home
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def reset(self) -> None:
        self.attempt = None
        self.facts = None
        self.verdict.clear()
        self.score.clear()
        self.next_step.clear()
        self.review_heading.clear()
        clear_layout(self.review_layout)
