"""A password typed anywhere never lands anywhere: database, WAL, log file or export."""

import logging

from kiosk import users
from kiosk.logs import setup_logging
from tests.conftest import run_as
from tests.gui_helpers import sign_in

CANARY = "Canary-Zebra-7741-Sentinel"


def test_canary_password_is_nowhere(qtbot, ctx, manager, window, db_path, tmp_path, run_kiosk):
    """After failed and successful logins (GUI and CLI) and an export, the canary is absent."""
    logger = setup_logging(db_path)
    logger.info("test run started")
    users.create(ctx.db, ctx.settings, ctx.clock, username="casey", password=CANARY,
                 role="learner", full_name="Casey")
    window.move_to("login")
    sign_in(qtbot, window, "casey", CANARY + "x")  # wrong
    window.login.username.clear()
    sign_in(qtbot, window, "nobody", CANARY)  # unknown user
    window.login.username.clear()
    sign_in(qtbot, window, "casey", CANARY)  # right
    assert window.current_screen() == "home"
    window.sign_out(idle=False)
    # The CLI refusing a password must not echo it either.
    weak = run_as(run_kiosk, "users", "add", "weak", "--role", "manager", "--db",
                  str(db_path), input=CANARY[:13] + "\n")
    assert weak.returncode == 1 and CANARY[:13] not in weak.stderr + weak.stdout
    out = tmp_path / "export.csv"
    assert run_as(run_kiosk, "export", "access-log", "--out", str(out), "--db",
                  str(db_path)).returncode == 0
    for handler in logging.getLogger("kiosk").handlers:
        handler.flush()
    places = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "data.db-wal" for p in places) or any(p.name == "data.db" for p in places)
    assert out in places and any(p.name == "kiosk.log" for p in places)
    needles = [CANARY.encode("utf-8"), CANARY.encode("utf-16-le"), CANARY[:13].encode()]
    for place in places:
        data = place.read_bytes()
        for needle in needles:
            assert needle not in data, f"password found in {place.name}"
