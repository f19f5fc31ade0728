"""The manager area driven as a manager uses it: keyboard and clicks, real database."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kiosk import access_log, users
from kiosk.clock import to_iso
from kiosk.course import load_default_courses
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD
from tests.gui_helpers import wait_for_jobs
from tests.manager_helpers import bulk_access_log, check_csv_bytes, insert_attempt, read_csv

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def courses_ctx(ctx):
    courses = load_default_courses()
    ctx.courses = tuple(courses)
    return ctx


def sign_in(qtbot, window, username: str, password: str) -> None:
    window._on_logged_in(window.ctx.auth.login(username, password))
    assert window.current_screen() == "home"


def open_area(qtbot, window):
    qtbot.mouseClick(window.home.manager_area, LEFT)
    assert window.current_screen() == "manager"
    return window.manager


def manager_reasons(ctx) -> list[str]:
    return [r["reason"] for r in access_log.query(ctx.db, events=(access_log.MANAGER_ACTION,))]


@pytest.fixture
def team(courses_ctx, make_user, manager):
    ctx = courses_ctx
    today = ctx.clock.now().date()
    zoe = make_user("zoe", full_name="Zoë Ødegård", job_title="Family worker")
    llyr = make_user("llyr", full_name="Llŷr Wyn", job_title="Volunteer")
    sam = make_user("sam", full_name="=SUM(A1:A9)", job_title="Cook")
    insert_attempt(ctx.db, zoe.id, finished_at=to_iso(ctx.clock.now() - timedelta(days=400)),
                   expires_on=(today - timedelta(days=35)).isoformat())
    insert_attempt(ctx.db, llyr.id, finished_at=to_iso(ctx.clock.now() - timedelta(days=340)),
                   expires_on=(today + timedelta(days=25)).isoformat())
    insert_attempt(ctx.db, sam.id, finished_at=to_iso(ctx.clock.now() - timedelta(days=5)),
                   expires_on=(today + timedelta(days=360)).isoformat())
    return {"zoe": zoe, "llyr": llyr, "sam": sam}


def test_learner_reaches_no_manager_screen(qtbot, window, courses_ctx, learner, manager):
    """As a learner the manager area request does nothing, and the area's actions
    (if a stray signal reached them) show and record nothing."""
    ctx = courses_ctx
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    assert not window.home.manager_box.isVisible()
    window.home.manager_area_requested.emit()
    assert window.current_screen() == "home"
    before = ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    area = window.manager
    area.entered()
    assert not area.tabs.isEnabled()
    ctx.dialogs.queue("/tmp/should-not-be-written.csv")
    area.matrix.export()
    area.matrix.refresh()
    area.people.import_csv()
    area.access_log.refresh()
    area.data.purge()
    area.security.refresh()
    area.settings.save()
    assert area.matrix.model.rowCount() == 0
    assert area.access_log.model.rowCount() == 0
    assert ctx.dialogs.shown == []
    assert ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0] == before


def test_find_overdue_and_export_that_list(qtbot, window, team, tmp_path):
    """Done when: a manager filters the matrix to expired-or-due, sees status in words,
    and exports exactly that list; the view and export are logged."""
    ctx = window.ctx
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    panel = area.matrix
    assert panel.model.rowCount() == 4
    assert "view: training matrix" in manager_reasons(ctx)
    panel.status_filter.setFocus()
    qtbot.keyClick(panel.status_filter, Qt.Key.Key_Down)  # "Expired or due"
    assert panel.status_filter.currentText().startswith("Expired or due")
    names = [panel.proxy.index(r, 0).data() for r in range(panel.proxy.rowCount())]
    assert names == ["Zoë Ødegård", "Llŷr Wyn"]
    statuses = [panel.proxy.index(r, 1).data() for r in range(panel.proxy.rowCount())]
    assert statuses == ["Expired", "Due within 30 days"]
    assert panel.proxy.index(0, 1).data(Qt.ItemDataRole.BackgroundRole) is not None
    target = tmp_path / "overdue.csv"
    ctx.dialogs.queue(str(target))
    qtbot.mouseClick(panel.export_button, LEFT)
    wait_for_jobs(qtbot, area)
    kind, _title, suggested = ctx.dialogs.shown[-2]
    assert kind == "ask_save_path"
    assert suggested.endswith(f"training-matrix-{ctx.clock.now().date().isoformat()}.csv")
    # The dialog opens in the exports folder, never the data or program folder.
    assert Path(suggested).parent != ctx.db_path.parent
    raw, table = read_csv(target)
    check_csv_bytes(raw)
    assert [r[1] for r in table[1:]] == ["Zoë Ødegård", "Llŷr Wyn"]
    assert any(r.startswith("export: training matrix: 2 rows") for r in manager_reasons(ctx))


def test_matrix_search_sort_and_history_by_keyboard(qtbot, window, team):
    """Typing in search narrows the list; Enter on a row opens the full history; the
    opening is logged; Back returns to the matrix."""
    ctx = window.ctx
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    panel = open_area(qtbot, window).matrix
    panel.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    first = panel.proxy.index(0, 0).data()
    assert first == "=SUM(A1:A9)"
    qtbot.keyClicks(panel.search, "wyn")
    assert panel.proxy.rowCount() == 1
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.proxy.index(0, 0))
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert panel.pages.currentIndex() == 1
    assert "Llŷr Wyn" in panel.history_title.text()
    assert panel.history_model.rowCount() == 1
    assert "view: training history of llyr" in manager_reasons(ctx)
    qtbot.mouseClick(panel.back_button, LEFT)
    assert panel.pages.currentIndex() == 0


def test_access_log_pages_lazily_on_a_large_log(qtbot, window, courses_ctx, manager):
    """With 200,000 log rows the table shows one page, fetches another as it scrolls
    to the bottom, and never loads the whole log."""
    ctx = courses_ctx
    bulk_access_log(ctx.db, 200_000, start=ctx.clock.now() - timedelta(days=100),
                    step_seconds=40)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.access_log)
    panel = area.access_log
    model = panel.model
    assert model.rowCount() == 200
    assert model.canFetchMore()
    # Newest first: the manager's own sign-in is at the top.
    assert model.row(0)["event"] == access_log.MANAGER_ACTION
    panel.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() >= 400)
    panel.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() >= 600)
    assert model.rowCount() % 200 == 0 and model.rowCount() < 2000
    keys = [(r["occurred_at"], r["id"]) for r in model.rows]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)
    # Filter by event and date range: keyset paging continues within the filter.
    panel.event_choice.setCurrentIndex(panel.event_choice.findData(access_log.LOGIN_FAILURE))
    day = (ctx.clock.now() - timedelta(days=50)).date().isoformat()
    qtbot.keyClicks(panel.dates.since, day)
    qtbot.keyClicks(panel.dates.until, day)
    qtbot.keyClick(panel.dates.until, Qt.Key.Key_Return)
    assert model.rowCount() == 200
    pages = 1
    while model.canFetchMore():
        model.fetchMore()
        pages += 1
    assert model.rowCount() == 24 * 90  # one day at one row per 40 s
    assert pages == 11
    assert not model.canFetchMore()
    assert {r["occurred_at"][:10] for r in model.rows} == {day}


def test_results_table_pages_and_export_failure_is_clear(qtbot, window, team, tmp_path):
    """Results page 200 at a time; an export to a folder that cannot be written warns
    plainly and leaves no file behind."""
    ctx = window.ctx
    for n in range(450):
        insert_attempt(ctx.db, team["sam"].id, answers=0,
                       finished_at=to_iso(ctx.clock.now() - timedelta(hours=n + 1)))
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.results)
    model = area.results.model
    assert model.rowCount() == 200
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 453
    assert not model.canFetchMore()
    qtbot.keyClicks(area.results.person, "zoe")
    qtbot.keyClick(area.results.person, Qt.Key.Key_Return)
    assert model.rowCount() == 1
    area.tabs.setCurrentWidget(area.access_log)
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        ctx.dialogs.queue(str(locked / "access-log.csv"))
        qtbot.mouseClick(area.access_log.export_button, LEFT)
        wait_for_jobs(qtbot, area)
    finally:
        os.chmod(locked, 0o700)
    if os.geteuid() != 0:  # root ignores folder permissions
        assert ctx.dialogs.shown[-1][0] == "warn"
        assert "No permission" in ctx.dialogs.shown[-1][2]
        assert list(locked.iterdir()) == []
    ctx.dialogs.queue(str(tmp_path / "missing-folder" / "log.csv"))
    qtbot.mouseClick(area.access_log.export_button, LEFT)
    wait_for_jobs(qtbot, area)
    assert ctx.dialogs.shown[-1][0] == "warn"
    assert "does not exist" in ctx.dialogs.shown[-1][2]


def test_results_and_answers_exports(qtbot, window, team, tmp_path):
    """The results tab exports results and answers through kiosk.export (written by the
    test work); each file opens with names intact and formulas neutralised."""
    ctx = window.ctx
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.results)
    for what, btn in (("results", area.results.export_results),
                      ("answers", area.results.export_answers)):
        target = tmp_path / f"{what}.csv"
        ctx.dialogs.queue(str(target))
        qtbot.mouseClick(btn, LEFT)
        wait_for_jobs(qtbot, area)
        raw, table = read_csv(target)
        check_csv_bytes(raw)
        assert len(table) > 1
        text = raw.decode("utf-8-sig")
        assert "=SUM" not in text.replace("'=SUM", "")


def test_people_import_ten_unlock_and_reset(qtbot, window, courses_ctx, manager, tmp_path):
    """Done when: ten staff are added from a CSV with a row-by-row report; a locked
    account is unlocked from the failed sign-ins tab; a password reset forces a change."""
    ctx = courses_ctx
    rows = ["username,full_name,role,job_title"]
    rows += [f"worker{i},Worker {i},,Volunteer" for i in range(10)]
    rows += ["bad name,Nope,learner,"]
    path = tmp_path / "ten.csv"
    path.write_text("\ufeff" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.people)
    people = area.people
    ctx.dialogs.queue(str(path))
    qtbot.mouseClick(people.import_button, LEFT)
    wait_for_jobs(qtbot, area, timeout=120000)
    report = people.report.toPlainText()
    assert report.startswith("10 added, 1 not added.")
    assert "line 12: 'bad name' not added" in report
    assert people.model.rowCount() == 11
    assert all(users.find(ctx.db, f"worker{i}").must_change_password for i in range(10))

    for _ in range(int(ctx.settings.get("lockout_threshold"))):
        ctx.auth.login("worker3", "not-the-password")
        ctx.clock.advance(seconds=301)
    assert users.find(ctx.db, "worker3").locked_until
    area.tabs.setCurrentWidget(area.security)
    security = area.security
    assert security.locked.rowCount() == 1
    assert security.tried.row(0)["username_entered"] == "worker3"
    qtbot.mouseClick(security.unlock_button, LEFT)
    assert users.find(ctx.db, "worker3").locked_until is None
    assert security.locked.rowCount() == 0
    assert any(r["event"] == access_log.UNLOCK for r in access_log.query(ctx.db))

    area.tabs.setCurrentWidget(people)
    number = next(i for i, r in enumerate(people.model.rows) if r["username"] == "worker5")
    people.table.selectRow(number)
    assert people.username.text() == "worker5"
    ctx.dialogs.queue(True)
    qtbot.mouseClick(people.reset_button, LEFT)
    note = ctx.dialogs.shown[-1][2]
    temporary = note.split("\n\n")[1]
    assert users.find(ctx.db, "worker5").must_change_password
    outcome = ctx.auth.login("worker5", temporary)
    assert outcome.ok and outcome.user.must_change_password


def test_people_add_edit_and_disable_by_keyboard(qtbot, window, courses_ctx, manager):
    """A manager types a new person's details, adds them, renames them and disables
    them; the account is kept, never deleted."""
    ctx = courses_ctx
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.people)
    people = area.people
    qtbot.mouseClick(people.new_button, LEFT)
    qtbot.keyClicks(people.username, "nia")
    qtbot.keyClick(people.username, Qt.Key.Key_Tab)
    qtbot.keyClicks(people.full_name, "Nia Jones")
    qtbot.keyClicks(people.job_title, "Cook")
    qtbot.mouseClick(people.add_button, LEFT)
    nia = users.find(ctx.db, "nia")
    assert nia is not None and nia.full_name == "Nia Jones" and nia.must_change_password
    assert ctx.dialogs.shown[-1][1] == "Person added"
    number = next(i for i, r in enumerate(people.model.rows) if r["username"] == "nia")
    people.table.selectRow(number)
    people.full_name.clear()
    # QTest types Latin-1 only; insert() is what a paste or an input method does.
    people.full_name.insert("Nia Ŵyn Jones")
    qtbot.mouseClick(people.save_button, LEFT)
    assert users.find(ctx.db, "nia").full_name == "Nia Ŵyn Jones"
    ctx.dialogs.queue(True)
    qtbot.mouseClick(people.disable_button, LEFT)
    assert users.find(ctx.db, "nia").disabled
    assert people.model.row(number)["state"] == "Disabled"


def test_settings_editor_validates_and_saves(qtbot, window, courses_ctx, manager):
    """A bad value is named and nothing is saved; a good value is saved and logged."""
    ctx = courses_ctx
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.settings)
    panel = area.settings
    timeout = panel.fields["idle_timeout_seconds"]
    timeout.selectAll()
    qtbot.keyClicks(timeout, "5")
    name = panel.fields["centre_name"]
    name.selectAll()
    name.insert("Llŷr Centre")
    qtbot.mouseClick(panel.save_button, LEFT)
    assert "at least 30" in panel.errors["idle_timeout_seconds"].text()
    assert ctx.settings.centre_name == "Riverside Children's Centre"
    timeout.selectAll()
    qtbot.keyClicks(timeout, "600")
    qtbot.mouseClick(panel.save_button, LEFT)
    assert ctx.settings.get("idle_timeout_seconds") == 600
    assert ctx.settings.centre_name == "Llŷr Centre"
    assert "setting_changed: idle_timeout_seconds 300 -> 600" in manager_reasons(ctx)
    assert len(panel.fields) == len(__import__("kiosk.settings").settings.REGISTRY)


def test_contacts_editor_saves_over_the_pack(qtbot, window, courses_ctx, manager):
    """Edited contacts are saved to the contacts table and shown next time."""
    ctx = courses_ctx
    # The pack's contacts were last verified on 2026-12-01; a save refuses future dates.
    ctx.clock.current = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.contacts)
    panel = area.contacts
    pack_count = len(ctx.course.contacts)
    assert panel.table.rowCount() == pack_count
    panel.table.item(0, 2).setText("01234 567890")
    qtbot.mouseClick(panel.save_button, LEFT)
    rows = list(ctx.db.query("SELECT * FROM contacts ORDER BY position"))
    assert len(rows) == pack_count and rows[0]["phone"] == "01234 567890"
    assert rows[0]["updated_by"] == manager.id
    panel.table.item(1, 5).setText("last week")
    qtbot.mouseClick(panel.save_button, LEFT)
    assert "Row 2" in panel.message.text()


def test_purge_and_subject_access_from_the_data_tab(qtbot, window, courses_ctx, make_user,
                                                    tmp_path):
    """Done when: old log rows are previewed, confirmed and purged; the chain still
    verifies; a person's data exports with their name intact."""
    ctx = courses_ctx
    bulk_access_log(ctx.db, 3000, start=ctx.clock.now() - timedelta(days=1500),
                    step_seconds=3600 * 8)
    make_user("manager", role="manager", full_name="Zoë Ødegård")
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.data)
    panel = area.data
    panel.months.setValue(12)
    qtbot.mouseClick(panel.preview_button, LEFT)
    count = int(panel.preview_label.text().split()[0])
    assert count > 1000
    ctx.dialogs.queue(False)
    qtbot.mouseClick(panel.purge_button, LEFT)
    assert ctx.db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0] > 3000
    ctx.dialogs.queue(True)
    qtbot.mouseClick(panel.purge_button, LEFT)
    wait_for_jobs(qtbot, area)
    assert f"Purged {count} access-log rows" in panel.preview_label.text()
    assert access_log.verify_chain(ctx.db).ok
    qtbot.keyClicks(panel.person, "manager")
    target = tmp_path / "sar.csv"
    ctx.dialogs.queue(str(target))
    qtbot.keyClick(panel.person, Qt.Key.Key_Return)
    wait_for_jobs(qtbot, area)
    raw, table = read_csv(target)
    check_csv_bytes(raw)
    assert ["profile", "1", table[1][2], "username", "manager"] == table[1]
    assert "Zoë Ødegård" in raw.decode("utf-8-sig")


