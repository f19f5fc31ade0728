"""Long work runs off the GUI thread: the event loop keeps running, Cancel leaves nothing."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer

from kiosk.filters import AccessLogFilter
from kiosk.operations import exports
from kiosk.ui.jobs import JobRunner
from tests.conftest import MANAGER_PASSWORD
from tests.gui_helpers import sign_in, wait_for_jobs
from tests.manager_helpers import bulk_access_log

LEFT = Qt.MouseButton.LeftButton


def test_timers_fire_while_an_export_runs(qtbot, ctx, manager, tmp_path):
    """A 10 ms timer keeps firing during a 60,000-row export run through the JobRunner,
    and the result arrives on the GUI thread."""
    bulk_access_log(ctx.db, 60_000)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    runner = JobRunner()
    results: list[object] = []
    timer.start()
    started = runner.start(ctx, "Exporting", lambda wctx, progress: exports.export_access_log(
        wctx, manager, AccessLogFilter(), tmp_path / "log.csv", progress),
        done=results.append, failed=results.append)
    assert started
    refused: list[str] = []
    assert not runner.start(ctx, "again", lambda *_: None, failed=refused.append)
    assert "still running" in refused[0]  # one long task at a time
    with qtbot.waitSignal(runner.finished, timeout=120_000):
        pass
    timer.stop()
    assert isinstance(results[0], exports.Exported) and results[0].rows >= 60_000
    assert len(ticks) >= 5  # the loop ran while the worker wrote the file


def test_cancel_from_the_manager_area_leaves_no_file(qtbot, ctx, manager, window, tmp_path):
    """Cancel during an access-log export: told it was cancelled, no file, no export row."""
    bulk_access_log(ctx.db, 200_000)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    window.open_manager_area()
    area = window.manager
    area.tabs.setCurrentWidget(area.access_log)
    target = tmp_path / "everything.csv"
    ctx.dialogs.queue(str(target))
    qtbot.mouseClick(area.access_log.export_button, LEFT)
    assert area.jobs.busy and area.cancel.isVisible()
    qtbot.mouseClick(area.cancel, LEFT)
    wait_for_jobs(qtbot, area, timeout=120_000)
    kind, title, text = ctx.dialogs.shown[-1]
    assert (kind, title) == ("warn", "Export failed") and "Cancelled" in text
    assert list(tmp_path.glob("*everything*")) == []
    reasons = [r[0] for r in ctx.db.execute("SELECT reason FROM access_log")]
    assert not any(r.startswith("export") and " rows to " in r for r in reasons)
    assert not area.cancel.isVisible() and not area.progress.isVisible()


def test_signing_out_stops_an_export_and_shows_the_next_person_nothing(
        qtbot, ctx, manager, window, tmp_path):
    """An idle sign-out in the middle of an export cancels it: no file, no message about
    it on the login screen for whoever comes next."""
    bulk_access_log(ctx.db, 200_000)
    sign_in(qtbot, window, "manager", MANAGER_PASSWORD)
    window.open_manager_area()
    area = window.manager
    area.tabs.setCurrentWidget(area.access_log)
    ctx.dialogs.queue(str(tmp_path / "everything.csv"))
    qtbot.mouseClick(area.access_log.export_button, LEFT)
    assert area.jobs.busy
    shown_before = len(ctx.dialogs.shown)
    window.sign_out(idle=True)
    wait_for_jobs(qtbot, area, timeout=120_000)
    assert window.current_screen() == "login"
    assert len(ctx.dialogs.shown) == shown_before
    assert list(tmp_path.glob("*everything*")) == []
