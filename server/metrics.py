"""Operator metrics in the Prometheus text format, served at ``/metrics`` to the operator's
network only (``ops.metrics_allow``; see docs/operations.md).

Counted as they happen: meeting joins and their latency, sign-in failures by reason, HTTP
answers by status class (5xx included) and their duration. Read at each scrape from the live
state of this process: WebSocket connections, live meetings, relay packets forwarded and dropped
per meeting, audit records appended. Labels never carry names, titles or other meeting content:
a meeting is its numeric id.

Each application has its own registry (tests start many apps in one process).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from server.audit import AuditLog
from server.meeting.live_meetings import LiveMeetings

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _LiveCollector(Collector):
    def __init__(
        self, live: Callable[[], LiveMeetings | None], audit: Callable[[], AuditLog | None]
    ) -> None:
        self._live = live
        self._audit = audit

    def collect(self) -> Iterator[Metric]:
        live = self._live()
        meetings = live.meetings() if live is not None else []
        yield GaugeMetricFamily(
            "hopchibo_ws_connections",
            "Meeting WebSocket connections open in this process",
            value=sum(m.connections for m in meetings),
        )
        yield GaugeMetricFamily(
            "hopchibo_live_meetings", "Meetings live in this process", value=len(meetings)
        )
        forwarded = CounterMetricFamily(
            "hopchibo_relay_packets_forwarded",
            "RTP packets the relay forwarded, per live meeting",
            labels=["meeting", "kind"],
        )
        dropped = CounterMetricFamily(
            "hopchibo_relay_packets_dropped",
            "Packets not forwarded (queue overflow, waiting for a keyframe), per live meeting",
            labels=["meeting"],
        )
        rebuilt = CounterMetricFamily(
            "hopchibo_relay_audio_frames_rebuilt",
            "Audio frames a publisher's leg lost that the relay rebuilt from its RED repeats",
            labels=["meeting"],
        )
        for m in meetings:
            if m.sharded_relay is not None:
                continue  # its relay runs in worker processes (media.workers)
            stats = m.relay.stats()
            mid = str(m.info.id)
            audio = sum(p.forwarded_audio_packets for p in stats.participants)
            video = sum(p.forwarded_video_packets for p in stats.participants)
            forwarded.add_metric([mid, "audio"], audio)
            forwarded.add_metric([mid, "video"], video)
            dropped.add_metric([mid], sum(p.dropped_packets for p in stats.participants))
            rebuilt.add_metric([mid], sum(p.recovered_audio_frames for p in stats.participants))
        yield forwarded
        yield dropped
        yield rebuilt
        audit = self._audit()
        yield CounterMetricFamily(
            "hopchibo_audit_appends",
            "Audit records appended by this process",
            value=audit.appended if audit is not None else 0,
        )


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.joins = Counter(
            "hopchibo_meeting_joins",
            "Meeting joins by outcome (joined, refused)",
            ["outcome"],
            registry=self.registry,
        )
        self.join_seconds = Histogram(
            "hopchibo_meeting_join_seconds",
            "Time from a join message to the participant's welcome being queued",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.signin_failures = Counter(
            "hopchibo_signin_failures",
            "Failed sign-in steps by reason (password, totp, recovery, passkey …)",
            ["reason"],
            registry=self.registry,
        )
        self.http_responses = Counter(
            "hopchibo_http_responses",
            "HTTP answers by method and status class (2xx … 5xx)",
            ["method", "status"],
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "hopchibo_http_request_seconds",
            "HTTP request duration (WebSockets excluded)",
            registry=self.registry,
        )

    def watch(
        self, live: Callable[[], LiveMeetings | None], audit: Callable[[], AuditLog | None]
    ) -> None:
        self.registry.register(_LiveCollector(live, audit))

    def render(self) -> bytes:
        return generate_latest(self.registry)


def allowed(remote: str, networks: tuple[str, ...]) -> bool:
    """Is ``remote`` inside one of ``networks`` (CIDR)? Unparsable addresses are not."""
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)
