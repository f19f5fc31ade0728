"""Signing in: generic failures, real reasons in the log, delays, lockout, throttling."""

from kiosk import access_log, auth, users
from kiosk.passwords import hash_password
from tests.conftest import LEARNER_PASSWORD, MANAGER_PASSWORD


def log_rows(ctx):
    return list(ctx.db.query("SELECT * FROM access_log WHERE event != 'manager_action' "
                             "ORDER BY id"))


def test_every_failure_looks_the_same(ctx, learner, make_user):
    """Unknown user, wrong password, locked and disabled all show one identical message."""
    make_user("dana", role="learner")
    users.set_disabled(ctx.db, ctx.settings, ctx.clock, "dana")
    messages = {
        ctx.auth.login("nobody", LEARNER_PASSWORD).message,
        ctx.auth.login("alex", "wrong password here").message,
        ctx.auth.login("dana", LEARNER_PASSWORD).message,
    }
    assert messages == {auth.GENERIC_FAILURE}
    reasons = [r["reason"] for r in log_rows(ctx) if r["event"] == "login_failure"]
    assert reasons == ["unknown_user", "wrong_password", "disabled"]


def test_success_is_logged_with_the_matched_account(ctx, learner):
    """A right password signs in and records the typed name and the account."""
    outcome = ctx.auth.login("  ALEX ", LEARNER_PASSWORD)
    assert outcome.ok and outcome.user.username == "alex"
    row = log_rows(ctx)[-1]
    assert (row["event"], row["username_entered"], row["user_matched"]) == (
        "login_success", "  ALEX ", "alex")


def test_failures_since_last_sign_in_are_counted(ctx, learner):
    """After three failures, the next sign-in reports them and the previous sign-in time."""
    assert ctx.auth.login("alex", LEARNER_PASSWORD).ok
    first_time = ctx.clock.now()
    ctx.clock.advance(hours=2)
    for _ in range(3):
        assert not ctx.auth.login("alex", "not my password!!").ok
    outcome = ctx.auth.login("alex", LEARNER_PASSWORD)
    assert outcome.ok
    assert outcome.failures_since == 3
    assert outcome.previous_login_at.startswith(first_time.date().isoformat())


def test_rising_delay_from_the_fifth_failure(ctx, learner):
    """From the 5th consecutive failure each try must wait longer; early tries are refused."""
    for _ in range(4):
        assert ctx.auth.login("alex", "wrong wrong wrong").retry_after_seconds == 0
    fifth = ctx.auth.login("alex", "wrong wrong wrong")
    assert fifth.retry_after_seconds == 1
    # Even the right password is refused during the delay, with the same message.
    early = ctx.auth.login("alex", LEARNER_PASSWORD)
    assert not early.ok and early.message == auth.GENERIC_FAILURE
    assert log_rows(ctx)[-1]["reason"] == "too_soon"
    ctx.clock.advance(seconds=2)
    sixth = ctx.auth.login("alex", "wrong wrong wrong")
    assert sixth.retry_after_seconds == 2


def fail_until_locked(ctx, username="alex"):
    for _ in range(10):
        ctx.auth.login(username, "definitely wrong")
        ctx.clock.advance(seconds=400)  # past every delay


def test_tenth_failure_locks_for_fifteen_minutes(ctx, learner):
    """The 10th consecutive failure locks the account; the lock is logged and then expires."""
    fail_until_locked(ctx)
    assert any(r["event"] == "lockout" for r in log_rows(ctx))
    user = users.find(ctx.db, "alex")
    assert user.failed_count == 10 and user.locked_until
    ctx.clock.current = ctx.clock.now().replace(second=0)
    locked_try = ctx.auth.login("alex", LEARNER_PASSWORD)
    assert not locked_try.ok and log_rows(ctx)[-1]["reason"] == "locked"
    ctx.clock.advance(minutes=16)
    assert ctx.auth.login("alex", LEARNER_PASSWORD).ok


def test_lockout_is_persisted_across_restarts(ctx, learner, db_path, clock):
    """A lock is stored in data.db, so restarting the kiosk does not clear it."""
    from kiosk.context import open_context

    fail_until_locked(ctx)
    again = open_context(db_path, clock=clock)
    assert not again.auth.login("alex", LEARNER_PASSWORD).ok
    again.db.close()


def test_manager_can_unlock(ctx, learner, manager):
    """Unlocking clears the lock at once and records who did it."""
    fail_until_locked(ctx)
    users.unlock(ctx.db, ctx.settings, ctx.clock, "alex", actor=manager)
    assert ctx.auth.login("alex", LEARNER_PASSWORD).ok
    unlock = [r for r in log_rows(ctx) if r["event"] == "unlock"]
    assert unlock and unlock[0]["user_matched"] == "alex" and "manager" in unlock[0]["reason"]


def test_success_resets_the_count(ctx, learner):
    """Failures then a success: the consecutive count starts again from zero."""
    for _ in range(4):
        ctx.auth.login("alex", "still the wrong one")
    assert ctx.auth.login("alex", LEARNER_PASSWORD).ok
    assert users.find(ctx.db, "alex").failed_count == 0


def test_kiosk_wide_limit_stops_spraying_one_password(ctx, make_user):
    """One password tried across many accounts pauses sign-in on this kiosk."""
    ctx.settings.set("kiosk_failure_limit", 5)
    for i in range(5):
        make_user(f"user{i}")
    for i in range(5):
        ctx.auth.login(f"user{i}", "Summer2026Summer")
    paused = ctx.auth.login("user0", LEARNER_PASSWORD)
    assert not paused.ok and paused.message == auth.KIOSK_PAUSED
    assert log_rows(ctx)[-1]["reason"] == "kiosk_throttled"
    ctx.clock.advance(minutes=16)
    assert ctx.auth.login("user0", LEARNER_PASSWORD).ok


def test_old_hash_is_upgraded_at_sign_in(real_argon2, ctx, learner):
    """A hash made with weaker parameters is replaced by a default-strength one on login."""
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(LEARNER_PASSWORD)
    ctx.db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [weak, learner.id])
    assert ctx.auth.login("alex", LEARNER_PASSWORD).ok
    stored = ctx.db.execute("SELECT password_hash FROM users WHERE id = ?",
                            [learner.id]).fetchone()[0]
    assert stored != weak and stored.startswith("$argon2id$v=19$m=65536")
    assert stored != hash_password(LEARNER_PASSWORD)  # salted
    assert ctx.auth.login("alex", LEARNER_PASSWORD).ok


def test_manager_confirmation_is_logged(ctx, manager):
    """Re-entering a manager's password for a sensitive action is checked and recorded."""
    assert ctx.auth.confirm_manager(manager, MANAGER_PASSWORD, "close kiosk")
    assert not ctx.auth.confirm_manager(manager, "nope", "close kiosk")
    reasons = [r["reason"] for r in ctx.db.query(
        "SELECT reason FROM access_log WHERE event = ?", [access_log.MANAGER_ACTION])]
    assert "close kiosk: confirmed" in reasons
    assert "close kiosk: password not accepted" in reasons


def test_any_typed_username_and_password_fail_safely(ctx, learner):
    """Whatever is typed (control characters, SQL, huge input), sign-in fails politely."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=15, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.text(max_size=300), st.text(max_size=300))
    def attempt(username, password):
        outcome = ctx.auth.login(username, password)
        assert outcome.ok is False
        assert outcome.message in (auth.GENERIC_FAILURE, auth.KIOSK_PAUSED)

    ctx.settings.set("kiosk_failure_limit", 1000)
    attempt()
    assert users.find(ctx.db, "alex").failed_count <= 15
