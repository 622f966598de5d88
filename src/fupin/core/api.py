"""What every API route shares: authentication, errors as JSON with a stable code, and
the owner's API tokens (`/api/v1/tokens`).

Machine clients send `Authorization: Bearer <token>`; the browser sends its session
cookie, and then every unsafe method needs the CSRF token. Both end with `request.user`
set, so that every route reads through `core.access.restrict` for that user.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import DataError, models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PageNumberPagination
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth
from pydantic import StringConstraints

from fupin.core import tokens
from fupin.core.audit import Actor
from fupin.core.models import ApiToken

logger = logging.getLogger(__name__)
ModelT = TypeVar("ModelT", bound=models.Model)

# Text without NUL characters, which PostgreSQL cannot store.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]
# A primary key as a path parameter: positive, within a 64-bit column.
ObjectId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class Utf8JsonRenderer(JSONRenderer):
    """JSON as UTF-8 text: Chinese names and messages as they are, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


class ErrorOut(Schema):
    """An error: a stable code for programs, a message for people."""

    code: str
    message: str
    errors: list[dict[str, Any]] | None = None


# The errors any route may answer with: a body that cannot be parsed (400), no or a bad
# credential (401), a session write without CSRF (403), not found or out of scope (404),
# invalid input (422).
ERRORS: dict[int, type[Schema]] = dict.fromkeys((400, 401, 403, 404, 422), ErrorOut)


def responses(ok: dict[int, Any], *more: int) -> dict[int, Any]:
    """A route's documented responses: its own, the common errors and `more` error codes."""
    return {**ok, **ERRORS, **dict.fromkeys(more, ErrorOut)}


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token from `core.tokens`."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        user = tokens.token_user(raw=token)
        if user is not None:
            request.user = user  # type: ignore[assignment]
        return user


class BrowserSessionAuth(SessionAuth):
    """The browser's Django session; unsafe methods must carry the CSRF token.

    Without a logged-in session the request is unauthenticated (401) before any CSRF
    question arises; with one, a missing or wrong CSRF token is refused (403).
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


API_AUTH = [BearerTokenAuth(), BrowserSessionAuth()]


def api_user(request: HttpRequest) -> AbstractBaseUser:
    """The user the request acts for (set by either authentication)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, AbstractBaseUser)
    return user


def api_actor(request: HttpRequest) -> Actor:
    """The audit actor of the request: its user, labelled as coming through the API."""
    user = api_user(request)
    return Actor(user, user.get_username())


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    """A JSON error body `{"code", "message"}` (with `errors` when there are details)."""
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


def refusals_install(
    api: NinjaAPI,
    error: type[Exception],
    *,
    bad_request: frozenset[str],
    forbidden: frozenset[str] = frozenset(),
) -> None:
    """Answer a service's refusal (`error`, with a stable `code`) as a JSON error: 400 for
    what the request says (`bad_request`), 403 for the user's post (`forbidden`), 409 for
    the state of things (any other code)."""

    @api.exception_handler(error)
    def refused(request: HttpRequest, exc: Exception) -> HttpResponse:
        code = str(getattr(exc, "code", "refused"))
        status = 400 if code in bad_request else 403 if code in forbidden else 409
        return error_response(api, request, status, code, str(exc))


# A region code prefix as a filter: '' (the nation) to a 12-digit village.
RegionPrefix = Annotated[str, StringConstraints(pattern=r"^[0-9]{0,12}$")]


class PageIn(Schema):
    """Which page of a list: its number and size."""

    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class PageOut(Schema):
    """Where a page stands: how many match in all, its number and size."""

    count: int
    page: int
    page_size: int


def page_of(
    queryset: QuerySet[ModelT], *, page: int, page_size: int, request: HttpRequest
) -> tuple[list[ModelT], int]:
    """One page of an ordered queryset (ninja's page-number pagination) and the total count."""
    pages = PageNumberPagination(page_size=page_size, max_page_size=page_size)
    result = pages.paginate_queryset(
        queryset,
        pagination=PageNumberPagination.Input(page=page, page_size=page_size),
        request=request,
    )
    return list(result["items"]), result["count"]


HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 429: "throttled"}  # fmt: skip


def errors_install(api: NinjaAPI) -> None:
    """Answer every error of `api` as JSON with a stable code; never a stack trace."""

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        # One body for missing and out of scope alike (core.access.access_get).
        return error_response(api, request, 404, "not_found", _("未找到"))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        response = error_response(
            api, request, 401, "unauthenticated", _("需要登录或有效的API令牌")
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = HTTP_CODES.get(exc.status_code, "error")
        if exc.status_code == 403 and "CSRF" in exc.message:
            code = "csrf_failed"
        return error_response(api, request, exc.status_code, code, exc.message)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(part) for part in error.get("loc", ())], "type": error.get("type", ""),
             "msg": str(error.get("msg", ""))}
            for error in exc.errors
        ]  # fmt: skip
        return error_response(api, request, 422, "invalid", _("请求数据无效"), errors=errors)

    @api.exception_handler(DataError)
    def data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        # A value the database cannot hold is the client's error; the schema should have
        # caught it first.
        logger.warning("API input reached the database and was refused: %s", exc)
        return error_response(api, request, 422, "invalid", _("请求数据无效"))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(api, request, 500, "server_error", _("服务器内部错误"))


# --- the owner's tokens -------------------------------------------------------------------

router = Router(tags=["tokens"])


class TokenIn(Schema):
    """A token to create."""

    name: Annotated[Text, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class TokenOut(Schema):
    """A token as its owner sees it later: never the token itself, only its prefix."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    """A token just created: the only time the token is shown."""

    token: str


@router.post("/tokens", response=responses({201: TokenCreatedOut}), summary="Create a token")
def token_create(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    """Create an API token for yourself; the token is in this answer and never again."""
    expires_at = (
        timezone.now() + timedelta(days=payload.expires_in_days)
        if payload.expires_in_days
        else None
    )
    created = tokens.token_create(
        user=api_user(request), name=payload.name, actor=api_actor(request), expires_at=expires_at
    )
    token = created.token
    out = TokenCreatedOut(
        id=token.pk, name=token.name, prefix=token.prefix, created_at=token.created_at,
        expires_at=token.expires_at, last_used_at=token.last_used_at, token=created.raw,
    )  # fmt: skip
    return Status(201, out)


@router.get("/tokens", response=responses({200: list[TokenOut]}), summary="Your tokens")
def token_list(request: HttpRequest) -> list[ApiToken]:
    """Your tokens that still authenticate."""
    return list(tokens.tokens_active(user=api_user(request)))


@router.delete("/tokens/{token_id}", response=responses({204: None}), summary="Revoke a token")
def token_revoke(request: HttpRequest, token_id: ObjectId) -> Status[None]:
    """Revoke one of your tokens; another user's token is not found, like a missing one."""
    token = tokens.tokens_active(user=api_user(request)).filter(pk=token_id).first()
    if token is None:
        raise Http404("no token here")
    tokens.token_revoke(token=token, actor=api_actor(request))
    return Status(204, None)
