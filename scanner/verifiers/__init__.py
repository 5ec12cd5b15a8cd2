"""Live verification (``--verify``): ask each provider, with a signed side-effect-free identity
call, whether a found ID/secret pair works, and whose account it opens.

Nothing here runs unless the caller asks: importing this package opens no connection. Each
unique credential is verified once per run, in a small thread pool, paced per provider, with
a time budget per pair, and the verdicts are copied onto every finding of that credential.
The contract, signing and response tables: shared/reference/credentials.md §2."""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait

from scanner.errors import UsageError
from scanner.models import Finding, Verification
from scanner.rules.loader import RuleSet
from scanner.rules.schema import Rule
from scanner.verifiers.akamai import AkamaiVerifier
from scanner.verifiers.alibaba import AlibabaVerifier
from scanner.verifiers.asia_clouds import (
    NcloudVerifier,
    QingcloudVerifier,
    QiniuVerifier,
    UcloudVerifier,
)
from scanner.verifiers.aws import AwsVerifier
from scanner.verifiers.azure import AzureStorageVerifier
from scanner.verifiers.baidu import BaiduVerifier
from scanner.verifiers.base import (
    RETRYABLE,
    Credential,
    Verifier,
    scrubbed,
    skipped,
    unknown,
)
from scanner.verifiers.cache import VerifyCache
from scanner.verifiers.cloud_apis import (
    BackblazeVerifier,
    CivoVerifier,
    HerokuVerifier,
    HetznerVerifier,
    IbmCloudVerifier,
    LinodeVerifier,
    ScalewayVerifier,
    TerraformVerifier,
    UpcloudVerifier,
    VultrVerifier,
)
from scanner.verifiers.gcp import GcpServiceAccountVerifier
from scanner.verifiers.github import GithubVerifier
from scanner.verifiers.http import Endpoint, HttpClient, HttpError
from scanner.verifiers.huawei import HuaweiVerifier
from scanner.verifiers.kingsoft import KingsoftVerifier
from scanner.verifiers.model_apis import (
    DEEPSEEK,
    GROQ,
    MINIMAX,
    MISTRAL,
    MOONSHOT,
    QIANFAN,
    TOGETHER,
    AnthropicAdminVerifier,
    CohereVerifier,
    MailchimpVerifier,
    OpenaiAdminVerifier,
    OpenrouterVerifier,
    ReplicateVerifier,
    SiliconflowVerifier,
    TwilioVerifier,
    XaiVerifier,
)
from scanner.verifiers.more_clouds import (
    ExoscaleVerifier,
    OvhVerifier,
    YandexIamTokenVerifier,
    YandexStorageVerifier,
)
from scanner.verifiers.options import VerifyOptions
from scanner.verifiers.oracle import OracleVerifier
from scanner.verifiers.ratelimit import TokenBucket
from scanner.verifiers.tencent import TencentVerifier
from scanner.verifiers.tokens import (
    AnthropicVerifier,
    AzureOpenaiVerifier,
    CloudflareVerifier,
    DashscopeVerifier,
    DigitaloceanVerifier,
    DockerhubVerifier,
    GitlabVerifier,
    HuggingfaceVerifier,
    NpmVerifier,
    OpenaiVerifier,
    RubygemsVerifier,
    SendgridVerifier,
    SlackVerifier,
    SlackWebhookVerifier,
    StripeVerifier,
)
from scanner.verifiers.volcengine import VolcengineVerifier

__all__ = ["VERIFIERS", "Credential", "Verifier", "credential_for", "validate_endpoints",
           "verify_findings"]

log = logging.getLogger("scanner.verifiers")

