""""Worried about a child now?": what to do at once, and who to call, without signing in.

Anyone at the kiosk can open it from the login screen. Opening it is logged
with no personal data at all (nobody has signed in, and nothing typed is kept),
so managers can see the page is used without learning who used it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.clock import local_today
from kiosk.contacts import effective_contacts, stale_contacts
from kiosk.context import AppContext
from kiosk.course import Contact
from kiosk.operations import session
from kiosk.speech import contact_chunks, markdown_chunks
from kiosk.ui import metrics
from kiosk.ui.listen import ListenControl
from kiosk.ui.safe_browser import SafeBrowser, describe_external
from kiosk.ui.widgets import Screen, body, button

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def md_escape(text: str) -> str:
    """Contact fields are shown as plain text, never as Markdown or links."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def contacts_markdown(contacts: Sequence[Contact], today: date, localities_area: str,
                      localities: Sequence[str]) -> str:
    stale = {id(c) for c in stale_contacts(list(contacts), today)}
    lines = ["", "## Contacts", ""]
    if not contacts:
        lines.append("No contacts have been entered for this kiosk. Ask your manager.")
    for c in contacts:
        lines.append(f"### {md_escape(c.name)}")
        lines.append("")
        if c.role:
            lines.append(f"{md_escape(c.role)}  ")
        if c.phone:
            lines.append(f"Phone: **{md_escape(c.phone)}**  ")
        if c.web:
            lines.append(f"Web address: {md_escape(c.web)}  ")
        if c.area:
            lines.append(f"Area: {md_escape(c.area)}  ")
        verified = f"Last verified {c.last_verified.day} {c.last_verified:%B %Y}"
        if not c.verified:
            # Not seen on the organisation's own page: say so before anyone relies on it.
            verified = f"Not verified \u2014 check before use. Last checked " \
                       f"{c.last_verified.day} {c.last_verified:%B %Y}"
        if id(c) in stale:
            verified += " (over a year ago: this may have changed)"
        # Bold when not verified: it is the one thing to notice before dialling.
        lines.append(f"*{md_escape(verified)}*" if c.verified else f"**{md_escape(verified)}**")
        lines.append("")
    if localities:
        title = "Localities" + (f" in {md_escape(localities_area)}" if localities_area else "")
        lines += [f"## {title}", "", ", ".join(md_escape(n) for n in localities), ""]
    return "\n".join(lines)


class UrgentScreen(Screen):
    back_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("urgentScreen")
        self.text = SafeBrowser()
        self.text.setObjectName("urgentText")
        self.text.setAccessibleName("Worried about a child now? What to do and who to call")
        self.message = body("", "readerMessage")
        self.message.setAccessibleName("Message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.back = button("&Back to sign in", "Back to sign in", primary=True)
        self.back.setObjectName("urgentBackButton")

        self.hint = hint = body("", "keysHint")
        self.set_return_to("&Back to sign in")
        self.listen = ListenControl(ctx, self.spoken_chunks, "Read &aloud", self)
        self._chunks: list[str] = []
        row = QHBoxLayout()
        row.addWidget(self.listen.button)
        row.addWidget(hint)
        row.addStretch(1)
        row.addWidget(self.back)
        layout = QVBoxLayout(self)
        margin = metrics.MARGIN // 2
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(metrics.SPACING // 2)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.message)
        layout.addLayout(row)
        self.setTabOrder(self.back, self.text)

        self.back.clicked.connect(self.back_requested.emit)
        self.text.link_clicked.connect(self._link_clicked)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.back_requested.emit)
        for key, pages in ((Qt.Key.Key_PageDown, 1), (Qt.Key.Key_PageUp, -1)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda p=pages: self._scroll(p))

    def set_return_to(self, label: str) -> None:
        """Name the screen Back (and Esc) returns to: where the person was."""
        self.back.setText(label)
        plain = label.replace("&", "")
        self.back.setAccessibleName(plain)
        self.hint.setText(f"Page Up / Page Down scroll the page. Esc: {plain[0].lower()}"
                          f"{plain[1:]}.")

    def entered(self) -> None:
        course = self.ctx.course
        if course is None:
            text = ("# Worried about a child now?\n\nIf a child is in immediate danger, "
                    "**call 999**. Then tell your designated safeguarding lead.")
            self._chunks = markdown_chunks(text)
        else:
            contacts = effective_contacts(self.ctx.db, course)
            text = course.urgent_markdown + "\n" + contacts_markdown(
                contacts, local_today(self.ctx.clock), course.localities_area,
                course.localities)
            # What to do first, then who to call: the order of the page.
            self._chunks = [*markdown_chunks(course.urgent_markdown), "Contacts.",
                            *contact_chunks(contacts)]
        self.message.hide()
        self.text.show_markdown(text)
        # No username, no user id, no reason text: the event alone.
        session.urgent_help_opened(self.ctx)
        self.back.setFocus(Qt.FocusReason.OtherFocusReason)

    def spoken_chunks(self) -> list[str]:
        return list(self._chunks)

    def leaving(self) -> None:
        self.listen.stop()

    def reset(self) -> None:
        self.listen.stop()
        self.message.clear()
        self.message.hide()

    def _scroll(self, pages: int) -> None:
        bar = self.text.verticalScrollBar()
        bar.setValue(bar.value() + pages * bar.pageStep())

    def _link_clicked(self, url: QUrl) -> None:
        if url.scheme():
            self.message.setText(describe_external(url))
        else:
            self.message.setText("That link does not lead anywhere on this kiosk.")
        self.message.show()
