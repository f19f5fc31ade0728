"""Validation of a content pack: every problem, with its file and line.

FIRST DRAFT (foundation): parses the three TOML files and checks the keys that
`kiosk.course` needs. The guidance-course work extends this into the full
`kiosk content check` (unknown keys, duplicate ids, bad dates, ranges...).
"""

from __future__ import annotations

from pathlib import Path

from kiosk.course import Problem, _read_toml


def check_pack(directory: Path) -> tuple[list[Problem], dict]:
    problems: list[Problem] = []
    meta = _read_toml(directory / "course.toml", "course.toml", problems)
    if problems:
        return problems, {}
    questions = _read_toml(directory / str(meta.get("questions", "questions.toml")),
                           str(meta.get("questions", "questions.toml")), problems)
    contacts = _read_toml(directory / str(meta.get("contacts", "contacts.toml")),
                          str(meta.get("contacts", "contacts.toml")), problems)
    for s in meta.get("sections", []):
        if not (directory / str(s.get("file", ""))).is_file():
            problems.append(Problem("course.toml", 0, f"section file {s.get('file')} is missing"))
    return problems, {"course": meta, "questions": questions, "contacts": contacts}
