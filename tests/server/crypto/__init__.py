"""Tests of server.crypto: keys, recordings, the audit chain and its verifier."""
