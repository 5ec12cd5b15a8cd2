"""Context shapes that span lines (the structure view): a value whose name, or whose
provider's name, sits on another line is found by the unchanged rules and reported at the
value's own line and column. Each test writes real files and runs the real ``keysweep``."""

from __future__ import annotations

import base64
import json
import random
import string
from pathlib import Path

from tests.helpers.run import run_keysweep

HEX = "0123456789abcdef"
UPPER_DIGITS = string.ascii_uppercase + string.digits
BASE62 = string.ascii_letters + string.digits


def _token(rng: random.Random, alphabet: str, n: int, prefix: str = "") -> str:
    """Random, but never a run of one character (the placeholder filter drops those)."""
    while True:
        body = "".join(rng.choice(alphabet) for _ in range(n))
        if not any(body[i] == body[i + 1] == body[i + 2] for i in range(n - 2)):
            return prefix + body


class Keys:
    """Random credentials of a fixed seed, one set per test."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.bce_ak = _token(rng, HEX, 32)
        self.bce_sk = _token(rng, HEX, 32)
        self.md5 = _token(rng, HEX, 32)
        self.altak = _token(rng, BASE62, 20, "ALTAK")
        self.hw_ak = _token(rng, UPPER_DIGITS, 20)
        self.hw_sk = _token(rng, BASE62, 40)
        self.other40 = _token(rng, BASE62, 40)
        self.ali_id = _token(rng, BASE62, 18, "LTAI5t")
        self.ali_secret = _token(rng, BASE62, 30)


Found = dict[tuple[str, str], tuple[str, int, int, str | None]]


def scan(root: Path) -> Found:
    """(file name, secret) -> (rule id, line, column, paired secret) of every finding."""
    run = run_keysweep("scan", root, "-f", "jsonl", "-q", "--show-secrets", expected_code=None)
    assert run.code in (0, 1), run.stderr
    out: Found = {}
    for line in run.stdout.splitlines():
        f = json.loads(line)
        paired = f["paired_with"]["secret"] if f["paired_with"] else None
        out[(Path(f["path"]).name, f["secret"])] = (f["rule_id"], f["line"], f["column"], paired)
    return out


def where(text: str, value: str) -> tuple[int, int]:
    """1-based line and column of ``value`` in ``text``."""
    at = text.index(value)
    return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)


def write(root: Path, name: str, text: str) -> str:
    (root / name).write_text(text)
    return text


def test_kubernetes_env_item_value_is_read_under_its_name(tmp_path: Path) -> None:
    k = Keys(1)
    deploy = write(tmp_path, "deployment.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: uploader
spec:
  template:
    spec:
      containers:
      - name: app
        image: registry.example.com/uploader:1.4
        env:
        - name: BCE_ACCESS_KEY_ID
          value: "{k.bce_ak}"
        - name: BCE_SECRET_ACCESS_KEY
          value: "{k.bce_sk}"
        - name: LOG_LEVEL
          value: info
""")
    # valueFrom: the key comes from a Secret, and the next item's value (a build hash of
    # the same shape) is not the value of BCE_ACCESS_KEY_ID.
    write(tmp_path, "values.yaml", f"""extraEnv:
  - name: BCE_ACCESS_KEY_ID
    valueFrom:
      secretKeyRef:
        name: bce-credentials
        key: access-key-id
  - name: BUILD_MD5
    value: "{k.md5}"
""")
    found = scan(tmp_path)
    assert found[("deployment.yaml", k.bce_ak)] == (
        "baidu-legacy-access-key-id", *where(deploy, k.bce_ak), k.bce_sk)
    assert found[("deployment.yaml", k.bce_sk)] == (
        "baidu-secret-access-key", *where(deploy, k.bce_sk), k.bce_ak)
    assert not [key for key in found if key[0] == "values.yaml"]


def test_json_key_on_the_line_above_its_value_inside_a_provider_object(tmp_path: Path) -> None:
    k = Keys(2)
    filler = "".join(f'    "option_{i}": {i},\n' for i in range(8))
    text = write(tmp_path, "cloud.json", f"""{{
  "huaweicloud": {{
    "region": "cn-north-4",
{filler}    "credentials": {{
      "ak":
        "{k.hw_ak}",
      "sk":
        "{k.hw_sk}"
    }}
  }}
}}
""")
    found = scan(tmp_path)
    assert found[("cloud.json", k.hw_ak)] == ("huawei-access-key-id", *where(text, k.hw_ak),
                                              k.hw_sk)
    assert found[("cloud.json", k.hw_sk)] == ("huawei-secret-access-key",
                                              *where(text, k.hw_sk), k.hw_ak)


