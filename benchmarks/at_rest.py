"""What a kiosk costs while nobody uses it: CPU and wake-ups on the sign-in screen.

    .venv/bin/python benchmarks/at_rest.py [--seconds 20]

Starts the real kiosk (`kiosk run`) on a fresh database with one manager, waits for the
sign-in screen (the cursor in the username box), then reads the process's CPU time and
context switches (a wake-up each) from /proc over a quiet interval. The baseline, in the
same run, is a bare PySide6 window holding one focused QLineEdit, whose cursor blinks as
Qt's default. Uses the display in $DISPLAY (run under Xvfb for a real X server), else
Qt's offscreen platform. Linux only; prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = ("import sys; from PySide6.QtWidgets import QApplication, QLineEdit; "
        "app = QApplication(sys.argv); e = QLineEdit(); e.resize(400, 40); e.show(); "
        "e.activateWindow(); e.setFocus(); sys.exit(app.exec())")


def sample(pid: int, seconds: float) -> tuple[float, float]:
    def read() -> tuple[int, int]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        switches = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            for line in Path(f"/proc/{pid}/task/{task}/status").read_text().splitlines():
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    switches += int(line.split()[1])
        return ticks, switches

    t0, s0 = read()
    time.sleep(seconds)
    t1, s1 = read()
    hz = os.sysconf("SC_CLK_TCK")
    return 100 * (t1 - t0) / hz / seconds, (s1 - s0) / seconds


def measure(argv: list[str], env: dict[str, str], seconds: float) -> tuple[float, float]:
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        time.sleep(6)  # start-up, the first paint and the daily backup are over
        return sample(proc.pid, seconds)
    finally:
        proc.kill()
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "data.db"
        subprocess.run([sys.executable, "-m", "kiosk", "users", "add", "boss", "--role",
                        "manager", "--db", str(db)], input="river-lantern-orchard-42\n",
                       text=True, env=env, cwd=ROOT, check=True, capture_output=True)
        bare = measure([sys.executable, "-c", BARE], env, args.seconds)
        kiosk = measure([sys.executable, "-m", "kiosk", "run", "--windowed", "--db", str(db)],
                        env, args.seconds)
    where = env.get("DISPLAY") or "offscreen"
    print(f"at rest on the sign-in screen ({where}, {args.seconds:.0f} s):")
    print(f"  bare window, blinking cursor: {bare[0]:.2f} % of a core, {bare[1]:.1f} wake-ups/s")
    print(f"  kiosk:                        {kiosk[0]:.2f} % of a core, {kiosk[1]:.1f} wake-ups/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
