"""Where resources and data live, from source and from a PyInstaller build."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DB_ENV = "KIOSK_DB"


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def resource_root() -> Path:
    """The `resources/` folder: inside the bundle when frozen, beside the package otherwise."""
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)


def default_db_path() -> Path:
    """`KIOSK_DB`, else data.db next to the executable (frozen) or in the current folder.

    Never inside the bundle: PyInstaller's folder may be read-only or temporary.
    """
    override = os.environ.get(DB_ENV, "").strip()
    if override:
        return Path(override)
    if is_frozen():
        return Path(sys.executable).resolve().parent / "data.db"
    return Path.cwd() / "data.db"
