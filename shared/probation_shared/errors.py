"""RFC 9457 problem+json for every error, each with a stable `code`."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .domain_error import DomainError, FieldError
from .logging import get_logger

__all__ = ["DomainError", "FieldError", "Problem", "not_found", "problem_response", "install_error_handlers"]

PROBLEM_JSON = "application/problem+json"
log = get_logger(__name__)


class Problem(DomainError):
    """A DomainError raised by the HTTP layer itself (access checks, headers): answered the same way."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str | None = None,
        *,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(code, detail, status=status)
        self.title = title or HTTPStatus(status).phrase
        self._errors = errors
        self.headers = headers
        self.extensions = extensions

    @property
    def errors(self) -> list[dict[str, Any]] | None:
        return self._errors


def not_found(what: str = "resource") -> Problem:
    return Problem(404, "not-found", f"No such {what}.")


def problem_response(
    status: int,
    code: str,
    title: str | None = None,
    detail: str | None = None,
    *,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:probation:problem:{code}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple) -> str:
    # Drop the location kind ("body", "query", ...) so the field reads as the caller wrote it.
    parts = (
        [str(p) for p in loc[1:]]
        if loc and loc[0] in {"body", "query", "path", "header", "cookie"}
        else [str(p) for p in loc]
    )
    return ".".join(parts) or str(loc[0] if loc else "")


async def _on_problem(request: Request, exc: Problem) -> JSONResponse:
    return problem_response(
        exc.status,
        exc.code,
        exc.title,
        exc.detail,
        instance=request.url.path,
        errors=exc.errors,
        headers=exc.headers,
        **exc.extensions,
    )


async def _on_domain_error(request: Request, exc: DomainError) -> JSONResponse:
    return problem_response(exc.status, exc.code, None, exc.detail, instance=request.url.path, errors=exc.errors)


async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    raw = exc.errors()
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem_response(
            400, "malformed-json", detail="The request body is not valid JSON.", instance=request.url.path
        )
    errors = [
        {"field": _field_path(tuple(e.get("loc", ()))), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in raw
    ]
    fields = ", ".join(sorted({e["field"] for e in errors}))
    return problem_response(
        422, "validation-failed", detail=f"Invalid fields: {fields}", instance=request.url.path, errors=errors
    )


_HTTP_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
}


async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, f"http-{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase else None
    return problem_response(
        exc.status_code, code, detail=detail, instance=request.url.path, headers=getattr(exc, "headers", None)
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", path=request.url.path)
    return problem_response(
        500, "internal-error", detail="An unexpected error occurred; it has been logged.", instance=request.url.path
    )


def install_error_handlers(app: FastAPI) -> None:
    # Starlette types every handler as taking any Exception, though it calls each with its own class only.
    app.add_exception_handler(Problem, _on_problem)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _on_domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)
