"""Wire error codes shared by every layer: the HTTP API, the WebSocket protocol, the services.

Stdlib and the translation table only, so policy, signaling and the server may all import it."""

from __future__ import annotations

from enum import Enum

from policy.i18n import Text, tr


class ErrorCode(str, Enum):
    BAD_JSON = "bad_json"
    DUPLICATE_KEY = "duplicate_key"
    VALIDATION = "validation"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    NOT_FOUND = "not_found"
    ROUTE_NOT_FOUND = "route_not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    CSRF = "csrf"
    ORIGIN = "origin"
    RATE_LIMITED = "rate_limited"
    POLICY_DENIED = "policy_denied"
    INTERNAL = "internal"
    UNAVAILABLE = "unavailable"
    BAD_MESSAGE = "bad_message"
    MESSAGE_TOO_LARGE = "message_too_large"
    OUT_OF_TURN = "out_of_turn"
    UNSUPPORTED_VERSION = "unsupported_version"
    BAD_CREDENTIALS = "bad_credentials"
    BAD_SECOND_FACTOR = "bad_second_factor"
    PASSKEY_REJECTED = "passkey_rejected"
    INVITATION_INVALID = "invitation_invalid"
    STEP_UP_REQUIRED = "step_up_required"

    def text(self, /, **params: object) -> Text:
        return tr(f"error.{self.value}", **params)


class ProtocolError(Exception):
    """A refusal that knows nothing about HTTP: a code, a bilingual text and optional rule ids."""

    def __init__(self, code: ErrorCode, text: Text, rules: tuple[str, ...] = ()) -> None:
        super().__init__(text.en)
        self.code = code
        self.text = text
        self.rules = rules
