"""Faults and crashes leave nothing wrong behind (issue 11), each made for real: a full
tmpfs, killed subprocesses, symlinks and hard links, SIGTERM.

These also run as Windows programs under Wine (.ci/wine_tests.py), where there is no Qt:
a test that needs a running `kiosk run` does that part `if GUI:` and checks the core
the kiosk runs on either way; a kill there is TerminateProcess (`Popen.kill()`)."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import users
from kiosk.instance import InstanceLock, KioskRunning
from tests.conftest import GUI, MANAGER_PASSWORD, assert_owner_only, run_as


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    import sys

    if sys.platform == "win32":
        pytest.skip("a small tmpfs is Linux's; on Windows the full-disk message comes from "
                    "the same code (kiosk.db.friendly_error), tested in test_db_faults.py")
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _fill(folder: Path) -> None:
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as fh:
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()


def test_a_full_disk_under_data_db_is_reported_as_a_full_disk(run_kiosk, small_disk):
    db = small_disk / "data.db"
    made = run_kiosk("users", "add", "boss", "--role", "manager", "--db", str(db),
                     input=MANAGER_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    conn = sqlite3.connect(db)  # the last connection closing removes the -wal and -shm
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert not Path(f"{db}-wal").exists()
    _fill(small_disk)
    for args in (["users", "list"], ["settings", "list"], ["users", "unlock", "boss"],
                 ["export", "access-log"], ["verify"]):
        result = run_kiosk(*args, "--db", str(db))
        assert "is damaged" not in result.stderr, (args, result.stderr)
        assert "Restore" not in result.stderr
        assert "Traceback" not in result.stderr
        if result.returncode:
            assert "disk holding data.db is full" in result.stderr, (args, result.stderr)
    (small_disk / "filler").unlink()
    assert run_kiosk("verify", "--db", str(db)).returncode == 0


# --- backups and restores with a -wal ----------------------------------------------------

def _kiosk_db(path: Path, clock=None):
    from kiosk.context import open_context

    ctx = open_context(path, clock=clock)
    ctx.settings.set("kiosk_id", "test-kiosk")
    if not users.manager_exists(ctx.db):  # commands that change or export data sign in
        users.create(ctx.db, ctx.settings, ctx.clock, username="manager",
                     password=MANAGER_PASSWORD, role="manager", full_name="Morgan Manager")
    return ctx


def test_restore_keeps_the_sources_committed_wal_rows(tmp_path, run_kiosk):
    from kiosk import access_log

    (tmp_path / "src").mkdir()
    source = _kiosk_db(tmp_path / "src" / "data.db")
    for i in range(50):
        access_log.append(source.db, source.clock, kiosk_id="k", event="logout",
                          username_entered=f"only-in-wal-{i}")
    # The source is still open: its newest rows are committed but only in its -wal.
    wal = tmp_path / "src" / "data.db-wal"
    assert wal.stat().st_size > 0
    carried = tmp_path / "carried"
    carried.mkdir()
    shutil.copyfile(tmp_path / "src" / "data.db", carried / "copy.db")
    shutil.copyfile(wal, carried / "copy.db-wal")  # a copied set arrives without its -shm
    source.db.close()
    target = tmp_path / "live" / "data.db"
    target.parent.mkdir()
    result = run_kiosk("restore", str(carried / "copy.db"), "--db", str(target))
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(target)
    kept = conn.execute("SELECT COUNT(*) FROM access_log WHERE username_entered LIKE "
                        "'only-in-wal-%'").fetchone()[0]
    conn.close()
    assert kept == 50
    assert run_kiosk("verify", "--db", str(target)).returncode == 0


def test_a_stale_wal_beside_the_target_is_never_applied(tmp_path, run_kiosk):
    """data.db was deleted by hand but its -wal (full of another file's pages) stayed."""
    from kiosk import access_log

    other = _kiosk_db(tmp_path / "other.db")
    for i in range(30):
        access_log.append(other.db, other.clock, kiosk_id="k", event="logout",
                          username_entered=f"other-{i}")
    live = tmp_path / "live"
    live.mkdir()
    shutil.copyfile(tmp_path / "other.db-wal", live / "data.db-wal")
    other.db.close()
    backup = _kiosk_db(tmp_path / "good.db")
    backup.db.close()
    result = run_kiosk("restore", str(tmp_path / "good.db"), "--db", str(live / "data.db"))
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(live / "data.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM access_log WHERE username_entered LIKE "
                        "'other-%'").fetchone()[0] == 0
    conn.close()
    assert list(live.glob("data.db-wal.stale-*"))
    assert run_kiosk("verify", "--db", str(live / "data.db")).returncode == 0


def test_backup_over_a_name_with_a_stale_wal_is_self_contained(tmp_path, run_kiosk):
    from kiosk import access_log

    other = _kiosk_db(tmp_path / "copy.db")
    for i in range(30):
        access_log.append(other.db, other.clock, kiosk_id="k", event="logout",
                          username_entered=f"stale-{i}")
    shutil.copyfile(tmp_path / "copy.db-wal", tmp_path / "saved-wal")
    other.db.close()
    live = _kiosk_db(tmp_path / "data.db")
    live.db.close()
    shutil.copyfile(tmp_path / "saved-wal", tmp_path / "copy.db-wal")  # left behind
    result = run_as(run_kiosk, "backup", str(tmp_path / "copy.db"), "--db",
                    str(tmp_path / "data.db"))
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "copy.db-wal").exists()
    assert_owner_only(tmp_path / "copy.db")
    assert run_kiosk("verify", "--db", str(tmp_path / "copy.db")).returncode == 0


