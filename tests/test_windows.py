"""Windows behaviour: files held open by other programs, the msvcrt lock, console encoding.

The tests marked `windows_only` show where Windows differs from POSIX (a file another
program holds open cannot be replaced or renamed there); .ci/wine_tests.py runs them,
with the rest of the non-GUI suite, as Windows programs under Wine. The others hold
on every system and run in both places.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk import backup, passwords
from kiosk.errors import KioskError
from kiosk.export import export_access_log
from kiosk.instance import InstanceLock, KioskRunning
from kiosk.paths import DB_ENV, default_db_path
from tests.conftest import MANAGER_PASSWORD, ROOT, kiosk_env, run_as

windows_only = pytest.mark.skipif(
    sys.platform != "win32",
    reason="Windows-only behaviour (POSIX renames over open files); run by .ci/wine_tests.py")


@contextmanager
def held_by_another_process(code: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    """A real second process running `code` until the block ends (it prints `ready` first)."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=kiosk_env(), cwd=ROOT)
    assert proc.stdout is not None and proc.stdin is not None
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stdout.read()
        yield proc
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


OPEN_FILE = "import sys\nfh = open(sys.argv[1], 'rb')\nprint('ready', flush=True)\nsys.stdin.read()"
OPEN_DATABASE = ("import sqlite3, sys\nconn = sqlite3.connect(sys.argv[1])\n"
                 "conn.execute('SELECT COUNT(*) FROM users').fetchone()\n"
                 "print('ready', flush=True)\nsys.stdin.read()")
KIOSK_LOCK = ("import sys\nfrom kiosk.instance import InstanceLock\n"
              "lock = InstanceLock(sys.argv[1]).acquire()\nprint('ready', flush=True)\n"
              "sys.stdin.read()")


@windows_only
def test_export_over_a_csv_open_in_excel_is_refused_clearly(ctx, manager, tmp_path):
    """Windows will not replace a CSV Excel holds open: say so; keep the old file whole."""
    target = tmp_path / "access log.csv"
    export_access_log(ctx.db, target)
    before = target.read_bytes()
    with held_by_another_process(OPEN_FILE, str(target)), \
            pytest.raises(KioskError, match="open in another program"):
        export_access_log(ctx.db, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()
            if p.name.startswith(".") or p.suffix == ".partial"] == []


@windows_only
def test_backup_over_a_backup_open_in_a_viewer_is_refused_clearly(ctx, manager, tmp_path):
    """Replacing an existing backup that another program has open: a clear refusal."""
    target = tmp_path / "copies" / "monday.db"
    target.parent.mkdir()
    backup.backup(ctx.db, ctx.db_path, target, ctx.clock)
    before = target.read_bytes()
    with held_by_another_process(OPEN_DATABASE, str(target)), \
            pytest.raises(KioskError, match="open in another program"):
        backup.backup(ctx.db, ctx.db_path, target, ctx.clock)
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["monday.db"]


@windows_only
def test_restore_refused_while_another_program_has_data_db_open(ctx, manager, tmp_path):
    """A restore cannot move data.db aside while a viewer holds it: refused, nothing changed."""
    copy = tmp_path / "backup.db"
    backup.backup(ctx.db, ctx.db_path, copy, ctx.clock)
    ctx.db.close()
    before = ctx.db_path.read_bytes()
    with held_by_another_process(OPEN_DATABASE, str(ctx.db_path)), \
            pytest.raises(KioskError, match="open in another program") as refused:
        backup.restore(copy, ctx.db_path, ctx.clock)
    assert "restore again" in str(refused.value)
    assert ctx.db_path.read_bytes() == before
    leftovers = [p.name for p in tmp_path.iterdir()
                 if "replaced" in p.name or p.name.endswith(".restoring")]
    assert leftovers == []
    # Once the program is closed the same restore goes through.
    result = backup.restore(copy, ctx.db_path, ctx.clock)
    assert result.previous_kept_as is not None and result.previous_kept_as.exists()


def test_a_second_kiosk_is_refused_and_told_who_holds_the_lock(db_path):
    """The lock held by another process (msvcrt on Windows, flock elsewhere) refuses us."""
    with held_by_another_process(KIOSK_LOCK, str(db_path)) as holder:
        with pytest.raises(KioskRunning, match="Another kiosk is already running") as refused:
            InstanceLock(db_path).acquire()
        assert f"kiosk pid {holder.pid}" in str(refused.value)
    with InstanceLock(db_path) as lock:  # released when that process ended
        assert lock.held


