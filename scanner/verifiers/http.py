"""A tiny stdlib HTTP client for the identity calls: one request, a hard time budget, no
redirects (http.client never follows them; a 3xx comes back as a response), TLS verified with
the system trust store, and every transport failure raised as ``HttpError``.

Behind a corporate proxy (``HTTPS_PROXY``/``https_proxy`` for https endpoints, ``HTTP_PROXY``
for http ones, ``NO_PROXY`` to bypass), the request goes through a CONNECT tunnel: TLS is
still end to end with the provider (certificate checked for the provider's name), so the
proxy relays only encrypted bytes, and with a plain-http endpoint only the signed request."""

from __future__ import annotations

import base64
import http.client
import ipaddress
import json
import socket
import ssl
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

MAX_BODY = 1 << 20  # identity answers are tiny; never buffer more than this


class HttpError(Exception):
    """The call got no usable HTTP answer. ``reason`` is ``timeout`` or ``network_error``;
    the message never contains request data."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes = field(repr=False)

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; ``{}`` for anything else (an HTML error page, a list)."""
        data = self._json()
        return data if isinstance(data, dict) else {}

    def json_list(self) -> list[Any] | None:
        """The body as a JSON array; None for anything else."""
        data = self._json()
        return data if isinstance(data, list) else None

    def _json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


@dataclass(frozen=True)
class Endpoint:
    """A parsed base URL: ``scheme://host[:port][/base/path]``."""

    scheme: str
    hostname: str
    port: int
    base_path: str

    @staticmethod
    def parse(url: str) -> Endpoint:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError(f"URL must not carry credentials, a query or a fragment: {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return Endpoint(parts.scheme, parts.hostname, port, parts.path.rstrip("/"))

    @property
    def host(self) -> str:
        """The ``Host`` header value (signed by AWS and Tencent, so it must be exact)."""
        name = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(self.hostname)


@dataclass(frozen=True)
class Proxy:
    """An http:// proxy from the environment, and the Proxy-Authorization it needs."""

    hostname: str
    port: int
    authorization: str | None = field(default=None, repr=False)


def proxy_for(endpoint: Endpoint) -> Proxy | None:
    """The proxy the environment names for this endpoint's scheme, unless ``NO_PROXY``
    covers its host (read through the standard library, which knows the conventions)."""
    url = urllib.request.getproxies().get(endpoint.scheme)
    if not url or urllib.request.proxy_bypass(endpoint.hostname):
        return None
    if "://" not in url:
        url = "http://" + url  # HTTPS_PROXY=proxy:3128 is common
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise HttpError("network_error", f"unsupported proxy (only http:// proxies): "
                                         f"{parts.scheme}://{parts.hostname}")
    auth = None
    if parts.username:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        auth = "Basic " + base64.b64encode(pair.encode()).decode()
    return Proxy(parts.hostname, parts.port or 80, auth)


def is_loopback_host(hostname: str) -> bool:
    if hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


class HttpClient:
    """Requests to one endpoint within one time budget. ``before_request`` runs before each
    request (the provider's rate limiter); ``deadline`` (a ``time.monotonic()`` value) bounds
    everything, so a server that hangs or trickles cannot hold a call past it."""

    def __init__(self, base_url: str, timeout: float, *, overridden: bool = False,
                 before_request: Callable[[], None] | None = None,
                 deadline: float | None = None) -> None:
        self.endpoint = Endpoint.parse(base_url)
        self.base_url = base_url
        self.timeout = timeout
        self.overridden = overridden  # the user chose this endpoint (--verify-endpoint)
        self.before_request = before_request
        self.deadline = deadline

    @property
    def host(self) -> str:
        return self.endpoint.host

    def sibling(self, base_url: str) -> HttpClient:
        """The same budget and rate limit, another endpoint of the same provider."""
        return HttpClient(base_url, self.timeout, overridden=self.overridden,
                          before_request=self.before_request, deadline=self.deadline)

    def remaining(self) -> float:
        if self.deadline is None:
            return self.timeout
        return min(self.timeout, self.deadline - time.monotonic())

    def request(self, method: str, path: str = "", query: str = "",
                headers: Mapping[str, str] | None = None, body: bytes = b"") -> HttpResponse:
        if self.before_request is not None:
            self.before_request()
        budget = self.remaining()
        if budget <= 0:
            raise HttpError("timeout", "no time left for the call")
        stop = time.monotonic() + budget
        ep = self.endpoint
        target = (ep.base_path + path) or "/"
        if query:
            target += "?" + query
        conn: http.client.HTTPConnection
        proxy = proxy_for(ep)
        host, port = (proxy.hostname, proxy.port) if proxy else (ep.hostname, ep.port)
        if ep.scheme == "https":
            # Through a tunnel, http.client still checks the certificate for ep.hostname.
            conn = http.client.HTTPSConnection(host, port, timeout=budget,
                                               context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=budget)
        if proxy:
            # CONNECT for plain http too (a loopback test endpoint): the proxy then relays
            # the request bytes without parsing them, like it relays TLS.
            tunnel_headers = ({"Proxy-Authorization": proxy.authorization}
                              if proxy.authorization else None)
            conn.set_tunnel(ep.hostname, ep.port, headers=tunnel_headers)
        sent = {"Host": ep.host, "Connection": "close", **(headers or {})}
        try:
            conn.request(method, target, body=body or None, headers=sent)
            sock = conn.sock  # kept: the response owns it once the connection is closed
            _settimeout(sock, stop)
            resp = conn.getresponse()
            data = _read(sock, resp, stop)
            return HttpResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        except TimeoutError as exc:
            raise HttpError("timeout", f"no answer within {budget:.1f}s") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise HttpError("network_error", f"{type(exc).__name__}: {exc}") from exc
        finally:
            conn.close()


def _settimeout(sock: socket.socket | None, stop: float) -> None:
    left = stop - time.monotonic()
    if left <= 0:
        raise TimeoutError
    if sock is not None:
        sock.settimeout(left)


def _read(sock: socket.socket | None, resp: http.client.HTTPResponse, stop: float) -> bytes:
    """The body, chunk by chunk, each read bounded by what is left of the budget."""
    chunks: list[bytes] = []
    size = 0
    while True:
        _settimeout(sock, stop)
        chunk = resp.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY:
            raise http.client.HTTPException("response body too large")
        chunks.append(chunk)
