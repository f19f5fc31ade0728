"""The `kiosk` command as a person types it: real subprocesses, real files."""

import csv
import io

import pytest

from tests.conftest import MANAGER_PASSWORD


def add(run_kiosk, db, username, role="learner", password=MANAGER_PASSWORD, *extra,
        first=None):
    """The first manager needs no sign-in; everyone after is added by `boss`."""
    first = username == "boss" if first is None else first
    sign_in = () if first else ("--as", "boss")
    given = password + "\n" if first else MANAGER_PASSWORD + "\n" + password + "\n"
    return run_kiosk("users", "add", username, "--role", role, "--db", str(db), *extra,
                     *sign_in, input=given)


def as_boss(run_kiosk, *args):
    """A command run by the manager `boss`, the password piped in as a scheduled job does."""
    return run_kiosk(*args, "--as", "boss", input=MANAGER_PASSWORD + "\n")


def assert_one_line_error(result, text):
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk: error: "), result.stderr
    assert text in lines[0]
    assert "Traceback" not in result.stderr


def test_users_add_list_unlock_disable(run_kiosk, tmp_path):
    """Accounts added from standard input appear in the list; unlock and disable work."""
    db = tmp_path / "data.db"
    result = add(run_kiosk, db, "boss", "manager", MANAGER_PASSWORD, "--name", "Zoë Ødegård")
    assert result.returncode == 0, result.stderr
    assert add(run_kiosk, db, "llyr", "learner", "a kettle on the hob").returncode == 0
    listing = as_boss(run_kiosk, "users", "list", "--db", str(db))
    assert "boss" in listing.stdout and "Zoë Ødegård" in listing.stdout
    assert "llyr" in listing.stdout and "active" in listing.stdout
    assert as_boss(run_kiosk, "users", "unlock", "llyr", "--db", str(db)).returncode == 0
    assert as_boss(run_kiosk, "users", "disable", "llyr", "--db", str(db)).returncode == 0
    assert "disabled" in as_boss(run_kiosk, "users", "list", "--db", str(db)).stdout


def test_weak_password_is_refused_with_the_reason(run_kiosk, tmp_path):
    """A short or common password prints why, exits 1, and creates nothing."""
    db = tmp_path / "data.db"
    add(run_kiosk, db, "boss", "manager")
    assert_one_line_error(add(run_kiosk, db, "sam", "learner", "short"), "at least 12")
    assert_one_line_error(add(run_kiosk, db, "sam", "manager", "password123456789"),
                          "commonly used")
    assert_one_line_error(add(run_kiosk, db, "sam", "manager", "fourteen chars"),
                          "at least 15")


def test_mistakes_are_one_line_errors(run_kiosk, tmp_path):
    """Unknown users, missing databases, bad settings: one `kiosk: error:` line, exit 1."""
    db = tmp_path / "data.db"
    add(run_kiosk, db, "boss", "manager")
    assert_one_line_error(as_boss(run_kiosk, "users", "unlock", "ghost", "--db", str(db)),
                          "no account called 'ghost'")
    assert_one_line_error(run_kiosk("users", "list", "--db", str(tmp_path / "typo.db")),
                          "no kiosk database")
    assert not (tmp_path / "typo.db").exists()
    assert_one_line_error(run_kiosk("settings", "set", "lockout_threshold", "many", "--db",
                                    str(db)), "whole number")
    assert_one_line_error(run_kiosk("settings", "get", "no_such_key", "--db", str(db)),
                          "unknown setting")
    assert_one_line_error(add(run_kiosk, db, "has space"), "no spaces")
    assert_one_line_error(add(run_kiosk, db, "boss", first=False), "already exists")


def test_damaged_database_is_a_clear_error(run_kiosk, tmp_path):
    """A corrupt data.db is reported and left exactly as it was."""
    db = tmp_path / "data.db"
    db.write_bytes(b"\x00garbage" * 500)
    assert_one_line_error(run_kiosk("users", "list", "--db", str(db)), "damaged")
    assert db.read_bytes() == b"\x00garbage" * 500


