"""Pieces every manager-area panel shares: the panel base, table models, date filters
and the export routine (save dialog, then the export operation run off the GUI thread)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAccessible, QAccessibleEvent, QFocusEvent, QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QWidget,
)

from kiosk.clock import local_today
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.filters import DayRange
from kiosk.operations import exports
from kiosk.operations.base import Progress
from kiosk.paths import output_folder
from kiosk.ui import metrics
from kiosk.ui.jobs import JobRunner
from kiosk.users import User
from kiosk.wording import human_date, human_datetime

Index = QModelIndex | QPersistentModelIndex
CSV_FILTER = "CSV files (*.csv)"


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def shown(value: Any) -> str:
    """A cell as people read it: dates in the kiosk's one human format (ISO is for exports;
    `fmt` stays ISO because sort keys are built from it)."""
    if isinstance(value, datetime):
        return human_datetime(value, short=True)
    if isinstance(value, date):
        return human_date(value, short=True)
    return fmt(value)


def local_time(text: str | None) -> str:
    """A stored UTC time in the PC's local time, to the minute: "3 Dec 2026, 09:30"."""
    if not text:
        return ""
    try:
        return human_datetime(datetime.fromisoformat(text), short=True)
    except ValueError:
        return text


def local_day(text: str | None) -> str:
    """A stored YYYY-MM-DD day as people read it: "23 Jul 2027" (ISO only in exports)."""
    if not text:
        return ""
    try:
        return human_date(date.fromisoformat(str(text)[:10]), short=True)
    except ValueError:
        return str(text)


def course_titles(ctx: AppContext) -> Callable[[Any], str]:
    """A course id as its title (the id stays in exports), for a table's Course column."""
    def title(value: Any) -> str:
        courses = ctx.courses or ((ctx.course,) if ctx.course else ())
        return next((c.title for c in courses if c is not None and c.id == value),
                    fmt(value))
    return title


class RowsModel(QAbstractTableModel):
    """A read-only table of dicts with named columns; UserRole gives the raw value."""

    def __init__(self, columns: Sequence[tuple[str, str]],
                 formatters: dict[str, Callable[[Any], str]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.formatters = formatters or {}
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        key = self.columns[index.column()][0]
        value = self.rows[index.row()].get(key)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                    Qt.ItemDataRole.ToolTipRole):
            formatter = self.formatters.get(key, shown)
            # The full text; FullTextDelegate shows it as a tooltip only when elided.
            return formatter(value)
        if role == Qt.ItemDataRole.UserRole:
            return value
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][1]
        return None

    def row(self, number: int) -> dict[str, Any]:
        return self.rows[number]


