"""A member on a thin downlink (issue #16): a Chromium member whose downlink is capped at
256 kbit/s in a meeting with four video publishers, with the relay's per-subscriber adaptation
on and off, in one run.

    .venv/bin/python -m bench.adapt                 # adaptation on, then off (~4 min)
    .venv/bin/python -m bench.adapt --only on --window 10

Each row starts the real server (SQLite, loopback candidate), two Debian Chromium browsers
signed in for real (the chair, unshaped, and the member behind the userspace shaper
``tests/impair.py``; both microphones play speech-like audio) and four aiortc publishers that
send noise cameras to the meeting's relay (``tests/web_client/thin_link.py``). It measures a
window before the cap, a window under the cap (after ``--settle`` seconds), and how long after
the cap lifts the member decodes as many frames a second as before. Figures: the member's
received frame rate and video bitrate, its concealment of the chair's audio
(``concealedSamples / totalSamplesReceived``), the chair's received frame rate (the other
members'), and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

from bench.sea import Meeting, machine
from server import appkeys
from tests.backends import SqliteTemplate
from tests.web_client.speech import write_speech_wav
from tests.web_client.test_meeting_browser import until
from tests.web_client.thin_link import Publishers, describe, thin_link


async def run(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}")
    print(f"started: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    with tempfile.TemporaryDirectory(prefix="bench-adapt-") as tmp:
        root = Path(tmp)
        template = SqliteTemplate(root)
        speech = write_speech_wav(root / "speech.wav")
        async with async_playwright() as pw:
            for n, label in enumerate(("on", "off")):
                if args.only and label != args.only:
                    continue
                meeting = Meeting(
                    root / f"m{n}",
                    template,
                    fec=True,
                    red=True,
                    speech=speech,
                    adaptation=label == "on",
                )
                publishers: Publishers | None = None
                try:
                    await meeting.start(pw)
                    live = meeting.app[appkeys.LIVE].get(meeting.meeting_id)
                    assert live is not None
                    publishers = Publishers(live.relay)
                    await publishers.start()

                    await until("the publishers' video at the relay", publishers.flowing, 60)
                    await asyncio.sleep(args.settle)
                    result = await thin_link(
                        meeting.chair,
                        meeting.member,
                        live.relay,
                        meeting.shaper,
                        window_seconds=args.window,
                        settle_seconds=args.settle,
                    )
                    print(
                        f"adaptation {label}: {describe(label, result)} | "
                        f"load {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
                finally:
                    if publishers is not None:
                        await publishers.close()
                    await meeting.close()
    print(f"machine after: {machine()}")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("on", "off"))
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--settle", type=float, default=10.0)
    parser.add_argument(
        "--trace", action="store_true", help="log each subscriber's estimate and plan each second"
    )
    args = parser.parse_args()
    if args.trace:
        logging.getLogger("server.media.relay").setLevel(logging.DEBUG)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
