"""The meeting protocol, transport-agnostic: messages, room state machine, bus."""
