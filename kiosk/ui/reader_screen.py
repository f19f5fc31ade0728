"""The guidance reader: contents with ticks, one section at a time, then the test.

Every opening of a section is stored (who, which content version, when) and the
seconds spent are stored when the person leaves it. A section counts as read once
its end has been on screen (kiosk/reading.py has the rule). Text size and high
contrast are the person's own choices, saved in their prefs and applied to every
screen from each sign-in (kiosk/ui/theme.py).

Keyboard: Tab moves through contents, text and buttons; Enter or Space on the
contents opens a section; Alt+P / Alt+N previous and next; Alt+T proceed to the
test; Alt+H back to home; Ctrl+minus / Ctrl+plus (or Alt+S / Alt+L) text size;
Alt+O high contrast; PageUp / PageDown scroll the text from anywhere on the screen.
"""

from __future__ import annotations

import contextlib
import itertools
from pathlib import PurePosixPath
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk import reading
from kiosk.context import AppContext
from kiosk.operations import reading as reading_ops
from kiosk.operations.base import PermissionDenied
from kiosk.speech import markdown_chunks
from kiosk.ui import metrics
from kiosk.ui.listen import ListenControl
from kiosk.ui.safe_browser import SafeBrowser, describe_external
from kiosk.ui.theme import PREF_HIGH_CONTRAST, PREF_TEXT_SCALE, person_text_scale, remember
from kiosk.ui.widgets import Screen, body, button, heading
from kiosk.users import User

TICK = "\u2713"
STARTED = "\u25d0"  # a half circle: opened, end not reached yet
UNREAD = "\u25cb"  # a hollow circle: not opened yet


