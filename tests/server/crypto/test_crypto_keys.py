"""KEK sources, wrapped keys, rotation and shredding; RFC 6962 hashing."""

from __future__ import annotations

import base64
import dataclasses
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.crypto.errors import KeyFileError, KeyNotFoundError, KeyShreddedError, UnwrapError
from server.crypto.keys import (
    KeyProvider,
    KeyPurpose,
    KeyRing,
    LocalKek,
    create_kek_file,
    ensure_kek_file,
    generate_kek,
    kek_from_base64,
    load_kek_file,
    new_data_key,
    rotate,
    unwrap_key,
)
from server.crypto.merkle import EMPTY_ROOT, MerkleFrontier, leaf_hash, root_of


def test_kek_file_created_0600_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "kek"
    kek = ensure_kek_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_kek_file(path).kek_id == kek.kek_id
    assert load_kek_file(path).kek_id == kek.kek_id
    with pytest.raises(FileExistsError):
        create_kek_file(path)


def test_kek_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kek"
    create_kek_file(path)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="0600"):
        load_kek_file(path)
    with pytest.raises(KeyFileError, match="does not exist"):
        load_kek_file(tmp_path / "missing")


def test_kek_from_environment_value() -> None:
    key = generate_kek()
    kek = kek_from_base64(base64.b64encode(key).decode())
    assert kek.kek_id == LocalKek(key).kek_id
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(KeyFileError):
            kek_from_base64(bad)


def test_repr_and_errors_never_show_key_material() -> None:
    key = generate_kek()
    kek = LocalKek(key)
    ring = KeyRing(kek)
    wrapped, dek = ring.new_key(KeyPurpose.RECORDING)
    for text in (repr(kek), repr(ring), repr(wrapped)):
        assert key.hex() not in text and dek.hex() not in text
        assert base64.b64encode(key).decode() not in text
    assert isinstance(kek, KeyProvider)


def test_wrapped_key_is_bound_to_its_id_and_purpose() -> None:
    kek = LocalKek(generate_kek())
    a, dek_a = new_data_key(kek, KeyPurpose.RECORDING)
    b, _ = new_data_key(kek, KeyPurpose.RECORDING)
    assert unwrap_key(kek, a) == dek_a
    with pytest.raises(UnwrapError):
        unwrap_key(kek, dataclasses.replace(b, wrapped=a.wrapped))
    with pytest.raises(UnwrapError):
        unwrap_key(kek, dataclasses.replace(a, purpose=KeyPurpose.AUDIT_SEGMENT))
    with pytest.raises(UnwrapError):
        unwrap_key(LocalKek(generate_kek()), a)


def test_rotation_rewraps_without_changing_keys_and_is_rerunnable() -> None:
    old, new = LocalKek(generate_kek()), LocalKek(generate_kek())
    pairs = [new_data_key(old, p) for p in KeyPurpose]
    rotated = rotate([w for w, _ in pairs], old, new)
    assert [w.key_id for w in rotated] == [w.key_id for w, _ in pairs]
    assert [unwrap_key(new, w) for w in rotated] == [k for _, k in pairs]
    assert rotate(rotated, old, new) == rotated  # interrupted rotation can run again
    with pytest.raises(UnwrapError):
        unwrap_key(old, rotated[0])


def test_shred_forgets_the_key() -> None:
    ring = KeyRing(LocalKek(generate_kek()))
    wrapped, _ = ring.new_key(KeyPurpose.RECORDING)
    assert wrapped.key_id in ring and len(ring) == 1
    assert ring.shred(wrapped.key_id) == wrapped
    with pytest.raises(KeyShreddedError):
        ring.key(wrapped.key_id, KeyPurpose.RECORDING)
    with pytest.raises(KeyShreddedError):
        ring.add(wrapped)
    with pytest.raises(KeyNotFoundError):
        ring.key("rec-unknown", KeyPurpose.RECORDING)
    other, _ = ring.new_key(KeyPurpose.AUDIT_SEGMENT)
    with pytest.raises(KeyNotFoundError, match="not recording"):
        ring.key(other.key_id, KeyPurpose.RECORDING)


# RFC 6962 test vectors (certificate-transparency merkle_tree_test): leaves and roots 1..8.
CT_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_rfc6962_vectors() -> None:
    leaves = [leaf_hash(bytes.fromhex(x)) for x in CT_LEAVES]
    assert MerkleFrontier().root() == EMPTY_ROOT == root_of([])
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    for n, expected in enumerate(CT_ROOTS, start=1):
        assert root_of(leaves[:n]).hex() == expected
        assert MerkleFrontier.of(leaves[:n]).root().hex() == expected


@settings(max_examples=50, deadline=None)
@given(n=st.integers(0, 200), split=st.integers(0, 200))
def test_frontier_matches_recursive_definition(n: int, split: int) -> None:
    leaves = [leaf_hash(os.urandom(4)) for _ in range(n)]
    k = min(split, n)
    assert MerkleFrontier.of(leaves[:k]).extended(leaves[k:]).root() == root_of(leaves)
