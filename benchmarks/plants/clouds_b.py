"""Corpus renderers for the second group of cloud and platform providers: Yandex Cloud,
HashiCorp, Heroku, Fly.io, Backblaze B2, Exoscale, Civo and UpCloud."""

from __future__ import annotations

from benchmarks.corpus import BASE62, L, Settings, Snippet, env_snippet, plant

YANDEX = "yandex-cloud"
B64URL = BASE62 + "-_"


def _mixed(value: str) -> bool:
    return any(ch.isupper() for ch in value) and any(ch.islower() for ch in value)


# ---- Yandex Cloud ----


def _yc_key_id(c: Settings) -> str:
    return c.x.token(B64URL, 23, "YC", 3.5, check=_mixed)


def _yc_secret(c: Settings) -> str:
    return c.x.token(B64URL, 38, "YC", 3.8, check=_mixed)


def _yc_folder(c: Settings) -> str:
    return "b1g" + c.x.token("abcdefghijklmnopqrstuv0123456789", 17)


@plant(YANDEX)
def _yc_aws_credentials(c: Settings) -> Snippet:
    i, s = _yc_key_id(c), _yc_secret(c)
    text = (f"[default]\naws_access_key_id = {i}\naws_secret_access_key = {s}\n"
            "region = ru-central1\nendpoint_url = https://storage.yandexcloud.net\n")
    return Snippet(text, [L(i, YANDEX, "id"), L(s, YANDEX, "secret")],
                   name="home/{user}/.aws/credentials")


@plant(YANDEX)
def _yc_terraform(c: Settings) -> Snippet:
    i, s = _yc_key_id(c), _yc_secret(c)
    t = c.x.token(B64URL, 55, "y0_", 4.2, check=_mixed)
    block = (f'provider "yandex" {{\n  token              = "{t}"\n'
             f'  folder_id          = "{_yc_folder(c)}"\n  zone               = "ru-central1-a"\n'
             f'  storage_access_key = "{i}"\n  storage_secret_key = "{s}"\n}}\n')
    return Snippet(c.tf_file(block), [L(t, YANDEX, "token"), L(i, YANDEX, "id"),
                                      L(s, YANDEX, "secret")], name="infra/{env}/yandex.tf")


@plant(YANDEX)
def _yc_cli_config(c: Settings) -> Snippet:
    t = c.x.token(B64URL, 55, c.rng.choice(["y0_", "y0_", "y1_", "y2_", "y3_"]), 4.2,
                  check=_mixed)
    text = (f"current: default\nprofiles:\n  default:\n    token: {t}\n"
            f"    cloud-id: {_yc_folder(c)}\n    folder-id: {_yc_folder(c)}\n"
            "    compute-default-zone: ru-central1-a\n")
    return Snippet(text, [L(t, YANDEX, "token")],
                   name="home/{user}/.config/yandex-cloud/config.yaml")


@plant(YANDEX)
def _yc_api_key(c: Settings) -> Snippet:
    k = c.x.token(B64URL, c.rng.randint(35, 38), "AQVN", 4.0, check=_mixed)
    if c.rng.random() < 0.5:
        return env_snippet(c, c.rng.choice(["YANDEX_API_KEY", "YC_API_KEY", "YANDEX_GPT_API_KEY"]),
                           k, YANDEX, "token")
    text = (f"\n\nHEADERS = {{\"Authorization\": \"Api-Key {k}\"}}\n"
            "resp = requests.post(\"https://translate.api.cloud.yandex.net/translate/v2/translate\",\n"
            "                     headers=HEADERS, json=payload, timeout=10)\n")
    return Snippet(text, [L(k, YANDEX, "token")], "py")


@plant(YANDEX)
def _yc_iam_token(c: Settings) -> Snippet:
    t = ("t1." + c.x.token(B64URL, c.rng.randint(90, 140), min_entropy=4.5) + "."
         + c.x.token(B64URL, 86, min_entropy=4.5))
    text = (f"\nexport YC_TOKEN={t}\n"
            "curl -sf -H \"Authorization: Bearer $YC_TOKEN\" "
            "https://compute.api.cloud.yandex.net/compute/v1/instances\n")
    return Snippet(text, [L(t, YANDEX, "token")], "sh")


@plant(YANDEX)
def _yc_k8s(c: Settings) -> Snippet:
    i, s = _yc_key_id(c), _yc_secret(c)
    text = c.k8s_secret("yc-storage", {"YC_STORAGE_ACCESS_KEY": i, "YC_STORAGE_SECRET_KEY": s},
                        encode=c.rng.random() < 0.6)
    return Snippet(text, [L(i, YANDEX, "id"), L(s, YANDEX, "secret")],
                   name="deploy/k8s/{svc}/yc-storage.yaml")


