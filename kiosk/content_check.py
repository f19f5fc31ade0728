"""Validation of a content pack: every problem, with its file and line.

`check_pack()` reads a pack folder and returns `(problems, data)`; `data` holds the
parsed TOML with defaults filled in, ready for `kiosk.course._build` when there are
no problems. Every check keeps going after a problem so a person fixing a pack
sees the whole list at once, not one error per run.

tomllib gives no line numbers, so `Locator` scans the raw text for table headers
and `key =` lines; a problem inside the third `[[questions]]` block points at the
line of the offending key in that block (or the block's header if the key is absent).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from kiosk.clock import clock_for

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

QUESTION_TYPES = ("single", "multiple", "true_false")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack, at a file and line (0 when it is about the whole file)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


# The keys a pack may use, and which of them must be present. Anything else is a typo
# (a misspelt key would otherwise be ignored silently and its default used).
COURSE_REQUIRED = ("id", "title", "version", "last_reviewed", "pass_mark",
                   "questions_per_test", "refresher_months", "sections")
COURSE_OPTIONAL = ("reveal_answers", "multiple_scoring", "urgent", "contacts", "questions",
                   "sources", "next_review", "corrections")
SOURCE_REQUIRED = ("title", "year")
SOURCE_OPTIONAL = ("edition", "id", "url", "published", "accessed")
SECTION_REQUIRED = ("id", "title", "file")
SECTION_OPTIONAL = ("last_reviewed", "next_review", "sources")
CORRECTION_REQUIRED = ("date", "change", "sources")
CORRECTION_OPTIONAL = ("section",)
QUESTION_REQUIRED = ("id", "section", "type", "text", "answer", "explanation")
QUESTION_OPTIONAL = ("options",)
CONTACT_REQUIRED = ("name", "last_verified")
CONTACT_TEXTS = ("role", "phone", "web", "area")
# `source` is asked for (a warning without it), not required: a centre's own older pack
# must still start; its contacts are then shown as not verified.
CONTACT_OPTIONAL = (*CONTACT_TEXTS, "verified", "source")
LOCALITIES_KEYS = ("area", "names")
DEFAULT_FILES = {"urgent": "urgent.md", "contacts": "contacts.toml",
                 "questions": "questions.toml"}
SCORING = ("all_or_nothing", "partial")
MIN_OPTIONS, MAX_OPTIONS = 2, 6
ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")

_KEY_LINE = re.compile(r'^\s*("[^"]*"|\'[^\']*\'|[A-Za-z0-9_.-]+)\s*=')
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_TOML_LINE = re.compile(r"line (\d+)")
_IMAGE = re.compile(r"!\[[^\]]*\]\s*[(\[]")
_HTML = re.compile(r"<!--|</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
# A UK phone number (0 or +44, then 9 or 10 more digits, spaced or not). 999, 101 and
# 111 are short enough not to match: they never change, so text may name them.
_PHONE = re.compile(r"(?<![\w.])(?:\+44[\s-]?|0)\d(?:[\s-]?\d){8,9}(?![\w])")
_WEB = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?]|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
                  r"|\b(?:[a-z0-9-]+\.)+(?:uk|com|org|net|info)\b")


class Locator:
    """Line numbers for keys and tables in one TOML file's raw text (1-based)."""

    def __init__(self, text: str) -> None:
        # (table name or "", index of that [[array]] entry or 0) -> {key: line}
        self.keys: dict[tuple[str, int], dict[str, int]] = {("", 0): {}}
        self.headers: dict[tuple[str, int], int] = {}
        counts: dict[str, int] = {}
        block = ("", 0)
        depth = 0
        in_multiline = False
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if in_multiline:
                if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                    in_multiline = False
                continue
            if depth > 0:
                depth += _bracket_depth(line)
                continue
            header = _HEADER.match(raw)
            if header and not _KEY_LINE.match(raw):
                name = header.group(2).strip().strip("\"'")
                if header.group(1) == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                else:
                    index = 0
                block = (name, index)
                self.headers.setdefault(block, number)
                self.keys.setdefault(block, {})
                # A table header names a key of the top level (or its parent table).
                self.keys[("", 0)].setdefault(name.split(".")[0], number)
                continue
            key = _KEY_LINE.match(raw)
            if key:
                self.keys.setdefault(block, {}).setdefault(key.group(1).strip("\"'"), number)
                value = raw[key.end():]
                if value.count('"""') % 2 == 1 or value.count("'''") % 2 == 1:
                    in_multiline = True
                depth = max(0, _bracket_depth(value))

    def header(self, table: str, index: int = 0) -> int:
        return self.headers.get((table, index), 1)

    def key(self, table: str, index: int, key: str) -> int:
        found = self.keys.get((table, index), {}).get(key)
        if found:
            return found
        return self.headers.get((table, index), 1)


