"""The manager area's core (no Qt): matrix, import, retention, subject access, reports, CLI."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kiosk import (
    access_log,
    auth,
    matrix,
    people_import,
    reports,
    retention,
    subject_access,
    users,
)
from kiosk.clock import to_iso
from kiosk.course import load_default_courses
from kiosk.errors import KioskError
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD, kiosk_env
from tests.manager_helpers import (
    COURSE,
    bulk_access_log,
    check_csv_bytes,
    insert_attempt,
    read_csv,
)


@pytest.fixture(scope="module")
def courses():
    return load_default_courses()


def _day(ctx, days: int) -> str:
    return (ctx.clock.now().date() + timedelta(days=days)).isoformat()


def _when(ctx, days: int) -> str:
    return to_iso(ctx.clock.now() + timedelta(days=days))


@pytest.fixture
def staff(ctx, make_user, manager):
    """Five people, one in each training state."""
    people = {
        "zoe": make_user("zoe", full_name="Zoë Ødegård", job_title="Family worker"),
        "llyr": make_user("llyr", full_name="Llŷr Wyn", job_title="Volunteer"),
        "sam": make_user("sam", full_name="Sam O'Neil", job_title="Nursery nurse"),
        "eq": make_user("eq", full_name="=HYPERLINK(\"http://x\")", job_title="-2+3"),
        "priya": make_user("priya", full_name="Priya Shah", job_title="Family worker"),
    }
    insert_attempt(ctx.db, people["zoe"].id, finished_at=_when(ctx, -400),
                   expires_on=_day(ctx, -35), percent=85.0)
    insert_attempt(ctx.db, people["llyr"].id, finished_at=_when(ctx, -340),
                   expires_on=_day(ctx, 20), percent=90.0)
    insert_attempt(ctx.db, people["sam"].id, finished_at=_when(ctx, -10),
                   expires_on=_day(ctx, 355), percent=100.0)
    insert_attempt(ctx.db, people["priya"].id, finished_at=_when(ctx, -2), percent=40.0,
                   passed=False)
    return people


def test_matrix_uses_the_learners_status_words(ctx, staff, courses):
    """Every active person appears once per course with the same status rule as learners."""
    rows = matrix.build_matrix(ctx.db, courses, ctx.clock.now().date())
    by_user = {r.username: r for r in rows}
    assert by_user["zoe"].label == "Expired"
    assert by_user["llyr"].label == "Due within 30 days"
    assert by_user["priya"].label == "In progress: last test not passed"  # never hidden
    assert by_user["sam"].label == "Passed"
    assert by_user["eq"].label == "Not started"
    assert [r.username for r in rows][:2] == ["zoe", "llyr"]  # most urgent first
    assert by_user["sam"].last_percent == 100.0


def test_matrix_filters_and_leaves_out_disabled(ctx, staff, courses, manager):
    """Filters by status, role, job title and text; disabled people are not listed."""
    today = ctx.clock.now().date()
    overdue = matrix.build_matrix(ctx.db, courses, today, states=("expired", "due"))
    assert {r.username for r in overdue} == {"zoe", "llyr"}
    assert {r.username for r in matrix.build_matrix(ctx.db, courses, today, role="manager")} \
        == {"manager"}
    assert {r.username for r in matrix.build_matrix(ctx.db, courses, today,
                                                    job_title="family WORKER")} \
        == {"zoe", "priya"}
    assert [r.username for r in matrix.build_matrix(ctx.db, courses, today, text="ødeg")] \
        == ["zoe"]
    users.set_disabled(ctx.db, ctx.settings, ctx.clock, "priya", True, actor=manager)
    assert "priya" not in {r.username for r in matrix.build_matrix(ctx.db, courses, today)}


def test_history_keeps_every_refresher(ctx, staff):
    """A person's history lists every attempt across refresher periods, newest first."""
    zoe = staff["zoe"]
    insert_attempt(ctx.db, zoe.id, finished_at=_when(ctx, -800), expires_on=_day(ctx, -435))
    insert_attempt(ctx.db, zoe.id, finished_at=_when(ctx, -1), percent=95.0,
                   expires_on=_day(ctx, 364))
    history = matrix.person_history(ctx.db, zoe.id)
    assert len(history) == 3
    assert [h["percent"] for h in history] == [95.0, 85.0, 90.0]


