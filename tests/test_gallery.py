"""`kiosk gallery` draws the screens into PNG files, from a real subprocess."""

from __future__ import annotations

from PySide6.QtGui import QImage


def test_gallery_draws_chosen_states_at_the_chosen_size(run_kiosk, tmp_path):
    """One size, theme and text size, one state: its PNG at 1024x768, plus the
    certificate and the sheet of password slips at A4 proportions; nothing else is written."""
    out = tmp_path / "shots"
    done = run_kiosk("gallery", "--out", str(out), "--size", "1024x768", "--theme",
                     "high-contrast", "--text", "200", "--only", "home-failed", timeout=300)
    assert done.returncode == 0, done.stderr
    folder = out / "1024x768-high-contrast-200"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["07-home-failed.png", "60-certificate.png", "61-password-slips.png"]
    shot = QImage(str(folder / "07-home-failed.png"))
    assert (shot.width(), shot.height()) == (1024, 768)
    assert QImage(str(folder / "60-certificate.png")).height() > 1.3 * 827
    assert QImage(str(folder / "61-password-slips.png")).height() > 1.3 * 827
    assert "images in" in done.stdout


def test_gallery_refuses_a_file_as_its_folder(run_kiosk, tmp_path):
    target = tmp_path / "not-a-folder"
    target.write_text("x")
    done = run_kiosk("gallery", "--out", str(target))
    assert done.returncode == 1 and done.stderr.startswith("kiosk: error:")


def test_gallery_has_every_state_the_issue_lists(qapp, tmp_path):
    """Set-up, sign-in with an error, home in each training status, reader, test, result
    pass and fail, each manager tab (and the People tab's temporary passwords), each
    dialog: the list of states names them all (the certificate and slips are drawn after)."""
    from kiosk.cli import demo_cmd
    from kiosk.ui.gallery import Gallery

    db = tmp_path / "demo.db"
    demo_cmd.build_demo(db)
    passwords = {u: (demo_cmd.MANAGER_PASSWORD if role == "manager" else
                     demo_cmd.LEARNER_PASSWORD) for u, _, role, *_ in demo_cmd.PEOPLE}
    gallery = Gallery(db, tmp_path / "out", passwords)
    try:
        names = [name for name, _ in gallery.states()]
        tabs = [panel.title for panel in gallery.window.manager.panels]
    finally:
        gallery.close()
    wanted = ["setup", "sign-in-error", "set-up-complete", "home-not-started",
              "home-reading", "home-failed", "home-passed", "home-due", "home-expired",
              "reader", "test", "result-pass", "result-fail", "my-results", "urgent",
              "urgent-signed-out", "password-change", "manager-matrix-history",
              "manager-people-temporary-passwords", "manager-cell-on-keyboard-focus",
              "dialog-confirm", "dialog-inform", "dialog-warn", "dialog-password",
              "dialog-temporary-password", "dialog-file-open"]
    wanted += ["manager-" + title.lower().replace(" ", "-") for title in tabs]
    missing = [w for w in wanted if not any(n.split("-", 1)[1] == w for n in names)]
    assert not missing, missing
