"""The operations layer without Qt: who may do what, checked where the data is.

Every manager-only operation is called as a learner and refused; a manager disabled by
a colleague loses their rights at their next action; two managers disabling each other
at once never leave the kiosk without one; each change and its audit row are one
transaction; a table page and its export hold the same rows.
"""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from kiosk import access_log, users
from kiosk.audit import Actor
from kiosk.clock import to_iso
from kiosk.context import AppContext
from kiosk.filters import AccessLogFilter, DayRange, ResultsFilter
from kiosk.operations import (
    contacts,
    county,
    exports,
    maintenance,
    people,
    quiz,
    session,
    settings,
    setup,
)
from kiosk.operations.base import Cancelled, PermissionDenied
from kiosk.operations.settings import SettingsInvalid
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD
from tests.manager_helpers import bulk_access_log, insert_attempt, read_csv

COURSE = "safeguarding-children"


def manager_rows(ctx: AppContext) -> list[dict]:
    return [r for r in access_log.query(ctx.db) if r["event"] == access_log.MANAGER_ACTION]


def every_manager_operation(ctx: AppContext, tmp_path: Path, target: str):
    """(name, call) for every operation only a manager may use; `target` is a learner."""
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("username\r\nnewbie\r\n", encoding="utf-8")
    today = date(2026, 1, 5)
    row = {"name": "Helpline", "role": "", "phone": "0800", "web": "", "area": "",
           "last_verified": "2026-01-01"}
    return [
        ("list people", lambda a: people.list_people(ctx, a)),
        ("add", lambda a: people.add(ctx, a, username="intruder", role="manager")),
        ("edit", lambda a: people.edit(ctx, a, target, role="manager")),
        ("disable", lambda a: people.set_disabled(ctx, a, "manager")),
        ("unlock", lambda a: people.unlock(ctx, a, target)),
        ("reset password", lambda a: people.reset_password(ctx, a, "manager")),
        ("import", lambda a: people.import_people(ctx, a, csv_file)),
        ("settings", lambda a: settings.change(ctx, a, {"lockout_threshold": "99"})),
        ("save contacts", lambda a: contacts.save(ctx, a, COURSE, [row], today)),
        ("revert contacts", lambda a: contacts.revert(ctx, a, COURSE)),
        ("grant attempt", lambda a: quiz.grant_attempt(ctx, a, target, COURSE)),
        ("record view", lambda a: exports.record_view(ctx, a, "results")),
        ("access-log page", lambda a: exports.access_log_page(ctx, a, AccessLogFilter())),
        ("results page", lambda a: exports.results_page(ctx, a, ResultsFilter())),
        ("export access log", lambda a: exports.export_access_log(
            ctx, a, AccessLogFilter(), tmp_path / "log.csv")),
        ("export results", lambda a: exports.export_results(
            ctx, a, ResultsFilter(), tmp_path / "results.csv")),
        ("export answers", lambda a: exports.export_answers(
            ctx, a, ResultsFilter(), tmp_path / "answers.csv")),
        ("matrix", lambda a: exports.training_matrix(ctx, a, [], today)),
        ("export matrix", lambda a: exports.export_matrix(ctx, a, [], tmp_path / "m.csv")),
        ("history", lambda a: exports.person_history(ctx, a, target)),
        ("export person", lambda a: exports.export_person(ctx, a, target, tmp_path / "p.csv")),
        ("purge preview", lambda a: maintenance.purge_preview(ctx, a, "access-log", 12)),
        ("purge", lambda a: maintenance.purge(ctx, a, "access-log", 12)),
        ("backup", lambda a: maintenance.backup(ctx, a, tmp_path / "copy.db")),
        ("item analysis", lambda a: exports.export_item_analysis(
            ctx, a, list(ctx.courses), tmp_path / "items.csv")),
        ("log receipt", lambda a: maintenance.log_receipt(ctx, a)),
        ("county sync now", lambda a: county.request_sync(ctx, a)),
        # Refused before any server is asked (the URL goes nowhere), and before "not
        # joined": a learner learns nothing about the county set-up.
        ("county join", lambda a: county.join(ctx, a, "postgresql://k:x@127.0.0.1:9/c")),
        ("county link", lambda a: county.link_person(ctx, a, "alex", "CODE-1234")),
        ("county push elsewhere", lambda a: county.push(ctx, a, "postgresql://k:x@127.0.0.1:9/c")),
        ("county conflicts", lambda a: county.conflicts(ctx, a)),
        ("close kiosk", lambda a: session.close_kiosk(ctx, a, LEARNER_PASSWORD)),
    ]