class PagedModel(RowsModel):
    """Loads a page at a time as the view scrolls (canFetchMore/fetchMore), never the lot.

    `fetch(after, limit)` returns the next rows after the key of the last row shown
    (keyset paging in kiosk.records); `key(row)` gives that key.
    """

    def __init__(self, columns: Sequence[tuple[str, str]],
                 key: Callable[[dict[str, Any]], Any], page_size: int = 200,
                 formatters: dict[str, Callable[[Any], str]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(columns, formatters, parent)
        self.key = key
        self.page_size = page_size
        self.fetch: Callable[[Any, int], list[dict[str, Any]]] | None = None
        self.exhausted = True

    def load(self, fetch: Callable[[Any, int], list[dict[str, Any]]]) -> None:
        self.beginResetModel()
        self.fetch = fetch
        self.rows = []
        self.exhausted = False
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def clear(self) -> None:
        self.beginResetModel()
        self.fetch = None
        self.rows = []
        self.exhausted = True
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.exhausted and self.fetch is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent) or self.fetch is None:
            return
        after = self.key(self.rows[-1]) if self.rows else None
        page = self.fetch(after, self.page_size)
        if len(page) < self.page_size:
            self.exhausted = True
        if page:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()


MAX_COLUMN = 360  # px at 100% text: a longer cell is elided, in full on hover
SHORT_COLUMN = 100  # px at 100% text: a column this narrow keeps its whole text


class ColumnFitter(QObject):
    """Columns sized to their header and the rows on screen, again whenever the rows or the
    text size change; the last column (the reason, the job title) takes the rest."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        model = view.model()
        # One timer of its own (destroyed with the fitter and its table), so a refit asked
        # for while the table is being torn down never runs.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted):
            signal.connect(self._timer.start)
        view.horizontalHeader().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        # Resize too: the room to share out changes with the window and the scroll bar.
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                            QEvent.Type.Show, QEvent.Type.Resize):
            self._timer.start()
        return False

    def fit(self) -> None:
        if not shiboken6.isValid(self.view) or not self.view.isVisible():
            return
        view = self.view
        # Rows as tall as the text now is (it was set once, at 100%: rows overlapped at 200%).
        view.verticalHeader().setDefaultSectionSize(max(32, view.fontMetrics().height() + 12))
        header = view.horizontalHeader()
        scale = max(1.0, header.fontMetrics().height() / 18)
        shown = [col for col in range(header.count()) if not header.isSectionHidden(col)]
        if not shown:
            return
        # Each column's heading always fits; its cells want their text, up to MAX_COLUMN.
        heading = {col: header.sectionSizeFromContents(col).width() + 8 for col in shown}
        wanted = {col: max(heading[col], min(view.sizeHintForColumn(col) + 8,
                                             round(MAX_COLUMN * scale))) for col in shown}
        # A short column ("Learner", a score) is never cut: eliding it saves little and
        # leaves a word nobody can read. Only the long ones give way.
        least = {col: max(heading[col], min(wanted[col], round(SHORT_COLUMN * scale)))
                 for col in shown}
        room = view.viewport().width()

        def widths(cap: float) -> dict[int, int]:
            return {col: max(least[col], min(wanted[col], round(cap))) for col in shown}

        if sum(wanted.values()) <= room:
            chosen = wanted
        elif sum(least.values()) <= room:
            # Too wide: the widest columns (names, reasons, course titles) give way first,
            # down to one common width, elided and shown in full on focus or hover; short
            # ones (dates, scores) keep their whole text. The table then never scrolls.
            low, high = 0.0, float(max(wanted.values()))
            for _ in range(24):
                middle = (low + high) / 2
                low, high = (middle, high) if sum(widths(middle).values()) <= room \
                    else (low, middle)
            chosen = widths(low)
        else:
            # Not even the headings fit (200% text at 1024x768): each column as narrow as
            # its heading, and the table scrolls sideways within itself as little as it can.
            chosen = least
        last = shown[-1]
        for col in shown:
            if col != last:
                header.resizeSection(col, chosen[col])
        fits = sum(chosen.values()) <= room
        header.setStretchLastSection(fits)
        if not fits:
            header.resizeSection(last, chosen[last])


def is_elided(view: QAbstractItemView, index: QModelIndex | QPersistentModelIndex) -> bool:
    """Whether the cell's text is cut short (with "…") in the width its column has now."""
    text = index.data(Qt.ItemDataRole.DisplayRole)
    if not text:
        return False
    option = QStyleOptionViewItem()
    option.initFrom(view.viewport())
    option.rect = view.visualRect(index)
    option.font = view.font()
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasDisplay
    option.text = str(text)
    style = view.style()
    room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view).width()
    margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    return view.fontMetrics().horizontalAdvance(str(text)) > room - margin


class FullTextDelegate(QStyledItemDelegate):
    """The tooltip of a cell is its full text, and only when the cell is elided."""

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,  # Qt's name
                  option: QStyleOptionViewItem, index: Index) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            if is_elided(view, index):
                QToolTip.showText(event.globalPos(), str(index.data()), view.viewport(),
                                  view.visualRect(index))
            else:
                QToolTip.hideText()
            return True
        return super().helpEvent(event, view, option, index)


