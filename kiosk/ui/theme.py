"""The one stylesheet, applied once to the application, in a person's theme and text size.

High contrast is not a second hand-written sheet that drifts out of step with the first
(it did: the test and result screens were unreadable in it). It is the same sheet with
every colour swapped through HIGH_CONTRAST, so a new screen styled in kiosk.qss is
high-contrast too; a colour missing from the map is an error (a test checks). The text
size works the same way: every `font-size: Npx` is multiplied, so 200% reaches every
screen, not only the reader.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from kiosk.paths import resource_path
from kiosk.ui import metrics

if TYPE_CHECKING:  # the theme is applied before the first paint, these load after it
    from kiosk.context import AppContext

PREF_HIGH_CONTRAST = "high_contrast"  # key in users.prefs
PREF_TEXT_SCALE = "reader_text_scale"  # key in users.prefs: an index into metrics.TEXT_SCALES

# Light theme colour -> high-contrast colour. Roles swap with the colours: a light
# background becomes black, dark text becomes white or yellow, the accent blue becomes
# yellow (so white-on-blue buttons become black-on-yellow), the focus ring cyan.
HIGH_CONTRAST = {
    "#1b1f23": "#ffffff",  # body text
    "#f3f6f9": "#000000",  # window background
    "#ffffff": "#000000",  # cards, fields, buttons; text on the accent
    "#c9d3dd": "#ffffff",  # card and table borders
    "#0b3d62": "#ffff00",  # headings, button text
    "#33475b": "#ffffff",  # secondary text
    "#fff4d6": "#000000",  # notice background
    "#b7791f": "#ffff00",  # notice edge
    "#3d2a00": "#ffffff",  # notice text
    "#fde8e8": "#000000",  # error background
    "#b42318": "#ffff00",  # error edge, idle banner
    "#5c0b0b": "#ffffff",  # error text
    "#e6f0fa": "#000000",  # status background, hover
    "#0b5cad": "#ffff00",  # accent: primary buttons, borders, selection
    "#7a8794": "#ffffff",  # field borders
    "#a34d00": "#00ffff",  # the focus ring
    "#5f6b76": "#c8c8c8",  # disabled text
    "#9aa5b0": "#a0a0a0",  # disabled borders
    "#eef1f4": "#000000",  # disabled background
    "#094a8c": "#ffffff",  # primary hover (black text on white)
    "#8a1c1c": "#ff9c9c",  # urgent, failed
    "#d5dde5": "#808080",  # grid lines
    "#e6edf3": "#000000",  # table headers, tabs
    "#146c2e": "#7dff7d",  # passed, right answer
    "#fffbe6": "#000000",  # focused option background
}

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b")
_FONT = re.compile(r"font-size:\s*(\d+)px")


def _base() -> str:
    return resource_path("styles", "kiosk.qss").read_text(encoding="utf-8")


def unmapped_colours() -> set[str]:
    """Colours in kiosk.qss with no high-contrast partner (should be none)."""
    return {c.lower() for c in _COLOUR.findall(_base())} - set(HIGH_CONTRAST)


def scale_fonts(text: str, scale: float) -> str:
    if scale == 1.0:
        return text
    return _FONT.sub(lambda m: f"font-size: {round(int(m.group(1)) * scale)}px", text)


@lru_cache(maxsize=16)
def stylesheet(high_contrast: bool = False, scale: float = 1.0) -> str:
    text = _base()
    if high_contrast:
        text = _COLOUR.sub(lambda m: HIGH_CONTRAST.get(m.group(0).lower(), m.group(0)), text)
        text += "\n" + resource_path("styles", "high-contrast.qss").read_text(encoding="utf-8")
    return scale_fonts(text, scale)


def person_text_scale(prefs: dict | None) -> int:
    """The person's text-size step (0 = normal); anything odd in prefs means normal."""
    value = (prefs or {}).get(PREF_TEXT_SCALE, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return min(max(value, 0), len(metrics.TEXT_SCALES) - 1)


def apply_person_theme(prefs: dict | None) -> None:
    """The person's high contrast and text size; None (sign-out) goes back to normal."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply_theme(app, bool((prefs or {}).get(PREF_HIGH_CONTRAST)),
                    metrics.TEXT_SCALES[person_text_scale(prefs)])


def palette(high_contrast: bool) -> QPalette:
    """The palette behind the stylesheet: what unstyled corners of Qt widgets paint with."""
    pal = QPalette()
    window, text, base, accent, on_accent = (
        ("#000000", "#ffffff", "#000000", "#ffff00", "#000000") if high_contrast else
        ("#f3f6f9", "#1b1f23", "#ffffff", "#0b5cad", "#ffffff"))
    roles = {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base, QPalette.ColorRole.AlternateBase: window,
        QPalette.ColorRole.Text: text, QPalette.ColorRole.Button: base,
        QPalette.ColorRole.ButtonText: text, QPalette.ColorRole.Highlight: accent,
        QPalette.ColorRole.HighlightedText: on_accent, QPalette.ColorRole.ToolTipBase: base,
        QPalette.ColorRole.ToolTipText: text, QPalette.ColorRole.PlaceholderText:
            "#c8c8c8" if high_contrast else "#5f6b76",
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    return pal


def apply_theme(app: QApplication, high_contrast: bool = False, scale: float = 1.0) -> None:
    # One style on every platform: the gallery drawn on Linux is what a Windows kiosk shows,
    # and the stylesheet is written against Fusion's drawing.
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    # Setting a stylesheet re-polishes every widget in the application, which takes
    # seconds on an old PC with the manager area built: only do it when it changes.
    wanted = stylesheet(high_contrast, scale)
    if app.styleSheet() != wanted:
        app.setPalette(palette(high_contrast))
        app.setStyleSheet(wanted)
    app.setProperty("kiosk_high_contrast", high_contrast)
    app.setProperty("kiosk_text_scale", scale)


def current_high_contrast() -> bool:
    app = QApplication.instance()
    return bool(app.property("kiosk_high_contrast")) if app is not None else False


def remember(ctx: AppContext, changes: dict[str, object]) -> None:
    """Save display choices into the signed-in person's prefs (others' keys kept) and apply."""
    from kiosk.operations import session

    user = ctx.current_user
    if user is None:
        return
    saved = session.save_own_prefs(ctx, user, changes)
    ctx.current_user = dataclasses.replace(user, prefs=saved.prefs)
    apply_person_theme(saved.prefs)
