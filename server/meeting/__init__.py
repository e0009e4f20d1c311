"""The live-meeting service: room, media relay, bus and attendance of meetings in progress."""
