"""First checks that the foundation stands up."""

from kiosk import users


def test_context_opens_and_creates_users(ctx, make_user):
    """A fresh database accepts a manager and a learner and finds them again."""
    make_user("manager", role="manager")
    make_user("alex")
    assert users.find(ctx.db, "ALEX").username == "alex"
    assert users.manager_exists(ctx.db)


def test_window_starts_on_setup_without_manager(window):
    """With no manager account the kiosk shows the set-up screen, not a login."""
    assert window.current_screen() == "setup"
