"""Content Security Policy for every HTTP answer.

Django 5.2 has no built-in CSP, so this small middleware adds one. The policy forbids inline
scripts and inline event handlers: every page passes its data through ``json_script`` or
``data-`` attributes and loads its code as ES modules from ``/static/``. Then even a name or
chat line that somehow reached the page as HTML could not run code.

Styles keep ``'unsafe-inline'`` because the Django admin still writes a few ``style=``
attributes; style injection cannot run code, and our own pages do not rely on it.
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"


def build_policy(host: str) -> str:
    """The policy for a request to ``host``.

    ``connect-src 'self'`` covers ws:/wss: to the same host in CSP 3 browsers; the explicit
    ``ws://host wss://host`` entries keep older engines (Safari < 15.4) working too.
    """
    sockets = f"ws://{host} wss://{host}" if host else ""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": f"'self' {sockets}".strip(),
        "media-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _apply(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # Django's DEBUG error page works with inline scripts; it never reaches production.
    if settings.DEBUG and response.status_code >= 500:
        return response
    if HEADER not in response:
        try:
            host = request.get_host()
        except Exception:  # DisallowedHost: the answer is an error page anyway
            host = ""
        response[HEADER] = build_policy(host)
    return response


class ContentSecurityPolicyMiddleware:
    """Sets the CSP header unless a view already chose its own.

    Sync and async capable, so it adds no thread hop under Daphne.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        return _apply(request, self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        return _apply(request, await self.get_response(request))
