"""Kiosk settings: one registry of keys, types, defaults and limits.

The keys are a public contract (`kiosk settings set KEY VALUE`, centres' scripts):
never rename one. Values are stored as text in the `settings` table and parsed
through the registry on every read, so a hand-edited bad value falls back to the
default instead of crashing the kiosk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from kiosk.clock import Clock, to_iso
from kiosk.errors import ValidationError

Value = int | bool | str  # what a setting holds, by its registry kind


@dataclass(frozen=True)
class Setting:
    key: str
    kind: type  # int, bool or str
    default: Value
    help: str
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 120
    check: Callable[[str], str | None] | None = None  # returns a reason when invalid


def _kiosk_id_check(value: str) -> str | None:
    if not value or not all(ch.isalnum() or ch in "-_." for ch in value):
        return "use letters, digits, '-', '_' or '.' only"
    return None


def _not_blank(value: str) -> str | None:
    return "cannot be empty" if not value.strip() else None


REGISTRY: tuple[Setting, ...] = (
    Setting("centre_name", str, "", "The centre's name, shown on screens and certificates.",
            check=_not_blank),
    Setting("kiosk_id", str, "kiosk-1", "This PC's name in the access log and results.",
            max_length=40, check=_kiosk_id_check),
    Setting("idle_timeout_seconds", int, 300, "Idle time before the logout countdown starts.",
            minimum=30, maximum=3600),
    Setting("idle_countdown_seconds", int, 30, "Length of the visible countdown before logout.",
            minimum=5, maximum=300),
    Setting("lockout_delay_after", int, 5, "Consecutive failures after which each try is delayed.",
            minimum=1, maximum=50),
    Setting("lockout_threshold", int, 10, "Consecutive failures that lock an account.",
            minimum=3, maximum=100),
    Setting("lockout_minutes", int, 15, "How long a locked account stays locked.",
            minimum=1, maximum=1440),
    # A person takes about ten seconds a try, so a queue of staff with typos makes a few
    # dozen failures at most; 100 in five minutes is a script or a key-injecting device.
    Setting("kiosk_failure_limit", int, 100,
            "Failed logins on this kiosk (any accounts) that pause all logins here.",
            minimum=5, maximum=1000),
    Setting("kiosk_failure_window_minutes", int, 5,
            "The window in which kiosk_failure_limit is counted, and the pause length.",
            minimum=1, maximum=1440),
    Setting("password_min_length_learner", int, 12, "Shortest password for learners.",
            minimum=8, maximum=64),
    Setting("password_min_length_manager", int, 15, "Shortest password for managers.",
            minimum=12, maximum=64),
    Setting("pass_mark", int, 0, "Pass mark in percent; 0 uses the course's own.",
            minimum=0, maximum=100),
    Setting("attempt_limit", int, 0, "Test attempts allowed per refresher period; 0 = no limit.",
            minimum=0, maximum=100),
    Setting("attempt_cooldown_hours", int, 0, "Hours to wait between test attempts; 0 = none.",
            minimum=0, maximum=720),
    Setting("require_all_sections", bool, True,
            "The test opens only after every section has been read to the end."),
    Setting("retention_months_access_log", int, 0,
            "Access-log rows older than this may be purged; 0 = keep for ever.",
            minimum=0, maximum=600),
    Setting("retention_months_results", int, 0,
            "Results older than this may be purged; 0 = keep for ever.", minimum=0, maximum=600),
    Setting("backup_keep", int, 7, "Daily automatic backups kept beside data.db.",
            minimum=0, maximum=365),
    # Where files go, never the program or data folder (kiosk/paths.py::output_folder).
    Setting("exports_folder", str, "",
            "Folder managers' export and file dialogs open in; empty = Documents/Kiosk exports.",
            max_length=260),
    Setting("certificates_folder", str, "",
            "Folder certificates are saved to in one step; empty = Documents/Kiosk "
            "certificates.", max_length=260),
    # A learner's Print never opens a dialog (kiosk/ui/printing.py).
    Setting("certificate_printer", str, "",
            "Printer learners' certificates print on, with no print dialog; empty = this "
            "PC's default printer. A printer that makes files (Print to PDF) is never used: "
            "the certificate is saved to the certificates folder instead.", max_length=260),
)

BY_KEY = {s.key: s for s in REGISTRY}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse(key: str, text: str) -> Value:
    """Parse and validate `text` for `key`; raise ValidationError with the reason."""
    setting = BY_KEY.get(key)
    if setting is None:
        raise ValidationError(f"unknown setting '{key}' (see: kiosk settings list)")
    raw = str(text).strip()
    value: Value
    if setting.kind is bool:
        if raw.lower() in _TRUE:
            value = True
        elif raw.lower() in _FALSE:
            value = False
        else:
            raise ValidationError(f"{key} must be true or false")
    elif setting.kind is int:
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError(f"{key} must be a whole number") from None
        if setting.minimum is not None and value < setting.minimum:
            raise ValidationError(f"{key} must be at least {setting.minimum}")
        if setting.maximum is not None and value > setting.maximum:
            raise ValidationError(f"{key} must be at most {setting.maximum}")
    else:
        value = "".join(ch for ch in raw if ch.isprintable())
        if len(value) > setting.max_length:
            raise ValidationError(f"{key} must be at most {setting.max_length} characters")
    if setting.check is not None:
        reason = setting.check(str(value))
        if reason:
            raise ValidationError(f"{key}: {reason}")
    return value


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Settings:
    """Typed access to the settings table."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def get(self, key: str) -> Value:
        setting = BY_KEY.get(key)
        if setting is None:
            raise ValidationError(f"unknown setting '{key}' (see: kiosk settings list)")
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        if row is None:
            return setting.default
        try:
            return parse(key, row[0])
        except ValidationError:
            return setting.default

    def get_int(self, key: str) -> int:
        return int(self.get(key))

    def get_bool(self, key: str) -> bool:
        return bool(self.get(key))

    def all(self) -> dict[str, Value]:
        return {s.key: self.get(s.key) for s in REGISTRY}

    def set(self, key: str, text: Any) -> Any:
        value = parse(key, format_value(text) if not isinstance(text, str) else text)
        self._db.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
            "updated_at = excluded.updated_at",
            [key, format_value(value), to_iso(self._clock.now())],
        )
        return value

    @property
    def kiosk_id(self) -> str:
        return str(self.get("kiosk_id"))

    @property
    def centre_name(self) -> str:
        return str(self.get("centre_name"))
