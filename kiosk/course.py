"""Content packs: a course's metadata, sections, question bank and contacts, from files.

A pack is a folder under `resources/courses/<course_id>/` that a person can edit
(TOML and Markdown). `load_course()` returns an immutable `Course` or raises
`ContentError` listing every problem with its file and line. `content_version`
is a hash of every file in the pack, so a result always says which text was read.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kiosk.errors import KioskError
from kiosk.paths import resource_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

QUESTION_TYPES = ("single", "multiple", "true_false")
TRUE_FALSE_OPTIONS = ("True", "False")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(KioskError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Source:
    title: str
    edition: str
    year: int
    id: str = ""
    url: str = ""
    published: str = ""  # as the publisher dates it, e.g. "December 2023, amended February 2024"
    accessed: date | None = None  # when the pack's editors last read it


@dataclass(frozen=True)
class Correction:
    """A change made because guidance moved on: when, where, what, and on whose authority."""

    date: date
    section: str
    change: str
    sources: tuple[str, ...]  # Source ids


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    file: str  # relative to the pack folder
    markdown: str
    last_reviewed: date | None = None
    next_review: date | None = None
    sources: tuple[str, ...] = ()  # ids of the course's [[sources]] this section relies on


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    type: str
    text: str
    options: tuple[str, ...]  # true_false questions get ("True", "False")
    answer: frozenset[int]  # zero-based indices of the correct options
    explanation: str


@dataclass(frozen=True)
class Contact:
    name: str
    role: str
    phone: str
    web: str
    area: str
    last_verified: date
    # Whether the number and address were seen on the organisation's own page, and where.
    # A centre's own edited list (data.db) is verified by the manager who saved it.
    verified: bool = True
    source: str = ""


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    version: str
    last_reviewed: date
    pass_mark: int
    questions_per_test: int
    refresher_months: int
    reveal_answers: bool
    multiple_scoring: str  # "all_or_nothing" | "partial"
    sources: tuple[Source, ...]
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    contacts: tuple[Contact, ...]
    localities_area: str
    localities: tuple[str, ...]
    urgent_markdown: str
    directory: Path
    content_version: str
    next_review: date | None = None
    corrections: tuple[Correction, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)


COURSES_ENV = "KIOSK_COURSES"


def courses_root() -> Path:
    """`KIOSK_COURSES` if set (a centre's own packs), else the bundled resources/courses."""
    override = os.environ.get(COURSES_ENV, "").strip()
    if override:
        return Path(override)
    return resource_path("courses")


def pack_dirs(root: Path | None = None) -> list[Path]:
    """The packs under `root`; `root` may also be one pack folder itself."""
    root = root or courses_root()
    if (root / "course.toml").is_file():
        return [root]
    return sorted(p.parent for p in root.glob("*/course.toml"))


def content_version(directory: Path) -> str:
    """SHA-256 over every file's path and bytes, in a fixed order (first 16 hex digits)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        rel = path.relative_to(directory).as_posix()
        if rel.startswith(".") or "/." in rel or rel.endswith((".pyc", "~")):
            continue
        digest.update(rel.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _read_toml(path: Path, rel: str, problems: list[Problem]) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.append(Problem(rel, 0, "file is missing"))
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", 0) or 0
        problems.append(Problem(rel, int(line), f"not valid TOML: {exc}"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, 0, f"cannot be read: {exc}"))
    return {}


def load_course(directory: Path | str) -> Course:
    """Load a pack, or raise ContentError listing every problem found.

    The detailed validation lives in kiosk.content_check; this builds the objects.
    """
    directory = Path(directory)
    from kiosk.content_check import check_pack  # local: keeps the dependency one-way

    try:
        problems, data = check_pack(directory)
        if problems:
            raise ContentError(problems)
        return _build(directory, data)
    except ContentError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # A value of the wrong kind that the checks did not foresee still has to reach
        # the person as a content problem, never as a crash at start-up.
        raise ContentError([Problem(directory.name, 0, _wrong_kind(exc))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(directory.name, 0, f"a file cannot be read: {exc}")]
                           ) from None


def _wrong_kind(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"a required entry is missing: {exc.args[0]!r}"
    return f"a value is missing or of the wrong kind ({type(exc).__name__}: {exc})"


def _build(directory: Path, data: dict) -> Course:
    meta = data["course"]
    sections = tuple(
        Section(s["id"], s["title"], s["file"],
                (directory / s["file"]).read_text(encoding="utf-8"),
                s.get("last_reviewed"), s.get("next_review"), tuple(s.get("sources", [])))
        for s in meta["sections"]
    )
    questions = []
    for q in data["questions"].get("questions", []):
        if q["type"] == "true_false":
            options = TRUE_FALSE_OPTIONS
            answer = frozenset({0 if q["answer"] else 1})
        else:
            options = tuple(q["options"])
            answer = frozenset(q["answer"])
        questions.append(Question(q["id"], q["section"], q["type"], q["text"], options,
                                  answer, q["explanation"]))
    contacts_data = data["contacts"]
    contacts = tuple(
        Contact(c["name"], c.get("role", ""), c.get("phone", ""), c.get("web", ""),
                c.get("area", ""), c["last_verified"], bool(c.get("verified", False)),
                c.get("source", ""))
        for c in contacts_data.get("contacts", [])
    )
    localities = contacts_data.get("localities", {})
    return Course(
        id=meta["id"], title=meta["title"], version=str(meta["version"]),
        last_reviewed=meta["last_reviewed"], pass_mark=int(meta["pass_mark"]),
        questions_per_test=int(meta["questions_per_test"]),
        refresher_months=int(meta["refresher_months"]),
        reveal_answers=bool(meta.get("reveal_answers", True)),
        multiple_scoring=str(meta.get("multiple_scoring", "all_or_nothing")),
        sources=tuple(Source(s["title"], s.get("edition", ""), int(s["year"]), s.get("id", ""),
                             s.get("url", ""), s.get("published", ""), s.get("accessed"))
                      for s in meta.get("sources", [])),
        next_review=meta.get("next_review"),
        corrections=tuple(Correction(c["date"], c.get("section", ""), c["change"],
                                     tuple(c.get("sources", [])))
                          for c in meta.get("corrections", [])),
        sections=sections, questions=tuple(questions), contacts=contacts,
        localities_area=str(localities.get("area", "")),
        localities=tuple(localities.get("names", [])),
        urgent_markdown=(directory / meta["urgent"]).read_text(encoding="utf-8"),
        directory=directory, content_version=content_version(directory),
    )


@dataclass(frozen=True)
class ReviewDue:
    """A pack or one of its sections whose review date has come."""

    course_id: str
    section_id: str  # "" for the pack as a whole
    title: str
    next_review: date

    def describe(self) -> str:
        when = f"{self.next_review.day} {self.next_review:%B %Y}"
        if self.section_id:
            return f"Section \u201c{self.title}\u201d was due for review on {when}"
        return f"The course \u201c{self.title}\u201d was due for review on {when}"


def reviews_due(courses: Sequence[Course], today: date) -> list[ReviewDue]:
    """The packs and sections past their next review date (on the day itself, too).

    Guidance changes; a pack nobody has re-read against it may teach something that is
    no longer true, so managers are told as soon as the date arrives.
    """
    due: list[ReviewDue] = []
    for course in courses:
        if course.next_review is not None and course.next_review <= today:
            due.append(ReviewDue(course.id, "", course.title, course.next_review))
        for section in course.sections:
            if section.next_review is not None and section.next_review <= today:
                due.append(ReviewDue(course.id, section.id, section.title,
                                     section.next_review))
    return due


def load_default_courses(root: Path | None = None) -> list[Course]:
    """Every pack under courses_root(); raises ContentError listing every broken pack's problems.

    Problem files are prefixed with the pack folder's name, as `kiosk content check` prints them.
    """
    root = root or courses_root()
    dirs = pack_dirs(root)
    if not dirs:
        raise ContentError([Problem(str(root), 0, "no course pack here (no course.toml found)")])
    courses: list[Course] = []
    problems: list[Problem] = []
    for directory in dirs:
        try:
            courses.append(load_course(directory))
        except ContentError as exc:
            problems.extend(Problem(f"{directory.name}/{p.file}", p.line, p.message)
                            for p in exc.problems)
    if problems:
        raise ContentError(problems)
    return courses
