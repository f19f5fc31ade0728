"""Standard streams that carry every name, on every system.

On Windows Python writes to a console window through its Unicode API, but to a pipe or
a file (`kiosk users list > people.txt`, PowerShell's `|`, a scheduled task's log) in
the ANSI code page, cp1252 on a UK PC: "Llŷr" cannot be written there at all and the
command failed, and a password piped in was read in that code page, so a non-ASCII one
would not match the same password typed at the kiosk. Redirected streams are therefore
UTF-8, as every export is; a byte-order mark at the start of standard input (PowerShell
5 writes one) is dropped.
"""

from __future__ import annotations

import sys


def use_utf8_when_redirected() -> None:
    """Make redirected standard streams UTF-8 on Windows; consoles are left as they are."""
    if sys.platform != "win32":
        return  # POSIX systems already use the locale's UTF-8 (or Python's UTF-8 mode)
    for name, encoding, errors in (("stdin", "utf-8-sig", "strict"),
                                   ("stdout", "utf-8", "backslashreplace"),
                                   ("stderr", "utf-8", "backslashreplace")):
        stream = getattr(sys, name, None)
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue  # absent (pythonw.exe) or replaced (a test's StringIO)
        try:
            if stream.isatty():
                continue
            reconfigure(encoding=encoding, errors=errors)
        except (OSError, ValueError):
            continue  # a closed or odd stream: keep what Python chose


def stdin_is_terminal() -> bool:
    """Whether a person can answer on standard input (a prompt may wait for them).

    On Windows `isatty()` is also true for the NUL device (`kiosk purge < NUL`, a
    scheduled task, a service): a prompt there reads nothing and the command failed,
    or getpass waited for a console that is not there. Python reads a real console
    through its own console class, so that is what is checked.
    """
    stream = sys.stdin
    try:
        if stream is None or not stream.isatty():
            return False
    except (OSError, ValueError):
        return False
    if sys.platform != "win32":
        return True
    raw = getattr(getattr(stream, "buffer", None), "raw", None)
    return type(raw).__name__ == "_WindowsConsoleIO"
