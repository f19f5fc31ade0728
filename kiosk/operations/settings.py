"""Changing settings: every value checked first, nothing saved unless all are valid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk import audit
from kiosk import settings as registry
from kiosk.audit import Actor
from kiosk.context import AppContext
from kiosk.errors import ValidationError
from kiosk.operations.base import as_manager
from kiosk.users import User


class SettingsInvalid(ValidationError):
    """One or more values broke their rule; `problems` maps each key to its reason."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        first = next(iter(problems.values()))
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)


@dataclass(frozen=True)
class SettingsChanged:
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # key: (before, after)


def check(texts: Mapping[str, str]) -> dict[str, Any]:
    """Parse every value; raise SettingsInvalid naming each bad one."""
    parsed: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key, text in texts.items():
        try:
            parsed[key] = registry.parse(key, text)
        except ValidationError as exc:
            problems[key] = str(exc)
    if problems:
        raise SettingsInvalid(problems)
    return parsed


def change(ctx: AppContext, actor: Actor | User | None,
           texts: Mapping[str, str]) -> SettingsChanged:
    """Save the values that differ, each with one audit row `setting_changed: KEY A -> B`."""
    parsed = check(texts)
    with as_manager(ctx.db, actor, "change settings") as who:
        changed: dict[str, tuple[Any, Any]] = {}
        for key, value in parsed.items():
            before = ctx.settings.get(key)
            if before == value:
                continue
            ctx.settings.set(key, value)
            changed[key] = (before, value)
            audit.record(ctx.db, ctx.settings, ctx.clock, who, "setting_changed",
                         f"{key} {registry.format_value(before)} -> "
                         f"{registry.format_value(value)}")
    return SettingsChanged(changed)
