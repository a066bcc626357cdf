"""Endpoint secrets at rest: Fernet tokens under keys from the settings (MultiFernet, so rotatable)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet


class SecretVault:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def reencrypt(self, token: str) -> str:
        """The same secret under the first (current) key."""
        return self._fernet.rotate(token.encode()).decode()


@lru_cache(maxsize=8)
def vault_for(keys: tuple[str, ...]) -> SecretVault:
    return SecretVault(list(keys))