def test_usage_errors_exit_2(run_kiosk):
    """A wrong command or a missing argument is a usage error (exit 2), not a traceback."""
    for args in (["frobnicate"], ["users", "add"], ["users", "add", "x", "--role", "king"]):
        result = run_kiosk(*args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr


def test_settings_round_trip(run_kiosk, tmp_path):
    """settings set/get/list use the documented keys and validate values."""
    db = tmp_path / "data.db"
    add(run_kiosk, db, "boss", "manager")
    assert as_boss(run_kiosk, "settings", "set", "idle_timeout_seconds", "600", "--db",
                   str(db)).returncode == 0
    assert run_kiosk("settings", "get", "idle_timeout_seconds", "--db",
                     str(db)).stdout.strip() == "600"
    listing = run_kiosk("settings", "list", "--db", str(db)).stdout
    for key in ("centre_name", "kiosk_id", "idle_timeout_seconds", "lockout_threshold",
                "password_min_length_learner", "password_min_length_manager"):
        assert key in listing


def test_export_access_log_to_stdout_and_file(run_kiosk, tmp_path):
    """Without --out the CSV goes to standard output; with --out to the file; both logged."""
    db = tmp_path / "data.db"
    add(run_kiosk, db, "boss", "manager")
    out = as_boss(run_kiosk, "export", "access-log", "--db", str(db))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout.lstrip("\ufeff"), newline="")))
    assert rows[0][:6] == ["occurred_at", "kiosk_id", "event", "username_entered",
                           "user_matched", "reason"]
    target = tmp_path / "log.csv"
    assert as_boss(run_kiosk, "export", "access-log", "--out", str(target), "--since",
                   "2000-01-01", "--db", str(db)).returncode == 0
    text = target.read_text(encoding="utf-8-sig")
    assert "export: access log" in text  # the first export was itself recorded
    assert "command line, OS user " in text  # with who ran it, as the OS says
    bad = run_kiosk("export", "access-log", "--since", "yesterday", "--db", str(db))
    assert_one_line_error(bad, "date like")


def test_kiosk_db_variable_and_default(run_kiosk, tmp_path):
    """KIOSK_DB chooses the database; without it, ./data.db in the current folder."""
    from tests.conftest import kiosk_env

    other = tmp_path / "elsewhere.db"
    assert run_kiosk("users", "add", "boss", "--role", "manager", input=MANAGER_PASSWORD,
                     env=kiosk_env(other)).returncode == 0
    assert other.exists() and not (tmp_path / "data.db").exists()
    assert run_kiosk("users", "add", "boss", "--role", "manager",
                     input=MANAGER_PASSWORD).returncode == 0
    assert (tmp_path / "data.db").exists()


@pytest.mark.gui
def test_gui_exits_when_ready(run_kiosk, tmp_path):
    """`kiosk --exit-when-ready` paints its first screen and exits 0 (smoke test)."""
    result = run_kiosk("--db", str(tmp_path / "data.db"), "--exit-when-ready", timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data.db").exists()


@pytest.mark.gui
def test_gui_on_damaged_database_exits_1_with_message(run_kiosk, tmp_path):
    """The GUI shows (and prints) a clear message for a damaged file, and changes nothing."""
    db = tmp_path / "data.db"
    db.write_bytes(b"not sqlite" * 100)
    result = run_kiosk("run", "--db", str(db), "--exit-when-ready", timeout=120)
    assert result.returncode == 1
    assert "damaged" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == b"not sqlite" * 100


def test_changes_and_exports_need_a_managers_sign_in(run_kiosk, tmp_path):
    """Without --as, with a wrong password, or as a learner: refused with one line, nothing
    changed or exported; the wrong password is logged like one typed at the kiosk."""
    db = tmp_path / "data.db"
    assert add(run_kiosk, db, "boss", "manager").returncode == 0
    assert add(run_kiosk, db, "llyr", "learner", "a kettle on the hob").returncode == 0
    out = tmp_path / "log.csv"
    for args in (("settings", "set", "pass_mark", "50"), ("users", "disable", "llyr"),
                 ("users", "list"), ("export", "access-log", "--out", str(out)),
                 ("backup", str(tmp_path / "copy.db")),
                 ("purge", "--older-than-months", "12", "--yes")):
        assert_one_line_error(run_kiosk(*args, "--db", str(db)), "needs a manager's sign-in")
        if args[0] in ("settings", "export"):  # two wrong tries: below the rising delay
            wrong = run_kiosk(*args, "--db", str(db), "--as", "boss", input="not it at all\n")
            assert_one_line_error(wrong, "sign-in failed")
        learner = run_kiosk(*args, "--db", str(db), "--as", "llyr",
                            input="a kettle on the hob\n")
        assert_one_line_error(learner, "Only a manager")
    assert not out.exists() and not (tmp_path / "copy.db").exists()
    second = run_kiosk("users", "add", "evil", "--role", "manager", "--db", str(db),
                       input=MANAGER_PASSWORD + "\n")
    assert_one_line_error(second, "needs a manager's sign-in")
    assert run_kiosk("settings", "get", "pass_mark", "--db", str(db)).stdout == "0\n"
    listing = as_boss(run_kiosk, "users", "list", "--db", str(db)).stdout
    assert "evil" not in listing and "llyr" in listing and "disabled" not in listing
    export = as_boss(run_kiosk, "export", "access-log", "--db", str(db))
    rows = list(csv.DictReader(io.StringIO(export.stdout.lstrip("\ufeff"), newline="")))
    wrong_tries = [r for r in rows if r["event"] == "login_failure"
                   and r["username_entered"] == "boss"]
    assert len(wrong_tries) == 2
