"""What the local fake cloud endpoints share: a threaded HTTP(S) server on 127.0.0.1 and JSON replies."""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeServer:
    """Subclasses implement ``handle(h)``; every HTTP method is routed there. ``tls_ca`` (a trustme CA) makes it HTTPS."""

    def __init__(self, *, tls_ca=None):
        self.latency = 0.0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.scheme = "http"
        if tls_ca is not None:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls_ca.issue_cert("127.0.0.1").configure_cert(ctx)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, h: BaseHTTPRequestHandler) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body leave in two writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per request
            disable_nagle_algorithm = True

            def log_message(self, *a):  # keep test output clean
                pass

            def _any(self):
                fake.handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _any

        return Handler

    @staticmethod
    def send_json(h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None,
                  content_type: str = "application/json") -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(payload)
