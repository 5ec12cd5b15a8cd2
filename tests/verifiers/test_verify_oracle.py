"""Oracle Cloud (OCI) API signing keys end to end: one run of the installed ``keysweep scan
--verify`` over SDK configurations planted for every case (user OCID, inline private key,
tenancy, region), against a loopback fake of the identity endpoint that checks the real
request signature with the public key (tests/helpers/fake_oracle.py); plus the fingerprint,
the documented signing-string layout and the region's endpoint, offline."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from benchmarks import _keys as keys
from scanner.models import Fact
from scanner.verifiers import VERIFIERS, Credential
from scanner.verifiers import oracle as oci
from scanner.verifiers.http import HttpClient
from tests.helpers.fake_oracle import FakeOracle, Received, User, fingerprint
from tests.helpers.loopback import redirecting_client
from tests.helpers.run import verify_by_place

TENANCY = "ocid1.tenancy.oc1..aaaaaaaaw4kd7nq2rxe5mj3ztpc6ybv0hgs1ula8oif9wne2xdkq7brm5cjt"
REGION = "eu-frankfurt-1"
CASES = {  # case -> (status, reason) of both findings (the user OCID and its key)
    "active": ("active", None),
    "wrong_key": ("inactive", "not_authenticated"),
    "no_permission": ("active", None),
    "unavailable": ("unknown", "server_error"),
    "no_tenancy": ("skipped", "needs_tenancy"),
    "no_region": ("skipped", "needs_region"),
}
LAYOUT = '''import oci

config = {{
    "user": "{user}",
    "key_content": "{key}",
    "fingerprint": "{fingerprint}",
    "tenancy": "{tenancy}",
    "region": "{region}",
}}
identity = oci.identity.IdentityClient(config)
'''


def user_ocid(rng: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "ocid1.user.oc1..aaaaaaaa" + "".join(rng.choice(alphabet) for _ in range(52))


def pem_of(key: keys.RsaKey) -> str:
    return keys.pem("PRIVATE KEY", key.pkcs8()).strip()


def escaped(pem: str) -> str:
    """The key as an SDK configuration holds it inline: one string with \\n escapes."""
    return pem.replace("\n", "\\n") + "\\n"


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[keys.RsaKey, keys.RsaKey]:
    rng = random.Random("test_verify_oracle")  # seeded: the same keys on every run
    return keys.rsa_key(rng), keys.rsa_key(rng)


@dataclass
class Sweep:
    users: dict[str, str]  # case -> user OCID
    verdicts: dict[tuple[str, str], list[dict[str, Any]]]
    fake: FakeOracle
    output: str
    secret_lines: list[str]  # lines of the planted keys' bodies


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory,
          rsa_keys: tuple[keys.RsaKey, keys.RsaKey]) -> Iterator[Sweep]:
    live, other = rsa_keys
    rng = random.Random("oracle-users")
    tree = tmp_path_factory.mktemp("oracle") / "tree"
    users: dict[str, User] = {}
    planted = {}
    for case in CASES:
        ocid = user_ocid(rng)
        planted[case] = ocid
        behaviour = case if case in ("no_permission", "unavailable") else "active"
        users[ocid] = User(TENANCY, live, behaviour=behaviour)
        text = LAYOUT.format(user=ocid, key=escaped(pem_of(other if case == "wrong_key"
                                                           else live)),
                             fingerprint=fingerprint(live), tenancy=TENANCY, region=REGION)
        if case == "no_tenancy":
            text = re.sub(r'.*"tenancy".*\n', "", text)
        if case == "no_region":
            text = re.sub(r'.*"region".*\n', "", text)
        (tree / "oracle" / case).mkdir(parents=True)
        (tree / "oracle" / case / "oci_client.py").write_text(text)
    with FakeOracle(users) as fake:
        verdicts, output = verify_by_place(tree, {"oracle": fake.url})
        body = [line for k in rsa_keys for line in pem_of(k).splitlines()[1:-1]]
        yield Sweep(planted, verdicts, fake, output, body)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_gets_its_verdict_on_both_findings(case: str, sweep: Sweep) -> None:
    got = sweep.verdicts[("oracle", case)]
    assert len(got) == 2, got  # the user OCID and its key share one verdict
    assert {(v["status"], v["reason"]) for v in got} == {CASES[case]}, got


def test_a_live_key_names_its_user_and_what_it_learned(sweep: Sweep) -> None:
    live = sweep.verdicts[("oracle", "active")][0]
    assert live["identity"] == {"user": "deploy-bot", "email": "deploy-bot@harbor-lights.invalid",
                                "user_ocid": sweep.users["active"], "region": REGION}
    facts = {f["name"]: (f["value"], f["risk"]) for f in live["facts"]}
    assert facts == {"email_verified": ("yes", "info"), "mfa": ("not activated", "medium"),
                     "lifecycle_state": ("ACTIVE", "info"), "api_keys": ("2", "info")}
    denied = sweep.verdicts[("oracle", "no_permission")][0]
    assert {"name": "get_user", "value": "not permitted", "risk": "good"} in denied["facts"]


def _sent_right(r: Received, user: str, path: str) -> bool:
    return (r.method, r.path) == ("GET", path) and bool(re.fullmatch(
        re.escape(f'Signature version="1",keyId="{TENANCY}/{user}/') + r"[0-9a-f:]{47}"
        + re.escape('",algorithm="rsa-sha256",headers="(request-target) date host",signature="')
        + r"[A-Za-z0-9+/]{342}==\"", r.headers["authorization"])) and "date" in r.headers


def test_each_key_was_sent_as_documented_and_only_its_signature_travelled(sweep: Sweep) -> None:
    calls = {"active": 2, "wrong_key": 1, "no_permission": 1, "unavailable": 3,
             "no_tenancy": 0, "no_region": 0}  # unknown answers are asked again (bounded)
    for case, user in sweep.users.items():
        sent = sweep.fake.sent_by(user)
        assert len(sent) == calls[case], (case, sent)
        user_path = f"/20160918/users/{user}"
        assert all(_sent_right(r, user, user_path) for r in sent[:1]), sent
        if case == "active":
            assert _sent_right(sent[1], user, user_path + "/apiKeys"), sent
    # The fake's signature check ran and refused exactly the wrong key's request.
    assert sweep.fake.signature_failures == {"oracle": 1}
    log = sweep.fake.log_text()
    for line in sweep.secret_lines:
        assert line not in log and line not in sweep.output


def test_the_fake_rejects_a_key_the_user_does_not_have(
        rsa_keys: tuple[keys.RsaKey, keys.RsaKey]) -> None:
    """The signature check is real: the same request signed with another key (same keyId,
    so the same claimed fingerprint is not enough) fails while the right one passes."""
    live, other = rsa_keys
    user = user_ocid(random.Random("near"))
    with FakeOracle({user: User(TENANCY, live, mfa=True)}) as fake:
        http = HttpClient(fake.url, 3.0, overridden=True)
        parts = {"tenancy": TENANCY, "region": REGION}
        ok = VERIFIERS["oracle"].verify(Credential("oracle", user, pem_of(live), None, parts),
                                        http)
        assert ok.status == "active" and Fact("mfa", "activated", "info") in ok.facts
        # A signature made with the other key under the live key's keyId.
        key_id = f"{TENANCY}/{user}/{fingerprint(live)}"
        signed = {"date": oci.formatdate(usegmt=True), "host": http.host}
        path = f"/20160918/users/{user}"
        forged = http.request("GET", path, headers={
            "Date": signed["date"],
            "Authorization": oci.authorization(key_id, pem_of(other), "GET", path, signed)})
        assert forged.status == 401 and forged.json_object()["code"] == "NotAuthenticated"
        # And the other key under its own (unknown) fingerprint: inactive.
        bad = VERIFIERS["oracle"].verify(Credential("oracle", user, pem_of(other), None, parts),
                                         http)
        assert (bad.status, bad.reason) == ("inactive", "not_authenticated")
        assert fake.signature_failures == {"oracle": 2}


def test_fingerprint_is_md5_of_the_public_key_info(rsa_keys: tuple[keys.RsaKey, keys.RsaKey],
                                                   tmp_path: Path) -> None:
    live = rsa_keys[0]
    assert oci.key_fingerprint(pem_of(live)) == fingerprint(live)
    pkcs1 = keys.pem("RSA PRIVATE KEY", live.pkcs1())
    assert oci.key_fingerprint(pkcs1) == fingerprint(live)  # PKCS#1 as found too
    assert oci.key_fingerprint(escaped(pem_of(live))) == fingerprint(live)
    if shutil.which("openssl"):
        (tmp_path / "k.pem").write_text(pem_of(live))
        der = subprocess.run(["openssl", "pkey", "-in", tmp_path / "k.pem", "-pubout",
                              "-outform", "DER"], capture_output=True, check=True).stdout
        assert der == live.spki()


def test_documented_signing_string_layout() -> None:
    """https://docs.oracle.com/en-us/iaas/Content/API/Concepts/signingrequests.htm, GET
    example: headers signed in the order "date (request-target) host", the target being
    the path with its query as sent. (The page's private key is not kept here, so only the
    layout is checked; the RSA-SHA256 step is checked against OpenSSL in
    test_verify_gcp_azure.py and against the fake's own verification above.)"""
    target = ("/20160918/instances?availabilityDomain=Pjwf%3A%20PHX-AD-1&compartmentId="
              "ocid1.compartment.oc1..aaaaaaaam3we6vgnherjq5q2idnccdflvjsnog7mlr6rtdb25gilchfeyjxa"
              "&displayName=TeamXInstances&volumeId=ocid1.volume.oc1.phx.abyhqljrgvttnlx73nmrwf"
              "aux7kcvzfs3s66izvxf2h4lgvyndsdsnoiwr5q")
    headers = {"date": "Thu, 05 Jan 2014 21:31:40 GMT",
               "host": "iaas.us-phoenix-1.oraclecloud.com"}
    assert oci.signing_string("GET", target, headers, ("date", "(request-target)", "host")) \
        == ("date: Thu, 05 Jan 2014 21:31:40 GMT\n"
            f"(request-target): get {target}\n"
            "host: iaas.us-phoenix-1.oraclecloud.com")


def test_the_region_names_the_endpoint_and_nothing_is_sent_without_what_signing_needs(
        rsa_keys: tuple[keys.RsaKey, keys.RsaKey]) -> None:
    live = rsa_keys[0]
    user = user_ocid(random.Random("region"))
    asked: list[str] = []
    with FakeOracle({user: User(TENANCY, live)}) as fake:
        http = redirecting_client("https://identity.us-ashburn-1.oraclecloud.com", fake.url,
                                  asked)
        pem = pem_of(live)
        verdict = VERIFIERS["oracle"].verify(
            Credential("oracle", user, pem, None, {"tenancy": TENANCY, "region": "ap-osaka-1"}),
            http)
        assert verdict.status == "active" and asked == [
            "https://identity.ap-osaka-1.oraclecloud.com"]
        for parts, reason in [({"region": REGION}, "needs_tenancy"),
                              ({"tenancy": TENANCY}, "needs_region"),
                              ({"tenancy": TENANCY, "region": "x.evil/"}, "needs_region")]:
            got = VERIFIERS["oracle"].verify(Credential("oracle", user, pem, None, parts), http)
            assert (got.status, got.reason) == ("skipped", reason)
        ec = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n" \
             "-----END PRIVATE KEY-----"
        got = VERIFIERS["oracle"].verify(
            Credential("oracle", user, ec, None, {"tenancy": TENANCY, "region": REGION}), http)
        assert (got.status, got.reason) == ("skipped", "not_an_rsa_private_key")
        assert len(fake.sent_by(user)) == 2  # the live user read and its key list only
