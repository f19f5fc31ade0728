"""Can this PC show a window? Asked before Qt is loaded, because Qt cannot be asked.

When Qt finds no usable platform plugin it prints several lines and aborts the process
(exit 250 on Linux, or 134), which no Python code can catch. So on Linux the kiosk
checks first what Qt's xcb plugin needs and says in one line what is missing and which
Debian/Ubuntu package provides it. Windows and macOS always have their platform plugin.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# The libraries Qt's xcb plugin loads beyond a basic X client, and their Debian packages.
XCB_LIBRARIES = (
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
)

NO_WINDOW_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")


def _loadable(name: str) -> bool:
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def _x_server_answers(display: str) -> bool:
    """Connect to the X server the way Qt will (libxcb), and hang up at once."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(), None)
    try:
        return conn is not None and xcb.xcb_connection_has_error(conn) == 0
    finally:
        if conn is not None:
            xcb.xcb_disconnect(conn)


def display_problem(environ: Mapping[str, str] | None = None, platform: str | None = None,
                    loadable: Callable[[str], bool] = _loadable,
                    answers: Callable[[str], bool] = _x_server_answers) -> str | None:
    """Why no window can be opened here, in one sentence, or None when one can."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if chosen in NO_WINDOW_PLATFORMS or chosen.startswith("wayland"):
        return None  # chosen on purpose; Qt reports its own problems with these
    if not env.get("DISPLAY"):
        if env.get("WAYLAND_DISPLAY"):
            return None
        return ("there is no display to show the kiosk on (DISPLAY is not set): start it "
                "from the desktop session, or set DISPLAY")
    if not loadable("libxcb.so.1"):
        return ("the kiosk cannot open a window because the X client library is missing: "
                "install libxcb1 (sudo apt install libxcb1)")
    if not answers(env["DISPLAY"]):
        return (f"the display {env['DISPLAY']} does not answer: start the kiosk from the "
                "desktop session, or check DISPLAY")
    missing = [package for library, package in XCB_LIBRARIES if not loadable(library)]
    if missing:
        return ("the kiosk cannot open a window because system libraries are missing: "
                f"install {' '.join(missing)} (sudo apt install {' '.join(missing)})")
    return None
