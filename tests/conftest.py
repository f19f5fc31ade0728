"""Shared fixtures: real SQLite files in tmp_path, real screens, a real CLI subprocess.

Qt runs offscreen so the suite needs no display; everything else is real.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from kiosk import users
from kiosk.clock import FakeClock
from kiosk.context import AppContext, open_context
from tests.fakes import FakeDialogs

ROOT = Path(__file__).resolve().parent.parent
MANAGER_PASSWORD = "river-lantern-orchard-42"  # 24 characters: above both minimums
LEARNER_PASSWORD = "maple-kettle-harbour"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data.db"


@pytest.fixture
def ctx(db_path: Path, clock: FakeClock) -> Iterator[AppContext]:
    """A context on a fresh database with a centre name and a fake clock."""
    context = open_context(db_path, clock=clock)
    context.settings.set("centre_name", "Riverside Children's Centre")
    context.settings.set("kiosk_id", "test-kiosk")
    context.dialogs = FakeDialogs()
    yield context
    context.db.close()


@pytest.fixture
def make_user(ctx: AppContext) -> Callable[..., users.User]:
    def make(username: str = "alex", role: str = "learner", password: str | None = None,
             full_name: str = "", **kwargs: object) -> users.User:
        if password is None:
            password = MANAGER_PASSWORD if role == "manager" else LEARNER_PASSWORD
        return users.create(ctx.db, ctx.settings, ctx.clock, username=username,
                            password=password, role=role, full_name=full_name or username.title(),
                            **kwargs)  # type: ignore[arg-type]
    return make


@pytest.fixture
def manager(make_user: Callable[..., users.User]) -> users.User:
    return make_user("manager", role="manager", full_name="Morgan Manager")


@pytest.fixture
def learner(make_user: Callable[..., users.User]) -> users.User:
    return make_user("alex", role="learner", full_name="Alex Learner")


@pytest.fixture
def window(qtbot, ctx: AppContext):
    """The real main window on the test context, shown offscreen, idle time sped up."""
    from kiosk.ui.main_window import MainWindow

    win = MainWindow(ctx, ms_per_second=20)
    qtbot.addWidget(win)
    win.resize(1024, 768)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.allow_close = True
    win.idle.stop()


def kiosk_env(db: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("KIOSK_DB", None)
    if db is not None:
        env["KIOSK_DB"] = str(db)
    return env


@pytest.fixture
def run_kiosk(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m kiosk ARGS` in a real subprocess; returns the completed process."""

    def run(*args: str, input: str | None = None, timeout: float = 60,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kiosk", *args], input=input, capture_output=True,
            text=True, encoding="utf-8", timeout=timeout, cwd=tmp_path,
            env=env or kiosk_env(),
        )

    return run


def run_as(run_kiosk: Callable[..., subprocess.CompletedProcess[str]], *args: str,
           username: str = "manager", password: str = MANAGER_PASSWORD, input: str = "",
           **kwargs: object) -> subprocess.CompletedProcess[str]:
    """`kiosk ARGS --as USERNAME`, the manager's password piped in first (as a scheduled
    job does); `input` follows it (a new password, for instance)."""
    return run_kiosk(*args, "--as", username, input=password + "\n" + input, **kwargs)
