"""The runtime of the generated code, imported by it as `rt`: one namespace over small modules.

Generated code describes an operation as data: an `Endpoint` (what the spec says: HTTP method,
discovery key and path, expected statuses, error style, client authentication) and, per call,
a `Call` (the arguments, encoded). The rest is written once, sans-IO where possible, in modules
of one concern each:

- `_calls`: `Endpoint`, `Call` and the argument encoders;
- `_answers`: the readers that turn a response into the typed result;
- `_failures`: status and error mapping (typed errors, redacted transport errors);
- `_requests`: `prepare` (a `Call` → a request) and `finish` (a response → the result);
- `_methods`: the resource bases and the binders (`sync_method`, `async_method`,
  `url_method`, the pagers) that give sync and async classes one builder's exact signature;
- `keycloak_sdk._clients` adds the I/O: transports, timeouts, retries, the client bases.
"""

from __future__ import annotations

from keycloak_sdk._answers import (
    Factory,
    RawResponse,
    binary,
    content_type,
    created_id,
    json_object,
    json_objects,
    json_scalar,
    jwt,
    model,
    model_list,
    model_or_jwt,
    not_sent,
    nothing,
    plain_text,
    raw,
    strings,
)
from keycloak_sdk._calls import (
    Call,
    Endpoint,
    ErrorStyle,
    T,
    ToDict,
    Value,
    as_json,
    json_body,
    json_text_body,
    plain_json,
    repeated,
    segment,
    spaced,
    text,
    text_body,
    token,
)
from keycloak_sdk._failures import check, check_issuer, failure, transport_error
from keycloak_sdk._methods import (
    DEFAULT_PAGE_SIZE,
    AsyncResource,
    SyncResource,
    async_method,
    async_pages,
    sync_method,
    sync_pages,
    url_method,
)
from keycloak_sdk._requests import Request, build_url, finish, prepare, server_root, url_of

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "AsyncResource",
    "Call",
    "Endpoint",
    "ErrorStyle",
    "Factory",
    "RawResponse",
    "Request",
    "SyncResource",
    "T",
    "ToDict",
    "Value",
    "as_json",
    "async_method",
    "async_pages",
    "binary",
    "build_url",
    "check",
    "check_issuer",
    "content_type",
    "created_id",
    "failure",
    "finish",
    "json_body",
    "json_object",
    "json_objects",
    "json_scalar",
    "json_text_body",
    "jwt",
    "model",
    "model_list",
    "model_or_jwt",
    "not_sent",
    "nothing",
    "plain_json",
    "plain_text",
    "prepare",
    "raw",
    "repeated",
    "segment",
    "server_root",
    "spaced",
    "strings",
    "sync_method",
    "sync_pages",
    "text",
    "text_body",
    "token",
    "transport_error",
    "url_method",
    "url_of",
]
