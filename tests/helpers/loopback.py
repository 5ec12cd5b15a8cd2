"""A threaded HTTP server on 127.0.0.1 for the fake providers: started by ``with``, stopped
and closed on leaving it, ``url`` its base address."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from scanner.verifiers.http import HttpClient


class LoopbackServer:
    requests: list[Any]  # what ``record`` kept, in arrival order

    def _listen(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.requests = []
        self._lock = threading.Lock()  # handler threads record while a test reads
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def record(self, request: Any) -> None:
        with self._lock:
            self.requests.append(request)

    def recorded(self, keep: Callable[[Any], bool] = lambda _: True) -> list[Any]:
        """What ``record`` kept and ``keep`` accepts, in arrival order."""
        with self._lock:
            return [r for r in self.requests if keep(r)]

    def log_text(self) -> str:
        """The raw text of every recorded request that keeps one: what a test searches for
        a secret that must never have been sent."""
        return "\n".join(str(getattr(r, "raw", "")) for r in self.recorded())

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class FakeHandler(BaseHTTPRequestHandler):
    """A fake provider's request handler: HTTP/1.1 with keep-alive, silent, GET and POST
    alike through ``respond``, with the body read and an answer written for it."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.respond()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.respond()

    def respond(self) -> None:
        raise NotImplementedError

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def lower_headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}

    def send_answer(self, status: int, body: object, headers: Mapping[str, str] | None = None,
                    content_type: str | None = None) -> None:
        """``body`` as JSON, or as it is when it is a string (plain text unless
        ``content_type`` names its type)."""
        text = isinstance(body, str)
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type or
                         ("text/plain" if text else "application/json"))
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


def redirecting_client(endpoint: str, fake_url: str, asked: list[str]) -> HttpClient:
    """A client for ``endpoint`` whose siblings (the host a verifier derives from the
    credential: a region, a resource) all go to ``fake_url``; each base URL asked for is
    appended to ``asked``, so a test sees which host the verifier chose."""

    class Redirecting(HttpClient):
        def sibling(self, base_url: str) -> HttpClient:
            asked.append(base_url)
            return HttpClient(fake_url, 3.0)

    return Redirecting(endpoint, 3.0)
