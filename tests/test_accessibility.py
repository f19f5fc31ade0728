"""WCAG 2.2 AA as it applies here, measured on the painted screens in both themes.

Each screen is driven into a real state (an error shown, a failed result, a manager
table with rows), the main window is grabbed, and the pixels are read: text at least
4.5:1 on its background, focus rings and control borders at least 3:1, nothing cut
off at 1024x768 at 100% and 200% text, and the urgent page one key away everywhere.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPushButton,
    QTextBrowser,
)

from kiosk import quiz, users
from kiosk.ui import theme
from kiosk.ui.theme import apply_theme
from tests.a11y_helpers import clipped, edge_contrast, text_contrast, text_widgets, visible
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD
from tests.quiz_helpers import answer_all, sign_in, use_default_course


def settle(qtbot) -> None:
    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(10)


def grab(window):
    return window.grab().toImage()


@pytest.fixture
def prepared(ctx, manager, learner):
    """The default course, and a failed attempt for the learner (a result to show)."""
    course = use_default_course(ctx)
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, learner, course)
    answer_all(ctx, attempt, right=3)
    failed = quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt.id, course)
    return course, failed


def screens(qtbot, window, ctx, failed):
    """Move through the screens a person meets; yields each screen's name once it is shown."""
    window.login.username.setText("alex")
    window.login.password.setText("not my password")
    window.login.submit()
    yield "login"
    window.login.reset()
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    yield "home"
    window.show_guidance("introduction")
    yield "reader"
    window.start_test()
    yield "test"
    window.move_to("home")
    window.result.show_attempt(failed)
    window.move_to("result")
    yield "result"
    window.show_my_results()
    yield "my_results"
    window.open_urgent()
    yield "urgent"
    window.sign_out(idle=False)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    window.open_manager_area()
    for index in range(window.manager.tabs.count()):
        window.manager.tabs.setCurrentIndex(index)
        yield "manager"
    window.sign_out(idle=False)


def test_every_stylesheet_colour_has_a_high_contrast_partner():
    """A colour added to kiosk.qss without a high-contrast partner would stay light-on-
    black or dark-on-black in high contrast: the map must cover every one."""
    assert theme.unmapped_colours() == set()


@pytest.mark.parametrize("high_contrast", [False, True], ids=["normal", "high-contrast"])
def test_text_and_borders_meet_contrast_ratios_on_every_screen(qtbot, window, ctx, prepared,
                                                              high_contrast):
    """Every label and button's painted text is at least 4.5:1 against its painted
    background; every enabled button and field's border at least 3:1 against what
    surrounds it; the keyboard focus ring at least 3:1; on every screen, both themes."""
    app = QApplication.instance()
    _, failed = prepared
    problems: list[str] = []
    try:
        for name in screens(qtbot, window, ctx, failed):
            apply_theme(app, high_contrast)
            settle(qtbot)
            root = window.screens[name]
            if name == "manager":
                name = f"manager tab {window.manager.tabs.currentIndex()}"
            image = grab(window)
            for w in [*text_widgets(root), *text_widgets(window.top_bar)]:
                if not visible(w, window) or not w.isEnabled():
                    continue
                ratio = text_contrast(image, window, w)
                if ratio < 4.5:
                    problems.append(f"{name}: text {w.objectName()!r} "
                                    f"{w.text()[:30]!r} is {ratio:.2f}:1")
            controls = [w for w in [*root.findChildren(QPushButton), *root.findChildren(QLineEdit)]
                        if visible(w, window) and w.isEnabled()
                        and not isinstance(w.parentWidget(), QAbstractSpinBox)]
            for w in controls:
                ratio = edge_contrast(image, window, w)
                if ratio < 3:
                    problems.append(f"{name}: border of {type(w).__name__} {w.objectName()!r} "
                                    f"{getattr(w, 'text', str)()[:20]!r} is {ratio:.2f}:1")
            focusable = [w for w in controls if isinstance(w, QPushButton)][:3]
            for w in focusable:
                # The ring is drawn only while the window is active and the button really
                # has focus; on a loaded machine activation can lag, so wait for both.
                window.activateWindow()
                w.setFocus(Qt.FocusReason.TabFocusReason)
                qtbot.waitUntil(w.hasFocus, timeout=5000)
                settle(qtbot)
                ratio = edge_contrast(grab(window), window, w)
                if ratio < 3:
                    problems.append(f"{name}: focus ring of {w.objectName()!r} is "
                                    f"{ratio:.2f}:1")
    finally:
        apply_theme(app, False)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scale", [1.0, 2.0], ids=["100%", "200%"])
def test_no_text_is_clipped_at_1024x768(qtbot, window, ctx, prepared, scale):
    """At 1024x768 and at 100% and 200% text, no label, button or table header on any
    screen is cut off: the screen scrolls instead."""
    app = QApplication.instance()
    _, failed = prepared
    window.resize(1024, 768)
    problems: list[str] = []
    try:
        for name in screens(qtbot, window, ctx, failed):
            apply_theme(app, False, scale)
            settle(qtbot)
            problems += [f"{name}: {p}" for p in clipped(window, window.screens[name])]
            sideways = window.frames[name].horizontalScrollBar().maximum()
            if sideways > 0:
                problems.append(f"{name}: {sideways}px wider than the window (scrolls sideways)")
            problems += [f"{name} (top bar): {p}" for p in clipped(window, window.top_bar)]
    finally:
        apply_theme(app, False)
    assert not problems, "\n".join(problems)