def test_every_manager_operation_refuses_a_learner(ctx, learner, manager, tmp_path):
    """A learner (or nobody) calling any manager-only operation is refused, and nothing
    is written: no file, no row, no change."""
    before = ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    for name, call in every_manager_operation(ctx, tmp_path, "alex"):
        for who in (learner, Actor(learner, "command line, OS user x"), None):
            with pytest.raises(PermissionDenied):
                call(who)
                pytest.fail(f"{name} was allowed for {who}")
    assert ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0] == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.db", "data.db-shm",
                                                           "data.db-wal", "people.csv"]
    assert users.find(ctx.db, "intruder") is None and users.find(ctx.db, "newbie") is None
    assert not users.find(ctx.db, "manager").disabled
    assert users.find(ctx.db, "alex").role == "learner"
    assert ctx.settings.get("lockout_threshold") == 10


def test_every_manager_operation_works_for_a_manager(ctx, learner, manager, tmp_path,
                                                     make_user):
    """The same calls succeed for a manager (so the refusals above are about the role)."""
    make_user("deputy", role="manager")  # so disabling `manager` leaves one active
    for name, call in every_manager_operation(ctx, tmp_path, "alex"):
        if name in ("disable", "reset password", "close kiosk"):
            continue  # would take the acting manager away; covered by their own tests
        if name.startswith("county"):
            continue  # need a real county server: tests/test_county_signin.py, _ui.py
        call(manager)
    assert session.close_kiosk(ctx, manager, MANAGER_PASSWORD)


def test_a_disabled_manager_loses_rights_at_their_next_action(ctx, manager, make_user):
    """A manager disabled by a colleague cannot act from their open session, not even to
    re-enable themself; the same for one demoted to learner."""
    deputy = make_user("deputy", role="manager")
    signed_in = manager  # the User object the open session still holds
    people.set_disabled(ctx, deputy, "manager", True)
    with pytest.raises(PermissionDenied, match="disabled"):
        people.set_disabled(ctx, signed_in, "manager", False)
    with pytest.raises(PermissionDenied):
        settings.change(ctx, signed_in, {"pass_mark": "10"})
    assert users.find(ctx.db, "manager").disabled
    people.set_disabled(ctx, deputy, "manager", False)
    people.edit(ctx, deputy, "manager", role="learner")
    with pytest.raises(PermissionDenied, match="Only a manager"):
        people.edit(ctx, signed_in, "manager", role="manager")
    assert users.find(ctx.db, "manager").role == "learner"


def test_the_last_manager_is_never_removed(ctx, manager, learner):
    """Neither disabling nor demoting may leave no active manager."""
    with pytest.raises(users.ValidationError, match="only active manager"):
        people.set_disabled(ctx, manager, "manager")
    with pytest.raises(users.ValidationError, match="only active manager"):
        people.edit(ctx, manager, "manager", role="learner")
    assert users.manager_exists(ctx.db)


