"""The manager area: one tab per job, behind a manager sign-in, every view recorded.

The panels (kiosk/ui/manager_*.py) each check that a manager is signed in before
showing or changing anything, so even a stray signal as a learner does nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.context import AppContext
from kiosk.ui import metrics
from kiosk.ui.jobs import JobRunner
from kiosk.ui.manager_access_log import AccessLogPanel
from kiosk.ui.manager_common import ManagerPanel
from kiosk.ui.manager_contacts import ContactsPanel
from kiosk.ui.manager_county import CountyPanel
from kiosk.ui.manager_data import DataPanel
from kiosk.ui.manager_item_analysis import ItemAnalysisPanel
from kiosk.ui.manager_matrix import MatrixPanel
from kiosk.ui.manager_people import PeoplePanel
from kiosk.ui.manager_results import ResultsPanel
from kiosk.ui.manager_security import SecurityPanel
from kiosk.ui.manager_settings import SettingsPanel
from kiosk.ui.widgets import Screen, body, button, heading, repolish


class ManagerTabs(QTabWidget):
    """Tabs whose pages are scroll frames around the panels; a panel names its own tab."""

    def _frame(self, widget: QWidget) -> QWidget:
        for i in range(self.count()):
            frame = self.widget(i)
            if isinstance(frame, QScrollArea) and frame.widget() is widget:
                return frame
        return widget

    def setCurrentWidget(self, widget: QWidget) -> None:  # Qt's name
        super().setCurrentWidget(self._frame(widget))

    def indexOf(self, widget: QWidget) -> int:  # Qt's name
        return super().indexOf(self._frame(widget))


class ManagerScreen(Screen):
    back_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("managerScreen")
        self.matrix = MatrixPanel(ctx)
        self.results = ResultsPanel(ctx)
        self.questions = ItemAnalysisPanel(ctx)
        self.access_log = AccessLogPanel(ctx)
        self.people = PeoplePanel(ctx)
        self.security = SecurityPanel(ctx)
        self.settings = SettingsPanel(ctx)
        self.contacts = ContactsPanel(ctx)
        self.data = DataPanel(ctx)
        self.county = CountyPanel(ctx)
        self.panels: list[ManagerPanel] = [
            self.matrix, self.results, self.questions, self.access_log, self.people, self.security,
            self.settings, self.contacts, self.data, self.county,
        ]
        self.tabs = ManagerTabs()
        self.tabs.setObjectName("managerTabs")
        self.tabs.setAccessibleName("Manager area sections (Ctrl+Tab for the next)")
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        for panel in self.panels:
            # Each tab scrolls on its own: a wide table or filter row at 200% text scrolls
            # inside its tab rather than pushing the whole screen (and Back) off the side.
            frame = QScrollArea()
            frame.setObjectName("managerScroll")
            frame.setWidgetResizable(True)
            frame.setFrameShape(QFrame.Shape.NoFrame)
            frame.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            frame.setWidget(panel)
            self.tabs.addTab(frame, panel.title)
        self.progress = QProgressBar()
        self.progress.setObjectName("exportProgress")
        self.progress.setAccessibleName("Export progress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel = button("Cancel", "Cancel the task under way")
        self.cancel.setObjectName("cancelJobButton")
        self.job_status = body("", "lastSignIn")
        self.job_status.setAccessibleName("Task under way")
        self.job_status.setWordWrap(False)
        self.job_status.hide()
        # One runner for the area: one long task at a time, shown on one bar with Cancel.
        self.jobs = JobRunner(self.progress, self.cancel, parent=self, status=self.job_status)
        for panel in self.panels:
            panel.progress = self.progress
            panel.jobs = self.jobs
        self.title = heading("Manager area")
        self.back = button("&Back to home", "Back to home")
        self.back.setObjectName("backHomeButton")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.back)
        layout = QVBoxLayout(self)
        margin = metrics.MARGIN // 2
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(metrics.SPACING // 2)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        job_row = QHBoxLayout()
        job_row.addWidget(self.job_status)
        job_row.addWidget(self.progress, 1)
        job_row.addWidget(self.cancel)
        layout.addLayout(job_row)
        # The current table cell in full, for a manager moving through a table by keyboard
        # (an elided cell's words are otherwise only on hover).
        self.cell_line = body("", "cellLine")
        self.cell_line.setAccessibleName("Current cell")
        self.cell_line.setWordWrap(False)  # one line: its room is kept, nothing jumps
        self.cell_line.setProperty("empty", True)
        layout.insertWidget(layout.count() - 1, self.cell_line)
        for view in self.findChildren(QTableView):
            reporter = getattr(view, "cell_reporter", None)
            if reporter is not None:
                reporter.changed.connect(self._show_cell)
        self._recorded: set[int] = set()
        self._open_tab = -1
        self.tabs.currentChanged.connect(self._tab_opened)
        self.back.clicked.connect(self.back_requested.emit)

    def _show_cell(self, words: str) -> None:
        # Always there (so the tab's layout never jumps as focus moves); framed only
        # while it shows a cell. A very long cell is cut at the line's end here too,
        # (its tooltip and accessible description keep the whole).
        room = self.cell_line.contentsRect().width() - 4
        shown = (self.cell_line.fontMetrics().elidedText(words, Qt.TextElideMode.ElideRight,
                                                           room) if room > 40 else words)
        self.cell_line.setText(shown)
        self.cell_line.setToolTip(words)
        self.cell_line.setAccessibleDescription(words)
        if bool(self.cell_line.property("empty")) == bool(words):
            self.cell_line.setProperty("empty", not words)
            repolish(self.cell_line)

    def allowed(self) -> bool:
        user = self.ctx.current_user
        return user is not None and user.is_manager and not user.disabled

    def entered(self) -> None:
        if not self.allowed():
            self.tabs.setEnabled(False)
            return
        self.tabs.setEnabled(True)
        self._recorded.clear()
        self._tab_opened(self.tabs.currentIndex())
        self.tabs.setFocus(Qt.FocusReason.OtherFocusReason)

    def _tab_opened(self, index: int) -> None:
        if 0 <= self._open_tab < len(self.panels) and self._open_tab != index:
            self.panels[self._open_tab].left_tab()
        self._open_tab = index
        if not self.allowed() or index < 0 or not self.isVisible():
            return
        panel = self.panels[index]
        # One record per section per visit: a manager paging or filtering is one view.
        if index not in self._recorded:
            self._recorded.add(index)
            panel.record_view(panel.view_name)
        panel.shown()

    def leaving(self) -> None:
        if 0 <= self._open_tab < len(self.panels):
            self.panels[self._open_tab].left_tab()

    def reset(self) -> None:
        # Signing out stops a long task (its partial file is removed) and forgets its outcome.
        self.jobs.cancel(forget=True)
        for panel in self.panels:
            panel.reset()
        self._recorded.clear()
        self.progress.hide()
        self._show_cell("")
        self.tabs.setCurrentIndex(0)
