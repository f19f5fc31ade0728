"""Kiosks in tmp_path for the county tests: real data.db files, real core calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from kiosk import quiz, users
from kiosk.clock import FakeClock
from kiosk.context import AppContext, open_context
from kiosk.county import schema, sync
from kiosk.course import load_default_courses
from tests.conftest import LEARNER_PASSWORD

_COURSES: list[Any] = []


def course() -> Any:
    if not _COURSES:
        _COURSES.extend(load_default_courses())
    return _COURSES[0]


def make_kiosk(tmp_path: Path, kiosk_id: str, clock: FakeClock | None = None,
               centre: str = "") -> AppContext:
    folder = tmp_path / kiosk_id
    folder.mkdir(parents=True, exist_ok=True)
    ctx = open_context(folder / "data.db", clock=clock or FakeClock())
    ctx.settings.set("centre_name", centre or f"{kiosk_id} Children's Centre")
    ctx.settings.set("kiosk_id", kiosk_id)
    ctx.settings.set("require_all_sections", False)
    ctx.courses = (course(),)
    return ctx


def add_person(ctx: AppContext, username: str, full_name: str = "",
               role: str = "learner") -> users.User:
    return users.create(ctx.db, ctx.settings, ctx.clock, username=username,
                        password=LEARNER_PASSWORD if role == "learner"
                        else "river-lantern-orchard-42", role=role,
                        full_name=full_name or username.title())


def take_test(ctx: AppContext, user: users.User, *, passed: bool = True) -> quiz.Attempt:
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, user, ctx.course)
    for n, item in enumerate(attempt.questions):
        right = item.question.answer
        wrong = frozenset(set(range(len(item.question.options))) - right)
        chosen = right if passed or n % 2 else frozenset([min(wrong)])
        quiz.answer(ctx.db, ctx.clock, attempt.id, item.position, chosen)
    done = quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, ctx.course)
    assert done.passed is passed
    return done


def join(ctx: AppContext, admin_url: str, centre: str = "") -> str:
    url = schema.add_kiosk(admin_url, ctx.settings.kiosk_id, centre)
    sync.join(ctx.db, ctx.db_path, ctx.clock, url)
    return url


def a_manager(ctx: AppContext) -> users.User:
    """An active manager of this kiosk (made the first time it is asked for)."""
    row = ctx.db.execute("SELECT username FROM users WHERE role = 'manager' AND disabled = 0 "
                         "ORDER BY id LIMIT 1").fetchone()
    return users.require(ctx.db, row[0]) if row else add_person(ctx, "county-mgr",
                                                                role="manager")


def link(ctx: AppContext, username: str, code: str) -> str:
    """A manager links `username` to the county's holder of certificate `code`."""
    from kiosk.operations import county

    return county.link_person(ctx, a_manager(ctx), username, code)


def sync_now(ctx: AppContext, **kwargs: Any) -> sync.SyncResult:
    url, kiosk_id = sync.server_url(ctx.db_path)
    return sync.push(ctx.db, url, kiosk_id, ctx.clock, **kwargs)


def unsent(ctx: AppContext) -> int:
    return int(ctx.db.execute("SELECT COUNT(*) FROM county_outbox").fetchone()[0])


def server_counts(admin_url: str, kiosk_id: str | None = None) -> dict[str, int]:
    out = {}
    with psycopg.connect(admin_url) as conn:
        for table in schema.DATA_TABLES:
            sql = f"SELECT count(*) FROM county.{table}"  # noqa: S608 - fixed names
            params: list[Any] = []
            if kiosk_id:
                sql += " WHERE kiosk_id = %s"
                params.append(kiosk_id)
            out[table] = conn.execute(sql.encode(), params).fetchone()[0]
    return out


def local_counts(ctx: AppContext) -> dict[str, int]:
    q = lambda sql: int(ctx.db.execute(sql).fetchone()[0])  # noqa: E731
    return {
        "attempts": q("SELECT COUNT(*) FROM attempts WHERE status = 'submitted'"),
        "attempt_answers": q("SELECT COUNT(*) FROM attempt_questions q JOIN attempts a "
                             "ON a.id = q.attempt_id WHERE a.status = 'submitted'"),
        "access_log": q("SELECT COUNT(*) FROM access_log"),
    }