class ReaderScreen(Screen):
    test_requested = Signal()
    home_requested = Signal()
    result_requested = Signal()  # back to the test result that sent the person here

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("readerScreen")
        self.current: str | None = None
        self._view_id = 0
        self._view_user: User | None = None  # who opened the view: the one its rows are for
        self._opened_at = None
        self._scale = 0
        self._read_marked: str | None = None

        self.title = heading("Guidance")
        self.progress = body("", "readerProgress")
        self.progress.setAccessibleName("Reading progress")
        self.progress.setWordWrap(True)

        contents_label = QLabel("&Contents")
        contents_label.setObjectName("subheading")
        self.contents = QListWidget()
        self.contents.setObjectName("readerContents")
        self.contents.setAccessibleName("Contents: press Enter or Space to open a section")
        self.contents.setWordWrap(True)
        self.contents.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.contents.setMinimumWidth(180)
        self.contents.setMaximumWidth(320)
        contents_label.setBuddy(self.contents)

        self.text = SafeBrowser()
        self.text.setObjectName("readerText")
        self.text.setAccessibleName("Section text")
        bar = self.text.verticalScrollBar()
        bar.valueChanged.connect(self._check_end)
        bar.rangeChanged.connect(self._check_end)
        self.message = body("", "readerMessage")
        self.message.setAccessibleName("Message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.previous = button("&Previous", "Previous section")
        self.next = button("&Next", "Next section", primary=True)
        self.proceed = button("Proceed to &test", "Proceed to the test", primary=True)
        self.proceed.setObjectName("proceedButton")
        self.proceed.hide()
        self.smaller = button("A\u2212 &Smaller", "Smaller text")
        self.larger = button("A+ &Larger", "Larger text")
        self.size_label = body("", "textSizeLabel")
        self.size_label.setAccessibleName("Text size")
        self.contrast = button("High c&ontrast", "High contrast")
        self.contrast.setCheckable(True)
        self.home = button("Back to &home", "Back to home")
        self.listen = ListenControl(ctx, self.spoken_chunks, "Read &aloud", self)
        self.to_result = button("Back to my &result", "Back to my test result")
        self.to_result.setObjectName("backToResultButton")
        self.to_result.hide()

        left = QVBoxLayout()
        left.addWidget(contents_label)
        left.addWidget(self.contents, 1)
        right = QVBoxLayout()
        right.addSpacing(contents_label.sizeHint().height())
        right.addWidget(self.text, 1)
        middle = QHBoxLayout()
        middle.setSpacing(metrics.SPACING)
        middle.addLayout(left, 1)
        middle.addLayout(right, 3)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.progress)

        # Two rows, so that at 200% text every button still fits across 1024 pixels:
        # how to read (size, contrast, aloud) above, where to go below.
        tools = QHBoxLayout()
        tools.setSpacing(metrics.SPACING // 2)
        tools.addWidget(self.smaller)
        tools.addWidget(self.size_label)
        tools.addWidget(self.larger)
        tools.addWidget(self.contrast)
        tools.addWidget(self.listen.button)
        tools.addStretch(1)
        nav = QHBoxLayout()
        nav.setSpacing(metrics.SPACING // 2)
        nav.addWidget(self.home)
        nav.addWidget(self.to_result)
        nav.addStretch(1)
        nav.addWidget(self.previous)
        nav.addWidget(self.next)
        nav.addWidget(self.proceed)

        layout = QVBoxLayout(self)
        margin = metrics.MARGIN // 2
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(metrics.SPACING // 2)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addWidget(self.message)
        layout.addLayout(tools)
        layout.addLayout(nav)

        order = [self.contents, self.text, self.previous, self.next, self.proceed,
                 self.home, self.to_result, self.smaller, self.larger, self.contrast,
                 self.listen.button]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)

        self.contents.installEventFilter(self)
        self.contents.itemClicked.connect(self._item_chosen)
        self.text.link_clicked.connect(self._link_clicked)
        self.previous.clicked.connect(lambda: self._step(-1))
        self.next.clicked.connect(lambda: self._step(1))
        self.proceed.clicked.connect(self._proceed)
        self.home.clicked.connect(self._go_home)
        self.to_result.clicked.connect(self._go_result)
        self.smaller.clicked.connect(lambda: self.set_text_scale(self._scale - 1, save=True))
        self.larger.clicked.connect(lambda: self.set_text_scale(self._scale + 1, save=True))
        self.contrast.toggled.connect(self._contrast_toggled)
        for keys, handler in (
            (QKeySequence.StandardKey.ZoomOut, self.smaller.click),
            (QKeySequence.StandardKey.ZoomIn, self.larger.click),
            (QKeySequence("Ctrl+="), self.larger.click),
            (QKeySequence(Qt.Key.Key_PageDown), lambda: self._scroll(1)),
            (QKeySequence(Qt.Key.Key_PageUp), lambda: self._scroll(-1)),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(handler)
        self._update_size_label()

    # ------------------------------------------------------------------ public

    @property
    def course(self) -> Any:  # kiosk.course.Course or None
        return self.ctx.course

    def entered(self) -> None:
        user = self.ctx.current_user
        prefs = user.prefs if user is not None else {}
        self.set_text_scale(person_text_scale(prefs), save=False)
        self.contrast.blockSignals(True)
        self.contrast.setChecked(bool(prefs.get(PREF_HIGH_CONTRAST)))
        self.contrast.blockSignals(False)
        self._fill_contents()
        self.next.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_section(self, section_id: str | None) -> None:
        """Show a section (recording the opening); None means the first one not yet read."""
        course = self.course
        user = self.ctx.current_user
        if course is None or not course.sections:
            self.text.show_markdown("No course content is loaded on this kiosk.")
            return
        ids = [s.id for s in course.sections]
        if section_id not in ids:
            done = (reading.read_sections(self.ctx.db, user.id, course)
                    if user is not None else set())
            section_id = next((i for i in ids if i not in done), ids[0])
        self._leave_section()
        self.listen.stop()
        section = course.section(section_id)
        self.current = section_id
        self.message.hide()
        self.text.show_markdown(section.markdown)
        if user is not None:
            self._view_id = reading_ops.open_section(self.ctx, user, course, section_id)
            self._view_user = user
            self._opened_at = self.ctx.clock.now()
        self._fill_contents()
        self._update_buttons()
        self._check_end()

    def _check_end(self, *_: object) -> None:
        """The end of the text is on screen: the section now counts as read."""
        if not self._view_id or not self.text.isVisible() or self.text.viewport().height() < 40:
            return
        bar = self.text.verticalScrollBar()
        # The document's own height (which forces its layout) decides whether it fits:
        # a scroll range not yet updated after new text must not count as "at the end".
        fits = self.text.document().size().height() <= self.text.viewport().height() + 2
        if not fits and (bar.maximum() == 0 or bar.value() < bar.maximum()):
            return
        reading_ops.reached_end(self.ctx, self._view_user, self._view_id)
        if self.current is not None and self._read_marked != self.current:
            self._read_marked = self.current
            self._fill_contents()
            self._update_buttons()

    def set_text_scale(self, index: int, *, save: bool) -> None:
        """The text size of the whole kiosk (every screen), 100% to 200%."""
        index = min(max(index, 0), len(metrics.TEXT_SCALES) - 1)
        self._scale = index
        self._update_size_label()
        if save:
            remember(self.ctx, {PREF_TEXT_SCALE: index})

    @property
    def text_scale(self) -> int:
        return self._scale

    def spoken_chunks(self) -> list[str]:
        """The section on screen, in reading order: its title, then its text."""
        course = self.course
        if course is None or self.current is None:
            return []
        section = course.section(self.current)
        chunks = markdown_chunks(section.markdown)
        if not chunks or section.title.casefold() not in chunks[0].casefold():
            chunks.insert(0, section.title + ".")
        return chunks

    def leaving(self) -> None:
        self.listen.stop()

    def reset(self) -> None:
        self.listen.stop()
        self._leave_section()
        self.current = None
        self.contents.clear()
        self.text.clear()
        self.message.clear()
        self.message.hide()
        self.proceed.hide()
        self.to_result.hide()
        self.progress.clear()
        self.set_text_scale(0, save=False)
        self.contrast.blockSignals(True)
        self.contrast.setChecked(False)
        self.contrast.blockSignals(False)

    # ------------------------------------------------------------------ internals

    def _leave_section(self) -> None:
        """Store how long the section now on screen was open."""
        if self._view_id and self._opened_at is not None:
            seconds = (self.ctx.clock.now() - self._opened_at).total_seconds()
            # Stored for the person who opened it, also when leaving at their sign-out; an
            # account disabled meanwhile keeps what it had (the time is not worth an error).
            with contextlib.suppress(PermissionDenied):
                reading_ops.time_spent(self.ctx, self._view_user, self._view_id, seconds)
        self._view_id = 0
        self._view_user = None
        self._opened_at = None
        self._read_marked = None

    def _fill_contents(self) -> None:
        course = self.course
        self.contents.clear()
        if course is None:
            return
        self.title.setText(course.title)
        self.title.setAccessibleName(course.title)
        user = self.ctx.current_user
        opened = (reading.opened_sections(self.ctx.db, user.id, course)
                  if user is not None else set())
        read = (reading.read_sections(self.ctx.db, user.id, course)
                if user is not None else set())
        for number, section in enumerate(course.sections, start=1):
            if section.id in read:
                mark, state = TICK, "read"
            elif section.id in opened:
                mark, state = STARTED, "started, end not reached yet"
            else:
                mark, state = UNREAD, "not read yet"
            item = QListWidgetItem(f"{mark}  {number}. {section.title}")
            item.setData(Qt.ItemDataRole.UserRole, section.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"{number}. {section.title}, {state}")
            self.contents.addItem(item)
            if section.id == self.current:
                self.contents.setCurrentItem(item)
        count = sum(1 for s in course.sections if s.id in read)
        total = len(course.sections)
        self.progress.setText(f"{count} of {total} section{'s' if total != 1 else ''} read")
        self.progress.setToolTip("A section counts as read once you reach its end.")

    def _update_buttons(self) -> None:
        course = self.course
        if course is None or self.current is None:
            return
        ids = [s.id for s in course.sections]
        index = ids.index(self.current)
        last = index == len(ids) - 1
        had_focus = self.next.hasFocus()
        self.previous.setEnabled(index > 0)
        self.next.setEnabled(not last)
        self.proceed.setVisible(last)
        user = self.ctx.current_user
        allowed = user is not None and reading.may_take_test(self.ctx.db, self.ctx.settings,
                                                              user.id, course)
        self.proceed.setEnabled(allowed)
        if last and not allowed and user is not None:
            read = reading.read_sections(self.ctx.db, user.id, course)
            missing = ", ".join(s.title for s in course.sections if s.id not in read)
            self._show_message("Read every section to its end before the test. "
                               f"Still to read: {missing}.")
        elif allowed:
            self.message.hide()
        if last and had_focus:
            (self.proceed if allowed else self.previous).setFocus(
                Qt.FocusReason.OtherFocusReason)

    def _step(self, delta: int) -> None:
        course = self.course
        if course is None or self.current is None:
            return
        ids = [s.id for s in course.sections]
        index = ids.index(self.current) + delta
        if 0 <= index < len(ids):
            self.open_section(ids[index])

    def _item_chosen(self, item: QListWidgetItem) -> None:
        self.open_section(str(item.data(Qt.ItemDataRole.UserRole)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.contents and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
                item = self.contents.currentItem()
                if item is not None:
                    self._item_chosen(item)
                return True
        return super().eventFilter(watched, event)

    def _scroll(self, pages: int) -> None:
        bar = self.text.verticalScrollBar()
        bar.setValue(bar.value() + pages * bar.pageStep())

    def _link_clicked(self, url: QUrl) -> None:
        course = self.course
        if url.scheme():
            self._show_message(describe_external(url))
            return
        if not url.path() and url.fragment():
            self.text.scrollToAnchor(url.fragment())
            return
        if course is not None and self.current is not None:
            base = PurePosixPath(course.section(self.current).file).parent
            target = _normal(base / url.path())
            for section in course.sections:
                if _normal(PurePosixPath(section.file)) == target:
                    self.open_section(section.id)
                    return
        self._show_message("That link does not lead to a section of this course.")

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _proceed(self) -> None:
        self._leave_section()
        self.test_requested.emit()

    def _go_home(self) -> None:
        self._leave_section()
        self.home_requested.emit()

    def _go_result(self) -> None:
        self._leave_section()
        self.result_requested.emit()

    def offer_result(self, offer: bool) -> None:
        """Show "Back to my result" when the person came here from a test result."""
        self.to_result.setVisible(offer)

    def _contrast_toggled(self, on: bool) -> None:
        remember(self.ctx, {PREF_HIGH_CONTRAST: on})

    def _update_size_label(self) -> None:
        percent = round(metrics.TEXT_SCALES[self._scale] * 100)
        self.size_label.setText(f"{percent}%")
        self.size_label.setAccessibleName(f"Text size {percent}%")
        self.smaller.setEnabled(self._scale > 0)
        self.larger.setEnabled(self._scale < len(metrics.TEXT_SCALES) - 1)


def _normal(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)