def test_xml_name_and_value_elements_on_separate_lines(tmp_path: Path) -> None:
    k = Keys(3)
    site = write(tmp_path, "core-site.xml", f"""<?xml version="1.0"?>
<configuration>
  <property>
    <name>bce_access_key_id</name>
    <value>{k.bce_ak}</value>
  </property>
</configuration>
""")
    plist = write(tmp_path, "Info.plist", f"""<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
  <key>BCE_ACCESS_KEY_ID</key>
  <string>{k.bce_sk}</string>
</dict>
</plist>
""")
    found = scan(tmp_path)
    assert found[("core-site.xml", k.bce_ak)] == (
        "baidu-legacy-access-key-id", *where(site, k.bce_ak), None)
    assert found[("Info.plist", k.bce_sk)] == (
        "baidu-legacy-access-key-id", *where(plist, k.bce_sk), None)


def test_section_and_block_headers_name_the_provider_of_values_far_below(
        tmp_path: Path) -> None:
    k = Keys(4)
    pad = "".join(f"option_{i} = {i}\n" for i in range(10))
    ini = write(tmp_path, "config.ini", f"[huawei]\nregion = cn-north-4\n{pad}"
                                        f"ak = {k.hw_ak}\nsk = {k.hw_sk}\n")
    comments = "".join(f"  # note {i}\n" for i in range(8))
    tf = write(tmp_path, "main.tf", f"""provider "baiducloud" {{
  region = "bj"
{comments}  access_key = "{k.altak}"
  secret_key = "{k.bce_sk}"
}}
""")
    yaml_pad = "".join(f"    key_{i}: {i}\n" for i in range(8))
    yml = write(tmp_path, "app.yaml", f"""huaweicloud:
  obs:
{yaml_pad}  credentials:
    ak: {k.hw_ak}
    sk: {k.hw_sk}
""")
    found = scan(tmp_path)
    assert found[("config.ini", k.hw_sk)] == ("huawei-secret-access-key", *where(ini, k.hw_sk),
                                              k.hw_ak)
    assert found[("config.ini", k.hw_ak)][:3] == ("huawei-access-key-id", *where(ini, k.hw_ak))
    assert found[("main.tf", k.bce_sk)] == ("baidu-secret-access-key", *where(tf, k.bce_sk),
                                            k.altak)
    assert found[("app.yaml", k.hw_sk)] == ("huawei-secret-access-key", *where(yml, k.hw_sk),
                                            k.hw_ak)


def test_a_header_of_one_provider_does_not_admit_values_after_its_section(
        tmp_path: Path) -> None:
    k = Keys(5)
    pad = "".join(f"option_{i} = {i}\n" for i in range(8))
    ini = write(tmp_path, "config.ini", f"[huawei]\n{pad}sk = {k.hw_sk}\n"
                                        f"[mirror]\n{pad}token = {k.other40}\n")
    yaml_pad = "".join(f"  key_{i}: {i}\n" for i in range(8))
    write(tmp_path, "app.yaml", f"huaweicloud:\n{yaml_pad}  sk: {k.hw_sk}\n"
                                f"mirror:\n{yaml_pad}  token: {k.other40}\n")
    found = scan(tmp_path)
    assert found[("config.ini", k.hw_sk)][:3] == ("huawei-secret-access-key",
                                                  *where(ini, k.hw_sk))
    assert ("app.yaml", k.hw_sk) in found
    assert ("config.ini", k.other40) not in found and ("app.yaml", k.other40) not in found


def test_unquoted_base64_after_an_env_name_is_decoded(tmp_path: Path) -> None:
    k = Keys(6)
    blob = base64.b64encode(f"[default]\naccess_key_id = {k.ali_id}\n"
                            f"access_key_secret = {k.ali_secret}\n".encode()).decode()
    text = write(tmp_path, ".env", f"APP_NAME=uploader\nALIYUN_CONFIG_B64={blob}\n")
    found = scan(tmp_path)
    assert found[(".env", k.ali_secret)] == ("alibaba-access-key-secret", *where(text, blob),
                                             k.ali_id)
    assert found[(".env", k.ali_id)][:3] == ("alibaba-access-key-id", *where(text, blob))
