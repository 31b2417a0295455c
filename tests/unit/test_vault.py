"""Provider keys at rest: sealed with the operator's key, refused when tampered with or foreign, rotated."""

from __future__ import annotations

import pytest

from smmpanel.vault import PREFIX, Cipher, SecretError, generate_key, is_encrypted


def test_a_sealed_key_opens_with_the_same_key_only() -> None:
    key = generate_key()
    stored = Cipher(key).encrypt("upstream-secret-123")
    assert stored.startswith(PREFIX) and "upstream-secret-123" not in stored
    assert Cipher(key).decrypt(stored) == "upstream-secret-123"
    with pytest.raises(SecretError, match="wrong key"):
        Cipher(generate_key()).decrypt(stored)


def test_a_tampered_value_is_refused() -> None:
    cipher = Cipher("operator key")
    stored = cipher.encrypt("k")
    tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    with pytest.raises(SecretError):
        cipher.decrypt(tampered)


def test_plaintext_from_before_passes_through_and_rotation_seals_it() -> None:
    cipher = Cipher("new")
    assert cipher.decrypt("legacy-plain") == "legacy-plain"
    assert not is_encrypted("legacy-plain")
    assert cipher.decrypt(cipher.rotate("legacy-plain")) == "legacy-plain"


def test_rotation_moves_every_value_to_the_new_key() -> None:
    old = Cipher("old")
    stored = old.encrypt("k")
    rotated = Cipher(["new", "old"]).rotate(stored)
    assert Cipher("new").decrypt(rotated) == "k"
    with pytest.raises(SecretError):
        old.decrypt(rotated)


def test_no_key_is_a_clear_error() -> None:
    with pytest.raises(SecretError, match="SMMPANEL_SECRET_KEY is not set"):
        Cipher("")
