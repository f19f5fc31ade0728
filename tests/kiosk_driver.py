"""Drive a REAL kiosk window in its own process, so a test can kill it mid-action.

    python -m tests.kiosk_driver --db PATH --username NAME --action answer --count 4

The password is read from the first line of standard input (never argv). The
driver builds the real MainWindow offscreen, signs in by typing, performs the
action through the real screens, prints one line saying what it did (e.g.
"ANSWERED 4"), flushes, and then waits in the event loop until it is killed
(or exits at once with --then exit). Crash tests SIGKILL it after that line.

Actions (add more to ACTIONS for other crash tests):
  login        sign in and stop on the home screen          -> "SIGNED IN"
  start-test   sign in and open (or resume) the test        -> "TEST OPEN <attempt id>"
  answer       open the test and answer --count questions   -> "ANSWERED <count>"
               with --choose first|correct|wrong, by number keys and Enter
  manager      sign in, open the manager area's People tab      -> "MANAGER"
With --then commands, the driver then reads commands, one per line, from standard input
and answers each with one line:
  dialog       People -> Import from CSV: Qt's real file dialog (the kiosk's QtDialogs),
               moved into data.db's own folder as a person browsing there would, left
               to list it, then cancelled                         -> "DIALOG CLOSED"
  stray-open   open and close data.db and data.db-shm with plain os.open, as any other
               library in the process might                       -> "STRAY CLOSED"
  add NAME     add a person through the People form, by typing    -> "ADDED NAME" or
                                                                     "FAILED <message>"
Exit codes: 0 after --then exit; 3 when the kiosk refused (message on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from kiosk.clock import FakeClock
from kiosk.context import open_context
from kiosk.course import load_default_courses
from kiosk.quiz import AttemptQuestion
from kiosk.ui.main_window import MainWindow
from tests.fakes import FakeDialogs


class Refused(Exception):
    pass


def say(line: str) -> None:
    print(line, flush=True)


def focused(window: MainWindow) -> QWidget:
    return QApplication.focusWidget() or window.stack.currentWidget()


def numbers_to_press(item: AttemptQuestion, choose: str) -> list[int]:
    """The 1-based option numbers, as shown, that a person picking `choose` would press."""
    shown = list(item.option_order)
    right = [n for n, original in enumerate(shown, start=1) if original in item.question.answer]
    wrong = [n for n, original in enumerate(shown, start=1)
             if original not in item.question.answer]
    if choose == "correct":
        return right if item.question.type == "multiple" else right[:1]
    if choose == "wrong":
        return wrong[:1]
    return [1]


def sign_in(window: MainWindow, username: str, password: str) -> None:
    QTest.keyClicks(window.login.username, username)
    QTest.keyClick(window.login.username, Qt.Key.Key_Return)
    QTest.keyClicks(window.login.password, password)
    QTest.keyClick(window.login.password, Qt.Key.Key_Return)
    if window.current_screen() not in ("home", "password_change"):
        raise Refused("sign-in failed")


def open_test(window: MainWindow) -> None:
    window.home.test.click()
    if window.current_screen() != "test":
        dialogs = window.ctx.dialogs
        told = dialogs.texts() if isinstance(dialogs, FakeDialogs) else []
        raise Refused("the test did not open: " + " | ".join(told))


def answer_questions(window: MainWindow, count: int, choose: str) -> int:
    screen = window.test
    attempt = screen.attempt
    assert attempt is not None
    done = 0
    while done < count:
        item = attempt.questions[screen.index]
        for number in numbers_to_press(item, choose):
            QTest.keyClick(focused(window), getattr(Qt.Key, f"Key_{number}"))
        done += 1
        if done < count and screen.index < len(attempt.questions) - 1:
            QTest.keyClick(focused(window), Qt.Key.Key_Return)
        elif done < count:
            break
    return done


def action_login(window: MainWindow, args: argparse.Namespace) -> str:
    return "SIGNED IN"


def action_start_test(window: MainWindow, args: argparse.Namespace) -> str:
    open_test(window)
    attempt = window.test.attempt
    return f"TEST OPEN {attempt.id if attempt else ''}"


def action_answer(window: MainWindow, args: argparse.Namespace) -> str:
    open_test(window)
    return f"ANSWERED {answer_questions(window, args.count, args.choose)}"


def action_manager(window: MainWindow, args: argparse.Namespace) -> str:
    window.home.manager_area.click()
    if window.current_screen() != "manager":
        raise Refused("the manager area did not open")
    window.manager.tabs.setCurrentWidget(window.manager.people)
    return "MANAGER"


ACTIONS: dict[str, Callable[[MainWindow, argparse.Namespace], str]] = {
    "login": action_login,
    "start-test": action_start_test,
    "answer": action_answer,
    "manager": action_manager,
}


def command_dialog(window: MainWindow, _: str) -> str:
    from kiosk.ui.dialogs import QtDialogs

    ctx = window.ctx
    data_folder = Path(ctx.db_path).resolve().parent
    scripted = ctx.dialogs
    ctx.dialogs = QtDialogs(window, data_folder=data_folder)

    def browse_then_cancel() -> None:
        shown = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QFileDialog) and w.isVisible()]
        if not shown:
            QTimer.singleShot(100, browse_then_cancel)
            return
        shown[0].setDirectory(str(data_folder))
        QTimer.singleShot(1500, shown[0].reject)

    QTimer.singleShot(200, browse_then_cancel)
    try:
        window.manager.people.import_button.click()  # returns when the dialog closes
    finally:
        ctx.dialogs = scripted
    return "DIALOG CLOSED"


def command_stray_open(window: MainWindow, _: str) -> str:
    path = str(window.ctx.db_path)
    for name in (path, path + "-shm"):
        fd = os.open(name, os.O_RDONLY)
        os.read(fd, 16)
        os.close(fd)
    return "STRAY CLOSED"


def command_add(window: MainWindow, name: str) -> str:
    from kiosk import users

    people = window.manager.people
    people.new_button.click()
    QTest.keyClicks(people.username, name)
    QTest.keyClicks(people.full_name, name.title())
    people.add_button.click()
    if users.find(window.ctx.db, name) is None:
        return "FAILED " + (people.message.text() or "not added")
    return f"ADDED {name}"


COMMANDS: dict[str, Callable[[MainWindow, str], str]] = {
    "dialog": command_dialog,
    "stray-open": command_stray_open,
    "add": command_add,
}


class CommandReader(QObject):
    """Standard input, a line at a time, run on the GUI thread.

    The thread only emits; `run` is a slot of this object, which lives on the GUI
    thread, so Qt queues each call there.
    """

    received = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.received.connect(self.run)

    def start(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in sys.stdin:
            self.received.emit(line.strip())

    @Slot(str)
    def run(self, line: str) -> None:
        name, _, rest = line.partition(" ")
        try:
            say(COMMANDS[name](self.window, rest))
        except Exception as exc:  # the test reads the reason; the kiosk keeps running
            say(f"FAILED {type(exc).__name__}: {exc}")


def serve_commands(window: MainWindow) -> CommandReader:
    reader = CommandReader(window)
    reader.start()
    return reader


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.kiosk_driver")
    parser.add_argument("--db", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--action", choices=sorted(ACTIONS), default="login")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--choose", choices=("first", "correct", "wrong"), default="first")
    parser.add_argument("--now", default=None,
                        help="a fixed ISO time for the kiosk's clock (default: the real clock)")
    parser.add_argument("--then", choices=("wait", "exit", "commands"), default="wait")
    args = parser.parse_args(argv)
    password = sys.stdin.readline().rstrip("\n")

    app = QApplication.instance() or QApplication([sys.argv[0]])
    clock = FakeClock(datetime.fromisoformat(args.now)) if args.now else None
    from kiosk.instance import InstanceLock

    # As `kiosk run` does: the lock tells commands beside it that a kiosk is running.
    lock = InstanceLock(args.db).acquire()  # noqa: F841 - held until the process ends
    ctx = open_context(args.db, clock=clock)
    courses = load_default_courses()
    ctx.courses = tuple(courses)
    ctx.course = courses[0]
    ctx.dialogs = FakeDialogs()
    window = MainWindow(ctx)
    window.resize(1024, 768)
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowExposed(window)
    try:
        sign_in(window, args.username, password)
        del password
        line = ACTIONS[args.action](window, args)
    except Refused as exc:
        print(f"REFUSED {exc}", file=sys.stderr, flush=True)
        return 3
    say(line)
    if args.then == "exit":
        window.allow_close = True
        return 0
    if args.then == "commands":
        reader = serve_commands(window)  # noqa: F841 - kept alive for the event loop
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
