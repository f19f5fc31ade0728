"""The manager's tables and their exports: one filter for both, every export recorded.

A table page and the export of that table take the same filter object
(kiosk.filters), so an export holds exactly the rows on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk import audit, export, matrix, records, subject_access, users
from kiosk.audit import Actor
from kiosk.context import AppContext
from kiosk.db import write_transaction
from kiosk.filters import AccessLogFilter, ResultsFilter
from kiosk.operations.base import Progress, require_manager
from kiosk.users import User

if TYPE_CHECKING:  # the pack loader (and its checks) is not needed to export
    from kiosk.course import Course

Who = Actor | User | None


@dataclass(frozen=True)
class Exported:
    rows: int
    target: str  # the file written, or "standard output"


def record_view(ctx: AppContext, actor: Who, what: str) -> None:
    """A manager looked at personal data (a tab, a person's history): recorded."""
    with write_transaction(ctx.db):
        who = require_manager(ctx.db, actor, "see the manager area")
        audit.record(ctx.db, ctx.settings, ctx.clock, who, "view", what)


def _started(ctx: AppContext, who: Actor, what: str, target: Path | str | None,
             described: str = "everything") -> None:
    """On record before the first row is written: an export whose reader closes the pipe
    early, or that is killed, is still on record, so no export exists without a row."""
    where = str(target) if target is not None else "standard output"
    scope = "" if described == "everything" else f" ({described})"
    audit.record(ctx.db, ctx.settings, ctx.clock, who, "export",
                 f"{what}{scope} started to {where}")


def _recorded(ctx: AppContext, who: Actor, what: str, count: int,
              target: Path | str | None, described: str = "everything") -> Exported:
    # The file is complete when this row is written; the row is written even if the
    # manager was disabled meanwhile, so no finished export is ever missing from the log.
    where = str(target) if target is not None else "standard output"
    scope = "" if described == "everything" else f" ({described})"
    audit.record(ctx.db, ctx.settings, ctx.clock, who, "export",
                 f"{what}{scope}: {count} rows to {where}")
    return Exported(count, where)


def access_log_page(ctx: AppContext, actor: Who, flt: AccessLogFilter,
                    after: tuple[str, int] | None = None,
                    limit: int = records.PAGE_SIZE) -> list[dict[str, Any]]:
    require_manager(ctx.db, actor, "see the access log")
    return records.access_log_page(ctx.db, flt, after=after, limit=limit)


def results_page(ctx: AppContext, actor: Who, flt: ResultsFilter,
                 after: tuple[str, int] | None = None,
                 limit: int = records.PAGE_SIZE) -> list[dict[str, Any]]:
    require_manager(ctx.db, actor, "see results")
    return records.results_page(ctx.db, flt, after=after, limit=limit)


def _export_filtered(ctx: AppContext, actor: Who, what: str, needs: str,
                     write: Callable[..., int], flt: AccessLogFilter | ResultsFilter,
                     target: Path | str | None, progress: Progress | None) -> Exported:
    """One filtered table to CSV: check the manager, log the start, write, log the end."""
    who = require_manager(ctx.db, actor, needs)
    _started(ctx, who, what, target, flt.describe())
    count = write(ctx.db, target, flt, progress=progress)
    return _recorded(ctx, who, what, count, target, flt.describe())


def export_access_log(ctx: AppContext, actor: Who, flt: AccessLogFilter,
                      target: Path | str | None, progress: Progress | None = None) -> Exported:
    return _export_filtered(ctx, actor, "access log", "export the access log",
                            export.export_access_log, flt, target, progress)


def export_results(ctx: AppContext, actor: Who, flt: ResultsFilter,
                   target: Path | str | None, progress: Progress | None = None) -> Exported:
    return _export_filtered(ctx, actor, "results", "export results", export.export_results,
                            flt, target, progress)


def export_answers(ctx: AppContext, actor: Who, flt: ResultsFilter,
                   target: Path | str | None, progress: Progress | None = None) -> Exported:
    return _export_filtered(ctx, actor, "answers", "export answers", export.export_answers,
                            flt, target, progress)


def training_matrix(ctx: AppContext, actor: Who, courses: Sequence[Course], today: date, *,
                    states: Sequence[str] = (), role: str | None = None,
                    job_title: str | None = None, text: str = "",
                    course_id: str | None = None) -> list[matrix.MatrixRow]:
    require_manager(ctx.db, actor, "see the training matrix")
    return matrix.build_matrix(ctx.db, courses, today, states=states, role=role,
                               job_title=job_title, text=text, course_id=course_id)


def export_matrix(ctx: AppContext, actor: Who, rows: Sequence[matrix.MatrixRow],
                  target: Path | str | None, progress: Progress | None = None) -> Exported:
    """The matrix rows as shown (the panel's filtered list, or the command's)."""
    who = require_manager(ctx.db, actor, "export the training matrix")
    _started(ctx, who, "training matrix", target)
    count = matrix.export_matrix(rows, target, progress)
    return _recorded(ctx, who, "training matrix", count, target)


def person_history(ctx: AppContext, actor: Who, username: str) -> tuple[User, list[dict[str, Any]]]:
    """Every attempt one person made (the matrix's history page); the view is recorded."""
    with write_transaction(ctx.db):
        who = require_manager(ctx.db, actor, "see a person's history")
        person = users.require(ctx.db, username)
        audit.record(ctx.db, ctx.settings, ctx.clock, who, "view",
                     f"training history of {person.username}")
    return person, matrix.person_history(ctx.db, person.id)


def export_person(ctx: AppContext, actor: Who, username: str, target: Path | str | None,
                  progress: Progress | None = None) -> Exported:
    """Everything held about one person (a subject access request)."""
    who = require_manager(ctx.db, actor, "export a person's records")
    person = users.require(ctx.db, username)
    _started(ctx, who, f"everything held about {person.username}", target)
    count = subject_access.export_person(ctx.db, person, target, progress)
    return _recorded(ctx, who, f"everything held about {person.username}", count, target)


def export_item_analysis(ctx: AppContext, actor: Who, courses: Sequence[Course],
                         target: Path | str | None, *, since: str | None = None,
                         until: str | None = None, course_id: str | None = None,
                         progress: Progress | None = None) -> Exported:
    """Each question's statistics (kiosk.item_analysis) as CSV; recorded like every export."""
    from kiosk import item_analysis  # its statistics are needed only here

    who = require_manager(ctx.db, actor, "export the item analysis")
    count = item_analysis.export_item_analysis(ctx.db, target, courses, since=since,
                                               until=until, course_id=course_id,
                                               progress=progress)
    return _recorded(ctx, who, "item analysis", count, target)
