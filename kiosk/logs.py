"""The diagnostic log file (kiosk.log beside data.db), for bugs, not for people.

Nothing that reaches it can hold a password: passwords never enter exception
messages or log calls anywhere in the kiosk, and tracebacks carry no locals.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

LOGGER_NAME = "kiosk"
MAX_BYTES = 1_000_000
BACKUPS = 3


class RotatingLog(logging.FileHandler):
    """kiosk.log, moved to kiosk.log.1 (.2, .3) when it passes MAX_BYTES.

    The standard library's RotatingFileHandler does the same, but logging.handlers pulls
    in sockets, pickle and queues (2.6 MB) before the first screen is painted.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None and self.stream.tell() >= MAX_BYTES:
                self._rotate()
        except OSError:
            # A failed rotation must never lose the message or stop the kiosk: Windows will
            # not rename kiosk.log while a running kiosk holds it, so a command carries on
            # in the file until a rotation succeeds.
            pass
        super().emit(record)

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None  # reopened by emit()
        for n in range(BACKUPS - 1, 0, -1):
            older = f"{self.baseFilename}.{n}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{n + 1}")
        os.replace(self.baseFilename, f"{self.baseFilename}.1")


def setup_logging(db_path: Path) -> logging.Logger:
    logger = logging.getLogger(LOGGER_NAME)
    target = str(db_path.with_name("kiosk.log").resolve())
    for old in list(logger.handlers):
        if getattr(old, "baseFilename", None) == target:
            return logger
        # A different data.db in the same process (tests, `kiosk demo`): log beside it.
        logger.removeHandler(old)
        old.close()
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        handler: logging.Handler = RotatingLog(db_path.with_name("kiosk.log"),
                                               encoding="utf-8", delay=True)
    except OSError:
        handler = logging.NullHandler()  # a read-only folder must not stop the kiosk
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    return logger