def _bracket_depth(text: str) -> int:
    """Open brackets minus closed ones, ignoring brackets in strings and comments."""
    depth = 0
    quote = ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
    return depth


class _File:
    """One TOML file of the pack: its parsed data, its locator, and where to report."""

    def __init__(self, rel: str, data: dict[str, Any], locator: Locator) -> None:
        self.rel = rel
        self.data = data
        self.loc = locator


class _Checker:
    def __init__(self, directory: Path, today: date) -> None:
        self.directory = directory
        self.today = today
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.source_ids: set[str] = set()
        self.questions_rel = "questions.toml"
        self.questions_locator: Locator | None = None

    def add(self, rel: str, line: int, message: str) -> None:
        self.problems.append(Problem(rel, line, message))

    def warn(self, rel: str, line: int, message: str) -> None:
        """Not wrong enough to stop the kiosk, but worth an editor's attention."""
        self.warnings.append(Problem(rel, line, message))

    # ------------------------------------------------------------------ reading files

    def read_toml(self, rel: str, missing_at: tuple[str, int] | None,
                  what: str) -> _File | None:
        path = self.directory / rel
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            where = missing_at or (rel, 1)
            self.add(where[0], where[1], f"the {what} file {rel} is missing")
            return None
        except IsADirectoryError:
            where = missing_at or (rel, 1)
            self.add(where[0], where[1], f"the {what} file {rel} is a folder, not a file")
            return None
        except UnicodeDecodeError:
            self.add(rel, 1, "cannot be read: save it as UTF-8 text")
            return None
        except OSError as exc:
            self.add(rel, 1, f"cannot be read: {exc.strerror or exc}")
            return None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = _TOML_LINE.search(str(exc))
            self.add(rel, int(found.group(1)) if found else 1, f"not valid TOML: {exc}")
            return None
        return _File(rel, data, Locator(text))

    def read_markdown(self, rel: str, missing_at: tuple[str, int], what: str) -> str | None:
        path = self.directory / rel
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.add(missing_at[0], missing_at[1], f"the {what} file {rel} is missing")
        except IsADirectoryError:
            self.add(missing_at[0], missing_at[1],
                     f"the {what} file {rel} is a folder, not a file")
        except UnicodeDecodeError:
            self.add(rel, 1, "cannot be read: save it as UTF-8 text")
        except OSError as exc:
            self.add(rel, 1, f"cannot be read: {exc.strerror or exc}")
        return None

    # ------------------------------------------------------------------ generic checks

    def keys(self, f: _File, table: str, index: int, entry: dict[str, Any],
             required: Iterable[str], optional: Iterable[str], what: str) -> None:
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in entry:
            if key not in allowed:
                self.add(f.rel, f.loc.key(table, index, key),
                         f"unknown key '{key}' in {what} (allowed: {', '.join(sorted(allowed))})")
        for key in required:
            if key not in entry:
                self.add(f.rel, f.loc.header(table, index) if table else 1,
                         f"{what} is missing the required key '{key}'")

    def text(self, f: _File, table: str, index: int, entry: dict[str, Any], key: str,
             what: str, *, required: bool = True) -> str | None:
        if key not in entry:
            return None
        value = entry[key]
        line = f.loc.key(table, index, key)
        if not isinstance(value, str):
            self.add(f.rel, line, f"'{key}' in {what} must be text in quotes, "
                                  f"not {_kind(value)}")
            return None
        if required and not value.strip():
            self.add(f.rel, line, f"'{key}' in {what} is empty")
            return None
        return value

    def integer(self, f: _File, table: str, index: int, entry: dict[str, Any], key: str,
                what: str, low: int | None = None, high: int | None = None) -> int | None:
        if key not in entry:
            return None
        value = entry[key]
        line = f.loc.key(table, index, key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(f.rel, line, f"'{key}' in {what} must be a whole number, not {_kind(value)}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.add(f.rel, line, f"'{key}' in {what} must be between {low} and {high}, "
                                  f"not {value}")
            return None
        return value

    def boolean(self, f: _File, table: str, index: int, entry: dict[str, Any], key: str,
                what: str) -> None:
        if key in entry and not isinstance(entry[key], bool):
            self.add(f.rel, f.loc.key(table, index, key),
                     f"'{key}' in {what} must be true or false, not {_kind(entry[key])}")

    def a_date(self, f: _File, table: str, index: int, entry: dict[str, Any], key: str,
               what: str, *, not_future: bool = False) -> date | None:
        """The date at `key` if it is one (None otherwise, with the problem reported)."""
        if key not in entry:
            return None
        value = entry[key]
        line = f.loc.key(table, index, key)
        if isinstance(value, str):
            self.add(f.rel, line, f"'{key}' in {what} must be a date written without quotes, "
                                  f"like {key} = 2026-01-31 (found the text \"{value}\")")
        elif isinstance(value, datetime) or not isinstance(value, date):
            self.add(f.rel, line, f"'{key}' in {what} must be a date like 2026-01-31, "
                                  f"not {_kind(value)}")
        elif not_future and value > self.today:
            # A warning, not a refusal: an old PC whose clock battery died thinks it is
            # years ago, and the kiosk must still start (and show the contacts).
            self.warn(f.rel, line, f"'{key}' in {what} is after today "
                                   f"({value.isoformat()}): check the date, or this PC's clock")
            return value
        else:
            return value
        return None

    def review_dates(self, f: _File, table: str, index: int, entry: dict[str, Any],
                     what: str) -> None:
        """last_reviewed / next_review: proper dates, in order; a missing next review warns."""
        last = self.a_date(f, table, index, entry, "last_reviewed", what)
        following = self.a_date(f, table, index, entry, "next_review", what)
        if "next_review" not in entry:
            line = f.loc.header(table, index) if table else f.loc.key("", 0, "last_reviewed")
            self.warn(f.rel, line, f"{what} has no 'next_review' date: nobody will be told "
                                   "when it needs checking against current guidance")
        elif last is not None and following is not None and following <= last:
            self.add(f.rel, f.loc.key(table, index, "next_review"),
                     f"'next_review' in {what} ({following.isoformat()}) must be after "
                     f"'last_reviewed' ({last.isoformat()})")

    def table_list(self, f: _File, container: dict[str, Any], key: str,
                   what: str) -> list[tuple[int, dict[str, Any]]]:
        """The entries of an array of tables as (index, entry); anything else reported."""
        value = container.get(key, [])
        if not isinstance(value, list):
            self.add(f.rel, f.loc.key("", 0, key),
                     f"'{key}' must be a list of [[{key}]] tables, not {_kind(value)}")
            return []
        entries = []
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                entries.append((index, entry))
            else:
                self.add(f.rel, f.loc.key("", 0, key),
                         f"entry {index + 1} of '{key}' must be a [[{key}]] table")
        return entries

    # ------------------------------------------------------------------ the pack

    def check(self) -> dict[str, Any]:
        if not self.directory.is_dir():
            self.add("course.toml", 1, f"the pack folder {self.directory} does not exist")
            return {}
        course = self.read_toml("course.toml", None, "course")
        if course is None:
            return {}
        meta = dict(course.data)
        self.check_course(course, meta)
        sections = self.check_sections(course, meta)
        self.check_corrections(course, meta, sections)
        files = {}
        for key, default in DEFAULT_FILES.items():
            value = meta.get(key, default)
            if not isinstance(value, str) or not value.strip():
                value = default  # already reported by check_course
            meta[key] = value
            files[key] = value
        questions_file = self.read_toml(files["questions"], ("course.toml", course.loc.key(
            "", 0, "questions")), "question bank")
        contacts_file = self.read_toml(files["contacts"], ("course.toml", course.loc.key(
            "", 0, "contacts")), "contacts")
        bank = self.check_questions(questions_file, {s for s in sections if s}) \
            if questions_file else 0
        if questions_file is not None:
            self.questions_rel, self.questions_locator = questions_file.rel, questions_file.loc
        if questions_file is not None and "questions_per_test" in meta:
            per_test = meta["questions_per_test"]
            if isinstance(per_test, int) and not isinstance(per_test, bool) and per_test > bank:
                self.add("course.toml", course.loc.key("", 0, "questions_per_test"),
                         f"'questions_per_test' is {per_test} but the question bank holds "
                         f"only {bank}")
        if contacts_file is not None:
            self.check_contacts(contacts_file)
        section_files = {self._normal(s.get("file")) for s in self._section_entries(meta)}
        urgent_rel = files["urgent"]
        if not self._inside(urgent_rel):
            self.add("course.toml", course.loc.key("", 0, "urgent"),
                     f"'urgent' must be a file inside the pack folder, not {urgent_rel}")
        else:
            urgent = self.read_markdown(urgent_rel, ("course.toml", course.loc.key(
                "", 0, "urgent")), "urgent help")
            if urgent is not None:
                self.check_markdown(urgent_rel, urgent, section_files)
                if contacts_file is not None and not self.contact_count(contacts_file):
                    self.add(urgent_rel, 1, "the urgent help page has no contacts to show: "
                                            f"add them to {files['contacts']}")
        for entry in self._section_entries(meta):
            rel = entry.get("file")
            if isinstance(rel, str) and rel.strip() and self._inside(rel) \
                    and (self.directory / rel).is_file():
                text = self.read_markdown(rel, ("course.toml", 1), "section")
                if text is not None:
                    self.check_markdown(rel, text, section_files)
        return {
            "course": meta,
            "questions": questions_file.data if questions_file else {},
            "contacts": contacts_file.data if contacts_file else {},
        }

    @staticmethod
    def _section_entries(meta: dict[str, Any]) -> list[dict[str, Any]]:
        sections = meta.get("sections")
        if not isinstance(sections, list):
            return []
        return [s for s in sections if isinstance(s, dict)]

    def _inside(self, rel: str) -> bool:
        path = PurePosixPath(rel.replace("\\", "/"))
        return not path.is_absolute() and ".." not in path.parts and ":" not in rel

    def _normal(self, rel: Any) -> str:
        if not isinstance(rel, str):
            return ""
        return PurePosixPath(rel.replace("\\", "/")).as_posix()

    def check_course(self, f: _File, meta: dict[str, Any]) -> None:
        what = "course.toml"
        self.keys(f, "", 0, meta, COURSE_REQUIRED, COURSE_OPTIONAL, what)
        for key in ("id", "title", "version"):
            self.text(f, "", 0, meta, key, what)
        course_id = meta.get("id")
        if isinstance(course_id, str) and course_id.strip() \
                and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", course_id):
            self.add(f.rel, f.loc.key("", 0, "id"),
                     "'id' must use lower-case letters, digits, - and _ only")
        for key in DEFAULT_FILES:
            self.text(f, "", 0, meta, key, what)
        self.review_dates(f, "", 0, meta, what)
        self.integer(f, "", 0, meta, "pass_mark", what, 1, 100)
        self._at_least_one(f, meta)
        self.integer(f, "", 0, meta, "refresher_months", what, 1, 60)
        self.boolean(f, "", 0, meta, "reveal_answers", what)
        if "multiple_scoring" in meta:
            value = meta["multiple_scoring"]
            if value not in SCORING:
                self.add(f.rel, f.loc.key("", 0, "multiple_scoring"),
                         f"'multiple_scoring' must be \"all_or_nothing\" or \"partial\", "
                         f"not {value!r}")
        for index, source in self.table_list(f, meta, "sources", "sources"):
            what_s = f"source {index + 1}"
            self.keys(f, "sources", index, source, SOURCE_REQUIRED, SOURCE_OPTIONAL, what_s)
            self.text(f, "sources", index, source, "title", what_s)
            self.text(f, "sources", index, source, "edition", what_s, required=False)
            self.integer(f, "sources", index, source, "year", what_s, 1000, 9999)
            self.text(f, "sources", index, source, "published", what_s, required=False)
            self.a_date(f, "sources", index, source, "accessed", what_s, not_future=True)
            url = self.text(f, "sources", index, source, "url", what_s)
            if url is not None and not re.match(r"https?://\S+$", url.strip()):
                self.add(f.rel, f.loc.key("sources", index, "url"),
                         f"'url' in {what_s} must be a web address starting https://")
            source_id = self.text(f, "sources", index, source, "id", what_s)
            if source_id is not None:
                if source_id in self.source_ids:
                    self.add(f.rel, f.loc.key("sources", index, "id"),
                             f"duplicate source id '{source_id}'")
                self.source_ids.add(source_id)

    def check_corrections(self, f: _File, meta: dict[str, Any], section_ids: list[str]) -> None:
        """[[corrections]]: what changed, when, in which section, and on which sources."""
        for index, entry in self.table_list(f, meta, "corrections", "corrections"):
            what = f"correction {index + 1}"
            self.keys(f, "corrections", index, entry, CORRECTION_REQUIRED,
                      CORRECTION_OPTIONAL, what)
            self.a_date(f, "corrections", index, entry, "date", what, not_future=True)
            self.text(f, "corrections", index, entry, "change", what)
            section = self.text(f, "corrections", index, entry, "section", what)
            if section is not None and section not in section_ids:
                self.add(f.rel, f.loc.key("corrections", index, "section"),
                         f"{what} names the unknown section '{section}'")
            self.cited_sources(f, "corrections", index, entry, what)

    def cited_sources(self, f: _File, table: str, index: int, entry: dict[str, Any],
                      what: str) -> None:
        """`sources = ["id", ...]`: at least one, each the id of a [[sources]] entry."""
        if "sources" not in entry:
            return
        cited = entry["sources"]
        line = f.loc.key(table, index, "sources")
        if not isinstance(cited, list) or not cited or not all(
                isinstance(c, str) for c in cited):
            self.add(f.rel, line, f"'sources' of {what} must be a list of source ids "
                                  "in quotes, at least one")
            return
        for source_id in cited:
            if source_id not in self.source_ids:
                self.add(f.rel, line, f"{what} cites the unknown source id '{source_id}' "
                                      "(give the source an id = \"...\" in [[sources]])")

    def _at_least_one(self, f: _File, meta: dict[str, Any]) -> None:
        if "questions_per_test" not in meta:
            return
        value = meta["questions_per_test"]
        line = f.loc.key("", 0, "questions_per_test")
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(f.rel, line, "'questions_per_test' in course.toml must be a whole number, "
                                  f"not {_kind(value)}")
        elif value < 1:
            self.add(f.rel, line, f"'questions_per_test' must be at least 1, not {value}")

    def check_sections(self, f: _File, meta: dict[str, Any]) -> list[str]:
        """Check [[sections]]; returns the valid section ids in order."""
        if "sections" in meta and isinstance(meta["sections"], list) and not meta["sections"]:
            self.add(f.rel, f.loc.key("", 0, "sections"), "the course has no sections")
        ids: list[str] = []
        seen_ids: dict[str, int] = {}
        seen_files: dict[str, int] = {}
        for index, entry in self.table_list(f, meta, "sections", "sections"):
            what = f"section {index + 1}"
            self.keys(f, "sections", index, entry, SECTION_REQUIRED, SECTION_OPTIONAL, what)
            self.review_dates(f, "sections", index, entry, what)
            self.cited_sources(f, "sections", index, entry, what)
            section_id = self.text(f, "sections", index, entry, "id", what)
            self.text(f, "sections", index, entry, "title", what)
            rel = self.text(f, "sections", index, entry, "file", what)
            if section_id is not None:
                line = f.loc.key("sections", index, "id")
                if section_id in seen_ids:
                    self.add(f.rel, line, f"duplicate section id '{section_id}' "
                                          f"(first used on line {seen_ids[section_id]})")
                else:
                    seen_ids[section_id] = line
                    ids.append(section_id)
            if rel is not None:
                line = f.loc.key("sections", index, "file")
                norm = self._normal(rel)
                if not self._inside(rel):
                    self.add(f.rel, line, f"section file {rel} must be inside the pack folder")
                elif norm in seen_files:
                    self.add(f.rel, line, f"duplicate section file {rel} "
                                          f"(first used on line {seen_files[norm]})")
                else:
                    seen_files[norm] = line
                    path = self.directory / rel
                    if not path.is_file():
                        self.add(f.rel, line, f"the section file {rel} is missing")
        return ids

    def check_questions(self, f: _File, section_ids: set[str]) -> int:
        """Check the question bank; returns how many questions it holds."""
        what_file = f.rel
        self.keys(f, "", 0, f.data, (), ("questions",), what_file)
        entries = self.table_list(f, f.data, "questions", "questions")
        if not entries and "questions" not in f.data:
            self.add(f.rel, 1, "the question bank has no [[questions]]")
        seen: dict[str, int] = {}
        for index, q in entries:
            qid = q.get("id")
            what = f"question '{qid}'" if isinstance(qid, str) and qid.strip() \
                else f"question {index + 1}"
            self.keys(f, "questions", index, q, QUESTION_REQUIRED, QUESTION_OPTIONAL, what)
            qid = self.text(f, "questions", index, q, "id", what)
            if qid is not None:
                line = f.loc.key("questions", index, "id")
                if qid in seen:
                    self.add(f.rel, line, f"duplicate question id '{qid}' "
                                          f"(first used on line {seen[qid]})")
                else:
                    seen[qid] = line
            section = self.text(f, "questions", index, q, "section", what)
            if section is not None and section not in section_ids:
                self.add(f.rel, f.loc.key("questions", index, "section"),
                         f"{what} points at the unknown section '{section}' "
                         f"(sections: {', '.join(sorted(section_ids)) or 'none'})")
            self.text(f, "questions", index, q, "text", what)
            self.text(f, "questions", index, q, "explanation", what)
            kind = q.get("type")
            if "type" in q and kind not in QUESTION_TYPES:
                self.add(f.rel, f.loc.key("questions", index, "type"),
                         f"'type' of {what} must be one of {', '.join(QUESTION_TYPES)}, "
                         f"not {kind!r}")
            elif kind == "true_false":
                self._true_false(f, index, q, what)
            elif kind in ("single", "multiple"):
                self._choice(f, index, q, what, kind)
        return len(entries)

    def _true_false(self, f: _File, index: int, q: dict[str, Any], what: str) -> None:
        if "options" in q:
            self.add(f.rel, f.loc.key("questions", index, "options"),
                     f"{what} is true_false, so it takes no options (they are True and False)")
        if "answer" in q and not isinstance(q["answer"], bool):
            self.add(f.rel, f.loc.key("questions", index, "answer"),
                     f"the answer of true_false {what} must be true or false, "
                     f"not {_kind(q['answer'])}")

    def _choice(self, f: _File, index: int, q: dict[str, Any], what: str, kind: str) -> None:
        options = q.get("options")
        count = 0
        line = f.loc.key("questions", index, "options")
        if "options" not in q:
            self.add(f.rel, f.loc.header("questions", index),
                     f"{what} is missing the required key 'options'")
        elif not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            self.add(f.rel, line, f"'options' of {what} must be a list of texts in quotes")
        else:
            count = len(options)
            if not MIN_OPTIONS <= count <= MAX_OPTIONS:
                self.add(f.rel, line, f"{what} has {count} options; it needs between "
                                      f"{MIN_OPTIONS} and {MAX_OPTIONS}")
            seen: set[str] = set()
            for number, option in enumerate(options, start=1):
                key = " ".join(option.split()).casefold()
                if not key:
                    self.add(f.rel, line, f"option {number} of {what} is empty")
                elif key in seen:
                    self.add(f.rel, line, f"option {number} of {what} repeats an earlier "
                                          f"option: {option!r}")
                seen.add(key)
        if "answer" not in q:
            return
        answer = q["answer"]
        line = f.loc.key("questions", index, "answer")
        if not isinstance(answer, list) or not all(
                isinstance(a, int) and not isinstance(a, bool) for a in answer):
            self.add(f.rel, line, f"the answer of {what} must be a list of option numbers "
                                  "counted from 0, like answer = [1]")
            return
        if len(set(answer)) != len(answer):
            self.add(f.rel, line, f"the answer of {what} lists the same option twice")
        if kind == "single" and len(answer) != 1:
            self.add(f.rel, line, f"single-choice {what} must have exactly one answer, "
                                  f"not {len(answer)}")
        if kind == "multiple" and len(set(answer)) < 2:
            self.add(f.rel, line, f"multiple-choice {what} must have at least two answers "
                                  "(use type = \"single\" for one)")
        if count:
            for a in answer:
                if not 0 <= a < count:
                    self.add(f.rel, line, f"answer index {a} of {what} is out of range: "
                                          f"options are numbered 0 to {count - 1}")

    def check_contacts(self, f: _File) -> None:
        self.keys(f, "", 0, f.data, (), ("contacts", "localities"), f.rel)
        for index, c in self.table_list(f, f.data, "contacts", "contacts"):
            name = c.get("name")
            what = f"contact '{name}'" if isinstance(name, str) and name.strip() \
                else f"contact {index + 1}"
            self.keys(f, "contacts", index, c, CONTACT_REQUIRED, CONTACT_OPTIONAL, what)
            self.text(f, "contacts", index, c, "name", what)
            source = self.text(f, "contacts", index, c, "source", what, required=False)
            if source is None or not source.strip():
                self.warn(f.rel, f.loc.key("contacts", index, "source") if "source" in c
                          else f.loc.header("contacts", index),
                          f"{what} has no 'source': say which official page the number was "
                          "seen on (until then it is shown as not verified)")
            for key in CONTACT_TEXTS:
                self.text(f, "contacts", index, c, key, what, required=False)
            self.boolean(f, "contacts", index, c, "verified", what)
            self.a_date(f, "contacts", index, c, "last_verified", what, not_future=True)
            if not str(c.get("phone", "")).strip() and not str(c.get("web", "")).strip():
                self.add(f.rel, f.loc.header("contacts", index),
                         f"{what} has neither a 'phone' nor a 'web' address to reach it by")
        if not self.contact_count(f):
            self.add(f.rel, 1, "the contacts file has no [[contacts]]: the urgent help page "
                               "would list nobody to call")
        if "localities" in f.data:
            loc = f.data["localities"]
            if not isinstance(loc, dict):
                self.add(f.rel, f.loc.key("", 0, "localities"),
                         "'localities' must be a [localities] table")
                return
            self.keys(f, "localities", 0, loc, (), LOCALITIES_KEYS, "[localities]")
            self.text(f, "localities", 0, loc, "area", "[localities]", required=False)
            names = loc.get("names", [])
            if not isinstance(names, list) or not all(
                    isinstance(n, str) and n.strip() for n in names):
                self.add(f.rel, f.loc.key("localities", 0, "names"),
                         "'names' in [localities] must be a list of non-empty texts in quotes")

    @staticmethod
    def contact_count(f: _File | None) -> int:
        if f is None:
            return 0
        value = f.data.get("contacts", [])
        return len(value) if isinstance(value, list) else 0

    def check_markdown(self, rel: str, text: str, section_files: set[str]) -> None:
        if not text.strip():
            self.add(rel, 1, "the file is empty: a page with nothing to read cannot be "
                             "marked as read")
            return
        base = PurePosixPath(self._normal(rel)).parent
        fenced = False
        for number, raw in enumerate(text.splitlines(), start=1):
            if raw.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
                continue
            if fenced:
                continue
            line = _CODE_SPAN.sub("", raw)
            if _IMAGE.search(line):
                self.add(rel, number, "images are not allowed: the kiosk shows no pictures "
                                      "and fetches nothing")
            tag = _HTML.search(line)
            if tag:
                self.add(rel, number, f"raw HTML is not allowed ({tag.group(0)[:40]}): "
                                      "use Markdown only")
            for match in _LINK.finditer(line):
                self._link(rel, number, match.group(1), base, section_files)
            self._contact_details(rel, number, line)
        for number, message in unsafe_links(text):
            self.add(rel, number, message)

    def _contact_details(self, rel: str, number: int, line: str) -> None:
        """Numbers and addresses live in contacts.toml only, where each has a checked date.

        One typed into the text would go out of date unseen, and would be shown to a
        person in a hurry as if it were as good as the checked ones.
        """
        phone = _PHONE.search(line)
        if phone:
            self.add(rel, number, f"the phone number {phone.group(0).strip()} is typed into "
                                  "the text: put it in contacts.toml (with its source and "
                                  "last_verified date) and refer to the contact by name")
        web = _WEB.search(line)
        if web:
            self.add(rel, number, f"the address {web.group(0)[:60]} is typed into the text: "
                                  "put it in contacts.toml or as a source's url in course.toml")

    def _link(self, rel: str, number: int, target: str, base: PurePosixPath,
              section_files: set[str]) -> None:
        if not target or target.startswith("#"):
            return
        scheme = _SCHEME.match(target)
        if scheme:
            if scheme.group(1).lower() not in ALLOWED_SCHEMES:
                self.add(rel, number, f"the link {target} is not allowed: links may be web "
                                      "addresses (http, https), mailto: or tel:, or a section")
            return
        path = target.split("#", 1)[0].split("?", 1)[0]
        candidates = {_join(base, path), _join(PurePosixPath("."), path)}
        if candidates & section_files:
            return
        if any((self.directory / c).is_file() for c in candidates if c):
            self.add(rel, number, f"the link {target} points at a file that is not a section "
                                  "of this course")
        else:
            self.add(rel, number, f"the link {target} points at a section file that does "
                                  "not exist")


# Schemes that run code or open local files; every other check allows only ALLOWED_SCHEMES.
_DANGEROUS = r"(?:javascript|vbscript|livescript|data|file)"
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*<?([^\s>]*)>?", re.MULTILINE)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>")
_INLINE_DEST = re.compile(r"\]\(\s*<?([^)\s>]*)", re.DOTALL)
_HTML_OPEN = re.compile(r"<[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>", re.DOTALL)
_ANYWHERE = re.compile(_DANGEROUS + r"\s*:\S", re.IGNORECASE)
_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.MULTILINE | re.DOTALL)


