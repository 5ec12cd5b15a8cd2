"""Temporary credentials of the Chinese clouds (Huawei security tokens, Volcengine STS keys,
Tencent temporary SecretIds) and the API keys of Chinese model platforms, planted where they
are leaked: STS responses pasted into config, CI variables, SDK code and .env files."""

from __future__ import annotations

import base64
import json

from benchmarks.corpus import (
    BASE62,
    BASE64URL,
    HEX,
    UPPER_ALNUM,
    L,
    Settings,
    Snippet,
    plant,
)

HUAWEI, VOLC, TENCENT = "huawei", "volcengine", "tencent"
LOWER = "abcdefghijklmnopqrstuvwxyz"


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


def _volc_hex_b64(c: Settings) -> str:
    return base64.b64encode(c.x.token(HEX, 32).encode()).decode().rstrip("=")


def _volc_sts(c: Settings) -> tuple[str, str, str]:
    a = "AKTP" + _volc_hex_b64(c)
    s = base64.b64encode(_volc_hex_b64(c).encode()).decode()
    doc = {"AccountId": c.rng.randint(2100000000, 2199999999), "IdentityType": 4,
           "IdentityId": c.rng.randint(10**6, 10**7), "Channel": "User", "AccessKeyId": a,
           "SignedSecretAccessKey": base64.b64encode(c.rng.randbytes(48)).decode(),
           "ExpiredTime": c.rng.randint(1767000000, 1799999999), "PolicyString": "",
           "Signature": c.x.token(HEX, 64), "SessionName": c.word()}
    t = c.rng.choice(["STS", "STS", "STS2"]) + base64.b64encode(
        json.dumps(doc, separators=(",", ":")).encode()).decode()
    return a, s, t


@plant(VOLC)
def _volc_sts_response(c: Settings) -> Snippet:
    a, s, t = _volc_sts(c)
    doc = {"ResponseMetadata": {"Action": "AssumeRole", "Version": "2018-01-01", "Service": "sts"},
           "Result": {"Credentials": {"CurrentTime": "2026-03-01T10:00:00+08:00",
                                      "ExpiredTime": "2026-03-01T11:00:00+08:00",
                                      "AccessKeyId": a, "SecretAccessKey": s, "SessionToken": t}}}
    return Snippet(json.dumps(doc, indent=4) + "\n",
                   [L(a, VOLC, "id"), L(s, VOLC, "secret"), L(t, VOLC, "token")],
                   name="{svc}/testdata/assume_role_response.json")


@plant(VOLC)
def _volc_sts_go(c: Settings) -> Snippet:
    a, s, t = _volc_sts(c)
    text = (f'\n\tak := "{a}"\n\tsk := "{s}"\n\tstToken := "{t}"\n'
            '\tendpoint := "https://tos-cn-beijing.volces.com"\n'
            "\tcred := tos.NewStaticCredentials(ak, sk)\n\tcred.WithSecurityToken(stToken)\n"
            '\tclient, err := tos.NewClientV2(endpoint, tos.WithRegion("cn-beijing"), '
            "tos.WithCredentials(cred))\n")
    return Snippet(text, [L(a, VOLC, "id"), L(s, VOLC, "secret"), L(t, VOLC, "token")], "go")


def _tc_temporary(c: Settings) -> tuple[str, str, str]:
    i = c.x.token(BASE64URL, 64, "AKID", 4.0)
    k = base64.b64encode(c.rng.randbytes(32)).decode()
    t = c.x.token(BASE64URL, c.rng.randint(160, 400), min_entropy=4.5)
    return i, k, t


@plant(TENCENT)
def _tc_sts_backend(c: Settings) -> Snippet:
    i, k, t = _tc_temporary(c)
    doc = {"credentials": {"tmpSecretId": i, "tmpSecretKey": k, "sessionToken": t},
           "requestId": "69ef6295-b981-464d-9816-9c2ef92189d1",
           "expiredTime": c.rng.randint(1767000000, 1799999999),
           "bucket": f"{c.bucket()}-125{c.rng.randint(1000000, 9999999)}",
           "region": c.rng.choice(["ap-guangzhou", "ap-shanghai", "ap-beijing"])}
    return Snippet(json.dumps(doc, indent=2) + "\n",
                   [L(i, TENCENT, "id"), L(k, TENCENT, "secret"), L(t, TENCENT, "token")],
                   name="{svc}/mock/cos-sts-credentials.json")


@plant(TENCENT)
def _tc_temporary_env(c: Settings) -> Snippet:
    i, k, t = _tc_temporary(c)
    lines = [f"TENCENTCLOUD_SECRET_ID={i}", f"TENCENTCLOUD_SECRET_KEY={k}",
             f"TENCENTCLOUD_SESSION_TOKEN={t}", "TENCENTCLOUD_REGION=ap-guangzhou"]
    return Snippet(c.env_file(lines),
                   [L(i, TENCENT, "id"), L(k, TENCENT, "secret"), L(t, TENCENT, "token")],
                   name=c.rng.choice(["{svc}/.env.local", "ci/{svc}.env"]))


