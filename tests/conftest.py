"""Shared fixtures: real SQLite files in tmp_path, real screens, a real CLI subprocess.

Qt runs offscreen so the suite needs no display; everything else is real.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Cheap Argon2 for every test that does not measure hashing (tests/test_passwords.py
# puts the real parameters back where it does). Set before kiosk.passwords is imported,
# and inherited by every process a test starts.
os.environ["KIOSK_TEST_CHEAP_HASHES"] = "1"

from kiosk import users
from kiosk.clock import TEST_CLOCK_ENV, Clock, FakeClock, to_iso
from kiosk.context import AppContext, open_context
from tests.fakes import FakeDialogs

# The Windows run (.ci/wine_tests.py) has no Qt: PySide6 cannot start under Wine. It sets
# this, and only tests that need Qt are left out; everywhere else every test runs, and
# a Linux run with it set is refused so the GUI tests can never be skipped by accident.
NO_GUI = os.environ.get("KIOSK_TEST_NO_GUI") == "1"
GUI = not NO_GUI
if NO_GUI and sys.platform != "win32":
    raise pytest.UsageError("KIOSK_TEST_NO_GUI is only for the Windows (Wine) run")

# Test modules that import Qt at the top: they cannot even be collected without PySide6.
# tests/test_windows_suite.py checks this list against every module's imports.
GUI_MODULES = frozenset({
    "test_canary.py", "test_foundation_done_when.py", "test_login_screens.py",
    "test_manager_ui.py", "test_quiz_ui.py", "test_reader.py", "test_urgent.py",
    "test_build.py", "test_county_ui.py", "test_jobs.py", "test_evidence_ui.py",
    "test_accessibility.py", "test_gallery.py", "test_journey.py", "test_manager_product.py",
    "test_speech.py", "test_printing.py",
    "test_enter_acts.py", "test_password_slips.py",  # issue 13, round 2
})
# Fixtures that create a QApplication or a window.
GUI_FIXTURES = frozenset({"qtbot", "qapp", "window"})
collect_ignore = sorted(GUI_MODULES) if NO_GUI else []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs Qt `gui`; the Windows run skips exactly those."""
    skip = pytest.mark.skip(reason="needs Qt, which cannot start under Wine")
    for item in items:
        if (item.path.name in GUI_MODULES
                or GUI_FIXTURES & set(getattr(item, "fixturenames", ()))):
            item.add_marker(pytest.mark.gui)
        if NO_GUI and item.get_closest_marker("gui"):
            item.add_marker(skip)


ROOT = Path(__file__).resolve().parent.parent
MANAGER_PASSWORD = "river-lantern-orchard-42"  # 24 characters: above both minimums
LEARNER_PASSWORD = "maple-kettle-harbour"


@pytest.fixture
def real_argon2(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real Argon2 parameters, for the tests that are about them."""
    from kiosk import passwords

    monkeypatch.delenv(passwords.CHEAP_HASHES_ENV)
    monkeypatch.setattr(passwords, "_HASHER", passwords._make_hasher())
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


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


def kiosk_env(db: Path | None = None, clock: Clock | None = None) -> dict[str, str]:
    """The environment of a process a test starts: this checkout's code, offscreen Qt,
    and the test's clock (KIOSK_TEST_CLOCK; honoured only for databases under the
    temporary folder), so a child never reads today's date."""
    env = dict(os.environ)
    # This checkout first, once: every entry on the path costs each import a look (and a
    # Windows program under Wine about a millisecond a look).
    rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT)]
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *rest])
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("KIOSK_DB", None)
    env[TEST_CLOCK_ENV] = to_iso((clock or FakeClock()).now())
    if db is not None:
        env["KIOSK_DB"] = str(db)
    return env


def starts_gui(args: tuple[str, ...]) -> bool:
    """Whether `kiosk ARGS` starts the GUI (`kiosk run`, or options with no command)."""
    first = args[0] if args else "run"
    return first == "run" or (first.startswith("-") and first not in ("-h", "--help",
                                                                       "--version"))


@pytest.fixture
def run_kiosk(tmp_path: Path, clock: FakeClock,
              request: pytest.FixtureRequest) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m kiosk ARGS` in a real subprocess on the test's clock."""

    def run(*args: str, input: str | None = None, timeout: float = 60,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        if NO_GUI and starts_gui(args) and not request.node.get_closest_marker("gui"):
            # Say which test needs the mark (or an `if GUI:`) rather than fail inside Qt.
            pytest.fail("this test starts the GUI: mark it @pytest.mark.gui or use `if GUI:`")
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", *args], input=input, capture_output=True,
            text=True, encoding="utf-8", timeout=timeout, cwd=tmp_path,
            env=env or kiosk_env(clock=clock),
        )
        # The child's clock ran on from the test's; move the test's on as far, so the
        # next process never starts earlier than the last one's records.
        clock.advance(seconds=math.ceil(time.monotonic() - started))
        return done

    return run


def assert_owner_only(path: Path) -> None:
    """The file is readable by its owner alone (mode 0600) where the OS has such modes.

    Windows has none: `os.open(..., 0o600)` only leaves the read-only attribute off, and
    who may read a file there is set by the folder's ACL (docs/DEPLOYMENT.md, section 2),
    which Wine does not enforce. There the file must at least be writable by its owner.
    """
    import stat

    mode = path.stat().st_mode
    if sys.platform == "win32":
        assert mode & stat.S_IWRITE, f"{path.name} is read-only"
    else:
        assert oct(stat.S_IMODE(mode)) == "0o600", (path.name, oct(mode))


def run_as(run_kiosk: Callable[..., subprocess.CompletedProcess[str]], *args: str,
           username: str = "manager", password: str = MANAGER_PASSWORD, input: str = "",
           **kwargs: object) -> subprocess.CompletedProcess[str]:
    """`kiosk ARGS --as USERNAME`, the manager's password piped in first (as a scheduled
    job does); `input` follows it (a new password, for instance)."""
    return run_kiosk(*args, "--as", username, input=password + "\n" + input, **kwargs)


# ---------------------------------------------------------------- county server (issue 15)

@pytest.fixture(scope="session")
def pg_server():
    """One real PostgreSQL for the whole session, on 127.0.0.1 and a free port."""
    from tests.pg_server import find_bin, start_server

    if sys.platform == "win32":
        # The Windows run (under Wine) has no PostgreSQL of its own; the Linux run of the
        # same suite proves these against a real server.
        pytest.skip("the county tests start a PostgreSQL server: they run in the Linux suite")
    bindir = find_bin()
    if bindir is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("PostgreSQL is not installed: CI must run .ci/system_packages.sh")
        pytest.skip("PostgreSQL is not installed here (run .ci/system_packages.sh)")
    server = start_server(bindir)
    yield server
    server.stop()
    server.cleanup()


_county_dbs = iter(range(1, 10**6))


@pytest.fixture
def county_admin_url(pg_server) -> str:
    """A fresh database on the session's server; the superuser's URL to it."""
    if not pg_server.is_running():  # a test that stopped the server restarts it
        pg_server.start()
    return pg_server.create_database(f"county_{os.getpid()}_{next(_county_dbs)}")
