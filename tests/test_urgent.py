"""'Worried about a child now?' without signing in, contacts currency, and editing a pack."""

from __future__ import annotations

from datetime import date, datetime, timezone

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication

from kiosk import access_log
from kiosk.contacts import effective_contacts, stale_contacts
from kiosk.course import Contact, load_course
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD
from tests.course_helpers import copy_pack, edit, use_course
from tests.test_reader import focused, press, sign_in


def open_urgent_by_keyboard(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.login.username)
    for _ in range(3):  # username -> password -> Sign in -> Worried about a child now?
        press(qtbot, Qt.Key.Key_Tab)
    assert focused() is window.login.urgent
    press(qtbot, Qt.Key.Key_Return)
    assert window.current_screen() == "urgent"


def test_urgent_page_reachable_from_login_without_signing_in(qtbot, ctx, manager, window):
    """From the login screen, by keyboard: 999, the contacts with last-verified dates and
    the localities, with nobody signed in; Back returns to the login screen. The front
    doors come first, then 999, the LADOs, the NSPCC and 101; an unverified number says
    so; no 2013 number is shown."""
    use_course(ctx)
    open_urgent_by_keyboard(qtbot, window)
    assert ctx.current_user is None
    text = window.urgent.text.toPlainText()
    assert "Call 999 now." in text
    order = ["North Yorkshire children's social care", "City of York Multi-Agency",
             "City of York Emergency Duty Team", "Emergency: Police or ambulance",
             "(LADO), North Yorkshire", "(LADO), City of York", "NSPCC helpline",
             "Police non-emergency"]
    listed = text.index("\nContacts\n")  # the list after the page's own text
    places = [text.index(name, listed) for name in order]
    assert places == sorted(places)
    assert "0300 131 2 131" in text and "01904 551900" in text and "0808 800 5000" in text
    assert "Last verified 1 December 2026" in text
    york_lado = text[places[5]:places[6]]
    assert "Not verified \u2014 check before use" in york_lado
    assert "Not verified" not in text[places[4]:places[5]]  # North Yorkshire's LADO was seen
    for old in ("01609 535189", "01904 555650", "0845 034 9410", "01904 555695"):
        assert old not in text  # the 2013 numbers are not presented as current
    assert "https://www.safeguardingchildren.co.uk" in text
    assert "Northallerton" in text and "Filey" in text
    assert focused() is window.urgent.back
    press(qtbot, Qt.Key.Key_Return)
    assert window.current_screen() == "login"


def test_opening_urgent_page_is_logged_without_personal_data(qtbot, ctx, manager, window):
    """One urgent_help_opened event, with no username, no user and no reason text; what was
    typed in the username field before is not recorded."""
    use_course(ctx)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.login.username)
    qtbot.keyClicks(window.login.username, "someone")
    window.login.urgent.click()
    rows = list(ctx.db.query("SELECT * FROM access_log WHERE event = ?",
                             [access_log.URGENT_OPENED]))
    assert len(rows) == 1
    assert rows[0]["username_entered"] in ("", None)
    assert rows[0]["user_id"] is None
    assert rows[0]["user_matched"] in ("", None)
    assert rows[0]["reason"] in ("", None)


def test_urgent_page_external_link_shows_address(qtbot, ctx, manager, window):
    """A web link on the urgent page opens nothing and shows the address instead."""
    use_course(ctx)
    window.login.urgent.click()
    window.urgent.text.anchorClicked.emit(QUrl("https://www.nspcc.org.uk/"))
    assert window.urgent.message.isVisible()
    assert "https://www.nspcc.org.uk/" in window.urgent.message.text()


def test_escape_returns_to_sign_in(qtbot, ctx, manager, window):
    """Escape on the urgent page goes back to the login screen."""
    use_course(ctx)
    open_urgent_by_keyboard(qtbot, window)
    press(qtbot, Qt.Key.Key_Escape)
    assert window.current_screen() == "login"


