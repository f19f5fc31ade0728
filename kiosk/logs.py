"""The diagnostic log file (kiosk.log beside data.db), for bugs, not for people.

Nothing that reaches it can hold a password: passwords never enter exception
messages or log calls anywhere in the kiosk, and tracebacks carry no locals.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from pathlib import Path

LOGGER_NAME = "kiosk"


def _rotate(source: str, dest: str) -> None:
    """Rename kiosk.log aside, or carry on in it when Windows refuses.

    A running kiosk keeps kiosk.log open, and Windows will not rename an open file: the
    command that reached the size limit printed a "Logging error" traceback and lost
    its record. The file grows a little past the limit until a rotation succeeds.
    """
    with contextlib.suppress(PermissionError):
        os.replace(source, dest)


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
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            db_path.with_name("kiosk.log"), maxBytes=1_000_000, backupCount=3, encoding="utf-8",
            delay=True,
        )
        handler.rotator = _rotate
    except OSError:
        handler = logging.NullHandler()  # a read-only folder must not stop the kiosk
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    return logger
