"""Corpus renderers for Oracle Cloud, IBM Cloud, DigitalOcean, Cloudflare, Linode / Akamai,
Hetzner, Vultr, Scaleway and OVHcloud credentials."""

from __future__ import annotations

from benchmarks.corpus import BASE62, BASE64, HEX, L, Settings, Snippet, plant

ORACLE = "oracle"

OCI_REGIONS = ["us-ashburn-1", "eu-frankfurt-1", "uk-london-1", "ap-tokyo-1", "sa-saopaulo-1"]
OCIR = ["iad", "fra", "lhr", "nrt", "gru"]
BASE32_LOWER = "abcdefghijklmnopqrstuvwxyz234567"
OCI_TOKEN_ALPHABET = BASE62 + "()#:;_.[]!+"


def _mixed(v: str) -> bool:
    return (any(ch.islower() for ch in v) and any(ch.isupper() for ch in v)
            and any(ch.isdigit() for ch in v))


# ---- Oracle Cloud ----


def _ocid(c: Settings, kind: str) -> str:
    # real unique parts start with a run of "a"s, which token() would redraw as a placeholder
    return f"ocid1.{kind}.oc1..aaaaaaaa" + c.x.token(BASE32_LOWER, 52, min_entropy=3.8)


def _fingerprint(c: Settings) -> str:
    return ":".join(c.rng.randbytes(16).hex()[i:i + 2] for i in range(0, 32, 2))


@plant(ORACLE)
def _oci_config(c: Settings) -> Snippet:
    user = _ocid(c, "user")
    text = (f"[DEFAULT]\nuser={user}\nfingerprint={_fingerprint(c)}\n"
            f"key_file=~/.oci/oci_api_key.pem\ntenancy={_ocid(c, 'tenancy')}\n"
            f"region={c.rng.choice(OCI_REGIONS)}\n")
    return Snippet(text, [L(user, ORACLE, "id")], name="home/{user}/.oci/config")


@plant(ORACLE)
def _oci_rclone(c: Settings) -> Snippet:
    a = c.x.token(HEX, 40, min_entropy=3.4)
    s = c.x.token(BASE64, 43, min_entropy=4.2, check=_mixed) + "="
    ns = c.x.token("abcdefghijklmnopqrstuvwxyz0123456789", 12)
    text = (f"[{c.word()}-oci]\ntype = s3\nprovider = Other\naccess_key_id = {a}\n"
            f"secret_access_key = {s}\nregion = {c.rng.choice(OCI_REGIONS)}\n"
            f"endpoint = https://{ns}.compat.objectstorage.{c.rng.choice(OCI_REGIONS)}"
            ".oraclecloud.com\nforce_path_style = true\n")
    return Snippet(text, [L(a, ORACLE, "id"), L(s, ORACLE, "secret")],
                   name="home/{user}/.config/rclone/rclone.conf")


@plant(ORACLE)
def _oci_ocir_login(c: Settings) -> Snippet:
    t = c.x.token(OCI_TOKEN_ALPHABET, 20, min_entropy=3.6, check=_mixed)
    ns = c.x.token("abcdefghijklmnopqrstuvwxyz0123456789", 12)
    text = ("name: publish\non:\n  push:\n    branches: [main]\njobs:\n  image:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - name: Log in to OCIR\n"
            f"        run: docker login {c.rng.choice(OCIR)}.ocir.io -u '{ns}/{c.word()}@"
            f"{c.word()}.io' -p '{t}'\n"
            f"      - run: docker push {c.rng.choice(OCIR)}.ocir.io/{ns}/{c.svc()}:latest\n")
    return Snippet(text, [L(t, ORACLE, "token")], name="{svc}/.github/workflows/publish.yml")