# --- exports: logged first, no leftovers -------------------------------------------------

# Enough rows that the export is still being written when the test kills it; Windows'
# SQLite under Wine writes them more slowly, and exports them more slowly too.
BIG_LOG_ROWS = 150_000 if sys.platform == "win32" else 300_000


def _big_log(path: Path, rows: int = BIG_LOG_ROWS):
    from tests.manager_helpers import bulk_access_log

    ctx = _kiosk_db(path)
    # The log's indexes are built once at the end (a sort) rather than row by row: the
    # same file, several times sooner (Windows' SQLite under Wine took 90 s for 300,000).
    indexes = ctx.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                             "tbl_name = 'access_log' AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        ctx.db.execute(f'DROP INDEX "{name}"')
    bulk_access_log(ctx.db, rows)
    for _, sql in indexes:
        ctx.db.execute(sql)
    ctx.db.close()


def test_export_is_logged_even_when_its_reader_closes_the_pipe_early(tmp_path):
    import sys

    from tests.conftest import kiosk_env

    db = tmp_path / "data.db"
    _big_log(db, 50_000)
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "export", "access-log", "--db",
                             str(db), "--as", "manager"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=kiosk_env())
    assert proc.stdout is not None and proc.stdin is not None
    proc.stdin.write(MANAGER_PASSWORD.encode() + b"\n")
    proc.stdin.close()
    proc.stdin = None  # communicate() must not flush it again
    proc.stdout.read(200)
    proc.stdout.close()  # `| head -c 200`
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err
    conn = sqlite3.connect(db)
    reasons = [r[0] for r in conn.execute("SELECT reason FROM access_log WHERE event = "
                                          "'manager_action'")]
    conn.close()
    assert any(r.startswith("export: access log started to standard output")
               for r in reasons), reasons


def test_a_killed_export_leaves_no_partial_file_after_the_next_start(tmp_path, run_kiosk):
    import sys
    import time

    from tests.conftest import kiosk_env

    db = tmp_path / "data.db"
    _big_log(db)
    out = tmp_path / "exports"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "export", "access-log", "--out",
                             str(out / "log.csv"), "--db", str(db), "--as", "manager"],
                            stdin=subprocess.PIPE, env=kiosk_env())
    assert proc.stdin is not None
    proc.stdin.write(MANAGER_PASSWORD.encode() + b"\n")
    proc.stdin.close()
    proc.stdin = None  # communicate() must not flush it again
    deadline = time.monotonic() + 60
    partial: list[Path] = []
    while time.monotonic() < deadline and not partial:
        partial = [p for p in out.iterdir() if p.name.endswith(".partial")]
        time.sleep(0.01)
    assert partial, "the export finished before it could be killed"
    assert_owner_only(partial[0])  # owner-only while written
    proc.kill()  # SIGKILL; TerminateProcess on Windows: nothing of the export's runs after
    proc.wait()
    assert partial[0].exists() and not (out / "log.csv").exists()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM access_log WHERE reason LIKE "
                        "'export: access log started%'").fetchone()[0] == 1
    conn.close()
    assert run_as(run_kiosk, "users", "list", "--db", str(db)).returncode == 0  # next start
    assert list(out.iterdir()) == []


def test_pre_migration_copy_is_whole_and_self_contained(tmp_path, clock):
    from sqlite_utils import Database

    from kiosk.migrations import migrations

    path = tmp_path / "data.db"
    old = Database(path)
    migrations.apply(old, stop_before="evidence_seal_records")
    old.close()
    _kiosk_db(path, clock).db.close()
    copies = list(tmp_path.glob("data.db.pre-migration-*"))
    assert len(copies) == 1 and not list(tmp_path.glob("*.partial"))
    conn = sqlite3.connect(f"file:{copies[0]}?mode=ro", uri=True)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


