"""Password policy and hashing (Argon2id via argon2-cffi).

Policy follows current guidance for people with little time: length over
composition rules, a block-list of common passwords, and no password equal to
something an attacker already knows (the username, the centre's name).
A password only ever exists here as a function argument; it is never stored,
logged or put into an exception message.
"""

from __future__ import annotations

import gzip
import os
import secrets
import sys
import unicodedata
from functools import lru_cache
from itertools import pairwise

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.errors import ValidationError
from kiosk.paths import resource_path

MAX_LENGTH = 128

# Tests that do not measure hashing set this so a suite of hundreds of sign-ins does not
# spend minutes in Argon2. Like the test clock it is ignored by the built kiosk; a hash
# made with it is moved onto the real parameters at that person's next sign-in
# (needs_rehash compares parameters), and SECURITY.md says why it is not a weakness.
CHEAP_HASHES_ENV = "KIOSK_TEST_CHEAP_HASHES"


def _make_hasher() -> PasswordHasher:
    if os.environ.get(CHEAP_HASHES_ENV) == "1" and not getattr(sys, "frozen", False):
        return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    # argon2-cffi's defaults are RFC 9106's low-memory profile of Argon2id;
    # rehash_if_needed() moves old hashes onto them.
    return PasswordHasher()


# One hasher for the process.
_HASHER = _make_hasher()

# A hash of a random, discarded password with the default parameters, verified
# when a username is unknown so the answer takes as long as for a real account.
# verify_dummy() regenerates it if argon2-cffi's defaults ever change.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$mH9Bhm0gOwmiGGdxdpa6Ew$"
    "4gMsJVLxmakRu500K8hT7eFcq1upIpbjgCUmG+UyiGg"
)


def normalise(password: str) -> str:
    """NFKC, so the same password typed on another keyboard layout still matches."""
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled block-list (Django's list of 20,000 common passwords, BSD licence)."""
    with gzip.open(resource_path("common-passwords.txt.gz"), "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().casefold() for line in fh if line.strip())


def _is_common(password: str) -> bool:
    folded = password.casefold()
    listed = common_passwords()
    if folded in listed:
        return True
    # "password123456" and "football2024!" are a listed word plus a predictable tail.
    stem = folded.rstrip("0123456789!@#$%^&*?.-_ ")
    return len(stem) >= 4 and stem in listed


def _is_pattern(password: str) -> bool:
    """A repeated chunk ("abcabcabcabc") or a straight run ("123456789012", "zyxwv...")."""
    n = len(password)
    for period in range(1, n // 2 + 1):
        if all(password[i] == password[i % period] for i in range(n)):
            return True
    steps = {(ord(b) - ord(a)) for a, b in pairwise(password)}
    if password.isdigit():
        steps = {s % 10 for s in steps}
        return steps <= {1} or steps <= {9}
    return steps <= {1} or steps <= {-1}


def policy_problem(
    password: str, *, username: str, centre_name: str, min_length: int
) -> str | None:
    """The first reason `password` is not acceptable, or None when it is."""
    pw = normalise(password)
    if len(pw) < min_length:
        return f"The password must be at least {min_length} characters long."
    if len(pw) > MAX_LENGTH:
        return f"The password must be at most {MAX_LENGTH} characters long."
    if not pw.strip():
        return "The password cannot be only spaces."
    folded = pw.casefold()
    if username and folded == normalise(username).casefold():
        return "The password cannot be the same as the username."
    if centre_name and folded == normalise(centre_name).casefold():
        return "The password cannot be the centre's name."
    if _is_pattern(folded):
        return "That password is a simple pattern (repeated or in sequence). Choose another."
    if _is_common(pw):
        return "That password is on a list of commonly used passwords. Choose another."
    return None


def check_policy(password: str, *, username: str, centre_name: str, min_length: int) -> None:
    problem = policy_problem(
        password, username=username, centre_name=centre_name, min_length=min_length
    )
    if problem:
        raise ValidationError(problem)


def hash_password(password: str) -> str:
    return _HASHER.hash(normalise(password))


def verify(stored_hash: str, password: str) -> bool:
    pw = normalise(password)
    if len(pw) > MAX_LENGTH * 4:
        # Refuse absurd input before spending Argon2 time on it, but still spend the
        # time, so that length does not become a side channel.
        pw = pw[: MAX_LENGTH * 4]
    try:
        return _HASHER.verify(stored_hash, pw)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    if needs_rehash(_DUMMY_HASH):
        return _HASHER.hash(secrets.token_urlsafe(32))
    return _DUMMY_HASH


def verify_dummy(password: str) -> None:
    """Spend the same time as a real check; the result is meaningless and ignored."""
    verify(_dummy_hash(), password)


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
