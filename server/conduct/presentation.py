"""Presenting a meeting document: a published PDF, page by page, rendered to PNG on the server.

The chair names a document and a page (the live protocol's ``present``); everyone's page then
loads that page as an image from ``GET /api/meetings/{id}/documents/{doc}/pages/{n}``, checked
and audited like a download (R7). Rendering is PDFium's (pypdfium2), one call at a time (PDFium
is not thread-safe), in a worker thread so the event loop keeps serving the meeting. A
:class:`PageCache` (one per process, ``appkeys.PAGES``) keeps the last pages rendered, so the
members all loading the page just turned cost one rendering; each request is still checked and
audited before it is served.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections import OrderedDict

import pypdfium2 as pdfium

from server.conduct.common import invalid

PDF = "application/pdf"
#: the width of a rendered page in pixels (a phone scales it down, a projector up)
PAGE_WIDTH = 1280
#: PDFium keeps global state: every call into it holds this lock
_PDFIUM = threading.Lock()


def require_pdf(media_type: str) -> None:
    if media_type != PDF:
        raise invalid("conduct.present.not_pdf")


def _count(data: bytes) -> int:
    with _PDFIUM:
        doc = pdfium.PdfDocument(data)
        try:
            return len(doc)
        finally:
            doc.close()


def _render(data: bytes, page: int, width: int) -> bytes:
    with _PDFIUM:
        doc = pdfium.PdfDocument(data)
        try:
            if not 1 <= page <= len(doc):
                raise invalid("conduct.present.no_page", page=page, pages=len(doc))
            pdf_page = doc[page - 1]
            points = pdf_page.get_width() or 1.0
            bitmap = pdf_page.render(scale=width / points)
            image = bitmap.to_pil()
        finally:
            doc.close()
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)  # a third faster than 6, as small
    return out.getvalue()


async def page_count(data: bytes) -> int:
    """The number of pages; 422 if the bytes are not a PDF PDFium can open."""
    try:
        return await asyncio.to_thread(_count, data)
    except pdfium.PdfiumError:
        raise invalid("conduct.present.unreadable") from None


async def render_page(data: bytes, page: int, width: int = PAGE_WIDTH) -> bytes:
    """Page ``page`` (1-based) as a PNG ``width`` pixels wide; 422 if there is no such page."""
    try:
        return await asyncio.to_thread(_render, data, page, width)
    except pdfium.PdfiumError:
        raise invalid("conduct.present.unreadable") from None


#: (document id, its SHA-256, page, width)
PageKey = tuple[int, str, int, int]


class PageCache:
    """The last :attr:`limit` pages rendered, least recently used dropped first."""

    def __init__(self, limit: int = 48) -> None:
        self.limit = limit
        self._pages: OrderedDict[PageKey, bytes] = OrderedDict()

    def get(self, key: PageKey) -> bytes | None:
        png = self._pages.get(key)
        if png is not None:
            self._pages.move_to_end(key)
        return png

    def put(self, key: PageKey, png: bytes) -> None:
        self._pages[key] = png
        self._pages.move_to_end(key)
        while len(self._pages) > self.limit:
            self._pages.popitem(last=False)


def check_page(page: int, pages: int) -> None:
    if not 1 <= page <= pages:
        raise invalid("conduct.present.no_page", page=page, pages=pages)
