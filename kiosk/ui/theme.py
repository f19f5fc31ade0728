"""The one stylesheet, applied once to the application; a high-contrast variant on top."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtWidgets import QApplication

from kiosk.paths import resource_path


@lru_cache(maxsize=2)
def stylesheet(high_contrast: bool = False) -> str:
    text = resource_path("styles", "kiosk.qss").read_text(encoding="utf-8")
    if high_contrast:
        text += "\n" + resource_path("styles", "high-contrast.qss").read_text(encoding="utf-8")
    return text


PREF_HIGH_CONTRAST = "high_contrast"  # key in users.prefs


def apply_person_theme(prefs: dict | None) -> None:
    """High contrast on for a person who chose it; None (sign-out) goes back to normal."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply_theme(app, bool((prefs or {}).get(PREF_HIGH_CONTRAST)))


def apply_theme(app: QApplication, high_contrast: bool = False) -> None:
    # Setting a stylesheet re-polishes every widget in the application, which takes
    # seconds on an old PC with the manager area built: only do it when it changes.
    wanted = stylesheet(high_contrast)
    if app.styleSheet() != wanted:
        app.setStyleSheet(wanted)
