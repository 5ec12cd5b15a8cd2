"""A seeded, deterministic generator of a labelled, source-like corpus for keysweep.

``make_corpus(root, size_mb, seed)`` writes a tree of roughly ``size_mb`` MiB (code, config,
docs, notebooks, bundles, Kubernetes manifests, key files and binaries) into ``root``, plants
random credentials of every provider keysweep has rules for, in the settings people really
leak them, plus decoys that must not be reported (documentation example values,
placeholders, look-alikes, public keys), and returns the list of planted credentials. The
same list is written to ``labels.json`` beside the tree (``root.parent / "labels.json"``), so
keep one corpus per parent directory.

Every value a correct scanner should report gets a ``Planted`` entry: the ID and the secret
of a pair each get one. A finding matches a label when the path and the secret are equal;
``normalize_secret`` makes private keys comparable however a rule delimits the block.

Run as a script: ``python benchmarks/corpus.py OUT_DIR --size-mb 10 --seed 0``.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import json
import math
import os
import random
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _keys as keys  # noqa: E402
from benchmarks._filler import WORDS, Filler, Vocab, notebook  # noqa: E402

MiB = 1 << 20
LABELS_NAME = "labels.json"
DEFAULT_KEYS_PER_MB = 30.0
DEFAULT_DECOYS_PER_MB = 20.0

# Provider ids, as the rule files name them (``keysweep rules list``).
ALIBABA, AWS, TENCENT, HUAWEI, BAIDU = "alibaba", "aws", "tencent", "huawei", "baidu"
VOLC, KSYUN, GCP, AZURE, GITHUB, PKEY = ("volcengine", "kingsoft", "gcp", "azure", "github",
                                         "private-keys")
DASHSCOPE, ANTHROPIC = "alibaba-model-studio", "anthropic"
GITLAB, NPM, PYPI, DOCKERHUB, RUBYGEMS, CRATESIO = ("gitlab", "npm", "pypi", "dockerhub",
                                                    "rubygems", "cratesio")
REGISTRIES = (GITLAB, NPM, PYPI, DOCKERHUB, RUBYGEMS, CRATESIO)
PROVIDERS = (ALIBABA, AWS, TENCENT, HUAWEI, BAIDU, VOLC, KSYUN, GCP, AZURE, GITHUB, PKEY,
             DASHSCOPE, ANTHROPIC, *REGISTRIES)
# How often each provider's settings are drawn after the first pass over all of them.
PROVIDER_WEIGHTS = {ALIBABA: 4, AWS: 2, TENCENT: 1.5, HUAWEI: 1, BAIDU: 1, VOLC: 1, KSYUN: 1,
                    GCP: 1.5, AZURE: 1.5, GITHUB: 1.5, PKEY: 1.5, DASHSCOPE: 0.5,
                    ANTHROPIC: 0.5, **dict.fromkeys(REGISTRIES, 0.3)}
DEFAULT_WEIGHT = 0.3  # providers planted by benchmarks/plants/ modules


@dataclass(frozen=True)
class Planted:
    path: str  # relative to the corpus root, posix
    secret: str
    provider: str
    kind: str  # id | secret | token | private_key


# -- comparing findings with labels ---------------------------------------------------------

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]*?)-----(.*?)-----END", re.S)
_LINE_BREAKS = re.compile(r"\\r\\n|\\n|\r?\n")


def normalize_secret(secret: str) -> str:
    """The secret itself, except for a PEM block: its type and base64 body with line breaks,
    string quotes and concatenation, ``\\n`` escapes and armour headers removed, so that a
    key matches however the rule delimits it (a JSON string, a Java concatenation, ...)."""
    m = _PEM.search(secret)
    if not m:
        return secret
    body = []
    for line in _LINE_BREAKS.split(m.group(2)):
        line = line.strip().strip("\"'+, ").replace("\\", "")
        if not line or ":" in line or (len(line) == 5 and line.startswith("=")):
            continue
        body.append(line)
    return m.group(1) + ":" + "".join(body)


def load_labels(path: str | os.PathLike[str]) -> list[Planted]:
    data = json.loads(Path(path).read_text())
    return [Planted(**item) for item in data["labels"]]


# -- credential values ----------------------------------------------------------------------

BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
BASE64 = BASE62 + "+/"
BASE64URL = BASE62 + "-_"
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
HEX = "0123456789abcdef"
LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"

# Mirrors patterns/placeholders.toml: a random value that trips these is re-drawn, because
# the scanner drops it by design (it reads as a placeholder), not because a rule is wrong.
_PLACEHOLDER_WORDS = ("example", "your", "fake", "dummy", "sample", "placeholder", "changeme",
                      "redacted", "test", "xxxx", "****")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
AWS_CANARY_ACCOUNTS = frozenset([
    "052310077262", "171436882533", "534261010715", "595918472158", "717712589309", "819147034852",
    "992382622183", "730335385048", "266735846894", "893192397702", "044858866125", "251535659677",
    "344043088457", "351906852752", "390477818340", "426127672474", "427150556519", "439872796651",
    "445142720921", "465867158099", "637958123769", "693412236332", "732624840810", "735421457923",
    "959235150393", "982842642351"
])


def entropy(value: str) -> float:
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values()) if n else 0.0


def looks_like_placeholder(value: str) -> bool:
    if len(value) > 128:
        return False
    low = value.lower()
    if any(w in low for w in _PLACEHOLDER_WORDS):
        return True
    run = up = down = 1
    for a, b in zip(low, low[1:], strict=False):
        step = ord(b) - ord(a)
        run = run + 1 if step == 0 else 1
        up = up + 1 if step == 1 and b.isalnum() else 1
        down = down + 1 if step == -1 and b.isalnum() else 1
        if run >= 4 or up >= 5 or down >= 5:
            return True
    if any(row[i : i + 5] in low for row in _KEYBOARD_ROWS for i in range(len(row) - 4)):
        return True
    n = len(value)
    return any(value[p:] == value[:-p] for p in range(2, n // 3 + 1))


def aws_account(key_id: str) -> str:
    raw = base64.b32decode(key_id[4:])
    x = int.from_bytes(raw[:6], "big")
    return f"{(x & 0x7FFFFFFFFF80) >> 7:012d}"


class Values:
    """Random credential values with each provider's alphabet and structure."""

    def __init__(self, rng: random.Random, rsa_budget: int) -> None:
        self.rng = rng
        self.rsa_budget = rsa_budget

    def _draw(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choices(alphabet, k=n))

    def token(self, alphabet: str, n: int, prefix: str = "", min_entropy: float = 3.0,
              check: Callable[[str], bool] | None = None) -> str:
        # never ask for more than a short value can have
        min_entropy = min(min_entropy, math.log2(len(prefix) + n) - 0.6)
        while True:
            value = prefix + self._draw(alphabet, n)
            if (not looks_like_placeholder(value) and entropy(value) >= min_entropy
                    and (check is None or check(value))):
                return value

    def alnum(self, n: int) -> str:
        return self.token(BASE62, n, min_entropy=3.8 if n >= 30 else 3.0)

    # Alibaba Cloud
    def alibaba_id(self, long: bool = True) -> str:
        if not long:
            return self.token(BASE62, 12, "LTAI", 3.0)
        prefix = self.rng.choice(["LTAI5t", "LTAI5t", "LTAI5t", "LTAI4", "LTAI"])
        return self.token(BASE62, 24 - len(prefix), prefix, 3.4)

    def alibaba_secret(self) -> str:
        return self.token(BASE62, 30, min_entropy=3.8)

    def sts_id(self) -> str:
        return self.token(BASE62, self.rng.randint(21, 28), "STS.", 3.5)

    def sts_secret(self) -> str:
        return self.token(BASE62, self.rng.choice([40, 44, 44, 44]), min_entropy=3.8)

    def sts_token(self) -> str:
        n = self.rng.randint(300, 800)
        raw = b"\x08\x02\x12" + bytes([0x80 | (n & 0x7F), n >> 7]) + self.rng.randbytes(n)
        return base64.b64encode(raw).decode()

    # AWS
    def aws_id(self, prefix: str = "AKIA") -> str:
        return self.token(BASE32, 16, prefix, 3.0,
                          check=lambda v: aws_account(v) not in AWS_CANARY_ACCOUNTS)

    def aws_secret(self) -> str:
        return self.token(BASE64, 40, min_entropy=4.0)

    def aws_session_token(self) -> str:
        raw = b"!\n\torigin_ec" + self.rng.randbytes(self.rng.randint(450, 800))
        return base64.b64encode(raw).decode()

    # Tencent, Huawei, Baidu, Volcengine, Kingsoft
    def tencent_id(self) -> str:
        return self.token(BASE62, 32, "AKID", 3.8)

    def tencent_key(self) -> str:
        return self.token(BASE62, 32, min_entropy=3.8)

    def huawei_ak(self) -> str:
        return self.token(UPPER_ALNUM, 20, min_entropy=3.0)

    def huawei_sk(self) -> str:
        return self.token(BASE62, 40, min_entropy=3.8)

    def baidu_ak(self) -> str:
        """A newer ALTAK ID 40% of the time, else a legacy 32-hex one."""
        if self.rng.random() < 0.4:
            return self.token(BASE62, 20, "ALTAK", 3.4)
        return self.token(HEX, 32, min_entropy=3.0)

    def baidu_sk(self) -> str:
        return self.token(HEX, 32, min_entropy=3.0)

    def volc_ak(self) -> str:
        while True:
            body = base64.b64encode(self._draw(HEX, 32).encode()).decode().rstrip("=")
            value = "AKLT" + body
            if not looks_like_placeholder(value):
                return value

    def volc_sk(self) -> str:
        while True:
            inner = base64.b64encode(self._draw(HEX, 32).encode()).decode().rstrip("=")
            value = base64.b64encode(inner.encode()).decode()
            if not looks_like_placeholder(value):
                return value

    def ksyun_ak(self) -> str:
        return self.token(BASE62, 20, "AKLT", 3.4)

    def ksyun_sk(self) -> str:
        return self.token(BASE62, 64, min_entropy=4.0)

    # Google Cloud, Azure, GitHub
    def gcp_api_key(self) -> str:
        return self.token(BASE64URL, 33, "AIzaSy", 3.8)

    def azure_storage_key(self) -> str:
        while True:
            value = base64.b64encode(self.rng.randbytes(64)).decode()
            if not looks_like_placeholder(value):
                return value

    def azure_sas_key(self) -> str:
        """A Service Bus / Event Hubs SharedAccessKey: base64 of 32 random bytes."""
        while True:
            value = base64.b64encode(self.rng.randbytes(32)).decode()
            if not looks_like_placeholder(value) and entropy(value) >= 4.0:
                return value

    def azure_devops_pat(self) -> str:
        return self.token(BASE62, 76, min_entropy=4.0) + "AZDO" + self._draw(BASE62, 4)

    def gcp_oauth_secret(self) -> str:
        return self.token(BASE64URL, 28, "GOCSPX-", 3.8)

    def azure_account(self) -> str:
        return self.rng.choice(WORDS) + self.rng.choice(WORDS) + self._draw(LOWER_ALNUM, 4)

    def entra_secret(self) -> str:
        def make() -> str:
            return (self._draw(BASE62, 3) + self.rng.choice("0123456789") + "Q~"
                    + self._draw(BASE62 + "_~.-", 34))
        while True:
            value = make()
            if not looks_like_placeholder(value) and entropy(value) >= 4.0:
                return value

    def github(self, prefix: str = "ghp_") -> str:
        while True:
            body = self._draw(BASE62, 30)
            value = prefix + body + keys.crc32_base62(body)
            if not looks_like_placeholder(value):
                return value

    def github_fine(self) -> str:
        return self.token(BASE62, 59, "github_pat_11" + self._draw(UPPER_ALNUM, 20) + "_", 4.0)

    def uuid(self) -> str:
        h = self.rng.randbytes(16).hex()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[self.rng.randrange(4)]}{h[17:20]}-{h[20:]}"

    # Private keys
    def rsa(self) -> keys.RsaKey | None:
        """An RSA-2048 key while the budget lasts (pure-Python prime search is slow)."""
        if self.rsa_budget <= 0:
            return None
        self.rsa_budget -= 1
        return keys.rsa_key(self.rng)

    def private_key_pem(self) -> tuple[str, str]:
        """(PEM text, what it is) for a random private key type."""
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            rsa = self.rsa()
            if rsa is not None:
                if rng.random() < 0.6:
                    return keys.pem("RSA PRIVATE KEY", rsa.pkcs1()), "rsa-pkcs1"
                return keys.pem("PRIVATE KEY", rsa.pkcs8()), "rsa-pkcs8"
            r = 0.35 + rng.random() * 0.65
        if r < 0.50:
            return keys.pem("EC PRIVATE KEY", keys.ec_key(rng).sec1()), "ec-sec1"
        if r < 0.56:
            return keys.pem("PRIVATE KEY", keys.ec_key(rng).pkcs8()), "ec-pkcs8"
        if r < 0.58:
            return (keys.encrypted_legacy_pem("EC PRIVATE KEY", keys.ec_key(rng).sec1(), rng),
                    "ec-sec1-encrypted")
        if r < 0.60:
            return (keys.pem("ENCRYPTED PRIVATE KEY",
                             keys.encrypted_pkcs8(keys.ec_key(rng).pkcs8(), rng)),
                    "pkcs8-encrypted")
        if r < 0.66:
            return keys.pem("PRIVATE KEY", keys.ed25519_key(rng).pkcs8()), "ed25519-pkcs8"
        comment = f"{rng.choice(WORDS)}@{rng.choice(WORDS)}-{rng.randint(1, 99)}"
        if r < 0.86:
            return keys.openssh_private(keys.ed25519_key(rng), comment, rng), "openssh-ed25519"
        if r < 0.94:
            return keys.openssh_private(keys.ec_key(rng), comment, rng), "openssh-ecdsa"
        if r < 0.97:
            return (keys.openssh_private(keys.ed25519_key(rng), comment, rng, encrypted=True),
                    "openssh-encrypted")
        return keys.pgp_private(keys.ed25519_key(rng), f"{comment} <{comment}.org>", rng), "pgp"


