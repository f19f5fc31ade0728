"""Taking the test: one question per screen, every answer saved the moment it changes.

Keyboard first: number keys 1-9 choose (or, for "select all that apply", toggle)
an option, Enter moves on, and on the last question Enter asks to submit.
Nothing is kept only in the widgets: each click goes straight to data.db through
kiosk.quiz.answer(), so a crash or an idle sign-out loses nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.operations import quiz
from kiosk.quiz import Attempt
from kiosk.speech import question_chunks
from kiosk.ui import metrics
from kiosk.ui.layouts import clear_layout
from kiosk.ui.listen import ListenControl
from kiosk.ui.widgets import Screen, body, button, heading


def digit_of(key: int) -> int:
    """1-9 for the number keys (main row or keypad), else 0."""
    number = int(key) - int(Qt.Key.Key_0)
    return number if 1 <= number <= 9 else 0


class OptionLabel(QLabel):
    """An option's text, wrapped; clicking it clicks its button (a radio's own text cannot wrap)."""

    def __init__(self, text: str, target: QAbstractButton) -> None:
        super().__init__(text)
        self.target = target
        self.setObjectName("optionText")
        self.setWordWrap(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.target.click()
        self.target.setFocus(Qt.FocusReason.MouseFocusReason)


class TestScreen(Screen):
    __test__ = False  # a screen, not a pytest class

    submitted = Signal(object)  # the submitted kiosk.quiz.Attempt
    left = Signal()  # back to home; the attempt stays in progress

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("testScreen")
        self.attempt: Attempt | None = None
        self.answers: dict[int, set[int]] = {}
        self.index = 0
        self.option_buttons: list[QAbstractButton] = []
        self.group: QButtonGroup | None = None

        self.progress = heading("", level=2)
        self.progress.setObjectName("testProgress")
        self.section = body("", "testSection")
        self.question = QLabel("")
        self.question.setTextFormat(Qt.TextFormat.PlainText)  # a question is text, not markup
        self.question.setObjectName("questionText")
        self.question.setWordWrap(True)
        self.hint = body("", "testHint")

        self.options_box = QWidget()
        self.options_box.setObjectName("optionsBox")
        self.options_layout = QVBoxLayout(self.options_box)
        self.options_layout.setContentsMargins(0, 0, 0, 0)
        self.options_layout.setSpacing(metrics.SPACING // 2)
        scroll = QScrollArea()
        scroll.setObjectName("plainScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(self.options_box)

        self.review = QFrame()
        self.review.setObjectName("reviewBar")
        self.review_layout = QHBoxLayout(self.review)
        self.review_layout.setContentsMargins(10, 6, 10, 6)

        # Every button has an access key (Alt + the underlined letter or digit).
        self.leave = button("&Leave (answers are kept)", "Leave the test; answers are kept")
        self.leave.setObjectName("leaveTestButton")
        self.back = button("&Back", "Previous question")
        self.back.setObjectName("backButton")
        self.next = button("&Next", "Next question", primary=True)
        self.next.setObjectName("nextButton")
        self.listen = ListenControl(ctx, self.spoken_chunks, "Read &aloud", self)
        nav = QHBoxLayout()
        nav.addWidget(self.leave)
        nav.addWidget(self.listen.button)
        nav.addStretch(1)
        nav.addWidget(self.back)
        nav.addWidget(self.next)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN, metrics.MARGIN // 2, metrics.MARGIN,
                                  metrics.MARGIN // 2)
        layout.setSpacing(metrics.SPACING // 2)
        top = QHBoxLayout()
        top.addWidget(self.progress)
        top.addStretch(1)
        top.addWidget(self.section)
        layout.addLayout(top)
        layout.addWidget(self.question)
        layout.addWidget(self.hint)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.review)
        layout.addLayout(nav)

        self.leave.clicked.connect(self.left.emit)
        self.back.clicked.connect(self.go_back)
        self.next.clicked.connect(self.go_next)

    # ------------------------------------------------------------ state

    def load(self, attempt: Attempt) -> None:
        """Show an attempt, at its first unanswered question (where a resume picks up)."""
        self.attempt = attempt
        self.answers = {q.position: set(q.selected) for q in attempt.questions}
        unanswered = attempt.unanswered()
        self.show_question(attempt.questions.index(
            next(q for q in attempt.questions if q.position == unanswered[0]))
            if unanswered else 0)

    def entered(self) -> None:
        self._focus_options()

    def spoken_chunks(self) -> list[str]:
        """The question on screen as it is read out: number, text, how to answer, options."""
        if self.attempt is None:
            return []
        item = self.attempt.questions[self.index]
        return question_chunks(self.index + 1, len(self.attempt.questions), item.question.text,
                               [text for _, text in item.shown_options()],
                               item.question.type == "multiple")

    def leaving(self) -> None:
        self.listen.stop()

    def reset(self) -> None:
        self.listen.stop()
        self.attempt = None
        self.answers = {}
        self.index = 0
        self._clear_options()
        for label in (self.progress, self.section, self.question, self.hint):
            label.clear()

    def unanswered(self) -> list[int]:
        return [pos for pos, chosen in sorted(self.answers.items()) if not chosen]

    # ------------------------------------------------------------ showing a question

    def _clear_options(self) -> None:
        clear_layout(self.options_layout)
        self.option_buttons = []
        self.group = None

    def show_question(self, index: int) -> None:
        attempt = self.attempt
        if attempt is None:
            return
        self.index = max(0, min(index, len(attempt.questions) - 1))
        self.listen.stop()
        item = attempt.questions[self.index]
        total = len(attempt.questions)
        self.progress.setText(f"Question {self.index + 1} of {total}")
        title = (self.ctx.course.section(item.question.section).title
                 if self.ctx.course is not None else item.question.section)
        self.section.setText(f"Section: {title}")
        self.question.setText(item.question.text)
        self.question.setAccessibleName(f"Question {self.index + 1}: {item.question.text}")
        multiple = item.question.type == "multiple"
        self.hint.setText("Select all that apply (press a number to tick or untick)."
                          if multiple else "Choose one answer (press its number).")
        self._clear_options()
        self.group = QButtonGroup(self)
        self.group.setExclusive(not multiple)
        chosen = self.answers.get(item.position, set())
        for number, (original, text) in enumerate(item.shown_options(), start=1):
            btn: QAbstractButton = QCheckBox(f"{number}") if multiple else QRadioButton(
                f"{number}")
            btn.setObjectName("optionButton")
            btn.setAccessibleName(f"Option {number}: {text}")
            btn.setProperty("original", original)
            btn.setChecked(original in chosen)
            btn.clicked.connect(self._save_current)
            self.group.addButton(btn)
            row = QFrame()
            row.setObjectName("optionRow")
            rlayout = QHBoxLayout(row)
            rlayout.setContentsMargins(10, 6, 10, 6)
            rlayout.addWidget(btn, 0, Qt.AlignmentFlag.AlignTop)
            rlayout.addWidget(OptionLabel(text, btn), 1)
            self.options_layout.addWidget(row)
            row.show()  # now, not at the next event loop turn: keys may arrive before it
            self.option_buttons.append(btn)
        self.options_layout.addStretch(1)
        self.back.setEnabled(self.index > 0)
        last = self.index == total - 1
        self.next.setText("&Submit answers…" if last else "&Next")
        self.next.setAccessibleName("Submit your answers" if last else "Next question")
        self._refresh_review()
        self._focus_options()

    def _focus_options(self) -> None:
        if not self.option_buttons:
            return
        checked = [b for b in self.option_buttons if b.isChecked()]
        (checked[0] if checked else self.option_buttons[0]).setFocus(
            Qt.FocusReason.OtherFocusReason)

    def _refresh_review(self) -> None:
        clear_layout(self.review_layout)
        missing = self.unanswered()
        if not missing:
            self.review_layout.addWidget(body("All questions answered. Submit when you are ready.",
                                              "reviewText"), 1)
            return
        label = body("Not answered yet:", "reviewText")
        label.setWordWrap(False)
        self.review_layout.addWidget(label)
        for position in missing:
            # Alt+digit jumps (plain digits choose options); the tenth is Alt+0.
            text = str(position)
            jump = QPushButton(f"{text[:-1]}&{text[-1]}")
            jump.setObjectName("reviewJump")
            jump.setAccessibleName(f"Go to question {position}")
            jump.setMinimumHeight(metrics.BUTTON_HEIGHT - 8)
            jump.clicked.connect(lambda _=False, p=position: self.go_to_position(p))
            self.review_layout.addWidget(jump)
            jump.show()
        self.review_layout.addStretch(1)

    # ------------------------------------------------------------ answering

    def _save_current(self) -> None:
        attempt = self.attempt
        if attempt is None:
            return
        item = attempt.questions[self.index]
        chosen = {int(b.property("original")) for b in self.option_buttons if b.isChecked()}
        try:
            quiz.answer(self.ctx, self.ctx.current_user, attempt.id, item.position, chosen)
        except KioskError as exc:
            self.ctx.dialogs.warn("Your answer was not saved", str(exc))
            return
        had = bool(self.answers.get(item.position))
        self.answers[item.position] = chosen
        if had != bool(chosen):
            self._refresh_review()

    def choose(self, number: int) -> None:
        """Option `number` (1-based as shown): a radio is chosen, a checkbox toggled."""
        if 1 <= number <= len(self.option_buttons):
            btn = self.option_buttons[number - 1]
            btn.setFocus(Qt.FocusReason.ShortcutFocusReason)
            btn.click()

    def go_to_position(self, position: int) -> None:
        if self.attempt is None:
            return
        for index, item in enumerate(self.attempt.questions):
            if item.position == position:
                self.show_question(index)
                return

    def go_back(self) -> None:
        if self.index > 0:
            self.show_question(self.index - 1)

    def go_next(self) -> None:
        if self.attempt is None:
            return
        if self.index < len(self.attempt.questions) - 1:
            self.show_question(self.index + 1)
        else:
            self.finish()

    def finish(self) -> None:
        """Ask, then submit; a submitted test can never be changed."""
        attempt = self.attempt
        dialogs = self.ctx.dialogs
        course = self.ctx.course
        if attempt is None or course is None:
            return
        missing = self.unanswered()
        if missing:
            numbers = ", ".join(str(p) for p in missing)
            text = (f"You have not answered question{'s' if len(missing) > 1 else ''} "
                    f"{numbers}. An unanswered question scores nothing.\n\n"
                    "Submit anyway? You cannot change your answers afterwards.")
        else:
            text = "Submit your answers now? You cannot change them afterwards."
        if not dialogs.confirm("Submit the test", text):
            self._focus_options()
            return
        try:
            result = quiz.submit(self.ctx, self.ctx.current_user, attempt.id, course)
        except KioskError as exc:
            dialogs.warn("The test was not submitted", str(exc))
            return
        self.submitted.emit(result)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if digit_of(key) and plain:
            self.choose(digit_of(key))
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.go_next()
            return
        super().keyPressEvent(event)
