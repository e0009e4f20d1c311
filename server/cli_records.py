"""``hopchibo audit verify|checkpoint|export-key``, ``hopchibo keys rotate``,
``hopchibo records retention|encrypt-documents`` (R6, R7).

Exit codes: 0 success; 1 verification failed (the first bad seq and its kind are printed);
2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from server.audit import AuditLog
from server.auth import factors
from server.conduct import documents
from server.config import Settings
from server.crypto.checkpoints import (
    Checkpoint,
    CheckpointFormatError,
    load_checkpoints,
    parse_checkpoint,
    parse_public_key_text,
)
from server.crypto.errors import CryptoError
from server.crypto.keys import LocalKek, read_kek_file
from server.kek import load_or_create_kek
from server.records.data_keys import rotate_kek
from server.records.recordings import RecordingService
from server.records.retention import shred_expired
from server.records.settings import audit_options, key_provider, recordings_dir, witness_dir
from server.storage.db import Database, Session

COMMANDS = frozenset({"audit", "keys", "records"})


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="the sealed audit log")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    verify = asub.add_parser("verify", help="check signatures, sequence, chain, Merkle roots")
    verify.add_argument(
        "--checkpoint",
        type=Path,
        action="append",
        default=[],
        help="a checkpoint file (or a directory of them) kept off the server",
    )
    verify.add_argument(
        "--trusted-key", type=Path, help="the officer's copy of the signing public key"
    )
    verify.add_argument("--no-decrypt", action="store_true", help="skip the AES-GCM binding")
    verify.add_argument(
        "--no-witness",
        action="store_true",
        help="do not check against the witness directory (records.witness_dir)",
    )
    asub.add_parser("checkpoint", help="sign and export a checkpoint now")
    asub.add_parser("export-key", help="print the checkpoint signing public key")
    keys = sub.add_parser("keys", help="data keys")
    ksub = keys.add_subparsers(dest="keys_command", required=True)
    rot = ksub.add_parser(
        "rotate", help="rewrap every data key under a new KEK (stop the server first)"
    )
    rot.add_argument("--new-kek-file", type=Path, required=True)
    records = sub.add_parser("records", help="recordings and meeting documents")
    rsub = records.add_subparsers(dest="records_command", required=True)
    rsub.add_parser("retention", help="shred recordings past security.recording_retention_days")
    rsub.add_parser(
        "encrypt-documents",
        help="encrypt meeting documents stored in clear before migration 0005 (the server "
        "also does at start-up)",
    )


def _kept(paths: list[Path]) -> list[Checkpoint]:
    out: list[Checkpoint] = []
    for p in paths:
        if p.is_dir():
            out.extend(load_checkpoints(p))
        else:
            out.append(parse_checkpoint(p.read_text(encoding="utf-8")))
    return out


async def run(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.database_url)
    try:
        audit = AuditLog(db, key_provider(settings), options=audit_options(settings))
        return await _run(settings, args, db, audit)
    except (CheckpointFormatError, CryptoError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        await db.close()


async def _run(settings: Settings, args: argparse.Namespace, db: Database, audit: AuditLog) -> int:
    if args.command == "audit":
        if args.audit_command == "export-key":
            print(await audit.public_key(), end="")
            return 0
        if args.audit_command == "checkpoint":
            cp = await audit.checkpoint()
            if cp is None:
                print("no new rows since the last checkpoint")
            else:
                print(f"checkpoint {cp.log_id} size {cp.size} root {cp.root.hex()}")
            return 0
        trusted = None
        if args.trusted_key is not None:
            trusted = [parse_public_key_text(args.trusted_key.read_text(encoding="utf-8"))]
        witness = None if args.no_witness else witness_dir(settings)
        witnessed = load_checkpoints(witness) if witness is not None and witness.is_dir() else []
        report = await audit.verify(
            _kept(args.checkpoint) + witnessed, trusted, decrypt=not args.no_decrypt
        )
        stored = await audit.latest_checkpoint()
        if report.ok and witness is not None and not witnessed and stored is not None:
            # the database holds signed checkpoints the witness never saw: it was emptied,
            # or is not the directory the server writes to
            print(f"FAILED: witness {witness} holds no checkpoint of this log")
            return 1
        if report.ok:
            print(
                f"OK: {report.rows_checked} records; signed checkpoints cover "
                f"{report.verified_size}"
                + (f"; witness {witness}: {len(witnessed)} checkpoint(s)" if witness else "")
            )
            return 0
        print(
            f"FAILED at seq {report.first_bad_seq}: {report.kind}: {report.message} "
            f"({report.failure_count} failure(s))"
        )
        for f in report.failures[1:20]:
            print(f"  seq {f.seq}: {f.kind}: {f.message}")
        return 1
    if args.command == "keys":
        new_bytes = read_kek_file(args.new_kek_file)  # must exist: never created here
        new = LocalKek(new_bytes)
        old_bytes = load_or_create_kek(settings.kek_path, settings.keys.kek)

        async def reseal_totp(session: Session) -> int:
            return await factors.reseal_all(session, old_bytes, new_bytes)

        result = await rotate_kek(db, audit.provider, new, also=reseal_totp)
        print(
            f"rewrapped {result.rewrapped} key(s) ({result.unchanged} already under the new KEK), "
            f"re-sealed {result.resealed} second-factor secret(s): "
            f"{result.old_kek_id} -> {result.new_kek_id}\n"
            f"Now point keys.kek_file (HOPCHIBO_KEYS_KEK_FILE) at {args.new_kek_file}, restart, "
            "then destroy the old KEK file."
        )
        return 0
    if args.records_command == "encrypt-documents":
        sealed = await documents.encrypt_legacy(db, audit, "system:encrypt-documents")
        print(f"encrypted {sealed} document(s) stored in clear")
        return 0
    service = RecordingService(db, audit, recordings_dir(settings))
    shredded = await shred_expired(
        db,
        service,
        settings.security.recording_retention_days,
        dt.datetime.now(dt.UTC),
        "system:retention",
    )
    print(f"shredded {len(shredded)} recording(s) past retention")
    for rid in shredded:
        print(f"  {rid}")
    return 0
