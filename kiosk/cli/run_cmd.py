"""`kiosk run`: the full-screen kiosk (the only command that imports Qt)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("run", parents=[common], help="start the kiosk (the default command)")
    p.add_argument("--windowed", action="store_true",
                   help="an ordinary window instead of full-screen (for development)")
    p.add_argument("--exit-when-ready", action="store_true",
                   help="exit 0 as soon as the first screen has been painted (smoke tests)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import sys

    from kiosk.cli import db_path
    from kiosk.display import display_problem

    problem = display_problem()
    if problem:
        print(f"kiosk: error: {problem}", file=sys.stderr)
        return 1
    try:
        from kiosk.ui.app import run  # Qt is imported here and nowhere else in the CLI
    except ImportError as exc:
        # A broken or partial install: on Windows typically "DLL load failed while
        # importing QtCore" (a missing Visual C++ runtime, or an antivirus quarantining a
        # Qt DLL). A fact about the PC, said in one line; every other command still works.
        print("kiosk: error: the kiosk's window cannot start because Qt (PySide6) did not "
              f"load ({exc}). Reinstall the kiosk; the other commands work without it.",
              file=sys.stderr)
        return 1
    return run(db_path(args), windowed=args.windowed, exit_when_ready=args.exit_when_ready)
