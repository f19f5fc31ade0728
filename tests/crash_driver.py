"""A kiosk's work without its window, for the crash suite to kill at random moments.

    python -m tests.crash_driver DATA_DB SEED

Opens data.db through the real core (open_context) and performs the real actions a
kiosk performs, chosen at random, until it is killed. It prints `ready` once the
database is open, so the test can aim its kills at the work rather than at start-up.

After each write has returned (so it was committed), the driver prints one line
`done KIND KEY...` naming the record it wrote. The suite counts those lines against
what it finds in the file after the kill: a record the kiosk said it wrote must be there.

To add an action: write `def name(ctx, rng) -> str | None` (returning the `done` line's
KIND KEY, or None when it wrote nothing) and add it to ACTIONS with a weight; the suite's
checks live in tests/test_crash_suite.py (CHECKS and FOUND).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk import access_log, audit, backup, export, quiz, users
from kiosk.context import AppContext, open_context
from kiosk.course import load_default_courses
from kiosk.instance import InstanceLock

LEARNERS = ("alex", "billie", "casey")
PASSWORD = "maple-kettle-harbour"  # every crash-suite learner's password


def _last_log_id(ctx: AppContext) -> int:
    return int(ctx.db.execute("SELECT COALESCE(MAX(id), 0) FROM access_log").fetchone()[0])


def login_right(ctx: AppContext, rng: random.Random) -> str:
    ctx.auth.login(rng.choice(LEARNERS), PASSWORD)
    return f"log {_last_log_id(ctx)}"


def login_wrong(ctx: AppContext, rng: random.Random) -> str:
    ctx.auth.login(rng.choice(LEARNERS), "not-the-password-" + str(rng.random()))
    return f"log {_last_log_id(ctx)}"


def login_unknown(ctx: AppContext, rng: random.Random) -> str:
    ctx.auth.login(f"nobody{rng.randrange(1000)}", "whatever-it-is")
    return f"log {_last_log_id(ctx)}"


def unlock(ctx: AppContext, rng: random.Random) -> None:
    users.unlock(ctx.db, ctx.settings, ctx.clock, rng.choice(LEARNERS))


def log_note(ctx: AppContext, rng: random.Random) -> str:
    row = access_log.append(ctx.db, ctx.clock, kiosk_id=ctx.kiosk_id,
                            event=access_log.MANAGER_ACTION, username_entered="(crash suite)",
                            reason=f"note {rng.randrange(10**9)}")
    return f"log {row}"


def test_answer(ctx: AppContext, rng: random.Random) -> str:
    """Start (or resume) a learner's test and save one answer, as the test screen does."""
    user = users.require(ctx.db, rng.choice(LEARNERS))
    attempt = quiz.start_or_resume(ctx.db, ctx.settings, ctx.clock, user, ctx.course, rng=rng)
    item = rng.choice(attempt.questions)
    chosen = rng.sample(range(len(item.question.options)), rng.choice((1, 1, 2)))
    quiz.answer(ctx.db, ctx.clock, attempt.id, item.position, chosen)
    return f"answer {attempt.id} {item.position}"


def test_submit(ctx: AppContext, rng: random.Random) -> str | None:
    """Submit a learner's test in progress, if there is one."""
    user = users.require(ctx.db, rng.choice(LEARNERS))
    attempt_id = quiz.in_progress_id(ctx.db, user.id, ctx.course)
    if not attempt_id:
        return None
    quiz.submit(ctx.db, ctx.settings, ctx.clock, attempt_id, ctx.course)
    return f"submit {attempt_id}"


def add_person(ctx: AppContext, rng: random.Random) -> str:
    name = f"p{rng.randrange(10**9)}"
    users.create(ctx.db, ctx.settings, ctx.clock, username=name, password=PASSWORD,
                 role="learner", full_name=name.title(), must_change_password=True)
    return f"person {name}"


def change_setting(ctx: AppContext, rng: random.Random) -> str:
    value = str(rng.randrange(10**9))
    with_log = audit.record(ctx.db, ctx.settings, ctx.clock, None, "setting changed",
                            f"centre_name={value}")
    ctx.settings.set("centre_name", f"Centre {value}")
    return f"setting centre_name Centre {value} {with_log}"


def export_results(ctx: AppContext, rng: random.Random) -> str:
    target = Path(ctx.db_path).with_name(f"export-{rng.randrange(10**9)}.csv")
    export.export_results(ctx.db, target)
    row = audit.record(ctx.db, ctx.settings, ctx.clock, None, "exported results", target.name)
    return f"export {target.name} {row}"


def make_backup(ctx: AppContext, rng: random.Random) -> str:
    folder = Path(ctx.db_path).with_name("crash-backups")
    folder.mkdir(exist_ok=True)
    made = backup.backup(ctx.db, Path(ctx.db_path), folder / f"b{rng.randrange(10**9)}.db",
                         ctx.clock)
    return f"backup {made.name}"


def restore_copy(ctx: AppContext, rng: random.Random) -> str | None:
    """Restore the newest backup into a scratch file (never the live one the driver uses)."""
    folder = Path(ctx.db_path).with_name("crash-backups")
    made = sorted(folder.glob("b*.db")) if folder.is_dir() else []
    if not made:
        return None
    target = Path(ctx.db_path).with_name(f"restored-{rng.randrange(10**9)}.db")
    backup.restore(made[-1], target, ctx.clock)
    return f"restore {target.name}"


# name -> (action, weight). Logins dominate, as at a real kiosk; the fast writes make
# kills land inside transactions often, not only inside the slow password check.
ACTIONS: dict[str, tuple[Callable[[AppContext, random.Random], str | None], int]] = {
    "login_right": (login_right, 3),
    "login_wrong": (login_wrong, 4),
    "login_unknown": (login_unknown, 1),
    "unlock": (unlock, 2),
    "log_note": (log_note, 4),
    "test_answer": (test_answer, 6),
    "test_submit": (test_submit, 1),
    "add_person": (add_person, 2),
    "change_setting": (change_setting, 2),
    "export_results": (export_results, 1),
    "make_backup": (make_backup, 1),
    "restore_copy": (restore_copy, 1),
}


def main(argv: list[str]) -> int:
    db_path, seed = Path(argv[0]), int(argv[1])
    rng = random.Random(seed)
    # Held as `kiosk run` holds it: commands the suite runs beside it see a kiosk.
    lock = InstanceLock(db_path).acquire()  # noqa: F841 - held until killed
    ctx = open_context(db_path, create=False)
    ctx.course = load_default_courses()[0]
    print("ready", flush=True)
    names = list(ACTIONS)
    weights = [ACTIONS[n][1] for n in names]
    while True:
        name = rng.choices(names, weights)[0]
        done = ACTIONS[name][0](ctx, rng)
        if done:
            print("done " + done, flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
