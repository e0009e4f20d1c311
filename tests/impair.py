"""A userspace UDP link emulator ("shaper") for one member's media path. For tests and benchmarks.

This kernel has no netem, so impairments are applied in Python: the member's ICE candidates and
the relay's are rewritten so that every datagram between them crosses a :class:`Shaper`::

    member ──► shaper.member_port ──(uplink)──► shaper's relay-facing socket ──► relay
    member ◄── shaper.member_port ◄─(downlink)── shaper's relay-facing socket ◄── relay

Like a symmetric NAT, the shaper gives each member source address its own relay-facing socket
(the first one, :attr:`Shaper.relay_facing_port`, is the one to put in the member's offer; the
others the relay learns as peer-reflexive candidates). Each direction has a :class:`LinkProfile`:
one-way delay, jitter (without reordering), random or Gilbert–Elliott bursty loss, and a rate cap
with a bounded queue (tail drop). ``cut`` drops everything in both directions (a severed path).

Candidate rewriting: :func:`only_candidate` keeps one ``a=candidate`` line per m-line, pointing at
the shaper. Give the member the relay's answer rewritten to :attr:`Shaper.member_port`, the relay
the member's offer rewritten to :attr:`Shaper.relay_facing_port`, and set
:attr:`Shaper.relay_addr` to the relay's own candidate (:func:`loopback_candidate_addr`).
``docs/media.md`` ("Impaired links in tests") shows how a browser test does it.
"""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass, field

Addr = tuple[str, int]


@dataclass(slots=True)
class GilbertElliott:
    """Two-state bursty loss: Good loses ``loss_good``, Bad loses ``loss_bad``.

    ``p`` is the chance of moving Good → Bad per packet, ``r`` of Bad → Good.
    """

    p: float
    r: float
    loss_good: float = 0.0
    loss_bad: float = 1.0
    bad: bool = False

    @classmethod
    def with_mean(cls, loss: float, burst: float) -> GilbertElliott:
        """Mean loss ``loss`` in bursts of ``burst`` packets on average (Bad loses everything)."""
        if not 0 < loss < 1 or burst < 1:
            raise ValueError("loss must be in (0, 1) and burst >= 1")
        r = 1.0 / burst
        return cls(p=loss * r / (1.0 - loss), r=r)

    def lost(self, rng: random.Random) -> bool:
        if self.bad:
            if rng.random() < self.r:
                self.bad = False
        elif rng.random() < self.p:
            self.bad = True
        return rng.random() < (self.loss_bad if self.bad else self.loss_good)


@dataclass(slots=True)
class LinkProfile:
    """One direction of a link."""

    delay: float = 0.0
    """One-way delay, seconds."""
    jitter: float = 0.0
    """Extra delay, uniform in ``[0, jitter]`` seconds; packets are never reordered."""
    loss: float = 0.0
    """Random (independent) loss probability; ignored when ``bursty`` is set."""
    bursty: GilbertElliott | None = None
    rate_bps: float | None = None
    """Bottleneck rate, bits per second (``None``: unlimited)."""
    queue_seconds: float = 0.3
    """What the bottleneck's queue holds, in seconds at ``rate_bps``; beyond it packets drop."""


@dataclass(slots=True)
class DirectionStats:
    received: int = 0
    delivered: int = 0
    lost: int = 0
    """Dropped by the loss model or by ``cut``."""
    queue_drops: int = 0


class _Direction:
    def __init__(self, profile: LinkProfile, rng: random.Random) -> None:
        self.profile = profile
        self.stats = DirectionStats()
        self._rng = rng
        self._bottleneck_free = 0.0
        self._last_due = 0.0

    def schedule(self, now: float, size: int, cut: bool) -> float | None:
        """When to deliver a datagram of ``size`` bytes arriving at ``now``; ``None``: drop."""
        self.stats.received += 1
        p = self.profile
        if cut:
            self.stats.lost += 1
            return None
        lost = p.bursty.lost(self._rng) if p.bursty is not None else self._rng.random() < p.loss
        if lost:
            self.stats.lost += 1
            return None
        leave = now
        if p.rate_bps:
            start = max(now, self._bottleneck_free)
            if start - now > p.queue_seconds:
                self.stats.queue_drops += 1
                return None
            self._bottleneck_free = start + size * 8 / p.rate_bps
            leave = self._bottleneck_free
        due = leave + p.delay + (self._rng.uniform(0.0, p.jitter) if p.jitter else 0.0)
        due = max(due, self._last_due)  # no reordering
        self._last_due = due
        self.stats.delivered += 1
        return due


class _Socket(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: object) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self._on = on_datagram

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Addr) -> None:
        self._on(data, (addr[0], addr[1]))  # type: ignore[operator]


@dataclass(slots=True)
class _Mapping:
    member: Addr
    socket: _Socket


