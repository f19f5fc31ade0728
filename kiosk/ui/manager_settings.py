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
from kiosk.ui.widgets import body, button


def label_for(key: str) -> str:
    return key.replace("_", " ").capitalize()


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
        for s in settings_mod.REGISTRY:
            widget: QLineEdit | QCheckBox
            if s.kind is bool:
                widget = QCheckBox(s.help)
            else:
                widget = QLineEdit()
                widget.setMaxLength(s.max_length if s.kind is str else 10)
                widget.setMinimumHeight(metrics.FIELD_HEIGHT)
                widget.setMaximumWidth(420 if s.kind is str else 140)
            widget.setObjectName(f"setting_{s.key}")
            widget.setAccessibleName(label_for(s.key))
            widget.setAccessibleDescription(s.help)
            widget.setToolTip(s.help)
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
                help_label.setWordWrap(False)
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
                self.errors[key].setText(reason)
                self.errors[key].show()
            self.message.setText(f"Nothing was saved: {len(exc.problems)} setting(s) need "
                                 "fixing (shown in red).")
            self.message.show()
            self.fields[next(iter(exc.problems))].setFocus(Qt.FocusReason.OtherFocusReason)
            return
        except KioskError as exc:
            self.message.setText(str(exc))
            self.message.show()
            return
        changed = len(result.changed)
        self.message.setText(f"Saved: {changed} setting(s) changed." if changed
                             else "No changes to save.")
        self.message.show()

    def reset(self) -> None:
        for widget in self.fields.values():
            if isinstance(widget, QLineEdit):
                widget.clear()
        self.message.hide()
