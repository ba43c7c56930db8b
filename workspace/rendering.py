"""How responses are made: full page or HTMX fragment, security headers, error pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    current_app,
    g,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from jinja2_fragments.flask import render_block
from werkzeug.exceptions import HTTPException, SecurityError

from . import dates, numbers
from .extensions import db

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)


def wants_fragment() -> bool:
    """True for an HTMX request that swaps part of a page: not a boosted navigation,
    and not htmx restoring a page from history (Back button), which needs it whole."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **context) -> Response:
    """Render the full page, or only ``block`` of it when HTMX asks for a fragment.

    A fragment carries the pending flash messages along, swapped out-of-band into
    the page's message area, so a message never waits for the next full page.
    """
    if block is not None and wants_fragment():
        body = render_block(template, block, **context)
        if session.get("_flashes"):
            body += render_template("_flash.html", oob=True)
    else:
        body = render_template(template, **context)
    return Response(body, status=status, mimetype="text/html")


ERROR_TEXT = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (
        _l("Not allowed"),
        _l("Your role does not allow this. Ask a coordinator of the region."),
    ),
    404: (_l("Not found"), _l("There is nothing at this address.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Not possible now"), _l("This was changed or closed meanwhile. Reload the page.")),
    413: (_l("Too large"), _l("The upload is larger than this workspace accepts.")),
    429: (_l("Too many attempts"), _l("Please wait a moment and try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Please try again.")),
}


def error_response(status: int, message: str | None = None) -> Response:
    title, default_text = ERROR_TEXT.get(status, (_l("Error"), _l("The request failed.")))
    title, text = str(title), message or str(default_text)
    if wants_fragment():
        # Shown in the page's message area instead of replacing the element that asked.
        message_line = _("%(title)s: %(text)s", title=title, text=text)
        response = Response(
            render_template("_flash.html", messages=[("error", message_line)]),
            status=status,
        )
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return Response(
        render_template("error.html", status=status, title=title, text=text), status=status
    )


SIGNED_TOKENS = "workspace.signed_csrf_tokens"


def page_csrf_token() -> str:
    """``csrf_token()`` in templates: the request's form token, worked out once per
    page rather than once per form (a document page has a dozen).

    Signing the session's token is most of the work, and with WTF_CSRF_TIME_LIMIT
    None a signed token is good for as long as its session: so each worker keeps the
    signed form of the tokens it has signed."""
    token = g.get("page_csrf_token")
    if token is None:
        app = current_app._get_current_object()
        signed = app.extensions[SIGNED_TOKENS]
        field = app.config["WTF_CSRF_FIELD_NAME"]
        reusable = app.config["WTF_CSRF_TIME_LIMIT"] is None
        token = signed.get(session.get(field)) if reusable else None
        if token is None:
            token = generate_csrf()
            if len(signed) >= 10_000:
                signed.clear()
            signed[session[field]] = token
        g.page_csrf_token = token
    return token


# The layout's own files, for ``{{ assets.htmx }}``: built once per worker, not per page.
ASSETS = {
    "favicon": "favicon.svg",
    "pico": "vendor/pico-2.1.1.min.css",
    "css": "css/app.css",
    "print": "css/print.css",
    "htmx": "vendor/htmx-2.0.11.min.js",
    "js": "js/app.js",
    "mention_picker": "js/mention_picker.js",
}


def init_app(app: Flask) -> None:
    asset_urls: dict[str, str] = {}
    app.extensions[SIGNED_TOKENS] = {}

    @app.context_processor
    def assets() -> dict[str, dict[str, str]]:
        if not asset_urls:
            asset_urls.update({k: url_for("static", filename=v) for k, v in ASSETS.items()})
        return {"assets": asset_urls}

    # Flask-WTF offers its own as a global and through a context processor: this one,
    # registered later, takes the place of both.
    app.jinja_env.globals["csrf_token"] = page_csrf_token
    # A fragment's template marks what it updates elsewhere on the page (hx-swap-oob).
    app.jinja_env.globals["wants_fragment"] = wants_fragment
    app.context_processor(lambda: {"csrf_token": page_csrf_token})

    # Numbers, money, days and times in the reader's format (workspace.numbers, .dates).
    app.jinja_env.filters.update(
        number=numbers.format_number,
        money=numbers.format_money,
        percent=numbers.format_percent,
        day=dates.format_day,
        moment=dates.format_moment,
    )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response:
        return error_response(
            400, _("The form expired or was sent from elsewhere. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if error.code is None or error.code < 400:
            return error
        if isinstance(error, SecurityError):
            # A host not in TRUSTED_HOSTS: no address can be built on it, so no page.
            return error
        if error.code == 413:
            limit = app.config["MAX_UPLOAD_MB"]
            return error_response(
                413,
                _("Files up to %(limit)s MB can be attached; this one is larger.", limit=limit),
            )
        return error_response(error.code)

    @app.errorhandler(500)
    def server_error(error: Exception) -> Response:
        # The page itself reads the database: start from a clean transaction.
        db.session.rollback()
        return error_response(500)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name, _ in headers.items()}
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
        if _private(response):
            # Nothing private comes back from a cache after signing out: the pages, the
            # exports and downloads (PDF, CSV, XLSX, ICS, DOCX), a set-password link.
            headers["Cache-Control"] = "no-store"
        if current_app.config["SESSION_COOKIE_SECURE"]:
            # Served over HTTPS only (secure cookies): browsers never try plain HTTP.
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def _private(response: Response) -> bool:
    if (request.endpoint or "").endswith("static"):
        return False  # the app's and the plugins' own files: the same for everyone
    return (
        current_user.is_authenticated
        or "Content-Disposition" in response.headers
        or g.get("no_store", False)
    )


def local_referrer() -> str | None:
    """The page the request came from, when it is a page of this workspace: where to
    go back to after an action. Never another site (no open redirect)."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return f"{path}?{parts.query}" if parts.query else path


def no_store() -> None:
    """This response must never be kept by a cache (a page whose address is a secret,
    such as a set-password link), whoever asks for it."""
    g.no_store = True
