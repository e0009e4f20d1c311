"""Typed application state (aiohttp ``AppKey``s); nothing lives in module globals."""

from __future__ import annotations

from aiohttp import web

from server.audit import AuditLog
from server.config import Settings
from server.http.routes import Routes
from server.meeting.registry import LiveMeetings
from server.storage.db import Database

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
AUDIT = web.AppKey("audit", AuditLog)
ROUTES = web.AppKey("routes", Routes)
KEK = web.AppKey("kek", bytes)
LIVE = web.AppKey("live", LiveMeetings)
