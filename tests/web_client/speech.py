"""A speech-like WAV for Chromium's fake microphone (``--use-file-for-fake-audio-capture``).

Chromium's own fake microphone beeps: a tone that Opus codes largely in its CELT (music) mode,
which carries no in-band FEC, and nothing a person says sounds like it. This is a crude vowel
synthesiser instead: a glottal pulse train with a wandering pitch, shaped by three formant
resonators per syllable, syllables at about four a second, and pauses between phrases (where
the browser's encoder goes quiet: DTX). Opus classifies it as speech. Deterministic.
"""

from __future__ import annotations

import math
import random
import struct
import wave
from pathlib import Path

RATE = 48_000
#: (F1, F2, F3) in Hz of a, e, i, o, u
VOWELS = (
    (730, 1090, 2440),
    (530, 1840, 2480),
    (270, 2290, 3010),
    (570, 840, 2410),
    (300, 870, 2240),
)
_BANDWIDTH = 90.0


def _resonator(freq: float) -> tuple[float, float, float]:
    """Gain and feedback coefficients of a two-pole resonator at ``freq``."""
    r = math.exp(-math.pi * _BANDWIDTH / RATE)
    b1 = 2 * r * math.cos(2 * math.pi * freq / RATE)
    b2 = -r * r
    return 1 - r, b1, b2


def speech_samples(seconds: float, seed: int = 7) -> list[int]:
    rng = random.Random(seed)
    out: list[int] = []
    total = int(seconds * RATE)
    state = [[0.0, 0.0] for _ in range(3)]
    phase = 0.0
    while len(out) < total:
        # a phrase of 4-9 syllables, then a pause
        for _ in range(rng.randint(4, 9)):
            length = int(rng.uniform(0.15, 0.28) * RATE)
            filters = [_resonator(f * rng.uniform(0.93, 1.07)) for f in rng.choice(VOWELS)]
            f0_start, f0_end = rng.uniform(105, 150), rng.uniform(95, 145)
            for i in range(length):
                envelope = math.sin(math.pi * i / length) ** 0.6
                f0 = f0_start + (f0_end - f0_start) * i / length
                phase += f0 / RATE
                source = 0.0
                if phase >= 1.0:
                    phase -= 1.0
                    source = 1.0
                source += rng.uniform(-0.03, 0.03)  # aspiration
                value = 0.0
                for (gain, b1, b2), s in zip(filters, state, strict=True):
                    y = gain * source + b1 * s[0] + b2 * s[1]
                    s[1], s[0] = s[0], y
                    value += y
                out.append(round(max(-1.0, min(1.0, 5.5 * envelope * value)) * 32767 * 0.5))
        pause = int(rng.uniform(0.3, 0.8) * RATE)
        out.extend(rng.randint(-3, 3) for _ in range(pause))
        state = [[0.0, 0.0] for _ in range(3)]
    return out[:total]


def write_speech_wav(path: Path, seconds: float = 12.0) -> Path:
    samples = speech_samples(seconds)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path
