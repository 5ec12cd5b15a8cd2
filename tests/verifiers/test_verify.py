"""Verification against a real HTTP server on 127.0.0.1 that checks signatures the way the
providers do (tests/helpers/fake_provider.py): status mapping per provider, one call per unique
pair, bounded time, no secret on the wire or in logs, the cache, canaries, endpoint checks,
and the installed command end to end, including that without --verify no socket is opened."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, quote_plus

import jsonschema
import pytest

from benchmarks.corpus import BASE62, Values
from scanner.errors import UsageError
from scanner.models import Finding, Location, Pairing, Verification
from scanner.rules.loader import RuleSet, load_rules
from scanner.verifiers import (
    VERIFIERS,
    Credential,
    credential_for,
    pair_budget,
    validate_endpoints,
    verify_findings,
)
from scanner.verifiers.cache import VerifyCache, default_cache_path
from scanner.verifiers.options import VerifyOptions
from scanner.verifiers.redaction import redact_text
from tests.helpers.connect_proxy import ConnectProxy
from tests.helpers.fake_provider import Account, FakeProvider
from tests.helpers.run import run_keysweep

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
RULES = {  # provider -> (ID rule, secret rule)
    "alibaba": ("alibaba-access-key-id", "alibaba-access-key-secret"),
    "aws": ("aws-access-key-id", "aws-secret-access-key"),
    "tencent": ("tencent-secret-id", "tencent-secret-key"),
}


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules()


def finishes_within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``'s result, waiting for it at most ``seconds`` (a bounded wait, not a timing
    assertion: the bound is far above what the call should take and only catches a hang)."""
    done: list[T] = []
    worker = threading.Thread(target=lambda: done.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert done, f"still running after {seconds}s"
    return done[0]


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider(hang_seconds=20) as server:
        yield server


def new_pair(values: Values, provider: str) -> tuple[str, str]:
    if provider == "alibaba":
        return values.alibaba_id(), values.alibaba_secret()
    if provider == "aws":
        return values.aws_id(), values.aws_secret()
    return values.tencent_id(), values.tencent_key()


def pair_findings(ruleset: RuleSet, provider: str, key_id: str, secret: str,
                  path: str = "config.ini") -> list[Finding]:
    """The two findings the scanner reports for a paired ID and secret in one file."""
    id_rule, secret_rule = (ruleset.by_id()[r] for r in RULES[provider])
    return [
        make_finding(id_rule.id, key_id, path, 1, Pairing(secret_rule.id, secret), ruleset),
        make_finding(secret_rule.id, secret, path, 2, Pairing(id_rule.id, key_id), ruleset),
    ]


def make_finding(rule_id: str, value: str, path: str, line: int, partner: Pairing | None,
                 ruleset: RuleSet) -> Finding:
    rule = ruleset.by_id()[rule_id]
    return Finding(rule_id=rule.id, rule_name=rule.name, provider=rule.provider, kind=rule.kind,
                   severity=rule.severity, secret=value,
                   location=Location(path, line, 1, line, 1 + len(value)), paired_with=partner)


def options_for(fake: FakeProvider, **kw: object) -> VerifyOptions:
    defaults: dict[str, object] = {"endpoints": dict.fromkeys(VERIFIERS, fake.url),
                                   "timeout": 2.0, "retries": 1}
    defaults.update(kw)
    return VerifyOptions(**defaults)  # type: ignore[arg-type]


def wire_forms(value: str) -> set[str]:
    """How a value could appear in a request: raw, percent-encoded once or twice."""
    forms = {value}
    for enc in (lambda s: quote(s, safe=""), lambda s: quote(s, safe="-_.~"), quote_plus):
        forms |= {enc(value), enc(enc(value))}
    return forms


def assert_never_sent(fake: FakeProvider, secrets: list[str]) -> None:
    log = fake.log_text()
    assert log, "the fake provider saw no request at all"
    for secret in secrets:
        for form in wire_forms(secret):
            assert form not in log, "a secret crossed the wire"


def verdicts(findings: list[Finding]) -> dict[str, tuple[str, str | None]]:
    return {f.location.path: (f.verification.status, f.verification.reason)
            for f in findings if f.verification is not None}


# -- status mapping per provider ------------------------------------------------------------------

CASES = ["active", "disabled", "deleted", "wrong_secret", "throttled", "unavailable",
         "throttled_once", "unavailable_once", "no_permission"]
EXPECTED = {
    "alibaba": {"active": ("active", None), "disabled": ("inactive", "key_disabled"),
                "deleted": ("inactive", "id_not_found"),
                "wrong_secret": ("inactive", "wrong_secret"),
                "throttled": ("unknown", "throttled"), "unavailable": ("unknown", "server_error"),
                "throttled_once": ("active", None), "unavailable_once": ("active", None),
                "no_permission": ("active", None)},
    # AWS and Tencent answer the same code for a deleted and a disabled key.
    "aws": {"active": ("active", None), "disabled": ("inactive", "id_not_found"),
            "deleted": ("inactive", "id_not_found"), "wrong_secret": ("inactive", "wrong_secret"),
            "throttled": ("unknown", "throttled"), "unavailable": ("unknown", "server_error"),
            "throttled_once": ("active", None), "unavailable_once": ("active", None),
            "no_permission": ("active", None)},
    "tencent": {"active": ("active", None), "disabled": ("inactive", "id_not_found"),
                "deleted": ("inactive", "id_not_found"),
                "wrong_secret": ("inactive", "wrong_secret"),
                "throttled": ("unknown", "throttled"), "unavailable": ("unknown", "server_error"),
                "throttled_once": ("active", None), "unavailable_once": ("active", None),
                "no_permission": ("active", None)},
}


def plant(fake: FakeProvider, values: Values, provider: str, case: str,
          account_id: str) -> tuple[str, str]:
    """A pair for ``case``, registered with the fake provider as that case needs."""
    key_id, secret = new_pair(values, provider)
    if case == "deleted":
        return key_id, secret
    behaviour = {"wrong_secret": "active"}.get(case, case)
    known = new_pair(values, provider)[1] if case == "wrong_secret" else secret
    fake.accounts[key_id] = Account(known, behaviour, account_id=account_id)
    return key_id, secret


@pytest.mark.parametrize("provider", ["alibaba", "aws", "tencent"])
def test_every_answer_maps_to_the_documented_status(provider: str, fake: FakeProvider,
                                                    values: Values, ruleset: RuleSet,
                                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(VERIFIERS["aws"], "recheck_delay", 0.2)
    account_id = str(values.rng.randrange(10**11, 10**12))
    findings, secrets, ids = [], [], {}
    for case in CASES:
        key_id, secret = plant(fake, values, provider, case, account_id)
        ids[case] = key_id
        secrets.append(secret)
        findings += pair_findings(ruleset, provider, key_id, secret, path=case)
    result = finishes_within(60, lambda: verify_findings(findings, options_for(fake, retries=2),
                                                         ruleset))
    assert verdicts(result) == EXPECTED[provider]
    active = next(f for f in result if f.location.path == "active")
    assert active.verification is not None and active.verification.identity is not None
    assert active.verification.identity["account_id"] == account_id
    assert account_id in active.verification.identity["arn"]
    # Both halves of a pair carry the same verdict; one call per pair (retries aside).
    assert [f.verification for f in result[0::2]] == [f.verification for f in result[1::2]]
    assert fake.count(ids["active"]) == 1
    assert fake.count(ids["throttled"]) == 3  # the first call and two retries
    assert fake.count(ids["throttled_once"]) == 2
    assert_never_sent(fake, secrets)


def test_alibaba_signature_mismatch_is_wrong_secret_only_when_the_echo_matches(
        fake: FakeProvider, values: Values, ruleset: RuleSet):
    key_id, secret = new_pair(values, "alibaba")
    fake.accounts[key_id] = Account(secret, "bad_echo")
    result = verify_findings(pair_findings(ruleset, "alibaba", key_id, secret), options_for(fake),
                             ruleset)
    assert result[0].verification == Verification("unknown", "signing_error")


@pytest.mark.parametrize("provider", ["alibaba", "tencent"])
def test_a_nonce_or_clock_complaint_gets_one_fresh_try(provider: str, fake: FakeProvider,
                                                       values: Values, ruleset: RuleSet):
    key_id, secret = new_pair(values, provider)
    fake.accounts[key_id] = Account(secret, "nonce_once")
    result = verify_findings(pair_findings(ruleset, provider, key_id, secret),
                             options_for(fake, retries=0), ruleset)
    assert result[0].verification is not None and result[0].verification.status == "active"
    assert fake.count(key_id) == 2


def test_github_token_statuses(fake: FakeProvider, values: Values, ruleset: RuleSet):
    tokens = {case: values.github() for case in
              ("active", "revoked", "throttled", "unavailable", "app")}
    fake.accounts[tokens["active"]] = Account("", "active", account_id="583231", name="octocat")
    fake.accounts[tokens["throttled"]] = Account("", "throttled")
    fake.accounts[tokens["unavailable"]] = Account("", "unavailable")
    fake.accounts[tokens["app"]] = Account("", "no_permission")
    bad = tokens["active"][:-1] + ("A" if tokens["active"][-1] != "A" else "B")
    findings = [make_finding("github-token", t, case, 1, None, ruleset)
                for case, t in [*tokens.items(), ("bad_checksum", bad)]]
    result = verify_findings(findings, options_for(fake, retries=0), ruleset)
    assert verdicts(result) == {
        "active": ("active", None), "revoked": ("inactive", "bad_credentials"),
        "throttled": ("unknown", "throttled"), "unavailable": ("unknown", "server_error"),
        "app": ("active", None), "bad_checksum": ("inactive", "invalid_checksum")}
    assert result[0].verification is not None
    assert result[0].verification.identity == {"login": "octocat", "id": "583231",
                                               "type": "User", "scopes": "repo, read:org"}
    assert fake.count(bad) == 0  # the checksum settles it offline
    # A bearer token has to be sent, but only in the Authorization header.
    for request in fake.requests:
        assert request.path == "/user" and request.body == b""


# -- one call per pair, time bounds --------------------------------------------------------------


def test_each_unique_pair_is_verified_once_however_many_places_it_is_in(
        fake: FakeProvider, values: Values, ruleset: RuleSet):
    key_id, secret = new_pair(values, "alibaba")
    fake.accounts[key_id] = Account(secret)
    findings = [f for i in range(6)
                for f in pair_findings(ruleset, "alibaba", key_id, secret, path=f"copy{i}.ini")]
    result = verify_findings(findings, options_for(fake), ruleset)
    assert {f.verification.status for f in result if f.verification} == {"active"}
    assert len(result) == 12 and fake.count(key_id) == 1
    assert [f.location for f in result] == [f.location for f in findings]  # same order


def test_a_hanging_server_cannot_hold_the_scan_past_the_budget(fake: FakeProvider,
                                                               values: Values, ruleset: RuleSet):
    findings = []
    for i in range(5):
        key_id, secret = new_pair(values, "aws" if i % 2 else "alibaba")
        fake.accounts[key_id] = Account(secret, "hang")
        findings += pair_findings(ruleset, "aws" if i % 2 else "alibaba", key_id, secret,
                                  path=f"hang{i}")
    options = options_for(fake, timeout=0.5, retries=1)
    # The server hangs for 20 s per request: ending well before that means the per-pair
    # deadline cut every call, which the attempt count confirms.
    result = finishes_within(10, lambda: verify_findings(findings, options, ruleset))
    assert set(verdicts(result).values()) == {("unknown", "timeout")}
    assert pair_budget(options) == 2 * 0.5 + 0.5  # (retries + 1) x timeout + one pause
    # Each ID was asked at most twice: the first call and one retry, no more.
    assert all(1 <= fake.count(f.secret) <= 2 for f in findings[0::2])


def test_unreachable_endpoint_is_unknown_network_error(values: Values, ruleset: RuleSet):
    key_id, secret = new_pair(values, "tencent")
    options = VerifyOptions(endpoints={"tencent": "http://127.0.0.1:9"}, timeout=1, retries=0)
    result = verify_findings(pair_findings(ruleset, "tencent", key_id, secret), options, ruleset)
    assert result[0].verification == Verification("unknown", "network_error")


# -- what is and is not verified -----------------------------------------------------------------


def test_findings_without_the_other_half_are_skipped_and_others_left_alone(
        fake: FakeProvider, values: Values, ruleset: RuleSet):
    key_id, secret = new_pair(values, "alibaba")
    lone_id = make_finding("alibaba-access-key-id", key_id, "a", 1, None, ruleset)
    lone_secret = make_finding("alibaba-access-key-secret", secret, "b", 1, None, ruleset)
    jdcloud = make_finding("jdcloud-access-key-id", "JDC_" + values.alnum(28), "c", 1, None,
                           ruleset)
    huawei = make_finding("huawei-access-key-id", values.huawei_ak(), "d", 1, None, ruleset)
    result = verify_findings([lone_id, lone_secret, jdcloud, huawei], options_for(fake),
                             ruleset)
    assert result[0].verification == Verification("skipped", "no_paired_secret")
    assert result[1].verification == Verification("skipped", "no_paired_id")
    assert result[2].verification is None
    # Huawei is never asked (its key lockout), whichever half is found.
    assert result[3].verification == Verification(
        "skipped", "huawei_locks_the_key_after_five_failed_authentications")
    assert fake.requests == []


def test_temporary_aws_key_without_session_token_is_skipped(fake: FakeProvider, values: Values,
                                                            ruleset: RuleSet):
    key_id, secret = values.aws_id("ASIA"), values.aws_secret()
    finding = make_finding("aws-secret-access-key", secret, "a", 2,
                           Pairing("aws-temporary-access-key-id", key_id), ruleset)
    result = verify_findings([finding], options_for(fake), ruleset)
    assert result[0].verification == Verification("skipped", "needs_session_token")
    assert fake.requests == []


@pytest.mark.parametrize("key_id", ["AKIASP2TPHJSQH3FJRUX"])  # W5: a Canarytokens account
def test_canary_keys_are_skipped_without_any_request(key_id: str, fake: FakeProvider,
                                                     values: Values, ruleset: RuleSet):
    secret = values.aws_secret()
    fake.accounts[key_id] = Account(secret)
    result = verify_findings(pair_findings(ruleset, "aws", key_id, secret),
                             options_for(fake), ruleset)
    assert [f.verification for f in result] == [Verification("skipped", "canary")] * 2
    assert fake.requests == []


def test_credential_for_takes_each_half_from_the_right_side(values: Values, ruleset: RuleSet):
    key_id, secret = new_pair(values, "aws")
    id_finding, secret_finding = pair_findings(ruleset, "aws", key_id, secret)
    assert credential_for(id_finding, "aws") == credential_for(secret_finding, "aws") \
        == Credential("aws", key_id, secret)
    assert secret not in repr(Credential("aws", key_id, secret))


# -- endpoints ------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoints", [
    {"alibaba": "http://127.0.0.1:8080"}, {"aws": "http://[::1]:9000/"},
    {"github": "http://localhost:3000/api/v3"}, {"tencent": "https://sts.internal.example"},
])
def test_endpoints_accepted(endpoints: dict[str, str]):
    validate_endpoints(endpoints)


