"""Google service-account keys and Azure storage account keys: the verifiers against the
loopback fake (tests/helpers/fake_clouds.py), which checks the RS256 JWT signature and the
Shared Key HMAC as Google and Azure do; the stdlib RS256 signature cross-checked with
OpenSSL; and what ``keysweep scan --verify`` says today, when the scanner finds the key but
not the client_email / account name it belongs to."""

from __future__ import annotations

import base64
import json
import random
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import _keys as keys
from benchmarks.corpus import Values
from scanner.verifiers import VERIFIERS, Credential
from scanner.verifiers import cloud_signing as cs
from scanner.verifiers.http import HttpClient
from tests.helpers.fake_clouds import CloudAccount, FakeClouds, ServiceAccount
from tests.helpers.run import run_keysweep

EMAIL = "etl-runner@billing-etl-204817.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[keys.RsaKey, keys.RsaKey]:
    rng = random.Random("test_verify_gcp_azure")  # seeded: the same keys on every run
    return keys.rsa_key(rng), keys.rsa_key(rng)


def pem_of(key: keys.RsaKey) -> str:
    return keys.pem("PRIVATE KEY", key.pkcs8())


def as_json_string(pem: str) -> str:
    """The private_key value as it sits in a key file (what the rule reports): \\n escapes."""
    return pem.strip().replace("\n", "\\n")


@pytest.fixture
def fake() -> Iterator[FakeClouds]:
    with FakeClouds() as server:
        yield server


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_rs256_signature_matches_openssl(rsa_keys: tuple[keys.RsaKey, keys.RsaKey],
                                         tmp_path: Path) -> None:
    """PKCS#1 v1.5 signatures are deterministic: the stdlib signer must give OpenSSL's bytes."""
    pem = pem_of(rsa_keys[0])
    (tmp_path / "k.pem").write_text(pem)
    message = b'{"alg":"RS256","typ":"JWT"}.payload'
    (tmp_path / "m").write_bytes(message)
    theirs = subprocess.run(["openssl", "dgst", "-sha256", "-sign", tmp_path / "k.pem",
                             tmp_path / "m"], capture_output=True, check=True).stdout
    assert cs.rs256_sign(pem, message) == theirs
    assert cs.rs256_sign(as_json_string(pem), message) == theirs  # \n escapes as found
    assert cs.rsa_private_numbers(keys.pem("RSA PRIVATE KEY", rsa_keys[0].pkcs1()))[:2] \
        == (rsa_keys[0].n, rsa_keys[0].e)


def test_service_account_key_is_active_with_its_identity(
        fake: FakeClouds, rsa_keys: tuple[keys.RsaKey, keys.RsaKey]) -> None:
    key, other = rsa_keys
    fake.google[EMAIL] = ServiceAccount(key.n, key.e, client_id="108899001122334455667")
    http = HttpClient(fake.url, 5.0, overridden=True)
    verifier = VERIFIERS["gcp"]
    live = verifier.verify(Credential("gcp", EMAIL, as_json_string(pem_of(key))), http)
    assert live.status == "active", live
    assert live.identity == {"client_email": EMAIL, "client_id": "108899001122334455667"}
    assert [(f.name, f.value) for f in live.facts] \
        == [("scope", "https://www.googleapis.com/auth/cloud-platform.read-only")]
    # Another key for the same account: Google's "Invalid JWT Signature." (the fake checked).
    wrong = verifier.verify(Credential("gcp", EMAIL, pem_of(other)), http)
    assert (wrong.status, wrong.reason) == ("inactive", "key_deleted_or_wrong")
    assert fake.signature_failures["gcp"] == 1
    gone = verifier.verify(Credential("gcp", "deleted@p-1.iam.gserviceaccount.com",
                                      pem_of(key)), http)
    assert (gone.status, gone.reason) == ("inactive", "id_not_found")
    fake.google[EMAIL].disabled = True
    assert verifier.verify(Credential("gcp", EMAIL, pem_of(key)), http).reason == "key_disabled"
    # The private key itself never crossed the wire, only the signed assertion.
    body = "".join(pem_of(key).splitlines()[1:-1])
    assert body[:64] not in fake.log_text() and body[-64:] not in fake.log_text()