# ---- Chinese model platforms ----

QIANFAN = "baidu-qianfan"


def _qianfan_key(c: Settings) -> str:
    return (c.x.token(BASE62, 21, "bce-v3/ALTAK-", 3.8) + "/" + c.x.token(HEX, 40))


@plant(QIANFAN)
def _qianfan_env(c: Settings) -> Snippet:
    k = _qianfan_key(c)
    var = c.rng.choice(["QIANFAN_API_KEY", "BAIDU_API_KEY", "OPENAI_API_KEY"])
    model = c.rng.choice(["ernie-4.5-turbo-128k", "ernie-speed-8k", "deepseek-v3"])
    lines = [f"{var}={k}", "QIANFAN_BASE_URL=https://qianfan.baidubce.com/v2",
             f"QIANFAN_MODEL={model}"]
    return Snippet(c.env_file(lines), [L(k, QIANFAN, "secret")], name="{svc}/.env")


@plant(QIANFAN)
def _qianfan_openai_python(c: Settings) -> Snippet:
    k = _qianfan_key(c)
    text = ("\n\nfrom openai import OpenAI\n\nclient = OpenAI(\n"
            f"    api_key=\"{k}\",\n    base_url=\"https://qianfan.baidubce.com/v2\",\n)\n"
            "resp = client.chat.completions.create(model=\"ernie-4.5-turbo-128k\", "
            "messages=[{\"role\": \"user\", \"content\": prompt}])\n")
    return Snippet(text, [L(k, QIANFAN, "secret")], "py")


@plant(QIANFAN)
def _qianfan_legacy_env(c: Settings) -> Snippet:
    ak = c.x.token(BASE62, 24, min_entropy=3.5)
    sk = c.x.token(BASE62, 32, min_entropy=3.8)
    lines = [f"QIANFAN_AK={ak}", f"QIANFAN_SK={sk}"]
    return Snippet(c.env_file(lines), [L(ak, QIANFAN, "id"), L(sk, QIANFAN, "secret")],
                   name=c.rng.choice(["{svc}/.env", "bots/{svc}/.env"]))


ARK = "volcengine-ark"


