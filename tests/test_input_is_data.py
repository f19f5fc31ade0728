"""Input is data, never markup or secrets (issue 11): each case attacked as described."""

from __future__ import annotations

import pytest

from kiosk import access_log, auth, export, reports, users
from kiosk.db import backup_to
from kiosk.errors import ValidationError
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD, assert_owner_only, run_as

IMG = '<img src="file:///etc/hostname" width=400><b>bold</b>'


def test_a_full_name_of_markup_is_shown_as_text_on_every_screen(qtbot, ctx, make_user,
                                                                  window):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    make_user("pat", full_name=IMG)
    window._on_logged_in(ctx.auth.login("pat", LEARNER_PASSWORD))
    assert window.current_screen() == "home"
    qtbot.wait(50)
    showing = [label for label in window.findChildren(QLabel) if "<img" in label.text()]
    assert showing, "the name should be on the home screen"
    for label in showing:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()


def test_dialogs_show_their_text_as_plain_text(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from kiosk.ui.dialogs import QtDialogs

    box = QtDialogs()._box(QMessageBox.Icon.Information, "t", IMG,
                           QMessageBox.StandardButton.Ok)
    assert box.textFormat() == Qt.TextFormat.PlainText and box.text() == IMG


PASSWORD_IN_NAME_BOX = "river-lantern-orchard-42"


def test_a_password_typed_as_a_username_is_not_in_the_log_exports_or_backups(
        ctx, manager, tmp_path):
    for _ in range(3):
        ctx.auth.login(PASSWORD_IN_NAME_BOX, "")
        ctx.clock.advance(seconds=60)
    ctx.auth.login("manager", MANAGER_PASSWORD)
    rows = [r for r in access_log.query(ctx.db) if r["reason"] == auth.UNKNOWN_USER]
    assert len(rows) == 3 and len({r["username_entered"] for r in rows}) == 1
    # Managers still see one unknown name tried three times.
    tried = reports.most_tried(ctx.db, None, None)
    assert any(t.username_entered.startswith(auth.UNKNOWN_PREFIX) and t.failures == 3
               for t in tried)
    out = tmp_path / "log.csv"
    export.export_access_log(ctx.db, out)
    backup = tmp_path / "backup.db"
    backup_to(ctx.db, backup)
    for path in (out, backup, ctx.db_path):
        assert PASSWORD_IN_NAME_BOX.encode() not in path.read_bytes()
    wal = ctx.db_path.with_name("data.db-wal")
    if wal.exists():
        assert PASSWORD_IN_NAME_BOX.encode() not in wal.read_bytes()
    key = ctx.db_path.with_name("data.db" + auth.KEY_SUFFIX)
    assert key.exists()
    assert_owner_only(key)
    assert not (tmp_path / ("backup.db" + auth.KEY_SUFFIX)).exists()


def test_unknown_names_wait_like_accounts_so_the_wait_reveals_nothing(ctx, manager):
    delay_after = int(ctx.settings.get("lockout_delay_after"))
    for _ in range(delay_after):
        known = ctx.auth.login("manager", "wrong wrong wrong")
        unknown = ctx.auth.login("nobody-here", "wrong wrong wrong")
    assert known.retry_after_seconds == unknown.retry_after_seconds > 0
    early = ctx.auth.login("nobody-here", "wrong")
    assert early.retry_after_seconds > 0
    assert list(access_log.query(ctx.db))[-1]["reason"] == auth.TOO_SOON


def test_usernames_match_under_full_case_folding_and_nfkc(ctx, make_user):
    make_user("Zoë", full_name="Zoë Ødegård")
    with pytest.raises(ValidationError, match="already exists"):
        make_user("ZOË")
    with pytest.raises(ValidationError, match="already exists"):
        make_user("zoe\u0308")  # e + combining diaeresis, NFKC-equal
    assert users.find(ctx.db, "ZOË").username == "Zoë"
    assert users.find(ctx.db, "ｚｏë").username == "Zoë"  # full-width letters (NFKC)
    assert ctx.auth.login("ZOË", LEARNER_PASSWORD).ok
    make_user("strasse")
    with pytest.raises(ValidationError):
        make_user("STRAßE")  # ß case-folds to ss


@pytest.mark.parametrize("lookalike", [
    "zое",  # Cyrillic о and е
    "zoe",  # the accent dropped
    "Z0E",  # zero for O
    "zo'e",
])
def test_lookalikes_of_an_existing_username_are_refused(ctx, make_user, lookalike):
    make_user("zoë")
    with pytest.raises(ValidationError, match="looks too much like"):
        make_user(lookalike)


def test_lookalike_refused_from_the_command_line_and_the_import(ctx, make_user, manager,
                                                                 tmp_path, run_kiosk):
    make_user("alex.m")
    result = run_as(run_kiosk, "users", "add", "аlex.m", "--role", "learner", "--db",
                    str(ctx.db_path), input=LEARNER_PASSWORD + "\n")
    assert result.returncode == 1 and "looks too much like" in result.stderr
    sheet = tmp_path / "people.csv"
    sheet.write_text("username,full_name\nALEX.M,Second\nаlex.m,Cyrillic\n", encoding="utf-8")
    result = run_as(run_kiosk, "users", "import", str(sheet), "--db", str(ctx.db_path))
    assert result.returncode == 1
    assert len(users.list_users(ctx.db)) == 2  # alex.m and the manager: nobody added


def test_upgrade_keys_existing_usernames_and_keeps_both_of_a_folding_pair(tmp_path, clock):
    from sqlite_utils import Database

    from kiosk.context import open_context
    from kiosk.migrations import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="evidence_username_key")
    for name in ("Zoë", "ZOË"):  # two accounts under SQLite's ASCII-only NOCASE
        old.execute("INSERT INTO users (username, full_name, role, password_hash, "
                    "created_at) VALUES (?, '', 'learner', 'h', '2025')", [name])
    old.conn.commit()
    old.close()
    opened = open_context(path, clock=clock)
    try:
        assert users.find(opened.db, "zoë").username == "Zoë"
        assert len(users.list_users(opened.db)) == 2
    finally:
        opened.db.close()


def test_file_dialogs_and_certificates_never_use_the_data_or_program_folder(tmp_path):
    from kiosk.paths import output_folder, program_folder

    db = tmp_path / "data" / "data.db"
    db.parent.mkdir()
    for configured in (str(db.parent), str(program_folder()),
                       str(program_folder() / "kiosk")):
        chosen = output_folder(configured, "exports_folder", db)
        assert chosen.resolve() != db.parent.resolve()
        assert program_folder().resolve() not in chosen.resolve().parents
    wanted = tmp_path / "exports"
    assert output_folder(str(wanted), "exports_folder", db) == wanted and wanted.is_dir()
