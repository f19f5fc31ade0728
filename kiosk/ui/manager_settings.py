"""Every `kiosk settings` key, edited with the same validation as the command line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk import settings as settings_mod
from kiosk.context import AppContext
from kiosk.errors import KioskError
from kiosk.operations import settings as settings_ops
from kiosk.operations.settings import SettingsInvalid
from kiosk.ui import metrics
from kiosk.ui.manager_common import ManagerPanel
from kiosk.ui.widgets import body, button, enter_acts

# What a manager reads; the key (a public contract for `kiosk settings`) is only in the
# tooltip, for someone matching the screen to the README.
LABELS = {
    "centre_name": "Centre name",
    "kiosk_id": "This kiosk's name",
    "idle_timeout_seconds": "Sign out after no activity for (seconds)",
    "idle_countdown_seconds": "Warning before that sign-out (seconds)",
    "lockout_delay_after": "Slow down sign-in after this many wrong passwords",
    "lockout_threshold": "Lock an account after this many wrong passwords",
    "lockout_minutes": "A lock lasts (minutes)",
    "kiosk_failure_limit": "Pause sign-in here after this many failures",
    "kiosk_failure_window_minutes": "Failures counted over (minutes)",
    "password_min_length_learner": "Shortest password for staff and volunteers",
    "password_min_length_manager": "Shortest password for managers",
    "pass_mark": "Pass mark (%, 0 = the course's own)",
    "attempt_limit": "Test attempts per refresher period (0 = no limit)",
    "attempt_cooldown_hours": "Hours between test attempts (0 = none)",
    "require_all_sections": "Reading before the test",
    "retention_months_access_log": "Keep the access log for (months, 0 = always)",
    "retention_months_results": "Keep test results for (months, 0 = always)",
    "backup_keep": "Daily backups to keep (0 = none)",
}


def label_for(key: str) -> str:
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def in_words(key: str, message: str) -> str:
    """A validation message with the setting's label in place of its key."""
    return message.replace(key, f"\"{label_for(key)}\"", 1)


class SettingsPanel(ManagerPanel):
    title = "Settings"
    view_name = "settings"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("settingsPanel")
        self.fields: dict[str, QLineEdit | QCheckBox] = {}
        self.errors: dict[str, QLabel] = {}
        form_box = QWidget()
        form = QFormLayout(form_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # Each label above its field: at 200% text a label beside it squeezed the field
        # to a few letters, and the labels are long.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for s in settings_mod.REGISTRY:
            widget: QLineEdit | QCheckBox
            if s.kind is bool:
                widget = QCheckBox(s.help)
            else:
                widget = QLineEdit()
                widget.setMaxLength(s.max_length if s.kind is str else 10)
                widget.setMinimumHeight(metrics.FIELD_HEIGHT)
                # Text fields as wide as the column allows (a 420 px cap showed "n's
                # Centre" at 200% text); numbers stay short, wide enough for 4 digits.
                if s.kind is not str:
                    widget.setMaximumWidth(max(140, widget.fontMetrics().horizontalAdvance(
                        "0" * 8) + 40))
            widget.setObjectName(f"setting_{s.key}")
            widget.setAccessibleName(label_for(s.key))
            widget.setAccessibleDescription(s.help)
            widget.setToolTip(f"{s.help} (setting: {s.key})")
            self.fields[s.key] = widget
            # A widget (not a bare layout) per row, and unwrapped help text: QFormLayout
            # does not give wrapped labels in nested layouts their height, so they overlapped.
            cell_box = QWidget()
            cell = QVBoxLayout(cell_box)
            cell.setContentsMargins(0, 0, 0, 6)
            cell.setSpacing(2)
            cell.addWidget(widget)
            if s.kind is not bool:
                limits = ""
                if s.minimum is not None and s.maximum is not None:
                    limits = f" ({s.minimum} to {s.maximum})"
                help_label = body(s.help + limits, "lastSignIn")
                cell.addWidget(help_label)
            error = body("", "errorMessage")
            error.hide()
            self.errors[s.key] = error
            cell.addWidget(error)
            label = QLabel(label_for(s.key))
            label.setBuddy(widget)
            form.addRow(label, cell_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_box)
        scroll.setAccessibleName("Settings")
        self.message = body("", "notice")
        self.message.hide()
        self.save_button = button("Save settings", primary=True)
        self.revert_button = button("Undo changes")
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(row)
        self.save_button.clicked.connect(self.save)
        enter_acts(self.save, *self.fields.values())
        self.revert_button.clicked.connect(self.load)

    def shown(self) -> None:
        self.load()

    def load(self) -> None:
        if self.actor() is None:
            return
        values = self.ctx.settings.all()
        for key, widget in self.fields.items():
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(values[key]))
            else:
                widget.setText(settings_mod.format_value(values[key]))
                widget.setCursorPosition(0)  # show the start of a long value, not its end
            self.errors[key].hide()
        self.message.hide()

    def _text(self, key: str) -> str:
        widget = self.fields[key]
        if isinstance(widget, QCheckBox):
            return "true" if widget.isChecked() else "false"
        return widget.text()

    def save(self) -> None:
        """Check every field first; save nothing unless all are valid."""
        if self.actor() is None:
            return
        for error in self.errors.values():
            error.hide()
        try:
            result = settings_ops.change(self.ctx, self.actor(),
                                         {key: self._text(key) for key in self.fields})
        except SettingsInvalid as exc:
            for key, reason in exc.problems.items():
                self.errors[key].setText(in_words(key, reason))
                self.errors[key].show()
            bad = len(exc.problems)
            self.message.setText("Nothing was saved: "
                                 + (f"{bad} settings need" if bad > 1 else "1 setting needs")
                                 + " fixing (shown in red).")
            self.message.show()
            self.fields[next(iter(exc.problems))].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        except KioskError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        changed = len(result.changed)
        self.message.setText(("Saved: 1 setting changed." if changed == 1 else
                              f"Saved: {changed} settings changed.") if changed
                             else "No changes to save.")
        self.message.show()

    def reset(self) -> None:
        for widget in self.fields.values():
            if isinstance(widget, QLineEdit):
                widget.clear()
        self.message.hide()
