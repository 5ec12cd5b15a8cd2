"""Credentials whose name, or whose provider's name, is on another line than the value: a
Kubernetes env item, a JSON key above its value, plist key/string pairs, an INI section, a
Terraform provider block, nested YAML, and an unquoted base64 ``.env`` value. keysweep finds
them through its structure view (scanner/decoders/structure.py)."""

from __future__ import annotations

import base64

from benchmarks.corpus import ALIBABA, BAIDU, HUAWEI, L, Settings, Snippet, plant


@plant(BAIDU)
def _bd_k8s_env_items(c: Settings) -> Snippet:
    a, s = c.x.baidu_ak(), c.x.baidu_sk()
    text = (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {c.svc()}\nspec:\n"
            f"  replicas: {c.rng.randint(1, 5)}\n  template:\n    spec:\n      containers:\n"
            f"      - name: {c.word()}\n        image: registry.example.com/{c.word()}:1.0\n"
            "        env:\n"
            f"        - name: BCE_ENDPOINT\n          value: bj.bcebos.com\n"
            f"        - name: BCE_ACCESS_KEY_ID\n          value: \"{a}\"\n"
            f"        - name: BCE_SECRET_ACCESS_KEY\n          value: \"{s}\"\n"
            "        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n"
            f"              name: {c.word()}-db\n              key: password\n")
    return Snippet(text, [L(a, BAIDU, "id"), L(s, BAIDU, "secret")],
                   name="deploy/k8s/{svc}/deployment.yaml")


@plant(HUAWEI)
def _hw_json_split_lines(c: Settings) -> Snippet:
    a, s = c.x.huawei_ak(), c.x.huawei_sk()
    filler = "".join(f'    "{c.ident()}": {c.rng.randint(1, 999)},\n' for _ in range(6))
    text = (f'{{\n  "service": "{c.svc()}",\n  "huaweicloud": {{\n'
            f'    "region": "{c.region(HUAWEI)}",\n{filler}    "credentials": {{\n'
            f'      "ak":\n        "{a}",\n      "sk":\n        "{s}"\n    }}\n  }}\n}}\n')
    return Snippet(text, [L(a, HUAWEI, "id"), L(s, HUAWEI, "secret")],
                   name="config/{svc}.json")


@plant(BAIDU)
def _bd_plist(c: Settings) -> Snippet:
    a, s = c.x.baidu_ak(), c.x.baidu_sk()
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n'
            f"  <key>CFBundleName</key>\n  <string>{c.word()}</string>\n"
            f"  <key>BCE_ACCESS_KEY_ID</key>\n  <string>{a}</string>\n"
            f"  <key>BCE_SECRET_ACCESS_KEY</key>\n  <string>{s}</string>\n</dict>\n</plist>\n")
    return Snippet(text, [L(a, BAIDU, "id"), L(s, BAIDU, "secret")],
                   name="ios/{svc}/Config.plist")


@plant(HUAWEI)
def _hw_ini_section(c: Settings) -> Snippet:
    a, s = c.x.huawei_ak(), c.x.huawei_sk()
    pad = "".join(f"{c.ident()} = {c.word()}\n" for _ in range(c.rng.randint(6, 12)))
    text = (f"[general]\nname = {c.svc()}\n\n[huawei]\nregion = {c.region(HUAWEI)}\n{pad}"
            f"ak = {a}\nsk = {s}\n\n[logging]\nlevel = info\n")
    return Snippet(text, [L(a, HUAWEI, "id"), L(s, HUAWEI, "secret")], name="{svc}/cloud.ini")


@plant(BAIDU)
def _bd_terraform_provider(c: Settings) -> Snippet:
    a, s = c.x.baidu_ak(), c.x.baidu_sk()
    notes = "".join(f"  # {c.rng.choice(c.vocab.sentences)}\n" for _ in range(6))
    block = (f'provider "baiducloud" {{\n  region = "bj"\n{notes}'
             f'  access_key = "{a}"\n  secret_key = "{s}"\n}}\n')
    return Snippet(c.tf_file(block), [L(a, BAIDU, "id"), L(s, BAIDU, "secret")],
                   name="infra/{env}/baidu.tf")


@plant(HUAWEI)
def _hw_yaml_nested(c: Settings) -> Snippet:
    a, s = c.x.huawei_ak(), c.x.huawei_sk()
    pad = "".join(f"    {c.ident()}: {c.rng.randint(1, 99)}\n" for _ in range(7))
    text = (f"huaweicloud:\n  region: {c.region(HUAWEI)}\n  obs:\n{pad}  credentials:\n"
            f"    ak: {a}\n    sk: {s}\n")
    return Snippet(text, [L(a, HUAWEI, "id"), L(s, HUAWEI, "secret")],
                   name="{svc}/application.yml")


@plant(ALIBABA)
def _ali_env_base64_unquoted(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    blob = base64.b64encode(f"[default]\naccess_key_id = {i}\naccess_key_secret = {s}\n"
                            .encode()).decode()
    return Snippet(c.env_file([f"ALIYUN_CREDENTIALS_B64={blob}"]),
                   [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")], name="{svc}/.env")
