"""The one stylesheet, applied once to the application; a high-contrast variant on top."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from kiosk.paths import resource_path


def stylesheet(high_contrast: bool = False) -> str:
    text = resource_path("styles", "kiosk.qss").read_text(encoding="utf-8")
    if high_contrast:
        text += "\n" + resource_path("styles", "high-contrast.qss").read_text(encoding="utf-8")
    return text


def apply_theme(app: QApplication, high_contrast: bool = False) -> None:
    app.setStyleSheet(stylesheet(high_contrast))
