"""Cryptographic core of the records: keys, recording streaming AEAD, the audit chain.

Pure library: no database and no aiohttp. The storage layer persists the values these modules
produce (wrapped keys, audit rows, checkpoints); the CLI calls :mod:`server.crypto.verify`.
See docs/security-crypto.md for the formats and the threat model.
"""
