"""Certificates: the facts printed on one, and checking a verification code.

A certificate is a view of a passed, submitted attempt; nothing extra is stored.
Its code is the attempt's `certificate_code`, so `kiosk certificate verify`
reads the same frozen row the certificate was printed from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from kiosk import access_log, evidence
from kiosk.clock import Clock
from kiosk.errors import NotFoundError
from kiosk.quiz import CODE_ALPHABET, CODE_PREFIX
from kiosk.settings import Settings
from kiosk.users import User


@dataclass(frozen=True)
class CertificateFacts:
    code: str
    attempt_id: str
    full_name: str
    username: str
    course_id: str
    course_title: str
    course_version: str
    passed_on: date
    expires_on: date
    score: float
    max_score: float
    percent: float
    centre_name: str

    def current_on(self, today: date) -> bool:
        return today <= self.expires_on

    @property
    def score_text(self) -> str:
        return f"{_number(self.score)} out of {_number(self.max_score)} ({_number(self.percent)}%)"

    @property
    def file_name(self) -> str:
        safe = "".join(ch if ch.isalnum() else "-" for ch in self.full_name).strip("-")
        return f"certificate-{safe or self.username}-{self.passed_on:%Y-%m-%d}.pdf"


def _number(value: float) -> str:
    return f"{value:g}"


def normalise_code(text: str) -> str:
    """Accept a code as people type it: any case, spaces, with or without dashes."""
    raw = "".join(ch for ch in str(text).upper() if ch.isalnum())
    if raw.startswith(CODE_PREFIX):
        raw = raw[len(CODE_PREFIX):]
    if len(raw) == 8 and all(ch in CODE_ALPHABET for ch in raw):
        return f"{CODE_PREFIX}-{raw[:4]}-{raw[4:]}"
    return str(text).strip()[:40]


def _title(course_id: str, courses: Sequence[Any]) -> str:
    return next((c.title for c in courses if c.id == course_id), course_id)


_SELECT = (
    "SELECT a.id, a.certificate_code, a.course_id, a.course_version, a.finished_at, "
    "a.expires_on, a.score, a.max_score, a.percent, u.full_name, u.username "
    "FROM attempts a JOIN users u ON u.id = a.user_id "
    "WHERE a.status = 'submitted' AND a.passed = 1 AND a.certificate_code IS NOT NULL "
)


def _facts(row: dict[str, Any], courses: Sequence[Any], centre_name: str) -> CertificateFacts:
    return CertificateFacts(
        code=row["certificate_code"], attempt_id=row["id"],
        full_name=row["full_name"] or row["username"], username=row["username"],
        course_id=row["course_id"], course_title=_title(row["course_id"], courses),
        course_version=row["course_version"],
        passed_on=date.fromisoformat(row["finished_at"][:10]),
        expires_on=date.fromisoformat(row["expires_on"]),
        score=float(row["score"]), max_score=float(row["max_score"]),
        percent=float(row["percent"]), centre_name=centre_name,
    )


def for_attempt(db: Database, settings: Settings, attempt_id: str,
                courses: Sequence[Any] = ()) -> CertificateFacts:
    rows = list(db.query(_SELECT + "AND a.id = ?", [attempt_id]))
    if not rows:
        raise NotFoundError("There is no certificate for that attempt: it was not a pass.")
    return _facts(rows[0], courses, settings.centre_name)


@dataclass(frozen=True)
class Verification:
    facts: CertificateFacts
    current: bool
    problem: str = ""  # why the record cannot be trusted (evidence.seal_problem), if it cannot

    @property
    def state(self) -> str:
        if self.problem:
            return "NOT VALID"
        return "CURRENT" if self.current else "EXPIRED"

    def describe(self) -> str:
        f = self.facts
        if self.problem:
            return (f"{f.code}: NOT VALID. The record behind this code does not match what "
                    f"the kiosk sealed: {self.problem}.")
        state = self.state
        return (f"{f.code}: {state}. {f.full_name} ({f.username}) passed "
                f"\"{f.course_title}\" version {f.course_version} on {f.passed_on.isoformat()} "
                f"with {f.score_text}; valid until {f.expires_on.isoformat()}.")


def verify(db: Database, code: str, today: date, courses: Sequence[Any] = (),
           centre_name: str = "") -> Verification:
    """Whose certificate `code` is and whether it is current on `today`.

    Raises NotFoundError for a code no passed attempt carries.
    """
    wanted = normalise_code(code)
    rows = list(db.query(_SELECT + "AND a.certificate_code = ?", [wanted]))
    if not rows:
        raise NotFoundError(
            f"no certificate has the code '{wanted}'. Check it was typed exactly as printed "
            "(codes look like SGK-ABCD-2346).")
    facts = _facts(rows[0], courses, centre_name)
    return Verification(facts, facts.current_on(today),
                        evidence.seal_problem(db, facts.attempt_id))


def record_output(db: Database, settings: Settings, clock: Clock, user: User | None,
                  facts: CertificateFacts, how: str) -> None:
    """A certificate saved or printed while someone is signed in is an access event."""
    if user is None:
        return
    access_log.append(
        db, clock, kiosk_id=settings.kiosk_id, event=access_log.CERTIFICATE,
        username_entered=user.username, user_id=user.id, user_matched=user.username,
        reason=f"{how} certificate {facts.code} ({facts.username})",
    )