def unsafe_links(text: str) -> list[tuple[int, str]]:
    """javascript:, file: and like links in every Markdown form, with their line numbers.

    The line-by-line check sees `[text](target)` on one line. This one reads the whole
    file, so it also finds reference definitions (`[id]: javascript:...`), autolinks
    (`<file:///C:/...>`), inline links and raw HTML split across lines, and, as a last
    net, such a scheme anywhere outside code. Code is blanked first (newlines kept, so
    line numbers stay right): a scheme shown as code is text, not a link.
    """
    def blank(match: re.Match[str]) -> str:
        return "".join(ch if ch == "\n" else " " for ch in match.group(0))

    plain = _CODE_SPAN.sub(blank, _FENCE.sub(blank, text))
    found: dict[int, str] = {}

    def line_of(pos: int) -> int:
        return plain.count("\n", 0, pos) + 1

    def scheme_of(target: str) -> str:
        cleaned = "".join(ch for ch in target if ch.isprintable() and not ch.isspace())
        match = _SCHEME.match(cleaned)
        return match.group(1).lower() if match else ""

    for pattern, form in ((_REF_DEFINITION, "reference link"), (_AUTOLINK, "autolink"),
                          (_INLINE_DEST, "link")):
        for match in pattern.finditer(plain):
            scheme = scheme_of(match.group(1))
            if scheme and scheme not in ALLOWED_SCHEMES:
                found.setdefault(line_of(match.start()), (
                    f"the {form} {match.group(1)[:60]} is not allowed: links may be web "
                    "addresses (http, https), mailto: or tel:, or a section"))
    for match in _HTML_OPEN.finditer(plain):
        if "\n" in match.group(0):
            found.setdefault(line_of(match.start()), (
                f"raw HTML is not allowed ({' '.join(match.group(0).split())[:40]}): "
                "use Markdown only"))
    for match in _ANYWHERE.finditer(plain):
        found.setdefault(line_of(match.start()), (
            f"'{match.group(0)[:20]}' is not allowed anywhere in the text: it is how a "
            "link runs code or opens a file on the PC"))
    return sorted(found.items())


