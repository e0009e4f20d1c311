"""Per-subscriber adaptation: how much a subscriber's downlink carries, and what to send it.
Pure: no clock, no I/O (the relay feeds it once a second, ``docs/media.md``).

:class:`DownlinkEstimator` turns what the subscriber reports into an estimate of its downlink:
the ``fraction lost`` of its RTCP receiver reports. Loss above ``LOSS_HIGH`` sets the estimate
below what got through; a clean link lets it grow, quickly (×2 a second) unless loss was seen
recently (×1.1), so that a lifted cap is found in seconds and a hard one is not probed every
second, and to at most four times what was sent. A subscriber whose video is reduced grows
only by probes instead (:attr:`DownlinkEstimator.probe_bps`): the relay fills its link with
padding for half a second, and a probe whose padding and reports come back clean raises the
estimate to most of its rate. Chromium's REMB is not used: it stayed at
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
#: a reduced subscriber (``wanted_bps``) grows only by probes (``probe.py``): its estimate rises
#: to this share of a probe's rate once the reports after it are clean (less than all of it:
#: the link's queue takes in part of a short probe above its rate without a loss)
PROBE_PASSED = 0.8
#: a probe fills the link to this many times the estimate; after one that overflowed, to
#: ``PROBE_STEP_CAUTIOUS`` times until one passes; after two passed in a row, ``PROBE_STEP_OPEN``
PROBE_STEP = 2.0
PROBE_STEP_CAUTIOUS = 1.3
PROBE_STEP_OPEN = 3.0
#: how long a probe fills the link (s, within the second the relay measures)
PROBE_SECONDS = 0.5
#: after a probe that overflowed, the next waits this long, doubling up to ``PROBE_WAIT_MAX``
PROBE_WAIT = 1.0
PROBE_WAIT_MAX = 4.0
#: a probe stops once this much more of its padding is NACKed than the link loses anyway
PROBE_STOP_MARGIN = 0.1
#: loss reported this soon after a probe (s) is the probe's: reports lag what was sent
PROBE_BLAME = 2.5
#: a probe has passed when its reports are clean this long (s) after it ended and a round
#: trip: a receiver NACKs a dropped packet within a few milliseconds of the next one
PROBE_MARGIN = 0.3
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

    __slots__ = (
        "_clean_since",
        "_last_loss_at",
        "_minimal_since",
        "_probe_after",
        "_probe_padded",
        "_probe_wait",
        "_probed",
        "_rtt",
        "_streak",
        "estimate",
        "link_loss",
        "probe_bps",
        "probes",
        "probes_failed",
    )

    def __init__(self, start_bps: float = START_BPS) -> None:
        self.estimate = float(start_bps)
        self.probe_bps: float | None = None
        """Fill the link to this rate (bit/s, media included) for ``PROBE_SECONDS`` now
        (``probe.py``); ``None``: no probe."""
        self.probes = 0
        self.probes_failed = 0
        self._probed: tuple[float, float] | None = None  # (when, rate) of the last probe
        self._probe_wait = 0.0
        self._probe_after = 0.0
        self._probe_padded = 0  # padding packets the last probe sent, as reported
        self._streak = 0  # probes passed in a row
        self._rtt = 0.0
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
        wanted_bps: float | None = None,
        probe_loss: tuple[int, int] | None = None,
        rtt: float = 0.0,
    ) -> float:
        """One interval: ``sent_bps`` the relay sent, ``loss`` (0–1) the subscriber reported
        over it (``None``: no report) on about ``packets`` packets; ``minimal``: the relay sent
        audio only (what loss remains then, once the queue of before has drained, is the link's
        own). ``wanted_bps``: the subscriber's video is reduced and this would carry all of it;
        the estimate then grows only by probes (:attr:`probe_bps`), to at most this;
        ``probe_loss``: (NACKed, sent) padding packets of the probe over the interval: a share
        beyond the link's own loss failed it at once, and a probe that sent nothing passes
        nothing; ``rtt``: the round trip (s), after which its reports about a probe have come."""
        self.probe_bps = None  # sent (or not) since the last update
        self._rtt = rtt
        if probe_loss is not None and self._probed is not None and any(probe_loss):
            nacked, padded = probe_loss
            self._probe_padded += padded
            count = max(nacked, padded)
            own = self.link_loss
            spread = math.sqrt(own * (1 - own) / count)
            if nacked / count - own >= max(LOSS_HIGH, NOISE_HIGH * spread):
                self._probe_failed(now)
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
            if self._probed is not None and now - self._probed[0] <= PROBE_BLAME:
                self._probe_failed(now)  # it overflowed the link: wait, then try less
        elif wanted_bps is not None and (loss is None or loss < low):
            self._grow_by_probes(now, loss is not None, sent_bps, wanted_bps)
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
            if self._probed is not None and now - self._probed[0] > PROBE_BLAME:
                self._probed = None  # no verdict (a lossy link's swings): the next one later
        return self.estimate

    def _probe_failed(self, now: float) -> None:
        self._probed = None
        self._streak = 0
        self.probes_failed += 1
        self._probe_wait = min(PROBE_WAIT_MAX, max(PROBE_WAIT, 2 * self._probe_wait))
        self._probe_after = now + self._probe_wait

    def _grow_by_probes(
        self, now: float, reported: bool, sent_bps: float, wanted_bps: float
    ) -> None:
        """A clean interval of a reduced subscriber: a probe whose reports (and no NACK of its
        padding) have come clean once it ended raises the estimate to its rate; then the next
        probe."""
        if self._clean_since is None:
            self._clean_since = now
        probed = self._probed
        if probed is not None:
            if not reported or now - probed[0] < PROBE_SECONDS + self._rtt + PROBE_MARGIN:
                return  # its reports (and NACKs) have not all come
            self._probed = None
            if not self._probe_padded:
                return  # nothing went out (no video stream to pad yet): no verdict
            self._probe_wait = 0.0  # the link carried it
            self._streak += 1
            self.estimate = max(self.estimate, min(MAX_BPS, PROBE_PASSED * probed[1]))
        if now - self._clean_since < CLEAN_SECONDS or now < self._probe_after:
            return
        # far from any limit (two passed in a row) larger steps, just over one smaller ones
        step = (
            PROBE_STEP_CAUTIOUS
            if self._probe_wait
            else PROBE_STEP_OPEN
            if self._streak >= 2
            else PROBE_STEP
        )
        target = min(wanted_bps / PROBE_PASSED, MAX_BPS, step * max(self.estimate, sent_bps))
        if target > sent_bps and PROBE_PASSED * target > self.estimate:
            self.probe_bps = target
            self._probed = (now, target)
            self._probe_padded = 0
            self.probes += 1


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
        probe_loss: tuple[int, int] | None = None,
        rtt: float = 0.0,
    ) -> Plan:
        current = self._normalise(self.plan, sources, max_slots)
        wanted = None
        if current.level is not Level.FULL:
            n = min(max_slots, len(sources))
            wanted = (sum(s.full_bps for s in sources[:n]) + audio_bps) / HEADROOM_UP
        estimate = self.estimator.update(
            now,
            sent_bps,
            loss,
            minimal=self.plan.video_slots == 0,
            packets=packets,
            wanted_bps=wanted,
            probe_loss=probe_loss,
            rtt=rtt,
        )
        down = plan_for(estimate * HEADROOM_DOWN, audio_bps, sources, max_slots)
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
