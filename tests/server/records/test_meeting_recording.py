"""R7 end to end: the chair records a live meeting; media is muxed, never decoded, into the
encrypting sink; everyone is told; the file plays back; no plaintext touches the disk."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from pathlib import Path
from typing import Any

import av
import pytest
from av import VideoFrame

from server import appkeys
from server.auth import factors
from server.records.settings import recordings_dir
from tests.conftest import Client
from tests.server.media.peers import GREEN, RED
from tests.server.media.peers import Client as MediaClient
from tests.server.meeting.conftest import (  # noqa: F401 - fixtures
    cell,
    grace_seconds,
    heartbeat_seconds,
    live_client,
    peers,
    relay_workers,
)
from tests.server.meeting.support import Cell, Peer
from tests.server.meeting.test_ws_media import media_join, wait_for

pytestmark = pytest.mark.media

MATROSKA_MAGIC = b"\x1a\x45\xdf\xa3"
RECORD_SECONDS = 3.0


async def chair_csrf(peer: Peer) -> str:
    """Sign the chair in through the real endpoints, keeping the CSRF token for the API."""
    http, base, person = peer.http, peer.base_url, peer.person
    resp = await http.post(
        f"{base}/api/auth/login", json={"username": person.username, "password": person.password}
    )
    body = await resp.json()
    assert resp.status == 200, body
    code = factors.totp_now(person.totp_secret, dt.datetime.now(dt.UTC))
    resp = await http.post(
        f"{base}/api/auth/totp/verify", json={"code": code}, headers={"X-CSRF-Token": body["csrf"]}
    )
    body = await resp.json()
    assert resp.status == 200 and body["stage"] == "full", body
    peer.signed_in = True
    return str(body["csrf"])


def files_and_first(directory: Path) -> tuple[list[str], bytes]:
    """The names of all files under ``directory`` and the contents of the first."""
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    return [p.name for p in files], files[0].read_bytes() if files else b""


def recording_on(on: bool) -> Any:
    def check(m: dict[str, Any]) -> bool:
        return m.get("recording") is on

    return check


def decode(data: bytes) -> tuple[list[VideoFrame], int, str, str]:
    """Decoded video frames, audio frame count and the codec names of a Matroska file."""
    with av.open(io.BytesIO(data), mode="r") as container:
        video_codec = container.streams.video[0].codec_context.name
        audio_codec = container.streams.audio[0].codec_context.name
        frames = list(container.decode(video=0))
    with av.open(io.BytesIO(data), mode="r") as container:
        audio_frames = sum(1 for _ in container.decode(audio=0))
    return frames, audio_frames, video_codec, audio_codec


async def test_chair_records_a_live_meeting(
    live_client: Client,  # noqa: F811
    cell: Cell,  # noqa: F811
    peers: dict[str, Peer],  # noqa: F811
) -> None:
    assert live_client.app is not None
    chair, member = peers["chair"], peers["member"]
    csrf = await chair_csrf(chair)
    await chair.join(cell.meeting_id)
    await chair.expect("admitted")
    await member.join(cell.meeting_id)
    await chair.expect("waiting", where=lambda m: bool(m["participants"]))
    await chair.send({"type": "admit", "participant_id": member.participant_id})
    await member.expect("admitted")
    first = await member.latest("meeting_state", bool)
    assert first["recording"] is False

    red = MediaClient("chair", RED, 16_000)
    green = MediaClient("member", GREEN, 12_000)
    try:
        await media_join(chair, red)
        await media_join(member, green)
        # both publish and both are forwarded before the recording starts
        await wait_for(
            "media flowing both ways",
            lambda: any(v.frames > 3 for v in red.video) and any(v.frames > 3 for v in green.video),
        )
        live = live_client.app[appkeys.LIVE].get(cell.meeting_id)
        assert live is not None
        assert live.relay.pinned == (chair.participant_id,)

        base = f"/api/meetings/{cell.meeting_id}/recording"
        headers = {"X-CSRF-Token": csrf}
        resp = await chair.http.post(f"{chair.base_url}{base}/start", headers=headers)
        assert resp.status == 201, await resp.text()
        assert (await resp.json())["recording"] is True
        for peer in (chair, member):
            await peer.expect("meeting_state", where=recording_on(True))
        assert live.recording

        await asyncio.sleep(RECORD_SECONDS)
        resp = await chair.http.post(f"{chair.base_url}{base}/stop", headers=headers)
        body = await resp.json()
        assert resp.status == 200, body
        assert body["state"] == "complete" and body["size"] > 10_000, body
        for peer in (chair, member):
            await peer.expect("meeting_state", where=recording_on(False))
        assert not live.recording
    finally:
        await red.close()
        await green.close()

    # played back through the chair's audited play path: decrypted in memory only
    resp = await chair.http.get(f"{chair.base_url}/api/recordings/{body['id']}/content")
    assert resp.status == 200
    plain = await resp.read()
    assert plain.startswith(MATROSKA_MAGIC)
    frames, audio_frames, video_codec, audio_codec = await asyncio.to_thread(decode, plain)
    assert (video_codec, audio_codec) == ("vp8", "opus")
    assert len(frames) > 10
    assert audio_frames > 50
    last = frames[-1]
    assert (last.width, last.height) == (160, 120)
    u, v = bytes(last.planes[1]), bytes(last.planes[2])
    assert RED.near(u[len(u) // 2], v[len(v) // 2])  # the pinned chair's camera, not the member's

    # on disk: only the encrypted file, with no Matroska header and no plaintext in it
    directory = recordings_dir(live_client.app[appkeys.SETTINGS])
    files, on_disk = await asyncio.to_thread(files_and_first, directory)
    assert files == [f"{body['id']}.hcbr"]
    assert not on_disk.startswith(MATROSKA_MAGIC)
    assert plain[:64] not in on_disk
    assert b"matroska" not in on_disk and b"webm" not in on_disk


@pytest.mark.parametrize("relay_workers", [2])
async def test_no_recording_while_media_runs_over_relay_workers(
    live_client: Client,  # noqa: F811
    cell: Cell,  # noqa: F811
    peers: dict[str, Peer],  # noqa: F811
) -> None:
    """``media.workers > 0``: the recorder would get no frames in this process, so the chair is
    refused with a clear message and nothing is started (issue 15, docs/media.md)."""
    chair = peers["chair"]
    csrf = await chair_csrf(chair)  # signed in once: the join reuses the session
    await chair.join(cell.meeting_id)
    await chair.expect("admitted")
    resp = await chair.http.post(
        f"{chair.base_url}/api/meetings/{cell.meeting_id}/recording/start",
        headers={"X-CSRF-Token": csrf},
    )
    assert resp.status == 503, await resp.text()
    body = await resp.json()
    assert body["code"] == "unavailable" and "media.workers" in body["message"]["vi"], body
    assert live_client.app is not None
    live = live_client.app[appkeys.LIVE].get(cell.meeting_id)
    assert live is not None and live.sharded_relay is not None and not live.recording
    state = await chair.http.get(f"{chair.base_url}/api/meetings/{cell.meeting_id}/recording")
    assert state.status == 200 and (await state.json())["recording"] is False
