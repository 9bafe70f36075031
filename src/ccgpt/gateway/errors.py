"""The one exception the gateway's handlers raise for an answer other than 200.

Each API renders it in its own dialect: Ollama's `{"error": "..."}` or OpenAI's
`{"error": {"message", "type", "param", "code"}}`.
"""

from __future__ import annotations


class GatewayError(Exception):
    def __init__(self, status: int, message: str, *, code: str | None = None, param: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.headers = headers or {}

    @property
    def openai_type(self) -> str:
        if self.status == 401:
            return "authentication_error"
        if self.status == 403:
            return "permission_error"
        if self.status == 404:
            return "not_found_error"
        if self.status == 429:
            return "rate_limit_error"
        if self.status >= 500:
            return "api_error"
        return "invalid_request_error"


def bad_request(message: str, param: str | None = None) -> GatewayError:
    return GatewayError(400, message, code="invalid_request", param=param)


class UpstreamUnavailable(Exception):
    """No upstream could be reached (connection refused, DNS, connect timeout)."""
