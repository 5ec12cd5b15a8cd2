"""What every verifier shares: the credential it gets, the interface it implements, and the
verdict helpers. (Kept apart from ``__init__`` so verifier modules can import it without a
cycle; ``scanner.verifiers`` re-exports all of it.)"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from scanner.models import Verification
from scanner.verifiers.http import HttpClient
from scanner.verifiers.redaction import redact_text

log = logging.getLogger("scanner.verifiers")

# ``unknown`` reasons worth another attempt after a pause.
RETRYABLE = frozenset({"throttled", "server_error", "timeout", "network_error"})


@dataclass(frozen=True)
class Credential:
    """One ID/secret pair (or a lone token: ``key_id`` is then empty) to verify, with the
    session token and any other parts found with it."""

    verifier: str
    key_id: str
    secret: str = field(repr=False)
    token: str | None = field(default=None, repr=False)  # STS / session token, if found
    # Every other named part found with the ID (a rule's ``part``: tenancy, region, ...).
    parts: Mapping[str, str] = field(default_factory=dict, repr=False, hash=False)

    @property
    def cache_key(self) -> str:
        """SHA-256 of the whole credential: what the cache stores instead of the values."""
        raw = "\0".join((self.verifier, self.key_id, self.secret, self.token or ""))
        if self.parts:  # (none: the same key as before parts existed)
            raw += "".join(f"\0{name}={value}" for name, value in sorted(self.parts.items()))
        return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()

    def scrub(self, text: str) -> str:
        """``text`` safe to log: echoed string-to-sign cut, every form of each value redacted."""
        return redact_text(text, (self.secret, self.token, self.key_id, *self.parts.values()))


class Verifier(Protocol):
    """One provider's identity check. ``verify`` makes at most a few side-effect-free calls
    through ``http`` (already bound to the endpoint, the time budget and the rate limit) and
    never raises for a provider answer; transport failures may escape as ``HttpError``."""

    name: str
    endpoint: str  # default base URL of the identity endpoint
    rate: float  # calls per second at most

    def verify(self, credential: Credential, http: HttpClient) -> Verification: ...


def active(identity: dict[str, object] | None = None, reason: str | None = None) -> Verification:
    shown = {k: str(v) for k, v in (identity or {}).items() if v not in (None, "")}
    return Verification("active", reason, shown or None)


def inactive(reason: str) -> Verification:
    return Verification("inactive", reason)


def unknown(reason: str) -> Verification:
    return Verification("unknown", reason)


def skipped(reason: str) -> Verification:
    return Verification("skipped", reason)


def scrubbed(verdict: Verification, credential: Credential) -> Verification:
    """The verdict with every form of the secret and token redacted from what came from
    the provider's answer (a reason taken from an error code, identity fields, facts): a
    provider that echoes the key there must not put it in a report. One place for every
    verifier, so none can forget it."""
    def clean(text: str) -> str:  # the ID stays: identities name it (a username, an email)
        return redact_text(text, (credential.secret, credential.token))

    return dataclasses.replace(
        verdict,
        reason=clean(verdict.reason) if verdict.reason else verdict.reason,
        identity={k: clean(v) for k, v in verdict.identity.items()} if verdict.identity
        else verdict.identity,
        facts=tuple(dataclasses.replace(f, name=clean(f.name), value=clean(f.value))
                    for f in verdict.facts))


def http_failure(status: int) -> Verification | None:
    """The verdict an HTTP status alone gives when the body says nothing more."""
    if status == 429:
        return unknown("throttled")
    if status >= 500:
        return unknown("server_error")
    return None


def log_answer(credential: Credential, provider: str, status: int, code: str | None,
               request_id: str | None, message: str | None, **extra: object) -> None:
    """Debug-log a provider's answer: code, request id and message, each redacted (a
    provider may echo what it was sent in any of them)."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    details = " ".join(f"{k}={credential.scrub(str(v))}" for k, v in extra.items())
    log.debug("%s: HTTP %s code=%s request_id=%s %s message=%s", provider, status,
              credential.scrub(str(code)) if code is not None else None,
              credential.scrub(request_id) if request_id else request_id, details,
              credential.scrub(message or ""))
