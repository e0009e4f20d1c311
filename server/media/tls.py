"""Mutual TLS between the server's process and its relay workers, and between workers.

A worker on another machine receives members' decrypted media and sends it over its pipes: that
is the meeting's content, so it must not cross a network in clear, and a stranger must not be
able to open a pipe or a control connection at all. Both ends of every control connection and
pipe therefore present a certificate signed by the deployment's own CA and check the other's
(``CERT_REQUIRED`` both ways, TLS 1.3 only); the pool's token is still asked for after the
handshake (defence in depth: a leaked certificate alone is not enough). Each certificate names
the address its machine's workers listen on (a subjectAltName), which the dialling side checks.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WorkerTls:
    """This machine's certificate and key (PEM files) and the CA that signs every machine's."""

    cert: str
    key: str
    ca: str

    def server_context(self) -> ssl.SSLContext:
        """For the control and pipe ports a worker listens on: a client without a certificate
        of the CA fails the handshake."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._load(context)
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    def client_context(self) -> ssl.SSLContext:
        """For the pool dialling a worker's control port and a worker dialling another's pipe
        port: the other side's certificate must be the CA's and name the address dialled."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname
        self._load(context)
        return context

    def _load(self, context: ssl.SSLContext) -> None:
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.load_verify_locations(cafile=self.ca)
        context.load_cert_chain(self.cert, self.key)

    def arguments(self) -> list[str]:
        """The worker's command-line options for these files (``worker.add_arguments``)."""
        return ["--tls-cert", self.cert, "--tls-key", self.key, "--tls-ca", self.ca]
