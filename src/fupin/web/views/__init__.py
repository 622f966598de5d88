"""Page views: thin, reading through `web.queries` and writing through `web.services`."""

from __future__ import annotations

from django.http import HttpRequest


def htmx_target(request: HttpRequest, target: str) -> bool:
    """Whether htmx asks for the fragment `target` only (not for a whole page, as on a
    history restore or a plain browser request)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Target") == target
    )
