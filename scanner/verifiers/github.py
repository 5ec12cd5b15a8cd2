"""GitHub tokens: ``GET /user``, after the offline checksum of classic tokens
(credentials.md §1.10, §2.4). The token is sent as a bearer token, as GitHub requires: it goes
only to the GitHub API host over TLS (or the loopback endpoint a test names)."""

from __future__ import annotations

from scanner import __version__
from scanner.models import Verification
from scanner.verifiers import signing
from scanner.verifiers.base import Credential, active, http_failure, inactive, log_answer, unknown
from scanner.verifiers.http import HttpClient

CLASSIC_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")


class GithubVerifier:
    name = "github"
    endpoint = "https://api.github.com"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        token = credential.secret
        if (token.startswith(CLASSIC_PREFIXES) and len(token) == 40
                and not signing.github_checksum_ok(token)):
            return inactive("invalid_checksum")  # GitHub never issued it: no call needed
        resp = http.request("GET", "/user", headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "User-Agent": f"keysweep/{__version__}",
            "X-GitHub-Api-Version": "2022-11-28",
        })
        body = resp.json_object()
        message = str(body.get("message") or "")
        log_answer(credential, self.name, resp.status, None, resp.header("x-github-request-id"),
                   message)
        if resp.status == 200 and body.get("login"):
            scopes = resp.header("x-oauth-scopes")
            return active({"login": body.get("login"), "id": body.get("id"),
                           "type": body.get("type"), "scopes": scopes or None})
        if resp.status == 401:
            return inactive("bad_credentials")
        if resp.status in (403, 429) and (resp.header("x-ratelimit-remaining") == "0"
                                          or "rate limit" in message.lower()):
            return unknown("throttled")
        if resp.status == 403 and "not accessible by integration" in message.lower():
            return active()  # an app token: authenticated, only not allowed to read /user
        return http_failure(resp.status) or unknown(f"http_{resp.status}")
