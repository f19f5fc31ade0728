"""One entry point for a fresh clone: sets itself up, then runs the kiosk or the tests.

    python run.py [kiosk arguments]   launch the kiosk on ./data.db
    python run.py test [pytest args]  lint, then run the whole test suite

It creates `.venv/` beside this file on first use and reinstalls only when
pyproject.toml changes, so a second launch starts at once. Only the standard
library is used here because nothing else is installed yet.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".kiosk-installed"


def _venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


# Launching needs only the kiosk's own dependencies; the test command adds the test tools
# and PyInstaller (the suite's slow test builds and runs the real bundle).
KIOSK_EXTRAS = ""
TEST_EXTRAS = "test,build"


def _wanted_stamp(extras: str) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(extras.encode())
    return digest.hexdigest()


def _installed_stamps() -> set[str]:
    try:
        return set(STAMP.read_text().split())
    except OSError:
        return set()


def ensure_environment(extras: str = KIOSK_EXTRAS) -> Path:
    """Create or refresh the virtual environment; return its interpreter.

    The stamp holds one line per extras set installed for this pyproject.toml, so a
    test run after a launch adds the test tools without reinstalling the kiosk, and a
    launch after a test run installs nothing.
    """
    if sys.version_info < (3, 10):  # noqa: UP036 - run.py may be started by an old Python
        found = ".".join(map(str, sys.version_info[:2]))
        sys.exit(f"run.py: error: Python 3.10 or newer is needed (this is {found})")
    python = _venv_python()
    if not python.exists():
        print("run.py: creating .venv (first run only)...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        STAMP.unlink(missing_ok=True)
    stamps = _installed_stamps()
    wanted = _wanted_stamp(extras)
    # A test environment already holds everything a launch needs.
    satisfied = wanted in stamps or (
        extras == KIOSK_EXTRAS and _wanted_stamp(TEST_EXTRAS) in stamps
    )
    if not satisfied:
        print("run.py: installing pinned dependencies...", flush=True)
        target = f"{ROOT}[{extras}]" if extras else str(ROOT)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-e", target],
            check=True,
        )
        current = {s for s in stamps if s in (_wanted_stamp(KIOSK_EXTRAS),
                                              _wanted_stamp(TEST_EXTRAS))}
        STAMP.write_text("\n".join(sorted(current | {wanted})) + "\n")
    return python


def _ensure_system_packages() -> None:
    """The suite needs a few Debian packages (a real PostgreSQL, libfaketime...): install
    what is missing where that is possible without asking (Linux as root with apt-get: CI
    and a fresh container). Elsewhere the tests that need them say how to install them.
    """
    script = ROOT / ".ci" / "system_packages.sh"
    if not sys.platform.startswith("linux") or not script.exists():
        return
    if os.geteuid() != 0 or not Path("/usr/bin/apt-get").exists():
        return
    subprocess.run(["/bin/bash", str(script)], check=False)


def main(argv: list[str]) -> int:
    try:
        python = ensure_environment(TEST_EXTRAS if argv[:1] == ["test"] else KIOSK_EXTRAS)
    except subprocess.CalledProcessError as exc:
        print(f"run.py: error: installing dependencies failed ({exc.returncode})", file=sys.stderr)
        return 1
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if argv[:1] == ["test"]:
        _ensure_system_packages()
        lint = subprocess.run([str(python), "-m", "ruff", "check", str(ROOT)], cwd=ROOT, env=env)
        if lint.returncode != 0:
            return lint.returncode
        args = argv[1:]
        if not any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in args):
            args = ["-n", "auto", *args]  # pytest-xdist: one worker per core
        return subprocess.run(
            [str(python), "-m", "pytest", *args], cwd=ROOT, env=env
        ).returncode
    return subprocess.run([str(python), "-m", "kiosk", *argv], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
