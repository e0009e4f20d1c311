"""Exceptions of the crypto core. Messages never contain key material."""


class CryptoError(Exception):
    """Base of every error raised by :mod:`server.crypto`."""


class KeyFileError(CryptoError):
    """A KEK file or value is missing, malformed or readable by others."""


class KeyNotFoundError(CryptoError, KeyError):
    """No wrapped key with this id is known."""


class KeyShreddedError(KeyNotFoundError):
    """The key was destroyed (crypto-shredded): its data is gone for good."""


class UnwrapError(CryptoError):
    """A wrapped key did not authenticate under the KEK (wrong KEK, altered blob or context)."""


class RecordingError(CryptoError):
    """A recording file is malformed, truncated, reordered, altered or bound to another id."""


class ExtractError(CryptoError):
    """A signed audit extract is malformed or its signature does not verify."""
