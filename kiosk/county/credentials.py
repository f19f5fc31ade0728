"""Where a kiosk keeps its county server URL (which holds its password): not in data.db.

The file sits beside data.db as `data.db.county`, readable by its owner only, so it
never travels in a backup of data.db, an export or kiosk.log. `redact()` removes the
password from any text (an error message) before it is shown or logged.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from kiosk.errors import KioskError, ValidationError


def path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".county")


def check_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationError("no server URL was given")
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise ValidationError("the server URL must look like "
                              "postgresql://ROLE:PASSWORD@HOST:PORT/DATABASE")
    return url


def save(db_path: Path, url: str, kiosk_id: str) -> Path:
    """Write the file atomically with owner-only permissions (0600 on POSIX)."""
    target = path_for(db_path)
    tmp = target.with_name(target.name + ".partial")
    data = json.dumps({"url": check_url(url), "kiosk_id": kiosk_id}).encode()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return target


def load(db_path: Path) -> dict[str, str] | None:
    target = path_for(db_path)
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise KioskError(f"{target.name} (the county server settings) cannot be read; "
                         "join the kiosk again with `kiosk sync join`") from None
    if not isinstance(data, dict) or not data.get("url"):
        raise KioskError(f"{target.name} is not a county server settings file")
    return {"url": str(data["url"]), "kiosk_id": str(data.get("kiosk_id", ""))}


_PASSWORD_IN_URL = re.compile(r"(postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@")
_PASSWORD_KW = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def redact(text: str, *secrets: str) -> str:
    """`text` with any password (in a URL, `password=...`, or given) replaced by ***."""
    text = _PASSWORD_IN_URL.sub(r"\1***@", str(text))
    text = _PASSWORD_KW.sub(r"\1***", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
    return text


def password_of(url: str) -> str:
    try:
        return unquote(urlsplit(url).password or "")
    except ValueError:
        return ""
