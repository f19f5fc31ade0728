"""Who is logged in to the computer, as the operating system says (evidence, not proof).

Its own small module: the county and server commands name their connections with it
without loading the database code.
"""

from __future__ import annotations

import getpass
import os


def os_user() -> str:
    """The OS account running this process; a local administrator can run as anyone."""
    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):  # no passwd entry (containers), no env vars
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def name_county_connections(*command: str | None) -> str:
    """Make every PostgreSQL connection of this process say which command and OS user it
    is ("kiosk county matrix, OS user ann") as its `application_name`, which the server
    logs with `log_connections = on` (docs/DEPLOYMENT.md). A role may be shared by several
    people (a reporting URL); this says which of them connected. libpq reads PGAPPNAME;
    PostgreSQL keeps 63 bytes, ASCII only."""
    words = " ".join(w for w in command if w)
    name = f"kiosk {words}, OS user {os_user()}".encode("ascii", "replace").decode("ascii")
    os.environ["PGAPPNAME"] = name[:63]
    return os.environ["PGAPPNAME"]
