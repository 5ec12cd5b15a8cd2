"""Slack incoming webhook URLs verified end to end: the installed ``keysweep scan --verify``
over real files, against a loopback fake of hooks.slack.com that answers as Slack's incoming
webhooks do (https://api.slack.com/messaging/webhooks#handling_errors): a live URL given an
empty object refuses it with 400 ``no_text`` (nothing is posted), a revoked one answers 403
``invalid_token``, a removed one 404 ``no_service``, an archived channel 410. The fake posts a
"message" only when there is text, so a test can check that verification never posts one."""

from __future__ import annotations

import hashlib
import json
import random
import string
import urllib.request
from pathlib import Path
from typing import Any

from tests.helpers.loopback import FakeHandler, LoopbackServer
from tests.helpers.run import run_keysweep

ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits
GONE = {"revoked": (403, "invalid_token"), "removed": (404, "no_service"),
        "archived": (410, "channel_is_archived")}


class FakeWebhooks(LoopbackServer):
    """``paths`` maps each webhook path (``/services/T…/B…/secret``) to its state: live,
    revoked, removed, archived, prohibited or unavailable; any other path is ``no_service``."""

    def __init__(self, paths: dict[str, str]) -> None:
        self.paths = paths
        self.posted: list[str] = []  # the texts a live webhook would have posted
        fake = self

        class Handler(FakeHandler):
            def respond(self) -> None:
                body = self.read_body()
                fake.record((self.command, self.path, body))
                state = fake.paths.get(self.path, "removed")
                if self.command != "POST":
                    return self.send_answer(405, "invalid_method")
                if state in GONE:
                    return self.send_answer(*GONE[state])
                if state == "unavailable":
                    return self.send_answer(500, "rollup_error")
                if state == "prohibited":
                    return self.send_answer(403, "action_prohibited")
                try:
                    message = json.loads(body or b"null")
                except ValueError:
                    return self.send_answer(400, "invalid_payload")
                if not isinstance(message, dict):
                    return self.send_answer(400, "invalid_payload")
                if not message.get("text") and not message.get("blocks"):
                    return self.send_answer(400, "no_text")
                fake.posted.append(str(message.get("text")))
                return self.send_answer(200, "ok")

        self._listen(Handler)


def webhook(rng: random.Random) -> str:
    team = "T" + "".join(rng.choice(UPPER) for _ in range(10))
    hook = "B" + "".join(rng.choice(UPPER) for _ in range(10))
    while True:
        secret = "".join(rng.choice(ALNUM) for _ in range(24))
        if len({*secret}) > 16 and any(c.islower() for c in secret):
            return f"/services/{team}/{hook}/{secret}"


def test_each_webhook_url_gets_the_verdict_its_answer_means_and_nothing_is_posted(
        tmp_path: Path) -> None:
    rng = random.Random(4711)
    cases = ["live", "revoked", "removed", "archived", "prohibited", "unavailable"]
    paths = {case: webhook(rng) for case in cases}
    tree = tmp_path / "tree"
    tree.mkdir()
    for case, path in paths.items():
        (tree / f"{case}.sh").write_text(
            "curl -X POST -H 'Content-type: application/json' --data '{\"text\":\"built\"}' "
            f"https://hooks.slack.com{path}\n")
    with FakeWebhooks({path: case for case, path in paths.items()}) as fake:
        run = run_keysweep("scan", tree, "--verify", "--verify-endpoint",
                           f"slack-webhook={fake.url}", "--verify-timeout", "3", "-f", "json",
                           expected_code=1, timeout=120)
        sent = list(fake.requests)
        posted = list(fake.posted)
    report: dict[str, Any] = json.loads(run.stdout)
    by_hash = {hashlib.sha256(f"https://hooks.slack.com{p}".encode()).hexdigest(): case
               for case, p in paths.items()}
    seen = {by_hash[f["secret_sha256"]]: f["verification"] for f in report["findings"]}
    assert set(seen) == set(cases), report["findings"]
    assert seen["live"]["status"] == "active", seen["live"]
    for case, (_, answer) in GONE.items():
        assert (seen[case]["status"], seen[case]["reason"]) == ("inactive", answer), seen[case]
    assert seen["prohibited"]["status"] == "active"
    assert {"name": "post", "value": "not permitted", "risk": "good"} \
        in seen["prohibited"]["facts"]
    assert seen["unavailable"]["status"] == "unknown"
    assert posted == []  # verification never posts a message
    # one POST of an empty object per URL, to its own path (the unavailable one retried)
    assert {(m, p, b) for m, p, b in sent} == {("POST", p, b"{}") for p in paths.values()}
    for path in paths.values():
        assert path.rsplit("/", 1)[1] not in run.stdout + run.stderr


def test_the_fake_posts_a_message_with_text_so_the_check_above_can_fail(tmp_path: Path) -> None:
    path = webhook(random.Random(3))
    with FakeWebhooks({path: "live"}) as fake:
        req = urllib.request.Request(fake.url + path, data=b'{"text":"hi"}', method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.status == 200
        assert fake.posted == ["hi"]
