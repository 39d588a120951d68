"""The user's authentication device for CIBA tests.

Keycloak POSTs every backchannel authentication request to the channel URI the harness gives
it (`RunningKeycloak.ciba_channel_uri`); this receiver listens there, answers 201 as Keycloak
expects, and hands each request to the test, which approves or denies it through Keycloak's
`ext/ciba/auth/callback` endpoint with the request's bearer token.
"""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class CibaChannelRequest:
    bearer: str
    body: dict[str, Any]


class CibaChannel:
    def __init__(self, uri: str) -> None:
        parts = urlsplit(uri)
        assert parts.hostname == "127.0.0.1" and parts.port, uri
        self.requests: queue.Queue[CibaChannelRequest] = queue.Queue()
        channel = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                bearer = self.headers.get("authorization", "").removeprefix("Bearer ")
                channel.requests.put(CibaChannelRequest(bearer, body))
                self.send_response(201)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", parts.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> CibaChannel:
        self.thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def next_request(self, timeout: float = 10.0) -> CibaChannelRequest:
        return self.requests.get(timeout=timeout)