# --- one kiosk per file, whatever its name -----------------------------------------------

HOLD = """
import sys, time
from kiosk.instance import InstanceLock
lock = InstanceLock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("how", ["symlink", "hardlink"])
def test_a_second_kiosk_through_a_link_is_refused(tmp_path, run_kiosk, how):
    import os
    import sys

    from tests.conftest import kiosk_env

    live = tmp_path / "data.db"
    _kiosk_db(live).db.close()
    other = tmp_path / "elsewhere"
    other.mkdir()
    link = other / "data.db"
    if how == "symlink":
        try:
            link.symlink_to(live)
            works = os.path.samefile(link, live)
        except OSError:
            works = False
        if not works and sys.platform == "win32":
            # Windows lets only administrators (or Developer Mode) make symbolic links, so a
            # kiosk's standard account cannot; under Wine one is made but does not open as
            # the file it names. Hard links (below) need no privilege and are tested there.
            pytest.skip("no working symbolic link can be made by this Windows account")
        assert works
    else:
        os.link(live, link)
    first = subprocess.Popen([sys.executable, "-c", HOLD, str(live)], stdout=subprocess.PIPE,
                             text=True, env=kiosk_env())
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "held"
        if GUI:
            second = run_kiosk("run", "--exit-when-ready", "--db", str(link))
            assert second.returncode == 1
            assert "Another kiosk is already running" in second.stderr
        else:  # no Qt (the Windows run): the lock `kiosk run` takes before anything else
            with pytest.raises(KioskRunning, match="Another kiosk is already running"):
                InstanceLock(link).acquire()
    finally:
        first.kill()
        first.wait()
    if GUI:
        again = run_kiosk("run", "--exit-when-ready", "--db", str(link))
        assert again.returncode == 0, again.stderr
    else:
        with InstanceLock(link) as lock:  # freed when the holder was killed
            assert lock.held


# --- the kiosk's own end ---------------------------------------------------------------

def _events(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(
            "SELECT event, reason FROM access_log ORDER BY id")]
    finally:
        conn.close()


def _start_kiosk(db: Path):
    import sys
    import time

    from tests.conftest import kiosk_env

    before = sum(1 for e, _ in _events(db) if e == "kiosk_start")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--windowed", "--db",
                             str(db)], env=kiosk_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if sum(1 for e, _ in _events(db) if e == "kiosk_start") > before:
            time.sleep(1.0)  # past start-up, into the event loop
            return proc
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.1)
    proc.kill()
    pytest.fail("the kiosk did not start")


@pytest.mark.gui  # `kiosk run`; on Windows a kill is TerminateProcess, see test_windows.py
def test_sigterm_ends_the_run_with_kiosk_exit_and_a_kill_is_found_at_next_start(
        tmp_path, run_kiosk):
    import os
    import signal

    db = tmp_path / "data.db"
    made = run_kiosk("users", "add", "boss", "--role", "manager", "--db", str(db),
                     input=MANAGER_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    proc = _start_kiosk(db)
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    events = _events(db)
    assert events[-1][0] == "kiosk_exit" and "SIGTERM" in events[-1][1]

    proc = _start_kiosk(db)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    again = run_kiosk("run", "--exit-when-ready", "--db", str(db))
    assert again.returncode == 0, again.stderr
    events = _events(db)
    unclean = [i for i, (e, _) in enumerate(events) if e == "unclean_shutdown"]
    assert len(unclean) == 1  # only the killed run, not the one SIGTERM ended
    assert events[unclean[0] + 1][0] == "kiosk_start"
    assert run_kiosk("verify", "--db", str(db)).returncode == 0


def test_refused_close_attempts_are_logged(qtbot, ctx, manager, window):
    from kiosk import access_log

    window.close()  # Alt+F4, the taskbar: refused
    window.close()  # at once again: not a second row
    assert window.isVisible()
    rows = list(access_log.query(ctx.db, events=(access_log.CLOSE_REFUSED,)))
    assert len(rows) == 1
    ctx.clock.advance(seconds=11)
    window.close()
    assert len(list(access_log.query(ctx.db, events=(access_log.CLOSE_REFUSED,)))) == 2


def test_a_windows_sign_out_or_shutdown_ends_the_run_with_kiosk_exit(qapp, ctx):
    """Windows asks (commitDataRequest), then tells (aboutToQuit) and may end the process
    at once: the exit is written then, once; an ordinary quit is not taken for one."""
    from kiosk import access_log
    from kiosk.operations import session
    from kiosk.ui.app import SessionEnd

    ends = SessionEnd(qapp, lambda how: session.kiosk_terminated(ctx, how))
    try:
        qapp.aboutToQuit.emit()  # a manager's close or SIGTERM: recorded by their own code
        assert not ends.recorded
        ends.asked_to_end()  # WM_QUERYENDSESSION
        qapp.aboutToQuit.emit()  # WM_ENDSESSION
        qapp.aboutToQuit.emit()
    finally:
        qapp.aboutToQuit.disconnect(ends.quitting)
        qapp.commitDataRequest.disconnect(ends.asked_to_end)
        ends.setParent(None)
    exits = list(access_log.query(ctx.db, events=(access_log.KIOSK_EXIT,)))
    assert len(exits) == 1 and "Windows sign-out or shutdown" in exits[0]["reason"]


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_vanished_database_where_a_kiosk_ran_is_a_fault_not_first_run(tmp_path, run_kiosk,
                                                                        how):
    db = tmp_path / "data.db"
    made = run_kiosk("users", "add", "boss", "--role", "manager", "--db", str(db),
                     input=MANAGER_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    if GUI:
        ran = run_kiosk("run", "--exit-when-ready", "--db", str(db))  # makes the day's backup
        assert ran.returncode == 0, ran.stderr
    else:  # no Qt (the Windows run): the day's backup `kiosk run` makes after its first paint
        from kiosk.backup import daily_backup

        ctx = _kiosk_db(db)
        daily_backup(ctx.db, ctx.db_path, ctx.clock, 7, kiosk_id=ctx.kiosk_id)
        ctx.db.close()
    assert list((tmp_path / "backups").glob("data-auto-*.db"))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    if how == "emptied":
        db.write_bytes(b"")
    if GUI:
        started = run_kiosk("run", "--exit-when-ready", "--db", str(db))
        assert started.returncode == 1
        assert "a kiosk has run here before" in started.stderr
        assert "kiosk restore" in started.stderr
    added = run_kiosk("users", "add", "intruder", "--role", "manager", "--db", str(db),
                      input=MANAGER_PASSWORD + "\n")
    assert added.returncode == 1 and "a kiosk has run here before" in added.stderr
    assert (not db.exists()) or db.stat().st_size == 0  # nothing was created
    # The way back: restore the latest backup.
    backup = sorted((tmp_path / "backups").glob("data-auto-*.db"))[-1]
    restored = run_kiosk("restore", str(backup), "--db", str(db))
    assert restored.returncode == 0, restored.stderr
    assert run_kiosk(*(["run", "--exit-when-ready"] if GUI else ["verify"]), "--db",
                     str(db)).returncode == 0


@pytest.mark.gui  # `kiosk run`; the CLI's first `users add` in an empty folder runs everywhere
def test_a_new_kiosk_in_an_empty_folder_still_starts(tmp_path, run_kiosk):
    started = run_kiosk("run", "--exit-when-ready", "--db", str(tmp_path / "data.db"))
    assert started.returncode == 0, started.stderr


# --- users import: no account without its shown password ---------------------------------

@pytest.mark.parametrize("kill_after", [0.5, 2.0, None])
def test_a_killed_users_import_leaves_no_account_whose_password_was_not_shown(
        tmp_path, run_kiosk, kill_after):
    import sys
    import time

    from tests.conftest import kiosk_env

    db = tmp_path / "data.db"
    made = run_kiosk("users", "add", "boss", "--role", "manager", "--db", str(db),
                     input=MANAGER_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    sheet = tmp_path / "people.csv"
    sheet.write_text("username,full_name\n" + "".join(
        f"person{i:02d},Person {i}\n" for i in range(30)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "users", "import", str(sheet),
                             "--db", str(db), "--as", "boss"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=kiosk_env(), text=True)
    assert proc.stdin is not None
    proc.stdin.write(MANAGER_PASSWORD + "\n")
    proc.stdin.close()
    proc.stdin = None  # communicate() must not flush it again
    if kill_after is not None:
        time.sleep(kill_after)
        proc.kill()  # SIGKILL; TerminateProcess on Windows
    out, _ = proc.communicate(timeout=120)
    conn = sqlite3.connect(db)
    created = [r[0] for r in conn.execute("SELECT username FROM users WHERE username != 'boss'")]
    conn.close()
    for name in created:
        assert f"{name}  temporary password: " in out, name
    if kill_after is None:
        assert len(created) == 30
    assert run_kiosk("verify", "--db", str(db)).returncode == 0