# The registry: a rule's ``verify = "<name>"`` names one of these. Explicit on purpose.
VERIFIERS: dict[str, Verifier] = {
    "alibaba": AlibabaVerifier(),
    "aws": AwsVerifier(),
    "tencent": TencentVerifier(),
    "github": GithubVerifier(),
    "gitlab": GitlabVerifier(),
    "npm": NpmVerifier(),
    "azure-openai": AzureOpenaiVerifier(),
    "rubygems": RubygemsVerifier(),
    "dockerhub": DockerhubVerifier(),
    "digitalocean": DigitaloceanVerifier(),
    "cloudflare": CloudflareVerifier(),
    "openai": OpenaiVerifier(),
    "openai-admin": OpenaiAdminVerifier(),
    "anthropic": AnthropicVerifier(),
    "anthropic-admin": AnthropicAdminVerifier(),
    "dashscope": DashscopeVerifier(),
    "huggingface": HuggingfaceVerifier(),
    "slack": SlackVerifier(),
    "slack-webhook": SlackWebhookVerifier(),
    "stripe": StripeVerifier(),
    "sendgrid": SendgridVerifier(),
    "volcengine": VolcengineVerifier(),
    "baidu": BaiduVerifier(),
    "kingsoft": KingsoftVerifier(),
    "huawei": HuaweiVerifier(),
    "gcp": GcpServiceAccountVerifier(),
    "azure": AzureStorageVerifier(),
    "hetzner": HetznerVerifier(),
    "vultr": VultrVerifier(),
    "linode": LinodeVerifier(),
    "scaleway": ScalewayVerifier(),
    "heroku": HerokuVerifier(),
    "terraform": TerraformVerifier(),
    "civo": CivoVerifier(),
    "backblaze": BackblazeVerifier(),
    "ibm": IbmCloudVerifier(),
    "upcloud": UpcloudVerifier(),
    "deepseek": DEEPSEEK,
    "groq": GROQ,
    "mistral": MISTRAL,
    "xai": XaiVerifier(),
    "moonshot": MOONSHOT,
    "openrouter": OpenrouterVerifier(),
    "together": TOGETHER,
    "siliconflow": SiliconflowVerifier(),
    "minimax": MINIMAX,
    "baidu-qianfan": QIANFAN,
    "cohere": CohereVerifier(),
    "replicate": ReplicateVerifier(),
    "twilio": TwilioVerifier(),
    "mailchimp": MailchimpVerifier(),
    "qiniu": QiniuVerifier(),
    "ucloud": UcloudVerifier(),
    "qingcloud": QingcloudVerifier(),
    "naver-cloud": NcloudVerifier(),
    "yandex-cloud-iam": YandexIamTokenVerifier(),
    "yandex-cloud-storage": YandexStorageVerifier(),
    "exoscale": ExoscaleVerifier(),
    "ovhcloud": OvhVerifier(),
    "oracle": OracleVerifier(),
    "akamai": AkamaiVerifier(),
}

BACKOFF_BASE = 0.5  # seconds before the first retry; doubled each time
BACKOFF_MAX = 8.0


def validate_endpoints(endpoints: Mapping[str, str]) -> None:
    """Reject an unknown provider name, a URL that is not http(s), and plain http to anything
    but a loopback address (the signature and, for GitHub, the token must not travel in clear
    text over a network)."""
    for name, url in endpoints.items():
        if name not in VERIFIERS:
            raise UsageError(f"--verify-endpoint: unknown provider {name!r} "
                             f"(known: {', '.join(sorted(VERIFIERS))})")
        try:
            endpoint = Endpoint.parse(url)
        except ValueError as exc:
            raise UsageError(f"--verify-endpoint {name}: {exc}") from exc
        if endpoint.scheme == "http" and not endpoint.is_loopback:
            raise UsageError(f"--verify-endpoint {name}={url}: plain http is accepted only for "
                             "loopback addresses (127.0.0.1, ::1, localhost); use https")


CORE_PARTS = frozenset({"id", "secret", "private_key", "token"})


def credential_for(finding: Finding, verifier: str, session_token: bool = False,
                   standalone: bool = False, part: str = "token") -> Credential | Verification:
    """The credential a finding of a verifiable rule stands for, or the reason there is none:
    an ID needs its paired secret and a secret its paired ID, each with the session token
    found with them; a bearer token stands alone, and so does a secret whose rule pairs with
    no ID (``standalone``: an API key), while a session token (``session_token``: its rule
    has ``token_for``) needs the ID and secret it was found with. Parts with other names
    (``part``: the name the finding's own rule gives it) go into ``Credential.parts``."""
    if verifier not in VERIFIERS:
        return skipped("not_verifiable")
    if reason := getattr(VERIFIERS[verifier], "never_verify", None):
        return skipped(str(reason))  # a provider that must not be asked (huawei.py)
    parts = {p.kind: p.secret for p in finding.credential if p.kind}
    if finding.paired_with is not None:
        other = "secret" if finding.kind == "id" else "id"
        parts.setdefault(other, finding.paired_with.secret)
    if finding.kind not in ("id", "secret", "token", "private_key"):
        return skipped("not_verifiable")
    if (finding.kind == "token" and not session_token or finding.kind == "secret"
            and standalone) and not parts:
        return Credential(verifier, "", finding.secret)
    own = {"private_key": "secret", "token": part if session_token else "token"}
    parts[own.get(finding.kind, finding.kind)] = finding.secret
    parts.setdefault("secret", parts.pop("private_key", ""))  # a key is the ID's secret
    if "id" not in parts:
        return skipped("no_paired_id")
    if not parts["secret"]:
        return skipped("no_paired_secret")
    return Credential(verifier, parts["id"], parts["secret"], parts.get("token"),
                      {k: v for k, v in parts.items() if k not in CORE_PARTS})


