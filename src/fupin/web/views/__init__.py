"""Page views: thin, reading through `web.queries` and writing through the apps' services."""

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


def page_number(request: HttpRequest) -> int:
    """The page asked for (`?page=N`, from 1); anything else is the first page."""
    number = request.GET.get("page", "")
    return int(number) if number.isdigit() and 0 < len(number) < 7 else 1
