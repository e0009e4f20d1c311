"""The WebRTC media relay: a pass-through selective forwarding unit on aiortc (docs/media.md)."""