@pytest.mark.parametrize(("endpoints", "message"), [
    ({"alibaba": "http://10.0.0.5:8080"}, "loopback"),
    ({"aws": "http://sts.amazonaws.com/"}, "loopback"),
    ({"jdcloud": "https://iam.jdcloud-api.com"}, "unknown provider 'jdcloud'"),
    ({"github": "ftp://127.0.0.1/"}, "not an http(s) URL"),
    ({"tencent": "https://user:pw@sts.tencentcloudapi.com/"}, "must not carry"),
])
def test_endpoints_rejected(endpoints: dict[str, str], message: str):
    with pytest.raises(UsageError, match=re.escape(message)) as info:
        validate_endpoints(endpoints)
    assert "\n" not in str(info.value)


def test_cli_rejects_plain_http_to_a_network_address(tmp_path: Path):
    (tmp_path / "a.ini").write_text("x = 1\n")
    run = run_keysweep("scan", tmp_path, "--verify", "--verify-endpoint",
                       "alibaba=http://192.0.2.7:8080", expected_code=2)
    assert "loopback" in run.stderr and len(run.stderr.strip().splitlines()) == 1


# -- redaction and logs -------------------------------------------------------------------------


def test_redaction_cuts_the_echoed_string_to_sign_and_every_encoding():
    secret, token = "pYlSXpfKtHF4vUCsMe/GAkWvj+FAc9", "CAIS tok/en+=="
    text = (f"SignatureDoesNotMatch: server string to sign is:GET&%2F&AccessKeyId%3DLTAI"
            f"%26SecurityToken%3D{quote(quote(token, safe='-_.~'), safe='-_.~')}")
    assert redact_text(text, [secret, token]) == \
        "SignatureDoesNotMatch: server string to sign is: <redacted>"
    for form in wire_forms(secret) | wire_forms(token):
        cleaned = redact_text(f"x {form} y", [secret, token])
        assert form not in cleaned