def test_matrix_export_cell_by_cell(ctx, staff, courses, tmp_path):
    """The overdue list exports with BOM, CRLF, names intact, formulas neutralised,
    numbers unquoted and ISO dates."""
    rows = matrix.build_matrix(ctx.db, courses, ctx.clock.now().date())
    target = tmp_path / "matrix.csv"
    assert matrix.export_matrix(rows, target) == 6
    raw, table = read_csv(target)
    check_csv_bytes(raw)
    assert tuple(table[0]) == matrix.MATRIX_COLUMNS
    body = {r[0]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    assert body["zoe"]["full_name"] == "Zoë Ødegård"
    assert body["llyr"]["full_name"] == "Llŷr Wyn"
    assert body["sam"]["full_name"] == "Sam O'Neil"
    assert body["eq"]["full_name"] == "'=HYPERLINK(\"http://x\")"
    assert body["eq"]["job_title"] == "'-2+3"
    assert body["zoe"]["status"] == "expired"
    assert body["zoe"]["expires_on"] == _day(ctx, -35)
    assert body["sam"]["last_score_percent"] == "100.0"
    assert b",100.0," in raw and b'"100.0"' not in raw  # a number, unquoted
    assert "Llŷr Wyn".encode() in raw


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_import_ten_staff_with_bad_rows_reported(ctx, manager, tmp_path):
    """Ten good rows are added with must-change temporary passwords; each bad row is
    reported with its line and reason, and never stops the good ones."""
    lines = ["username,full_name,role,job_title"]
    lines += [f"staff{i},Staff Member {i},learner,Volunteer" for i in range(1, 11)]
    lines += ["bad name,Has A Space,learner,", "staff1,Duplicate,learner,",
              "manager,Already There,learner,", "chris,Chris,boss,", ",No Username,,"]
    path = _write(tmp_path / "staff.csv", "\ufeff" + "\r\n".join(lines) + "\r\n")
    report = people_import.import_people(ctx.db, ctx.settings, ctx.clock, path, actor=manager)
    assert len(report.accepted) == 10
    reasons = {r.line: r.reason for r in report.rejected}
    assert "spaces" in reasons[12]
    assert "earlier in the file" in reasons[13]
    assert "already exists" in reasons[14]
    assert "role must be learner or manager" in reasons[15]
    assert "cannot be empty" in reasons[16]
    new = users.find(ctx.db, "staff7")
    assert new is not None and new.must_change_password and new.full_name == "Staff Member 7"
    first = report.accepted[0]
    assert ctx.auth.login("staff1", first.temporary_password).ok
    text = " ".join(r["reason"] for r in access_log.query(ctx.db))
    assert "people_import" in text and first.temporary_password not in text


def test_import_reads_excel_variants(ctx, manager, tmp_path):
    """Semicolons and Windows-1252 files are read (with a note); a bad header or a
    password column is refused with a clear message."""
    semi = _write(tmp_path / "semi.csv", "Username;Full Name;Role\r\nzoe;Zoë Ødegård;\r\n",
                  "cp1252")
    report = people_import.import_people(ctx.db, ctx.settings, ctx.clock, semi, actor=manager)
    assert [r.username for r in report.accepted] == ["zoe"]
    assert users.find(ctx.db, "zoe").full_name == "Zoë Ødegård"
    assert any("semicolons" in n for n in report.notes)
    assert any("Windows-1252" in n for n in report.notes)
    wrong = _write(tmp_path / "wrong.csv", "name,email\r\nx,y\r\n")
    with pytest.raises(KioskError, match="header"):
        people_import.import_people(ctx.db, ctx.settings, ctx.clock, wrong)
    pw = _write(tmp_path / "pw.csv", "username,full_name,role,job_title,password\r\n")
    with pytest.raises(KioskError, match="password column"):
        people_import.import_people(ctx.db, ctx.settings, ctx.clock, pw)
    with pytest.raises(KioskError, match="no file"):
        people_import.import_people(ctx.db, ctx.settings, ctx.clock, tmp_path / "none.csv")


def test_purge_access_log_keeps_the_chain_valid(ctx, make_user):
    """Rows older than N months go, the preview matched, the purge is logged and
    verify_chain still passes; later appends continue the chain."""
    bulk_access_log(ctx.db, 1000, start=ctx.clock.now() - timedelta(days=1000),
                    step_seconds=86400)
    manager = make_user("manager", role="manager")
    total = ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    cutoff = retention.cutoff_for(ctx.clock, 12)
    expected = retention.preview(ctx.db, retention.ACCESS_LOG, cutoff)
    assert 0 < expected < total
    assert retention.purge(ctx.db, ctx.settings, ctx.clock, retention.ACCESS_LOG, 12,
                           actor=manager) == expected
    report = access_log.verify_chain(ctx.db)
    assert report.ok, report.problem
    assert ctx.db.execute("SELECT MIN(occurred_at) FROM access_log").fetchone()[0] >= cutoff
    last = list(access_log.query(ctx.db, events=(access_log.LOG_PURGE,)))
    assert len(last) == 1 and str(expected) in last[0]["reason"]
    access_log.append(ctx.db, ctx.clock, kiosk_id="k", event=access_log.LOGOUT)
    assert access_log.verify_chain(ctx.db).ok
    assert not ctx.db.execute("SELECT * FROM access_log_purge_gate").fetchall()


def test_purge_everything_old_and_purge_gate_stays_shut(ctx):
    """When every row is old the chain restarts from an anchor; deletes outside the
    purge are still refused."""
    bulk_access_log(ctx.db, 50, start=ctx.clock.now() - timedelta(days=900))
    assert retention.purge(ctx.db, ctx.settings, ctx.clock, retention.ACCESS_LOG, 1) == 50
    assert [r["event"] for r in access_log.query(ctx.db)] == [access_log.LOG_PURGE]
    assert access_log.verify_chain(ctx.db).ok
    with pytest.raises(Exception, match="append-only"):
        ctx.db.execute("DELETE FROM access_log")


def test_purge_results_removes_answers_first(ctx, staff, manager):
    """Old attempts and their answers go; newer ones stay; the purge is recorded."""
    old = insert_attempt(ctx.db, staff["sam"].id, finished_at=_when(ctx, -900),
                         expires_on=_day(ctx, -535))
    cutoff = retention.cutoff_for(ctx.clock, 24)
    assert retention.preview(ctx.db, retention.RESULTS, cutoff) == 1
    assert retention.purge(ctx.db, ctx.settings, ctx.clock, retention.RESULTS, 24,
                           actor=manager) == 1
    assert not ctx.db.execute("SELECT 1 FROM attempts WHERE id = ?", [old]).fetchall()
    assert not ctx.db.execute("SELECT 1 FROM attempt_questions WHERE attempt_id = ?",
                              [old]).fetchall()
    assert ctx.db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 4
    assert any("results_purge" in r["reason"] for r in access_log.query(ctx.db))
    with pytest.raises(KioskError):
        retention.cutoff_for(ctx.clock, 0)


def test_subject_access_export_holds_everything_but_passwords(ctx, staff, tmp_path):
    """Profile, attempts, answers and log rows (by id and by typed username) are in one
    CSV; the password hash is not."""
    zoe = staff["zoe"]
    ctx.auth.login("ZOE", "not-her-password-at-all")
    ctx.auth.login("zoe", LEARNER_PASSWORD)
    target = tmp_path / "zoe.csv"
    subject_access.export_person(ctx.db, zoe, target)
    raw, table = read_csv(target)
    check_csv_bytes(raw)
    assert tuple(table[0]) == subject_access.PERSON_COLUMNS
    kinds = {r[0] for r in table[1:]}
    assert {"profile", "attempt", "answer", "access_log"} <= kinds
    assert ["profile", str(zoe.id)] == table[1][:2] and "Zoë Ødegård" in raw.decode("utf-8")
    assert b"argon2" not in raw and b"password_hash" not in raw
    typed = [r for r in table[1:] if r[0] == "access_log" and r[3] == "username_entered"]
    assert {"ZOE", "zoe"} <= {r[4] for r in typed}


def test_failed_login_report_and_lockouts(ctx, staff):
    """Failures are counted per day and per typed name; a locked account is listed."""
    for _ in range(int(ctx.settings.get("lockout_threshold"))):
        ctx.auth.login("sam", "wrong-password-typed")
        ctx.clock.advance(seconds=400)
    ctx.auth.login("nobody", "x" * 12)
    days = reports.failures_per_day(ctx.db, None, None)
    assert sum(n for _, n in days) >= 11
    tried = reports.most_tried(ctx.db, None, None)
    assert tried[0].username_entered == "sam" and tried[0].account == "sam"
    # A name no account has is shown as its keyed tag (it may have been a password).
    assert any(t.username_entered.startswith(auth.UNKNOWN_PREFIX) and t.account == ""
               for t in tried)
    ctx.clock.advance(seconds=-300 * 10)
    locked = reports.current_lockouts(ctx.db, to_iso(ctx.clock.now()))
    assert [r["username"] for r in locked] in (["sam"], [])


def _cli(run_kiosk, db: Path, *args: str, input: str | None = None):
    """A command run by the manager `manager`, the password piped in first (a scheduled
    job's way); any further input (a new password) follows it."""
    piped = MANAGER_PASSWORD + "\n" + (input or "")
    return run_kiosk(*args, "--db", str(db), "--as", "manager", input=piped)


def test_cli_import_reset_and_exports(ctx, staff, manager, run_kiosk, db_path, tmp_path):
    """users import, users reset-password, export matrix/person and purge work from the
    command line with the usual error conventions."""
    csv_file = _write(tmp_path / "new.csv", "username,full_name\r\nnew1,New One\r\n"
                      "bad name,Bad\r\n")
    result = _cli(run_kiosk, db_path, "users", "import", str(csv_file))
    assert result.returncode == 1
    assert "new1  temporary password: " in result.stdout
    assert result.stderr.startswith("kiosk: error: 1 row(s) were not added")
    assert "Traceback" not in result.stderr

    result = _cli(run_kiosk, db_path, "users", "reset-password", "sam",
                  input="a-brand-new-passphrase\n")
    assert result.returncode == 0, result.stderr
    assert users.find(ctx.db, "sam").must_change_password

    out = tmp_path / "m.csv"
    result = _cli(run_kiosk, db_path, "export", "matrix", "--out", str(out),
                  "--status", "expired,due", "--course", COURSE)
    assert result.returncode == 0, result.stderr
    _, table = read_csv(out)
    assert {r[0] for r in table[1:]} == {"zoe", "llyr"}
    assert _cli(run_kiosk, db_path, "export", "matrix", "--status", "late").returncode == 1

    person = tmp_path / "p.csv"
    assert _cli(run_kiosk, db_path, "export", "person", "zoe", "--out",
                str(person)).returncode == 0
    assert "Zoë Ødegård" in person.read_text(encoding="utf-8-sig")
    missing = _cli(run_kiosk, db_path, "export", "person", "ghost")
    assert missing.returncode == 1 and missing.stderr.startswith("kiosk: error:")


def test_cli_purge_asks_first(run_kiosk, tmp_path):
    """Without --yes and without a terminal the purge refuses (exit 1); with --yes it
    purges and the chain still verifies; a missing flag is a usage error (exit 2)."""
    from kiosk.context import open_context

    path = tmp_path / "purge.db"
    opened = open_context(path)
    # The CLI runs on the real clock: rows from the 1990s are old on any day.
    bulk_access_log(opened.db, 20, start=datetime(1995, 1, 1, tzinfo=timezone.utc))
    users.create(opened.db, opened.settings, opened.clock, username="manager",
                 password=MANAGER_PASSWORD, role="manager")
    opened.db.close()
    refused = _cli(run_kiosk, path, "purge", "--older-than-months", "12")
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert refused.stdout.startswith("20 access-log rows")
    done = _cli(run_kiosk, path, "purge", "--older-than-months", "12", "--yes")
    assert done.returncode == 0, done.stderr
    assert "Purged 20 access-log rows" in done.stdout
    opened = open_context(path)
    assert access_log.verify_chain(opened.db).ok
    opened.db.close()
    assert _cli(run_kiosk, path, "purge").returncode == 2
    zero = _cli(run_kiosk, path, "purge", "--older-than-months", "0", "--yes")
    assert zero.returncode == 1 and zero.stderr.startswith("kiosk: error:")


def test_core_modules_do_not_import_qt():
    """The new core modules load without PySide6."""
    import subprocess

    code = ("import sys; import kiosk.matrix, kiosk.people_import, kiosk.retention, "
            "kiosk.subject_access, kiosk.reports, kiosk.records, kiosk.audit, "
            "kiosk.cli.purge_cmd; assert 'PySide6' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, env=kiosk_env())
