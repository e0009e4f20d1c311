"""The superior committee's reports as files (S3, S1, V3): the monthly results of the cell
meetings, the quarterly supervision report and the pilot's interim or final review, each as
DOCX, PDF and XLSX."""

from __future__ import annotations

from aiohttp import web

from policy.error_codes import ErrorCode
from server import appkeys
from server.errors import AppError
from server.http.body import path_int
from server.http.organisations import actor_of
from server.http.oversight import ORG, authorize_of, query_date, query_text, today_of
from server.http.routes import Routes
from server.oversight import reports
from server.reports.layout import MEDIA_TYPES, render

routes = Routes()


# -- reports (S3, S1, V3) -----------------------------------------------------------------------


def _report_params(kind: str, request: web.Request) -> dict[str, object]:
    if kind != "pilot":
        return {"period": query_text(request, "period")}
    stage = request.query.get("stage", "interim")
    if stage not in ("interim", "final"):
        raise AppError.of(ErrorCode.VALIDATION, detail="stage: interim|final")
    return {
        "from": query_date(request, "from"),
        "to": query_date(request, "to"),
        "final": stage == "final",
    }


def _report_route(kind: str, name: str, fmt: str, summary: str, tag: str) -> None:
    """``GET /api/organisations/{org_id}/reports/<name>.<fmt>``: the report as a file."""
    query = (
        (("from", "string"), ("to", "string"), ("stage", "string"))
        if kind == "pilot"
        else (("period", "string"),)
    )

    async def handler(request: web.Request) -> web.Response:
        org_id = path_int(request, "org_id")
        params = _report_params(kind, request)
        app = request.app
        report = await reports.export(
            app[appkeys.DB],
            app[appkeys.AUDIT],
            actor_of(request),
            kind,
            org_id,
            params,
            fmt,
            today_of(request),
            authorize_of(request),
        )
        body, media_type = render(report, fmt)
        return web.Response(
            body=body,
            content_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="{name}-{org_id}.{fmt}"'},
        )

    handler.__name__ = f"{name.replace('-', '_')}_{fmt}"  # operationId
    routes.route(
        "GET",
        f"{ORG}/reports/{name}.{fmt}",
        summary=f"{summary} ({fmt.upper()})",
        tag=tag,
        content=MEDIA_TYPES[fmt],
        query=query,
    )(handler)


for _fmt in ("docx", "pdf", "xlsx"):
    _report_route(
        "monthly",
        "monthly",
        _fmt,
        "Monthly report of the results of cell meetings (S3)",
        "oversight",
    )
    _report_route(
        "supervision",
        "supervision",
        _fmt,
        "Quarterly supervision report of the assigned committee members (S1, S2)",
        "oversight",
    )
    _report_route(
        "pilot", "pilot-review", _fmt, "Interim or final review of the pilot (V3)", "pilot"
    )