def test_debug_log_of_a_signature_error_carries_no_secret(fake: FakeProvider, values: Values,
                                                         ruleset: RuleSet,
                                                         caplog: pytest.LogCaptureFixture):
    key_id, secret = new_pair(values, "alibaba")
    fake.accounts[key_id] = Account(values.alibaba_secret())  # another secret: mismatch
    with caplog.at_level(logging.DEBUG, logger="scanner.verifiers"):
        result = verify_findings(pair_findings(ruleset, "alibaba", key_id, secret),
                                 options_for(fake), ruleset)
    assert result[0].verification == Verification("inactive", "wrong_secret")
    text = caplog.text
    assert "SignatureDoesNotMatch" in text and "echo_match=True" in text
    assert "string to sign is: <redacted>" in text
    for value in (secret, key_id):
        for form in wire_forms(value):
            assert form not in text
    # ... while the server did echo it (with the ID) on the wire.
    assert any(key_id in r.raw for r in fake.requests)


# -- cache ----------------------------------------------------------------------------------------


def test_cache_is_used_on_the_second_run_and_stores_no_secret(fake: FakeProvider, values: Values,
                                                              ruleset: RuleSet, tmp_path: Path):
    assert default_cache_path() == Path.home() / ".cache" / "keysweep" / "verify.sqlite"
    cache = tmp_path / "cache" / "verify.sqlite"
    live = new_pair(values, "alibaba")
    down = new_pair(values, "aws")
    fake.accounts[live[0]] = Account(live[1], account_id="1111222233334444")
    fake.accounts[down[0]] = Account(down[1], "unavailable")
    findings = (pair_findings(ruleset, "alibaba", *live, path="live")
                + pair_findings(ruleset, "aws", *down, path="down"))
    options = options_for(fake, cache=cache, retries=0)
    first = verify_findings(findings, options, ruleset)
    second = verify_findings(findings, options, ruleset)
    assert [f.verification for f in first] == [f.verification for f in second]
    assert fake.count(live[0]) == 1  # answered from the cache the second time
    assert fake.count(down[0]) == 2  # unknown verdicts are not cached
    raw = cache.read_bytes()
    with sqlite3.connect(cache) as db:
        rows = db.execute("SELECT * FROM results").fetchall()
    dumped = raw.decode("latin-1") + repr(rows)
    for value in (*live, *down):
        assert value not in dumped
        assert hashlib.sha256(value.encode()).hexdigest() not in dumped
    assert len(rows) == 1 and rows[0][1] == "active"
    assert (cache.stat().st_mode & 0o777) == 0o600
    # An expired entry is asked again.
    verify_findings(findings, options_for(fake, cache=cache, retries=0, cache_ttl=0.0), ruleset)
    assert fake.count(live[0]) == 2


