"""Errors a person can cause or meet, each carrying a message fit to show them.

Anything raised as a KioskError is shown as its message (one line, no traceback)
by both the CLI and the GUI. Anything else is a bug and is logged in full.
"""


class KioskError(Exception):
    """A problem with a plain-English message for the person at the kiosk."""


class DatabaseError(KioskError):
    """The database file cannot be used: missing folder, corrupt, locked, newer, read-only."""


class ValidationError(KioskError):
    """Input that breaks a rule: a weak password, a bad setting value, a bad username."""


class NotFoundError(KioskError):
    """A named thing (user, certificate code) does not exist."""
