"""The server's own log as configured by ``hopchibo``: JSON lines, escaped, with the request id,
rotated daily and kept ``ops.log_retention_months``."""

from __future__ import annotations

import json
import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from server import logs
from server.config import OpsSettings


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_to_a_rotated_file(tmp_path: Path, restore_logging: None) -> None:
    path = tmp_path / "log" / "hopchibo.log"
    logs.configure(OpsSettings(log_file=str(path), log_retention_months=12))
    rotating = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.TimedRotatingFileHandler)
    ]
    assert len(rotating) == 1
    assert rotating[0].backupCount == 12 * 31 and rotating[0].when == "MIDNIGHT"
    token = logs.REQUEST_ID.set("req-0001-abcd")
    try:
        logging.getLogger("hopchibo.test").warning("tên lạ: %s", "Lê\x1b[2J\nVăn")
    finally:
        logs.REQUEST_ID.reset(token)
    for handler in logging.getLogger().handlers:
        handler.flush()
    raw = path.read_text(encoding="ascii")
    assert "\x1b" not in raw and raw.count("\n") == 1
    line = json.loads(raw)
    assert line["msg"] == "tên lạ: Lê\x1b[2J\nVăn"  # escaped in the file, exact when read
    assert line["request_id"] == "req-0001-abcd"
    assert line["level"] == "WARNING" and line["logger"] == "hopchibo.test"
