"""Shown instead of the kiosk when it cannot start safely (damaged database, broken pack)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.ui import metrics
from kiosk.ui.widgets import body, button, heading


class ErrorScreen(QWidget):
    close_requested = Signal()

    def __init__(self, title: str, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorScreen")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(metrics.MARGIN * 2, metrics.MARGIN, metrics.MARGIN * 2,
                                  metrics.MARGIN)
        layout.addStretch(1)
        layout.addWidget(heading(title))
        self.message = body(message, "fatalMessage")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.close_button = button("Close", primary=True)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        layout.addStretch(2)
        self.close_button.clicked.connect(self.close_requested.emit)