def test_two_managers_disabling_each_other_at_once_leave_one(ctx, make_user):
    """Two kiosks (two connections, two threads) on one file: each manager disables the
    other at the same moment, twenty times over. Never both; one is refused each time."""
    a = make_user("ann", role="manager")
    b = make_user("bob", role="manager")
    for _round in range(20):
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def disable(actor: users.User, other: str, name: str,
                    barrier: threading.Barrier = barrier,
                    outcomes: dict[str, str] = outcomes) -> None:
            worker = ctx.for_worker()
            try:
                barrier.wait()
                people.set_disabled(worker, actor, other, True)
                outcomes[name] = "done"
            except (PermissionDenied, users.ValidationError) as exc:
                outcomes[name] = f"refused: {exc}"
            finally:
                worker.db.close()

        threads = [threading.Thread(target=disable, args=(a, "bob", "ann")),
                   threading.Thread(target=disable, args=(b, "ann", "bob"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(v.split(":")[0] for v in outcomes.values()) == ["done", "refused"]
        assert users.manager_exists(ctx.db)
        for name in ("ann", "bob"):  # reset for the next round
            ctx.db.execute("UPDATE users SET disabled = 0 WHERE username = ?", [name])
    assert access_log.verify_chain(ctx.db).ok


def test_change_and_audit_row_are_one_transaction(ctx, manager, monkeypatch):
    """If the audit row cannot be written, the change is not kept either."""
    from kiosk import audit

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk went away")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        settings.change(ctx, manager, {"pass_mark": "70"})
    assert ctx.settings.get("pass_mark") == 0


def test_settings_are_checked_first_and_recorded_one_way(ctx, manager):
    """Every value is checked before any is saved; each change is `key before -> after`."""
    with pytest.raises(SettingsInvalid) as caught:
        settings.change(ctx, manager, {"pass_mark": "70", "lockout_threshold": "many",
                                       "kiosk_id": "bad id"})
    assert set(caught.value.problems) == {"lockout_threshold", "kiosk_id"}
    assert ctx.settings.get("pass_mark") == 0
    result = settings.change(ctx, manager, {"pass_mark": "70", "lockout_threshold": "10"})
    assert result.changed == {"pass_mark": (0, 70)}
    assert manager_rows(ctx)[-1]["reason"] == "setting_changed: pass_mark 0 -> 70"


def test_command_line_actor_records_the_os_user(ctx, manager):
    """A change made through the command line names the manager and the OS user."""
    actor = session.sign_in_command_line(ctx, "manager", MANAGER_PASSWORD)
    settings.change(ctx, actor, {"pass_mark": "75"})
    row = manager_rows(ctx)[-1]
    assert row["username_entered"] == "manager" and row["user_matched"] == "manager"
    assert row["reason"].startswith("setting_changed: pass_mark 0 -> 75 [command line, OS user ")


def test_command_line_sign_in_refuses_learners_and_wrong_passwords(ctx, manager, learner):
    """Wrong passwords count like any other (logged); a learner's right password is refused."""
    with pytest.raises(PermissionDenied):
        session.sign_in_command_line(ctx, "manager", "not the password at all")
    with pytest.raises(PermissionDenied, match="Only a manager"):
        session.sign_in_command_line(ctx, "alex", LEARNER_PASSWORD)
    failures = [r for r in access_log.query(ctx.db) if r["event"] == access_log.LOGIN_FAILURE]
    assert failures[-1]["username_entered"] == "manager"


def test_first_run_setup_only_once(ctx):
    """Set-up records the centre and the first manager in one go, and only while there is
    no manager; a bad kiosk id is named as the person saw the field."""
    with pytest.raises(users.ValidationError, match="Kiosk id"):
        setup.set_up_centre(ctx, centre_name="Oak", kiosk_id="has space", username="boss",
                            password=MANAGER_PASSWORD)
    assert not users.manager_exists(ctx.db)
    boss = setup.set_up_centre(ctx, centre_name="Oak Tree", kiosk_id="oak-1",
                               username="boss", password=MANAGER_PASSWORD)
    assert boss.is_manager and ctx.settings.centre_name == "Oak Tree"
    assert [r for r in access_log.query(ctx.db) if r["event"] == access_log.SETUP]
    with pytest.raises(PermissionDenied):
        setup.set_up_centre(ctx, centre_name="Evil", kiosk_id="x", username="evil",
                            password=MANAGER_PASSWORD)
    with pytest.raises(PermissionDenied):
        people.add_first_manager(ctx, username="evil", password=MANAGER_PASSWORD)
    assert users.find(ctx.db, "evil") is None


def test_contacts_checked_saved_and_reverted(ctx, manager):
    """Bad rows are named; a save replaces the list (recorded); revert removes it."""
    good = {"name": "Helpline", "role": "", "phone": "0800 1111", "web": "", "area": "",
            "last_verified": "2026-01-01"}
    with pytest.raises(users.ValidationError, match="Row 2: a contact needs a name"):
        contacts.save(ctx, manager, COURSE, [good, {**good, "name": ""}], date(2026, 1, 5))
    with pytest.raises(users.ValidationError, match="future"):
        contacts.save(ctx, manager, COURSE, [{**good, "last_verified": "2027-01-01"}],
                      date(2026, 1, 5))
    assert contacts.save(ctx, manager, COURSE, [good, {}], date(2026, 1, 5)) == 1
    assert ctx.db.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 1
    contacts.revert(ctx, manager, COURSE)
    assert ctx.db.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 0
    reasons = [r["reason"] for r in manager_rows(ctx)]
    assert f"contacts_saved: {COURSE}: 1 contacts" in reasons
    assert f"contacts_reverted: {COURSE}" in reasons


def test_exports_hold_exactly_the_rows_on_screen(ctx, manager, learner, make_user, tmp_path):
    """The results and access-log filters (person, event, dates) give the same rows to
    the table's pages and to the export."""
    other = make_user("zoe", full_name="Zoë")
    for n in range(5):
        when = to_iso(ctx.clock.now() - timedelta(days=n))
        insert_attempt(ctx.db, learner.id, finished_at=when)
        insert_attempt(ctx.db, other.id, finished_at=when)
    ctx.auth.login("alex", "wrong password, twice over")
    ctx.auth.login("alex", LEARNER_PASSWORD)
    flt = ResultsFilter(DayRange.parse("2026-01-03", "2026-01-05"), username="alex")
    shown = exports.results_page(ctx, manager, flt)
    done = exports.export_results(ctx, manager, flt, tmp_path / "r.csv")
    _, table = read_csv(tmp_path / "r.csv")
    assert done.rows == len(shown) == 3
    assert sorted(r[0] for r in table[1:]) == sorted(r["attempt_id"] for r in shown)
    log_flt = AccessLogFilter(event=access_log.LOGIN_FAILURE, username="alex")
    shown_log = exports.access_log_page(ctx, manager, log_flt)
    exports.export_access_log(ctx, manager, log_flt, tmp_path / "l.csv")
    _, log_table = read_csv(tmp_path / "l.csv")
    assert [int(r[6]) for r in log_table[1:]] == sorted(r["id"] for r in shown_log)
    assert len(shown_log) == 1
    assert manager_rows(ctx)[-1]["reason"].startswith(
        "export: access log (event login_failure, person alex): 1 rows to ")


def test_a_cancelled_export_leaves_no_file_and_says_so(ctx, manager, tmp_path):
    """Cancel (raised from the progress callback) removes the partial file; the log holds
    the export's start (written before its first row) and no completed export."""
    bulk_access_log(ctx.db, 5000)
    before = len(manager_rows(ctx))

    def cancel(done: int) -> None:
        if done >= 2000:
            raise Cancelled("cancelled")

    with pytest.raises(Cancelled):
        exports.export_access_log(ctx, manager, AccessLogFilter(), tmp_path / "big.csv",
                                  cancel)
    assert [p.name for p in tmp_path.iterdir() if "big" in p.name] == []
    added = [r["reason"] for r in manager_rows(ctx)[before:]]
    assert len(added) == 1 and added[0].startswith("export: access log started to")


def test_answers_belong_to_whoever_started_the_test(ctx, learner, make_user):
    """Another person cannot answer or submit someone else's attempt."""
    from tests.quiz_helpers import use_default_course

    course = use_default_course(ctx)
    attempt = quiz.start_or_resume(ctx, learner, course)
    other = make_user("zoe")
    with pytest.raises(PermissionDenied):
        quiz.answer(ctx, other, attempt.id, 1, [0])
    with pytest.raises(PermissionDenied):
        quiz.submit(ctx, other, attempt.id, course)
    quiz.answer(ctx, learner, attempt.id, 1, [0])
    assert quiz.submit(ctx, learner, attempt.id, course).submitted


def test_operations_import_no_qt():
    """The operations are core: they load without PySide6."""
    import subprocess
    import sys

    from tests.conftest import kiosk_env

    code = ("import sys, kiosk.operations.people, kiosk.operations.exports, "
            "kiosk.operations.maintenance, kiosk.operations.session, kiosk.operations.setup, "
            "kiosk.operations.settings, kiosk.operations.contacts, kiosk.operations.quiz; "
            "assert 'PySide6' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, env=kiosk_env())


def _last_leaf_page(path, root: int, page_size: int) -> int:
    """The table's right-most leaf page (its newest rows), found by walking its b-tree in
    the file: the `dbstat` table would say, but Windows' SQLite is built without it."""
    with open(path, "rb") as fh:
        page = root
        while True:
            fh.seek((page - 1) * page_size + (100 if page == 1 else 0))
            header = fh.read(12)
            if header[0] == 0x0D:  # a table leaf
                return page
            assert header[0] == 0x05, f"page {page} is not a table b-tree page"
            page = int.from_bytes(header[8:12], "big")  # the right-most child


def test_export_on_a_damaged_results_page_fails_and_writes_nothing(ctx, manager, learner,
                                                                    run_kiosk, tmp_path):
    """An export checks only what it writes before it starts; damage in what it reads
    fails the export with the 'damaged' message, leaving no file and no log row."""
    import sqlite3

    from tests.conftest import run_as

    for n in range(400):
        insert_attempt(ctx.db, learner.id, answers=10,
                       finished_at=to_iso(ctx.clock.now() - timedelta(minutes=n)))
    page_size = ctx.db.execute("PRAGMA page_size").fetchone()[0]
    ctx.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = _last_leaf_page(ctx.db_path, ctx.db.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'attempt_questions'").fetchone()[0],
        page_size)
    rows_before = ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    ctx.db.close()
    with open(ctx.db_path, "r+b") as fh:
        fh.seek((page - 1) * page_size)
        fh.write(b"\xff" * page_size)
    out = tmp_path / "answers.csv"
    failed = run_as(run_kiosk, "export", "answers", "--out", str(out), "--db",
                    str(ctx.db_path))
    assert failed.returncode == 1 and "damaged" in failed.stderr, failed.stderr
    assert not out.exists() and not list(tmp_path.glob("*.partial"))
    conn = sqlite3.connect(ctx.db_path)
    logged = [r[0] for r in conn.execute(
        "SELECT reason FROM access_log WHERE id > ?", [rows_before])]
    conn.close()
    # Its start is on record (logged before the first row); no completed export is.
    assert not any(r.startswith("export") and " rows to " in r for r in logged)


def test_the_list_of_manager_operations_is_complete():
    """Every operation in kiosk/operations that checks for a manager (itself or through a
    helper of its module) is in every_manager_operation, so each is tried as a learner."""
    import ast
    import inspect

    from tests.conftest import ROOT

    listed = inspect.getsource(every_manager_operation)
    # Takes a password, not an actor; a learner's own right password is refused in
    # test_command_line_sign_in_refuses_learners_and_wrong_passwords.
    exempt = {"session.sign_in_command_line"}
    missing = []
    for path in sorted((ROOT / "kiosk" / "operations").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        functions = {node.name: ast.get_source_segment(text, node) or ""
                     for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}
        checks = {name for name, src in functions.items()
                  if "require_manager(" in src or "as_manager(" in src}
        grew = True
        while grew:  # a helper that checks (e.g. _export_filtered) makes its callers check
            grew = False
            for name, src in functions.items():
                # A bare call of the module's own function (not `sync.push(`, another's).
                if name not in checks and any(re.search(rf"(?<![\w.]){c}\(", src)
                                              for c in checks if c != name):
                    checks.add(name)
                    grew = True
        for name in sorted(checks):
            if not name.startswith("_") and path.stem != "base" \
                    and f"{path.stem}.{name}(" not in listed \
                    and f"{path.stem}.{name}" not in exempt:
                missing.append(f"{path.stem}.{name}")
    assert not missing, f"not tried as a learner: {missing}"


def test_a_reading_record_is_written_only_by_its_reader(ctx, learner, make_user):
    """Opening, finishing and timing a section go through kiosk.operations.reading: only
    the person who opened the view may finish or time it, and only while active."""
    from kiosk import reading as reading_rule
    from kiosk.course import load_default_courses
    from kiosk.operations import reading

    course = load_default_courses()[0]
    section = course.sections[0].id
    other = make_user("bo")
    view = reading.open_section(ctx, learner, course, section)
    for who in (other, None):
        with pytest.raises(PermissionDenied):
            reading.reached_end(ctx, who, view)
        with pytest.raises(PermissionDenied):
            reading.time_spent(ctx, who, view, 30)
    assert reading_rule.read_sections(ctx.db, learner.id, course) == set()
    reading.reached_end(ctx, learner, view)
    reading.time_spent(ctx, learner, view, 30)
    assert reading_rule.read_sections(ctx.db, learner.id, course) == {section}
    ctx.db.execute("UPDATE users SET disabled = 1 WHERE id = ?", [learner.id])
    with pytest.raises(PermissionDenied, match="disabled"):
        reading.open_section(ctx, learner, course, section)
