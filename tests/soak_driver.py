"""Soak one real kiosk process: sign in, open a screen, sign out, hundreds of times.

    python -m tests.soak_driver DATA_DB CYCLES

Drives the real MainWindow offscreen by typing and pressing keys, alternating learner
cycles that open the reader and manager cycles that open the manager area, with every
fifth sign-out an automatic idle sign-out. Passwords come from standard input (two
lines: the learner's, then the manager's). Prints one JSON line of measurements
(resident memory, descriptors, threads, None's reference count) taken after a warm-up
and at the end, so the test can assert they stay flat.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.context import open_context
from kiosk.course import load_default_courses
from kiosk.ui.main_window import MainWindow
from tests.fakes import FakeDialogs

WARM_UP = 40


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def measure() -> dict[str, int]:
    gc.collect()
    QApplication.processEvents()
    if os.environ.get("KIOSK_SOAK_TRIM") == "1":
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand freed heap back: leak, or retention?
    from kiosk.db import sqlite_memory_used

    # Python wrappers of Qt styles: one was left behind at every sign-in while the theme
    # set Fusion again each time (issue 13); they must not grow.
    styles = sum(1 for o in gc.get_objects() if type(o).__name__ in ("QStyle", "QCommonStyle",
                                                                      "QProxyStyle"))
    return {"rss_kib": rss_kib(), "fds": len(os.listdir("/proc/self/fd")),
            "threads": threading.active_count(), "none_refs": sys.getrefcount(None),
            "sqlite_kib": sqlite_memory_used() // 1024, "style_wrappers": styles}


def sign_in(window: MainWindow, username: str, password: str) -> None:
    window.login.username.setFocus()
    QTest.keyClicks(window.login.username, username)
    QTest.keyClick(window.login.username, Qt.Key.Key_Return)
    QTest.keyClicks(window.login.password, password)
    QTest.keyClick(window.login.password, Qt.Key.Key_Return)
    if window.current_screen() != "home":
        raise SystemExit(f"sign-in failed at {window.current_screen()}")


def cycle(window: MainWindow, number: int, learner_pw: str, manager_pw: str) -> None:
    only = os.environ.get("KIOSK_SOAK_ONLY", "")  # "reader", "manager" or "login": to bisect
    if only == "login":
        sign_in(window, "alex", learner_pw)
    elif only == "manager" or (only != "reader" and number % 2):
        sign_in(window, "manager", manager_pw)
        window.home.manager_area.click()
        window.manager.back.click()
    else:
        sign_in(window, "alex", learner_pw)
        window.home.guidance.click()
        QTest.keyClick(window.reader, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
        window.reader.home.click()
    if number % 5 == 4:
        window.sign_out(idle=True)  # what the idle timer does when nobody is there
    else:
        window.home.sign_out.click()
    if window.current_screen() != "login":
        raise SystemExit(f"sign-out failed at {window.current_screen()}")
    # What the running kiosk's event loop does between a person's actions: widgets a
    # screen let go of (deleteLater) are deleted. QTest's calls alone never do that.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def main(argv: list[str]) -> int:
    db_path, cycles = argv[0], int(argv[1])
    learner_pw = sys.stdin.readline().rstrip("\n")
    manager_pw = sys.stdin.readline().rstrip("\n")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    if os.environ.get("KIOSK_SOAK_PIXMAPS"):  # to bisect: Qt's pixmap cache is bounded
        from PySide6.QtGui import QPixmapCache

        QPixmapCache.setCacheLimit(int(os.environ["KIOSK_SOAK_PIXMAPS"]))
    ctx = open_context(db_path)
    if os.environ.get("KIOSK_SOAK_SQLITE_CACHE"):  # to bisect: SQLite's page cache too
        ctx.db.execute(f"PRAGMA cache_size = {int(os.environ['KIOSK_SOAK_SQLITE_CACHE'])}")
    courses = load_default_courses()
    ctx.courses = tuple(courses)
    ctx.dialogs = FakeDialogs()
    window = MainWindow(ctx)
    window.resize(1024, 768)
    window.show()
    QTest.qWaitForWindowExposed(window)
    for number in range(WARM_UP):
        cycle(window, number, learner_pw, manager_pw)
    warm = measure()
    types = os.environ.get("KIOSK_SOAK_TYPES") == "1"
    if types:
        from collections import Counter

        counted = Counter(type(o).__name__ for o in gc.get_objects())
    trace = os.environ.get("KIOSK_SOAK_TRACE") == "1"
    if trace:  # where Python-level growth comes from, for investigating a leak
        import tracemalloc

        tracemalloc.start(10)
        before = tracemalloc.take_snapshot()
    curve = []
    for number in range(WARM_UP, cycles):
        cycle(window, number, learner_pw, manager_pw)
        if (number - WARM_UP) % 50 == 49:
            point = measure()
            curve.append((point["rss_kib"], point["sqlite_kib"]))
    end = measure()
    if types:
        grown = Counter(type(o).__name__ for o in gc.get_objects())
        grown.subtract(counted)
        print("TYPES", grown.most_common(8), file=sys.stderr)
    if trace:
        after = tracemalloc.take_snapshot()
        for stat in after.compare_to(before, "traceback")[:8]:
            print("TRACE", stat, "|", " <- ".join(str(f) for f in stat.traceback[-4:]),
                  file=sys.stderr)
    print(json.dumps({"cycles": cycles, "warm": warm, "end": end, "rss_curve": curve}),
          flush=True)
    window.allow_close = True
    window.idle.stop()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
