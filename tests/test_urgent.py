"""'Worried about a child now?' without signing in, contacts currency, and editing a pack."""

from __future__ import annotations

from datetime import date

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
    the localities, with nobody signed in; Back returns to the login screen."""
    use_course(ctx)
    open_urgent_by_keyboard(qtbot, window)
    assert ctx.current_user is None
    text = window.urgent.text.toPlainText()
    assert "Call 999 now." in text
    assert "Local Authority Designated Officer (LADO) for City of York" in text
    assert "01904 555695 or 07717 571801" in text
    assert "Last verified 1 September 2013" in text
    assert "http://www.safeguardingchildren.co.uk" in text
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


def test_managers_see_stale_contacts_warning_learners_do_not(qtbot, ctx, manager, learner,
                                                             window):
    """The pack's 2013 contacts are over 12 months old: a manager is warned at sign-in,
    a learner sees no such warning."""
    use_course(ctx)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    warning = window.home.stale_contacts
    assert warning.isVisible()
    assert "4 have not been verified in the last 12 months" in warning.text()
    assert "City of York Safeguarding Children Board (last verified 1 September 2013)" \
        in warning.text()
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
    ctx.course = course
    ctx.courses = (course,)
    assert course.content_version != load_course(DEFAULT_PACK).content_version
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    assert "Welcome to the Riverside course" in window.reader.text.toPlainText()
    row = next(iter(ctx.db.query("SELECT content_version FROM section_views")))
    assert row["content_version"] == course.content_version
