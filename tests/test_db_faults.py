"""Database faults: each gives one clear message (CLI and GUI) and loses nothing.

Faults are made for real: damaged files, files and folders the OS will not let
anyone write (`chattr +i`, because these tests may run as root, which ignores
permission bits), SQLite's own page limit and a tiny tmpfs for a full disk, a
second process holding the write lock, a file from a newer kiosk, two kiosks.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import access_log, users
from kiosk.context import open_context
from kiosk.db import friendly_error
from kiosk.instance import InstanceLock, lock_path
from tests.conftest import GUI, LEARNER_PASSWORD, MANAGER_PASSWORD, kiosk_env, run_as

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(result) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [ln for ln in result.stderr.strip().splitlines() if ln.startswith("kiosk: error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def cli_fails(result, *words: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    line = one_error_line(result)
    for word in words:
        assert word in line, line


def gui_fails(result, *words: str) -> None:
    """`kiosk run --exit-when-ready` paints the error screen and exits 1 with the message."""
    assert result.returncode == 1, result.stdout + result.stderr
    line = one_error_line(result)
    for word in words:
        assert word in line, line


def usernames(path: Path) -> list[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    names = [r[0] for r in conn.execute("SELECT username FROM users ORDER BY username")]
    conn.close()
    return names


@pytest.fixture
def live(ctx, manager, learner, db_path: Path) -> Path:
    """A closed data.db with a manager and a learner."""
    ctx.db.close()
    return db_path


@pytest.fixture
def live_in_folder(tmp_path: Path, clock) -> Path:
    """A closed data.db with a learner and a manager, alone in its own folder."""
    folder = tmp_path / "kiosk"
    folder.mkdir()
    path = folder / "data.db"
    context = open_context(path, clock=clock)
    users.create(context.db, context.settings, clock, username="alex",
                 password=LEARNER_PASSWORD, role="learner")
    users.create(context.db, context.settings, clock, username="manager",
                 password=MANAGER_PASSWORD, role="manager")
    context.db.close()
    return path


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file or folder unwritable for everyone, root included (chattr +i), then undo."""
    if IS_ROOT:
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: a read-only file cannot be simulated")
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if made.returncode != 0:
            pytest.skip(f"chattr +i is not supported on this file system: {made.stderr.strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)


# --- damaged files -----------------------------------------------------------------------

@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_damaged_database_is_refused_untouched(run_kiosk, live, damage):
    """A garbage file or half a real database: one 'damaged' message, the file untouched."""
    if damage == "garbage":
        live.write_bytes(os.urandom(8192))
    else:
        live.write_bytes(live.read_bytes()[: live.stat().st_size // 2])
    before = digest(live)
    cli_fails(run_as(run_kiosk, "users", "list", "--db", str(live)), "damaged", "kiosk restore")
    if GUI:  # the Windows (Wine) run has no Qt; the CLI half runs there too
        gui_fails(run_kiosk("run", "--exit-when-ready", "--db", str(live)), "damaged")
    assert digest(live) == before
    assert not Path(str(live) + "-wal").exists()


# --- read-only file and folder -----------------------------------------------------------

def test_read_only_file(run_kiosk, live_in_folder):
    """A data.db nobody may write: a clear message, and the data is all there afterwards."""
    before = digest(live_in_folder)
    with read_only(live_in_folder):
        cli_fails(run_as(run_kiosk, "settings", "set", "centre_name", "X", "--db",
                         str(live_in_folder)),
                  "read-only")
        if GUI:
            gui_fails(run_kiosk("run", "--exit-when-ready", "--db", str(live_in_folder)),
                      "read-only")
        assert digest(live_in_folder) == before
    assert usernames(live_in_folder) == ["alex", "manager"]
    ok = run_as(run_kiosk, "settings", "set", "centre_name", "Oak Tree", "--db",
                str(live_in_folder))
    assert ok.returncode == 0, ok.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="Windows ignores a folder's read-only "
                    "attribute (only its permissions stop writes, which Wine cannot show)")
def test_read_only_folder(run_kiosk, live_in_folder):
    """A folder nobody may write (SQLite needs its journal there): a clear message, no change."""
    before = digest(live_in_folder)
    with read_only(live_in_folder.parent):
        cli_fails(run_as(run_kiosk, "users", "list", "--db", str(live_in_folder)), "folder",
                  "read-only")
        gui_fails(run_kiosk("run", "--exit-when-ready", "--db", str(live_in_folder)), "folder")
        assert digest(live_in_folder) == before
    assert usernames(live_in_folder) == ["alex", "manager"]


# --- full disk ---------------------------------------------------------------------------

def cap_at_current_size(conn: sqlite3.Connection) -> None:
    """SQLite's own page limit stands in for a full disk: the file may not grow."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {int(pages)}")


def fill_the_disk(path: Path) -> int:
    """Fill the file's pages with real log rows (the kiosk's own way) until none fits."""
    from sqlite_utils import Database

    from kiosk.clock import FakeClock

    db = Database(sqlite3.connect(path, isolation_level=None))
    cap_at_current_size(db.conn)
    clock = FakeClock()
    fitted = 0
    with pytest.raises(sqlite3.OperationalError, match="full"):
        for i in range(100_000):
            clock.advance(seconds=1)
            access_log.append(db, clock, kiosk_id="k", event=access_log.LOGIN_FAILURE,
                              username_entered=f"filler-{i}", reason="wrong_password")
            fitted += 1
    db.close()
    return fitted


def test_full_disk_in_the_core(ctx, learner):
    """SQLITE_FULL while adding someone: nothing half-saved, the message says the disk is full."""
    before = ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    pages = ctx.db.execute("PRAGMA page_count").fetchone()[0]
    ctx.db.execute(f"PRAGMA max_page_count = {int(pages)}")
    added = 0
    with pytest.raises(sqlite3.OperationalError) as caught:
        for i in range(200):
            access_log.append(ctx.db, ctx.clock, kiosk_id="k", event=access_log.LOGIN_FAILURE,
                              username_entered=f"filler-{i}-" + "x" * 50)
            added += 1
    assert "full" in str(friendly_error(caught.value, ctx.db_path))
    assert not ctx.db.conn.in_transaction
    assert ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0] == before + added
    assert access_log.verify_chain(ctx.db).ok
    assert ctx.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_full_disk_through_the_cli(live, monkeypatch):
    """`kiosk users add` on a full disk: one 'disk is full' line; the file stays consistent."""
    import kiosk.cli
    import kiosk.db

    fitted = fill_the_disk(live)
    original = kiosk.db._configure

    def capped(conn: sqlite3.Connection) -> None:
        original(conn)
        cap_at_current_size(conn)

    monkeypatch.setattr(kiosk.db, "_configure", capped)
    monkeypatch.setattr(sys, "stdin", io.StringIO(MANAGER_PASSWORD + "\n" + LEARNER_PASSWORD
                                                  + "\n"))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = kiosk.cli.main(["users", "add", "sam", "--role", "learner", "--db", str(live),
                               "--as", "manager"])
    assert code == 1
    assert err.getvalue().startswith("kiosk: error: The disk holding data.db is full.")
    assert len(err.getvalue().strip().splitlines()) == 1
    monkeypatch.setattr(kiosk.db, "_configure", original)
    assert usernames(live) == ["alex", "manager"]
    conn = sqlite3.connect(live)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM access_log WHERE username_entered LIKE "
                        "'filler-%'").fetchone()[0] == fitted
    conn.close()
    verified = kiosk.cli.main(["log", "verify", "--db", str(live)])
    assert verified == 0


def test_full_disk_message_in_the_gui(window, ctx):
    """A full disk during a screen's work reaches the person as the plain message, not a bug."""
    import logging

    from kiosk.ui.app import install_safety_net

    saved = sys.excepthook
    try:
        install_safety_net(ctx, window, logging.getLogger("kiosk"))
        sys.excepthook(sqlite3.OperationalError, sqlite3.OperationalError(
            "database or disk is full"), None)
    finally:
        sys.excepthook = saved
    assert any("disk holding data.db is full" in t for t in ctx.dialogs.texts("warn"))


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs, nearly filled, so file writes really fail with ENOSPC."""
    if sys.platform == "win32":
        pytest.skip("a tmpfs is Linux's; the full-disk message comes from the same code")
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {made.stderr.strip()}")
    try:
        with contextlib.suppress(OSError), (mount / "filler").open("wb") as fh:
            fh.write(b"\0" * (256 * 1024))
        (mount / "filler").write_bytes((mount / "filler").read_bytes()[:-16 * 1024])
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_full_disk_for_exports_and_backups(run_kiosk, live, tiny_disk):
    """Exporting or backing up to a full disk: a clear message and no half-written file."""
    context = open_context(live)
    for i in range(400):
        access_log.append(context.db, context.clock, kiosk_id="k",
                          event=access_log.LOGIN_FAILURE, username_entered=f"user-{i:04}" * 4)
    context.db.close()
    cli_fails(run_as(run_kiosk, "export", "access-log", "--out", str(tiny_disk / "log.csv"),
                     "--db", str(live)), "disk is full")
    cli_fails(run_as(run_kiosk, "backup", str(tiny_disk / "copy.db"), "--db", str(live)),
              "disk is full")
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler"]
    assert run_kiosk("log", "verify", "--db", str(live)).returncode == 0


# --- locked by another process -----------------------------------------------------------

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("holding", flush=True)
time.sleep(120)
"""


@pytest.fixture
def lock_holder(live: Path) -> Iterator[subprocess.Popen]:
    """Another program holding data.db's write lock (BEGIN EXCLUSIVE) until killed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(live)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_locked_past_the_busy_timeout(run_kiosk, live, lock_holder):
    """Past the 5 s busy timeout: 'busy' from the CLI and on the GUI's error screen; no change."""
    cli_fails(run_as(run_kiosk, "settings", "set", "centre_name", "Changed", "--db",
                     str(live)), "busy")
    if GUI:  # the Windows (Wine) run has no Qt; the CLI half runs there too
        gui_fails(run_kiosk("run", "--exit-when-ready", "--db", str(live)), "busy")
    lock_holder.kill()
    lock_holder.wait()
    conn = sqlite3.connect(live)
    centre = conn.execute("SELECT value FROM settings WHERE key = 'centre_name'").fetchone()[0]
    conn.close()
    assert centre == "Riverside Children's Centre"
    assert run_kiosk("log", "verify", "--db", str(live)).returncode == 0


# --- a file from a newer kiosk -----------------------------------------------------------

def test_database_from_a_newer_kiosk(run_kiosk, live):
    """A migration this kiosk does not know: refused by CLI and GUI, the file untouched."""
    conn = sqlite3.connect(live)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('kiosk', 'm999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    before = digest(live)
    cli_fails(run_as(run_kiosk, "users", "list", "--db", str(live)), "newer version")
    if GUI:  # the Windows (Wine) run has no Qt; the CLI half runs there too
        gui_fails(run_kiosk("run", "--exit-when-ready", "--db", str(live)), "newer version")
    assert digest(live) == before
    assert not list(live.parent.glob("*.pre-migration-*"))


def test_gui_error_screen_shows_the_message(qapp, live, monkeypatch):
    """The GUI puts the same message on its error screen (title and text) and exits 1."""
    from kiosk.ui import app as app_module
    from kiosk.ui.error_screen import ErrorScreen

    conn = sqlite3.connect(live)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('kiosk', 'm999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMainWindow

    shown: list[tuple[str, str]] = []

    def fatal(app, title, message, windowed, exit_when_ready):
        # Both start-up orders (painted first, or opened first) end on this window.
        shown.append((title, message))
        QTimer.singleShot(0, lambda: app.exit(1))
        return QMainWindow()

    monkeypatch.setattr(app_module, "_fatal_window", fatal)
    assert app_module.run(live, windowed=True, exit_when_ready=True) == 1
    ((title, message),) = shown
    assert title == "The kiosk cannot start" and "newer version" in message
    screen = ErrorScreen(title, message)
    assert "newer version" in screen.message.text()


# --- two kiosks on one file --------------------------------------------------------------

@pytest.mark.gui
def test_second_kiosk_is_refused_while_commands_still_work(live, tmp_path, run_kiosk):
    """A second kiosk on the same data.db exits 1 with a message; CLI commands keep working."""
    first = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run", "--windowed", "--db", str(live)],
        cwd=tmp_path, env=kiosk_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    try:
        marker = f"kiosk pid {first.pid}"
        for _ in range(300):
            if lock_path(live).exists() and marker in lock_path(live).read_text():
                break
            assert first.poll() is None, first.stderr.read() if first.stderr else ""
            time.sleep(0.1)
        else:
            pytest.fail("the first kiosk never took its lock")
        second = run_kiosk("run", "--exit-when-ready", "--db", str(live))
        gui_fails(second, "Another kiosk is already running")
        listed = run_as(run_kiosk, "users", "list", "--db", str(live))
        assert listed.returncode == 0 and "alex" in listed.stdout
        with pytest.raises(Exception, match="Another kiosk"):
            InstanceLock(live).acquire()
    finally:
        first.kill()
        first.wait()
    # The OS frees the lock with the process, even a killed one: no stale lock blocks a restart.
    again = run_kiosk("run", "--exit-when-ready", "--db", str(live))
    assert again.returncode == 0, again.stderr
    assert run_kiosk("log", "verify", "--db", str(live)).returncode == 0
