"""The `kiosk` command. Only `kiosk run` imports Qt, so every other command starts fast.

Each command group lives in its own module with a `register(subparsers, common)`
function; add a new group by adding its module name to COMMAND_MODULES.
A person's mistake prints one `kiosk: error: ...` line and exits 1; usage
errors exit 2 (argparse); nothing ever prints a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sqlite3
import sys
import unicodedata
from pathlib import Path

from kiosk import __version__
from kiosk.console import use_utf8_when_redirected
from kiosk.errors import KioskError
from kiosk.logs import setup_logging
from kiosk.paths import default_db_path

COMMAND_MODULES = (
    "run_cmd",
    "users_cmd",
    "settings_cmd",
    "export_cmd",
    "certificate_cmd",
    "content_cmd",
    "demo_cmd",
    "purge_cmd",
    "log_cmd",
    "backup_cmd",
    "server_cmd",
    "sync_cmd",
    "county_cmd",
    "gallery_cmd",
)

# Which module registers each top-level command, so a command imports only its own
# module (a test keeps this in step with COMMAND_MODULES).
MODULE_FOR = {
    "run": "run_cmd", "users": "users_cmd", "settings": "settings_cmd",
    "export": "export_cmd", "certificate": "certificate_cmd", "content": "content_cmd",
    "demo": "demo_cmd", "purge": "purge_cmd", "log": "log_cmd", "verify": "log_cmd",
    "backup": "backup_cmd", "restore": "backup_cmd", "server": "server_cmd",
    "sync": "sync_cmd", "county": "county_cmd", "gallery": "gallery_cmd",
}


def common_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", type=Path, default=None, metavar="PATH",
        help="the kiosk database (default: $KIOSK_DB, then ./data.db)",
    )
    return common


def build_parser(modules: tuple[str, ...] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The parser for `modules`' commands (all of them unless told otherwise)."""
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Safeguarding training kiosk. With no command, starts the kiosk.",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = common_parser()
    for name in modules:
        importlib.import_module(f"kiosk.cli.{name}").register(sub, common)
    return parser


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db) if getattr(args, "db", None) else default_db_path()


def one_line(message: str) -> str:
    """The message on one line, with control and bidi characters shown as escapes.

    Messages may quote what was typed; a newline or a terminal escape sequence in a
    username or a file name must not forge extra lines or recolour the terminal.
    """
    parts = []
    for line in message.splitlines():
        parts.append("".join(
            ch if not unicodedata.category(ch).startswith("C")
            else ch.encode("unicode_escape").decode("ascii")
            for ch in line))
    return " ".join(p for p in parts if p.strip())


def fail(message: str) -> int:
    print(f"kiosk: error: {one_line(message)}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    use_utf8_when_redirected()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "run")  # `kiosk --windowed` means `kiosk run --windowed`
    # A command needs only its own module: importing every other one (the GUI's screens
    # aside, exports, certificates, the demo...) would delay the kiosk's first screen.
    module = MODULE_FOR.get(argv[0])
    modules = (module,) if module else COMMAND_MODULES
    try:
        args = build_parser(modules).parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        return int(exc.code or 0)
    except Exception:  # a broken installation, not a person's mistake
        logging.getLogger("kiosk").exception("building the command line failed")
        return fail("the kiosk's installation is incomplete; reinstall it")
    path = db_path(args)
    log = setup_logging(path) if path.parent.exists() else logging.getLogger("kiosk")
    try:
        return int(args.handler(args) or 0)
    except KioskError as exc:
        return fail(str(exc))
    except sqlite3.Error as exc:
        from kiosk.db import friendly_error  # only here: sqlite-utils is slow to import

        return fail(str(friendly_error(exc, path)))
    except KeyboardInterrupt:
        return fail("interrupted; nothing was left half-written")
    except BrokenPipeError:
        return 0  # `kiosk export ... | head` is not an error
    except EOFError:  # a prompt's input ended (Ctrl+D / Ctrl+Z) before an answer
        return fail("no answer was given; nothing was changed")
    except UnicodeDecodeError:  # a password piped in from a program using another code page
        return fail("standard input is not UTF-8 text; nothing was changed")
    except OSError as exc:
        return fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    except Exception:
        log.exception("unexpected error in `kiosk %s`", args.command)
        return fail("something unexpected went wrong; the details are in kiosk.log")
