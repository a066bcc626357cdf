"""The privacy policy (`privacy`) and what the HTTP edge adds to it: answering with a rendered model,
and the start-up check that every route answers with a fully classified outbound model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from .privacy import *  # noqa: F403 - the policy's names, for the many call sites that import them from here
from .privacy import Audience, UnclassifiedField, check_outbound, render_json, render_rows_json
from .roles import Role

# A route answering a whole document made for its reader (a PDF, an HTML page), not a data model, declares
# `openapi_extra=DOCUMENT` and checks who may read it before answering.
DOCUMENT_KEY = "x-document"
DOCUMENT = {DOCUMENT_KEY: True}


def check_routes(routes: Iterable[Any]) -> None:
    """Every route of a service's routers declares an outbound response model, fully classified (or
    answers 204 with no body). Raises UnclassifiedField naming the route otherwise: run at start-up."""
    from fastapi.routing import APIRoute

    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        methods = sorted(route.methods or ())
        if route.response_model is None:
            if route.status_code == 204 or (route.openapi_extra or {}).get(DOCUMENT_KEY):
                continue
            raise UnclassifiedField(f"{methods} {route.path} declares no response model")
        try:
            models = check_outbound(route.response_model)
        except UnclassifiedField as exc:
            raise UnclassifiedField(f"{methods} {route.path}: {exc}") from exc
        if not models:
            raise UnclassifiedField(
                f"{methods} {route.path}: response model {route.response_model!r} is not an outbound model"
            )


def redacted_response(
    model: BaseModel | Sequence[BaseModel],
    roles: Audience | Iterable[Role],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
):
    """A JSON response of `model` with the policy applied (bypasses response-model validation,
    which would otherwise reject a body with fields removed), serialised once by pydantic."""
    from fastapi.responses import Response

    return Response(render_json(model, roles), status_code=status_code, headers=headers, media_type="application/json")


def redacted_rows_response(
    model: type[BaseModel], rows: Sequence[Mapping[str, Any]], roles: Audience | Iterable[Role], status_code: int = 200
):
    """`redacted_response` of a list of `model` given as rows of its fields (see `render_rows_json`): the
    same body, without building a model per row."""
    from fastapi.responses import Response

    return Response(render_rows_json(model, rows, roles), status_code=status_code, media_type="application/json")
