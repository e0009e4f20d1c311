"""Benchmark of server.crypto: audit rows/s (batched), verification records/s, recording
encryption throughput relative to raw AES-256-GCM over the same bytes in the same run.

Run: .venv/bin/python bench/crypto.py [--rows 200000] [--mib 128] [--repeat 9]
Results are recorded in docs/security-crypto.md ("Performance").
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from server.crypto.auditchain import AuditEntry, AuditRow, ChainState, SegmentKeys, seal_many
from server.crypto.checkpoints import Checkpoint, TrustedSigners, new_signer
from server.crypto.keys import KeyPurpose, KeyRing, LocalKek, generate_kek
from server.crypto.merkle import FrontierBuilder
from server.crypto.streaming import RecordingWriter, decrypt_to
from server.crypto.verify import VerifyKeys, verify

LOG_ID = "bench"
T0 = 1_767_225_600_000_000


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def best(repeat: int, fn: Callable[[], object]) -> float:
    """Fastest of ``repeat`` runs, in seconds (the least disturbed by other processes)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def entries(n: int) -> list[AuditEntry]:
    return [
        AuditEntry(
            actor=f"account:{i % 500}",
            action="recording.read" if i % 3 else "meeting.admit",
            target=f"meeting:{i // 100}",
            details={"ip": "203.0.113.7", "role": "secretary", "n": i},
        )
        for i in range(n)
    ]


def build_log(
    ring: KeyRing, keys: SegmentKeys, n: int, batch: int, every: int
) -> tuple[list[AuditRow], list[Checkpoint], TrustedSigners]:
    _, signer = new_signer(ring, LOG_ID)
    state = ChainState()
    rows: list[AuditRow] = []
    cps: list[Checkpoint] = []
    items = entries(n)
    for off in range(0, n, batch):
        new, state = seal_many(state, keys, items[off : off + batch], T0 + off)
        rows.extend(new)
        acc = FrontierBuilder(state.frontier)
        if state.seq % every == 0:
            cps.append(signer.sign(state.seq, acc.root(), T0 + off))
    return rows, cps, TrustedSigners.of([signer.public_key_raw])


def bench_audit(rows_n: int, repeat: int) -> None:
    ring = KeyRing(LocalKek(generate_kek()))
    wrapped, dek = ring.new_key(KeyPurpose.AUDIT_SEGMENT)
    keys = SegmentKeys.derive(wrapped.key_id, dek)
    items = entries(rows_n)
    batch = 1000

    def produce() -> None:
        state = ChainState()
        for off in range(0, rows_n, batch):
            _, state = seal_many(state, keys, items[off : off + batch], T0 + off)

    def produce_single() -> None:
        state = ChainState()
        for i in range(rows_n // 10):
            _, state = seal_many(state, keys, items[i : i + 1], T0 + i)

    t = best(repeat, produce)
    print(f"audit append, batches of {batch}: {rows_n / t:,.0f} rows/s  ({rows_n} rows)")
    t = best(repeat, produce_single)
    print(f"audit append, one row per call:  {rows_n // 10 / t:,.0f} rows/s")

    rows, cps, trusted = build_log(ring, keys, rows_n, batch, every=batch)
    vkeys = VerifyKeys(ring, trusted)
    for decrypt in (True, False):

        def run(decrypt: bool = decrypt) -> None:
            report = verify(rows, cps, vkeys, cps[-1], log_id=LOG_ID, decrypt=decrypt)
            assert report.ok, report

        t = best(repeat, run)
        mode = (
            "default, decrypts every row" if decrypt else "decrypt=False: hash, link, MAC, Merkle"
        )
        print(f"audit verify ({mode}): {rows_n / t:,.0f} records/s  ({len(cps)} checkpoints)")


def bench_recording(mib: int, repeat: int) -> None:
    seg = 64 * 1024
    total = mib * 1024 * 1024
    data = os.urandom(total)
    view = memoryview(data)
    dek = generate_kek()
    raw = AESGCM(dek)
    nonce = os.urandom(12)
    ad = b"recording-id/meeting-id"

    def raw_gcm() -> None:
        for off in range(0, total, seg):
            raw.encrypt(nonce, view[off : off + seg], ad)

    def writer(chunk: int, sink: io.BufferedWriter) -> Callable[[], None]:
        def run() -> None:
            sink.seek(0)
            w = RecordingWriter(
                sink, dek, key_id="rec-bench", recording_id="rec-1", meeting_id="m-1"
            )
            for off in range(0, total, chunk):
                w.write(view[off : off + chunk])
            w.close()

        return run

    with open(os.devnull, "wb") as null:
        for chunk in (1 << 20, 32 * 1024, 4 * 1024):
            run = writer(chunk, null)
            t_raw = t_rec = float("inf")
            for _ in range(repeat):  # interleaved, so both see the same machine
                t_raw = min(t_raw, best(1, raw_gcm))
                t_rec = min(t_rec, best(1, run))
            print(
                f"RecordingWriter, {chunk // 1024:>4} KiB writes to /dev/null: "
                f"{total / t_rec / 1e6:,.0f} MB/s; raw AES-256-GCM (64 KiB calls) "
                f"{total / t_raw / 1e6:,.0f} MB/s; ratio {t_raw / t_rec:.2f}"
            )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rec.bin"
        with path.open("wb") as fh:
            t = best(repeat, writer(32 * 1024, fh))
        print(f"RecordingWriter, 32 KiB writes to a file in {tmp}: {total / t / 1e6:,.0f} MB/s")
        ring = KeyRing(LocalKek(generate_kek()))
        wrapped, rdek = ring.new_key(KeyPurpose.RECORDING)
        with path.open("wb") as fh:
            w = RecordingWriter(
                fh, rdek, key_id=wrapped.key_id, recording_id="rec-1", meeting_id="m-1"
            )
            w.write(data)
            w.close()

        def read_all() -> None:
            with path.open("rb") as src, open(os.devnull, "wb") as out:
                decrypt_to(src, out, ring, recording_id="rec-1", meeting_id="m-1")

        t = best(repeat, read_all)
        print(f"decrypt_recording (verify pass + decrypt pass): {total / t / 1e6:,.0f} MB/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--mib", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    print(f"platform: {platform.platform()}")
    print(f"cpu: {cpu_model()} ({os.cpu_count()} logical CPUs)")
    print(f"python: {sys.version.split()[0]} ({platform.python_implementation()})")
    import cryptography

    print(f"cryptography: {cryptography.__version__}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"load average at start: {os.getloadavg()[0]:.2f} (other processes share the CPUs)")
    bench_audit(args.rows, args.repeat)
    bench_recording(args.mib, args.repeat)


if __name__ == "__main__":
    main()
