"""The baseline: a bare PySide6 window that exits as soon as it has painted once.

Same exit rule as `kiosk --exit-when-ready` (an event filter on the first Paint), so the
two start-up figures differ only by what the kiosk does beyond showing a window.
"""

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


class FirstPaint(QObject):
    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.app = app
        self.done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            mark = os.environ.get("KIOSK_FIRST_PAINT_FILE")  # as the kiosk does (ui/app.py)
            if mark:
                with open(mark, "w", encoding="ascii") as f:
                    f.write(repr(time.time()))
            QTimer.singleShot(0, self.app.quit)
        return False


app = QApplication(sys.argv)
window = QMainWindow()
label = QLabel("Hello")
window.setCentralWidget(label)
watcher = FirstPaint(app)
label.installEventFilter(watcher)
window.resize(1024, 768)
window.show()
sys.exit(app.exec())