def test_names_and_passwords_survive_a_pipe(run_kiosk, tmp_path):
    """Piped in and out (as from PowerShell or a script), every letter arrives as typed.

    On Windows a pipe used the ANSI code page: `users list` failed on "Llŷr", and a
    non-ASCII password piped in was stored differently from the same one typed.
    """
    db = tmp_path / "data.db"
    password = "Ŵyn-ffordd-" + MANAGER_PASSWORD
    added = run_kiosk("users", "add", "llyr", "--role", "manager", "--name", "Llŷr Wyn",
                      "--db", str(db), input=password + "\n")
    assert added.returncode == 0, added.stderr
    listing = run_as(run_kiosk, "users", "list", "--db", str(db), username="llyr",
                     password=password)  # the manager's non-ASCII password, piped in
    assert listing.returncode == 0, listing.stderr
    assert "Llŷr Wyn" in listing.stdout
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT password_hash FROM users WHERE username = 'llyr'").fetchone()
    conn.close()
    assert passwords.verify(stored[0], password)


def test_no_password_from_an_empty_standard_input(tmp_path):
    """Standard input from NUL (a scheduled task): refused with a message, not a hang.

    On Windows NUL passes isatty(), so the command used to wait for a console password.
    """
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "users", "add", "sam", "--role", "manager",
         "--db", str(tmp_path / "data.db")], stdin=subprocess.DEVNULL, capture_output=True,
        text=True, encoding="utf-8", env=kiosk_env(), cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert result.stderr == "kiosk: error: no password was given on standard input\n"


@windows_only
def test_a_password_piped_in_another_code_page_is_refused(tmp_path):
    """Bytes that are not UTF-8 on standard input: one clear line, nothing added."""
    db = tmp_path / "data.db"
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "users", "add", "sam", "--role", "manager",
         "--db", str(db)], input="café-kettle-harbour-orchard\n".encode("cp1252"),
        capture_output=True, env=kiosk_env(), cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert result.stderr.decode("utf-8").strip() == (
        "kiosk: error: standard input is not UTF-8 text; nothing was changed")


def test_kiosk_db_with_quotes_around_a_path_with_spaces(monkeypatch):
    """`set KIOSK_DB="C:\\Kiosk Data\\data.db"` keeps the quotes in the value on Windows."""
    monkeypatch.setenv(DB_ENV, '"C:\\Kiosk Data\\data.db"')
    assert default_db_path() == Path("C:\\Kiosk Data\\data.db")
    monkeypatch.setenv(DB_ENV, " C:\\KioskData\\data.db ")
    assert default_db_path() == Path("C:\\KioskData\\data.db")


def test_restore_on_a_drive_letter_path_with_spaces(ctx, manager, tmp_path):
    """Names a centre's PC really has: spaces and letters beyond ASCII, in every file made."""
    folder = tmp_path / "Zoë's backups"
    folder.mkdir()
    made = backup.backup(ctx.db, ctx.db_path, folder, ctx.clock)
    assert made.parent == folder and made.name.startswith("data-backup-")
    ctx.db.close()
    result = backup.restore(made, ctx.db_path, ctx.clock)
    assert result.previous_kept_as is not None
    assert result.previous_kept_as.name.startswith("data.db.replaced-")
    if sys.platform == "win32":
        assert str(ctx.db_path)[1:3] == ":\\"


@windows_only
def test_kiosk_log_rotation_while_another_process_has_it_open(db_path, capsys):
    """A running kiosk keeps kiosk.log open: a command that must rotate it carries on."""
    import logging

    from kiosk.logs import setup_logging

    log_file = db_path.with_name("kiosk.log")
    log_file.write_bytes(b"x" * 1_100_000)  # past the 1 MB rotation size
    with held_by_another_process(OPEN_FILE, str(log_file)):
        logger = setup_logging(db_path)
        try:
            logger.error("something for the log")
            for handler in logger.handlers:
                handler.flush()
        finally:
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
                handler.close()
    assert "Logging error" not in capsys.readouterr().err
    assert b"something for the log" in log_file.read_bytes()
    logging.getLogger("kiosk").handlers.clear()


