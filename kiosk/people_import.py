"""Adding many people at once from a CSV file, with a row-by-row report.

Format (README "Importing people"): a header row `username,full_name,role,job_title`
(role and job_title may be left blank; blank role means learner). The file holds no
passwords: each new account gets a one-off temporary password, shown once in the
report, and must choose its own at first sign-in. A spreadsheet of passwords is
the kind of file that ends up in an email or a Downloads folder; this way no
password ever sits in a file.

Each row is checked and created on its own: one bad row never stops the others.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from kiosk import audit, passwords, users
from kiosk.audit import Actor
from kiosk.clock import Clock
from kiosk.db import write_transaction
from kiosk.errors import KioskError, ValidationError
from kiosk.settings import Settings
from kiosk.users import User

COLUMNS = ("username", "full_name", "role", "job_title")
REQUIRED = ("username",)
MAX_ROWS = 2000
MAX_BYTES = 2_000_000
# Letters and digits that cannot be mistaken for each other when read off a screen.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password(groups: int = 5) -> str:
    """A one-off password like 'kq7m-x2pd-9fzt-w4hn-8bce': easy to type, 24 characters."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4))
                    for _ in range(groups))


@dataclass(frozen=True)
class RowResult:
    line: int
    username: str
    accepted: bool
    reason: str = ""
    temporary_password: str = field(default="", repr=False)
    full_name: str = ""  # for the printed slip of an accepted row

    def describe(self) -> str:
        if self.accepted:
            return f"line {self.line}: added '{self.username}'"
        who = f"'{self.username}'" if self.username else "(no username)"
        return f"line {self.line}: {who} not added: {self.reason}"


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> list[RowResult]:
        return [r for r in self.rows if r.accepted]

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if not r.accepted]

    def summary(self) -> str:
        return f"{len(self.accepted)} added, {len(self.rejected)} not added."


