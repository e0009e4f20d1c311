"""Browser tests: Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aiohttp import web

from server.app import create_app
from server.config import Settings
from tests.web_client.speech import write_speech_wav

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium package)")
    return CHROMIUM


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A speech-like microphone for Chromium (``tests/web_client/speech.py``), made once."""
    return write_speech_wav(tmp_path_factory.mktemp("speech") / "speech.wav")


@pytest.fixture
def demo_app(settings: Settings) -> web.Application:
    """The application the front door's ``demo`` fixture serves (a test may read its live
    meetings, e.g. the relay's view); ``settings`` is the requesting module's."""
    return create_app(settings)
