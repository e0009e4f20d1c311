"""Who is forwarded to whom: active-speaker detection and slot assignment. Pure, no I/O.

Audio levels are RFC 6464 values (``-dBov``: 0 is the loudest, 127 silence) read from each RTP
packet's header extension, so speakers are found without decoding. Loudness below is
``127 - level``, averaged in the dB domain.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

#: how often the relay re-ranks speakers and re-assigns slots, in seconds
TICK_SECONDS = 0.25
#: weight of the newest tick in the smoothed loudness (exponential moving average)
SMOOTHING = 0.6
#: a participant speaks while the smoothed loudness is at least this (127 - 50: -50 dBov)
SPEECH_LOUDNESS = 77.0
#: a speaker stays active until this many dB below the speech threshold (against flapping)
HYSTERESIS_DB = 6.0
#: the dominant (first-ranked) speaker is only overtaken by someone this many dB louder
DOMINANT_BONUS_DB = 6.0


@dataclass(slots=True)
class _Voice:
    total: float = 0.0
    count: int = 0
    loudness: float = 0.0
    last_spoke: float | None = None


@dataclass(slots=True)
class SpeakerDetector:
    """Ranks publishers by recent speech. Feed it levels, call :meth:`update` once per tick."""

    _voices: dict[str, _Voice] = field(default_factory=dict)
    _active: tuple[str, ...] = ()

    @property
    def active(self) -> tuple[str, ...]:
        """Speaking now, loudest (with hysteresis) first."""
        return self._active

    def observe(self, participant_id: str, level: int) -> None:
        """One RTP packet's audio level (0 loudest … 127 silence). Called per packet: cheap."""
        voice = self._voices.get(participant_id)
        if voice is None:
            voice = self._voices[participant_id] = _Voice()
        voice.total += 127 - min(max(level, 0), 127)
        voice.count += 1

    def forget(self, participant_id: str) -> None:
        self._voices.pop(participant_id, None)
        self._active = tuple(p for p in self._active if p != participant_id)

    def loudness(self, participant_id: str) -> float:
        voice = self._voices.get(participant_id)
        return 0.0 if voice is None else voice.loudness

    def update(self, now: float) -> tuple[str, ...]:
        """Close the tick: smooth the loudness, re-rank, return the active speakers.

        A publisher that sent no audio packets in the tick (muted, or no audio-level extension)
        counts as silent.
        """
        previous = set(self._active)
        dominant = self._active[0] if self._active else None
        scored: list[tuple[float, str]] = []
        for pid, voice in self._voices.items():
            tick = voice.total / voice.count if voice.count else 0.0
            voice.loudness = SMOOTHING * tick + (1 - SMOOTHING) * voice.loudness
            voice.total, voice.count = 0.0, 0
            was_active = pid in previous
            threshold = SPEECH_LOUDNESS - (HYSTERESIS_DB if was_active else 0.0)
            if voice.loudness >= threshold:
                bonus = DOMINANT_BONUS_DB if pid == dominant else 0.0
                scored.append((voice.loudness + bonus, pid))
                voice.last_spoke = now
        scored.sort(key=lambda item: (-item[0], item[1]))
        self._active = tuple(pid for _, pid in scored)
        return self._active

    def ranking(self, join_order: Sequence[str]) -> list[str]:
        """``join_order`` re-ordered: active speakers, then most recent speakers, then the rest."""
        active = [p for p in self._active if p in set(join_order)]
        seen = set(active)
        index = {pid: i for i, pid in enumerate(join_order)}

        def recency(pid: str) -> tuple[float, int]:
            voice = self._voices.get(pid)
            spoke = voice.last_spoke if voice is not None else None
            return (-(spoke if spoke is not None else float("-inf")), index[pid])

        rest = sorted((p for p in join_order if p not in seen), key=recency)
        return active + rest


def video_candidates(
    pinned: Sequence[str],
    ranking: Sequence[str],
    publishers: Collection[str],
    stale: Collection[str],
) -> list[str]:
    """Video sources in priority order: pinned, then by speaker ranking; stale video last.

    ``publishers`` publish video; ``stale`` sent no video recently (camera off) and are only
    used when nothing better is left. Pinned sources are kept even when stale.
    """
    out = [p for p in dict.fromkeys(pinned) if p in publishers]
    seen = set(out)
    fresh = [p for p in ranking if p in publishers and p not in seen and p not in stale]
    out += fresh
    seen.update(fresh)
    out += [p for p in ranking if p in publishers and p not in seen]
    return out


def desired_sources(candidates: Iterable[str], subscriber: str, slots: int) -> list[str]:
    """The first ``slots`` candidates other than the subscriber."""
    out: list[str] = []
    for pid in candidates:
        if len(out) == slots:
            break
        if pid != subscriber:
            out.append(pid)
    return out


def assign_slots(current: Sequence[str | None], desired: Sequence[str]) -> tuple[str | None, ...]:
    """New slot sources: a source that stays desired keeps its slot; newcomers fill the gaps.

    Keeping slots stable avoids needless switches (each video switch costs a keyframe).
    """
    wanted = set(desired)
    kept: list[str | None] = [s if s in wanted else None for s in current]
    placed = {s for s in kept if s is not None}
    newcomers = iter([d for d in desired if d not in placed])
    return tuple(s if s is not None else next(newcomers, None) for s in kept)
