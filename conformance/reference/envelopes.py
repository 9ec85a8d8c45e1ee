"""Google's error envelope, and the errors the reference gateway raises.

Every non-200 answer is `{"error": {"code": <HTTP status>, "message": ..., "status": <google.rpc.Code
name>, "details": [...]?}}`, with the status name the one google/rpc/code.proto maps to the HTTP
status (facts §5). Each error also carries a `reason`: a tag saying *why* the gateway refused. It
never goes on the wire; it lets a fault single out one kind of error ("unknown model") to mangle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.google_rpc import DEBUG_INFO, ERROR_INFO, LOCALIZED_MESSAGE, RETRY_INFO

# HTTP status -> google.rpc.Code name. 409 stands for both ABORTED and ALREADY_EXISTS; ABORTED is the
# generic one. An oversize body is a 400, not a 413: Google has no 413 in its mapping.
CANONICAL_STATUS: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

QUOTA_FAILURE = "type.googleapis.com/google.rpc.QuotaFailure"
# Longer than a client's retry budget, so an exhausted quota is reported rather than waited out.
QUOTA_RETRY_DELAY = "60s"


@dataclass
class ApiError(Exception):
    """An error answer. `code` and `status` follow `http_status` unless a fault overrides them."""

    http_status: int
    message: str
    reason: str
    details: tuple[dict[str, Any], ...] = ()
    code: int | None = None
    status: str | None = None
    # The wrong key a client sent; kept so a fault can leak it. The clean envelope never shows it.
    presented_key: str | None = None
    # The action the refused request addressed (set when the error is answered), so a fault can
    # single out one route's handling; never on the wire either.
    action: str | None = None

    def __str__(self) -> str:
        return f"{self.http_status} {self.message}"

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.http_status if self.code is None else self.code,
            "message": self.message,
            "status": self.status or CANONICAL_STATUS.get(self.http_status, "UNKNOWN"),
        }
        if self.details:
            error["details"] = list(self.details)
        return {"error": error}


def invalid_argument(message: str, reason: str = "invalid_argument") -> ApiError:
    return ApiError(400, message, reason)


PLACEMENT_WORDING = {
    "bearer": "an Authorization: Bearer header",
    "x-goog-api-key": "an x-goog-api-key header",
    "x-api-key": "an x-api-key header",
    "query": "the key query parameter",
}


# Google's words for a request without any key (facts §5 "Missing key").
GOOGLE_MISSING_KEY = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)
INVALID_KEY = "API key not valid. Please pass a valid API key."


def missing_key(status: int, placements: tuple[str, ...], google_wording: bool = False) -> ApiError:
    if google_wording:
        return ApiError(status, GOOGLE_MISSING_KEY, "missing_key")
    where = " or ".join(PLACEMENT_WORDING[placement] for placement in placements)
    return ApiError(status, f"API key is missing. Pass a valid API key in {where}.", "missing_key")


def invalid_key(presented_key: str, status: int = 401, google_wording: bool = False) -> ApiError:
    """A wrong key. Google answers 400 with ErrorInfo API_KEY_INVALID, a LocalizedMessage and a
    DebugInfo naming the key it refused (the recordings); the seeds document 401."""
    info = {"@type": ERROR_INFO, "reason": "API_KEY_INVALID", "domain": "googleapis.com"}
    if not google_wording:
        return ApiError(status, INVALID_KEY, "invalid_key", details=(info,), presented_key=presented_key)
    info["metadata"] = {"service": "generativelanguage.googleapis.com"}
    localized = {"@type": LOCALIZED_MESSAGE, "locale": "en-US", "message": INVALID_KEY}
    debug = {"@type": DEBUG_INFO, "detail": f"Invalid API key: {presented_key}"}
    return ApiError(status, INVALID_KEY, "invalid_key", details=(info, localized, debug), presented_key=presented_key)


def unsupported_action(status: int, action: str) -> ApiError:
    return ApiError(status, f"Method '{action}' is not supported by this gateway.", "unsupported_action")


def unknown_path(path: str) -> ApiError:
    return ApiError(404, f"The requested URL {path} was not found on this server.", "unknown_path")


def unknown_model(model_id: str, version: str, action: str) -> ApiError:
    # Google's own wording (google/adk-python#200), so clients that match on it keep working.
    return ApiError(
        404,
        f"models/{model_id} is not found for API version {version}, or is not supported for {action}. "
        "Call ListModels to see the list of available models and their supported methods.",
        "unknown_model",
    )


def malformed_json(detail: str) -> ApiError:
    return invalid_argument(f"Invalid JSON payload received. {detail}", "malformed_json")


def missing_field(request_type: str, field: str) -> ApiError:
    return invalid_argument(f"* {request_type}.{field}: {field} is not specified\n", f"missing_{field}")


def empty_parts(index: int) -> ApiError:
    return invalid_argument(
        f"* GenerateContentRequest.contents[{index}].parts: contents.parts must not be empty.\n", "empty_parts"
    )


def bad_role() -> ApiError:
    return invalid_argument("Please use a valid role: user, model.", "bad_role")


def body_too_large(limit: int) -> ApiError:
    return invalid_argument(f"Request payload size exceeds the limit: {limit} bytes.", "body_too_large")


def rate_limited() -> ApiError:
    """Google's quota answer (facts §5 Quota): 429 RESOURCE_EXHAUSTED with QuotaFailure and RetryInfo."""
    quota = {
        "@type": QUOTA_FAILURE,
        "violations": [
            {
                "quotaMetric": "generativelanguage.googleapis.com/generate_content_requests",
                "quotaId": "GenerateRequestsPerMinutePerProjectPerModel",
            }
        ],
    }
    return ApiError(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        "rate_limited",
        details=(quota, {"@type": RETRY_INFO, "retryDelay": QUOTA_RETRY_DELAY}),
    )


def image_stream_rejected(status: int) -> ApiError:
    return ApiError(
        status,
        "Image generation models do not support streamGenerateContent; use generateContent.",
        "image_stream",
    )


def upstream_unavailable() -> ApiError:
    # Google's overload answer (facts §5 Overload), also sent as a mid-stream error event (facts §6).
    return ApiError(503, "This model is currently experiencing high demand. Please try again later.", "upstream_unavailable")


def internal_error() -> ApiError:
    return ApiError(500, "Internal error encountered.", "internal")
