"""benchmarks/run_benchmarks.py --quick runs end to end (figures are not asserted here)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, kiosk_env

pytestmark = pytest.mark.slow


@pytest.mark.gui  # it measures the GUI's start-up and the access-log view
def test_quick_benchmark_prints_every_figure_with_its_target(tmp_path):
    """Each measurement prints a line with its target, or says why it was not measured."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run_benchmarks.py"), "--quick",
         "--cache", str(tmp_path / "cache")],
        capture_output=True, text=True, encoding="utf-8", timeout=280, env=kiosk_env(),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    for name in ("start-up to painted login", "start-up peak memory", "row access log vs empty",
                 "export results", "login check", "unknown username", "access-log view",
                 "event loop during"):
        line = next((ln for ln in out.splitlines() if name in ln), "")
        assert "target" in line, f"{name!r} missing in:\n{out}"
    assert "the measurement failed" not in out
