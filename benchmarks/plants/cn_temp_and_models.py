"""Temporary credentials of the Chinese clouds (Huawei security tokens, Volcengine STS keys,
Tencent temporary SecretIds) and the API keys of Chinese model platforms, planted where they
are leaked: STS responses pasted into config, CI variables, SDK code and .env files."""

from __future__ import annotations

import base64
import json

from benchmarks.corpus import (
    BASE62,
    UPPER_ALNUM,
    L,
    Settings,
    Snippet,
    plant,
)

HUAWEI, VOLC, TENCENT = "huawei", "volcengine", "tencent"


def _huawei_security_token(c: Settings, region: str) -> str:
    # as the IAM documentation's example: a binary envelope naming the region, base64
    raw = b"\x81\x0a" + bytes([len(region)]) + region.encode() + c.rng.randbytes(
        c.rng.randint(380, 900))
    return base64.b64encode(raw).decode()


@plant(HUAWEI)
def _hw_temporary_env(c: Settings) -> Snippet:
    region = c.rng.choice(["cn-north-4", "cn-east-3", "cn-south-1", "ap-southeast-1"])
    a = c.x.token(UPPER_ALNUM, 20, min_entropy=3.0)
    s = c.x.token(BASE62, 40, min_entropy=3.8)
    t = _huawei_security_token(c, region)
    lines = [f"HUAWEICLOUD_SDK_AK={a}", f"HUAWEICLOUD_SDK_SK={s}",
             f"HUAWEICLOUD_SDK_SECURITY_TOKEN={t}", f"HUAWEICLOUD_SDK_REGION={region}"]
    return Snippet(c.env_file(lines), [L(a, HUAWEI, "id"), L(s, HUAWEI, "secret"),
                                       L(t, HUAWEI, "token")],
                   name=c.rng.choice(["{svc}/.env", "ci/{svc}-huaweicloud.env"]))


@plant(HUAWEI)
def _hw_temporary_response(c: Settings) -> Snippet:
    region = c.rng.choice(["cn-north-4", "cn-east-3", "ap-southeast-1"])
    a = c.x.token(UPPER_ALNUM, 20, min_entropy=3.0)
    s = c.x.token(BASE62, 40, min_entropy=3.8)
    t = _huawei_security_token(c, region)
    doc = {"endpoint": f"https://obs.{region}.myhuaweicloud.com",
           "credential": {"access": a, "expires_at": "2026-03-01T08:15:00.000000Z",
                          "secret": s, "securitytoken": t}}
    return Snippet(json.dumps(doc, indent=2) + "\n",
                   [L(a, HUAWEI, "id"), L(s, HUAWEI, "secret"), L(t, HUAWEI, "token")],
                   name="{svc}/fixtures/huawei-sts-response.json")
