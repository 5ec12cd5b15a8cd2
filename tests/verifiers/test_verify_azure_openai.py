"""Azure OpenAI keys end to end: ``keysweep scan --verify`` over real files against a loopback
fake of the data plane's "Models - List" (``GET /openai/models?api-version=...`` with the key
in ``api-key``). The key goes to the resource endpoint found beside it and nowhere else; a
key without one is never sent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scanner.verifiers import VERIFIERS, Credential
from scanner.verifiers.http import HttpClient
from tests.helpers.loopback import FakeHandler, LoopbackServer
from tests.helpers.run import run_keysweep

LIVE = "5f0c9e2ab7d14863a9e0c4b1d7f3e6a2"
GONE = "8b3e6d1f0a9c4e27b5d8f1a3c6e9b0d4"
BLOCKED = "2d7a4c9e1b6f3a80c5e2d9b4f7a1c3e6"
ENDPOINT = "https://ledger-ai.openai.azure.com/"


@dataclass(frozen=True)
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class FakeAzureOpenai(LoopbackServer):
    def __init__(self) -> None:
        self._listen(_handler_for(self))

    def answer(self, method: str, path: str, query: dict[str, list[str]],
               headers: dict[str, str]) -> tuple[int, Any]:
        if method != "GET" or path != "/openai/models" or "api-version" not in query:
            return 404, {"error": {"code": "404", "message": "Resource not found"}}
        key = headers.get("api-key")
        if key == BLOCKED:
            return 403, {"error": {"code": "403", "message": "Public access is disabled."}}
        if key != LIVE:
            return 401, {"error": {"code": "401", "message": "Access denied due to invalid "
                                   "subscription key or wrong API endpoint."}}
        return 200, {"data": [{"id": "gpt-4o-2024-08-06", "object": "model"},
                              {"id": "text-embedding-3-large", "object": "model"}],
                     "object": "list"}


def _handler_for(fake: FakeAzureOpenai) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def respond(self) -> None:
            headers = self.lower_headers()
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            fake.record(Request(url.path, query, headers))
            status, body = fake.answer(self.command, url.path, query, headers)
            self.send_answer(status, body)

    return Handler


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_each_key_is_verified_at_its_resource_and_a_key_without_one_is_not_sent(
        tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    for name, key in (("live", LIVE), ("gone", GONE), ("blocked", BLOCKED)):
        (tree / f"{name}.env").write_text(
            f"AZURE_OPENAI_ENDPOINT={ENDPOINT}\nAZURE_OPENAI_API_KEY={key}\n")
    (tree / "nohost.py").write_text(  # Azure OpenAI context, but no endpoint host
        f'import azure_openai\nazure_openai.api_key = "{GONE[::-1]}"\n')
    with FakeAzureOpenai() as fake:
        run = run_keysweep("scan", tree, "--verify", "--verify-endpoint",
                           f"azure-openai={fake.url}", "-f", "json", expected_code=1,
                           timeout=120)
        sent = fake.recorded()
    report = run.json()
    verdicts = {f["secret_sha256"]: f["verification"] for f in report["findings"]}
    assert {f["rule_id"] for f in report["findings"]} == {"azure-openai-api-key"}
    live = verdicts[sha(LIVE)]
    assert live["status"] == "active", live
    assert live["identity"] == {"resource": "ledger-ai.openai.azure.com", "models": "2"}
    assert verdicts[sha(GONE)]["status"] == "inactive"
    assert (verdicts[sha(BLOCKED)]["status"], verdicts[sha(BLOCKED)]["reason"]) \
        == ("unknown", "forbidden")
    assert (verdicts[sha(GONE[::-1])]["status"], verdicts[sha(GONE[::-1])]["reason"]) \
        == ("skipped", "no_paired_id")
    assert sorted(r.headers["api-key"] for r in sent) == sorted([LIVE, GONE, BLOCKED])
    assert all(r.query["api-version"] == ["2024-10-21"] for r in sent)
    for key in (LIVE, GONE, BLOCKED):
        assert key not in run.stdout + run.stderr


def test_a_host_outside_azure_is_never_asked() -> None:
    verdict = VERIFIERS["azure-openai"].verify(
        Credential("azure-openai", "ledger-ai.openai.azure.com.evil.example", LIVE),
        HttpClient("https://127.0.0.1:9", 1.0))
    assert (verdict.status, verdict.reason) == ("skipped", "needs_endpoint")
