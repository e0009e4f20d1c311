// Connection quality and per-slot media counters, from RTCPeerConnection.getStats().

/**
 * Per receive slot: kind ('audio', 'video', 'screen'), index, participant, framesDecoded,
 * bytesReceived, packetsLost and, for audio, totalSamplesReceived and concealedSamples (what the
 * decoder had to invent).
 * @param {import('./peer.js').Peer} peer
 * @param {{audio: (string|null)[], video: (string|null)[], screen?: (string|null)[]}} slotMap
 */
export async function slotStats(peer, slotMap) {
  const report = await peer.pc.getStats();
  const byMid = new Map();
  report.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.mid !== undefined) byMid.set(String(s.mid), s);
  });
  const out = [];
  for (const kind of ['audio', 'video', 'screen']) {
    const list = kind === 'audio' ? peer.audio : kind === 'video' ? peer.video : [peer.screen].filter(Boolean);
    list.forEach((transceiver, index) => {
      const s = byMid.get(String(transceiver.mid)) || {};
      out.push({
        kind,
        slot: index,
        participant: (slotMap[kind] || [])[index] || null,
        framesDecoded: s.framesDecoded || 0,
        bytesReceived: s.bytesReceived || 0,
        packetsLost: s.packetsLost || 0,
        totalSamplesReceived: s.totalSamplesReceived || 0,
        concealedSamples: s.concealedSamples || 0,
        concealmentEvents: s.concealmentEvents || 0,
        jitterBufferDelay: s.jitterBufferDelay || 0, // seconds, summed over what was played
        jitterBufferEmittedCount: s.jitterBufferEmittedCount || 0,
      });
    });
  }
  return out;
}

/**
 * Round-trip time (ms), loss (%) and a quality word from the selected candidate pair. The loss is
 * over the packets since `since` (the `counts` of the previous call), else since the start.
 * @param {import('./peer.js').Peer} peer
 * @param {{lost: number, received: number}|null} [since]
 */
export async function linkQuality(peer, since = null) {
  const report = await peer.pc.getStats();
  let rtt = null;
  let lost = 0;
  let received = 0;
  report.forEach((s) => {
    if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && s.currentRoundTripTime !== undefined) {
      rtt = Math.round(s.currentRoundTripTime * 1000);
    }
    if (s.type === 'inbound-rtp') {
      lost += s.packetsLost || 0;
      received += s.packetsReceived || 0;
    }
  });
  const counts = { lost, received };
  if (since && received >= since.received) {
    lost = Math.max(0, lost - since.lost);
    received -= since.received;
  }
  const loss = received + lost > 0 ? (100 * lost) / (received + lost) : 0;
  // without a round trip (not measured yet), the loss alone: 60 % lost is poor whatever the delay
  let quality = 'unknown';
  if (rtt !== null || received + lost > 0) {
    const delay = rtt ?? 0;
    quality = delay < 300 && loss < 2 ? 'good' : delay < 800 && loss < 8 ? 'fair' : 'poor';
  }
  return { rtt, loss: Math.round(loss * 10) / 10, quality, counts };
}
