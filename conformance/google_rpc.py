"""google.rpc.Code names and the HTTP statuses they map to (googleapis google/rpc/code.proto), and
the error detail types (google/rpc/error_details.proto) the suite reads and writes."""

from __future__ import annotations

# HTTP status -> the status names code.proto's "HTTP Mapping" gives for it.
CANONICAL_NAMES: dict[int, tuple[str, ...]] = {
    200: ("OK",),
    400: ("INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE"),
    401: ("UNAUTHENTICATED",),
    403: ("PERMISSION_DENIED",),
    404: ("NOT_FOUND",),
    409: ("ABORTED", "ALREADY_EXISTS"),
    429: ("RESOURCE_EXHAUSTED",),
    499: ("CANCELLED",),
    500: ("INTERNAL", "UNKNOWN", "DATA_LOSS"),
    501: ("UNIMPLEMENTED",),
    503: ("UNAVAILABLE",),
    504: ("DEADLINE_EXCEEDED",),
    # Not in code.proto, but documented by Google's own error pages (gemini-api-facts §5: 402
    # RESOURCE_EXHAUSTED) and by Tokensmart (402 FAILED_PRECONDITION).
    402: ("RESOURCE_EXHAUSTED", "FAILED_PRECONDITION"),
}


# The "@type" of the error details a check or the reference gateway names.
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
LOCALIZED_MESSAGE = "type.googleapis.com/google.rpc.LocalizedMessage"
DEBUG_INFO = "type.googleapis.com/google.rpc.DebugInfo"
