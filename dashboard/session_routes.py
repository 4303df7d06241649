"""Two HTTP routes beside the Streamlit app: swap a one-time token for the session cookie, and clear it.

Streamlit talks to the browser over a websocket, which cannot set cookies, and `st.context.cookies` is
read-only; these routes, mounted through `st.App(routes=...)`, answer ordinary same-origin requests that can.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dashboard import sessions
from dashboard.db import open_database

START_PATH = "/_rehab/session"
END_PATH = "/_rehab/sign-out"
# Set when the routes are handed to the server, so the sign-in page knows a cookie can be had.
_mounted = False


def routes() -> list[Route]:
    """Return the routes to mount beside the app (and note that they are mounted)."""
    global _mounted
    _mounted = True
    return [
        Route(START_PATH, start_session, methods=["POST"]),
        Route(END_PATH, end_session, methods=["POST"]),
    ]


def mounted() -> bool:
    """Return whether this process serves the cookie routes (`rehab serve` does; AppTest does not)."""
    return _mounted


def same_origin(request: Request) -> bool:
    """Return whether a browser sent the request from the app's own pages (never from another site)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    # A client that sends neither header is not a browser another site could drive.
    return origin is None or urlsplit(origin).netloc == request.headers.get("host")


def _refused(status: int, reason: str) -> Response:
    """Return a refusal that no cache keeps."""
    return JSONResponse({"error": reason}, status_code=status, headers={"Cache-Control": "no-store"})


def _cookie_options(request: Request) -> dict:
    """Return the cookie's attributes: HttpOnly, SameSite=Strict, Secure over HTTPS, for the whole site."""
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https", "path": "/"}


async def start_session(request: Request) -> Response:
    """Swap the one-time token of a sign-in that just happened for the signed session cookie."""
    if not same_origin(request):
        return _refused(403, "sign-in is only accepted from the dashboard's own pages")
    try:
        body = await request.json()
    except ValueError:
        return _refused(400, "expected a JSON body with the sign-in token")
    token = body.get("token") if isinstance(body, dict) else None
    database = open_database()
    key = sessions.signing_key(database.path)
    # DuckDB calls block: run them off the event loop that serves every browser.
    cookie = await run_in_threadpool(sessions.claim_handoff, database, key, token)
    if cookie is None:
        return _refused(403, "this sign-in token is unknown, used or expired; sign in again")
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(sessions.COOKIE_NAME, cookie, **_cookie_options(request))
    return response


async def end_session(request: Request) -> Response:
    """End the session the cookie names (if the app has not already) and clear the cookie."""
    if not same_origin(request):
        return _refused(403, "sign-out is only accepted from the dashboard's own pages")
    database = open_database()
    key = sessions.signing_key(database.path)
    session_hash = sessions.session_hash_from_cookie(key, request.cookies.get(sessions.COOKIE_NAME))
    if session_hash is not None:
        await run_in_threadpool(sessions.end, database, session_hash, sessions.SIGNED_OUT)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(sessions.COOKIE_NAME, **_cookie_options(request))
    return response
