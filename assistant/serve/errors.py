"""Errors in OpenAI's shape (``{"error": {"message", "type", "param", "code"}}``) with the status codes
clients act on: 400 bad request, 401 key, 404, 413 too large, 429 queue full, 503 still loading."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..core.errors import AssistantError, ConfigError, EmptyIndexError, InputError
from ..core.sanitize import redact_secrets, strip_controls

_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error",
          405: "invalid_request_error", 413: "invalid_request_error", 429: "rate_limit_error",
          503: "server_error"}


class ApiError(Exception):
    """An error reply: status, one-line message, OpenAI's ``code`` and, for 429/503, when to retry."""

    def __init__(self, status: int, message: str, code: str | None = None, param: str | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param, self.retry_after = status, message, code, param, retry_after


def one_line(text: str) -> str:
    """Outside text as a safe single line, anything key-like redacted."""
    return " ".join(redact_secrets(strip_controls(text)).split())


def error_body(status: int, message: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": _TYPES.get(status, "server_error"), "param": param, "code": code}}


def error_response(exc: ApiError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return JSONResponse(error_body(exc.status, exc.message, exc.code, exc.param), exc.status, headers=headers)


def from_library(exc: AssistantError) -> ApiError:
    """A library error: the user's input (a bad date, an unknown outlet) is a 400, the rest a 500."""
    if isinstance(exc, (InputError, ConfigError, EmptyIndexError)):
        return ApiError(400, one_line(str(exc)), "invalid_input")
    return ApiError(500, one_line(str(exc)), "assistant_error")


def _validation_message(exc: RequestValidationError) -> tuple[str, str | None]:
    first = exc.errors()[0] if exc.errors() else {}
    where = [str(p) for p in first.get("loc", ()) if p != "body"]
    msg = str(first.get("msg", "malformed request"))
    if first.get("type") == "json_invalid":
        return "the request body is not valid JSON", None
    if not where:
        return "the request body must be a JSON object (Content-Type: application/json)", None
    param = ".".join(where)
    return f"{param}: {msg}", param


def install(app: FastAPI) -> None:
    """Every error the app can raise, in OpenAI's shape."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, param = _validation_message(exc)
        return error_response(ApiError(400, one_line(message), "invalid_request", param))

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        message = "no such route" if exc.status_code == 404 else str(exc.detail)
        return error_response(ApiError(exc.status_code, message, "not_found" if exc.status_code == 404 else None))

    @app.exception_handler(AssistantError)
    async def _library(_: Request, exc: AssistantError) -> JSONResponse:
        return error_response(from_library(exc))
