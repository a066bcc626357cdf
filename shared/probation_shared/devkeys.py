"""A generated RSA key pair for local runs and tests; production verifies against a JWKS URL."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PRIVATE_NAME = "dev-private.pem"
PUBLIC_NAME = "dev-public.pem"


def generate_key_pair() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def ensure_dev_keys(directory: Path) -> tuple[Path, Path]:
    """Create the dev key pair in `directory` once; later calls reuse it."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / PRIVATE_NAME, directory / PUBLIC_NAME
    if not private_path.exists() or not public_path.exists():
        private, public = generate_key_pair()
        private_path.write_bytes(private)
        private_path.chmod(0o600)
        public_path.write_bytes(public)
    return private_path, public_path
