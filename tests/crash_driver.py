"""A kiosk's work without its window, for the crash suite to kill at random moments.

    python -m tests.crash_driver DATA_DB SEED

Opens data.db through the real core (open_context) and performs the real actions a
kiosk performs, chosen at random, until it is killed. It prints `ready` once the
database is open, so the test can aim its kills at the work rather than at start-up.

To add an action: write `def name(ctx, rng) -> None`
and add it to ACTIONS with a weight; the suite's invariant checks live in
tests/test_crash_suite.py (CHECKS).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk import access_log, quiz, users
from kiosk.context import AppContext, open_context
from kiosk.course import load_default_courses

LEARNERS = ("alex", "billie", "casey")
PASSWORD = "maple-kettle-harbour"  # every crash-suite learner's password


def login_right(ctx: AppContext, rng: random.Random) -> None:
    ctx.auth.login(rng.choice(LEARNERS), PASSWORD)


def login_wrong(ctx: AppContext, rng: random.Random) -> None:
    ctx.auth.login(rng.choice(LEARNERS), "not-the-password-" + str(rng.random()))


def login_unknown(ctx: AppContext, rng: random.Random) -> None:
    ctx.auth.login(f"nobody{rng.randrange(1000)}", "whatever-it-is")


def unlock(ctx: AppContext, rng: random.Random) -> None:
    users.unlock(ctx.db, ctx.settings, ctx.clock, rng.choice(LEARNERS))


def log_note(ctx: AppContext, rng: random.Random) -> None:
    access_log.append(ctx.db, ctx.clock, kiosk_id=ctx.kiosk_id,
                      event=access_log.MANAGER_ACTION, username_entered="(crash suite)",
                      reason=f"note {rng.randrange(10**9)}")


def test_answer(ctx: AppContext, rng: random.Random) -> None:
    """Start (or resume) a learner's test and save one answer, as the test screen does."""
    user = users.require(ctx.db, rng.choice(LEARNERS))
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, user, ctx.course, rng=rng)
    item = rng.choice(attempt.questions)
    chosen = rng.sample(range(len(item.question.options)), rng.choice((1, 1, 2)))
    quiz.answer(ctx.db, ctx.clock, attempt.id, item.position, chosen)


def test_submit(ctx: AppContext, rng: random.Random) -> None:
    """Submit a learner's test in progress, if there is one."""
    user = users.require(ctx.db, rng.choice(LEARNERS))
    attempt_id = quiz.in_progress_id(ctx.db, user.id, ctx.course)
    if attempt_id:
        quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt_id, ctx.course)


# name -> (action, weight). Logins dominate, as at a real kiosk; the fast writes make
# kills land inside transactions often, not only inside the slow password check.
ACTIONS: dict[str, tuple[Callable[[AppContext, random.Random], None], int]] = {
    "login_right": (login_right, 3),
    "login_wrong": (login_wrong, 4),
    "login_unknown": (login_unknown, 1),
    "unlock": (unlock, 2),
    "log_note": (log_note, 4),
    "test_answer": (test_answer, 6),
    "test_submit": (test_submit, 1),
}


def main(argv: list[str]) -> int:
    db_path, seed = Path(argv[0]), int(argv[1])
    rng = random.Random(seed)
    ctx = open_context(db_path, create=False)
    ctx.courses = tuple(load_default_courses()[:1])
    print("ready", flush=True)
    names = list(ACTIONS)
    weights = [ACTIONS[n][1] for n in names]
    while True:
        name = rng.choices(names, weights)[0]
        ACTIONS[name][0](ctx, rng)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
