"""Measure the kiosk against its targets and baselines, side by side, in one run.

    .venv/bin/python benchmarks/run_benchmarks.py            # full sizes (builds caches once)
    .venv/bin/python benchmarks/run_benchmarks.py --quick    # small sizes: a smoke run

Every figure is printed with its target and PASS/FAIL, or "not measured: why". Times are
medians of repeated runs; peak memory is the child's maximum resident set size, read
with os.wait4 (Linux/macOS). Large databases are built once with make_data.py and cached
(default /tmp/pkg/bench-cache; --cache DIR). Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import make_data  # noqa: E402

PY = sys.executable


@dataclass
class Run:
    seconds: float
    peak_mb: float | None
    painted: float | None = None  # seconds from launch to the first paint, when reported


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("KIOSK_DB", None)
    # An installed kiosk starts from its compiled bytecode (pip and PyInstaller write it);
    # a shell that forbids writing it would have every run compile the kiosk's 40,000
    # lines again (~0.1 s and 4 MB here), a cost no kiosk in the field pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# A small launcher process starts each measured command and reports the command's own time
# and peak RSS. Measuring from here would be wrong on Linux: a child's peak-RSS counter
# starts at its parent's size when forked, and this script is bigger than a bare window.
# A GUI child writes the wall-clock time of its first paint to KIOSK_FIRST_PAINT_FILE
# (kiosk/ui/app.py, bare_window.py); the launcher turns it into seconds since launch.
LAUNCHER = """
import os, subprocess, sys, time
out = open(sys.argv[1], "wb") if sys.argv[1] != "-" else subprocess.DEVNULL
mark = os.environ.get("KIOSK_FIRST_PAINT_FILE")
if mark and os.path.exists(mark):
    os.remove(mark)
wall = time.time()
t = time.perf_counter()
p = subprocess.Popen(sys.argv[2:], stdout=out)
_, status, usage = os.wait4(p.pid, 0)
elapsed = time.perf_counter() - t
painted = -1.0
if mark and os.path.exists(mark):
    painted = float(open(mark).read()) - wall
sys.stderr.write(f"\\nBENCH {elapsed} {usage.ru_maxrss} {painted}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(cmd: list[str], *, stdout_path: Path | None = None,
              stdin_text: str | None = None, paint_file: Path | None = None) -> Run:
    """Wall time and peak RSS of one child process (its own rusage, via wait4).

    `stdin_text` is piped in (a manager's password, as a scheduled job gives it).
    """
    if hasattr(os, "wait4"):
        full = [PY, "-S", "-c", LAUNCHER, str(stdout_path or "-"), *cmd]
    else:
        full = cmd
    env = child_env()
    if paint_file is not None:
        env["KIOSK_FIRST_PAINT_FILE"] = str(paint_file)
    start = time.perf_counter()
    out = open(stdout_path, "wb") if stdout_path and not hasattr(os, "wait4") else None  # noqa: SIM115
    proc = subprocess.run(full, stdout=out or subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=env, cwd=tempfile.gettempdir(),
                          input=stdin_text.encode() if stdin_text is not None else None)
    elapsed = time.perf_counter() - start
    if out:
        out.close()
    err = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))[:120]} exited {proc.returncode}: "
                           f"{err[-500:]}")
    peak = painted = None
    for line in err.splitlines():
        if line.startswith("BENCH "):
            _, secs, rss, paint = line.split()
            elapsed = float(secs)
            scale = 1024 if sys.platform.startswith("linux") else 1  # KiB on Linux, B on macOS
            peak = int(rss) * scale / 1e6
            painted = float(paint) if float(paint) >= 0 else None
    return Run(elapsed, peak, painted)


def median_runs(cmd: list[str], repeat: int, **kw: object) -> Run:
    runs = [run_child(cmd, **kw) for _ in range(repeat)]  # type: ignore[arg-type]
    peaks = [r.peak_mb for r in runs if r.peak_mb is not None]
    return Run(statistics.median(r.seconds for r in runs),
               statistics.median(peaks) if peaks else None)


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, name: str, figure: str, target: str, ok: bool | None) -> None:
        verdict = {True: "PASS", False: "FAIL", None: "----"}[ok]
        line = f"{verdict}  {name:<44} {figure:<34} target: {target}"
        print(line, flush=True)
        self.lines.append(line)

    def not_measured(self, name: str, why: str, target: str) -> None:
        line = f"n/m   {name:<44} not measured: {why}  (target: {target})"
        print(line, flush=True)
        self.lines.append(line)