def test_service_account_verifier_sends_nothing_for_a_non_rsa_key(fake: FakeClouds) -> None:
    http = HttpClient(fake.url, 5.0, overridden=True)
    ec = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg6Cj9MIk069rsAYrN\n-----END PRIVATE KEY-----"  # noqa: E501
    assert VERIFIERS["gcp"].verify(Credential("gcp", EMAIL, ec), http).reason \
        == "not_an_rsa_private_key"
    assert fake.requests == []


def test_azure_storage_key_is_active_and_a_rotated_key_inactive(fake: FakeClouds,
                                                              values: Values) -> None:
    account = values.azure_account()[:24]
    key = values.azure_storage_key()
    fake.accounts[account] = CloudAccount(key)
    http = HttpClient(fake.url, 5.0, overridden=True)
    verifier = VERIFIERS["azure"]
    live = verifier.verify(Credential("azure", account, key), http)
    assert (live.status, live.identity) == ("active", {"account": account})
    rotated = verifier.verify(Credential("azure", account, values.azure_storage_key()), http)
    assert (rotated.status, rotated.reason) == ("inactive", "wrong_secret")
    assert fake.signature_failures["azure"] == 1  # the fake's HMAC check rejected exactly it
    fake.accounts[account].behaviour = "no_permission"
    assert verifier.verify(Credential("azure", account, key), http).reason \
        == "shared_key_disabled"
    assert key not in fake.log_text() and base64.b64decode(key).hex() not in fake.log_text()
    # An account name that is not one is never put into a host name or sent.
    n = len(fake.requests)
    assert verifier.verify(Credential("azure", "evil.example.com/x", key), http).reason \
        == "not_a_storage_account_name"
    assert len(fake.requests) == n


def test_azure_string_to_sign_layout() -> None:
    """The Blob service layout of the Shared Key doc: VERB, eleven standard headers (empty
    Content-Length for 0), x-ms- headers sorted, then /account/path and the query sorted."""
    got = cs.azure_string_to_sign(
        "GET", "myaccount", "/", [("maxresults", "1"), ("comp", "list")],
        {"x-ms-version": "2021-12-02", "x-ms-date": "Fri, 26 Jun 2015 23:39:12 GMT",
         "Content-Length": "0"})
    assert got == ("GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\n"
                   "x-ms-version:2021-12-02\n/myaccount/\ncomp:list\nmaxresults:1")


def test_scan_verifies_a_service_account_file_and_an_azure_connection_string(
        fake: FakeClouds, rsa_keys: tuple[keys.RsaKey, keys.RsaKey], values: Values,
        tmp_path: Path) -> None:
    """A key file's client_email and a connection string's AccountName are reported as their
    keys' IDs, so each key is verified, through a real scan, against its own account."""
    tree = tmp_path / "tree"
    tree.mkdir()
    doc = {"type": "service_account", "project_id": "billing-etl-204817",
           "private_key_id": "75b7d1fb63c0ad3995bd6c96fde1797abd723e1f",
           "private_key": pem_of(rsa_keys[0]), "client_email": EMAIL,
           "client_id": "108899001122334455667",
           "token_uri": "https://oauth2.googleapis.com/token"}
    (tree / "sa.json").write_text(json.dumps(doc, indent=2))
    fake.google[EMAIL] = ServiceAccount(rsa_keys[0].n, rsa_keys[0].e,
                                        client_id="108899001122334455667")
    account, key = values.azure_account()[:24], values.azure_storage_key()
    fake.accounts[account] = CloudAccount(key)
    (tree / "app.env").write_text(
        "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;"
        f"AccountName={account};AccountKey={key};"
        "EndpointSuffix=core.windows.net\n")
    run = run_keysweep("scan", tree, "--verify", "--verify-endpoint", f"gcp={fake.url}",
                       "--verify-endpoint", f"azure={fake.url}", "-f", "json",
                       expected_code=1, timeout=60)
    found = {f["rule_id"]: f["verification"] for f in run.json()["findings"]}
    assert found["gcp-service-account-key"]["status"] == "active"
    assert found["gcp-service-account-key"]["identity"]["client_email"] == EMAIL
    assert found["azure-storage-connection-string"]["status"] == "active"
    assert sorted(set(fake.providers)) == ["azure", "gcp"]
