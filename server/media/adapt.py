"""Per-subscriber adaptation: how much a subscriber's downlink carries, and what to send it.
Pure: no clock, no I/O (the relay feeds it once a second, ``docs/media.md``).

:class:`DownlinkEstimator` turns what the subscriber reports into an estimate of its downlink:
the ``fraction lost`` of its RTCP receiver reports. Loss above ``LOSS_HIGH`` sets the estimate
below what got through; a clean link lets it grow, quickly (×2 a second) unless loss was seen
recently (×1.1), so that a lifted cap is found in seconds and a hard one is not probed every
second, and to at most four times what was sent. Chromium's REMB is not used: it stayed at
300 kbit/s while 1.3 Mbit/s arrived without loss, and at 8 kbit/s in another run (measured;
the relay logs it).

:class:`Adaptation` picks a :class:`Plan` that fits the estimate, from the bitrates the relay
measures of the very sources it would forward: all video slots, then fewer, then a lower frame
rate of the one video left (the base temporal layer of a VP8 L1T3 publisher, otherwise keyframes
only, one every few seconds), then audio only. Audio is never reduced: it is what remains. It
steps down at once and climbs only after ``HOLD_UP`` seconds, with more headroom.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

#: reported loss at or above which the downlink is over-full; below ``LOSS_LOW`` it is clean
LOSS_HIGH = 0.05
LOSS_LOW = 0.02
#: beyond the link's own loss, a report's excess is congestion from this many binomial standard
#: deviations (over the packets it covers) and clean below this many
NOISE_HIGH = 3.0
NOISE_LOW = 1.5
#: audio only for this long (s) before its loss is taken as the link's own: the queue of the
#: video before has drained and the reports about it have come
MINIMAL_SETTLE = 2.0
#: how fast the link's own loss (``DownlinkEstimator.link_loss``) is learnt, per report
LINK_LOSS_WEIGHT = 0.5
#: the estimate stays in these bounds (bit/s)
MIN_BPS = 30_000
MAX_BPS = 20_000_000
START_BPS = 1_500_000
"""Where a new subscriber starts (a few videos); a clean link doubles it each second."""
#: after a loss, climb slowly for this long (a hard cap is not probed every second)
CAUTIOUS_SECONDS = 4.0
FAST_GROWTH = 2.0
SLOW_GROWTH = 1.1
#: a clean link's estimate grows to at most this many times what was sent, plus the slack
#: (enough to try the next plan: keyframes only to a full video is a fourfold step)
GROWTH_BOUND = 4.0
GROWTH_SLACK = 300_000
#: clean for this long before growing
CLEAN_SECONDS = 1.0
#: the share of the estimate a plan may use: stepping down, and (more margin) climbing back
HEADROOM_DOWN = 0.9
HEADROOM_UP = 0.75
#: a better plan is taken only after the current one held this long
HOLD_UP = 2.0
#: keyframes-only video: one keyframe every so many seconds, at least and at most
MIN_KEYFRAME_PERIOD = 1.0
MAX_KEYFRAME_PERIOD = 5.0


class FrameRate(enum.IntEnum):
    """What a video slot forwards of its source's frames."""

    KEYFRAMES = 0
    """Keyframes only (the relay asks for one every ``Plan.keyframe_period`` seconds)."""
    BASE = 1
    """The base temporal layer (TL0) of a layered VP8 source: a quarter of its frame rate."""
    FULL = 2


class Level(enum.Enum):
    """What a member is told about the video it receives (``docs/protocol.md``, ``slots``)."""

    FULL = "full"
    FEWER_VIDEOS = "fewer_videos"
    LOW_FRAME_RATE = "low_frame_rate"
    AUDIO_ONLY = "audio_only"


@dataclass(frozen=True, slots=True)
class Plan:
    video_slots: int
    """Video slots fed (the first ones in the subscriber's order); 0: audio only."""
    frame_rate: FrameRate = FrameRate.FULL
    keyframe_period: float = 0.0
    """Seconds between keyframes asked for, with ``FrameRate.KEYFRAMES``."""
    level: Level = Level.FULL

    @property
    def rank(self) -> tuple[int, int]:
        """Larger is more video."""
        return (self.video_slots, int(self.frame_rate) if self.video_slots else 0)


FULL_PLAN = Plan(video_slots=1_000)
"""No reduction (the relay fills every slot it has)."""
AUDIO_ONLY = Plan(video_slots=0, frame_rate=FrameRate.KEYFRAMES, level=Level.AUDIO_ONLY)


@dataclass(frozen=True, slots=True)
class SourceRate:
    """What one video source costs a subscriber, as the relay measured it."""

    full_bps: float
    base_bps: float | None = None
    """Its base temporal layer (TL0) alone; ``None``: the source sends no temporal layers."""
    keyframe_bits: float = 0.0
    """The size of its recent keyframes (0: none seen)."""