def cached_db(cache: Path, name: str, **sizes: int) -> Path:
    path = cache / name
    if not path.exists():
        tmp = path.with_name(path.name + ".building")
        for leftover in tmp.parent.glob(tmp.name + "*"):
            leftover.unlink()
        print(f"  building {path.name} ({sizes}) ...", flush=True)
        make_data.build(tmp, **sizes)
        tmp.rename(path)
    return path


def fresh_copy(src: Path, work: Path, name: str) -> Path:
    target = work / name
    shutil.copyfile(src, target)
    return target


# ------------------------------------------------------------------------------ start-up
def bench_startup(report: Report, work: Path, big: Path, repeat: int) -> None:
    """Launch to the first paint of the sign-in screen, against a bare window's first paint.

    Both report the wall-clock time of their first paint (KIOSK_FIRST_PAINT_FILE), so the
    figure is the time until a person sees the screen. The kiosk then goes on to open
    data.db (kiosk/ui/app.py) and exits only when it is ready to sign someone in: its
    peak memory and its "ready" time cover all of that.
    """
    empty = work / "empty.db"
    kiosk = [PY, "-m", "kiosk", "--exit-when-ready", "--db"]
    run_child([*kiosk, str(empty)])  # create and migrate once: start-up, not first install
    # A manager exists, so what paints is the login screen (not first-run set-up).
    subprocess.run([PY, "-m", "kiosk", "users", "add", "bench-manager", "--role", "manager",
                    "--db", str(empty)], input=secrets.token_urlsafe(24) + "\n", text=True,
                   capture_output=True, env=child_env(), check=True)
    bare_cmd = [PY, str(ROOT / "benchmarks" / "bare_window.py")]
    mark = work / "first-paint"
    # Interleave so a busy machine slows both sides alike.
    bare_runs, kiosk_runs, big_runs = [], [], []
    big_copy = fresh_copy(big, work, "big.db")
    run_child([*kiosk, str(big_copy)])  # warm the page cache like a kiosk that ran yesterday
    for _ in range(repeat):
        bare_runs.append(run_child(bare_cmd, paint_file=mark))
        kiosk_runs.append(run_child([*kiosk, str(empty)], paint_file=mark))
        big_runs.append(run_child([*kiosk, str(big_copy)], paint_file=mark))
    report_startup(report, bare_runs, kiosk_runs, "start-up to painted login vs bare window")
    rows = count_rows(big_copy)
    t_big, t_kiosk = painted(big_runs), painted(kiosk_runs)
    big_ratio = t_big / t_kiosk
    report.add(f"start-up, {rows:,}-row access log vs empty",
               f"{t_big:.2f} s vs {t_kiosk:.2f} s = {big_ratio:.2f}x", "<= 1.3x",
               big_ratio <= 1.3)
    ready_big, ready = (statistics.median(r.seconds for r in runs)
                        for runs in (big_runs, kiosk_runs))
    report.add(f"  ready to sign in, {rows:,}-row log vs empty",
               f"{ready_big:.2f} s vs {ready:.2f} s = {ready_big / ready:.2f}x", "(info)",
               None)


def painted(runs: list[Run]) -> float:
    """Median launch-to-first-paint (the whole run where a child did not report it)."""
    return statistics.median(r.painted if r.painted is not None else r.seconds for r in runs)


def report_startup(report: Report, bare_runs: list[Run], kiosk_runs: list[Run],
                   name: str, mem_name: str = "start-up peak memory vs bare window") -> None:
    t_bare, t_kiosk = painted(bare_runs), painted(kiosk_runs)
    ratio = t_kiosk / t_bare
    ratios = sorted(k.seconds if k.painted is None else k.painted for k in kiosk_runs)
    report.add(name, f"{t_kiosk:.2f} s vs {t_bare:.2f} s = {ratio:.2f}x", "<= 2.0x",
               ratio <= 2.0)
    ready = statistics.median(r.seconds for r in kiosk_runs)
    bare_exit = statistics.median(r.seconds for r in bare_runs)
    report.add("  ready to sign in (data.db open) vs bare exit",
               f"{ready:.2f} s vs {bare_exit:.2f} s = {ready / bare_exit:.2f}x "
               f"(paint {ratios[0]:.2f}-{ratios[-1]:.2f} s)", "(info)", None)
    if bare_runs[0].peak_mb is None:
        report.not_measured(mem_name, "no wait4 here", "<= 1.5x")
    else:
        mem = lambda runs: statistics.median(r.peak_mb or 0 for r in runs)  # noqa: E731
        m_ratio = mem(kiosk_runs) / mem(bare_runs)
        report.add(mem_name,
                   f"{mem(kiosk_runs):.0f} MB vs {mem(bare_runs):.0f} MB = {m_ratio:.2f}x",
                   "<= 1.5x", m_ratio <= 1.5)


