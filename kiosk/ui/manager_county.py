"""The manager area's County tab: is this kiosk's record reaching the county server?"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.context import AppContext
from kiosk.ui.manager_common import ManagerPanel, local_time
from kiosk.ui.widgets import body, button, heading


class CountyPanel(ManagerPanel):
    title = "County"
    view_name = "county sync"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("countyPanel")
        box = QFrame()
        box.setObjectName("card")
        self.joined = body("", "lastSignIn")
        self.last_synced = QLabel()
        self.last_synced.setObjectName("countyLastSynced")
        self.unsent = QLabel()
        self.unsent.setObjectName("countyUnsent")
        self.last_error = body("", "errorMessage")
        self.last_error.setAccessibleName("Last county sync error")
        self.conflicts = body("", "notice")
        self.conflicts.setAccessibleName("People recorded differently at another centre")
        self.sync_button = button("&Sync now", "Push this kiosk's records to the county now")
        self.sync_button.clicked.connect(self.sync_now)
        inner = QVBoxLayout(box)
        inner.addWidget(heading("County server", level=2))
        for widget in (self.joined, self.last_synced, self.unsent, self.last_error,
                       self.conflicts, self.sync_button):
            inner.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addStretch(1)

    def shown(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        from kiosk.county import outbox

        if self.actor() is None:
            return
        state = outbox.state(self.ctx.db)
        if not state.enabled:
            self.joined.setText("This kiosk has not joined a county server; its records "
                                "stay on this PC. (See docs/DEPLOYMENT.md.)")
        else:
            self.joined.setText(f"Joined as kiosk {state.kiosk_id}. Records are sent in the "
                                "background; the kiosk works the same when the network is "
                                "down and catches up later.")
        self.last_synced.setText("Last synced: " + (local_time(state.last_synced_at)
                                                    if state.last_synced_at else "never"))
        self.unsent.setText(f"Not yet sent: {state.unsent}")
        self.last_error.setText(f"Last error: {state.last_error}" if state.last_error else "")
        self.last_error.setVisible(bool(state.last_error))
        lines = [f"{c['username']}: the name is “{c['here']}” here but “{c['there']}” at "
                 f"{c['centre'] or c['kiosk_id']}. Check with the person and correct one, "
                 "so both agree." for c in outbox.conflicts(self.ctx.db)]
        self.conflicts.setText("\n".join(lines))
        self.conflicts.setVisible(bool(lines))
        self.sync_button.setEnabled(state.enabled and "county_sync" in self.ctx.extras)

    def sync_now(self) -> None:
        if self.actor() is None:
            return
        controller = self.ctx.extras.get("county_sync")
        if controller is not None:
            controller.request_sync()
            self.record("county sync", "sync now")

    def reset(self) -> None:
        for label in (self.joined, self.last_synced, self.unsent, self.last_error,
                      self.conflicts):
            label.setText("")