def test_cache_round_trip(tmp_path: Path):
    cache = VerifyCache(tmp_path / "c.sqlite", ttl=60)
    verdict = Verification("active", None, {"account_id": "1", "arn": "acs:ram::1:root"})
    cache.put("k", verdict)
    cache.put("u", Verification("unknown", "timeout"))
    assert cache.get("k") == verdict and cache.get("u") is None and cache.get("x") is None
    cache.close()


# -- the installed command, end to end --------------------------------------------------------


@dataclass(frozen=True)
class Planted:
    case: str
    key_id: str
    secret: str


LAYOUTS = {
    "alibaba": "[default]\ntype = access_key\naccess_key_id = {id}\naccess_key_secret = {secret}\n",
    "aws": "[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"
           "region = us-east-1\n",
    "tencent": "[default]\nsecret_id = {id}\nsecret_key = {secret}\n",
}
E2E_CASES = ("active", "disabled", "deleted", "wrong_secret", "unavailable")


def report_validator() -> jsonschema.Draft202012Validator:
    text = resources.files("scanner").joinpath("schemas/report.schema.json").read_text(
        encoding="utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def plant_tree(root: Path, fake: FakeProvider, values: Values, provider: str,
               account_id: str) -> list[Planted]:
    planted = []
    for case in E2E_CASES:
        key_id, secret = plant(fake, values, provider, case, account_id)
        folder = root / f"{provider}-{case}"
        folder.mkdir(parents=True)
        (folder / "credentials").write_text(LAYOUTS[provider].format(id=key_id, secret=secret))
        planted.append(Planted(case, key_id, secret))
    return planted