# -- snippets -------------------------------------------------------------------------------


@dataclass
class Snippet:
    """A piece of text holding planted credentials (or decoys), and where it goes: into a
    filler file of category ``where``, or (``where == "file"``) as a whole file ``name``."""

    text: str
    labels: list[tuple[str, str, str]] = field(default_factory=list)  # secret, provider, kind
    where: str = "file"
    name: str = ""
    binary: bytes | None = None  # written instead of ``text`` (archives, UTF-16 files)
    member: str = ""  # the labels are inside this archive member: ``path!member``


Renderer = Callable[["Settings"], Snippet]
PLANTS: dict[str, list[Renderer]] = {p: [] for p in PROVIDERS}
DECOYS: list[Renderer] = []


def plant(provider: str) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        PLANTS.setdefault(provider, []).append(fn)
        return fn
    return register


def env_snippet(c: Settings, var: str, value: str, provider: str, kind: str) -> Snippet:
    """A service's ``.env`` file with one credential among ordinary settings."""
    return Snippet(c.env_file([f"{var}={value}"]), [L(value, provider, kind)],
                   name="{svc}/.env")


def decoy(fn: Renderer) -> Renderer:
    DECOYS.append(fn)
    return fn


REGIONS = {
    ALIBABA: ["cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "ap-southeast-1"],
    AWS: ["us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1"],
    TENCENT: ["ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-singapore"],
    HUAWEI: ["cn-north-4", "cn-east-3", "cn-south-1", "ap-southeast-1"],
    VOLC: ["cn-beijing", "cn-shanghai", "cn-guangzhou"],
    KSYUN: ["cn-beijing-6", "cn-shanghai-2", "cn-guangzhou-1"],
}


class Settings:
    """Context for renderers: values, filler and a few shared helpers."""

    def __init__(self, rng: random.Random, values: Values, filler: Filler, vocab: Vocab) -> None:
        self.rng = rng
        self.x = values
        self.filler = filler
        self.vocab = vocab

    # small random things
    def word(self) -> str:
        return self.rng.choice(WORDS)

    def svc(self) -> str:
        return f"{self.rng.choice(WORDS)}-{self.rng.choice(WORDS)}"

    def ident(self) -> str:
        return self.rng.choice(self.vocab.snake)

    def region(self, provider: str) -> str:
        return self.rng.choice(REGIONS[provider])

    def bucket(self) -> str:
        return f"{self.word()}-{self.word()}-{self.rng.randint(1, 999)}"

    def alibaba_id(self) -> str:
        return self.x.alibaba_id(long=self.rng.random() < 0.7)

    # file-level helpers
    def env_lines(self, n: int) -> list[str]:
        out = []
        for _ in range(n):
            k = self.rng.choice(self.vocab.const)
            v = self.rng.choice([str(self.rng.randint(1, 9999)), self.word(), "true", "false",
                                 self.rng.choice(self.vocab.hosts)])
            out.append(f"{k}={v}")
        return out

    def env_file(self, lines: list[str]) -> str:
        before = ["# " + self.rng.choice(self.vocab.sentences), "NODE_ENV=production",
                  f"PORT={self.rng.choice([3000, 8000, 8080])}",
                  f"DATABASE_URL=postgres://app@{self.rng.choice(self.vocab.hosts)}:5432/"
                  f"{self.word()}"] + self.env_lines(self.rng.randint(0, 5))
        after = self.env_lines(self.rng.randint(1, 6))
        return "\n".join(before + [""] + lines + [""] + after) + "\n"

    def k8s_secret(self, name: str, data: dict[str, str], encode: bool = True) -> str:
        ns = self.word()
        head = (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
                f"  labels:\n    app: {self.svc()}\ntype: Opaque\n")
        if encode:
            body = "data:\n" + "".join(
                f"  {k}: {base64.b64encode(v.encode()).decode()}\n" for k, v in data.items())
        else:
            body = "stringData:\n" + "".join(f"  {k}: \"{v}\"\n" for k, v in data.items())
        return head + body

    def tf_file(self, block: str) -> str:
        blocks = [self.filler.block("tf") for _ in range(self.rng.randint(1, 4))]
        head = 'terraform {\n  required_version = ">= 1.3"\n}\n'
        return head + "\n" + block + "".join(blocks)

    def notebook_with(self, code: str) -> str:
        cells = self.filler.notebook_cells(self.rng.randint(2000, 20000))
        cell = {"cell_type": "code", "execution_count": len(cells) + 1, "metadata": {},
                "outputs": [], "source": [line + "\n" for line in code.split("\n")]}
        cells.insert(self.rng.randint(0, len(cells)), cell)
        return notebook(cells)

    def json_config(self, inner: dict[str, object]) -> str:
        doc: dict[str, object] = {"name": self.svc(), "version": f"1.{self.rng.randint(0, 20)}.0",
                                  "logLevel": "info", "port": self.rng.randint(3000, 9000)}
        doc.update(inner)
        doc["features"] = {self.word(): self.rng.random() < 0.5 for _ in range(4)}
        return json.dumps(doc, indent=2) + "\n"


def L(secret: str, provider: str, kind: str) -> tuple[str, str, str]:  # noqa: N802
    return (secret, provider, kind)


# ---- Alibaba Cloud ----


@plant(ALIBABA)
def _ali_acsclient(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    text = (f"\n\ndef make_client(region=\"{c.region(ALIBABA)}\"):\n"
            f"    # TODO: move to the credentials chain before release\n"
            f"    client = AcsClient(\"{i}\", \"{s}\", region)\n"
            f"    client.set_max_retry_time(3)\n    return client\n")
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")], "py")


@plant(ALIBABA)
def _ali_oss2(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    r = c.region(ALIBABA)
    text = (f"\n\nauth = oss2.Auth('{i}', '{s}')\n"
            f"bucket = oss2.Bucket(auth, 'https://oss-{r}.aliyuncs.com', '{c.bucket()}')\n")
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")], "py")


@plant(ALIBABA)
def _ali_openapi_config(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    text = ("\n\ndef create_client() -> Ecs20140526Client:\n"
            "    config = open_api_models.Config(\n"
            f"        access_key_id=\"{i}\",\n"
            f"        access_key_secret=\"{s}\",\n"
            "    )\n"
            f"    config.endpoint = \"ecs.{c.region(ALIBABA)}.aliyuncs.com\"\n"
            "    return Ecs20140526Client(config)\n")
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")], "py")


@plant(ALIBABA)
def _ali_java_profile(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    text = ("\n    private IAcsClient buildClient() {\n"
            f"        DefaultProfile profile = DefaultProfile.getProfile(\"{c.region(ALIBABA)}\", "
            f"\"{i}\", \"{s}\");\n"
            "        return new DefaultAcsClient(profile);\n    }\n")
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")], "java")


@plant(ALIBABA)
def _ali_java_oss(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    text = (f"\n    private static final String ENDPOINT = \"https://oss-{c.region(ALIBABA)}.aliyuncs.com\";\n"
            f"    private static final String ACCESS_KEY_ID = \"{i}\";\n"
            f"    private static final String ACCESS_KEY_SECRET = \"{s}\";\n\n"
            "    public OSS ossClient() {\n"
            "        return new OSSClientBuilder()\n"
            "                .build(ENDPOINT, ACCESS_KEY_ID, ACCESS_KEY_SECRET);\n"
            "    }\n")
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")], "java")


@plant(ALIBABA)
def _ali_go(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    text = ("\n\nfunc newEcsClient() (*ecs.Client, error) {\n"
            f"\treturn ecs.NewClientWithAccessKey(\"{c.region(ALIBABA)}\", \"{i}\", \"{s}\")\n}}\n")
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")], "go")


@plant(ALIBABA)
def _ali_node_core(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    text = ("\n\nconst client = new Core({\n"
            f"  accessKeyId: '{i}',\n"
            f"  accessKeySecret: '{s}',\n"
            "  endpoint: 'https://ecs.aliyuncs.com',\n"
            "  apiVersion: '2014-05-26',\n});\n")
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")], c.rng.choice(["js", "ts"]))


@plant(ALIBABA)
def _ali_env(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    prefix = c.rng.choice(["ALIBABA_CLOUD", "ALIBABACLOUD", "ALICLOUD", "ALIYUN", "OSS"])
    lines = [f"{prefix}_ACCESS_KEY_ID={i}", f"{prefix}_ACCESS_KEY_SECRET={s}",
             f"{prefix}_REGION_ID={c.region(ALIBABA)}"]
    return Snippet(c.env_file(lines), [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")],
                   name=c.rng.choice(["{svc}/.env", "{svc}/.env.production", "deploy/{svc}.env"]))


@plant(ALIBABA)
def _ali_credentials_ini(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    i2, s2 = c.alibaba_id(), c.x.alibaba_secret()
    text = (f"[default]\ntype = access_key\naccess_key_id = {i}\naccess_key_secret = {s}\n\n"
            f"[{c.word()}]\ntype = access_key\naccess_key_id = {i2}\naccess_key_secret = {s2}\n")
    return Snippet(text, [L(v, ALIBABA, k) for v, k in
                          ((i, "id"), (s, "secret"), (i2, "id"), (s2, "secret"))],
                   name="home/{user}/.alibabacloud/credentials")


@plant(ALIBABA)
def _ali_cli_config(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    doc = {"current": "default", "profiles": [
        {"name": "default", "mode": "AK", "access_key_id": i, "access_key_secret": s,
         "sts_token": "", "region_id": c.region(ALIBABA), "output_format": "json",
         "language": "en"}], "meta_path": ""}
    return Snippet(json.dumps(doc, indent=2) + "\n", [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")],
                   name="home/{user}/.aliyun/config.json")


@plant(ALIBABA)
def _ali_ossutil(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    text = (f"[Credentials]\nlanguage=EN\nendpoint=oss-{c.region(ALIBABA)}.aliyuncs.com\n"
            f"accessKeyID={i}\naccessKeySecret={s}\n")
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")],
                   name="home/{user}/.ossutilconfig")


@plant(ALIBABA)
def _ali_spring(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    key = c.rng.choice(["spring.cloud.alicloud", "alibaba.cloud"])
    text = (f"\n# Alibaba Cloud\n{key}.access-key={i}\n{key}.secret-key={s}\n"
            f"{key}.oss.endpoint=oss-{c.region(ALIBABA)}.aliyuncs.com\n")
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")], "properties")


@plant(ALIBABA)
def _ali_terraform(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    block = (f'provider "alicloud" {{\n  access_key = "{i}"\n  secret_key = "{s}"\n'
             f'  region     = "{c.region(ALIBABA)}"\n}}\n')
    return Snippet(c.tf_file(block), [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")],
                   name="infra/{env}/main.tf")


@plant(ALIBABA)
def _ali_k8s(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    text = c.k8s_secret("oss-credentials", {"ALIBABA_CLOUD_ACCESS_KEY_ID": i,
                                            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": s},
                        encode=c.rng.random() < 0.8)
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")],
                   name="deploy/k8s/{svc}/secret.yaml")


@plant(ALIBABA)
def _ali_notebook(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    code = (f"import oss2\nauth = oss2.Auth('{i}', '{s}')\n"
            f"bucket = oss2.Bucket(auth, 'https://oss-{c.region(ALIBABA)}.aliyuncs.com', "
            f"'{c.bucket()}')\nbucket.get_object_to_file('data/train.csv', 'train.csv')")
    return Snippet(c.notebook_with(code), [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")],
                   name="notebooks/{word}_{word}.ipynb")


@plant(ALIBABA)
def _ali_secret_env_only(c: Settings) -> Snippet:
    s = c.x.alibaba_secret()
    var = c.rng.choice(["ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY_SECRET",
                        "ALIYUN_ACCESS_KEY_SECRET", "OSS_ACCESS_KEY_SECRET"])
    text = (f"\n# credentials for the nightly upload job\n"
            f"export ALIBABA_CLOUD_ACCESS_KEY_ID=\"${{OSS_KEY_ID}}\"\nexport {var}={s}\n")
    return Snippet(text, [L(s, ALIBABA, "secret")], "sh")


@plant(ALIBABA)
def _ali_secret_yaml_only(c: Settings) -> Snippet:
    s = c.x.alibaba_secret()
    text = (f"\naliyun:\n  region: {c.region(ALIBABA)}\n  access_key_id: ${{ALIYUN_AK}}\n"
            f"  access_key_secret: {s}\n  bucket: {c.bucket()}\n")
    return Snippet(text, [L(s, ALIBABA, "secret")], "yaml")


@plant(ALIBABA)
def _ali_secret_py_only(c: Settings) -> Snippet:
    s = c.x.alibaba_secret()
    if c.rng.random() < 0.5:
        text = f"\n\naliyun_secret = \"{s}\"\nALIYUN_REGION = \"{c.region(ALIBABA)}\"\n"
    else:
        text = (f"\n\nauth = oss2.Auth(os.getenv(\"OSS_AK\"), \"{s}\")\n"
                f"service = oss2.Service(auth, \"https://oss-{c.region(ALIBABA)}.aliyuncs.com\")\n")
    return Snippet(text, [L(s, ALIBABA, "secret")], "py")


@plant(ALIBABA)
def _ali_presigned_url(c: Settings) -> Snippet:
    i = c.alibaba_id()
    sig = base64.b64encode(c.rng.randbytes(20)).decode().replace("+", "%2B").replace(
        "/", "%2F").replace("=", "%3D")
    url = (f"https://{c.bucket()}.oss-{c.region(ALIBABA)}.aliyuncs.com/exports/{c.word()}.csv"
           f"?OSSAccessKeyId={i}&Expires={c.rng.randint(1_600_000_000, 1_800_000_000)}"
           f"&Signature={sig}")
    where = c.rng.choice(["md", "log"])
    text = (f"\nDownload the report from [here]({url}).\n" if where == "md" else
            f"2024-03-0{c.rng.randint(1, 9)}T10:00:00Z INFO [export] presigned url={url}\n")
    return Snippet(text, [L(i, ALIBABA, "id")], where)


@plant(ALIBABA)
def _ali_string_to_sign_log(c: Settings) -> Snippet:
    i = c.alibaba_id()
    text = (f"2024-05-1{c.rng.randint(0, 9)}T08:21:44Z ERROR [sdk] SignatureDoesNotMatch: "
            "Specified signature is not matched with our calculation. server string to sign "
            f"is:GET&%2F&AccessKeyId%3D{i}%26Action%3DDescribeRegions%26Format%3DJSON\n")
    return Snippet(text, [L(i, ALIBABA, "id")], "log")


@plant(ALIBABA)
def _ali_sts_response(c: Settings) -> Snippet:
    i, s, t = c.x.sts_id(), c.x.sts_secret(), c.x.sts_token()
    doc = {"RequestId": c.x.uuid().upper(), "AssumedRoleUser": {
        "AssumedRoleId": f"3{c.rng.randint(10**16, 10**17)}:{c.word()}",
        "Arn": f"acs:ram::{c.rng.randint(10**15, 10**16)}:role/{c.word()}/{c.word()}"},
        "Credentials": {"SecurityToken": t, "AccessKeyId": i, "AccessKeySecret": s,
                        "Expiration": "2024-06-01T12:00:00Z"}}
    return Snippet(json.dumps(doc, indent=2) + "\n",
                   [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret"), L(t, ALIBABA, "token")],
                   name="tests/fixtures/{word}_assume_role.json")


@plant(ALIBABA)
def _ali_sts_python(c: Settings) -> Snippet:
    i, s, t = c.x.sts_id(), c.x.sts_secret(), c.x.sts_token()
    text = (f"\n\ncred = StsTokenCredential(\n    \"{i}\",\n    \"{s}\",\n    \"{t}\",\n)\n"
            f"client = AcsClient(region_id=\"{c.region(ALIBABA)}\", credential=cred)\n")
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret"), L(t, ALIBABA, "token")],
                   "py")


@plant(ALIBABA)
def _ali_sts_env(c: Settings) -> Snippet:
    i, s, t = c.x.sts_id(), c.x.sts_secret(), c.x.sts_token()
    lines = [f"ALIBABA_CLOUD_ACCESS_KEY_ID={i}", f"ALIBABA_CLOUD_ACCESS_KEY_SECRET={s}",
             f"ALIBABA_CLOUD_SECURITY_TOKEN={t}"]
    return Snippet(c.env_file(lines),
                   [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret"), L(t, ALIBABA, "token")],
                   name="{svc}/.env.sts")


# ---- AWS ----


@plant(AWS)
def _aws_credentials_file(c: Settings) -> Snippet:
    i, s, i2, s2 = c.x.aws_id(), c.x.aws_secret(), c.x.aws_id(), c.x.aws_secret()
    text = (f"[default]\naws_access_key_id = {i}\naws_secret_access_key = {s}\n"
            f"region = {c.region(AWS)}\n\n[{c.word()}]\naws_access_key_id = {i2}\n"
            f"aws_secret_access_key = {s2}\n")
    return Snippet(text, [L(i, AWS, "id"), L(s, AWS, "secret"), L(i2, AWS, "id"),
                          L(s2, AWS, "secret")], name="home/{user}/.aws/credentials")


@plant(AWS)
def _aws_boto3(c: Settings) -> Snippet:
    i, s = c.x.aws_id(), c.x.aws_secret()
    text = (f"\n\ns3 = boto3.client(\n    \"s3\",\n    region_name=\"{c.region(AWS)}\",\n"
            f"    aws_access_key_id=\"{i}\",\n    aws_secret_access_key=\"{s}\",\n)\n")
    return Snippet(text, [L(i, AWS, "id"), L(s, AWS, "secret")], "py")


@plant(AWS)
def _aws_java(c: Settings) -> Snippet:
    i, s = c.x.aws_id(), c.x.aws_secret()
    if c.rng.random() < 0.5:
        body = (f"        BasicAWSCredentials creds = new BasicAWSCredentials(\"{i}\", \"{s}\");\n"
                "        return AmazonS3ClientBuilder.standard()\n"
                "                .withCredentials(new AWSStaticCredentialsProvider(creds))\n"
                "                .build();\n")
    else:
        body = ("        AwsBasicCredentials creds =\n"
                f"                AwsBasicCredentials.create(\"{i}\", \"{s}\");\n"
                "        return S3Client.builder()\n"
                "                .credentialsProvider(StaticCredentialsProvider.create(creds))\n"
                "                .build();\n")
    return Snippet("\n    public Object s3Client() {\n" + body + "    }\n",
                   [L(i, AWS, "id"), L(s, AWS, "secret")], "java")


@plant(AWS)
def _aws_env(c: Settings) -> Snippet:
    i, s = c.x.aws_id(), c.x.aws_secret()
    text = (f"\nexport AWS_ACCESS_KEY_ID={i}\nexport AWS_SECRET_ACCESS_KEY={s}\n"
            f"export AWS_DEFAULT_REGION={c.region(AWS)}\n")
    return Snippet(text, [L(i, AWS, "id"), L(s, AWS, "secret")], "sh")


@plant(AWS)
def _aws_terraform(c: Settings) -> Snippet:
    i, s = c.x.aws_id(), c.x.aws_secret()
    block = (f'provider "aws" {{\n  region     = "{c.region(AWS)}"\n  access_key = "{i}"\n'
             f'  secret_key = "{s}"\n}}\n')
    return Snippet(c.tf_file(block), [L(i, AWS, "id"), L(s, AWS, "secret")],
                   name="infra/{env}/providers.tf")


@plant(AWS)
def _aws_workflow(c: Settings) -> Snippet:
    i, s = c.x.aws_id(), c.x.aws_secret()
    text = (f"name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n"
            f"    runs-on: ubuntu-latest\n    env:\n      AWS_ACCESS_KEY_ID: {i}\n"
            f"      AWS_SECRET_ACCESS_KEY: {s}\n      AWS_REGION: {c.region(AWS)}\n"
            f"    steps:\n      - uses: actions/checkout@v4\n      - run: aws s3 sync ./dist "
            f"s3://{c.bucket()} --delete\n")
    return Snippet(text, [L(i, AWS, "id"), L(s, AWS, "secret")],
                   name="{svc}/.github/workflows/deploy.yml")


@plant(AWS)
def _aws_js(c: Settings) -> Snippet:
    i, s = c.x.aws_id(), c.x.aws_secret()
    text = (f"\n\nconst s3 = new AWS.S3({{\n  accessKeyId: '{i}',\n  secretAccessKey: '{s}',\n"
            f"  region: '{c.region(AWS)}',\n}});\n")
    return Snippet(text, [L(i, AWS, "id"), L(s, AWS, "secret")], c.rng.choice(["js", "ts"]))


@plant(AWS)
def _aws_session(c: Settings) -> Snippet:
    i, s, t = c.x.aws_id("ASIA"), c.x.aws_secret(), c.x.aws_session_token()
    text = (f"[default]\naws_access_key_id = {i}\naws_secret_access_key = {s}\n"
            f"aws_session_token = {t}\n")
    return Snippet(text, [L(i, AWS, "id"), L(s, AWS, "secret"), L(t, AWS, "token")],
                   name="home/{user}/.aws/credentials")


@plant(AWS)
def _aws_presigned(c: Settings) -> Snippet:
    i = c.x.aws_id()
    url = (f"https://{c.bucket()}.s3.amazonaws.com/{c.word()}.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256"
           f"&X-Amz-Credential={i}%2F20240301%2F{c.region(AWS)}%2Fs3%2Faws4_request"
           f"&X-Amz-Date=20240301T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
           f"&X-Amz-Signature={c.rng.randbytes(32).hex()}")
    return Snippet(f"\nThe build artefact is at {url}\n", [L(i, AWS, "id")], "md")


@plant(AWS)
def _aws_k8s(c: Settings) -> Snippet:
    i, s = c.x.aws_id(), c.x.aws_secret()
    text = c.k8s_secret("aws-credentials", {"AWS_ACCESS_KEY_ID": i, "AWS_SECRET_ACCESS_KEY": s})
    return Snippet(text, [L(i, AWS, "id"), L(s, AWS, "secret")],
                   name="deploy/k8s/{svc}/aws-secret.yaml")


@plant(AWS)
def _aws_go(c: Settings) -> Snippet:
    i, s = c.x.aws_id(), c.x.aws_secret()
    text = ("\n\nfunc newSession() (*session.Session, error) {\n"
            "\treturn session.NewSession(&aws.Config{\n"
            f"\t\tRegion:      aws.String(\"{c.region(AWS)}\"),\n"
            f"\t\tCredentials: credentials.NewStaticCredentials(\"{i}\", \"{s}\", \"\"),\n"
            "\t})\n}\n")
    return Snippet(text, [L(i, AWS, "id"), L(s, AWS, "secret")], "go")


@plant(AWS)
def _aws_notebook(c: Settings) -> Snippet:
    i, s = c.x.aws_id(), c.x.aws_secret()
    code = (f"import boto3\nsession = boto3.Session(\n    aws_access_key_id='{i}',\n"
            f"    aws_secret_access_key='{s}',\n)\ns3 = session.resource('s3')")
    return Snippet(c.notebook_with(code), [L(i, AWS, "id"), L(s, AWS, "secret")],
                   name="notebooks/{word}-{word}.ipynb")


# ---- Tencent Cloud ----


@plant(TENCENT)
def _tc_python(c: Settings) -> Snippet:
    i, s = c.x.tencent_id(), c.x.tencent_key()
    text = (f"\n\ncred = credential.Credential(\"{i}\", \"{s}\")\n"
            f"client = cvm_client.CvmClient(cred, \"{c.region(TENCENT)}\")\n")
    return Snippet(text, [L(i, TENCENT, "id"), L(s, TENCENT, "secret")], "py")


@plant(TENCENT)
def _tc_go(c: Settings) -> Snippet:
    i, s = c.x.tencent_id(), c.x.tencent_key()
    text = ("\n\nfunc newCvmClient() (*cvm.Client, error) {\n"
            f"\tcredential := common.NewCredential(\"{i}\", \"{s}\")\n"
            f"\treturn cvm.NewClient(credential, \"{c.region(TENCENT)}\",\n"
            "\t\tprofile.NewClientProfile())\n}\n")
    return Snippet(text, [L(i, TENCENT, "id"), L(s, TENCENT, "secret")], "go")


@plant(TENCENT)
def _tc_java(c: Settings) -> Snippet:
    i, s = c.x.tencent_id(), c.x.tencent_key()
    text = ("\n    public CvmClient cvmClient() {\n"
            f"        Credential cred = new Credential(\"{i}\", \"{s}\");\n"
            f"        return new CvmClient(cred, \"{c.region(TENCENT)}\");\n    }}\n")
    return Snippet(text, [L(i, TENCENT, "id"), L(s, TENCENT, "secret")], "java")


@plant(TENCENT)
def _tc_env(c: Settings) -> Snippet:
    i, s = c.x.tencent_id(), c.x.tencent_key()
    lines = [f"TENCENTCLOUD_SECRET_ID={i}", f"TENCENTCLOUD_SECRET_KEY={s}",
             f"TENCENTCLOUD_REGION={c.region(TENCENT)}"]
    return Snippet(c.env_file(lines), [L(i, TENCENT, "id"), L(s, TENCENT, "secret")],
                   name="{svc}/.env")


@plant(TENCENT)
def _tc_ini(c: Settings) -> Snippet:
    i, s = c.x.tencent_id(), c.x.tencent_key()
    text = f"[default]\nsecret_id = {i}\nsecret_key = {s}\n"
    return Snippet(text, [L(i, TENCENT, "id"), L(s, TENCENT, "secret")],
                   name="home/{user}/.tencentcloud/credentials")


@plant(TENCENT)
def _tc_cos(c: Settings) -> Snippet:
    i, s = c.x.tencent_id(), c.x.tencent_key()
    text = (f"\n\nconfig = CosConfig(Region='{c.region(TENCENT)}', SecretId='{i}', "
            f"SecretKey='{s}', Scheme='https')\nclient = CosS3Client(config)\n")
    return Snippet(text, [L(i, TENCENT, "id"), L(s, TENCENT, "secret")], "py")


@plant(TENCENT)
def _tc_terraform(c: Settings) -> Snippet:
    i, s = c.x.tencent_id(), c.x.tencent_key()
    block = (f'provider "tencentcloud" {{\n  secret_id  = "{i}"\n  secret_key = "{s}"\n'
             f'  region     = "{c.region(TENCENT)}"\n}}\n')
    return Snippet(c.tf_file(block), [L(i, TENCENT, "id"), L(s, TENCENT, "secret")],
                   name="infra/{env}/tencent.tf")


@plant(TENCENT)
def _tc_node(c: Settings) -> Snippet:
    i, s = c.x.tencent_id(), c.x.tencent_key()
    text = (f"\n\nconst client = new CvmClient({{\n  credential: {{\n    secretId: '{i}',\n"
            f"    secretKey: '{s}',\n  }},\n  region: '{c.region(TENCENT)}',\n}});\n")
    return Snippet(text, [L(i, TENCENT, "id"), L(s, TENCENT, "secret")], c.rng.choice(["js", "ts"]))


# ---- Huawei Cloud ----


@plant(HUAWEI)
def _hw_env(c: Settings) -> Snippet:
    a, s = c.x.huawei_ak(), c.x.huawei_sk()
    lines = [f"HUAWEICLOUD_SDK_AK={a}", f"HUAWEICLOUD_SDK_SK={s}",
             f"HUAWEICLOUD_SDK_PROJECT_ID={c.rng.randbytes(16).hex()}",
             f"HUAWEICLOUD_SDK_REGION={c.region(HUAWEI)}"]
    return Snippet(c.env_file(lines), [L(a, HUAWEI, "id"), L(s, HUAWEI, "secret")],
                   name="{svc}/.env")


@plant(HUAWEI)
def _hw_python(c: Settings) -> Snippet:
    a, s = c.x.huawei_ak(), c.x.huawei_sk()
    project = c.rng.randbytes(16).hex()
    text = (f"\n\ncredentials = BasicCredentials(\"{a}\", \"{s}\", \"{project}\")\n"
            "client = EcsClient.new_builder() \\\n    .with_credentials(credentials) \\\n"
            f"    .with_endpoint(\"https://ecs.{c.region(HUAWEI)}.myhuaweicloud.com\") \\\n"
            "    .build()\n")
    return Snippet(text, [L(a, HUAWEI, "id"), L(s, HUAWEI, "secret")], "py")


@plant(HUAWEI)
def _hw_obs(c: Settings) -> Snippet:
    a, s = c.x.huawei_ak(), c.x.huawei_sk()
    text = (f"\n\nobs_client = ObsClient(\n    access_key_id='{a}',\n    secret_access_key='{s}',\n"
            f"    server='https://obs.{c.region(HUAWEI)}.myhuaweicloud.com',\n)\n")
    return Snippet(text, [L(a, HUAWEI, "id"), L(s, HUAWEI, "secret")], "py")


@plant(HUAWEI)
def _hw_terraform(c: Settings) -> Snippet:
    a, s = c.x.huawei_ak(), c.x.huawei_sk()
    block = (f'provider "huaweicloud" {{\n  region     = "{c.region(HUAWEI)}"\n'
             f'  access_key = "{a}"\n  secret_key = "{s}"\n}}\n')
    return Snippet(c.tf_file(block), [L(a, HUAWEI, "id"), L(s, HUAWEI, "secret")],
                   name="infra/{env}/huaweicloud.tf")


@plant(HUAWEI)
def _hw_yaml(c: Settings) -> Snippet:
    a, s = c.x.huawei_ak(), c.x.huawei_sk()
    text = (f"\nhuawei:\n  obs:\n    endpoint: https://obs.{c.region(HUAWEI)}.myhuaweicloud.com\n"
            f"    ak: {a}\n    sk: {s}\n    bucket: {c.bucket()}\n")
    return Snippet(text, [L(a, HUAWEI, "id"), L(s, HUAWEI, "secret")], "yaml")


@plant(HUAWEI)
def _hw_java(c: Settings) -> Snippet:
    a, s = c.x.huawei_ak(), c.x.huawei_sk()
    text = ("\n    public EcsClient ecsClient() {\n"
            f"        ICredential auth = new BasicCredentials().withAk(\"{a}\").withSk(\"{s}\");\n"
            "        return EcsClient.newBuilder().withCredential(auth)\n"
            f"                .withEndpoint(\"https://ecs.{c.region(HUAWEI)}.myhuaweicloud.com\").build();\n"
            "    }\n")
    return Snippet(text, [L(a, HUAWEI, "id"), L(s, HUAWEI, "secret")], "java")


# ---- Baidu AI Cloud ----


@plant(BAIDU)
def _bd_python(c: Settings) -> Snippet:
    a, s = c.x.baidu_ak(), c.x.baidu_sk()
    text = ("\n\nconfig = BceClientConfiguration(\n"
            f"    credentials=BceCredentials(\"{a}\", \"{s}\"),\n"
            "    endpoint=\"bj.bcebos.com\",\n)\nbos = BosClient(config)\n")
    return Snippet(text, [L(a, BAIDU, "id"), L(s, BAIDU, "secret")], "py")


@plant(BAIDU)
def _bd_java(c: Settings) -> Snippet:
    a, s = c.x.baidu_ak(), c.x.baidu_sk()
    text = ("\n    public BosClient bosClient() {\n"
            "        BosClientConfiguration config = new BosClientConfiguration();\n"
            f"        config.setCredentials(new DefaultBceCredentials(\"{a}\", \"{s}\"));\n"
            "        config.setEndpoint(\"https://gz.bcebos.com\");\n"
            "        return new BosClient(config);\n    }\n")
    return Snippet(text, [L(a, BAIDU, "id"), L(s, BAIDU, "secret")], "java")


@plant(BAIDU)
def _bd_env(c: Settings) -> Snippet:
    a, s = c.x.baidu_ak(), c.x.baidu_sk()
    lines = [f"BCE_ACCESS_KEY_ID={a}", f"BCE_SECRET_ACCESS_KEY={s}", "BCE_ENDPOINT=bj.bcebos.com"]
    return Snippet(c.env_file(lines), [L(a, BAIDU, "id"), L(s, BAIDU, "secret")],
                   name="{svc}/.env")


@plant(BAIDU)
def _bd_yaml(c: Settings) -> Snippet:
    a, s = c.x.baidu_ak(), c.x.baidu_sk()
    text = (f"\nbaidubce:\n  bos:\n    endpoint: https://su.bcebos.com\n    access_key_id: {a}\n"
            f"    secret_access_key: {s}\n")
    return Snippet(text, [L(a, BAIDU, "id"), L(s, BAIDU, "secret")], "yaml")


# ---- Volcengine ----


@plant(VOLC)
def _volc_env(c: Settings) -> Snippet:
    a, s = c.x.volc_ak(), c.x.volc_sk()
    names = c.rng.choice([("VOLC_ACCESSKEY", "VOLC_SECRETKEY"),
                          ("VOLCENGINE_ACCESS_KEY", "VOLCENGINE_SECRET_KEY")])
    lines = [f"{names[0]}={a}", f"{names[1]}={s}", "VOLCENGINE_REGION=cn-beijing"]
    return Snippet(c.env_file(lines), [L(a, VOLC, "id"), L(s, VOLC, "secret")], name="{svc}/.env")


@plant(VOLC)
def _volc_config(c: Settings) -> Snippet:
    a, s = c.x.volc_ak(), c.x.volc_sk()
    return Snippet(json.dumps({"ak": a, "sk": s}) + "\n", [L(a, VOLC, "id"), L(s, VOLC, "secret")],
                   name="home/{user}/.volc/config")


@plant(VOLC)
def _volc_python(c: Settings) -> Snippet:
    a, s = c.x.volc_ak(), c.x.volc_sk()
    text = ("\n\nfrom volcengine.visual.VisualService import VisualService\n\n"
            "visual_service = VisualService()\n"
            f"visual_service.set_ak('{a}')\nvisual_service.set_sk('{s}')\n")
    return Snippet(text, [L(a, VOLC, "id"), L(s, VOLC, "secret")], "py")


@plant(VOLC)
def _volc_go(c: Settings) -> Snippet:
    a, s = c.x.volc_ak(), c.x.volc_sk()
    text = ("\n\nfunc newVolcSession() (*session.Session, error) {\n"
            "\tconfig := volcengine.NewConfig().\n"
            f"\t\tWithRegion(\"{c.region(VOLC)}\").\n"
            f"\t\tWithCredentials(credentials.NewStaticCredentials(\"{a}\", \"{s}\", \"\"))\n"
            "\treturn session.NewSession(config)\n}\n")
    return Snippet(text, [L(a, VOLC, "id"), L(s, VOLC, "secret")], "go")


@plant(VOLC)
def _volc_terraform(c: Settings) -> Snippet:
    a, s = c.x.volc_ak(), c.x.volc_sk()
    block = (f'provider "volcengine" {{\n  access_key = "{a}"\n  secret_key = "{s}"\n'
             f'  region     = "{c.region(VOLC)}"\n}}\n')
    return Snippet(c.tf_file(block), [L(a, VOLC, "id"), L(s, VOLC, "secret")],
                   name="infra/{env}/volcengine.tf")


# ---- Kingsoft Cloud ----


@plant(KSYUN)
def _ks_env(c: Settings) -> Snippet:
    a, s = c.x.ksyun_ak(), c.x.ksyun_sk()
    lines = [f"KSYUN_ACCESS_KEY={a}", f"KSYUN_SECRET_KEY={s}", f"KSYUN_REGION={c.region(KSYUN)}"]
    return Snippet(c.env_file(lines), [L(a, KSYUN, "id"), L(s, KSYUN, "secret")], name="{svc}/.env")


@plant(KSYUN)
def _ks_python(c: Settings) -> Snippet:
    a, s = c.x.ksyun_ak(), c.x.ksyun_sk()
    text = ("\n\nsession = get_session()\n"
            f"client = session.create_client(\"kec\", \"{c.region(KSYUN)}\", use_ssl=True,\n"
            f"                               ks_access_key_id=\"{a}\",\n"
            f"                               ks_secret_access_key=\"{s}\")\n"
            "# endpoint: https://kec.api.ksyun.com\n")
    return Snippet(text, [L(a, KSYUN, "id"), L(s, KSYUN, "secret")], "py")


@plant(KSYUN)
def _ks_terraform(c: Settings) -> Snippet:
    a, s = c.x.ksyun_ak(), c.x.ksyun_sk()
    block = (f'provider "ksyun" {{\n  access_key = "{a}"\n  secret_key = "{s}"\n'
             f'  region     = "{c.region(KSYUN)}"\n}}\n')
    return Snippet(c.tf_file(block), [L(a, KSYUN, "id"), L(s, KSYUN, "secret")],
                   name="infra/{env}/ksyun.tf")


@plant(KSYUN)
def _ks_yaml(c: Settings) -> Snippet:
    a, s = c.x.ksyun_ak(), c.x.ksyun_sk()
    text = (f"\nksyun:\n  region: {c.region(KSYUN)}\n  access_key: {a}\n  secret_key: {s}\n"
            "  endpoint: https://ks3-cn-beijing.ksyuncs.com\n")
    return Snippet(text, [L(a, KSYUN, "id"), L(s, KSYUN, "secret")], "yaml")


# ---- Google Cloud ----


def _service_account(c: Settings) -> tuple[str, str] | None:
    rsa = c.x.rsa()
    if rsa is None:
        return None
    key = keys.pem("PRIVATE KEY", rsa.pkcs8())
    project = f"{c.word()}-{c.word()}-{c.rng.randint(100000, 999999)}"
    email = f"{c.word()}-{c.word()}@{project}.iam.gserviceaccount.com"
    doc = {"type": "service_account", "project_id": project,
           "private_key_id": c.rng.randbytes(20).hex(), "private_key": key,
           "client_email": email, "client_id": str(c.rng.randint(10**20, 10**21 - 1)),
           "auth_uri": "https://accounts.google.com/o/oauth2/auth",
           "token_uri": "https://oauth2.googleapis.com/token",
           "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
           "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
                                   + email.replace("@", "%40"),
           "universe_domain": "googleapis.com"}
    return json.dumps(doc, indent=2) + "\n", key


@plant(GCP)
def _gcp_sa_file(c: Settings) -> Snippet:
    sa = _service_account(c)
    if sa is None:
        return _gcp_api_key_js(c)
    return Snippet(sa[0], [L(sa[1], GCP, "private_key")],
                   name=c.rng.choice(["{svc}/credentials/service-account.json",
                                      "{svc}/{word}-{hex}.json", "keys/{word}-sa.json"]))


@plant(GCP)
def _gcp_sa_k8s(c: Settings) -> Snippet:
    sa = _service_account(c)
    if sa is None:
        return _gcp_api_key_py(c)
    text = c.k8s_secret("gcp-sa", {"key.json": sa[0]}, encode=True)
    return Snippet(text, [L(sa[1], GCP, "private_key")], name="deploy/k8s/{svc}/gcp-sa.yaml")


@plant(GCP)
def _gcp_api_key_js(c: Settings) -> Snippet:
    k = c.x.gcp_api_key()
    project = f"{c.word()}-{c.word()}-{c.rng.randint(1000, 9999)}"
    text = (f"\n\nconst firebaseConfig = {{\n  apiKey: \"{k}\",\n"
            f"  authDomain: \"{project}.firebaseapp.com\",\n"
            f"  projectId: \"{project}\",\n  storageBucket: \"{project}.appspot.com\",\n"
            f"  messagingSenderId: \"{c.rng.randint(10**11, 10**12)}\",\n}};\n")
    return Snippet(text, [L(k, GCP, "token")], c.rng.choice(["js", "ts", "bundle"]))


@plant(GCP)
def _gcp_api_key_xml(c: Settings) -> Snippet:
    k = c.x.gcp_api_key()
    text = ('<?xml version="1.0" encoding="utf-8"?>\n<resources>\n'
            f'    <string name="app_name">{c.word().title()}</string>\n'
            f'    <string name="google_api_key" translatable="false">{k}</string>\n'
            '    <string name="gcm_defaultSenderId" translatable="false">'
            f'{c.rng.randint(10**11, 10**12)}</string>\n'
            "</resources>\n")
    return Snippet(text, [L(k, GCP, "token")], name="android/app/src/main/res/values/strings.xml")


@plant(GCP)
def _gcp_api_key_py(c: Settings) -> Snippet:
    k = c.x.gcp_api_key()
    text = c.rng.choice([f"\n\nGOOGLE_API_KEY = \"{k}\"\n",
                         f"\n\ngenai.configure(api_key=\"{k}\")\n"
                         "model = genai.GenerativeModel(\"gemini-pro\")\n"])
    return Snippet(text, [L(k, GCP, "token")], "py")


@plant(GCP)
def _gcp_api_key_url(c: Settings) -> Snippet:
    k = c.x.gcp_api_key()
    text = (f'\n    <script async src="https://maps.googleapis.com/maps/api/js?key={k}'
            '&callback=initMap"></script>\n')
    return Snippet(text, [L(k, GCP, "token")], "html")


# ---- Azure ----


@plant(AZURE)
def _az_connection_string(c: Settings) -> Snippet:
    k = c.x.azure_storage_key()
    cs = (f"DefaultEndpointsProtocol=https;AccountName={c.x.azure_account()};AccountKey={k};"
          "EndpointSuffix=core.windows.net")
    doc = {"Logging": {"LogLevel": {"Default": "Information"}}, "AllowedHosts": "*",
           "ConnectionStrings": {"Storage": cs}}
    return Snippet(json.dumps(doc, indent=2) + "\n", [L(k, AZURE, "secret")],
                   name="{Svc}/appsettings.json")


@plant(AZURE)
def _az_env(c: Settings) -> Snippet:
    k = c.x.azure_storage_key()
    lines = [f"AZURE_STORAGE_ACCOUNT={c.x.azure_account()}", f"AZURE_STORAGE_KEY={k}"]
    return Snippet(c.env_file(lines), [L(k, AZURE, "secret")], name="{svc}/.env")


@plant(AZURE)
def _az_python_cs(c: Settings) -> Snippet:
    k = c.x.azure_storage_key()
    text = ("\n\nblob_service = BlobServiceClient.from_connection_string(\n"
            f"    \"DefaultEndpointsProtocol=https;AccountName={c.x.azure_account()};\"\n"
            f"    \"AccountKey={k};EndpointSuffix=core.windows.net\"\n)\n")
    return Snippet(text, [L(k, AZURE, "secret")], "py")


@plant(AZURE)
def _az_entra_env(c: Settings) -> Snippet:
    s = c.x.entra_secret()
    lines = [f"AZURE_TENANT_ID={c.x.uuid()}", f"AZURE_CLIENT_ID={c.x.uuid()}",
             f"AZURE_CLIENT_SECRET={s}"]
    return Snippet(c.env_file(lines), [L(s, AZURE, "secret")], name="{svc}/.env")


@plant(AZURE)
def _az_entra_python(c: Settings) -> Snippet:
    s = c.x.entra_secret()
    text = (f"\n\ncredential = ClientSecretCredential(\n    tenant_id=\"{c.x.uuid()}\",\n"
            f"    client_id=\"{c.x.uuid()}\",\n    client_secret=\"{s}\",\n)\n")
    return Snippet(text, [L(s, AZURE, "secret")], "py")


@plant(AZURE)
def _az_terraform(c: Settings) -> Snippet:
    s = c.x.entra_secret()
    block = (f'provider "azurerm" {{\n  features {{}}\n  subscription_id = "{c.x.uuid()}"\n'
             f'  client_id       = "{c.x.uuid()}"\n  client_secret   = "{s}"\n'
             f'  tenant_id       = "{c.x.uuid()}"\n}}\n')
    return Snippet(c.tf_file(block), [L(s, AZURE, "secret")], name="infra/{env}/azure.tf")


@plant(AZURE)
def _az_k8s(c: Settings) -> Snippet:
    k = c.x.azure_storage_key()
    cs = (f"DefaultEndpointsProtocol=https;AccountName={c.x.azure_account()};AccountKey={k};"
          "EndpointSuffix=core.windows.net")
    text = c.k8s_secret("azure-storage", {"AZURE_STORAGE_CONNECTION_STRING": cs})
    return Snippet(text, [L(k, AZURE, "secret")], name="deploy/k8s/{svc}/azure-secret.yaml")


@plant(AZURE)
def _az_js(c: Settings) -> Snippet:
    k = c.x.azure_storage_key()
    text = ("\n\nconst blobServiceClient = BlobServiceClient.fromConnectionString(\n"
            f"  'DefaultEndpointsProtocol=https;AccountName={c.x.azure_account()};AccountKey={k};"
            "EndpointSuffix=core.windows.net'\n);\n")
    return Snippet(text, [L(k, AZURE, "secret")], c.rng.choice(["js", "ts"]))


@plant(AZURE)
def _az_service_bus(c: Settings) -> Snippet:
    k = c.x.azure_sas_key()
    ns = f"{c.word()}-{c.rng.choice(['prod', 'events', 'bus'])}"
    cs = (f"Endpoint=sb://{ns}.servicebus.windows.net/;SharedAccessKeyName="
          f"{c.rng.choice(['RootManageSharedAccessKey', 'send', 'listen'])};SharedAccessKey={k}")
    if c.rng.random() < 0.5:
        return Snippet(c.env_file([f"SERVICEBUS_CONNECTION={cs}"]), [L(k, AZURE, "secret")],
                       name="{svc}/.env")
    doc = {"IsEncrypted": False, "Values": {"AzureWebJobsStorage": "UseDevelopmentStorage=true",
                                             "FUNCTIONS_WORKER_RUNTIME": "dotnet",
                                             "EventHubConnection": cs + f";EntityPath={c.word()}"}}
    return Snippet(json.dumps(doc, indent=2) + "\n", [L(k, AZURE, "secret")],
                   name="{Svc}/local.settings.json")


@plant(AZURE)
def _az_devops_pat(c: Settings) -> Snippet:
    t = c.x.azure_devops_pat()
    if c.rng.random() < 0.5:
        text = (f"\ngit clone https://build:{t}@dev.azure.com/{c.word()}/{c.word()}/_git/{c.svc()}\n")
        return Snippet(text, [L(t, AZURE, "token")], "sh")
    return env_snippet(c, "AZURE_DEVOPS_EXT_PAT", t, AZURE, "token")


@plant(GCP)
def _gcp_oauth_client(c: Settings) -> Snippet:
    sec = c.x.gcp_oauth_secret()
    project = f"{c.word()}-{c.word()}-{c.rng.randint(100000, 999999)}"
    num = c.rng.randint(10**11, 10**12)
    doc = {"installed": {
        "client_id": f"{num}-{c.x.token(LOWER_ALNUM, 32)}.apps.googleusercontent.com",
        "project_id": project, "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_secret": sec, "redirect_uris": ["http://localhost"]}}
    return Snippet(json.dumps(doc) + "\n", [L(sec, GCP, "secret")],
                   name="{svc}/client_secret_{hex}.apps.googleusercontent.com.json")


# ---- Model APIs ----


def _dashscope_key(c: Settings) -> str:
    return c.x.token(HEX, 32, "sk-", 3.5)


def _anthropic_key(c: Settings) -> str:
    return c.x.token(BASE62 + "-_", 93, "sk-ant-api03-", 4.5) + "AA"


@plant(DASHSCOPE)
def _dashscope_env(c: Settings) -> Snippet:
    k = _dashscope_key(c)
    return env_snippet(c, "DASHSCOPE_API_KEY", k, DASHSCOPE, "secret")


@plant(DASHSCOPE)
def _dashscope_openai_compatible(c: Settings) -> Snippet:
    k = _dashscope_key(c)
    text = ("\nfrom openai import OpenAI\n\n"
            f'client = OpenAI(\n    api_key="{k}",\n'
            '    base_url="https://dashscope.aliyuncs.com/compatible-mode/v1",\n)\n')
    return Snippet(text, [L(k, DASHSCOPE, "secret")], "py")


@plant(ANTHROPIC)
def _anthropic_env(c: Settings) -> Snippet:
    k = _anthropic_key(c)
    return env_snippet(c, "ANTHROPIC_API_KEY", k, ANTHROPIC, "token")


@plant(ANTHROPIC)
def _anthropic_client(c: Settings) -> Snippet:
    k = _anthropic_key(c)
    text = f'\nimport anthropic\n\nclient = anthropic.Anthropic(api_key="{k}")\n'
    return Snippet(text, [L(k, ANTHROPIC, "token")], "py")


# ---- Code hosts and package registries ----


def _mixed(value: str) -> bool:
    return any(ch.isupper() for ch in value) and any(ch.islower() for ch in value)


@plant(GITLAB)
def _gitlab_ci_env(c: Settings) -> Snippet:
    t = c.x.token(BASE62, 20, c.rng.choice(["glpat-", "gldt-", "glrt-"]), 3.5,
                  check=lambda v: _mixed(v[6:]))
    return env_snippet(c, "GITLAB_TOKEN", t, GITLAB, "token")


@plant(NPM)
def _npmrc(c: Settings) -> Snippet:
    body = c.x.token(BASE62, 30, "", 3.5)
    t = "npm_" + body + keys.crc32_base62(body)
    text = f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={t}\n"
    return Snippet(text, [L(t, NPM, "token")], name="{svc}/.npmrc")


@plant(PYPI)
def _pypirc(c: Settings) -> Snippet:
    t = c.x.token(BASE62 + "-_", 150, "pypi-AgEIcHlwaS5vcmc", 4.5)
    text = f"[pypi]\n  username = __token__\n  password = {t}\n"
    return Snippet(text, [L(t, PYPI, "token")], name="{svc}/.pypirc")


@plant(DOCKERHUB)
def _docker_login(c: Settings) -> Snippet:
    t = c.x.token(BASE62 + "-_", 27, "dckr_pat_", 4.0)
    text = (f"\necho \"{t}\" | docker login -u {c.word()} --password-stdin\n"
            f"docker push {c.word()}/{c.svc()}:latest\n")
    return Snippet(text, [L(t, DOCKERHUB, "token")], "sh")


@plant(RUBYGEMS)
def _gem_credentials(c: Settings) -> Snippet:
    t = c.x.token(HEX, 48, "rubygems_", 3.5)
    return Snippet(f"---\n:rubygems_api_key: {t}\n", [L(t, RUBYGEMS, "token")],
                   name="{svc}/.gem/credentials")


@plant(CRATESIO)
def _cargo_credentials(c: Settings) -> Snippet:
    t = c.x.token(BASE62, 32, "cio", 4.0,
                  check=lambda v: _mixed(v) and any(ch.isdigit() for ch in v))
    return Snippet(f'[registry]\ntoken = "{t}"\n', [L(t, CRATESIO, "token")],
                   name="{svc}/.cargo/credentials.toml")


# ---- GitHub ----


def _gh_classic(c: Settings) -> str:
    return c.x.github(c.rng.choice(["ghp_", "ghp_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"]))


@plant(GITHUB)
def _gh_env(c: Settings) -> Snippet:
    t = _gh_classic(c)
    var = c.rng.choice(["GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PERSONAL_ACCESS_TOKEN"])
    return env_snippet(c, var, t, GITHUB, "token")


@plant(GITHUB)
def _gh_remote(c: Settings) -> Snippet:
    t = _gh_classic(c)
    text = (f"\ngit clone https://{t}@github.com/{c.word()}-{c.word()}/{c.svc()}.git /src\n"
            "cd /src && make release\n")
    return Snippet(text, [L(t, GITHUB, "token")], "sh")


@plant(GITHUB)
def _gh_python(c: Settings) -> Snippet:
    t = _gh_classic(c)
    text = c.rng.choice([
        f"\n\ngh = Github(\"{t}\")\nrepo = gh.get_repo(\"{c.word()}/{c.svc()}\")\n",
        f"\n\nHEADERS = {{\"Authorization\": \"token {t}\",\n"
        "           \"Accept\": \"application/vnd.github+json\"}\n"])
    return Snippet(text, [L(t, GITHUB, "token")], "py")


@plant(GITHUB)
def _gh_octokit(c: Settings) -> Snippet:
    t = _gh_classic(c)
    text = f"\n\nconst octokit = new Octokit({{ auth: '{t}' }});\n"
    return Snippet(text, [L(t, GITHUB, "token")], c.rng.choice(["js", "ts", "bundle"]))


@plant(GITHUB)
def _gh_fine_grained(c: Settings) -> Snippet:
    t = c.x.github_fine()
    if c.rng.random() < 0.5:
        return Snippet(f"//npm.pkg.github.com/:_authToken={t}\n@{c.word()}:registry="
                       "https://npm.pkg.github.com\n", [L(t, GITHUB, "token")],
                       name="{svc}/.npmrc")
    return Snippet(f"\n  github:\n    token: {t}\n    org: {c.word()}\n", [L(t, GITHUB, "token")],
                   "yaml")


@plant(GITHUB)
def _gh_git_credentials(c: Settings) -> Snippet:
    t = _gh_classic(c)
    return Snippet(f"https://{c.word()}:{t}@github.com\n", [L(t, GITHUB, "token")],
                   name="home/{user}/.git-credentials")


# ---- private keys ----


@plant(PKEY)
def _pk_file(c: Settings) -> Snippet:
    key, kind = c.x.private_key_pem()
    if kind.startswith("openssh"):
        name = c.rng.choice(["home/{user}/.ssh/id_ed25519", "{svc}/deploy/deploy_key",
                             "ci/keys/{word}_id"])
    elif kind == "pgp":
        name = "{svc}/release/signing-key.asc"
    else:
        name = c.rng.choice(["{svc}/certs/server.key", "{svc}/tls/{word}.pem",
                             "home/{user}/.ssh/id_rsa", "{svc}/config/jwt-private.pem"])
    return Snippet(key, [L(key, PKEY, "private_key")], name=name)


@plant(PKEY)
def _pk_python(c: Settings) -> Snippet:
    key, _ = c.x.private_key_pem()
    text = f"\n\nSIGNING_KEY = \"\"\"{key}\"\"\"\n"
    return Snippet(text, [L(key, PKEY, "private_key")], "py")


@plant(PKEY)
def _pk_json(c: Settings) -> Snippet:
    key, _ = c.x.private_key_pem()
    text = c.json_config({"jwt": {"issuer": f"https://{c.rng.choice(c.vocab.hosts)}",
                                  "privateKey": key, "algorithm": "RS256"}})
    return Snippet(text, [L(key, PKEY, "private_key")], name="{svc}/config/{word}.json")


@plant(PKEY)
def _pk_yaml(c: Settings) -> Snippet:
    key, _ = c.x.private_key_pem()
    indented = "".join("    " + line + "\n" for line in key.strip("\n").split("\n"))
    text = f"\ntls:\n  enabled: true\n  key: |\n{indented}"
    return Snippet(text, [L(key, PKEY, "private_key")], "yaml")


@plant(PKEY)
def _pk_k8s_tls(c: Settings) -> Snippet:
    key, _ = c.x.private_key_pem()
    cert = keys.fake_certificate(keys.ec_key(c.rng).spki(), f"{c.word()}.example.org", c.rng)
    enc = base64.b64encode
    text = (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {c.word()}-tls\n"
            f"type: kubernetes.io/tls\ndata:\n  tls.crt: {enc(cert.encode()).decode()}\n"
            f"  tls.key: {enc(key.encode()).decode()}\n")
    return Snippet(text, [L(key, PKEY, "private_key")], name="deploy/k8s/{svc}/tls-secret.yaml")


@plant(PKEY)
def _pk_java(c: Settings) -> Snippet:
    key, _ = c.x.private_key_pem()
    lines = key.strip("\n").split("\n")
    body = " +\n".join(f"            \"{line}\\n\"" for line in lines)
    text = f"\n    private static final String PRIVATE_KEY =\n{body};\n"
    return Snippet(text, [L(key, PKEY, "private_key")], "java")


@plant(PKEY)
def _pk_go(c: Settings) -> Snippet:
    key, _ = c.x.private_key_pem()
    return Snippet(f"\n\nconst signingKey = `{key}`\n", [L(key, PKEY, "private_key")], "go")


@plant(PKEY)
def _pk_js(c: Settings) -> Snippet:
    key, _ = c.x.private_key_pem()
    escaped = key.replace("\n", "\\n")
    text = c.rng.choice([f"\n\nconst privateKey = `{key}`;\n",
                         f"\n\nexport const PRIVATE_KEY = \"{escaped}\";\n"])
    return Snippet(text, [L(key, PKEY, "private_key")], c.rng.choice(["js", "ts"]))


# ---- multi-cloud settings ----


@plant(ALIBABA)
def _multi_env(c: Settings) -> Snippet:
    """One .env for a service that talks to several clouds."""
    ai, as_ = c.alibaba_id(), c.x.alibaba_secret()
    wi, ws = c.x.aws_id(), c.x.aws_secret()
    ti, ts = c.x.tencent_id(), c.x.tencent_key()
    lines = [f"ALIBABA_CLOUD_ACCESS_KEY_ID={ai}", f"ALIBABA_CLOUD_ACCESS_KEY_SECRET={as_}", "",
             f"AWS_ACCESS_KEY_ID={wi}", f"AWS_SECRET_ACCESS_KEY={ws}", "",
             f"TENCENTCLOUD_SECRET_ID={ti}", f"TENCENTCLOUD_SECRET_KEY={ts}"]
    return Snippet(c.env_file(lines), [L(ai, ALIBABA, "id"), L(as_, ALIBABA, "secret"),
                                       L(wi, AWS, "id"), L(ws, AWS, "secret"),
                                       L(ti, TENCENT, "id"), L(ts, TENCENT, "secret")],
                   name="{svc}/.env.local")


@plant(ALIBABA)
def _ali_bundle(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    text = (f'var ossConfig={{region:"oss-{c.region(ALIBABA)}",accessKeyId:"{i}",'
            f'accessKeySecret:"{s}",bucket:"{c.bucket()}"}}')
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")], "bundle")


@plant(AWS)
def _aws_bundle(c: Settings) -> Snippet:
    i, s = c.x.aws_id(), c.x.aws_secret()
    text = (f'AWS.config.update({{accessKeyId:"{i}",secretAccessKey:"{s}",'
            f'region:"{c.region(AWS)}"}})')
    return Snippet(text, [L(i, AWS, "id"), L(s, AWS, "secret")], "bundle")


# ---- encodings and containers: archives, UTF-16, CRLF, base64 auth ----

_FIXED_TIME = (2024, 1, 2, 3, 4, 6)


def _zip(members: list[tuple[str, str]]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members:
            z.writestr(zipfile.ZipInfo(name, _FIXED_TIME), text)
    return buf.getvalue()


def _tar_gz(members: list[tuple[str, str]]) -> bytes:
    import gzip
    import io
    import tarfile

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as t:
        for name, text in members:
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1_704_164_646, 0o644
            t.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def _archive_members(c: Settings, inner: Snippet) -> list[tuple[str, str]]:
    members = [(f"{c.word()}/{c.ident()}.py", c.filler.header("py") + c.filler.block("py")),
               (f"{c.word()}/README.md", c.filler.header("md") + c.filler.block("md"))]
    members.insert(c.rng.randint(0, 2), (inner.member, inner.text))
    return members


@plant(AWS)
def _aws_release_zip(c: Settings) -> Snippet:
    """A build artefact that shipped the .env it was built with."""
    inner = _aws_env(c)
    inner.text = c.env_file([line.removeprefix("export ")
                             for line in inner.text.strip().split("\n")])
    inner.member = f"{c.svc()}/.env"
    return Snippet("", inner.labels, name="releases/{svc}-{hex}.zip",
                   binary=_zip(_archive_members(c, inner)), member=inner.member)


@plant(ALIBABA)
def _ali_backup_tgz(c: Settings) -> Snippet:
    """A home-directory backup with the CLI's credentials file in it."""
    inner = _ali_credentials_ini(c)
    inner.member = "home/deploy/.alibabacloud/credentials"
    return Snippet("", inner.labels, name="backups/{word}-home-{hex}.tar.gz",
                   binary=_tar_gz(_archive_members(c, inner)), member=inner.member)


@plant(AWS)
def _aws_powershell_utf16(c: Settings) -> Snippet:
    """Windows PowerShell 5 writes UTF-16LE with a BOM (Out-File, > redirection)."""
    i, s = c.x.aws_id(), c.x.aws_secret()
    text = (f"# {c.rng.choice(c.vocab.sentences)}\r\n$ErrorActionPreference = 'Stop'\r\n"
            f"$env:AWS_ACCESS_KEY_ID = '{i}'\r\n$env:AWS_SECRET_ACCESS_KEY = '{s}'\r\n"
            f"$env:AWS_DEFAULT_REGION = '{c.region(AWS)}'\r\n"
            f"aws s3 cp .\\dist s3://{c.bucket()}/ --recursive\r\n")
    return Snippet("", [L(i, AWS, "id"), L(s, AWS, "secret")],
                   name="scripts/windows/deploy-{word}.ps1",
                   binary=b"\xff\xfe" + text.encode("utf-16-le"))


@plant(TENCENT)
def _tc_batch_crlf(c: Settings) -> Snippet:
    i, s = c.x.tencent_id(), c.x.tencent_key()
    text = (f"@echo off\r\nrem {c.rng.choice(c.vocab.sentences)}\r\n"
            f"set TENCENTCLOUD_SECRET_ID={i}\r\nset TENCENTCLOUD_SECRET_KEY={s}\r\n"
            f"tccli cvm DescribeInstances --region {c.region(TENCENT)}\r\n")
    return Snippet(text, [L(i, TENCENT, "id"), L(s, TENCENT, "secret")],
                   name="scripts/windows/{word}.bat")


@plant(GITHUB)
def _gh_docker_config(c: Settings) -> Snippet:
    """docker login ghcr.io stores base64("user:token")."""
    t = _gh_classic(c)
    auth = base64.b64encode(f"{c.word()}:{t}".encode()).decode()
    doc = {"auths": {"ghcr.io": {"auth": auth}}, "credsStore": ""}
    return Snippet(json.dumps(doc, indent="\t") + "\n", [L(t, GITHUB, "token")],
                   name="home/{user}/.docker/config.json")


@plant(GITHUB)
def _gh_log_header(c: Settings) -> Snippet:
    t = _gh_classic(c)
    text = (f"2024-04-0{c.rng.randint(1, 9)}T12:00:00Z DEBUG [http] > GET https://api.github.com/repos/"
            f"{c.word()}/{c.svc()}/releases\n2024-04-01T12:00:00Z DEBUG [http] > Authorization: "
            f"token {t}\n2024-04-01T12:00:01Z DEBUG [http] < 200 OK "
            f"({c.rng.randint(50, 900)} ms)\n")
    return Snippet(text, [L(t, GITHUB, "token")], "log")


# -- decoys (nothing here may be reported) ------------------------------------------------------

AWS_DOC_ID, AWS_DOC_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AZURITE_KEY = ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
               "KBHBeksoGMGw==")


@decoy
def _d_aws_docs(c: Settings) -> Snippet:
    return Snippet("\n## Configure credentials\n\n```ini\n[default]\n"
                   f"aws_access_key_id = {AWS_DOC_ID}\naws_secret_access_key = {AWS_DOC_SECRET}\n"
                   "```\n\nOr set `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` in the "
                   "environment.\n", where="md")


@decoy
def _d_aws_sigv4_test(c: Settings) -> Snippet:
    return Snippet("\n\ndef test_sigv4_get_vanilla():\n"
                   "    creds = Credentials(\"AKIDEXAMPLE\",\n"
                   "                        \"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\")\n"
                   "    req = AWSRequest(\"GET\", \"https://example.amazonaws.com/\")\n"
                   "    SigV4Auth(creds, \"service\", \"us-east-1\").add_auth(req)\n"
                   "    assert req.headers[\"Authorization\"].endswith(\n"
                   "        \"5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\")\n"
                   "    other = (\"AKIAI44QH8DHBEXAMPLE\",\n"
                   "             \"je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\")\n",
                   where="py")


@decoy
def _d_tencent_docs(c: Settings) -> Snippet:
    return Snippet("\n```python\ncred = credential.Credential("
                   "\"AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE\", "
                   "\"Gu5t9xGARNpq86cd98joQYCN3EXAMPLE\")\n```\n\n"
                   "In the console the ID shows as `AKID**********************0123456789EXAMPLE`"
                   " and the key as `sk0123456789********************EXAMPLE`.\n"
                   "Replace `YOUR_SECRET_ID` and `YOUR_SECRET_KEY` with your own values.\n",
                   where="md")


@decoy
def _d_huawei_fixture(c: Settings) -> Snippet:
    return Snippet("\n\ndef test_signer_matches_docs():\n"
                   "    signer = Signer()\n    signer.Key = \"QTWAOYTTINDUT2QVKYUC\"\n"
                   "    signer.Secret = \"MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc\"\n"
                   "    # masked in the console: MFyfvK41ba2giqM7**********KGpownRZlmVmHc\n"
                   "    assert signer.sign(Request(\"GET\", \"https://obs.myhuaweicloud.com\"))\n",
                   where="py")


@decoy
def _d_volc_docs(c: Settings) -> Snippet:
    return Snippet("\n### Volcengine credentials\n\n```bash\n"
                   "export VOLC_ACCESSKEY=AKLTZjBjOTI0Zjc5MjExY2QyNjZiNzM1MDhiYTQxMGVjMmE\n"
                   "export VOLC_SECRETKEY="
                   "TVRabVpHWXhNVEV5WW1SaFpqZzNNVFUyWW1RM1ltUmxPR0ppT1RkbFpXSQ==\n"
                   "export KSYUN_ACCESS_KEY=AKLT****************\n```\n"
                   "Values shaped like `AKLTxxxxxxxxxxxxxxxxxxxx` are placeholders.\n", where="md")


@decoy
def _d_azurite(c: Settings) -> Snippet:
    doc = {"ConnectionStrings": {
        "Storage": "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
                   f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
        "Queue": "UseDevelopmentStorage=true"},
        "ApplicationInsights": {
            "ConnectionString": "InstrumentationKey=00000000-0000-0000-0000-000000000000"},
        "AzureAd": {"ClientId": "xxx", "ClientSecret": "<client-secret>"}}
    return Snippet(json.dumps(doc, indent=2) + "\n", name="{Svc}/appsettings.Development.json")


@decoy
def _d_github_docs(c: Settings) -> Snippet:
    return Snippet("\n## Authentication\n\nCreate a token (it looks like "
                   "`ghp_abcdefghijklmnopqrstuvwxyzABCD012345`) and export it:\n\n```bash\n"
                   "export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
                   "export GH_TOKEN=ghp_your_token_here\n```\n\nThe checksum example "
                   "`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` passes CRC32 but is sequential.\n"
                   "In CI use `${{ secrets.GITHUB_TOKEN }}`.\n", where="md")


@decoy
def _d_alibaba_masked(c: Settings) -> Snippet:
    return Snippet("\n## Response example\n\n```json\n{\n  \"Credentials\": {\n"
                   "    \"AccessKeyId\": \"STS.NUgYrLnoC37mZZCNnAbez****\",\n"
                   "    \"AccessKeySecret\": \"CVwjCkNzTMupZ8NbTCxCBRq3K16jtcWFTJAyBEv2****\",\n"
                   "    \"SecurityToken\": \"CAIShwJ1q6Ft5B2yfSjIr5bSEsj4g7BihPWGWHz****\",\n"
                   "    \"Expiration\": \"2015-04-09T11:52:19Z\"\n  }\n}\n```\n\n"
                   "Your AccessKey ID is shown as `LTAI****************` (or `LTAIp4******fjx`) "
                   "in the RAM console; the resource ARN looks like "
                   "`acs:ram::196813200012****:user/admin`.\n", where="md")


@decoy
def _d_alibaba_placeholders(c: Settings) -> Snippet:
    texts = [
        "\naliyun:\n  access_key_id: LTAIxxxxxxxxxxxxxxxxxxxx\n"
        "  access_key_secret: <your-access-key-secret>\n",
        "\nalicloud:\n  access_key_id: LTAI5tXXXXXXXXXXXXXXXXXX\n"
        "  access_key_secret: ${ALIBABA_CLOUD_ACCESS_KEY_SECRET}\n",
        "\noss:\n  accessKeyId: YourAccessKeyId\n  accessKeySecret: YourAccessKeySecret\n",
        "\naliyun:\n  access_key_id: \"{{ .Values.aliyun.accessKeyId }}\"\n"
        "  access_key_secret: \"{{ .Values.secret }}\"\n",
    ]
    return Snippet(c.rng.choice(texts), where="yaml")


@decoy
def _d_env_reads(c: Settings) -> Snippet:
    return Snippet("\n\nclient = AcsClient(\n    os.environ[\"ALIBABA_CLOUD_ACCESS_KEY_ID\"],\n"
                   "    os.environ[\"ALIBABA_CLOUD_ACCESS_KEY_SECRET\"],\n    \"cn-hangzhou\",\n)\n"
                   "s3 = boto3.client(\"s3\", aws_access_key_id=os.getenv(\"AWS_ACCESS_KEY_ID\"),\n"
                   "                  aws_secret_access_key=os.getenv(\"AWS_SECRET_ACCESS_KEY\"))\n"
                   "cred = credential.Credential(os.getenv(\"TENCENTCLOUD_SECRET_ID\"), "
                   "os.getenv(\"TENCENTCLOUD_SECRET_KEY\"))\n", where="py")


@decoy
def _d_placeholder_env(c: Settings) -> Snippet:
    lines = ["ALIBABA_CLOUD_ACCESS_KEY_ID=<your-access-key-id>",
             "ALIBABA_CLOUD_ACCESS_KEY_SECRET=<your-access-key-secret>",
             "AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX",
             "AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}",
             "TENCENTCLOUD_SECRET_ID=YOUR_SECRET_ID", "TENCENTCLOUD_SECRET_KEY=YOUR_SECRET_KEY",
             "HUAWEICLOUD_SDK_AK=your-ak", "HUAWEICLOUD_SDK_SK=your-sk",
             "BCE_ACCESS_KEY_ID=ALTAKxxxxxxxxxxxxxxx",
             "BCE_SECRET_ACCESS_KEY=b903d4xxxxxxxxxxxxxxxxxxxxxxxxxx",
             "GOOGLE_API_KEY=AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             "AZURE_CLIENT_SECRET=changeme", "GITHUB_TOKEN=",
             "AZURE_SERVICEBUS=Endpoint=sb://xxx.servicebus.windows.net/;SharedAccessKeyName=Id=xxx;"
             "SharedAccessKey=Secret=xxx"]
    return Snippet("# copy to .env and fill in\n" + "\n".join(lines) + "\n",
                   name="{svc}/.env.example")


@decoy
def _d_node_env(c: Settings) -> Snippet:
    return Snippet("\n\nconst client = new Core({\n"
                   "  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,\n"
                   "  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,\n"
                   "  endpoint: 'https://ecs.aliyuncs.com',\n});\n",
                   where=c.rng.choice(["js", "ts"]))


@decoy
def _d_helm_values(c: Settings) -> Snippet:
    return Snippet("\nsecrets:\n  aws:\n    accessKeyId: \"{{ .Values.aws.accessKeyId }}\"\n"
                   "    secretAccessKey: \"{{ .Values.secret }}\"\n  github:\n"
                   "    token: ${{ secrets.GH_PAT }}\n", where="yaml")


def _pad(c: Settings, lines: list[str], comment: str = "#") -> str:
    """Lines with neutral lines around them, so nothing else is within a rule's context."""
    pad = [f"{comment} {c.rng.choice(c.vocab.sentences)}" for _ in range(6)]
    return "\n" + "\n".join(pad + lines + pad[::-1]) + "\n"


@decoy
def _d_random_ids(c: Settings) -> Snippet:
    """Random base62 runs with the lengths of secrets, in neutral places."""
    names = ["request_id", "session_id", "nonce", "cursor", "trace_id", "idempotency_key"]
    lines = [f"{c.rng.choice(names)} = \"{c.x.token(BASE62, n)}\""
             for n in c.rng.sample([30, 32, 40, 44, 64], 3)]
    return Snippet(_pad(c, lines), where="py")


@decoy
def _d_random_ids_json(c: Settings) -> Snippet:
    rows = [{"id": c.x.token(BASE62, c.rng.choice([30, 32, 40])), "object": c.word(),
             "created": c.rng.randint(1_600_000_000, 1_700_000_000)} for _ in range(5)]
    return Snippet(json.dumps({"data": rows, "has_more": False}, indent=2) + "\n",
                   name="tests/fixtures/{word}_page.json")


@decoy
def _d_upper_constants(c: Settings) -> Snippet:
    """20-char upper-alnum constants (the shape of a Huawei AK) with no provider nearby."""
    lines = [f"LICENSE_KEY = \"{c.x.token(UPPER_ALNUM, 20)}\"",
             f"DEFAULT_PROFILE = \"{c.rng.choice(c.vocab.const).replace('_', '')[:20]}\"",
             f"BUILD_TAG = \"{c.x.token(UPPER_ALNUM, 20)}\""]
    return Snippet(_pad(c, lines), where="py")


@decoy
def _d_hashes(c: Settings) -> Snippet:
    lines = [f"{c.rng.randbytes(32).hex()}  dist/{c.word()}-{c.rng.randint(1, 9)}.tar.gz"
             for _ in range(6)]
    return Snippet("\n".join(lines) + "\n", name="{svc}/dist/SHA256SUMS")


@decoy
def _d_git_log(c: Settings) -> Snippet:
    lines = [f"commit {c.rng.randbytes(20).hex()}\nAuthor: {c.word().title()} "
             f"<{c.word()}@{c.rng.choice(c.vocab.hosts)}>\n\n    "
             f"{c.rng.choice(c.vocab.sentences)}\n" for _ in range(8)]
    return Snippet("\n".join(lines), name="{svc}/CHANGES.log")


@decoy
def _d_uuids(c: Settings) -> Snippet:
    lines = [f"{c.x.uuid()},{c.x.uuid().replace('-', '')},{c.word()},{c.rng.randint(0, 999)}"
             for _ in range(10)]
    return Snippet("id,external_id,name,count\n" + "\n".join(lines) + "\n",
                   name="data/{word}_export.csv")


@decoy
def _d_css(c: Settings) -> Snippet:
    def cls() -> str:
        return "css-" + c.x.token(LOWER_ALNUM, 7)

    def module_cls() -> str:
        return f"_{c.word()}_{c.x.token(BASE62 + '-', 5)}_{c.rng.randint(1, 99)}"

    text = "".join(f".{cls()}{{display:flex;color:#{c.rng.randbytes(3).hex()}}}\n"
                   f".{module_cls()} .{cls()}:hover{{opacity:.{c.rng.randint(1, 9)}}}\n"
                   for _ in range(5))
    font = base64.b64encode(b"wOF2\0\x01\0\0" + c.rng.randbytes(900)).decode()
    text += ("@font-face{font-family:Inter;src:url(data:font/woff2;base64," + font
             + ") format(\"woff2\")}\n")
    return Snippet(text, name="{svc}/static/css/main.{hex}.css")


@decoy
def _d_camel_identifiers(c: Settings) -> Snippet:
    """Long identifiers beside Alibaba context words: a credentials wrapper class."""
    text = ("\n    // Reads the Alibaba Cloud AccessKey from the environment (aliyun SDK chain)\n"
            "    private static final String ENV_SECRET = \"ALIBABA_CLOUD_ACCESS_KEY_SECRET\";\n\n"
            "    public String getAccessKeySecretFromProvider() {\n"
            "        return credentialsProviderChain.resolveAccessKeySecretValue(ENV_SECRET);\n"
            "    }\n\n"
            "    public String accessKeySecretFromEnvironmentOrDefault(String fallback) {\n"
            "        String v = System.getenv(ENV_SECRET);\n"
            "        return v == null ? fallback : v;\n    }\n")
    return Snippet(text, where="java")


@decoy
def _d_data_uri(c: Settings) -> Snippet:
    uri = c.filler.data_uri(c.rng.randint(400, 3000))
    return Snippet(f'\n    <img alt="logo" src="{uri}" />\n',
                   where="html")


def _jwt(c: Settings) -> str:
    def b64u(b: bytes) -> str:
        return base64.urlsafe_b64encode(b).decode().rstrip("=")
    header = b64u(b'{"alg":"HS256","typ":"JWT"}')
    payload = b64u(json.dumps({"sub": c.x.uuid(), "name": c.word().title(),
                               "iat": c.rng.randint(1_600_000_000, 1_700_000_000)}).encode())
    return f"{header}.{payload}.{b64u(c.rng.randbytes(32))}"


@decoy
def _d_jwt(c: Settings) -> Snippet:
    lines = [f"SAMPLE_JWT = \"{_jwt(c)}\"",
             f"headers = {{\"Authorization\": \"Bearer {_jwt(c)}\"}}"]
    return Snippet(_pad(c, lines), where="py")


@decoy
def _d_integrity(c: Settings) -> Snippet:
    deps = {}
    for _ in range(12):
        name = f"{c.word()}-{c.word()}"
        deps[f"node_modules/{name}"] = {
            "version": f"{c.rng.randint(0, 9)}.{c.rng.randint(0, 20)}.{c.rng.randint(0, 9)}",
            "resolved": f"https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz",
            "integrity": "sha512-" + base64.b64encode(c.rng.randbytes(64)).decode()}
    doc = {"name": c.svc(), "lockfileVersion": 3, "packages": deps}
    name = c.rng.choice(["{svc}/package-lock.json", "{svc}/vendor-manifest.json"])
    return Snippet(json.dumps(doc, indent=2) + "\n", name=name)


@decoy
def _d_aws_unique_ids(c: Settings) -> Snippet:
    def uid(prefix: str) -> str:
        return c.x.token(BASE32, 17, prefix)
    doc = {"Records": [{"eventVersion": "1.08", "userIdentity": {
        "type": "AssumedRole", "principalId": f"{uid('AROA')}:{c.word()}",
        "arn": f"arn:aws:sts::{c.rng.randint(10**11, 10**12)}:assumed-role/{c.word()}/{c.word()}",
        "sessionContext": {"sessionIssuer": {"principalId": uid("AROA")}}},
        "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
        "requestParameters": {"bucketName": c.bucket()},
        "responseElements": None} for _ in range(3)]
        + [{"userIdentity": {"type": "IAMUser", "principalId": uid("AIDA")},
            "eventName": "ListBuckets"}],
        "Policy": {"Statement": [{"Principal": {"AWS": uid("AIDA")}, "Effect": "Allow"}]}}
    return Snippet(json.dumps(doc, indent=2) + "\n", name="logs/cloudtrail/{word}-{hex}.json")


@decoy
def _d_public_keys(c: Settings) -> Snippet:
    ed = keys.ed25519_key(c.rng)
    ec = keys.ec_key(c.rng)
    kind = c.rng.randrange(3)
    if kind == 0:
        lines = [keys.ssh_public_line(keys.ed25519_key(c.rng), f"{c.word()}@{c.word()}")
                 for _ in range(3)]
        lines.append(keys.ssh_public_line(ec, f"{c.word()}@{c.word()}"))
        return Snippet("\n".join(lines) + "\n", name="home/{user}/.ssh/authorized_keys")
    if kind == 1:
        text = keys.pem("PUBLIC KEY", ed.spki()) + keys.pem("PUBLIC KEY", ec.spki())
        return Snippet(text, name="{svc}/certs/{word}.pub.pem")
    return Snippet(keys.fake_certificate(ec.spki(), f"{c.word()}.example.org", c.rng),
                   name="{svc}/certs/{word}.crt")


@decoy
def _d_cert_in_yaml(c: Settings) -> Snippet:
    cert = keys.fake_certificate(keys.ec_key(c.rng).spki(), f"{c.word()}.internal", c.rng)
    indented = "".join("    " + line + "\n" for line in cert.strip("\n").split("\n"))
    return Snippet(f"\nca:\n  bundle: |\n{indented}", where="yaml")


@decoy
def _d_truncated_pem(c: Settings) -> Snippet:
    return Snippet("\n## TLS\n\nPut the key in `certs/server.key`; it starts like this:\n\n```\n"
                   "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n...\n"
                   "-----END RSA PRIVATE KEY-----\n```\n\nor, for SSH:\n\n```\n"
                   "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                   "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ...\n"
                   "-----END OPENSSH PRIVATE KEY-----\n```\n", where="md")


@decoy
def _d_sa_template(c: Settings) -> Snippet:
    doc = {"type": "service_account", "project_id": "my-project",
           "private_key_id": "", "private_key": "-----BEGIN PRIVATE KEY-----\n<your key>\n"
                                                "-----END PRIVATE KEY-----\n",
           "client_email": "my-sa@my-project.iam.gserviceaccount.com", "client_id": "",
           "token_uri": "https://oauth2.googleapis.com/token"}
    return Snippet(json.dumps(doc, indent=2) + "\n", name="{svc}/service-account.template.json")


@decoy
def _d_hex_near_cloud(c: Settings) -> Snippet:
    """Object listings: ETags are hex digests, beside cloud host names and no keys."""
    host = c.rng.choice(["oss-cn-hangzhou.aliyuncs.com", "bj.bcebos.com",
                         "obs.cn-north-4.myhuaweicloud.com", "cos.ap-guangzhou.myqcloud.com"])
    rows = [{"Key": f"{c.word()}/{c.word()}.parquet", "ETag": c.rng.randbytes(16).hex().upper(),
             "Size": c.rng.randint(1000, 10**8), "LastModified": "2024-02-01T00:00:00Z"}
            for _ in range(6)]
    return Snippet(json.dumps({"Endpoint": host, "Bucket": c.bucket(), "Contents": rows},
                              indent=2) + "\n", name="tests/fixtures/{word}_listing.json")


@decoy
def _d_github_sha(c: Settings) -> Snippet:
    lines = [f"      - uses: actions/checkout@{c.rng.randbytes(20).hex()}  # v4",
             f"      - uses: actions/setup-node@{c.rng.randbytes(20).hex()}  # v4",
             "        with:", "          token: ${{ secrets.GITHUB_TOKEN }}"]
    return Snippet("\n".join(["  build:", "    runs-on: ubuntu-latest", "    steps:"] + lines)
                   + "\n", where="yaml")


# -- assembly ---------------------------------------------------------------------------------

# Filler categories: (weight by bytes, extension choices, directory patterns, size range KiB)
CATEGORIES: dict[str, tuple[float, list[str], list[str], tuple[int, int]]] = {
    "py": (16, [".py"], ["{svc}/src/{pkg}", "{svc}/tests", "scripts", "{svc}/{pkg}"], (2, 40)),
    "js": (10, [".js", ".jsx", ".mjs"], ["{svc}/src/{pkg}", "web/{svc}/src/components"], (2, 30)),
    "ts": (9, [".ts", ".tsx"], ["web/{svc}/src/{pkg}", "{svc}/src"], (2, 30)),
    "java": (8, [".java"], ["{svc}/src/main/java/com/{word}/{pkg}"], (3, 40)),
    "go": (7, [".go"], ["{svc}/internal/{pkg}", "{svc}/cmd/{word}", "{svc}/pkg/{pkg}"], (2, 30)),
    "yaml": (4, [".yaml", ".yml"], ["{svc}/config", "deploy/{svc}", "charts/{svc}"], (1, 12)),
    "md": (5, [".md"], ["docs/{word}", "{svc}", "{svc}/docs"], (1, 20)),
    "html": (3, [".html"], ["web/{svc}/templates", "{svc}/static"], (2, 30)),
    "css": (2, [".css", ".scss"], ["web/{svc}/styles", "{svc}/static/css"], (1, 20)),
    "properties": (1, [".properties"], ["{svc}/src/main/resources"], (1, 6)),
    "sh": (2, [".sh"], ["scripts", "{svc}/bin", "ci"], (1, 8)),
    "tf": (2, [".tf"], ["infra/{env}", "infra/modules/{word}"], (1, 10)),
    "log": (3, [".log"], ["logs/{svc}", "{svc}/logs"], (10, 400)),
    "json": (6, [".json"], ["{svc}/fixtures", "data", "{svc}/src/{pkg}/__fixtures__"], (2, 300)),
    "ipynb": (7, [".ipynb"], ["notebooks", "research/{word}"], (20, 400)),
    "bundle": (9, [".js"], ["web/{svc}/dist/assets", "{svc}/static/js"], (150, 1500)),
    "binary": (6, [".png", ".jpg", ".woff2", ".pyc", ""], ["web/{svc}/public/img", "{svc}/assets",
                                                           "{svc}/static/fonts"], (4, 300)),
}
# Minimum filler between two inserted snippets, so one's context never reaches the other.
GAP_LINES = 12
GAP_BUNDLE_BYTES = 4096


@dataclass
class _File:
    path: str
    cat: str
    size: int
    inserts: list[Snippet] = field(default_factory=list)


class _Paths:
    def __init__(self, rng: random.Random, vocab: Vocab) -> None:
        self.rng = rng
        self.vocab = vocab
        kinds = ["api", "service", "worker", "web", "gateway", "sync", "cli"]
        self.services = [f"{rng.choice(WORDS)}-{rng.choice(kinds)}" for _ in range(40)]
        self.users = [rng.choice(WORDS) + str(rng.randint(1, 99)) for _ in range(12)]
        self.used: set[str] = set()

    def fill(self, pattern: str) -> str:
        r = self.rng
        out = pattern
        while "{" in out:
            out = (out.replace("{svc}", r.choice(self.services), 1)
                   .replace("{Svc}", r.choice(self.services).title().replace("-", ""), 1)
                   .replace("{pkg}", r.choice(WORDS), 1)
                   .replace("{word}", r.choice(WORDS), 1)
                   .replace("{env}", r.choice(["prod", "staging", "dev", "shared"]), 1)
                   .replace("{user}", r.choice(self.users), 1)
                   .replace("{hex}", r.randbytes(4).hex(), 1))
        return out

    def unique(self, path: str) -> str:
        if path not in self.used:
            self.used.add(path)
            return path
        base, name = path.rsplit("/", 1) if "/" in path else ("", path)
        n = 2
        while True:
            # keep dotfiles and extension-less names recognisable: add a parent directory
            parent = f"{self.rng.choice(WORDS)}{n}"
            candidate = f"{base}/{parent}/{name}" if base else f"{parent}/{name}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
            n += 1

    def filler_path(self, cat: str) -> str:
        _, exts, dirs, _ = CATEGORIES[cat]
        ext = self.rng.choice(exts)
        d = self.fill(self.rng.choice(dirs))
        name = self.rng.choice(self.vocab.snake)
        if cat == "java" or cat in ("js", "ts") and self.rng.random() < 0.3:
            name = self.rng.choice(self.vocab.pascal)
        elif cat == "bundle":
            stem = self.rng.choice(["main", "vendor", "app", "chunk"])
            name = f"{stem}.{self.rng.randbytes(4).hex()}"
        elif cat == "binary" and not ext:
            name = self.rng.choice(["logo", "icon", "banner", "favicon"])
        return self.unique(f"{d}/{name}{ext}")


class _Writer:
    def __init__(self, root: Path, rng: random.Random, filler: Filler) -> None:
        self.root = root
        self.rng = rng
        self.filler = filler
        self.bytes = 0
        self.files = 0

    def write(self, rel: str, data: str | bytes) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = data.encode() if isinstance(data, str) else data
        path.write_bytes(raw)
        self.bytes += len(raw)
        self.files += 1

    def render(self, f: _File) -> str | bytes:
        rng, filler = self.rng, self.filler
        if f.cat == "binary":
            name = f.path.rsplit("/", 1)[-1]
            return filler.png(f.size) if name.endswith(".png") or "." not in name \
                else rng.randbytes(f.size)
        if f.cat == "json":
            return filler.json_document(f.size)
        if f.cat == "ipynb":
            return notebook(filler.notebook_cells(f.size))
        bundle = f.cat == "bundle"
        cat = "py" if f.cat == "py" else f.cat
        parts = [filler.header(cat)]
        inserts = list(f.inserts)
        rng.shuffle(inserts)
        # spread inserts over the file, with at least a gap's worth of filler between two
        budget = max((f.size - len(parts[0])) // (len(inserts) + 1), 1)
        sep = ";" if bundle else ""
        for snippet in inserts + [None]:
            grown = 0
            gap_ok = False
            while grown < budget or not gap_ok:
                block = filler.block(cat)
                parts.append(block)
                grown += len(block) + len(sep)
                gap_ok = (grown >= GAP_BUNDLE_BYTES) if bundle else (
                    sum(p.count("\n") for p in parts[-3:]) >= GAP_LINES or grown > 2000)
                if grown > budget and gap_ok:
                    break
            if snippet is not None:
                text = snippet.text.strip("\n") if bundle else snippet.text
                if cat == "yaml":
                    text = "\n" + text.strip("\n") + "\n"
                parts.append(text)
        parts.append(filler.footer(cat))
        return sep.join(parts) if bundle else "".join(parts)


def _schedule(rng: random.Random, pools: dict[str, list[Renderer]], target: int,
              count: Callable[[Snippet], int], make: Callable[[Renderer], Snippet]
              ) -> list[Snippet]:
    """Every renderer once (shuffled), then weighted random ones until ``target``."""
    everything = [fn for fns in pools.values() for fn in fns]
    order = everything[:]
    rng.shuffle(order)
    out: list[Snippet] = []
    total = 0
    for fn in order:
        s = make(fn)
        out.append(s)
        total += count(s)
    providers = [p for p in pools if pools[p]]
    weights = [PROVIDER_WEIGHTS.get(p, DEFAULT_WEIGHT) for p in providers]
    while total < target:
        p = rng.choices(providers, weights)[0]
        s = make(rng.choice(pools[p]))
        out.append(s)
        total += count(s)
    return out


def make_corpus(root: Path, size_mb: float, seed: int = 0,
                keys_per_mb: float = DEFAULT_KEYS_PER_MB,
                decoys_per_mb: float | None = None) -> list[Planted]:
    """Write a labelled corpus of about ``size_mb`` MiB into ``root`` (created; must be empty
    or absent) and ``labels.json`` beside it (``root.parent / "labels.json"``).

    ``keys_per_mb`` is the number of labels per MiB (every provider and setting is planted at
    least once whatever the size); ``decoys_per_mb`` defaults to two thirds of it. Returns
    the planted credentials, sorted by path and secret."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    rng = random.Random(seed)
    target_bytes = int(size_mb * MiB)
    vocab = Vocab(rng)
    filler = Filler(rng, vocab)
    values = Values(rng, rsa_budget=3 + int(size_mb * 0.15))
    settings = Settings(rng, values, filler, vocab)
    paths = _Paths(rng, vocab)
    writer = _Writer(root, rng, filler)

    label_target = max(1, round(keys_per_mb * size_mb))
    decoy_target = max(1, round((decoys_per_mb if decoys_per_mb is not None
                                 else DEFAULT_DECOYS_PER_MB * keys_per_mb / DEFAULT_KEYS_PER_MB)
                                * size_mb))
    plants = _schedule(rng, PLANTS, label_target, lambda s: len(s.labels), lambda fn: fn(settings))
    decoys = _schedule(rng, {"decoy": DECOYS}, decoy_target, lambda s: 1,
                       lambda fn: fn(settings))

    labels: set[Planted] = set()
    embedded: dict[str, list[Snippet]] = {}
    for s in plants + decoys:
        if s.where == "file":
            rel = paths.unique(paths.fill(s.name))
            writer.write(rel, s.binary if s.binary is not None else s.text)
            where = f"{rel}!{s.member}" if s.member else rel
            labels.update(Planted(where, v, p, k) for v, p, k in s.labels)
        else:
            embedded.setdefault(s.where, []).append(s)

    # filler files, by byte share of each category
    remaining = max(0, target_bytes - writer.bytes - sum(len(s.text) for v in embedded.values()
                                                           for s in v))
    cats = list(CATEGORIES)
    weights = [CATEGORIES[c][0] for c in cats]
    plan: list[_File] = []
    planned = 0
    while planned < remaining:
        cat = rng.choices(cats, weights)[0]
        lo, hi = CATEGORIES[cat][3]
        size = int(1024 * math.exp(rng.uniform(math.log(lo), math.log(hi))))
        plan.append(_File(paths.filler_path(cat), cat, size))
        planned += size
    by_cat: dict[str, list[_File]] = {}
    for f in plan:
        by_cat.setdefault(f.cat, []).append(f)
    for where, snippets in embedded.items():
        hosts = by_cat.setdefault(where, [])
        for s in snippets:
            # a file holds about one insert per 3 KiB; open a new small one when all are full
            open_files = [f for f in hosts if len(f.inserts) < max(1, f.size // 3072)]
            if not open_files:
                lo, hi = CATEGORIES[where][3]
                f = _File(paths.filler_path(where), where, 1024 * rng.randint(lo, max(lo, hi // 4)))
                hosts.append(f)
                plan.append(f)
                open_files = [f]
            rng.choice(open_files).inserts.append(s)
    for f in plan:
        writer.write(f.path, writer.render(f))
        labels.update(Planted(f.path, v, p, k) for s in f.inserts for v, p, k in s.labels)

    result = sorted(labels, key=lambda p: (p.path, p.secret))
    doc = {"seed": seed, "size_mb": size_mb, "keys_per_mb": keys_per_mb,
           "files": writer.files, "bytes": writer.bytes, "labels": [asdict(p) for p in result]}
    labels_path(root).write_text(json.dumps(doc, indent=1) + "\n")
    return result


def labels_path(root: Path) -> Path:
    """Where ``make_corpus`` writes the labels: ``labels.json`` beside the tree."""
    return Path(root).parent / LABELS_NAME


def summarize(labels: list[Planted]) -> str:
    counts = Counter((p.provider, p.kind) for p in labels)
    return "\n".join(f"  {p:<12} {k:<12} {n}" for (p, k), n in sorted(counts.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="directory for the tree (labels.json goes beside it)")
    ap.add_argument("--size-mb", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keys-per-mb", type=float, default=DEFAULT_KEYS_PER_MB)
    ap.add_argument("--force", action="store_true", help="replace an existing tree")
    args = ap.parse_args(argv)
    if args.force and args.out.exists():
        shutil.rmtree(args.out)
    t = time.perf_counter()
    labels = make_corpus(args.out, args.size_mb, args.seed, args.keys_per_mb)
    print(f"wrote {args.out} in {time.perf_counter() - t:.1f}s: {len(labels)} labels "
          f"-> {labels_path(args.out)}")
    print(summarize(labels))
    return 0


def _load_plant_modules() -> None:
    """Each ``benchmarks/plants/*.py`` registers its providers' renderers with ``@plant``;
    imported in name order so that a seed always gives the same corpus."""
    for path in sorted((Path(__file__).parent / "plants").glob("[!_]*.py")):
        importlib.import_module(f"benchmarks.plants.{path.stem}")


if __name__ == "__main__":
    # Run as ``benchmarks.corpus``, the module the plant modules register with.
    from benchmarks.corpus import main as corpus_main
    raise SystemExit(corpus_main())

_load_plant_modules()