def _uuid4(c: Settings) -> str:
    h = c.x.token(HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{c.rng.choice('89ab')}{h[17:20]}-{h[20:]}"


@plant(ARK)
def _ark_env(c: Settings) -> Snippet:
    k = _uuid4(c)
    lines = [f"ARK_API_KEY={k}", "ARK_BASE_URL=https://ark.cn-beijing.volces.com/api/v3",
             f"ARK_MODEL={c.rng.choice(['doubao-seed-1-6-250615', 'doubao-1-5-pro-32k-250115'])}"]
    return Snippet(c.env_file(lines), [L(k, ARK, "secret")],
                   name=c.rng.choice(["{svc}/.env", "{svc}/backend/.env"]))


@plant(ARK)
def _ark_python(c: Settings) -> Snippet:
    k = _uuid4(c)
    text = ("\n\nfrom volcenginesdkarkruntime import Ark\n\n"
            f"client = Ark(api_key=\"{k}\")\n"
            "completion = client.chat.completions.create(\n"
            "    model=\"doubao-seed-1-6-250615\",\n"
            "    messages=[{\"role\": \"user\", \"content\": question}],\n)\n")
    return Snippet(text, [L(k, ARK, "secret")], "py")


HUNYUAN = "tencent-hunyuan"


@plant(HUNYUAN)
def _hunyuan_env(c: Settings) -> Snippet:
    k = c.x.token(BASE62, 48, "sk-", 4.5)
    lines = [f"HUNYUAN_API_KEY={k}", "HUNYUAN_BASE_URL=https://api.hunyuan.cloud.tencent.com/v1",
             f"HUNYUAN_MODEL={c.rng.choice(['hunyuan-turbos-latest', 'hunyuan-lite'])}"]
    return Snippet(c.env_file(lines), [L(k, HUNYUAN, "secret")], name="{svc}/.env")


@plant(HUNYUAN)
def _hunyuan_node(c: Settings) -> Snippet:
    k = c.x.token(BASE62, 48, "sk-", 4.5)
    text = ("\n\nimport OpenAI from 'openai';\n\nconst hunyuan = new OpenAI({\n"
            f"  apiKey: '{k}',\n  baseURL: 'https://api.hunyuan.cloud.tencent.com/v1',\n}});\n"
            "const res = await hunyuan.chat.completions.create({ model: 'hunyuan-turbos-latest', "
            "messages });\n")
    return Snippet(text, [L(k, HUNYUAN, "secret")], c.rng.choice(["js", "ts"]))


DEEPSEEK, MOONSHOT, SILICONFLOW = "deepseek", "moonshot", "siliconflow"


@plant(DEEPSEEK)
def _deepseek_env(c: Settings) -> Snippet:
    k = c.x.token(HEX, 32, "sk-")
    lines = [f"DEEPSEEK_API_KEY={k}", "DEEPSEEK_BASE_URL=https://api.deepseek.com",
             "DEEPSEEK_MODEL=deepseek-chat"]
    return Snippet(c.env_file(lines), [L(k, DEEPSEEK, "secret")], name="{svc}/.env")


@plant(DEEPSEEK)
def _deepseek_python(c: Settings) -> Snippet:
    k = c.x.token(HEX, 32, "sk-")
    text = ("\n\nfrom openai import OpenAI\n\n"
            f"client = OpenAI(api_key=\"{k}\", base_url=\"https://api.deepseek.com\")\n"
            "reply = client.chat.completions.create(model=\"deepseek-chat\", messages=history)\n")
    return Snippet(text, [L(k, DEEPSEEK, "secret")], "py")


@plant(MOONSHOT)
def _moonshot_env(c: Settings) -> Snippet:
    k = c.x.token(BASE62, 48, "sk-", 4.5)
    var = c.rng.choice(["MOONSHOT_API_KEY", "KIMI_API_KEY"])
    lines = [f"{var}={k}", "MOONSHOT_BASE_URL=https://api.moonshot.cn/v1"]
    return Snippet(c.env_file(lines), [L(k, MOONSHOT, "secret")], name="{svc}/.env")


@plant(MOONSHOT)
def _moonshot_json(c: Settings) -> Snippet:
    k = c.x.token(BASE62, 48, "sk-", 4.5)
    text = c.json_config({"llm": {"provider": "moonshot", "baseUrl": "https://api.moonshot.cn/v1",
                                  "apiKey": k, "model": "kimi-k2-turbo-preview"}})
    return Snippet(text, [L(k, MOONSHOT, "secret")], name="{svc}/config/llm.json")


@plant(SILICONFLOW)
def _siliconflow_env(c: Settings) -> Snippet:
    k = c.x.token(LOWER, 48, "sk-", 4.0)
    lines = [f"SILICONFLOW_API_KEY={k}", "SILICONFLOW_BASE_URL=https://api.siliconflow.cn/v1"]
    return Snippet(c.env_file(lines), [L(k, SILICONFLOW, "secret")], name="{svc}/.env")


ZHIPU = "zhipu"


@plant(ZHIPU)
def _zhipu_env(c: Settings) -> Snippet:
    k = c.x.token(HEX, 32) + "." + c.x.token(BASE62, 16, min_entropy=3.5)
    lines = [f"ZHIPUAI_API_KEY={k}", "ZHIPU_BASE_URL=https://open.bigmodel.cn/api/paas/v4/",
             "ZHIPU_MODEL=glm-4-flash"]
    return Snippet(c.env_file(lines), [L(k, ZHIPU, "secret")], name="{svc}/.env")


@plant(ZHIPU)
def _zhipu_python(c: Settings) -> Snippet:
    k = c.x.token(HEX, 32) + "." + c.x.token(BASE62, 16, min_entropy=3.5)
    text = ("\n\nfrom zhipuai import ZhipuAI\n\n"
            f"client = ZhipuAI(api_key=\"{k}\")\n"
            "response = client.chat.completions.create(model=\"glm-4-plus\", messages=messages)\n")
    return Snippet(text, [L(k, ZHIPU, "secret")], "py")


BAIDU = "baidu"


@plant(BAIDU)
def _bd_qianfan_iam_env(c: Settings) -> Snippet:
    a, s = c.x.token(HEX, 32), c.x.token(HEX, 32)
    lines = [f"QIANFAN_ACCESS_KEY={a}", f"QIANFAN_SECRET_KEY={s}"]
    return Snippet(c.env_file(lines), [L(a, BAIDU, "id"), L(s, BAIDU, "secret")],
                   name="{svc}/.env")


@plant(BAIDU)
def _bd_sts_request(c: Settings) -> Snippet:
    t = base64.b64encode(c.rng.randbytes(c.rng.randint(200, 420))).decode()
    text = (f"PUT /{c.word()}/{c.word()}.jpg HTTP/1.1\nHost: {c.bucket()}.bj.bcebos.com\n"
            "Content-Type: image/jpeg\nx-bce-date: 2026-03-01T08:00:00Z\n"
            f"x-bce-security-token: {t}\n\n")
    return Snippet(text, [L(t, BAIDU, "token")], name="{svc}/docs/captures/bos-upload.http")


MINIMAX = "minimax"


@plant(MINIMAX)
def _minimax_env(c: Settings) -> Snippet:
    k = c.x.token(BASE64URL, c.rng.randint(96, 120), c.rng.choice(["sk-api-", "sk-cp-"]), 4.5)
    lines = [f"MINIMAX_API_KEY={k}", "MINIMAX_BASE_URL=https://api.minimaxi.com/v1",
             "MINIMAX_MODEL=MiniMax-M1"]
    return Snippet(c.env_file(lines), [L(k, MINIMAX, "secret")], name="{svc}/.env")