def test_back_to_home_and_sign_out_clears_the_area(qtbot, window, team):
    """Back returns home; signing out empties every table the manager saw."""
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    assert area.matrix.model.rowCount() == 4
    qtbot.mouseClick(area.back, LEFT)
    assert window.current_screen() == "home"
    open_area(qtbot, window)
    window.sign_out(idle=True)
    assert area.matrix.model.rowCount() == 0
    assert area.people.model.rowCount() == 0


def test_manager_grants_another_attempt(qtbot, window, courses_ctx, manager, learner):
    """A learner at the attempt limit is refused; a manager's grant from People lets them
    start once more, and the grant is recorded."""
    from kiosk import quiz

    ctx = courses_ctx
    ctx.settings.set("require_all_sections", "false")
    ctx.settings.set("attempt_limit", "1")
    first = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, ctx.course)
    quiz.submit(ctx.db, ctx.settings, ctx.clock, first.id, ctx.course)
    with pytest.raises(quiz.TestRefused):
        quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, ctx.course)

    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.people)
    people = area.people
    row = next(r for r in range(people.model.rowCount())
               if people.model.index(r, 0).data() == "alex")
    people.table.selectRow(row)
    ctx.dialogs.queue(True)
    qtbot.mouseClick(people.grant_button, LEFT)
    assert "alex may take the test once more" in people.editing.text()
    assert any("allowed another test attempt: alex" in r for r in manager_reasons(ctx))
    again = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, ctx.course)
    assert again.id != first.id


