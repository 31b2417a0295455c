"""Secrets at rest: provider API keys are stored encrypted with the operator's `SMMPANEL_SECRET_KEY`.

Why: an upstream key spends the operator's money at the provider; a leaked database dump (a backup, a
support ticket, a stolen laptop) must not leak it. The key is Fernet (AES-128-CBC + HMAC-SHA256, from the
`cryptography` package): authenticated, so a tampered or foreign value is refused, never decrypted to
garbage. Any text works as `SMMPANEL_SECRET_KEY`; it is stretched to a Fernet key with SHA-256 (a generated
32-byte random key is what `smmpanel secrets generate` prints and what the demo writes beside its database).

Stored values carry a prefix, `fernet:`; a value without it is plaintext from before encryption and is
encrypted in place at start-up (`encrypt_plaintext`). Rotation (`smmpanel secrets rotate --old-key …`)
re-encrypts every value under the new key, accepting both keys while it runs.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from smmpanel.config import get_settings

PREFIX = "fernet:"


class SecretError(ValueError):
    """No key configured, or a stored secret that this key cannot open."""


def generate_key() -> str:
    """A fresh random key for SMMPANEL_SECRET_KEY."""
    return secrets.token_urlsafe(32)


def _fernet(key: str) -> Fernet:
    if not key:
        raise SecretError("SMMPANEL_SECRET_KEY is not set: provider keys cannot be stored or read without it")
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


class Cipher:
    """Encrypts with the first key, decrypts with any of them (the others are old keys, during rotation)."""

    def __init__(self, keys: str | Sequence[str]) -> None:
        keys = [keys] if isinstance(keys, str) else list(keys)
        self._fernet = MultiFernet([_fernet(key) for key in keys] or [_fernet("")])

    def encrypt(self, plaintext: str) -> str:
        return PREFIX + self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, stored: str) -> str:
        if not is_encrypted(stored):
            return stored  # plaintext from before encryption: encrypt_plaintext() will seal it
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise SecretError("a stored provider key cannot be opened with SMMPANEL_SECRET_KEY (wrong key?)") from None

    def rotate(self, stored: str) -> str:
        """The value re-encrypted under the first key (a plaintext value is encrypted)."""
        if not is_encrypted(stored):
            return self.encrypt(stored)
        try:
            return PREFIX + self._fernet.rotate(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise SecretError("a stored provider key cannot be opened with the given keys") from None


def current_key() -> str:
    return get_settings().secret_key


def current() -> Cipher:
    """The cipher of this process's SMMPANEL_SECRET_KEY (SecretError when it is not set)."""
    return Cipher(current_key())


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)
