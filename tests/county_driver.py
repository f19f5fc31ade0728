"""`kiosk sync` killed at the worst moment, for tests/test_county_sync.py.

    python -m tests.county_driver DATA_DB after_commit

Runs the real push and SIGKILLs its own process right after the server committed
the first batch and before the kiosk marked it sent: exactly what a power cut or a
killed process does there.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from kiosk.context import open_context
from kiosk.county import sync


def main(argv: list[str]) -> int:
    ctx = open_context(Path(argv[0]), create=False)
    url, kiosk_id = sync.server_url(ctx.db_path)

    def die() -> None:
        print("committed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

    sync.push(ctx.db, url, kiosk_id, ctx.clock, batch_size=int(argv[1]),
              hooks=sync.Hooks(after_commit=die))
    return 3  # never reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