def _other_name_for(folder: Path, tmp_path: Path) -> Path:
    """The same folder by another name: on Windows its 8.3 short name (how %TEMP% is often
    spelled, e.g. C:\\Users\\ZOE~1\\...), elsewhere a symbolic link to it."""
    if sys.platform == "win32":
        import ctypes

        buffer = ctypes.create_unicode_buffer(1024)
        size = ctypes.windll.kernel32.GetShortPathNameW(str(folder), buffer, 1024)  # type: ignore[attr-defined]
        if not size or Path(buffer.value) == folder:
            pytest.skip("this volume makes no 8.3 short names")
        return Path(buffer.value)
    other = tmp_path / "via"
    other.symlink_to(folder, target_is_directory=True)
    return other


def test_a_kiosk_whose_folder_has_another_name_takes_its_own_lock_once(tmp_path):
    """Locking "the real path" too (against links) must not lock our own lock file twice:
    a kiosk on C:\\Users\\ZOE~1\\...\\data.db refused itself as "another kiosk"."""
    folder = tmp_path / "Centre data for Zoë Ødegård"
    folder.mkdir()
    other = _other_name_for(folder, tmp_path)
    assert str(other) != str(folder)
    with InstanceLock(other / "data.db") as lock:
        assert lock.held
    # A second kiosk by either name is still refused while the first runs.
    with held_by_another_process(KIOSK_LOCK, str(other / "data.db")):
        for name in (folder, other):
            with pytest.raises(KioskRunning, match="Another kiosk is already running"):
                InstanceLock(name / "data.db").acquire()


KIOSK_STARTED = ("import sys\nfrom kiosk.context import open_context\n"
                 "from kiosk.instance import InstanceLock\nfrom kiosk.operations import session\n"
                 "lock = InstanceLock(sys.argv[1]).acquire()\n"  # as `kiosk run` does, then
                 "ctx = open_context(sys.argv[1])\nsession.kiosk_started(ctx)\n"  # its first
                 "print('ready', flush=True)\nsys.stdin.read()")  # screen waits for people


def test_a_killed_kiosk_is_found_at_next_start_and_its_lock_is_free(db_path, clock, run_kiosk):
    """Windows has no SIGTERM to catch: Task Manager's "End task" on a console program,
    `taskkill /F` and Popen.kill() or .terminate() are all TerminateProcess, which runs
    nothing of the kiosk's. Its last `kiosk_start` is committed, so the next start records
    `unclean_shutdown`; the OS frees the lock; the log's chain still verifies."""
    import time

    from kiosk import access_log
    from kiosk.context import open_context
    from kiosk.operations import session

    made = run_kiosk("users", "add", "boss", "--role", "manager", "--db", str(db_path),
                     input=MANAGER_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", KIOSK_STARTED, str(db_path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=kiosk_env(clock=clock), cwd=ROOT)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    proc.terminate()  # TerminateProcess on Windows; SIGTERM (no handler: the end) elsewhere
    proc.wait(timeout=60)
    assert proc.stdin is not None
    proc.stdin.close()
    clock.advance(seconds=int(time.monotonic() - started) + 1)
    with InstanceLock(db_path) as lock:  # freed by the OS with the process
        assert lock.held
        ctx = open_context(db_path, clock=clock)
        try:
            assert session.kiosk_started(ctx) is True
            events = [r["event"] for r in access_log.query(ctx.db)]
        finally:
            ctx.db.close()
    assert access_log.UNCLEAN_SHUTDOWN in events
    assert access_log.KIOSK_EXIT not in events
    assert run_kiosk("verify", "--db", str(db_path)).returncode == 0


def test_kiosk_run_without_a_working_qt_says_so_in_one_line(tmp_path):
    """Qt that will not load (on Windows "DLL load failed": a missing Visual C++ runtime,
    a quarantined DLL; under Wine, no PySide6 at all) is a fact about the PC, not a bug."""
    broken = tmp_path / "broken" / "PySide6"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text(
        'raise ImportError("DLL load failed while importing QtCore")\n', encoding="utf-8")
    env = kiosk_env()
    env["PYTHONPATH"] = str(broken.parent) + os.pathsep + env["PYTHONPATH"]
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--exit-when-ready", "--db",
         str(tmp_path / "data.db")], capture_output=True, text=True, encoding="utf-8",
        env=env, cwd=tmp_path, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk: error: the kiosk's window cannot "
                                                   "start because Qt (PySide6) did not load")
    assert not (tmp_path / "data.db").exists()  # nothing was created
