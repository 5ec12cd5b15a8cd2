"""Docker Hub personal access tokens end to end: the installed ``keysweep scan --verify`` over
files planted for every case, against a loopback fake of Hub's token endpoint
(tests/helpers/fake_dockerhub.py). A token is checked only with the Docker ID found beside
it, by the documented JSON body; the JWT Hub answers with is never shown."""

from __future__ import annotations

import random
import string
from pathlib import Path

from tests.helpers.fake_dockerhub import FakeDockerHub
from tests.helpers.run import verify_by_place

URLSAFE = string.ascii_letters + string.digits + "-_"
CASES = {  # case -> (status, reason)
    "active": ("active", None),
    "revoked": ("inactive", "unauthorized"),
    "wrong_docker_id": ("inactive", "unauthorized"),
    "unavailable": ("unknown", "server_error"),
    "no_docker_id": ("skipped", "no_paired_id"),
}


def pat(rng: random.Random) -> str:
    while True:
        body = "".join(rng.choice(URLSAFE) for _ in range(27))
        if any(c.isupper() for c in body) and any(c.islower() for c in body) and \
                any(c.isdigit() for c in body):
            return "dckr_pat_" + body


def docker_id(rng: random.Random) -> str:
    letters = "".join(rng.choice(string.ascii_lowercase) for _ in range(8))
    return letters + str(rng.randrange(10, 99))


def test_each_token_is_checked_with_its_docker_id_and_gets_its_verdict(tmp_path: Path) -> None:
    rng = random.Random("test_verify_dockerhub")
    tree = tmp_path / "tree"
    planted: dict[str, tuple[str, str]] = {}
    known: dict[tuple[str, str], str] = {}
    for case in CASES:
        token, user = pat(rng), docker_id(rng)
        planted[case] = (user, token)
        if case in ("active", "unavailable"):
            known[(user, token)] = case
        if case == "wrong_docker_id":
            known[(docker_id(rng), token)] = "active"  # the token is another Docker ID's
        folder = tree / "dockerhub" / case
        folder.mkdir(parents=True)
        if case == "no_docker_id":
            text = f"echo {token} | docker login --password-stdin\n"
        else:
            text = f"echo {token} | docker login -u {user} --password-stdin\n"
        (folder / "push.sh").write_text(text)
    with FakeDockerHub(known) as fake:
        verdicts, output = verify_by_place(tree, {"dockerhub": fake.url})
        logins = fake.recorded()
    for case, (status, reason) in CASES.items():
        [got] = verdicts[("dockerhub", case)]  # the Docker ID is no finding of its own
        assert (got["status"], got["reason"]) == (status, reason), (case, got)
    assert verdicts[("dockerhub", "active")][0]["identity"] == {
        "docker_id": planted["active"][0]}
    # One documented request per pair with a Docker ID (an unknown answer asked again, a
    # bounded number of times); none for the token alone.
    sent = {(r.body.get("identifier"), r.body.get("secret")) for r in logins}
    assert sent == {planted[c] for c in CASES if c != "no_docker_id"}
    for r in logins:
        assert (r.method, r.path, r.headers["content-type"]) == (
            "POST", "/v2/auth/token", "application/json")
        assert set(r.body) == {"identifier", "secret"}
    for _, token in planted.values():
        assert token not in output
    assert "eyJhbGciOiJSUzI1NiJ9" not in output  # Hub's answer is never shown
