"""Faults and crashes leave nothing wrong behind (issue 11), each made for real: a full
tmpfs, killed subprocesses, symlinks and hard links, SIGTERM."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import MANAGER_PASSWORD


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
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