class CellReporter(QObject):
    """The current cell in full when it is reached by keyboard, not only on hover.

    Arrow keys move the current cell (rows are selected whole, the current cell still
    moves across columns). Each move sets the table's accessible description to
    "Column: full text" (a screen reader reads it), shows the full text in a tooltip
    under an elided cell, and emits `changed` for the manager area's status line.
    """

    changed = Signal(str)

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        view.selectionModel().currentChanged.connect(self._moved)
        view.installEventFilter(self)

    def describe(self, index: QModelIndex | QPersistentModelIndex) -> str:
        if not index.isValid():
            return ""
        header = self.view.model().headerData(index.column(), Qt.Orientation.Horizontal)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        return f"{header}: {text}" if header else text

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt's name
        if watched is self.view and event.type() == QEvent.Type.FocusIn:
            assert isinstance(event, QFocusEvent)
            if event.reason() != Qt.FocusReason.MouseFocusReason:
                self._report(self.view.currentIndex(), keyboard=True)
        elif watched is self.view and event.type() == QEvent.Type.FocusOut:
            self.changed.emit("")
        return False

    def _moved(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._report(current, keyboard=self.view.hasFocus())

    def _report(self, index: QModelIndex | QPersistentModelIndex, keyboard: bool) -> None:
        if not shiboken6.isValid(self.view):
            return
        words = self.describe(index)
        self.view.setAccessibleDescription(words)
        if QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleEvent(
                self.view, QAccessible.Event.DescriptionChanged))
        if not keyboard:
            return
        self.changed.emit(words)
        if index.isValid() and is_elided(self.view, index):
            self.view.scrollTo(index)
            rect = self.view.visualRect(index)
            QToolTip.showText(self.view.viewport().mapToGlobal(rect.bottomLeft()),
                              str(index.data()), self.view.viewport(), rect, 10_000)
        else:
            QToolTip.hideText()


class SelectionGate(QObject):
    """Buttons that act on the selected row are enabled only while a row is selected."""

    def __init__(self, view: QAbstractItemView, *buttons: QWidget) -> None:
        super().__init__(view)
        self.view = view
        self.buttons = buttons
        model = view.model()
        view.selectionModel().selectionChanged.connect(self.refresh_buttons)
        for signal in (model.modelReset, model.layoutChanged, model.rowsRemoved,
                       model.rowsInserted):
            signal.connect(self.refresh_buttons)
        self.refresh_buttons()

    def refresh_buttons(self) -> None:
        if not shiboken6.isValid(self.view):
            return
        chosen = self.view.selectionModel().hasSelection()
        for b in self.buttons:
            b.setEnabled(chosen)


