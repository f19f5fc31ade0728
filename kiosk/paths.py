"""Where resources and data live, from source and from a PyInstaller build."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from kiosk.errors import KioskError

DB_ENV = "KIOSK_DB"


class FileInUseError(KioskError):
    """Windows refused to replace or move a file because another program holds it open."""

    def __init__(self, path: Path | str, advice: str = "Close it and try again") -> None:
        self.path = Path(path)
        super().__init__(
            f"{self.path.name} is open in another program (Excel or a database viewer, "
            f"for example) or is marked read-only, so Windows will not let it be replaced. "
            f"{advice}; nothing was changed.")


def replace_file(src: Path | str, dst: Path | str, *, held: Path | str | None = None,
                 advice: str = "Close it and try again") -> None:
    """os.replace(src, dst), saying plainly when Windows refuses because a file is held open.

    POSIX renames over an open file; Windows refuses (PermissionError) while any program
    has the file open without delete sharing: a CSV open in Excel, data.db in a database
    viewer. `held` is the file that may be held (default `dst`). The callers have just
    written `src` in the same folder, so the folder itself is writable. The error number
    is not consulted: it differs between Windows and Wine, and between "access denied"
    and "sharing violation", for the same cause.
    """
    tries = 4 if sys.platform == "win32" else 1
    for attempt in range(tries):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            suspect = Path(held if held is not None else dst)
            if sys.platform != "win32" or not suspect.exists():
                raise
            if attempt == tries - 1:
                raise FileInUseError(suspect, advice) from None
            # A virus scanner or a backup tool often holds a new file for a moment.
            time.sleep(0.25)


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
    # Quotes typed around a path with spaces (`set KIOSK_DB="C:\Kiosk Data\data.db"` in
    # cmd.exe, or in the Environment Variables dialog) are part of the value on Windows.
    override = os.environ.get(DB_ENV, "").strip().strip('"').strip()
    if override:
        return Path(override)
    if is_frozen():
        return Path(sys.executable).resolve().parent / "data.db"
    return Path.cwd() / "data.db"


OUTPUT_DEFAULTS = {"exports_folder": "Kiosk exports", "certificates_folder": "Kiosk certificates"}


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def program_folder() -> Path:
    return Path(sys.executable).resolve().parent if is_frozen() else resource_root().parent


def output_folder(configured: str, key: str, db_path: Path | str) -> Path:
    """The folder for exports or certificates: the setting, else Documents/<default>.

    Never the data folder itself, nor the program folder or inside it: a file dialog
    opened there shows data.db, its backups and the program, one click from replacing
    or copying them. A setting pointing there is ignored for the default. The folder is
    created if needed.
    """
    data = Path(db_path).resolve().parent
    program = program_folder()

    def forbidden(folder: Path) -> bool:
        return _inside(folder, program) or folder.resolve() == data

    home = Path.home()
    documents = home / "Documents" if (home / "Documents").is_dir() else home
    chosen = Path(configured).expanduser() if configured.strip() else None
    if chosen is None or forbidden(chosen):
        chosen = documents / OUTPUT_DEFAULTS[key]
        if forbidden(chosen):  # a home folder that is the data or program folder
            import tempfile

            chosen = Path(tempfile.gettempdir()) / OUTPUT_DEFAULTS[key]
    with contextlib.suppress(OSError):  # the save itself then reports the folder plainly
        chosen.mkdir(parents=True, exist_ok=True)
    return chosen
