"""The reading page: `GET /` serves a page where the brief sits beside its source and every claim
points at its evidence (README "Reading page").

Plain hand-written files under finbrief/web/, served as they are: no build step, and nothing from
another origin (the service runs offline; the Content-Security-Policy says so to the browser too).
The page is open like the probes: it holds no data, and its calls to /v1/* carry the reader's key
when keys are switched on (`/page/config.json` tells the page whether to ask for one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from ..settings import Settings

WEB = Path(__file__).resolve().parents[1] / "web"
# Only this origin: the page's own files and the API. The page renders model output and article
# text, always as text, never as markup; the policy is the second line behind that.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidated on every load (a 304 when unchanged): a page newer than its scripts would break.
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class RouteLabel:
    path: str  # what api/observe.py reads off a request's route: its template, the metrics' label


ASSETS = RouteLabel("/page/{file}")


class PageFiles(StaticFiles):
    """The page's scripts and styles, with the page's headers."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = ASSETS  # a mount names no route: its requests would count as "unmatched"
        await super().__call__(scope, receive, send)

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(HEADERS)
        return response


def install(app: FastAPI, settings: Settings) -> None:
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    async def page() -> FileResponse:
        return FileResponse(WEB / "index.html", headers=HEADERS)

    @router.get("/page/config.json")
    async def config() -> dict[str, bool]:
        return {"keys_required": settings.auth == "keys"}

    app.include_router(router)  # before the mount, which would otherwise answer /page/config.json
    app.mount("/page", PageFiles(directory=WEB), name="page")
