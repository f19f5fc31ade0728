"""The running kiosk's background push and the manager area's County tab (real screens)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from kiosk.county import outbox, schema, sync
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD
from tests.county_helpers import add_person, join, server_counts, take_test, unsent

LEFT = Qt.MouseButton.LeftButton


def sign_in(qtbot, window, username, password):
    qtbot.keyClicks(window.login.username, username)
    qtbot.keyClick(window.login.username, Qt.Key.Key_Return)
    qtbot.keyClicks(window.login.password, password)
    qtbot.keyClick(window.login.password, Qt.Key.Key_Return)
    assert window.current_screen() == "home"


def open_county_tab(qtbot, window):
    qtbot.mouseClick(window.home.manager_area, LEFT)
    area = window.manager
    area.tabs.setCurrentWidget(area.county)
    return area.county


@pytest.fixture
def county(county_admin_url):
    schema.init_server(county_admin_url)
    return county_admin_url


def test_the_county_tab_says_when_a_kiosk_has_not_joined(qtbot, window, ctx, manager):
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    panel = open_county_tab(qtbot, window)
    assert "has not joined" in panel.joined.text()
    assert panel.last_synced.text() == "Last synced: never"
    assert not panel.sync_button.isEnabled()


def test_background_push_runs_off_the_gui_thread_while_people_sign_in(qtbot, window, ctx,
                                                                      manager, county):
    from kiosk.ui.county_sync import start_if_joined

    ctx.settings.set("require_all_sections", False)
    from tests.county_helpers import course

    ctx.course = course()
    person = add_person(ctx, "zoe", "Zoë Ødegård")
    take_test(ctx, person)
    join(ctx, county, "Centre A")
    queued = unsent(ctx)
    assert queued > 0
    controller = start_if_joined(ctx, interval_s=3600, first_delay_s=0)
    assert controller is not None
    try:
        sign_in(qtbot, window, "zoe", LEARNER_PASSWORD)  # not held up by the push
        qtbot.waitUntil(lambda: bool(outbox.state(ctx.db).last_synced_at), timeout=30000)
        assert controller.worker.thread_name != threading.main_thread().name
        assert server_counts(county)["people"] == 2
        assert server_counts(county)["attempts"] == 1
        window.sign_out(idle=False)
        sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
        panel = open_county_tab(qtbot, window)
        assert "Joined as kiosk test-kiosk" in panel.joined.text()
        # The sign-out and sign-ins since the push are queued for the next one.
        assert unsent(ctx) > 0
        assert panel.unsent.text() == f"Not yet sent: {unsent(ctx)}"
        assert panel.last_synced.text() != "Last synced: never"
        assert not panel.last_error.isVisible()
        # They go out when the manager presses "Sync now".
        with qtbot.waitSignal(controller.worker.finished_round, timeout=30000):
            qtbot.mouseClick(panel.sync_button, LEFT)
        assert unsent(ctx) <= 1  # the record of pressing the button itself may follow
    finally:
        controller.shutdown()


def test_an_unreachable_server_backs_off_logs_and_shows_the_error(qtbot, window, ctx,
                                                                  manager, county):
    from kiosk.logs import setup_logging
    from kiosk.ui.county_sync import start_if_joined

    setup_logging(ctx.db_path)  # as `kiosk run` does
    url = join(ctx, county)
    port = url.rsplit(":", 1)[1].split("/")[0]
    from kiosk.county import credentials

    credentials.save(ctx.db_path, url.replace(f":{port}/", ":1/"), "test-kiosk")
    controller = start_if_joined(ctx, interval_s=1, first_delay_s=0, max_backoff_s=60)
    try:
        with qtbot.waitSignal(controller.worker.finished_round, timeout=30000) as first:
            pass
        assert first.args[0] is False
        assert controller.worker.next_delay_s == 2  # doubled from 1 s
    finally:
        controller.shutdown()
    log_text = ctx.db_path.with_name("kiosk.log").read_text(encoding="utf-8")
    assert "county sync failed: cannot reach the county server" in log_text
    assert credentials.password_of(url) not in log_text
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    panel = open_county_tab(qtbot, window)
    assert panel.last_error.isVisible()
    assert "cannot reach the county server" in panel.last_error.text()
    assert panel.unsent.text() == f"Not yet sent: {unsent(ctx)}"
    assert sync.server_url(ctx.db_path)[1] == "test-kiosk"
