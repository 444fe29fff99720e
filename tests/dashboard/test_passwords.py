"""Dashboard passwords: scrypt hashes in the config file, checked in constant time."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from monitor.config import Settings
from monitor.db.repositories.users import hash_password, verify_password


def test_hash_and_verify() -> None:
    encoded = hash_password("correct horse", n=2**10)
    assert encoded.startswith("scrypt$1024$8$1$")
    assert verify_password("correct horse", encoded)
    assert not verify_password("correct horse ", encoded)
    assert hash_password("correct horse", n=2**10) != encoded  # salted


@pytest.mark.parametrize("encoded", [
    "", "plain", "scrypt$1$8$1$AAAA$AAAA", "scrypt$x$8$1$AAAA$AAAA", "md5$1024$8$1$AAAA$AAAA",
    "scrypt$2097152$8$1$AAAA$AAAA", "scrypt$1024$8$1$@@@$AAAA",
])
def test_malformed_hashes_never_verify(encoded: str) -> None:
    assert not verify_password("anything", encoded)


def test_config_refuses_a_password_in_clear() -> None:
    with pytest.raises(ValidationError, match="scrypt hash"):
        Settings(api={"users": [{"name": "nadia", "password_hash": "hunter2"}]})
    ok = Settings(api={"users": [{"name": "nadia", "password_hash": hash_password("x", n=16)}]})
    assert ok.api.users[0].scopes == ["read", "write", "admin"]
