"""Debian's nginx in front of real ``hopchibo serve`` processes, with the very configuration of
``deploy/nginx/hopchibo.conf`` (ports and certificate swapped): fail-over and placement tests."""

from __future__ import annotations

import datetime as dt
import ipaddress
import subprocess
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DEPLOY_CONF = Path(__file__).resolve().parents[1] / "deploy" / "nginx" / "hopchibo.conf"
NGINX = "/usr/sbin/nginx"


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the browsers are told to accept it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _swap(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence: the deploy file changing shape fails here, loudly."""
    assert text.count(old) == 1, f"deploy/nginx/hopchibo.conf no longer has {old!r} once"
    return text.replace(old, new)


def nginx_config(directory: Path, port: int, upstreams: tuple[int, ...]) -> Path:
    """``deploy/nginx/hopchibo.conf`` with the test's ports (one upstream server line each, in the
    deploy file's form) and certificate, without the port-80 redirect, in a main configuration of
    its own (foreground, logs and temporary files here)."""
    cert, key = _certificate(directory)
    site = DEPLOY_CONF.read_text()
    first = "    server 127.0.0.1:8080 max_fails=1 fail_timeout=10s;\n"
    lines = "".join(first.replace(":8080 ", f":{u} ") for u in upstreams)
    site = _swap(site, first, lines)
    site = _swap(site, "    server 127.0.0.1:8081 max_fails=1 fail_timeout=10s;\n", "")
    site = _swap(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
    site = _swap(site, "/etc/ssl/hopchibo/fullchain.pem", str(cert))
    site = _swap(site, "/etc/ssl/hopchibo/privkey.pem", str(key))
    redirect = site.index("server {\n    listen 80;")
    site = site[:redirect]
    (directory / "hopchibo.conf").write_text(site)
    main = directory / "nginx.conf"
    main.write_text(
        f"""daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{ worker_connections 256; }}
http {{
    log_format timed '$time_iso8601 $request $status $request_time '
                     'upstream=$upstream_addr connect=$upstream_connect_time';
    access_log {directory}/access.log timed;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/hopchibo.conf;
}}
"""
    )
    return main


def start_nginx(main: Path) -> subprocess.Popen[bytes]:
    """Debian's nginx in the foreground with ``main``; returns once it has written its pid."""
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: run `make tools` (Debian's nginx package)")
    directory = main.parent
    with (directory / "stderr.log").open("w") as err:
        nginx = subprocess.Popen(  # noqa: S603 (Debian's nginx, our configuration)
            [NGINX, "-c", str(main), "-p", str(directory)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while not (directory / "nginx.pid").exists():
        assert nginx.poll() is None, (directory / "stderr.log").read_text()
        assert time.monotonic() < deadline, "nginx did not start"
        time.sleep(0.1)
    return nginx