def _join(base: PurePosixPath, path: str) -> str:
    """Join and normalise `..` without touching the disk; '' when it leaves the pack."""
    parts: list[str] = []
    for part in (base / path).parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return ""
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, str):
        return f"the text \"{value[:40]}\""
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def check_pack(directory: Path | str, today: date | None = None,
               ) -> tuple[list[Problem], dict[str, Any]]:
    """Every problem in the pack at `directory`, sorted by file and line, and its data."""
    problems, _warnings, data = check_pack_fully(directory, today)
    return problems, data


def check_pack_fully(directory: Path | str, today: date | None = None,
                     ) -> tuple[list[Problem], list[Problem], dict[str, Any]]:
    """Problems (the kiosk refuses the pack), warnings (it does not), and the data."""
    checker = _Checker(Path(directory), today or clock_for(None).now().date())
    data = checker.check()
    if not checker.problems and data:
        checker.warnings.extend(question_bank_warnings(
            data.get("questions", {}), checker.questions_rel, checker.questions_locator))
    order = {"course.toml": 0}

    def key(p: Problem) -> tuple[int, str, int]:
        return order.get(p.file, 1), p.file, p.line

    return sorted(checker.problems, key=key), sorted(checker.warnings, key=key), data


# Give-away checks. A test anyone can pass by spotting patterns measures nothing, so a
# bank is warned about (never refused: the wording is an editor's judgement) when:
LONGEST_MIN_QUESTIONS = 8  # ...fewer questions than this say nothing either way
LONGEST_P_VALUE = 0.01     # the right option is the longest far more often than chance
REPEATED_WRONG_MIN = 3     # one wrong option recurs in this many questions