def table_view(model: QAbstractTableModel, name: str, *, sortable: bool = False,
               view: QTableView | None = None) -> QTableView:
    view = view or QTableView()
    view.setObjectName(name)
    view.setAccessibleName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setSortingEnabled(sortable)
    view.setTabKeyNavigation(False)  # Tab leaves the table, as people expect in a form
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setDefaultSectionSize(140)
    header.setHighlightSections(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(max(32, view.fontMetrics().height() + 12))
    view.fitter = ColumnFitter(view)  # type: ignore[attr-defined]
    view.setItemDelegate(FullTextDelegate(view))
    view.cell_reporter = CellReporter(view)  # type: ignore[attr-defined]
    return view


def labelled_edit(label: str, placeholder: str = "", width: int = 0) -> tuple[QLabel, QLineEdit]:
    """A field and its label. No fixed pixel width (`width` is kept for callers): a field
    sized by its font holds its placeholder at 200% text, where 150 px showed "YYYY-…"."""
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(label.replace("&", ""))
    edit.setMinimumHeight(metrics.FIELD_HEIGHT)
    edit.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    text = QLabel(label)
    text.setBuddy(edit)
    return text, edit


class DateRange(QWidget):
    """From and To days (both included; UTC days, as the CLI's --since/--until)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        from_label, self.since = labelled_edit("&From", "YYYY-MM-DD")
        # "Until", not "To": with its access key underlined Qt draws "To" without its
        # kerning, wider than the label measured, and the "o" was cut off.
        to_label, self.until = labelled_edit("&Until", "YYYY-MM-DD")
        self.since.setAccessibleName("From date")
        self.until.setAccessibleName("Until date")
        for w in (from_label, self.since, to_label, self.until):
            row.addWidget(w)

    def range(self) -> DayRange:
        """The days typed, checked by the same rule as the command line's flags."""
        return DayRange.parse(self.since.text(), self.until.text(), labels=("From", "Until"))

    def texts(self) -> tuple[str | None, str | None]:
        """The days as YYYY-MM-DD (None when blank), checked like range()."""
        days = self.range()
        return (days.since.isoformat() if days.since else None,
                days.until.isoformat() if days.until else None)

    def clear(self) -> None:
        self.since.clear()
        self.until.clear()


class ManagerPanel(QWidget):
    """One tab of the manager area. Actions do nothing unless a manager is signed in."""

    title = ""
    view_name = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.progress: QProgressBar | None = None
        self.jobs = JobRunner(parent=self)  # the manager screen hands every panel its own

    def actor(self) -> User | None:
        user = self.ctx.current_user
        return user if user is not None and user.is_manager else None

    def record_view(self, what: str) -> None:
        if self.actor() is None:
            return
        try:
            exports.record_view(self.ctx, self.actor(), what)
        except KioskError as exc:  # disabled or demoted since signing in: told, not shown
            self.warn("Not allowed", str(exc))

    def shown(self) -> None:
        """The tab was opened: load what it shows (the shell records the view)."""

    def left_tab(self) -> None:
        """The manager moved to another tab or left the area."""

    def reset(self) -> None:
        """Sign-out: forget everything shown."""

    def show_problem(self, exc: KioskError) -> None:
        """The panel's own `message` label says what is wrong with its filters."""
        message = self.message  # type: ignore[attr-defined]  # every filtering panel has one
        message.setText(str(exc))
        message.show()

    def today(self) -> date:
        return local_today(self.ctx.clock)

    def warn(self, title: str, text: str) -> None:
        self.ctx.dialogs.warn(title, text)

    def inform(self, title: str, text: str) -> None:
        self.ctx.dialogs.inform(title, text)

    def confirm(self, title: str, text: str, *, yes_by_default: bool = False) -> bool:
        return self.ctx.dialogs.confirm(title, text, yes_by_default=yes_by_default)

    def export_csv(self, what: str, stem: str,
                   write: Callable[[AppContext, str, Progress], exports.Exported],
                   total: int | None = None) -> None:
        """Ask where, then run the export operation off the GUI thread (kiosk/ui/jobs.py).

        `write(worker_ctx, path, progress)` calls the operation; it checks the manager,
        writes the file atomically and records the export. The person is told how it ended.
        """
        if self.actor() is None:
            return
        name = f"{stem}-{self.today().isoformat()}.csv"
        # The dialog opens in the exports folder, never the program or data folder.
        folder = output_folder(str(self.ctx.settings.get("exports_folder")), "exports_folder",
                               self.ctx.db_path)
        path = self.ctx.dialogs.ask_save_path(f"Export {what}", str(folder / name), CSV_FILTER)
        if not path:
            return
        if not path.lower().endswith(".csv"):
            path += ".csv"
        target = path

        def done(result: object) -> None:
            assert isinstance(result, exports.Exported)
            # The path on a line of its own: wrapped mid-sentence it broke after "C:".
            self.inform("Export saved", f"{result.rows} rows saved to:\n{result.target}")

        def failed(message: str) -> None:
            self.warn("Export failed", f"{message}\n\nNo file was saved.")

        self.jobs.start(self.ctx, f"Exporting {what}…",
                        lambda ctx, progress: write(ctx, target, progress),
                        total=total, done=done, failed=failed)