# ------------------------------------------------------------------------------ frozen
def _evict(folders: list[Path]) -> None:
    """Drop these files from the page cache (posix_fadvise), as after a reboot."""
    for folder in folders:
        for path in folder.rglob("*"):
            if not path.is_file():
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            except OSError:
                pass
            finally:
                os.close(fd)


def _drop_caches() -> bool:
    """The whole page cache, when this user may (root, and /proc/sys writable)."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def bench_frozen(report: Report, work: Path, repeat: int, drop_all: bool) -> None:
    """The PyInstaller build (dist/kiosk/kiosk) to its painted sign-in screen, warm and
    cold, against the bare PySide6 window from this venv treated the same way.

    Cold: the files each side loads are evicted from the page cache before each run
    (posix_fadvise: the build's folder; for the bare window PySide6, shiboken6 and the
    standard library), or with --drop-caches the whole page cache (root only; slows
    everything else on the machine for a moment)."""
    exe = ROOT / "dist" / "kiosk" / ("kiosk.exe" if os.name == "nt" else "kiosk")
    name = "frozen build start-up to painted login"
    if not exe.exists():
        report.not_measured(name, "no build: run `pyinstaller --noconfirm build_exe.spec` "
                            "first", "<= 2.0x warm")
        return
    if not hasattr(os, "posix_fadvise"):
        report.not_measured(name, "no posix_fadvise here to make a cold start", "-")
        return
    db = work / "frozen.db"
    run_child([str(exe), "--exit-when-ready", "--db", str(db)])
    subprocess.run([str(exe), "users", "add", "bench-manager", "--role", "manager",
                    "--db", str(db)], input=secrets.token_urlsafe(24) + "\n", text=True,
                   capture_output=True, env=child_env(), check=True)
    import PySide6
    import shiboken6

    bare_files = [Path(PySide6.__file__).parent, Path(shiboken6.__file__).parent,
                  Path(os.__file__).parent]
    bare_cmd = [PY, str(ROOT / "benchmarks" / "bare_window.py")]
    kiosk_cmd = [str(exe), "--exit-when-ready", "--db", str(db)]
    mark = work / "first-paint"
    for label, cold in (("warm", False), ("cold", True)):
        bare_runs, kiosk_runs = [], []
        run_child(kiosk_cmd, paint_file=mark)  # the database's own pages stay warm
        for _ in range(repeat):
            for runs, cmd, files in ((bare_runs, bare_cmd, bare_files),
                                     (kiosk_runs, kiosk_cmd, [exe.parent])):
                if cold and not (drop_all and _drop_caches()):
                    _evict(files)
                runs.append(run_child(cmd, paint_file=mark))
        how = ("whole page cache dropped" if drop_all else "files evicted") if cold else "warm"
        report_startup(report, bare_runs, kiosk_runs, f"frozen build, {label} ({how})",
                       f"  frozen build, {label}: peak memory")


def count_rows(db_path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM access_log").fetchone()[0])
    finally:
        conn.close()


# ------------------------------------------------------------------------------ export
BENCH_MANAGER = "bench-manager"
BENCH_PASSWORD = "bench-lantern-orchard-kettle-42"  # noqa: S105 - a throwaway benchmark account


def add_manager(db: Path) -> None:
    """The manager the export commands sign in as (`--as`), with a known password."""
    from kiosk import users
    from kiosk.context import open_context

    ctx = open_context(db)
    try:
        if users.find(ctx.db, BENCH_MANAGER) is None:
            users.create(ctx.db, ctx.settings, ctx.clock, username=BENCH_MANAGER,
                         password=BENCH_PASSWORD, role="manager")
    finally:
        ctx.db.close()


def results_export_available() -> bool:
    from kiosk.cli import build_parser

    parser = build_parser()
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        export = action.choices.get("export")  # type: ignore[union-attr]
        if export is None:
            continue
        for sub in export._subparsers._group_actions:  # type: ignore[union-attr]
            if "results" in sub.choices:  # type: ignore[operator]
                return True
    return False


RESULTS_SQL = (
    "SELECT a.id, u.username, u.full_name, a.kiosk_id, a.course_id, a.course_version, "
    "a.status, a.started_at, a.finished_at, a.duration_seconds, a.score, a.max_score, "
    "a.percent, a.pass_mark, a.passed, a.expires_on, a.certificate_code "
    "FROM attempts a JOIN users u ON u.id = a.user_id ORDER BY a.started_at, a.id"
)


def bench_export(report: Report, work: Path, cache: Path, sizes: list[int],
                 repeat: int) -> None:
    name = f"`kiosk export results` of {sizes[1]:,} attempts vs sqlite3"
    if not results_export_available():
        report.not_measured(name, "kiosk export results not present", "<= 2.5x")
        report.not_measured("export peak memory flat with rows", "kiosk export results not "
                            "present", f"flat from {sizes[0]:,} to {sizes[-1]:,} rows")
        return
    sqlite_tool = shutil.which("sqlite3")
    peaks: dict[int, float | None] = {}
    for n in sizes:
        db = cached_db(cache, f"attempts-{n}.db", users=500, attempts=n, access_events=0,
                       questions_per_attempt=10 if n <= 100_000 else 2, quiet=False)
        db = fresh_copy(db, work, f"attempts-{n}.db")
        add_manager(db)
        out = work / f"results-{n}.csv"
        # Signed in, as every export must be: one Argon2 check (~0.1 s) is part of the cost.
        export_cmd = [PY, "-m", "kiosk", "export", "results", "--db", str(db), "--out",
                      str(out), "--as", BENCH_MANAGER]
        if n != sizes[1]:
            peaks[n] = run_child(export_cmd, stdin_text=BENCH_PASSWORD + "\n").peak_mb
            continue
        if not sqlite_tool:
            kiosk_run = median_runs(export_cmd, repeat, stdin_text=BENCH_PASSWORD + "\n")
            peaks[n] = kiosk_run.peak_mb
            report.not_measured(name, "the sqlite3 command-line tool is not installed",
                                "<= 2.5x")
            continue
        # Interleaved, so a busy machine slows all three alike: the export, the sqlite3
        # tool on the same join, and the fixed part (start, sign-in with Argon2, open,
        # check, the log rows, a zero-row export: a day with no results).
        runs: dict[str, list[Run]] = {"kiosk": [], "sqlite3": [], "fixed": []}
        for _ in range(repeat):
            runs["sqlite3"].append(run_child([sqlite_tool, "-csv", "-header", str(db),
                                              RESULTS_SQL], stdout_path=work / "sqlite3.csv"))
            runs["kiosk"].append(run_child(export_cmd, stdin_text=BENCH_PASSWORD + "\n"))
            runs["fixed"].append(run_child([*export_cmd, "--since", "2199-01-01"],
                                           stdin_text=BENCH_PASSWORD + "\n"))
        kiosk_s, base_s, fixed_s = (statistics.median(r.seconds for r in runs[k])
                                    for k in ("kiosk", "sqlite3", "fixed"))
        peaks[n] = statistics.median(r.peak_mb or 0 for r in runs["kiosk"])
        ratio = kiosk_s / base_s
        report.add(name, f"{kiosk_s:.2f} s vs {base_s:.2f} s = {ratio:.2f}x", "<= 2.5x",
                   ratio <= 2.5)
        rows_s = kiosk_s - fixed_s
        report.add("  of which fixed (start, sign-in, a 0-row export)",
                   f"{fixed_s:.2f} s; the rows {rows_s:.2f} s = {rows_s / base_s:.2f}x "
                   "sqlite3", "(breakdown)", None)
    known = [p for p in peaks.values() if p]
    if len(known) == len(sizes):
        growth = known[-1] / known[0]
        figure = " / ".join(f"{peaks[n]:.0f}" for n in sizes) + f" MB ({growth:.2f}x)"
        report.add(f"export peak memory at {'/'.join(f'{n:,}' for n in sizes)} rows", figure,
                   "flat (<= 1.2x)", growth <= 1.2)
    else:
        report.not_measured("export peak memory flat with rows", "no wait4 here", "flat")


# ------------------------------------------------------------------------------ login
def bench_login(report: Report, work: Path, repeat: int) -> None:
    from kiosk import users
    from kiosk.clock import FakeClock
    from kiosk.context import open_context

    clock = FakeClock()
    ctx = open_context(work / "login.db", clock=clock)
    ctx.settings.set("centre_name", "Benchmark Centre")
    password = "kettle-harbour-maple-lantern"  # noqa: S105 - benchmark account
    users.create(ctx.db, ctx.settings, clock, username="zoe", password=password,
                 role="learner", full_name="Zoë Ødegård")
    ok_times, wrong_times, unknown_times = [], [], []
    for _ in range(repeat):
        # The fake clock moves on so per-kiosk throttling and rising delays never kick in:
        # we time the checks themselves, not the refusal shortcuts.
        clock.advance(minutes=20)
        t = time.perf_counter()
        ctx.auth.login("zoe", "not-the-password-at-all")
        wrong_times.append(time.perf_counter() - t)
        clock.advance(minutes=20)
        t = time.perf_counter()
        outcome = ctx.auth.login("zoe", password)
        ok_times.append(time.perf_counter() - t)
        assert outcome.ok
        clock.advance(minutes=20)
        t = time.perf_counter()
        ctx.auth.login("nobody-here", "not-the-password-at-all")
        unknown_times.append(time.perf_counter() - t)
    ctx.db.close()
    ok, wrong, unknown = (statistics.median(x) * 1000 for x in
                          (ok_times, wrong_times, unknown_times))
    report.add("login check (right password)", f"{ok:.0f} ms", "< 250 ms", ok < 250)
    diff = abs(unknown - wrong) / wrong
    report.add("unknown username vs known (wrong password)",
               f"{unknown:.0f} ms vs {wrong:.0f} ms = {diff * 100:.1f}% apart", "within 15%",
               diff <= 0.15)


# ------------------------------------------------------------------------------ access-log view
def bench_access_log_view(report: Report, work: Path, big: Path, repeat: int) -> None:
    """The manager's Access log tab, as a manager opens it: built, first page, painted."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from kiosk import users
    from kiosk.context import open_context
    from kiosk.ui.manager_access_log import AccessLogPanel

    rows = count_rows(big)
    name = f"open access-log view on {rows:,} rows"
    db_path = fresh_copy(big, work, "view.db")
    app = QApplication.instance() or QApplication([])
    ctx = open_context(db_path)
    manager = users.find(ctx.db, "bench-manager") or users.create(
        ctx.db, ctx.settings, ctx.clock, username="bench-manager",
        password=secrets.token_urlsafe(24), role="manager")  # never signed in with
    ctx.current_user = manager
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        panel = AccessLogPanel(ctx)
        panel.resize(1024, 600)
        panel.show()
        panel.shown()  # what the manager area calls when the tab is opened
        app.processEvents()  # lays out and paints the first page
        times.append(time.perf_counter() - t)
        loaded = panel.model.rowCount()
        panel.close()
        panel.deleteLater()
        app.processEvents()
    ctx.db.close()
    ms = statistics.median(times) * 1000
    report.add(f"{name} ({loaded} rows on the first page)", f"{ms:.0f} ms", "< 300 ms",
               ms < 300)


