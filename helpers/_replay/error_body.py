"""MiniMax's error envelope, built in one place (the local server, the synthesizer, exercises): `http_code`, the
`(<code>)` in the message and `request_id` are each absent in some real answers (docs/sources.md, "Errors")."""

from __future__ import annotations

from typing import Any

ERROR_TYPES = {
    400: "bad_request_error",
    401: "authentication_error",
    402: "insufficient_balance_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
"""The `error.type` of each status on MiniMax's Anthropic route (401 there has no code and no `http_code`)."""

INVALID_KEY = "invalid api key"
"""The 401 message on this route for a wrong key or a key of the other region (no code)."""
NO_KEY = "login fail: Please carry the API secret key in the 'Authorization' field of the request header"
"""The 401 message on this route when no key was sent (no code)."""


def auth_error_body(key_sent: bool) -> dict[str, Any]:
    """The 401 body of this route: `invalid api key` for a refused key, `login fail ...` for no key."""
    return error_body(401, INVALID_KEY if key_sent else NO_KEY, http_code=False)


def error_body(
    status: int,
    message: str,
    *,
    kind: str | None = None,
    http_code: bool = True,
    request_id: str | None = None,
) -> dict[str, Any]:
    """The JSON body of one MiniMax error answer with HTTP `status`."""
    inner: dict[str, Any] = {"type": kind or ERROR_TYPES.get(status, "api_error"), "message": message}
    if http_code:
        inner["http_code"] = str(status)
    body: dict[str, Any] = {"type": "error", "error": inner}
    if request_id is not None:
        body["request_id"] = request_id
    return body
