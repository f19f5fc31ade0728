"""The command line as a centre uses it, run as Windows programs (issue 16).

.ci/wine_tests.py runs this with the Windows Python under Wine, so this script, every
`kiosk` command and every process holding the database are Windows processes: the
msvcrt lock, Windows' sharing rules for open files, a drive-letter path with spaces and
non-ASCII letters, and standard streams that are pipes. Each step prints one line; the
first failure stops the run with what was expected and what came out.

Qt cannot start under this Wine, so a running kiosk is stood in for by a process that
takes the same instance lock and opens data.db exactly as `kiosk run` does.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "river-lantern-orchard-42"
MANAGER = "morgan"
BASE = Path(tempfile.gettempdir()) / "kiosk smoke Zoë" / "Centre data"
DB = BASE / "data.db"
STEPS: list[str] = []


def step(name: str) -> None:
    STEPS.append(name)
    print(f"smoke: {len(STEPS):2d}. {name}", flush=True)


def fail(what: str, result: subprocess.CompletedProcess[str] | None = None) -> None:
    print(f"smoke: FAILED at step {len(STEPS)}: {what}", flush=True)
    if result is not None:
        print(f"  exit {result.returncode}\n  stdout: {result.stdout!r}\n"
              f"  stderr: {result.stderr!r}", flush=True)
    sys.exit(1)


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """subprocess.run, with one more go when Wine itself fails to start the process
    (CreateProcess's ERROR_INTERNAL_ERROR on a loaded machine: not the kiosk's doing)."""
    try:
        return subprocess.run(command, **kwargs)  # type: ignore[call-overload,no-any-return]
    except OSError as exc:
        if getattr(exc, "winerror", None) != 1359:
            raise
        print(f"smoke: Wine failed to start a process ({exc}); once more", flush=True)
        return subprocess.run(command, **kwargs)  # type: ignore[call-overload,no-any-return]


def kiosk(*args: str, input: str | None = None, expect: int = 0, signed_in: bool = False,
          ) -> subprocess.CompletedProcess[str]:
    """`kiosk ARGS --db DB`; `signed_in`: as the manager morgan, password piped in first
    (as a scheduled task does), then `input`."""
    if signed_in:
        args = (*args, "--as", MANAGER)
        input = PASSWORD + "\n" + (input or "")
    result = run([sys.executable, "-m", "kiosk", *args, "--db", str(DB)],
                 input=input or "", capture_output=True, encoding="utf-8", cwd=BASE,
                 timeout=120)
    if result.returncode != expect:
        fail(f"`kiosk {' '.join(args)}` should exit {expect}", result)
    if "Traceback" in result.stdout + result.stderr:
        fail("a traceback reached the user", result)
    if expect == 1:
        lines = result.stderr.strip().splitlines()
        if len(lines) != 1 or not lines[0].startswith("kiosk: error: "):
            fail("a refusal should be one `kiosk: error:` line", result)
    return result


def contains(result: subprocess.CompletedProcess[str], *words: str) -> None:
    text = result.stdout + result.stderr
    for word in words:
        if word not in text:
            fail(f"expected {word!r} in the output", result)


class Holder:
    """Another Windows process holding data.db (or a file) until it is told to stop."""

    def __init__(self, code: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, str(DB)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8", cwd=ROOT)
        assert self.proc.stdout is not None
        ready = self.proc.stdout.readline()
        if ready.strip() != "ready":
            fail(f"the holding process did not start: {ready}{self.proc.stdout.read()}")

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)

    def kill(self) -> None:
        self.proc.kill()  # TerminateProcess: as a crash or a power cut would end it
        self.proc.wait(timeout=60)


KIOSK_HOLDER = """
import sys
from kiosk.context import open_context
from kiosk.instance import InstanceLock
lock = InstanceLock(sys.argv[1]).acquire()   # what `kiosk run` does before opening data.db
ctx = open_context(sys.argv[1])
ctx.db.execute("SELECT COUNT(*) FROM users").fetchone()
print("ready", flush=True)
sys.stdin.read()
"""

PROGRAM_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])          # e.g. DB Browser for SQLite left open
conn.execute("SELECT COUNT(*) FROM users").fetchone()
print("ready", flush=True)
sys.stdin.read()
"""

FILE_HOLDER = """
import sys
fh = open(sys.argv[2], "rb")                  # e.g. the CSV left open in Excel
fh.read(1)
print("ready", flush=True)
sys.stdin.read()
"""