def test_managers_see_stale_contacts_warning_learners_do_not(qtbot, ctx, clock, manager,
                                                             learner, window):
    """Thirteen months after the pack's contacts were checked, a manager is warned at
    sign-in and a learner sees no such warning."""
    use_course(ctx)
    clock.current = datetime(2028, 1, 5, 9, 0, tzinfo=timezone.utc)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    warning = window.home.stale_contacts
    assert warning.isVisible()
    assert "10 have not been verified in the last 12 months" in warning.text()
    assert "NSPCC helpline (last verified 1 December 2026)" in warning.text()
    window.sign_out(idle=False)
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    assert not window.home.stale_contacts.isVisible()
    assert not window.home.manager_box.isVisible()


def test_edited_contacts_in_database_replace_the_pack(ctx, clock):
    """Once managers have saved contacts for a course, those are the ones shown; a contact
    verified recently is not stale, one verified 13 months ago is."""
    course = use_course(ctx)
    assert effective_contacts(ctx.db, course) == course.contacts
    for position, verified in enumerate(("2025-12-01", "2024-12-01")):
        ctx.db.execute(
            "INSERT INTO contacts (course_id, position, name, phone, last_verified, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [course.id, position, f"Team {position}", "01234 567890", verified, "2026-01-01"])
    contacts = effective_contacts(ctx.db, course)
    assert [c.name for c in contacts] == ["Team 0", "Team 1"]
    stale = stale_contacts(contacts, clock.now().date())
    assert [c.name for c in stale] == ["Team 1"]


def test_saving_the_pack_list_unchanged_keeps_not_verified(qtbot, window, ctx, clock,
                                                            manager):
    """A manager saves the contacts editor after changing one row: the rows saved as the
    pack had them keep "not verified"; a row the manager re-dated counts as checked."""
    from tests.test_manager_ui import open_area
    from tests.test_manager_ui import sign_in as sign_in_directly

    course = use_course(ctx)
    clock.current = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
    sign_in_directly(qtbot, window, "manager", MANAGER_PASSWORD)
    area = open_area(qtbot, window)
    area.tabs.setCurrentWidget(area.contacts)
    panel = area.contacts
    names = [panel.table.item(n, 0).text() for n in range(panel.table.rowCount())]
    police = names.index("Police non-emergency")
    panel.table.item(police, 5).setText("2026-12-02")  # the manager rang 101 and checked
    panel.save_button.click()
    shown = {c.name: c for c in effective_contacts(ctx.db, course)}
    assert not shown["Local Authority Designated Officer (LADO), City of York"].verified
    assert shown["Police non-emergency"].verified
    assert shown["NSPCC helpline"].verified and shown["NSPCC helpline"].source


def test_stale_is_exactly_twelve_months():
    """Verified exactly 12 months ago is still current; a day earlier is stale."""
    def contact(day: date) -> Contact:
        return Contact("x", "", "", "", "", day)
    today = date(2026, 3, 31)
    assert stale_contacts([contact(date(2025, 3, 31))], today) == []
    assert len(stale_contacts([contact(date(2025, 3, 30))], today)) == 1


def test_centre_edits_markdown_checks_it_and_sees_the_change(qtbot, tmp_path, run_kiosk, ctx,
                                                             manager, learner, window,
                                                             monkeypatch):
    """Done when: a centre edits a section's Markdown in its own pack (KIOSK_COURSES), the
    check passes, and the reader shows the new text under a new content version."""
    from kiosk.course import load_default_courses
    from tests.conftest import kiosk_env
    from tests.course_helpers import DEFAULT_PACK

    pack = copy_pack(tmp_path, "safeguarding-children")
    edit(pack, "sections/01-introduction.md", "Welcome to this course on safeguarding children.",
         "Welcome to the Riverside course on safeguarding children.")
    env = kiosk_env()
    env["KIOSK_COURSES"] = str(pack.parent)
    result = run_kiosk("content", "check", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "safeguarding-children: ok" in result.stdout
    started = run_kiosk("--db", str(tmp_path / "k.db"), "--exit-when-ready", env=env)
    assert started.returncode == 0, started.stderr

    monkeypatch.setenv("KIOSK_COURSES", str(pack.parent))
    (course,) = load_default_courses()
    assert course.directory == pack
    ctx.courses = (course,)
    assert course.content_version != load_course(DEFAULT_PACK).content_version
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    assert "Welcome to the Riverside course" in window.reader.text.toPlainText()
    row = next(iter(ctx.db.query("SELECT content_version FROM section_views")))
    assert row["content_version"] == course.content_version