def test_manager_tables_fit_at_1366x768_eliding_cells_never_headings(qtbot, window, ctx,
                                                                    prepared):
    """At 1366x768 no manager table scrolls sideways: the widest columns give way (their
    cells elided, in full on focus or hover) and every heading stays whole."""
    from PySide6.QtWidgets import QTableView

    _, failed = prepared
    window.resize(1366, 768)
    problems: list[str] = []
    for name in screens(qtbot, window, ctx, failed):
        if name != "manager":
            continue
        settle(qtbot)
        tab = window.manager.tabs.tabText(window.manager.tabs.currentIndex())
        for table in window.manager.tabs.currentWidget().findChildren(QTableView):
            if not table.isVisible() or table.model() is None:
                continue
            qtbot.wait(20)  # the column fitter runs on a zero timer
            if table.horizontalScrollBar().maximum() > 0:
                problems.append(f"{tab}: {table.objectName()} scrolls sideways")
            header = table.horizontalHeader()
            for col in range(header.count()):
                if header.isSectionHidden(col):
                    continue
                if header.sectionSize(col) < header.sectionSizeFromContents(col).width():
                    problems.append(f"{tab}: heading {col} of {table.objectName()} is cut")
    assert not problems, "\n".join(problems)


def test_urgent_page_is_one_key_away_on_every_screen_and_comes_back(qtbot, window, ctx,
                                                                    prepared):
    """On every screen, signed in or not, F1 (or the always-visible button) opens
    "Worried about a child now?", and Esc returns to the very screen the person was on."""
    _, failed = prepared
    seen = []

    def with_setup():
        window.move_to("setup")
        yield "setup"
        window.move_to("login")
        yield from screens(qtbot, window, ctx, failed)

    for name in with_setup():
        if name in seen or name == "urgent":  # the page itself needs no way to itself
            continue
        seen.append(name)
        assert window.current_screen() == name
        button = window.login.urgent if name == "login" else window.urgent_button
        assert button.isVisibleTo(window), f"no urgent button on {name}"
        window.activateWindow()
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_F1)
        assert window.current_screen() == "urgent", f"F1 did nothing on {name}"
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Escape)
        assert window.current_screen() == name, f"Esc from urgent did not return to {name}"
    assert set(seen) == {"setup", "login", "home", "reader", "test", "result", "my_results",
                         "manager"}


def test_high_contrast_chosen_at_sign_in_is_remembered_for_that_person(qtbot, window, ctx,
                                                                       prepared, learner):
    """High contrast and larger text can be chosen before signing in; the choice goes
    into the person's prefs, is dropped at sign-out and comes back at their sign-in."""
    app = QApplication.instance()
    normal = app.styleSheet()
    qtbot.mouseClick(window.login.contrast, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.login.larger, Qt.MouseButton.LeftButton)
    assert app.styleSheet() != normal
    assert "background: #000000" in app.styleSheet()
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    prefs = users.get(ctx.db, learner.id).prefs
    assert prefs[theme.PREF_HIGH_CONTRAST] is True and prefs[theme.PREF_TEXT_SCALE] == 2
    window.sign_out(idle=False)
    assert app.styleSheet() == normal
    assert not window.login.contrast.isChecked()
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    assert app.styleSheet() == theme.stylesheet(True, 1.5)
    window.sign_out(idle=False)


def test_every_test_button_has_an_access_key(qtbot, window, ctx, prepared):
    """Leave, Back, Next/Submit and each "not answered yet" jump carry an access key."""
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.start_test()
    screen = window.test
    for index in (0, len(screen.attempt.questions) - 1):
        screen.show_question(index)
        buttons = [b for b in screen.findChildren(QPushButton) if b.isVisibleTo(window)]
        assert len(buttons) >= 4
        for b in buttons:
            assert "&" in b.text().replace("&&", ""), f"{b.text()!r} has no access key"
    # Alt+N moves on, as the underline promises.
    screen.show_question(0)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: screen.index == 1)


def test_errors_and_idle_countdown_are_announced(qtbot, window, ctx, prepared):
    """A sign-in error and the idle countdown carry their words in the accessible name
    (what a screen reader says on the Alert event), not a fixed label."""
    window.login.username.setText("alex")
    window.login.password.setText("wrong")
    window.login.submit()
    assert window.login.message.text()
    assert window.login.message.accessibleName() == window.login.message.text()
    window.login.reset()
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window._show_countdown(30)
    assert "signing out in 30 seconds" in window.idle_banner.accessibleName()
    window._show_countdown(1)
    assert "in 1 second." in window.idle_banner.text()


def test_section_structure_reaches_screen_readers(qtbot, window, ctx, prepared):
    """The reader's text is a real document: headings are headings, lists are lists."""
    sign_in(qtbot, window, "alex", LEARNER_PASSWORD)
    window.show_guidance("recognising-abuse")
    text: QTextBrowser = window.reader.text
    doc = text.document()
    block = doc.begin()
    headings = lists = 0
    while block.isValid():
        headings += block.blockFormat().headingLevel() > 0
        lists += block.textList() is not None
        block = block.next()
    assert headings >= 2 and lists >= 3
