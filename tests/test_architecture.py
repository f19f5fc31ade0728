"""The shape the project promises: a core with no Qt, and a CLI that starts without Qt."""

import subprocess
import sys

from tests.conftest import ROOT, kiosk_env

CORE_MODULES = [
    p.stem for p in (ROOT / "kiosk").glob("*.py") if p.stem not in ("__main__",)
] + [f"operations.{p.stem}" for p in (ROOT / "kiosk" / "operations").glob("*.py")]


def _modules_after(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=kiosk_env(), cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_core_modules_never_import_qt():
    """Importing every core module in a fresh interpreter leaves PySide6 unloaded."""
    imports = "; ".join(f"import kiosk.{name}" for name in CORE_MODULES)
    out = _modules_after(f"{imports}; import sys; print('PySide6' in sys.modules)")
    assert out.strip() == "False"


def test_non_gui_cli_commands_never_import_qt(tmp_path):
    """Running users/settings/export commands through the real CLI entry never loads Qt."""
    db = tmp_path / "data.db"
    code = f"""
import io, sys
from kiosk.cli import main
sys.stdin = io.StringIO("a-long-enough-passphrase-9\\n" * 3)  # add, then two sign-ins
assert main(["users", "add", "sam", "--role", "manager", "--db", r"{db}"]) == 0
assert main(["users", "list", "--db", r"{db}", "--as", "sam"]) == 0
assert main(["settings", "list", "--db", r"{db}"]) == 0
assert main(["export", "access-log", "--out", r"{tmp_path / 'log.csv'}", "--db", r"{db}",
             "--as", "sam"]) == 0
assert main(["--help"]) == 0
print("PySide6" in sys.modules)
"""
    out = _modules_after(code)
    assert out.strip().splitlines()[-1] == "False"


def test_no_module_level_database_or_window():
    """No global database or window object: the context is passed, never imported."""
    for path in (ROOT / "kiosk").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith(("DB =", "db =", "WINDOW =", "window =", "mw =")):
                raise AssertionError(f"{path}: module-level state: {line}")


def test_every_command_maps_to_its_module():
    """The fast path that imports one command's module knows every command there is."""
    from kiosk.cli import COMMAND_MODULES, MODULE_FOR, build_parser

    parser = build_parser()
    commands = set(parser._subparsers._group_actions[0].choices)  # argparse keeps them here
    assert commands == set(MODULE_FOR)
    assert set(MODULE_FOR.values()) == set(COMMAND_MODULES)
    for command, module in MODULE_FOR.items():
        assert command in build_parser((module,))._subparsers._group_actions[0].choices


def test_screens_and_commands_write_through_operations_only():
    """No screen or command writes SQL or access-log rows itself: each calls an operation
    (kiosk/operations), where the permission check, the write and its audit row are one
    transaction. The demo and the gallery are the exceptions: each builds its own throwaway
    sample database (the demo's check that a file is its own, the gallery's sample
    states), never data.db."""
    forbidden = ("access_log.append", "audit.record", "write_transaction", ".execute(",
                 "executemany(", "settings.set(", "processEvents")
    allowed = {("demo_cmd.py", ".execute("), ("demo_cmd.py", "settings.set("),
               ("gallery.py", ".execute("), ("gallery.py", "settings.set("),
               ("gallery.py", "processEvents")}  # it paints each state before grabbing it
    for folder in ("ui", "cli"):
        for path in (ROOT / "kiosk" / folder).glob("*.py"):
            text = path.read_text(encoding="utf-8")
            for needle in forbidden:
                if needle in text and (path.name, needle) not in allowed:
                    raise AssertionError(f"kiosk/{folder}/{path.name} uses {needle}")


def test_no_import_cycle_between_course_and_its_checks():
    """kiosk.course uses kiosk.content_check; the checks never import the loader back."""
    text = (ROOT / "kiosk" / "content_check.py").read_text(encoding="utf-8")
    assert "from kiosk.course" not in text and "import kiosk.course" not in text