def integrity(path: Path) -> str:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def main() -> int:
    import platform

    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr] - a pipe, not cp1252
    print(f"smoke: Python {platform.python_version()} on {platform.platform()} "
          f"({sys.platform}), data in {BASE}", flush=True)
    if sys.platform != "win32":
        fail("this must run under the Windows Python (.ci/wine_tests.py)")
    if BASE.parent.exists():
        shutil.rmtree(BASE.parent)
    BASE.mkdir(parents=True)

    step("users add (password piped in), on a drive-letter path with spaces")
    if str(DB)[1:3] != ":\\" or " " not in str(DB):
        fail(f"not a Windows path with spaces: {DB}")
    kiosk("users", "add", "morgan", "--role", "manager", "--name", "Morgan Manager",
          input=PASSWORD + "\n")
    kiosk("users", "add", "llyr", "--role", "learner", "--name", "Llŷr Wyn",
          input="maple-kettle-harbour-Ŵ\n", signed_in=True)

    step("users import (UTF-8 CSV from Excel, with a BOM)")
    people = BASE / "people to add.csv"
    people.write_bytes("username,Full Name,role,job_title\r\nzoe.o,Zoë Ødegård,,Family worker\r\n"
                       .encode("utf-8-sig"))
    contains(kiosk("users", "import", str(people), signed_in=True), "zoe.o", "temporary password")

    step("users list through a pipe keeps every name (console encoding)")
    contains(kiosk("users", "list", signed_in=True), "llyr", "zoe.o", "Llŷr Wyn", "Zoë Ødegård")

    step("export access-log into a folder with spaces, then again over the same file")
    exports = BASE / "exports for Excel"
    exports.mkdir()
    csv_file = exports / "access log.csv"
    kiosk("export", "access-log", "--out", str(csv_file), signed_in=True)
    first = csv_file.read_bytes()
    if not first.startswith(b"\xef\xbb\xbf") or b"\r\n" not in first:
        fail("the CSV should be UTF-8 with a BOM and CRLF line ends")
    kiosk("export", "access-log", "--out", str(csv_file), signed_in=True)
    if csv_file.read_bytes() == first:
        fail("the second export did not replace the first")

    step("export over a CSV another program holds open: refused clearly, file kept")
    held = csv_file.read_bytes()
    holder = Holder(FILE_HOLDER.replace("sys.argv[2]", repr(str(csv_file))))
    try:
        refused = kiosk("export", "access-log", "--out", str(csv_file), expect=1,
                        signed_in=True)
        contains(refused, "open in another program")
    finally:
        holder.stop()
    if csv_file.read_bytes() != held or list(exports.glob("*.partial")):
        fail("the held CSV was changed or a partial file was left behind")

    step("backup while another program holds data.db open")
    holder = Holder(PROGRAM_HOLDER)
    try:
        contains(kiosk("backup", str(BASE / "no such folder" / "copy.db"), expect=1,
                       signed_in=True),
                 "does not exist")
        (BASE / "by hand").mkdir()
        kiosk("backup", str(BASE / "by hand"), signed_in=True)
    finally:
        holder.stop()
    backups = list((BASE / "by hand").glob("data-backup-*.db"))
    if len(backups) != 1 or integrity(backups[0]) != "ok":
        fail(f"expected one intact backup, found {backups}")

    step("restore while another program holds data.db open: refused, nothing changed")
    before = DB.read_bytes()
    holder = Holder(PROGRAM_HOLDER)
    try:
        contains(kiosk("restore", str(backups[0]), expect=1), "open in another program")
    finally:
        holder.stop()
    if DB.read_bytes() != before or list(BASE.glob("data.db.replaced-*")):
        fail("a refused restore changed data.db or left a replaced copy")

    step("the instance lock: a second kiosk and a restore are refused while one runs")
    kiosk_proc = Holder(KIOSK_HOLDER)
    try:
        second = run(
            [sys.executable, "-c", "import sys\nfrom kiosk.instance import InstanceLock\n"
             "InstanceLock(sys.argv[1]).acquire()", str(DB)],
            capture_output=True, encoding="utf-8", cwd=ROOT, timeout=60)
        if second.returncode == 0 or "Another kiosk is already running" not in second.stderr \
                or f"kiosk pid {kiosk_proc.proc.pid}" not in second.stderr:
            fail("a second kiosk on the same data.db was not refused, naming the first", second)
        contains(kiosk("restore", str(backups[0]), expect=1),
                 "Another kiosk is already running")
        contains(kiosk("backup", str(BASE / "by hand"), signed_in=True), "integrity check ok")
        # Commands still work while it runs.
        contains(kiosk("users", "list", signed_in=True), "morgan")
    finally:
        kiosk_proc.kill()
    step("the lock ends with the process, even when it is killed")
    check = run(
        [sys.executable, "-c", "import sys\nfrom kiosk.instance import InstanceLock\n"
         "InstanceLock(sys.argv[1]).acquire()\nprint('taken')", str(DB)],
        capture_output=True, encoding="utf-8", cwd=ROOT, timeout=60)
    if check.returncode != 0 or check.stdout.strip() != "taken":
        fail("the lock outlived the killed kiosk", check)

    step("restore with nobody holding data.db: the current file is kept aside")
    kiosk("users", "add", "late.starter", "--role", "learner", input="a-later-long-password\n",
          signed_in=True)
    contains(kiosk("restore", str(backups[0])), "kept as")
    if len(list(BASE.glob("data.db.replaced-*"))) != 1:
        fail("the replaced database was not kept")
    listing = kiosk("users", "list", signed_in=True).stdout
    if "late.starter" in listing or "zoe.o" not in listing:
        fail(f"the restored database is not the backup's: {listing!r}")

    step("log verify on the restored database")
    contains(kiosk("log", "verify"), "Access log intact")

    shutil.rmtree(BASE.parent)
    print(f"smoke: all {len(STEPS)} steps passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
