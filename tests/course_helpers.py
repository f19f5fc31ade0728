"""Helpers for content-pack tests: copy the default pack and break or edit it."""

from __future__ import annotations

import shutil
from pathlib import Path

from kiosk.context import AppContext
from kiosk.course import Course, load_course
from kiosk.paths import resource_path

DEFAULT_PACK = resource_path("courses", "safeguarding-children")


def copy_pack(tmp_path: Path, name: str = "pack") -> Path:
    """A copy of the default pack at tmp_path/courses/<name> (a folder of packs)."""
    target = tmp_path / "courses" / name
    shutil.copytree(DEFAULT_PACK, target)
    return target


def edit(pack: Path, rel: str, old: str, new: str) -> None:
    """Replace the first `old` in a pack file; fails loudly if the text is not there."""
    path = pack / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(pack: Path, rel: str, marker: str, nth: int = 1) -> int:
    """The 1-based line of the nth line containing `marker` in a pack file."""
    seen = 0
    for number, line in enumerate((pack / rel).read_text(encoding="utf-8").splitlines(), 1):
        if marker in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{marker!r} not found in {rel}")


def use_course(ctx: AppContext, pack: Path = DEFAULT_PACK) -> Course:
    """Load a pack into the test context, as the kiosk does at start."""
    course = load_course(pack)
    ctx.courses = (course,)
    return course
