import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "inventory.json"


@pytest.fixture
def example_doc():
    return json.loads(EXAMPLE.read_text())


@pytest.fixture
def example_copy(tmp_path):
    p = tmp_path / "inventory.json"
    shutil.copy(EXAMPLE, p)
    return p


@pytest.fixture(scope="module")
def demo_report():
    """The bundled example inventory evaluated with the whole pack (read-only: do not mutate)."""
    from aiposture import inventory as inv
    from aiposture import pipeline
    from aiposture.engine import Config

    return pipeline.evaluate(inv.load(EXAMPLE), pipeline.Options(), Config())


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """Ed25519 signer key pair (signer.pem, signer.pub.pem), another public key and an RSA key, for the evidence tests."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    d = tmp_path_factory.mktemp("keys")
    key = ed25519.Ed25519PrivateKey.generate()
    (d / "signer.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    (d / "signer.pub.pem").write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    other = ed25519.Ed25519PrivateKey.generate()
    (d / "other.pub.pem").write_bytes(other.public_key().public_bytes(serialization.Encoding.PEM,
                                                                      serialization.PublicFormat.SubjectPublicKeyInfo))
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (d / "rsa.pem").write_bytes(rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    return d
