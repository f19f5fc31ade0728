"""Records are never silently lost when something else in the kiosk touches data.db.

On POSIX, closing any descriptor of a file drops every lock the process holds on it
(SQLite's "How To Corrupt An SQLite Database File", 2.2). Qt's file dialog used to open
data.db and data.db-shm to sniff their types; the next command to close the database
then believed it was the last user, checkpointed and deleted the WAL that the kiosk was
still writing to, and the kiosk's next records went into a deleted file. These tests run
that sequence with real processes and a real SIGKILL, and count what survives.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import access_log, users
from kiosk import db as kiosk_db_module
from kiosk.context import open_context
from tests.conftest import MANAGER_PASSWORD, ROOT, kiosk_env, run_as

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX locks and SIGKILL")


class Kiosk:
    """A real kiosk window in its own process, signed in as the manager, taking commands."""

    def __init__(self, db: Path, clock) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.kiosk_driver", "--db", str(db), "--username",
             "manager", "--action", "manager", "--then", "commands"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=ROOT, env=kiosk_env(db, clock), bufsize=1,
        )
        self.proc.stdin.write(MANAGER_PASSWORD + "\n")
        self.proc.stdin.flush()
        assert self.read() == "MANAGER", self.proc.stderr.read()

    def read(self) -> str:
        line = self.proc.stdout.readline().strip()
        if not line:
            self.proc.kill()
            code = self.proc.wait(timeout=30)
            raise AssertionError(f"the kiosk stopped ({code}): " + self.proc.stderr.read()[-2000:])
        return line

    def do(self, command: str) -> str:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.read()

    def power_cut(self) -> None:
        self.proc.send_signal(signal.SIGKILL)  # the process is gone mid-write, as in a power cut
        self.proc.wait(timeout=30)


@pytest.fixture
def kiosk_db(tmp_path, clock):
    path = tmp_path / "data" / "data.db"
    path.parent.mkdir()
    ctx = open_context(path, clock=clock)
    ctx.settings.set("centre_name", "Riverside")
    users.create(ctx.db, ctx.settings, ctx.clock, username="manager",
                 password=MANAGER_PASSWORD, role="manager", full_name="Morgan Manager")
    ctx.db.close()
    return path


def stored_usernames(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {r[0] for r in conn.execute("SELECT username FROM users")}
    finally:
        conn.close()


def test_file_dialog_then_a_command_then_a_write_then_a_power_cut(kiosk_db, run_kiosk, clock):
    """The exact sequence from the report: the manager opens and closes Import from CSV
    (its dialog listing data.db's own folder), `kiosk users list` runs, a person is
    added in the kiosk, the power goes. Every record written is in the file afterwards,
    including the command's own access-log row."""
    kiosk = Kiosk(kiosk_db, clock)
    try:
        assert kiosk.do("add before") == "ADDED before"
        assert kiosk.do("dialog") == "DIALOG CLOSED"
        listed = run_as(run_kiosk, "users", "list", "--db", str(kiosk_db))
        assert listed.returncode == 0, listed.stderr
        assert kiosk.do("add after") == "ADDED after"
        assert kiosk.do("add later") == "ADDED later"
    finally:
        kiosk.power_cut()
    assert {"manager", "before", "after", "later"} <= stored_usernames(kiosk_db)
    ctx = open_context(kiosk_db, clock=clock)
    try:
        assert access_log.verify_chain(ctx.db).ok
        added = [r["reason"] for r in access_log.query(ctx.db)
                 if "after" in (r["reason"] or "") or "later" in (r["reason"] or "")]
        assert len(added) >= 2
    finally:
        ctx.db.close()


def test_any_stray_open_in_the_kiosk_loses_nothing(kiosk_db, run_kiosk, clock):
    """Defence in depth: even if some other library in the kiosk process opens and closes
    data.db (dropping the kiosk's locks), a command run beside the kiosk leaves the WAL
    alone, so the kiosk's next records survive a power cut."""
    kiosk = Kiosk(kiosk_db, clock)
    try:
        assert kiosk.do("stray-open") == "STRAY CLOSED"
        for _ in range(2):
            assert run_as(run_kiosk, "users", "list", "--db", str(kiosk_db)).returncode == 0
        assert kiosk.do("add nia") == "ADDED nia"
        assert Path(str(kiosk_db) + "-wal").exists()
    finally:
        kiosk.power_cut()
    assert "nia" in stored_usernames(kiosk_db)


def test_a_kiosk_whose_wal_was_deleted_stops_writing_and_says_so(kiosk_db, clock):
    """If data.db-wal is deleted (or data.db replaced) under a running kiosk, the next
    write is refused with a message, rather than written into a file nobody will read."""
    ctx = open_context(kiosk_db, clock=clock)
    try:
        users.create(ctx.db, ctx.settings, ctx.clock, username="first",
                     password=MANAGER_PASSWORD, role="learner", full_name="First")
        os.unlink(str(kiosk_db) + "-wal")
        with pytest.raises(kiosk_db_module.FilesReplaced, match="moved, replaced or deleted"):
            users.create(ctx.db, ctx.settings, ctx.clock, username="second",
                         password=MANAGER_PASSWORD, role="learner", full_name="Second")
        with pytest.raises(kiosk_db_module.FilesReplaced):  # and stays stopped
            access_log.append(ctx.db, ctx.clock, kiosk_id="k", event=access_log.KIOSK_START)
    finally:
        ctx.db.close()


def test_a_replaced_database_file_is_noticed(kiosk_db, clock, tmp_path):
    ctx = open_context(kiosk_db, clock=clock)
    try:
        other = tmp_path / "other.db"
        sqlite3.connect(other).close()
        os.replace(other, kiosk_db)
        with pytest.raises(kiosk_db_module.FilesReplaced):
            users.create(ctx.db, ctx.settings, ctx.clock, username="second",
                         password=MANAGER_PASSWORD, role="learner", full_name="Second")
    finally:
        ctx.db.close()


def test_commands_beside_a_running_kiosk_keep_the_wal(kiosk_db, tmp_path):
    """The switch that keeps the WAL is really set: verified through SQLite itself."""
    from kiosk.instance import InstanceLock, held_elsewhere

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys,time; from kiosk.instance import InstanceLock; "
         f"InstanceLock({str(kiosk_db)!r}).acquire(); print('held', flush=True); "
         "time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT, env=kiosk_env())
    try:
        assert holder.stdout.readline().strip() == "held"
        assert held_elsewhere(kiosk_db)
        conn = sqlite3.connect(kiosk_db)
        assert kiosk_db_module.keep_wal_on_close(conn, kiosk_db)
        conn.close()
    finally:
        holder.kill()
        holder.wait()
    assert not held_elsewhere(kiosk_db)
    with InstanceLock(kiosk_db):
        assert not held_elsewhere(kiosk_db)  # our own lock is not someone else's


def test_file_dialogs_open_elsewhere_and_hide_the_data_folder(qtbot, tmp_path, monkeypatch):
    """Qt's file dialog, as the kiosk builds it: it opens in the chosen folder (never the
    data folder, even when asked to), lists nothing of the data folder if a person goes
    there, never reads a file to pick its icon, and refuses a path inside it."""
    from PySide6.QtCore import QFileInfo, QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog

    from kiosk.ui.dialogs import QtDialogs
    from kiosk.ui.file_dialog import NameOnlyIcons

    data = tmp_path / "data"
    data.mkdir()
    (data / "data.db").write_bytes(b"SQLite format 3\x00")
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "people.csv").write_text("username\r\n")
    monkeypatch.setenv("HOME", str(data))  # even a home folder that holds data.db is avoided
    assert QtDialogs(data_folder=data, start_folder=data).start_folder() != data

    seen: dict[str, object] = {}

    def look_then_leave() -> None:
        dialog = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, QFileDialog) and w.isVisible()), None)
        if dialog is None:
            QTimer.singleShot(50, look_then_leave)
            return
        seen["opened_in"] = dialog.directory().absolutePath()
        dialog.setDirectory(str(data))
        qtbot.wait(300)
        proxy = dialog.proxyModel()
        source = proxy.sourceModel()
        seen["shown"] = {name: proxy.mapFromSource(source.index(str(path))).isValid()
                         for name, path in (("data folder", data), ("data.db", data / "data.db"),
                                            ("exports", exports))}
        dialog.reject()

    QTimer.singleShot(50, look_then_leave)
    dialogs = QtDialogs(data_folder=data, start_folder=exports)
    assert dialogs.ask_open_path("Import people from CSV", "CSV files (*.csv)") is None
    assert seen["opened_in"] == str(exports)
    assert seen["shown"] == {"data folder": False, "data.db": False, "exports": True}
    icons = NameOnlyIcons()
    assert icons.type(QFileInfo(str(data / "data.db"))) == "DB file"
