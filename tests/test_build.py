"""The PyInstaller build (build_exe.spec): it builds, and the built program works on its own.

One build per test run (module fixture, ~15-60 s); every check then runs the built
executable in a real subprocess, never the source tree.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

PyInstaller = pytest.importorskip(
    "PyInstaller", reason="PyInstaller is in the `build` extra (pip install -e .[build])"
)

PASSWORD = "lantern-orchard-harbour-7"
EXE_NAME = "kiosk.exe" if sys.platform.startswith("win") else "kiosk"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the spec into a temporary folder and return the built `kiosk` folder."""
    base = tmp_path_factory.mktemp("build")
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--workpath", str(base / "work"), "--distpath", str(base / "dist"),
         str(ROOT / "build_exe.spec")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    folder = base / "dist" / "kiosk"
    assert (folder / EXE_NAME).exists()
    return folder


def frozen_env(db: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_DB", "PYTHONPATH")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    if db is not None:
        env["KIOSK_DB"] = str(db)
    return env


def run_built(folder: Path, *args: str, cwd: Path, input: str | None = None,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(folder / EXE_NAME), *args], input=input, capture_output=True, text=True,
        encoding="utf-8", timeout=120, cwd=cwd, env=env or frozen_env(),
    )


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr


def test_bundle_has_resources_and_no_database(built: Path) -> None:
    """The folder carries the course pack, styles and password list, and never a data.db."""
    files = [p for p in built.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert "course.toml" in names
    assert "kiosk.qss" in names
    assert "common-passwords.txt.gz" in names
    assert not [p for p in files if p.suffix == ".db" or p.name.startswith("data.db")]


def test_bundle_leaves_out_unused_qt(built: Path) -> None:
    """No Qt Network, QML, Quick or PDF libraries, and only the platform plugins we use."""
    names = [p.name for p in built.rglob("*")]
    for unused in ("Qt6Network", "Qt6Qml", "Qt6Quick", "Qt6Pdf", "QtNetwork", "QtQml"):
        assert not [n for n in names if unused in n], unused
    platforms = [p.name for p in built.rglob("platforms/*")]
    assert any("offscreen" in n for n in platforms)
    assert all(any(k in n for k in ("offscreen", "xcb", "windows")) for n in platforms)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the size target is Linux's")
def test_bundle_is_under_80_mb_on_linux(built: Path) -> None:
    """The whole folder stays within its size budget (counted like `du`, symlinks once).

    80 MB for the kiosk itself, plus 16 MB for the county server's driver (psycopg with
    its libpq and OpenSSL, and Python's ssl which psycopg needs): BENCHMARKS.md,
    "Packaging".
    """
    total = sum(p.lstat().st_size for p in built.rglob("*") if not p.is_dir())
    assert total < (80 + 16) * 1024 * 1024, f"{total / 1024 / 1024:.1f} MiB"


def test_built_kiosk_paints_and_exits(built: Path, tmp_path: Path) -> None:
    """`kiosk --exit-when-ready` starts the GUI offscreen, paints, exits 0, no traceback."""
    db = tmp_path / "smoke.db"
    proc = run_built(built, "--exit-when-ready", "--db", str(db), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_no_traceback(proc)
    assert db.exists()


def test_built_cli_knows_every_command(built: Path, tmp_path: Path) -> None:
    """`kiosk --help` loads every command module from the bundle and lists each command."""
    from kiosk.cli import COMMAND_MODULES

    proc = run_built(built, "--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_no_traceback(proc)
    for module in COMMAND_MODULES:
        assert module.removesuffix("_cmd") in proc.stdout


def test_built_demo_builds_its_database(built: Path, tmp_path: Path) -> None:
    """`kiosk demo --no-run` works frozen: it loads the bundled course and prints sign-ins."""
    proc = run_built(built, "demo", "--no-run", "--db", str(tmp_path / "demo.db"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "DEMO ONLY" in proc.stdout
    assert not (tmp_path / "data.db").exists()


def test_built_cli_adds_user_and_exports_log(built: Path, tmp_path: Path) -> None:
    """`users add` (password on stdin) then `export access-log` work on KIOSK_DB and --db."""
    db = tmp_path / "cli.db"
    added = run_built(built, "users", "add", "zoe", "--role", "manager", "--name",
                      "Zoë Ødegård", input=PASSWORD + "\n", cwd=tmp_path, env=frozen_env(db))
    assert added.returncode == 0, added.stderr
    assert "Added manager 'zoe'." in added.stdout
    out = tmp_path / "log.csv"
    exported = run_built(built, "export", "access-log", "--db", str(db), "--out", str(out),
                         "--as", "zoe", input=PASSWORD + "\n", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["event"] == "manager_action"
    assert "user_added: zoe" in rows[0]["reason"]
    assert PASSWORD not in text
    listed = run_built(built, "users", "list", "--db", str(db), "--as", "zoe",
                       input=PASSWORD + "\n", cwd=tmp_path)
    assert "Zoë Ødegård" in listed.stdout


def test_built_cli_reports_mistakes_without_traceback(built: Path, tmp_path: Path) -> None:
    """A bad username and a missing database each print one `kiosk: error:` line, exit 1."""
    bad = run_built(built, "users", "add", "two words", "--role", "learner", "--db",
                    str(tmp_path / "x.db"), input=PASSWORD + "\n", cwd=tmp_path)
    missing = run_built(built, "export", "access-log", "--db", str(tmp_path / "none.db"),
                        cwd=tmp_path)
    for proc in (bad, missing):
        assert proc.returncode == 1
        assert proc.stderr.startswith("kiosk: error:")
        assert proc.stderr.count("\n") == 1
        assert_no_traceback(proc)


def test_built_kiosk_puts_data_db_next_to_executable(built: Path, tmp_path: Path) -> None:
    """With neither --db nor KIOSK_DB, data.db is created beside the executable, not in cwd."""
    copy = tmp_path / "installed" / "kiosk"
    shutil.copytree(built, copy, symlinks=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The first account on a new database is a manager (no sign-in exists yet to ask for).
    proc = run_built(copy, "users", "add", "llyr", "--role", "manager", "--name", "Llŷr Wyn",
                     input=PASSWORD + "\n", cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert (copy / "data.db").exists()
    assert not (elsewhere / "data.db").exists()
    assert not (built / "data.db").exists()


def test_built_kiosk_pushes_to_the_county_server(built: Path, tmp_path: Path,
                                                 county_admin_url: str) -> None:
    """The bundled psycopg and libpq reach a real PostgreSQL: init, join, sync."""
    init = run_built(built, "server", "init", "--server", county_admin_url, cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert_no_traceback(init)
    added = run_built(built, "server", "add-kiosk", "built-1", "--server", county_admin_url,
                      cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    db = tmp_path / "county.db"
    env = frozen_env(db)
    made = run_built(built, "users", "add", "mgr", "--role", "manager", cwd=tmp_path,
                     input=PASSWORD + "-long\n", env=env)
    assert made.returncode == 0, made.stderr
    joined = run_built(built, "sync", "join", "--as", "mgr", cwd=tmp_path,  # a manager's
                       input=PASSWORD + "-long\n" + added.stdout.strip().splitlines()[-1]
                       + "\n", env=env)
    assert joined.returncode == 0, joined.stderr
    synced = run_built(built, "sync", cwd=tmp_path, env=env)
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.startswith("Synced: ")
