"""Driving the real screens from the keyboard, as a person would."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def focused():
    return QApplication.focusWidget()


def type_into_focus(qtbot, text: str) -> None:
    widget = focused()
    assert widget is not None, "nothing has the keyboard focus"
    qtbot.keyClicks(widget, text)


def press(qtbot, key: Qt.Key) -> None:
    widget = focused()
    assert widget is not None, "nothing has the keyboard focus"
    qtbot.keyClick(widget, key)


def sign_in(qtbot, window, username: str, password: str) -> None:
    """Type the username, Tab, type the password, Enter — starting from the login screen."""
    window.login.username.setFocus()
    type_into_focus(qtbot, username)
    press(qtbot, Qt.Key.Key_Tab)
    type_into_focus(qtbot, password)
    press(qtbot, Qt.Key.Key_Return)


def wait_for_jobs(qtbot, area, timeout: int = 30000) -> None:
    """Long work (exports, imports, purges) runs off the GUI thread: wait for it to report
    back, as the person waits for the progress bar to finish."""
    qtbot.waitUntil(lambda: not area.jobs.busy, timeout=timeout)
