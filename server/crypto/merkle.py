"""RFC 6962 §2.1 Merkle tree hashing, computed incrementally.

leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right); for n leaves the left
subtree holds the largest power of two smaller than n. The empty tree hashes to SHA-256("").

:class:`MerkleFrontier` keeps only the roots of the perfect subtrees of the current size (one
per set bit, at most 64), so appending is amortised one node hash per leaf and the root of any
prefix is available in O(log n) as the verifier walks the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash."""
    return _sha256(b"\x01" + left + right).digest()


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over already-hashed leaves, by the RFC's recursive definition (reference, O(n))."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = 1 << ((n - 1).bit_length() - 1)  # largest power of two < n
    return node_hash(root_of(leaf_hashes[:k]), root_of(leaf_hashes[k:]))


@dataclass(frozen=True, slots=True)
class MerkleFrontier:
    """Roots of the perfect subtrees covering leaves ``0..size-1``, largest first.

    Invariant: ``len(nodes) == size.bit_count()``. Storable as ``size`` plus the concatenated
    32-byte ``nodes``; rebuildable from the leaf hashes with :meth:`of`.
    """

    size: int = 0
    nodes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.nodes) != self.size.bit_count():
            raise ValueError("frontier nodes do not match its size")
        if any(len(n) != HASH_SIZE for n in self.nodes):
            raise ValueError("frontier nodes must be 32-byte hashes")

    @classmethod
    def of(cls, leaf_hashes: Iterable[bytes]) -> MerkleFrontier:
        acc = FrontierBuilder()
        for h in leaf_hashes:
            acc.append(h)
        return acc.freeze()

    def root(self) -> bytes:
        return fold_root(self.nodes)

    def extended(self, leaf_hashes: Iterable[bytes]) -> MerkleFrontier:
        acc = FrontierBuilder(self)
        for h in leaf_hashes:
            acc.append(h)
        return acc.freeze()


def fold_root(nodes: Sequence[bytes]) -> bytes:
    """Root from a frontier: combine the perfect subtrees from the right (RFC split rule)."""
    if not nodes:
        return EMPTY_ROOT
    acc = nodes[-1]
    for left in reversed(nodes[:-1]):
        acc = _sha256(b"\x01" + left + acc).digest()
    return acc


class FrontierBuilder:
    """Mutable accumulator behind :class:`MerkleFrontier`, for hot loops (verify, batch append)."""

    __slots__ = ("nodes", "size")

    def __init__(self, start: MerkleFrontier | None = None) -> None:
        self.size = start.size if start is not None else 0
        self.nodes: list[bytes] = list(start.nodes) if start is not None else []

    def append(self, leaf: bytes) -> None:
        nodes = self.nodes
        s = self.size
        node = leaf
        while s & 1:
            node = _sha256(b"\x01" + nodes.pop() + node).digest()
            s >>= 1
        nodes.append(node)
        self.size += 1

    def root(self) -> bytes:
        return fold_root(self.nodes)

    def freeze(self) -> MerkleFrontier:
        return MerkleFrontier(self.size, tuple(self.nodes))