class DownlinkEstimator:
    """A subscriber's downlink, in bit/s, from its reports (see the module docstring)."""

    __slots__ = ("_clean_since", "_last_loss_at", "_minimal_since", "estimate", "link_loss")

    def __init__(self, start_bps: float = START_BPS) -> None:
        self.estimate = float(start_bps)
        self.link_loss = 0.0
        """Loss that stays when the relay sends the least it can (audio only): the link's own
        (a lossy radio), not a full queue; what is above it counts as congestion."""
        self._clean_since: float | None = None
        self._last_loss_at: float | None = None
        self._minimal_since: float | None = None

    def update(
        self,
        now: float,
        sent_bps: float,
        loss: float | None,
        minimal: bool = False,
        packets: int | None = None,
    ) -> float:
        """One interval: ``sent_bps`` the relay sent, ``loss`` (0–1) the subscriber reported
        over it (``None``: no report) on about ``packets`` packets; ``minimal``: the relay sent
        audio only (what loss remains then, once the queue of before has drained, is the link's
        own)."""
        if not minimal:
            self._minimal_since = None
        elif self._minimal_since is None:
            self._minimal_since = now
        high, low = LOSS_HIGH, LOSS_LOW
        if loss is not None:
            if packets:
                # a link that loses 20 % at random reads 12 % or 28 % over some fifty packets:
                # swings within the binomial spread are the link's own, not a full queue
                spread = math.sqrt(self.link_loss * (1 - self.link_loss) / packets)
                high, low = max(high, NOISE_HIGH * spread), max(low, NOISE_LOW * spread)
            settled = minimal and now - cast(float, self._minimal_since) >= MINIMAL_SETTLE
            # learnt at the minimum, and from reports within the spread of it (both ways, or
            # the lucky ones alone would pull it down); without a packet count, only downwards
            within = abs(loss - self.link_loss) < high if packets else loss < self.link_loss
            if settled or (within and not minimal):
                self.link_loss = LINK_LOSS_WEIGHT * loss + (1 - LINK_LOSS_WEIGHT) * self.link_loss
            loss = max(0.0, loss - self.link_loss)
        through = sent_bps * (1.0 - loss) if loss is not None else sent_bps
        if loss is not None and loss >= high and through < MIN_BPS:
            # next to nothing got through: an outage (a cut, a path change), not a full queue;
            # what the link carries is unknown, so the estimate holds
            self._clean_since = None
        elif loss is not None and loss >= high:
            self.estimate = max(MIN_BPS, min(self.estimate, through) * HEADROOM_DOWN)
            self._last_loss_at = now
            self._clean_since = None
        elif loss is None or loss < low:
            if self._clean_since is None:
                self._clean_since = now
            elif now - self._clean_since >= CLEAN_SECONDS:
                cautious = (
                    self._last_loss_at is not None and now - self._last_loss_at < CAUTIOUS_SECONDS
                )
                grown = self.estimate * (SLOW_GROWTH if cautious else FAST_GROWTH)
                # never far above what was tried: a runaway estimate (17 Mbit/s while 1.3 were
                # sent, measured) would let the next plan flood the link
                self.estimate = max(
                    self.estimate, min(MAX_BPS, grown, GROWTH_BOUND * sent_bps + GROWTH_SLACK)
                )
        else:
            self._clean_since = None
        return self.estimate


def plan_for(
    budget_bps: float, audio_bps: float, sources: Sequence[SourceRate], max_slots: int
) -> Plan:
    """The most video that fits ``budget_bps`` besides the audio: ``sources`` are the videos
    the subscriber would get, best first (at most ``max_slots`` are used)."""
    n = min(max_slots, len(sources))
    if n == 0:
        return FULL_PLAN
    video_budget = budget_bps - audio_bps
    for k in range(n, 0, -1):
        if sum(s.full_bps for s in sources[:k]) <= video_budget:
            return Plan(k, level=Level.FULL if k == n else Level.FEWER_VIDEOS)
    top = sources[0]
    if top.base_bps is not None and top.base_bps <= video_budget:
        return Plan(1, FrameRate.BASE, level=Level.LOW_FRAME_RATE)
    if top.keyframe_bits > 0 and top.keyframe_bits / MAX_KEYFRAME_PERIOD <= video_budget:
        period = min(
            MAX_KEYFRAME_PERIOD, max(MIN_KEYFRAME_PERIOD, top.keyframe_bits / video_budget)
        )
        return Plan(1, FrameRate.KEYFRAMES, period, Level.LOW_FRAME_RATE)
    return AUDIO_ONLY


class Adaptation:
    """The plan for one subscriber: down at once, up only after ``HOLD_UP`` seconds and with
    ``HEADROOM_UP`` of the estimate."""

    __slots__ = ("_changed_at", "estimator", "plan")

    def __init__(self, estimator: DownlinkEstimator | None = None) -> None:
        self.estimator = estimator or DownlinkEstimator()
        self.plan = FULL_PLAN
        self._changed_at: float | None = None

    def update(
        self,
        now: float,
        *,
        sent_bps: float,
        loss: float | None,
        audio_bps: float,
        sources: Sequence[SourceRate],
        max_slots: int,
        packets: int | None = None,
    ) -> Plan:
        estimate = self.estimator.update(
            now, sent_bps, loss, minimal=self.plan.video_slots == 0, packets=packets
        )
        down = plan_for(estimate * HEADROOM_DOWN, audio_bps, sources, max_slots)
        current = self._normalise(self.plan, sources, max_slots)
        held = self._changed_at is None or now - self._changed_at >= HOLD_UP
        if down.rank < current.rank or (
            down.rank == current.rank and down.keyframe_period > self.plan.keyframe_period
        ):
            self._set(down, now)  # less video: at once
        elif (
            held
            and (up := plan_for(estimate * HEADROOM_UP, audio_bps, sources, max_slots))
            and (
                up.rank > current.rank
                or (up.rank == current.rank and up.keyframe_period < self.plan.keyframe_period)
            )
        ):
            self._set(up, now)
        elif down.rank == current.rank and down.frame_rate is FrameRate.FULL:
            self.plan = down  # the same video (fewer sources than slots): its name
        return self.plan

    def _set(self, plan: Plan, now: float) -> None:
        self.plan = plan
        self._changed_at = now

    @staticmethod
    def _normalise(plan: Plan, sources: Sequence[SourceRate], max_slots: int) -> Plan:
        """The plan's effective rank when fewer sources exist than it allows."""
        n = min(max_slots, len(sources))
        if plan.video_slots >= n and plan.frame_rate is FrameRate.FULL:
            return Plan(n, level=Level.FULL)
        return plan
