"""Pieces every manager-area panel shares: the panel base, table models, date filters
and the export routine (save dialog, progress, failure message, access-log record)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta, timezone
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
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QTableView,
    QWidget,
)

from kiosk import audit, users
from kiosk.context import AppContext
from kiosk.errors import KioskError, ValidationError
from kiosk.ui import metrics
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
            text = formatter(value)
            # The full text on hover, for a cell elided to fit its column.
            if role == Qt.ItemDataRole.ToolTipRole:
                return text if len(text) > 24 else None
            return text
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
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                            QEvent.Type.Show):
            self._timer.start()
        return False

    def fit(self) -> None:
        if not shiboken6.isValid(self.view) or not self.view.isVisible():
            return
        view = self.view
        header = view.horizontalHeader()
        scale = max(1.0, header.fontMetrics().height() / 18)
        last = header.count() - 1
        total = 0
        last_wanted = header.sectionSize(last) if last >= 0 else 0
        for col in range(header.count()):
            if header.isSectionHidden(col):
                continue
            wanted = min(max(header.sectionSizeFromContents(col).width() + 8,
                             view.sizeHintForColumn(col) + 8), round(MAX_COLUMN * scale))
            # The header's own words always fit; only cell text is elided.
            wanted = max(wanted, header.sectionSizeFromContents(col).width() + 8)
            total += wanted
            if col != last:
                header.resizeSection(col, wanted)
            else:
                last_wanted = wanted
        # The last column takes the room left; when there is none it keeps its own width
        # and the table scrolls sideways within itself.
        room = view.viewport().width()
        header.setStretchLastSection(total <= room)
        if last >= 0 and total > room:
            header.resizeSection(last, last_wanted)


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
    return view


def labelled_edit(label: str, placeholder: str = "", width: int = 0) -> tuple[QLabel, QLineEdit]:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(label.replace("&", ""))
    edit.setMinimumHeight(metrics.FIELD_HEIGHT)
    if width:
        edit.setMaximumWidth(width)
    text = QLabel(label)
    text.setBuddy(edit)
    return text, edit


def parse_day(text: str, label: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{label} must be a date like 2026-01-31, not '{text[:20]}'.") \
            from None


class DateRange(QWidget):
    """From and To days (both included; UTC days, as the CLI's --since/--until)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        from_label, self.since = labelled_edit("&From", "YYYY-MM-DD", 150)
        to_label, self.until = labelled_edit("&To", "YYYY-MM-DD", 150)
        for edit in (self.since, self.until):
            edit.setMinimumWidth(135)
        self.since.setAccessibleName("From date")
        self.until.setAccessibleName("To date")
        for w in (from_label, self.since, to_label, self.until):
            row.addWidget(w)

    def days(self) -> tuple[date | None, date | None]:
        start = parse_day(self.since.text(), "From")
        end = parse_day(self.until.text(), "To")
        if start and end and end < start:
            raise ValidationError("The To date is before the From date.")
        return start, end

    def texts(self) -> tuple[str | None, str | None]:
        start, end = self.days()
        return (start.isoformat() if start else None, end.isoformat() if end else None)

    def iso_range(self) -> tuple[str | None, str | None]:
        """As a [start, end) pair of ISO times for queries."""
        start, end = self.days()
        to_text = lambda d: datetime.combine(d, time(0), timezone.utc).isoformat(  # noqa: E731
            timespec="seconds")
        return (to_text(start) if start else None,
                to_text(end + timedelta(days=1)) if end else None)

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

    def actor(self) -> User | None:
        user = self.ctx.current_user
        return user if user is not None and user.is_manager else None

    def record(self, action: str, detail: str = "") -> None:
        actor = self.actor()
        if actor is not None:
            audit.record(self.ctx.db, self.ctx.settings, self.ctx.clock, actor, action, detail)

    def shown(self) -> None:
        """The tab was opened: load what it shows (the shell records the view)."""

    def left_tab(self) -> None:
        """The manager moved to another tab or left the area."""

    def reset(self) -> None:
        """Sign-out: forget everything shown."""

    def date_and_person_filters(self, dates: DateRange, person: QLineEdit,
                                ) -> tuple[str | None, str | None, int | None] | None:
        """(since, until, user id) from a panel's filters, or None after saying what is wrong.

        The panel's own `message` label shows the reason (a bad date, an unknown person).
        """
        message = self.message  # type: ignore[attr-defined]  # every filtering panel has one
        message.hide()
        try:
            since, until = dates.iso_range()
            name = person.text().strip()
            user_id = users.require(self.ctx.db, name).id if name else None
        except KioskError as exc:
            message.setText(str(exc))
            message.show()
            return None
        return since, until, user_id

    def today(self) -> date:
        return self.ctx.clock.now().astimezone().date()

    def warn(self, title: str, text: str) -> None:
        if self.ctx.dialogs is not None:
            self.ctx.dialogs.warn(title, text)

    def inform(self, title: str, text: str) -> None:
        if self.ctx.dialogs is not None:
            self.ctx.dialogs.inform(title, text)

    def confirm(self, title: str, text: str) -> bool:
        return self.ctx.dialogs is not None and self.ctx.dialogs.confirm(title, text)

    def export_csv(self, what: str, stem: str,
                   write: Callable[[str, Callable[[int], None]], int],
                   total: int | None = None) -> int | None:
        """Ask where, write through kiosk.export.write_csv (atomic), show progress, record.

        Returns the row count, or None when cancelled or failed (the person was told).
        """
        if self.actor() is None or self.ctx.dialogs is None:
            return None
        name = f"{stem}-{self.today().isoformat()}.csv"
        path = self.ctx.dialogs.ask_save_path(f"Export {what}", name, CSV_FILTER)
        if not path:
            return None
        if not path.lower().endswith(".csv"):
            path += ".csv"
        bar = self.progress
        if bar is not None:
            bar.setRange(0, total or 0)
            bar.setValue(0)
            bar.setFormat(f"Exporting {what}… %v rows")
            bar.show()
            QApplication.processEvents()

        def step(count: int) -> None:
            if bar is not None:
                if total:
                    bar.setValue(min(count, total))
                QApplication.processEvents()

        try:
            count = write(path, step)
        except KioskError as exc:
            self.warn("Export failed", f"{exc}\n\nNo file was saved.")
            return None
        finally:
            if bar is not None:
                bar.hide()
        self.record("export", f"{what}: {count} rows to {path}")
        self.inform("Export saved", f"{count} rows saved to {path}.")
        return count