def _normal_option(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".!")


def _tail_at_least(chances: list[float], observed: int) -> float:
    """P(at least `observed` successes) for independent trials with these chances.

    The exact (Poisson binomial) distribution, by dynamic programming: questions have
    different numbers of options, so the chance of "right is longest" differs per question.
    """
    dist = [1.0]
    for p in chances:
        nxt = [0.0] * (len(dist) + 1)
        for k, mass in enumerate(dist):
            nxt[k] += mass * (1 - p)
            nxt[k + 1] += mass * p
        dist = nxt
    return sum(dist[observed:])


def question_bank_warnings(bank: dict[str, Any], rel: str = "questions.toml",
                           locator: Locator | None = None) -> list[Problem]:
    """Patterns that give answers away, as warnings (the bank is already valid)."""
    entries = [q for q in bank.get("questions", []) if isinstance(q, dict)]

    def line(index: int, key: str = "options") -> int:
        return locator.key("questions", index, key) if locator else 1

    warnings: list[Problem] = []
    # 1. The right option is the longest (uniquely) far more often than chance.
    chances: list[float] = []
    longest = 0
    for q in entries:
        if q.get("type") != "single":
            continue
        options = [str(o) for o in q.get("options", [])]
        right = q.get("answer", [None])[0]
        if len(options) < 2 or not isinstance(right, int) or not 0 <= right < len(options):
            continue
        chances.append(1 / len(options))
        lengths = [len(o.strip()) for o in options]
        if lengths[right] == max(lengths) and lengths.count(max(lengths)) == 1:
            longest += 1
    if len(chances) >= LONGEST_MIN_QUESTIONS:
        p_value = _tail_at_least(chances, longest)
        if p_value < LONGEST_P_VALUE:
            expected = sum(chances)
            warnings.append(Problem(rel, 1, (
                f"the right option is the longest in {longest} of {len(chances)} "
                f"single-choice questions, where chance would give about {expected:.0f}: "
                "people can pass by picking the longest option; lengthen some wrong "
                "options or shorten right ones")))
    # 2. The same wrong option, again and again: once seen, it is never chosen.
    wrong_in: dict[str, list[int]] = {}
    shown: dict[str, str] = {}
    for index, q in enumerate(entries):
        if q.get("type") not in ("single", "multiple"):
            continue
        answer = q.get("answer", [])
        for number, option in enumerate(q.get("options", [])):
            if number in answer or not isinstance(option, str):
                continue
            key = _normal_option(option)
            wrong_in.setdefault(key, []).append(index)
            shown.setdefault(key, option)
    for key, indices in wrong_in.items():
        if len(indices) >= REPEATED_WRONG_MIN:
            ids = ", ".join(str(entries[i].get("id")) for i in indices)
            warnings.append(Problem(rel, line(indices[0]), (
                f"the wrong option {shown[key]!r} appears in {len(indices)} questions "
                f"({ids}): once it is known to be wrong it gives nothing away about "
                "understanding; write a plausible wrong option for each question")))
    # 3. "Select all that apply" with one wrong option: spot the odd one out, tick the rest.
    for index, q in enumerate(entries):
        if q.get("type") != "multiple":
            continue
        options = q.get("options", [])
        answer = set(a for a in q.get("answer", []) if isinstance(a, int))
        wrong = [o for n, o in enumerate(options) if n not in answer]
        if len(options) >= 3 and len(wrong) == 1:
            warnings.append(Problem(rel, line(index), (
                f"question '{q.get('id')}' is \"select all\" with a single wrong option "
                f"({str(wrong[0])[:50]!r}): rejecting the odd one out answers it; add at "
                "least one more plausible wrong option")))
    return warnings
