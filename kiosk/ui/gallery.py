"""The gallery: every screen and state of the kiosk drawn into PNG files.

`kiosk gallery` builds a throwaway demo database, drives the real main window
through each state (as the tests do: real screens, real data) and grabs it, at
each size, theme and text size asked for. Anyone can look at the whole kiosk in
a minute, and a change that breaks a screen shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QThreadPool
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import Shiboken

from kiosk import quiz, sample_data, users
from kiosk.certificate import for_attempt
from kiosk.context import AppContext, open_context
from kiosk.course import load_default_courses
from kiosk.ui.certificate_pdf import paint_page
from kiosk.ui.dialogs import QtDialogs
from kiosk.ui.main_window import MainWindow
from kiosk.ui.manager_people import PeoplePanel
from kiosk.ui.password_slips import Slip, paint_sheet
from kiosk.ui.theme import apply_theme

SIZES = ((1024, 768), (1366, 768))
THEMES = ("normal", "high-contrast")
TEXT = (1.0, 2.0)


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    theme: str
    scale: float

    @property
    def name(self) -> str:
        return f"{self.width}x{self.height}-{self.theme}-{round(self.scale * 100)}"


def variants(sizes=SIZES, themes=THEMES, text=TEXT) -> Iterator[Variant]:
    for w, h in sizes:
        for theme in themes:
            for scale in text:
                yield Variant(w, h, theme, scale)


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


class Gallery:
    """Drives one main window on the demo database through every state."""

    def __init__(self, db_path: Path, out: Path, passwords: dict[str, str]) -> None:
        self.ctx: AppContext = open_context(db_path)
        courses = load_default_courses()
        self.ctx.courses = tuple(courses)
        self.ctx.courses = tuple(courses)
        self.window = MainWindow(self.ctx)
        self.dialogs = QtDialogs(self.window)
        self.ctx.dialogs = _SilentDialogs()
        self.out = out
        self.passwords = passwords
        # The demo's manager: the one who may change the settings the states need.
        self.manager = next(name for name in passwords if users.find(self.ctx.db, name)
                            and users.find(self.ctx.db, name).is_manager)
        self.written: list[Path] = []
        self.variant = Variant(1024, 768, "normal", 1.0)
        self._prepare_reading()

    def close(self) -> None:
        self.window.allow_close = True
        self.window.idle.stop()
        self.window.close()
        self.ctx.db.close()

    # ------------------------------------------------------------ data the states need

    def _prepare_reading(self) -> None:
        """Reading records and Chloé's test under way, made through the operations."""
        sample_data.gallery_progress(self.ctx, self.manager, self.ctx.course)

    def _attempt(self, username: str, passed: bool) -> quiz.Attempt:
        attempt_id = sample_data.latest_attempt_id(self.ctx.db, username, passed=passed)
        return quiz.load_attempt(self.ctx.db, attempt_id, self.ctx.course)

    # ------------------------------------------------------------ moving between states

    def sign_out(self) -> None:
        if self.ctx.current_user is not None:
            self.window.sign_out(idle=False)

    def sign_in(self, username: str) -> None:
        self.sign_out()
        outcome = self.ctx.auth.login(username, self.passwords[username])
        if not outcome.ok:
            raise RuntimeError(f"gallery: {username} could not sign in: {outcome.message}")
        self.window._on_logged_in(outcome)

    def states(self) -> list[tuple[str, Callable[[], QWidget | None]]]:
        """(name, action): each action leaves the window (or returns a dialog) to draw."""
        w = self.window

        def setup() -> None:
            self.sign_out()
            w.move_to("setup")

        def login() -> None:
            self.sign_out()
            w.move_to("login")

        def login_error() -> None:
            login()
            w.login.username.setText("llyr")
            w.login.password.setText("not the password")
            w.login.submit()

        def setup_done() -> None:
            login()
            w._setup_done("demo-manager")

        def urgent_signed_out() -> None:
            login()
            w.open_urgent()

        def login_idle() -> None:
            self.sign_in("priya")
            w.sign_out(idle=True)

        def home(username: str) -> Callable[[], None]:
            return lambda: self.sign_in(username)

        def idle_banner() -> None:
            self.sign_in("chloe")
            w._show_countdown(25)

        def reader() -> None:
            self.sign_in("chloe")
            w.show_guidance("responding")

        def reader_last() -> None:
            self.sign_in("aoife")
            w.show_guidance("good-practice")

        def test() -> None:
            self.sign_in("chloe")
            w.start_test()

        def result(passed: bool) -> Callable[[], None]:
            def go() -> None:
                self.sign_in("llyr" if passed else "dafydd")
                w.result.show_attempt(self._attempt("llyr" if passed else "dafydd", passed))
                w.move_to("result")
            return go

        def my_results() -> None:
            self.sign_in("dafydd")
            w.show_my_results()

        def urgent() -> None:
            self.sign_in("priya")
            w.move_to("home")
            w.open_urgent()

        def password_change() -> None:
            self.sign_in("priya")
            w.move_to("password_change")

        def manager_tab(index: int) -> Callable[[], None]:
            def go() -> None:
                if self.ctx.current_user is None or self.ctx.current_user.username != \
                        "demo-manager" or w.current_screen() != "manager":
                    self.sign_in("demo-manager")
                    w.open_manager_area()
                w.manager.tabs.setCurrentIndex(index)
                # The Questions tab works its figures out on another thread: wait for
                # them (up to ten seconds), as a person would, before drawing.
                waited = 0
                while w.manager.questions.busy() and waited < 10_000:
                    QThreadPool.globalInstance().waitForDone(50)
                    QApplication.processEvents()
                    waited += 50
            return go

        def matrix_history() -> None:
            manager_tab(manager.panels.index(manager.matrix))()
            matrix = manager.matrix
            rows = [matrix.proxy.index(r, 0) for r in range(matrix.proxy.rowCount())]
            index = next((i for i in rows if "Dafydd" in str(i.data())), rows[0])
            matrix.table.setCurrentIndex(index)
            matrix.open_history(index)

        def people_passwords() -> None:
            """A reset and a hand-added person: passwords on screen, slips to print."""
            manager_tab(manager.panels.index(manager.people))()
            people = manager.people
            self.ctx.dialogs = _AgreeingDialogs()
            try:
                number = next(i for i, r in enumerate(people.model.rows)
                              if r["username"] == "tomas")
                people.table.selectRow(number)
                people.reset_password()
            finally:
                self.ctx.dialogs = _SilentDialogs()

        def people_selected() -> None:
            manager_tab(manager.panels.index(manager.people))()
            people = manager.people
            number = next(i for i, r in enumerate(people.model.rows) if r["username"] == "llyr")
            people.table.selectRow(number)

        def certificate_check() -> None:
            manager_tab(manager.panels.index(manager.results))()
            results = manager.results
            results.check_code.setText(self._attempt("llyr", True).certificate_code or "")
            results.check_certificate()

        def cell_focus() -> None:
            """A long cell reached by keyboard: its words in full on the status line."""
            manager_tab(manager.panels.index(manager.access_log))()
            log = manager.access_log
            log.table.setFocus(Qt.FocusReason.TabFocusReason)
            from kiosk.ui.manager_common import is_elided

            reason = [key for key, _ in log.model.columns].index("reason")
            cells = [log.model.index(r, reason) for r in range(log.model.rowCount())]
            log.table.setCurrentIndex(next((c for c in cells if is_elided(log.table, c)),
                                           cells[0]))

        def file_dialog() -> QWidget:
            self.sign_in("demo-manager")
            self._apply_variant()
            return self.dialogs.file_dialog("Import people from CSV",
                                            "CSV files (*.csv *.txt);;All files (*)")

        def dialog(kind: str, title: str, text: str) -> Callable[[], QWidget]:
            def go() -> QWidget:
                self.sign_in("demo-manager")
                self._apply_variant()  # a box sizes itself for the text size it is made in
                return self.dialogs.message_box(kind, title, text)
            return go

        def password_dialog() -> QWidget:
            self.sign_in("demo-manager")
            self._apply_variant()
            return self.dialogs.password_box("Close the kiosk",
                                             "Type your password to close the kiosk.")

        manager = self.window.manager
        states: list[tuple[str, Callable[[], QWidget | None]]] = [
            ("01-setup", setup), ("02-sign-in", login), ("03-sign-in-error", login_error),
            ("04-signed-out-idle", login_idle), ("04b-set-up-complete", setup_done),
            ("05-home-not-started", home("priya")), ("06-home-reading", home("chloe")),
            ("07-home-failed", home("dafydd")), ("08-home-passed", home("llyr")),
            ("09-home-due", home("sian")), ("10-home-expired", home("aoife")),
            ("11-home-manager", home("demo-manager")), ("12-idle-countdown", idle_banner),
            ("13-reader", reader), ("14-reader-last-section", reader_last),
            ("15-test", test), ("16-result-pass", result(True)),
            ("17-result-fail", result(False)), ("18-my-results", my_results),
            ("19-urgent", urgent), ("19b-urgent-signed-out", urgent_signed_out),
            ("20-password-change", password_change),
        ]
        for i, panel in enumerate(manager.panels):
            slug = panel.title.lower().replace(" ", "-")
            states.append((f"{30 + i:02d}-manager-{slug}", manager_tab(i)))
        states += [
            ("40-manager-matrix-history", matrix_history),
            ("41-manager-people-selected", people_selected),
            ("42-manager-people-temporary-passwords", people_passwords),
            ("43-manager-results-certificate-check", certificate_check),
            ("44-manager-cell-on-keyboard-focus", cell_focus),
            ("50-dialog-confirm", dialog("confirm", "Submit the test",
                                         "You have not answered question 7. An unanswered "
                                         "question scores nothing.\n\nSubmit anyway? You "
                                         "cannot change your answers afterwards.")),
            ("51-dialog-inform", dialog("inform", "Export saved",
                                        "1,204 rows saved to:\nC:\\Users\\Manager\\Documents\\"
                                        "access-log-2026-12-01.csv.")),
            ("52-dialog-warn", dialog("warn", "Kiosk not closed",
                                      "That password was not right.")),
            ("53-dialog-password", password_dialog),
            ("54-dialog-temporary-password", dialog(
                "inform", "Password reset", PeoplePanel._password_note(
                    _Named("tomas"), "abcd-efgh-jkmn-pqrs-tuvw"))),
            ("55-dialog-file-open", file_dialog),
        ]
        return states

    # ------------------------------------------------------------ drawing

    def render(self, variant: Variant, only: str = "") -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        folder = self.out / variant.name
        folder.mkdir(parents=True, exist_ok=True)
        self.window.resize(variant.width, variant.height)
        self.window.show()
        self.variant = variant
        for name, action in self.states():
            if only and only not in name:
                continue
            # The person's own prefs would override the variant: apply it after sign-in.
            widget = action()
            self._apply_variant()
            settle()
            if widget is None:
                image = self.window.grab().toImage()
            else:
                widget.show()
                # As big as it asks to be, but never bigger than the screen (a dialog is
                # drawn centred over the window, as a person sees it).
                widget.resize(widget.size().expandedTo(widget.sizeHint()).boundedTo(
                    self.window.size() - QSize(32, 32)))
                settle()
                image = self._dialog_over_window(widget)
                widget.hide()
                # Now, while this wrapper (and what a file dialog's wrapper keeps alive)
                # still exists: never later than the objects it points to.
                Shiboken.delete(widget)
            path = folder / f"{name}.png"
            image.save(str(path))
            self.written.append(path)
        self.sign_out()
        self._certificate(folder)
        self._slips(folder)

    def _apply_variant(self) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        apply_theme(app, self.variant.theme == "high-contrast", self.variant.scale)

    def _dialog_over_window(self, dialog: QWidget) -> QImage:
        """The window, dimmed, with the dialog centred on it: what a person sees."""
        base = self.window.grab().toImage()
        painter = QPainter(base)
        painter.fillRect(base.rect(), QColor(0, 0, 0, 90))
        shot = dialog.grab().toImage()
        x = (base.width() - shot.width()) // 2
        y = (base.height() - shot.height()) // 2
        painter.drawImage(x, y, shot)
        painter.end()
        return base

    def _certificate(self, folder: Path) -> None:
        attempt = self._attempt("llyr", True)
        facts = for_attempt(self.ctx.db, self.ctx.settings, attempt.id, self.ctx.courses)
        # A4 at 100 dpi, with the PDF's 18 mm margins.
        size = QSize(827, 1169)
        image = QImage(size, QImage.Format.Format_RGB32)
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        margin = round(18 / 25.4 * 100)
        painter.translate(margin, margin)
        paint_page(painter, size.width() - 2 * margin, size.height() - 2 * margin, facts)
        painter.end()
        path = folder / "60-certificate.png"
        image.save(str(path))
        self.written.append(path)


    def _slips(self, folder: Path) -> None:
        """The sheet of temporary-password slips, as printed (sample passwords)."""
        names = [("tomas", "Tomás Ó Súilleabháin"), ("priya", "Priya Patel"),
                 ("newstarter1", "Angharad Featherstonehaugh-Llewellyn"),
                 ("newstarter2", "Kwame Mensah")]
        slips = [Slip(u, f"demo-{n:02d}xy-kmnp-qrst-uvwx", name)
                 for n, (u, name) in enumerate(names)]
        size = QSize(827, 1169)
        image = QImage(size, QImage.Format.Format_RGB32)
        image.fill(QColor("#ffffff"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        margin = round(12 / 25.4 * 100)
        painter.translate(margin, margin)
        paint_sheet(painter, size.width() - 2 * margin, size.height() - 2 * margin, slips,
                    self.ctx.settings.centre_name)
        painter.end()
        path = folder / "61-password-slips.png"
        image.save(str(path))
        self.written.append(path)


@dataclass(frozen=True)
class _Named:
    """Just enough of a person for a sample dialog's words."""
    username: str


class _SilentDialogs:
    """While drawing, an action that would ask something gets the cautious answer."""

    def confirm(self, title: str, text: str, *, yes_by_default: bool = False) -> bool:
        return False

    def inform(self, title: str, text: str) -> None:
        return None

    def warn(self, title: str, text: str) -> None:
        return None

    def ask_password(self, title: str, text: str) -> None:
        return None

    def ask_save_path(self, *args: object) -> None:
        return None

    def ask_open_path(self, *args: object) -> None:
        return None

    def ask_printer(self, title: str) -> None:
        return None


class _AgreeingDialogs(_SilentDialogs):
    """For a state reached through a confirmation (a password reset): the answer is yes."""

    def confirm(self, title: str, text: str, *, yes_by_default: bool = False) -> bool:
        return True


def run_gallery(db_path: Path, out: Path, passwords: dict[str, str], chosen: list[Variant],
                only: str = "") -> list[Path]:
    app = QApplication.instance() or QApplication(["kiosk-gallery"])
    assert isinstance(app, QApplication)
    app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus)
    apply_theme(app)
    gallery = Gallery(db_path, out, passwords)
    try:
        for variant in chosen:
            gallery.render(variant, only)
    finally:
        gallery.close()
    return gallery.written
