"""The playground: a small static page (HTML, one script, one stylesheet, an icon) that talks to this
gateway's own /v1 endpoints from the browser: a streamed chat answer with its guard verdicts, then
the green/red tokens of a watermark detection and a downloadable certificate.

`GET /` redirects to `GET /playground`. The files come from server/static/playground/ and are
served with `Content-Security-Policy: default-src 'self'` (plus no framing, no <base>, no form
posts): the page can fetch nothing outside the gateway, and no inline script or style runs.
The page holds no secret; the API key the user types stays in the page's memory and is sent only
as `Authorization: Bearer` to /v1 (whose routes check it as they check any client).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from genguard.server.errors import APIError

router = APIRouter(tags=["playground"], include_in_schema=False)

STATIC = Path(__file__).resolve().parent.parent / "static" / "playground"
CSP = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
# The only files served, with their media types: a fixed list, so no path from the URL reaches the disk.
FILES = {
    "index.html": "text/html; charset=utf-8",
    "playground.js": "text/javascript; charset=utf-8",
    "playground.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}


def static_file(name: str) -> Response:
    """The playground file `name` with its media type and the page's security headers.
    Raises APIError 404 for a name not in FILES, 500 when an installed file is missing."""
    media_type = FILES.get(name)
    if media_type is None:
        raise APIError(404, f"the playground has no file {name!r}; open /playground", code="not_found")
    path = STATIC / name
    if not path.is_file():
        raise APIError(
            500,
            f"the playground file {name} is missing from the installed package ({STATIC}); "
            "reinstall genguard",
            code="playground_missing",
        )
    headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",  # revalidate: a new genguard version serves a new page at once
    }
    return Response(path.read_bytes(), media_type=media_type, headers=headers)


@router.get("/")
def root() -> RedirectResponse:
    """The gateway's front door leads to the playground."""
    return RedirectResponse("/playground", status_code=307)


@router.get("/playground")
def playground() -> Response:
    """The playground page (HTML)."""
    return static_file("index.html")


@router.get("/playground/{name}")
def playground_file(name: str) -> Response:
    """One of the page's own files (script, stylesheet, icon); 404 for any other name."""
    return static_file(name)
