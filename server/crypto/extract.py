"""Signed extracts: selected audit records, decrypted, that an officer can hand over (R6).

An extract is a JSON document::

    {"format": "hopchibo-extract/v1", "body": {...}, "signer": "<fingerprint>",
     "signature": "<base64 Ed25519 over 'hopchibo-extract/v1\\n' + canonical JSON of body>"}

``body`` holds the log id, who issued it, when and why, each record's seq, ts, actor, action,
target, details and entry_hash (hex), and optionally the checkpoint that covered the log then.
Each record was decrypted (proving its binding) and its hash recomputed before it was signed.
The signature is made with the log's checkpoint key, so the officer's copy of that public key
verifies both.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature

from server.crypto.auditchain import AuditRow, JsonValue, SegmentKeys, compute_entry_hash, open_row
from server.crypto.checkpoints import (
    Checkpoint,
    CheckpointSigner,
    TrustedSigners,
    dump_checkpoint,
    parse_checkpoint,
)
from server.crypto.errors import CryptoError, ExtractError
from server.crypto.keys import DekSource, KeyPurpose

FORMAT = "hopchibo-extract/v1"


@dataclass(frozen=True, slots=True)
class ExtractRecord:
    seq: int
    ts: int
    actor: str
    action: str
    target: str
    details: dict[str, JsonValue]
    entry_hash: str


@dataclass(frozen=True, slots=True)
class AuditExtract:
    """A verified extract."""

    log_id: str
    issued_by: str
    issued_at: int
    purpose: str
    records: tuple[ExtractRecord, ...]
    checkpoint: Checkpoint | None
    signer: str


def _canonical(obj: object) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def make_extract(
    rows: Iterable[AuditRow],
    deks: DekSource,
    signer: CheckpointSigner,
    *,
    issued_by: str,
    issued_at: int,
    purpose: str,
    checkpoint: Checkpoint | None = None,
) -> str:
    """Decrypt ``rows``, check each one's binding and hash, and sign the lot.

    Run :func:`server.crypto.verify.verify` over the log first: this checks only the rows given.
    """
    segments: dict[str, SegmentKeys] = {}
    records: list[dict[str, JsonValue]] = []
    for row in rows:
        keys = segments.get(row.key_id)
        if keys is None:
            dek = deks.key(row.key_id, KeyPurpose.AUDIT_SEGMENT)
            keys = segments[row.key_id] = SegmentKeys.derive(row.key_id, dek)
        h = compute_entry_hash(
            row.seq, row.ts, row.key_id.encode(), row.nonce, row.prev_hash, row.ciphertext
        )
        if h != row.entry_hash:
            raise ExtractError(f"row {row.seq}: entry_hash does not match its contents")
        rec = open_row(row, keys)
        records.append(
            {
                "seq": rec.seq,
                "ts": rec.ts,
                "actor": rec.entry.actor,
                "action": rec.entry.action,
                "target": rec.entry.target,
                "details": dict(rec.entry.details),
                "entry_hash": h.hex(),
            }
        )
    body: dict[str, JsonValue] = {
        "log_id": signer.log_id,
        "issued_by": issued_by,
        "issued_at": issued_at,
        "purpose": purpose,
        "records": list(records),
        "checkpoint": None if checkpoint is None else json.loads(dump_checkpoint(checkpoint)),
    }
    signature = signer.sign_bytes(FORMAT.encode() + b"\n" + _canonical(body))
    doc = {
        "format": FORMAT,
        "body": body,
        "signer": signer.fingerprint,
        "signature": base64.b64encode(signature).decode(),
    }
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def verify_extract(text: str, trusted: TrustedSigners) -> AuditExtract:
    """Check an extract's signature against ``trusted`` keys and parse it."""
    try:
        doc = json.loads(text)
        if doc["format"] != FORMAT:
            raise ExtractError(f"unknown extract format {doc['format']!r}")
        body = doc["body"]
        signer = str(doc["signer"])
        signature = base64.b64decode(doc["signature"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        if isinstance(exc, ExtractError):
            raise
        raise ExtractError("malformed extract") from None
    key = trusted.keys.get(signer)
    if key is None:
        raise ExtractError(f"extract signed by unknown key {signer}")
    try:
        key.verify(signature, FORMAT.encode() + b"\n" + _canonical(body))
    except InvalidSignature:
        raise ExtractError("extract signature does not verify") from None
    try:
        records = tuple(
            ExtractRecord(
                seq=int(r["seq"]),
                ts=int(r["ts"]),
                actor=str(r["actor"]),
                action=str(r["action"]),
                target=str(r["target"]),
                details=dict(r["details"]),
                entry_hash=str(r["entry_hash"]),
            )
            for r in body["records"]
        )
        cp_obj = body["checkpoint"]
        checkpoint = None if cp_obj is None else parse_checkpoint(json.dumps(cp_obj))
        return AuditExtract(
            log_id=str(body["log_id"]),
            issued_by=str(body["issued_by"]),
            issued_at=int(body["issued_at"]),
            purpose=str(body["purpose"]),
            records=records,
            checkpoint=checkpoint,
            signer=signer,
        )
    except (KeyError, TypeError, ValueError, CryptoError):
        raise ExtractError("extract body is malformed") from None