def _decode(data: bytes, name: str) -> tuple[str, str | None]:
    """UTF-8 (with or without Excel's byte-order mark), else Windows-1252 from old Excel."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "Read as UTF-16 (Excel's 'Unicode text')."
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), (
            f"{name} is not UTF-8; it was read as Windows-1252 (older Excel). If any "
            "accented names look wrong, save it again as 'CSV UTF-8' and re-import.")
    except UnicodeDecodeError:
        raise KioskError(f"{name} is not a text CSV file. Save it from Excel as "
                         "'CSV UTF-8 (Comma delimited)'.") from None


def _header_key(cell: str) -> str:
    return "_".join(cell.strip().strip('"').lower().replace("-", " ").split())


def parse_rows(text: str, name: str = "the file") -> tuple[list[tuple[int, dict[str, str]]],
                                                          list[str]]:
    """Split the file into (line number, row) pairs; raise KioskError if it cannot be read."""
    notes: list[str] = []
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    if not first:
        raise KioskError(f"{name} is empty. The first line must be the header: "
                         + ",".join(COLUMNS))
    delimiter = ","
    if first.count(";") > first.count(","):
        delimiter = ";"
        notes.append("The file uses semicolons between columns (Excel in some regions "
                     "does this); it was read that way.")
    elif first.count("\t") > first.count(","):
        delimiter = "\t"
        notes.append("The file uses tabs between columns; it was read that way.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        while not any(c.strip() for c in header):
            header = next(reader)
    except StopIteration:
        raise KioskError(f"{name} is empty.") from None
    except csv.Error as exc:
        raise KioskError(f"{name} is not a readable CSV file ({exc}).") from None
    keys = [_header_key(c) for c in header]
    unknown = [h for h, k in zip(header, keys, strict=True) if k and k not in COLUMNS]
    missing = [c for c in REQUIRED if c not in keys]
    if "password" in keys:
        raise KioskError(
            f"{name} has a password column. Remove it: passwords are never imported from "
            "files. Each new person gets a temporary password shown once, and chooses "
            "their own at first sign-in.")
    if missing or unknown:
        raise KioskError(
            f"The header of {name} is not right: the first line must name the columns "
            f"{','.join(COLUMNS)} (only username is required). "
            + (f"Not recognised: {', '.join(repr(u) for u in unknown)}. " if unknown else "")
            + (f"Missing: {', '.join(missing)}." if missing else "")
        )
    dupes = {k for k in keys if k and keys.count(k) > 1}
    if dupes:
        raise KioskError(f"The header of {name} names {', '.join(sorted(dupes))} twice.")
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise KioskError(f"{name} has more than {MAX_ROWS} people; split it into "
                                 "smaller files.")
            row = {k: "" for k in COLUMNS}
            extra = cells[len(keys):]
            for key, cell in zip(keys, cells, strict=False):
                if key:
                    row[key] = cell.strip()
            if any(c.strip() for c in extra):
                row["_extra"] = "this row has more cells than the header has columns"
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise KioskError(f"{name} could not be read past line {reader.line_num} ({exc}).") \
            from None
    return rows, notes


def read_file(path: Path | str) -> tuple[str, str | None]:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise KioskError(f"{path.name} is too large for a list of people.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise KioskError(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise KioskError(f"{path} is a folder, not a CSV file.") from None
    except PermissionError:
        raise KioskError(f"No permission to read {path}.") from None
    return _decode(data, path.name)


def import_people(
    db: Database, settings: Settings, clock: Clock, path: Path | str, *,
    actor: Actor | User | None = None,
    progress: Callable[[int, int], None] | None = None,
    before_commit: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Create an account for each good row; report every row. Raises only for a bad file.

    All-or-nothing against a kill: every row is checked and its temporary password
    hashed first (slow, no lock held); then one transaction creates the accounts,
    calls `before_commit(report)` (the command prints the passwords there) and only then
    commits. A process killed before the passwords were shown leaves no account.
    """
    text, note = read_file(path)
    rows, notes = parse_rows(text, Path(path).name)
    report = ImportReport(notes=([note] if note else []) + notes)
    seen: set[str] = set()
    planned: list[tuple[int, RowResult, dict[str, str], str, str]] = []
    results: list[RowResult] = []
    for index, (line, row) in enumerate(rows, start=1):
        result, role = _check_row(db, line, row, seen)
        if result.accepted and result.temporary_password:
            planned.append((len(results), result, row, role,
                            passwords.hash_password(result.temporary_password)))
        results.append(result)
        if progress is not None:
            progress(index, len(rows))
    with write_transaction(db):
        for position, result, row, role, hashed in planned:
            try:
                users.create(db, settings, clock, username=result.username,
                             password=result.temporary_password, role=role,
                             full_name=row["full_name"], job_title=row["job_title"],
                             must_change_password=True, actor=actor, password_hash=hashed)
            except KioskError as exc:
                results[position] = RowResult(result.line, result.username, False, str(exc))
        report.rows.extend(results)
        audit.record(db, settings, clock, actor, "people_import",
                     f"{Path(path).name}: {report.summary()}")
        if before_commit is not None:
            before_commit(report)
    return report


def _check_row(db: Database, line: int, row: dict[str, str],
               seen: set[str]) -> tuple[RowResult, str]:
    """The row's verdict before anything is written (and its role); passwords chosen here."""
    typed = row["username"]
    if "_extra" in row:
        return RowResult(line, typed, False, row["_extra"] + " (a comma inside a name? "
                         "put the name in double quotes)"), ""
    try:
        name = users.check_username(typed)
    except ValidationError as exc:
        return RowResult(line, typed, False, str(exc)), ""
    key = users.username_key(name)
    if key in seen:
        return RowResult(line, name, False, "this username appears earlier in the file"), ""
    seen.add(key)
    role = (row["role"] or "learner").strip().lower()
    if role not in users.ROLES:
        return RowResult(line, name, False,
                         f"role must be learner or manager, not '{row['role'][:30]}'"), ""
    if users.find(db, name) is not None:
        return RowResult(line, name, False,
                         "an account with this username already exists"), ""
    return RowResult(line, name, True, temporary_password=temporary_password(),
                     full_name=row["full_name"].strip()), role