def test_manager_disabled_meanwhile_is_refused_at_the_next_click(qtbot, window, courses_ctx,
                                                                 manager, make_user):
    """A colleague disables the signed-in manager; their next action in the open manager
    area is refused with the reason and changes nothing (re-enabling themself included)."""
    from kiosk.operations import people as people_ops

    ctx = courses_ctx
    deputy = make_user("deputy", role="manager")
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.people)
    panel = area.people
    people_ops.set_disabled(ctx, deputy, "manager", True)  # from another kiosk, say
    qtbot.keyClicks(panel.username, "sneaky")
    qtbot.mouseClick(panel.add_button, LEFT)
    assert "disabled" in panel.message.text()
    assert users.find(ctx.db, "sneaky") is None
    number = next(i for i, r in enumerate(panel.model.rows) if r["username"] == "manager")
    panel.table.selectRow(number)
    panel.message.clear()
    ctx.dialogs.queue(True)  # yes, go ahead
    qtbot.mouseClick(panel.disable_button, LEFT)
    assert "disabled" in panel.message.text()
    assert users.find(ctx.db, "manager").disabled
    people_ops.set_disabled(ctx, deputy, "manager", False)  # the colleague re-enables them
    qtbot.mouseClick(panel.new_button, LEFT)
    qtbot.keyClicks(panel.username, "welcome")
    qtbot.mouseClick(panel.add_button, LEFT)
    assert users.find(ctx.db, "welcome") is not None  # rights back at the next action too