@pytest.mark.parametrize("provider", ["alibaba", "aws", "tencent"])
def test_installed_command_reports_each_pair_with_its_status(provider: str, fake: FakeProvider,
                                                             values: Values, tmp_path: Path):
    tree = tmp_path / "tree"
    account_id = str(values.rng.randrange(10**11, 10**12))
    planted = plant_tree(tree, fake, values, provider, account_id)
    run = run_keysweep("scan", tree, "--verify", "--verify-endpoint", f"{provider}={fake.url}",
                       "--verify-timeout", "3", "-f", "json", expected_code=1, timeout=60)
    report = run.json()
    report_validator().validate(report)  # identities and reasons fit the published schema
    by_hash = {hashlib.sha256(p.secret.encode()).hexdigest(): p for p in planted}
    by_hash |= {hashlib.sha256(p.key_id.encode()).hexdigest(): p for p in planted}
    seen: dict[str, list[tuple[str, str | None]]] = {}
    for f in report["findings"]:
        p = by_hash[f["secret_sha256"]]
        assert f["path"].startswith(f"{provider}-{p.case}")
        seen.setdefault(p.case, []).append((f["verification"]["status"],
                                            f["verification"]["reason"]))
        if p.case == "active":
            assert f["verification"]["identity"]["account_id"] == account_id
    expected = {"active": ("active", None),
                "disabled": ("inactive", "key_disabled" if provider == "alibaba"
                             else "id_not_found"),
                "deleted": ("inactive", "id_not_found"),
                "wrong_secret": ("inactive", "wrong_secret"),
                "unavailable": ("unknown", "server_error")}
    assert seen == {case: [verdict, verdict] for case, verdict in expected.items()}
    for p in planted:
        assert p.secret not in run.stdout and p.secret not in run.stderr
        if p.case == "deleted":
            assert fake.count(p.key_id) == 1  # the ID and the secret finding: one call
    assert_never_sent(fake, [p.secret for p in planted])


def test_installed_command_text_report_only_verified_and_fail_on(fake: FakeProvider,
                                                                 values: Values, tmp_path: Path):
    tree = tmp_path / "tree"
    planted = plant_tree(tree, fake, values, "alibaba", "5556667778889990")
    endpoint = ("--verify-endpoint", f"alibaba={fake.url}")
    run = run_keysweep("scan", tree, "--verify", *endpoint, "-f", "text", expected_code=1)
    assert "status    ACTIVE" in run.stdout
    assert "identity  account_id 5556667778889990" in run.stdout
    assert "status    INACTIVE (wrong_secret)" in run.stdout
    assert "status    UNKNOWN (server_error)" in run.stdout
    only = run_keysweep("scan", tree, "--verify", *endpoint, "--only-verified", "-f", "json",
                        expected_code=1).json()
    active = next(p for p in planted if p.case == "active")
    assert {f["secret_sha256"] for f in only["findings"]} == {
        hashlib.sha256(v.encode()).hexdigest() for v in (active.key_id, active.secret)}
    # --fail-on active: findings, but none active -> exit 0
    (tree / "alibaba-active" / "credentials").unlink()
    run_keysweep("scan", tree, "--verify", *endpoint, "--fail-on", "active", "-f", "json",
                 expected_code=0)


# -- no network without --verify ------------------------------------------------------------------

AUDIT = """
import sys
log = open(sys.argv.pop(1), "a")
def hook(event, args):
    if event.startswith("socket.") and event != "socket.__new__":
        log.write(f"{event} {args[1:] if event in ('socket.connect', 'socket.bind') else args}\\n")
        log.flush()
sys.addaudithook(hook)
from scanner.cli import main
sys.exit(main(sys.argv[1:]))
"""


