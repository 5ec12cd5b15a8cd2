"""A loopback fake of Docker Hub's token endpoint, ``POST /v2/auth/token``
(https://docs.docker.com/reference/api/hub/latest/operations/AuthCreateAccessToken/): a JSON
body of ``identifier`` (the Docker ID) and ``secret`` (a personal access token) gets a
short-lived JWT for a pair it knows, 401 otherwise; every request is recorded."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.helpers.loopback import FakeHandler, LoopbackServer


@dataclass(frozen=True)
class Login:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: dict[str, Any]


class FakeDockerHub(LoopbackServer):
    """``with FakeDockerHub({(docker_id, token): behaviour}) as fake:`` then
    ``--verify-endpoint dockerhub=<fake.url>``. Behaviours: active, unavailable, throttled."""

    def __init__(self, pairs: dict[tuple[str, str], str]) -> None:
        self.pairs = dict(pairs)
        self._listen(_handler_for(self))

    def answer(self, login: Login) -> tuple[int, Any]:
        if (login.method, login.path) != ("POST", "/v2/auth/token"):
            return 404, {"message": "page not found"}
        if login.headers.get("content-type") != "application/json":
            return 415, {"message": "unsupported media type"}
        pair = (str(login.body.get("identifier", "")), str(login.body.get("secret", "")))
        behaviour = self.pairs.get(pair)
        if behaviour is None:
            return 401, {"detail": "Incorrect authentication credentials",
                         "message": "Incorrect authentication credentials"}
        if behaviour == "unavailable":
            return 503, {"message": "service unavailable"}
        if behaviour == "throttled":
            return 429, {"message": "too many requests"}
        claims = base64.urlsafe_b64encode(json.dumps({"sub": pair[0]}).encode()).decode()
        return 200, {"access_token": f"eyJhbGciOiJSUzI1NiJ9.{claims.rstrip('=')}.c2lnbmVk"}


def _handler_for(fake: FakeDockerHub) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def respond(self) -> None:
            raw = self.read_body()
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {}
            login = Login(self.command, self.path, self.lower_headers(),
                          body if isinstance(body, dict) else {})
            fake.record(login)
            status, answer = fake.answer(login)
            self.send_answer(status, answer)

    return Handler