# ------------------------------------------------------------------------------ latency
def bench_export_latency(report: Report, work: Path, big: Path) -> None:
    """How late a 10 ms timer fires on the GUI thread while the manager's access-log export
    of the whole log runs through the JobRunner (off the GUI thread), against the same
    export run on the GUI thread (the old way: nothing else runs until it ends)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk import users
    from kiosk.context import open_context
    from kiosk.filters import AccessLogFilter
    from kiosk.operations import exports
    from kiosk.ui.jobs import JobRunner

    rows = count_rows(big)
    db_path = fresh_copy(big, work, "latency.db")
    _app = QApplication.instance() or QApplication([])  # kept alive while the loop runs
    ctx = open_context(db_path)
    manager = users.find(ctx.db, BENCH_MANAGER) or users.create(
        ctx.db, ctx.settings, ctx.clock, username=BENCH_MANAGER, password=BENCH_PASSWORD,
        role="manager")
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    # The noise floor first: the same timer with nothing running, for 3 s. On a shared
    # machine other processes delay it too; the export's figure is read against this.
    idle_loop = QEventLoop()
    QTimer.singleShot(3000, idle_loop.quit)
    timer.start()
    last[0] = time.perf_counter()
    idle_loop.exec()
    timer.stop()
    idle = sorted(gaps)
    gaps.clear()
    runner = JobRunner()
    loop = QEventLoop()
    runner.finished.connect(loop.quit)
    outcome: list[object] = []
    out = work / "latency.csv"
    timer.start()
    last[0] = time.perf_counter()
    started = time.perf_counter()
    runner.start(ctx, "Exporting", lambda wctx, progress: exports.export_access_log(
        wctx, manager, AccessLogFilter(), out, progress), done=outcome.append,
        failed=outcome.append)
    loop.exec()
    took = time.perf_counter() - started
    timer.stop()
    if not outcome or not isinstance(outcome[0], exports.Exported):
        report.not_measured("event-loop latency during export", f"export failed: {outcome}",
                            "< 100 ms")
        ctx.db.close()
        return
    gaps.sort()
    worst, p99 = gaps[-1], gaps[int(len(gaps) * 0.99) - 1]
    idle_p99, idle_worst = idle[int(len(idle) * 0.99) - 1], idle[-1]
    report.add(f"event loop during a {rows:,}-row export ({took:.1f} s)",
               f"10 ms timer: p99 {p99:.0f} ms, worst {worst:.0f} ms (idle: p99 "
               f"{idle_p99:.0f}, worst {idle_worst:.0f})", "worst < 100 ms", worst < 100)
    # The old way for comparison: the export on the GUI thread blocks every timer.
    started = time.perf_counter()
    exports.export_access_log(ctx, manager, AccessLogFilter(), out)
    blocked = (time.perf_counter() - started) * 1000
    report.add("same export on the GUI thread (before)", f"timer blocked {blocked:.0f} ms",
               "(baseline)", None)
    ctx.db.close()


# ------------------------------------------------------------------------------ main
def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, {ram}, {cpu}, "
            f"Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Kiosk benchmarks against their targets.")
    p.add_argument("--quick", action="store_true", help="small sizes, few repeats (smoke run)")
    p.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "pkg" /
                   "bench-cache", help="where generated databases are kept between runs")
    p.add_argument("--only", default="", metavar="NAMES",
                   help="comma-separated sections to run: start-up, export, login, "
                        "access-log view, latency, frozen (default: all)")
    p.add_argument("--export-sizes", default="", metavar="N,N,N",
                   help="attempts in the export's databases (default 10000,100000,1000000; "
                        "the middle one is timed against sqlite3)")
    p.add_argument("--drop-caches", action="store_true",
                   help="frozen: make cold starts by dropping the whole page cache (root)")
    args = p.parse_args(argv)
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    quick = args.quick
    cache = args.cache / ("quick" if quick else "full")
    cache.mkdir(parents=True, exist_ok=True)
    log_rows = 20_000 if quick else 1_000_000
    export_sizes = [1_000, 5_000, 10_000] if quick else [10_000, 100_000, 1_000_000]
    if args.export_sizes:
        export_sizes = [int(n) for n in args.export_sizes.split(",")]
    repeat = 2 if quick else 7
    print(f"kiosk benchmarks ({'quick' if quick else 'full'}): {machine()}", flush=True)
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}", flush=True)
    report = Report()
    big = cached_db(cache, f"log-{log_rows}.db", users=200, attempts=0,
                    access_events=log_rows)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        work = Path(tmp)
        sections = (
            ("start-up", lambda: bench_startup(report, work, big, repeat)),
            ("export", lambda: bench_export(report, work, cache, export_sizes, repeat)),
            ("login", lambda: bench_login(report, work, 5 if quick else 25)),
            ("access-log view", lambda: bench_access_log_view(report, work, big, repeat)),
            ("latency", lambda: bench_export_latency(report, work, big)),
            ("frozen", lambda: bench_frozen(report, work, repeat, args.drop_caches)),
        )
        for title, bench in sections:
            if only and title not in only:
                continue
            if title == "frozen" and quick and "frozen" not in only:
                continue  # a smoke run leaves the build alone
            try:
                bench()
            except Exception as exc:  # one broken measurement must not hide the others
                report.not_measured(title, f"the measurement failed: {exc}", "-")
    failed = sum(line.startswith("FAIL") for line in report.lines)
    print(f"{failed} target(s) missed" if failed else "every measured target met", flush=True)
    if failed:
        # The reasons are measurements, kept with the figures rather than guessed here.
        print("why each is missed, with the measured breakdown: BENCHMARKS.md, 'Findings'",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())


