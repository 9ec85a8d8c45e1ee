"""A provider's signature on a certificate: Ed25519 over its digest (the ``cryptography`` package).

    python -m conformance keygen provider.pem        # a new private key (keep it); prints its id
    python -m conformance sign reports/<target>/conformance-report.yaml --key provider.pem

The digest covers everything in the certificate but the digest and the signature, so a signed
certificate that is edited no longer verifies, and ``verify`` says which public key signed it. The
key id is the start of the SHA-256 of the raw public key, as a reader can compute it from the key
the provider publishes.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

ALGORITHM = "Ed25519"


class SigningError(Exception):
    """The key cannot be read or is not an Ed25519 private key."""


def key_id(public_raw: bytes) -> str:
    return "ed25519:" + hashlib.sha256(public_raw).hexdigest()[:16]


def new_key(path: Path) -> str:
    """Write a new Ed25519 private key (PEM, PKCS#8, unencrypted) to ``path``; its key id."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.write_bytes(pem)
    path.chmod(0o600)
    return key_id(_raw_public(private))


def sign(certificate: dict[str, Any], private_key_pem: bytes) -> dict[str, Any]:
    """The certificate with a signature over its digest (which must be current)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        private = serialization.load_pem_private_key(private_key_pem, password=None)
    except (ValueError, TypeError) as error:
        raise SigningError(f"not a readable unencrypted PEM private key ({error})") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningError(f"the key is {type(private).__name__}, not Ed25519")
    public = _raw_public(private)
    return {
        **certificate,
        "signature": {
            "algorithm": ALGORITHM,
            "keyId": key_id(public),
            "publicKey": base64.b64encode(public).decode(),
            "value": base64.b64encode(private.sign(certificate["digest"].encode())).decode(),
        },
    }


def signed_by(certificate: dict[str, Any]) -> tuple[str | None, str | None]:
    """(key id, None) for a valid signature, (None, why) for an invalid one, (None, None) unsigned."""
    signature = certificate.get("signature")
    if signature is None:
        return None, None
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        public = base64.b64decode(signature["publicKey"], validate=True)
        value = base64.b64decode(signature["value"], validate=True)
        Ed25519PublicKey.from_public_bytes(public).verify(value, certificate["digest"].encode())
    except (KeyError, TypeError, ValueError, InvalidSignature):
        return None, "the signature does not match the certificate (edited, or signed with another key)"
    if signature.get("keyId") != key_id(public):
        return None, "the signature's keyId is not its public key's"
    return key_id(public), None


def _raw_public(private: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