@dataclass(eq=False)
class Shaper:
    """A shaped UDP path between one member and the relay, on 127.0.0.1; call :meth:`start`."""

    uplink: LinkProfile = field(default_factory=LinkProfile)
    """Member → relay."""
    downlink: LinkProfile = field(default_factory=LinkProfile)
    """Relay → member."""
    seed: int = 1
    relay_addr: Addr | None = None
    """Where uplink datagrams go (the relay's candidate); settable at any time."""
    cut: bool = False
    """Drop everything, both ways."""

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        self._up = _Direction(self.uplink, rng)
        self._down = _Direction(self.downlink, rng)
        self._member_socket: _Socket | None = None
        self._spare: _Socket | None = None
        self._by_member: dict[Addr, _Mapping] = {}
        self._owner: dict[_Socket, list[_Mapping]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def uplink_stats(self) -> DirectionStats:
        return self._up.stats

    @property
    def downlink_stats(self) -> DirectionStats:
        return self._down.stats

    def set_profiles(self, uplink: LinkProfile, downlink: LinkProfile) -> None:
        """Change the link (e.g. lift a rate cap) without touching its counters."""
        self.uplink = self._up.profile = uplink
        self.downlink = self._down.profile = downlink

    async def start(self) -> Shaper:
        self._loop = asyncio.get_running_loop()
        self._member_socket = await self._open(self._from_member)
        self._spare = await self._open_relay_facing()
        return self

    @property
    def member_port(self) -> int:
        """Put this in the relay's answer: the member sends here."""
        return _port(self._member_socket)

    @property
    def relay_facing_port(self) -> int:
        """Put this in the member's offer: the relay sends here."""
        return _port(self._spare)

    async def _open(self, handler: object) -> _Socket:
        assert self._loop is not None
        _, protocol = await self._loop.create_datagram_endpoint(
            lambda: _Socket(handler), local_addr=("127.0.0.1", 0)
        )
        return protocol

    async def _open_relay_facing(self) -> _Socket:
        mapping: list[_Mapping] = []

        def from_relay(data: bytes, addr: Addr) -> None:
            if mapping:
                self._forward(self._down, data, self._member_socket, mapping[0].member)

        sock = await self._open(from_relay)
        self._owner[sock] = mapping
        return sock

    def _from_member(self, data: bytes, addr: Addr) -> None:
        mapping = self._by_member.get(addr)
        if mapping is None:
            if self._spare is None:
                return  # the next spare socket is still opening: ICE retransmits
            sock, self._spare = self._spare, None
            mapping = _Mapping(addr, sock)
            self._owner[sock].append(mapping)
            self._by_member[addr] = mapping
            assert self._loop is not None
            task = self._loop.create_task(self._refill())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if self.relay_addr is not None:
            self._forward(self._up, data, mapping.socket, self.relay_addr)

    async def _refill(self) -> None:
        self._spare = await self._open_relay_facing()

    def _forward(
        self, direction: _Direction, data: bytes, out: _Socket | None, to: Addr | None
    ) -> None:
        assert self._loop is not None
        due = direction.schedule(self._loop.time(), len(data), self.cut)
        if due is None or out is None or to is None:
            return
        transport = out.transport
        if transport is None:
            return
        self._loop.call_at(due, _send, transport, data, to)

    def rebind(self) -> None:
        """The member's path moves to a new address (ship Wi-Fi to 4G, a NAT rebinding): the
        relay-facing sockets in use close, and the member's next datagram leaves from a new
        one. What the relay still sends to the old address is lost."""
        for mapping in self._by_member.values():
            if mapping.socket.transport is not None:
                mapping.socket.transport.close()
            self._owner.pop(mapping.socket, None)
        self._by_member.clear()

    def close(self) -> None:
        sockets = [self._member_socket, self._spare]
        sockets += [m.socket for m in self._by_member.values()]
        for sock in sockets:
            if sock is not None and sock.transport is not None:
                sock.transport.close()
        for task in self._tasks:
            task.cancel()


def _send(transport: asyncio.DatagramTransport, data: bytes, to: Addr) -> None:
    if not transport.is_closing():
        transport.sendto(data, to)


def _port(sock: _Socket | None) -> int:
    assert sock is not None and sock.transport is not None, "start() the shaper first"
    port: int = sock.transport.get_extra_info("sockname")[1]
    return port


_CANDIDATE = re.compile(r"^a=candidate:\S+ (\d) (\S+) \d+ (\S+) (\d+) typ (\S+)")


def loopback_candidate_addr(sdp: str) -> Addr:
    """The first UDP host candidate on 127.0.0.1 in ``sdp`` (the relay's, in tests)."""
    for line in sdp.splitlines():
        m = _CANDIDATE.match(line.strip())
        if m and m.group(2).lower() == "udp" and m.group(3) == "127.0.0.1":
            return (m.group(3), int(m.group(4)))
    raise ValueError("no UDP candidate on 127.0.0.1 in the SDP")


def only_candidate(sdp: str, port: int, host: str = "127.0.0.1") -> str:
    """``sdp`` with each m-line's candidates replaced by one UDP host candidate ``host:port``."""
    candidate = f"a=candidate:1 1 udp 2130706431 {host} {port} typ host"
    out: list[str] = []
    in_media = False
    for line in sdp.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("a=candidate:", "a=end-of-candidates")):
            continue
        if stripped.startswith("m="):
            if in_media:
                out += [candidate, "a=end-of-candidates"]
            in_media = True
        out.append(stripped)
    if in_media:
        out += [candidate, "a=end-of-candidates"]
    return "\r\n".join(out) + "\r\n"