def audited_keysweep(audit_log: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", AUDIT, str(audit_log), *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_without_verify_no_socket_is_opened(fake: FakeProvider, values: Values, tmp_path: Path):
    tree = tmp_path / "tree"
    for provider in ("alibaba", "aws", "tencent"):
        plant_tree(tree, fake, values, provider, "123456789012")
    (tree / "gh.env").write_text(f"GITHUB_TOKEN={values.github()}\n")
    audit = tmp_path / "audit.log"
    audit.touch()
    for jobs in ("1", "4"):
        proc = audited_keysweep(audit, "scan", tree, "-f", "json", "--jobs", jobs)
        assert proc.returncode == 1, proc.stderr
        assert len(json.loads(proc.stdout)["findings"]) >= 30
    assert audit.read_text() == ""
    assert fake.requests == []
    # With --verify, the only connections go to the endpoint named.
    port = fake.url.rsplit(":", 1)[1]
    endpoints = [a for p in ("alibaba", "aws", "tencent", "github")
                 for a in ("--verify-endpoint", f"{p}={fake.url}")]
    proc = audited_keysweep(audit, "scan", tree, "-f", "json", "--verify", *endpoints,
                            "--verify-timeout", "3")
    assert proc.returncode == 1, proc.stderr
    events = audit.read_text().splitlines()
    connects = [e for e in events if e.startswith("socket.connect ")]
    assert connects and all(f"('127.0.0.1', {port})" in e for e in connects), events
    assert all("127.0.0.1" in e for e in events if e.startswith("socket.getaddrinfo"))


# -- transport details ---------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["alibaba", "github"])
def test_redirects_are_never_followed(provider: str, fake: FakeProvider, values: Values,
                                      ruleset: RuleSet):
    if provider == "github":
        key_id = values.github()
        fake.accounts[key_id] = Account("", "redirect")
        findings = [make_finding("github-token", key_id, "gh", 1, None, ruleset)]
    else:
        key_id, secret = new_pair(values, provider)
        fake.accounts[key_id] = Account(secret, "redirect")
        findings = pair_findings(ruleset, provider, key_id, secret)
    result = verify_findings(findings, options_for(fake), ruleset)
    assert result[0].verification == Verification("unknown", "http_302")
    assert fake.count(key_id) == 1  # and conftest forbids any non-loopback connection


def test_aws_key_unknown_to_the_global_endpoint_is_tried_in_the_other_partitions(
        values: Values, monkeypatch: pytest.MonkeyPatch):
    """Without --verify-endpoint, InvalidClientTokenId from the global endpoint is not the end:
    China and GovCloud keys are only known to their own partition's STS."""
    from scanner.verifiers.http import HttpClient

    key_id, secret = new_pair(values, "aws")
    with FakeProvider() as global_sts, FakeProvider() as china_sts, FakeProvider() as gov_sts:
        china_sts.accounts[key_id] = Account(secret, account_id="210987654321")
        aws = VERIFIERS["aws"]
        monkeypatch.setattr(aws, "partitions", ((china_sts.url, "cn-north-1"),
                                                (gov_sts.url, "us-gov-west-1")))
        http = HttpClient(global_sts.url, 2.0, overridden=False)
        verdict = aws.verify(Credential("aws", key_id, secret), http)
        assert verdict.status == "active" and verdict.identity is not None
        assert verdict.identity["account_id"] == "210987654321"
        assert "/cn-north-1/sts/aws4_request" in china_sts.requests[0].headers
        assert gov_sts.requests == []
        china_sts.accounts.clear()
        verdict = aws.verify(Credential("aws", key_id, secret), http)
        assert verdict == Verification("inactive", "id_not_found")
        assert len(gov_sts.requests) == 1
        # With an endpoint the user named, its answer is final.
        assert aws.verify(Credential("aws", key_id, secret),
                          HttpClient(global_sts.url, 2.0, overridden=True)) \
            == Verification("inactive", "id_not_found")
        assert len(gov_sts.requests) == 1


class VirtualClock:
    """Stands in for the ``time`` module inside the limiter: sleeping advances the clock
    at once, so the pacing is read off exactly instead of measured."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds + 1e-9  # a real sleep never returns early and takes a little more


def test_token_bucket_paces_calls(monkeypatch: pytest.MonkeyPatch):
    from scanner.verifiers import ratelimit

    clock = VirtualClock()
    monkeypatch.setattr(ratelimit, "time", clock)
    bucket = ratelimit.TokenBucket(rate=20.0, burst=1)
    granted = []
    for _ in range(11):
        bucket.acquire()
        granted.append(clock.now)
    gaps = [b - a for a, b in zip(granted, granted[1:], strict=False)]
    assert granted[0] == 0.0  # the first token is there at once
    assert gaps == [pytest.approx(1 / 20)] * 10  # then one every 1/20 s


# -- temporary credentials: ID + secret + session token ----------------------------------------

TRIPLE_LAYOUTS = {
    "alibaba": '{{"Credentials": {{\n  "AccessKeyId": "{id}",\n  "AccessKeySecret": "{secret}",\n'
               '  "SecurityToken": "{token}"\n}}}}\n',
    "aws": "[temp]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"
           "aws_session_token = {token}\n",
    "tencent": "[default]\nsecret_id = {id}\nsecret_key = {secret}\ntoken = {token}\n",
}


def new_triple(values: Values, provider: str) -> tuple[str, str, str]:
    if provider == "alibaba":
        return values.sts_id(), values.sts_secret(), values.sts_token()
    if provider == "aws":
        return values.aws_id("ASIA"), values.aws_secret(), values.aws_session_token()
    return (values.tencent_id(), values.tencent_key(),
            values.token(BASE62, 200, min_entropy=4.5))


def token_signed_in(provider: str, request_raw: str, token: str) -> bool:
    """Whether the request carried the token inside what it signed."""
    if provider == "alibaba":  # every query parameter but Signature is signed
        return f"SecurityToken={quote(token, safe='-_.~')}" in request_raw
    header = {"aws": "x-amz-security-token", "tencent": "x-tc-token"}[provider]
    signed = re.search(r"SignedHeaders=([a-z0-9;-]+)", request_raw)
    return bool(signed) and header in signed.group(1).split(";") and token in request_raw


@pytest.mark.parametrize("provider", ["alibaba", "aws", "tencent"])
def test_temporary_credential_is_verified_with_its_session_token(
        provider: str, fake: FakeProvider, values: Values, tmp_path: Path):
    tree = tmp_path / "tree"
    planted = {}
    for case in ("live", "expired"):
        key_id, secret, token = new_triple(values, provider)
        known = token if case == "live" else new_triple(values, provider)[2]
        # A temporary credential is a role session's (Alibaba: no RAM user to look up).
        fake.accounts[key_id] = Account(secret, account_id="777788889999", token=known,
                                        identity_type="AssumedRoleUser")
        (tree / case).mkdir(parents=True)
        (tree / case / "credentials").write_text(
            TRIPLE_LAYOUTS[provider].format(id=key_id, secret=secret, token=token))
        planted[case] = (key_id, secret, token)
    run = run_keysweep("scan", tree, "--verify", "--verify-endpoint", f"{provider}={fake.url}",
                       "--verify-timeout", "3", "-f", "json", expected_code=1, timeout=60)
    report = run.json()
    report_validator().validate(report)
    for case, (key_id, secret, token) in planted.items():
        found = {f["kind"]: f for f in report["findings"] if f["path"].startswith(case)}
        assert set(found) == {"id", "secret", "token"}, found
        want = ("active", None) if case == "live" else ("inactive", "expired")
        for f in found.values():
            assert (f["verification"]["status"], f["verification"]["reason"]) == want, f
            parts = {p["kind"]: p["secret_sha256"] for p in f["credential"]}
            assert parts == {k: hashlib.sha256(v.encode()).hexdigest()
                             for k, v in (("id", key_id), ("secret", secret), ("token", token))
                             if k != f["kind"]}
        # paired_with keeps its meaning: the ID for the secret, the secret for the ID.
        assert found["secret"]["paired_with"]["secret_sha256"] == found["id"]["secret_sha256"]
        assert found["id"]["paired_with"]["secret_sha256"] == found["secret"]["secret_sha256"]
        if case == "live":
            assert found["id"]["verification"]["identity"]["account_id"] == "777788889999"
        assert found["token"]["paired_with"] is None
        requests = [r.raw for r in fake.requests if key_id in r.raw]
        assert len(requests) == 1  # the ID, the secret and the token: one credential, one call
        assert token_signed_in(provider, requests[0], token)
        assert token not in run.stdout and secret not in run.stdout
    assert_never_sent(fake, [s for _, s, _ in planted.values()])


def test_every_part_of_a_triple_stands_for_the_same_credential(values: Values,
                                                               ruleset: RuleSet):
    key_id, secret, token = new_triple(values, "aws")
    parts = {"id": Pairing("aws-temporary-access-key-id", key_id, kind="id"),
             "secret": Pairing("aws-secret-access-key", secret, kind="secret"),
             "token": Pairing("aws-session-token", token, kind="token")}
    findings = [dataclasses.replace(
        make_finding(parts[kind].rule_id, parts[kind].secret, "c", 1,
                     parts[other] if kind != "token" else None, ruleset),
        credential=tuple(p for k, p in parts.items() if k != kind))
        for kind, other in (("id", "secret"), ("secret", "id"), ("token", "id"))]
    assert {credential_for(f, "aws", f.kind == "token") for f in findings} \
        == {Credential("aws", key_id, secret, token)}
    lone = make_finding("aws-session-token", token, "t", 1, None, ruleset)
    assert credential_for(lone, "aws", session_token=True) \
        == Verification("skipped", "no_paired_id")


@pytest.mark.parametrize("provider", ["aws", "tencent"])
def test_without_its_token_a_temporary_key_is_not_active(provider: str, fake: FakeProvider,
                                                         values: Values):
    """The fake's token check is real: the right ID and secret without the token fail."""
    from scanner.verifiers.http import HttpClient

    key_id, secret, token = new_triple(values, provider)
    fake.accounts[key_id] = Account(secret, token=token)
    verifier = VERIFIERS[provider]
    http = HttpClient(fake.url, 2.0, overridden=True)
    assert verifier.verify(Credential(provider, key_id, secret, token), http).status == "active"
    if provider == "aws":  # an ASIA key without a token is never sent
        assert verifier.verify(Credential(provider, key_id, secret), http) \
            == Verification("skipped", "needs_session_token")
        return
    assert verifier.verify(Credential(provider, key_id, secret), http).status == "unknown"


# -- XML from the network ------------------------------------------------------------------------


def test_an_xml_entity_bomb_in_an_aws_answer_is_unknown(fake: FakeProvider, values: Values,
                                                        ruleset: RuleSet):
    """A signed-off 200 whose body expands entities into the Account field: refused (DTDs are
    not parsed), so the verdict is unknown, not active with a 3 MB account ID."""
    key_id, secret = new_pair(values, "aws")
    fake.accounts[key_id] = Account(secret, "xml_bomb")
    result = verify_findings(pair_findings(ruleset, "aws", key_id, secret),
                             options_for(fake, retries=0), ruleset)
    assert [f.verification for f in result] == [Verification("unknown", "unexpected_response")] * 2
    assert fake.count(key_id) == 1


# -- proxies --------------------------------------------------------------------------------------


def test_an_https_endpoint_takes_https_proxy_unless_no_proxy_covers_it(
        monkeypatch: pytest.MonkeyPatch):
    from scanner.verifiers.http import Endpoint, Proxy, proxy_for

    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY",
                 "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    sts = Endpoint.parse("https://sts.amazonaws.com/")
    assert proxy_for(sts) is None
    monkeypatch.setenv("https_proxy", "http://user:p%40ss@proxy.corp:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://plain.corp:8080")
    proxy = proxy_for(sts)
    assert proxy is not None and (proxy.hostname, proxy.port) == ("proxy.corp", 3128)
    assert proxy.authorization == "Basic dXNlcjpwQHNz"  # base64 of user:p@ss
    assert proxy_for(Endpoint.parse("http://127.0.0.1:8080")) == Proxy("plain.corp", 8080)
    monkeypatch.setenv("no_proxy", ".amazonaws.com,localhost")
    assert proxy_for(sts) is None
    assert proxy_for(Endpoint.parse("https://sts.tencentcloudapi.com/")) is not None


def proxy_env(proxy: ConnectProxy, no_proxy: str) -> dict[str, str]:
    return {"HTTPS_PROXY": proxy.url, "https_proxy": proxy.url, "HTTP_PROXY": proxy.url,
            "http_proxy": proxy.url, "NO_PROXY": no_proxy, "no_proxy": no_proxy}


def test_verification_goes_through_the_proxy_named_in_the_environment(
        fake: FakeProvider, values: Values, tmp_path: Path):
    # The fake endpoint is plain http on loopback: keysweep tunnels http through CONNECT
    # too, which is what lets a test proxy see the traffic (a real one would see only TLS).
    tree = tmp_path / "tree"
    planted = plant_tree(tree, fake, values, "alibaba", "4445556667778889")
    endpoint = ("--verify-endpoint", f"alibaba={fake.url}")
    target = fake.url.removeprefix("http://")
    with ConnectProxy() as proxy:
        run = run_keysweep("scan", tree, "--verify", *endpoint, "-f", "json", expected_code=1,
                           env=proxy_env(proxy, ""), timeout=60)
        assert proxy.connects and set(proxy.connects) == {target}
        assert len(proxy.connects) == len(fake.requests)  # every request came through it
        relayed = proxy.relayed().decode("latin-1")
    seen = {f["secret_sha256"]: f["verification"] for f in run.json()["findings"]}
    for p in planted:
        expected = "active" if p.case == "active" else "inactive"
        if p.case == "unavailable":
            expected = "unknown"
        assert seen[hashlib.sha256(p.key_id.encode()).hexdigest()]["status"] == expected
        assert p.key_id in relayed  # it really relayed the requests...
        for form in wire_forms(p.secret):
            assert form not in relayed  # ...and never saw a secret, only signatures


def test_no_proxy_covering_the_host_bypasses_the_proxy(fake: FakeProvider, values: Values,
                                                       tmp_path: Path):
    tree = tmp_path / "tree"
    plant_tree(tree, fake, values, "aws", "111122223333")
    with ConnectProxy() as proxy:
        run = run_keysweep("scan", tree, "--verify", "--verify-endpoint", f"aws={fake.url}",
                           "-f", "json", expected_code=1,
                           env=proxy_env(proxy, "localhost,127.0.0.1"), timeout=60)
        assert proxy.connects == []
    statuses = {f["verification"]["status"] for f in run.json()["findings"]}
    assert statuses == {"active", "inactive", "unknown"} and fake.requests
