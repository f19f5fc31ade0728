"""Password policy and Argon2id hashing."""

import sys

import pytest
from argon2 import PasswordHasher
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import passwords
from kiosk.errors import ValidationError


def problem(pw, username="sam", centre="Riverside Centre", min_length=12):
    return passwords.policy_problem(pw, username=username, centre_name=centre,
                                    min_length=min_length)


def test_length_limits():
    """Below the minimum or above 128 characters is refused with the reason."""
    assert "at least 12" in problem("elevenchars")
    assert problem("twelve chars") is None
    assert "at least 15" in problem("fourteen chars", min_length=15)
    assert "at most 128" in problem("x" * 129 + "yz")


def test_no_composition_rules():
    """A long passphrase of plain lower-case words is fine: length, not symbols."""
    assert problem("apples under the bridge") is None


def test_common_passwords_are_refused():
    """Passwords on the bundled list, or a listed word plus digits, are refused."""
    assert "commonly used" in problem("123qweasdzxc", min_length=8)
    assert "commonly used" in problem("password1234567", min_length=8)
    assert "commonly used" in problem("Qwertyuiop123!", min_length=8)


def test_simple_patterns_are_refused():
    """Long but predictable: a repeated chunk or a straight run of characters."""
    assert "pattern" in problem("123456789012")
    assert "pattern" in problem("abcabcabcabc")
    assert "pattern" in problem("zzzzzzzzzzzzzzzz")
    assert problem("a sensible phrase") is None


def test_username_and_centre_name_are_refused():
    """A password equal to the username or the centre's name is refused, whatever the case."""
    assert "username" in problem("Samantha.Jones.1", username="samantha.jones.1")
    assert "centre" in problem("RIVERSIDE CENTRE", centre="Riverside Centre", min_length=8)


def test_check_policy_raises_validation_error():
    with pytest.raises(ValidationError, match="at least"):
        passwords.check_policy("short", username="a", centre_name="", min_length=12)


def test_cheap_test_hashes_are_refused_by_the_built_kiosk(monkeypatch):
    """The test-only switch is ignored when frozen: a built kiosk always hashes for real."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    hasher = passwords._make_hasher()
    assert (hasher.time_cost, hasher.memory_cost) == (
        PasswordHasher().time_cost, PasswordHasher().memory_cost)


def test_a_cheap_hash_is_upgraded_by_the_real_kiosk(real_argon2):
    """A hash made with the test parameters counts as weak, so sign-in rehashes it."""
    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash("x" * 20)
    assert passwords.needs_rehash(cheap)


def test_hash_is_argon2id_and_verifies(real_argon2):
    """Hashes are Argon2id with argon2-cffi's default parameters or stronger."""
    hashed = passwords.hash_password("a good long passphrase")
    assert hashed.startswith("$argon2id$")
    assert not passwords.needs_rehash(hashed)
    assert passwords.verify(hashed, "a good long passphrase")
    assert not passwords.verify(hashed, "a good long passphrasE")


def test_nfkc_normalisation_on_set_and_check():
    """The same password typed as full-width or composed characters still matches."""
    hashed = passwords.hash_password("ｃａｆé ｌｏｎｇ ｐａｓｓ")  # full-width letters
    assert passwords.verify(hashed, "café long pass")
    assert passwords.verify(hashed, "cafe\u0301 long pass")  # combining accent


def test_weak_parameters_are_detected_for_rehash(real_argon2):
    """A hash made with weaker parameters is flagged so login can upgrade it."""
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("x" * 20)
    assert passwords.needs_rehash(weak)


def test_dummy_hash_costs_the_same_as_a_real_one(real_argon2):
    """The hash checked for unknown usernames uses today's parameters (same cost)."""
    assert not passwords.needs_rehash(passwords._dummy_hash())


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_any_input_gives_a_reason_or_none(text):
    """Any text at all is either accepted or refused with a reason; never an exception."""
    result = problem(text)
    assert result is None or isinstance(result, str)