def verify_findings(findings: Sequence[Finding], options: VerifyOptions,
                    ruleset: RuleSet) -> list[Finding]:
    """The findings, in the same order, each of a verifiable rule with its ``verification``
    set; findings of other rules are returned unchanged."""
    rules = ruleset.by_id()
    plan: list[Credential | Verification | None] = []
    for f in findings:
        rule = rules.get(f.rule_id)
        plan.append(credential_for(f, rule.verify, bool(rule.token_for), _standalone(rule),
                                   rule.part)
                    if rule and rule.verify else None)
    unique = {c.cache_key: c for c in plan if isinstance(c, Credential)}
    verdicts = verify_credentials(list(unique.values()), options) if unique else {}
    out = []
    for f, p in zip(findings, plan, strict=True):
        if p is None:
            out.append(f)
        else:
            verdict = p if isinstance(p, Verification) else verdicts[p.cache_key]
            out.append(dataclasses.replace(f, verification=verdict,
                                           severity="root" if verdict.root else f.severity))
    return out


def _standalone(rule: Rule) -> bool:
    """A secret rule that pairs with no ID rule: the secret is the whole credential."""
    return rule.kind == "secret" and not (rule.context and rule.context.ids)


def verify_credentials(credentials: list[Credential],
                       options: VerifyOptions) -> dict[str, Verification]:
    """Verdicts by ``cache_key``: from the cache when it has a fresh one, else one call each."""
    cache = _open_cache(options)
    verdicts: dict[str, Verification] = {}
    todo = []
    for c in credentials:
        hit = cache.get(c.cache_key) if cache else None
        if hit is not None:
            verdicts[c.cache_key] = hit
        else:
            todo.append(c)
    verdicts.update(_verify_concurrently(todo, options))
    if cache:
        try:
            for c in todo:
                cache.put(c.cache_key, verdicts[c.cache_key])
            cache.prune()
        except Exception as exc:  # noqa: BLE001 - a broken cache must not lose the results
            log.warning("keysweep: verification cache not updated: %s", exc)
        finally:
            cache.close()
    return verdicts


def pair_budget(options: VerifyOptions) -> float:
    """The most time one credential may take: every attempt timing out plus the pauses."""
    pauses = sum(_backoff(i) for i in range(options.retries))
    return (options.retries + 1) * options.timeout + pauses


def _verify_concurrently(todo: list[Credential],
                         options: VerifyOptions) -> dict[str, Verification]:
    if not todo:
        return {}
    limiters = {c.verifier: TokenBucket(VERIFIERS[c.verifier].rate) for c in todo}
    budget = pair_budget(options)
    workers = max(1, min(options.jobs, len(todo)))
    slowest = min(limiters[c.verifier].rate for c in todo)
    # A safety net above the per-pair deadlines (which the calls themselves enforce).
    overall = budget * math.ceil(len(todo) / workers) + len(todo) / slowest + 5.0
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="keysweep-verify")
    try:
        futures = {pool.submit(_verify_one, c, options, limiters[c.verifier], budget): c
                   for c in todo}
        wait(futures, timeout=overall)
        verdicts = {}
        for future, c in futures.items():
            if future.done() and future.exception() is None:
                verdicts[c.cache_key] = future.result()
            else:
                verdicts[c.cache_key] = unknown("timeout")
        return verdicts
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _verify_one(cred: Credential, options: VerifyOptions, limiter: TokenBucket,
                budget: float) -> Verification:
    """One credential: the verifier's call, retried with backoff on throttling, 5xx and
    network errors while the budget lasts. Never raises."""
    deadline = time.monotonic() + budget
    verifier = VERIFIERS[cred.verifier]
    base_url = options.endpoints.get(cred.verifier) or verifier.endpoint
    http = HttpClient(base_url, options.timeout, overridden=cred.verifier in options.endpoints,
                      before_request=limiter.acquire, deadline=deadline)
    attempt = 0
    while True:
        try:
            verdict = verifier.verify(cred, http)
        except HttpError as exc:
            log.debug("%s: %s", cred.verifier, cred.scrub(str(exc)))
            verdict = unknown(exc.reason)
        except Exception as exc:  # noqa: BLE001 - a verifier bug must not end the scan
            log.debug("%s: verifier error %s", cred.verifier, cred.scrub(repr(exc)))
            verdict = unknown("verifier_error")
        if verdict.status != "unknown" or verdict.reason not in RETRYABLE \
                or attempt >= options.retries:
            return scrubbed(verdict, cred)
        pause = _backoff(attempt)
        if time.monotonic() + pause >= deadline:
            return scrubbed(verdict, cred)
        time.sleep(pause)
        attempt += 1


def _backoff(attempt: int) -> float:
    return float(min(BACKOFF_MAX, BACKOFF_BASE * 2.0**attempt))


def _open_cache(options: VerifyOptions) -> VerifyCache | None:
    if options.cache is None:
        return None
    try:
        return VerifyCache(options.cache, options.cache_ttl)
    except Exception as exc:  # noqa: BLE001 - verify without a cache rather than not at all
        log.warning("keysweep: verification cache unavailable (%s): %s", options.cache, exc)
        return None
