"""Corpus renderers for Oracle Cloud, IBM Cloud, DigitalOcean, Cloudflare, Linode / Akamai,
Hetzner, Vultr, Scaleway and OVHcloud credentials."""

from __future__ import annotations

import json

from benchmarks.corpus import (
    BASE62,
    BASE64,
    BASE64URL,
    HEX,
    LOWER_ALNUM,
    UPPER_ALNUM,
    L,
    Settings,
    Snippet,
    env_snippet,
    plant,
)

ORACLE = "oracle"

OCI_REGIONS = ["us-ashburn-1", "eu-frankfurt-1", "uk-london-1", "ap-tokyo-1", "sa-saopaulo-1"]
OCIR = ["iad", "fra", "lhr", "nrt", "gru"]
BASE32_LOWER = "abcdefghijklmnopqrstuvwxyz234567"
OCI_TOKEN_ALPHABET = BASE62 + "()#:;_.[]!+"


def _mixed(v: str) -> bool:
    return (any(ch.islower() for ch in v) and any(ch.isupper() for ch in v)
            and any(ch.isdigit() for ch in v))


def _letters_digits(v: str) -> bool:
    return any(ch.isdigit() for ch in v) and any(ch.isalpha() for ch in v)


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


# ---- IBM Cloud ----

IBM = "ibm-cloud"
IBM_REGIONS = ["us-south", "us-east", "eu-de", "eu-gb", "jp-tok", "au-syd"]


def _ibm_key(c: Settings) -> str:
    return c.x.token(BASE64URL, 44, min_entropy=4.2, check=_mixed)


@plant(IBM)
def _ibm_env(c: Settings) -> Snippet:
    k = _ibm_key(c)
    var = c.rng.choice(["IBMCLOUD_API_KEY", "IC_API_KEY", "IBM_CLOUD_API_KEY"])
    lines = [f"{var}={k}", f"IBMCLOUD_REGION={c.rng.choice(IBM_REGIONS)}"]
    return Snippet(c.env_file(lines), [L(k, IBM, "secret")], name="{svc}/.env")


@plant(IBM)
def _ibm_terraform(c: Settings) -> Snippet:
    k = _ibm_key(c)
    block = (f'provider "ibm" {{\n  ibmcloud_api_key = "{k}"\n'
             f'  region           = "{c.rng.choice(IBM_REGIONS)}"\n}}\n')
    return Snippet(c.tf_file(block), [L(k, IBM, "secret")], name="infra/{env}/ibm.tf")


@plant(IBM)
def _ibm_cos_credential(c: Settings) -> Snippet:
    k, a, s = _ibm_key(c), c.x.token(HEX, 32, min_entropy=3.4), c.x.token(HEX, 48, min_entropy=3.5)
    account = c.rng.randbytes(16).hex()
    doc = {"apikey": k,
           "cos_hmac_keys": {"access_key_id": a, "secret_access_key": s},
           "endpoints": "https://control.cloud-object-storage.cloud.ibm.com/v2/endpoints",
           "iam_apikey_description": "Auto-generated for key crn:v1:bluemix:public:"
                                     f"cloud-object-storage:global:a/{account}",
           "iam_apikey_name": f"{c.word()}-writer",
           "iam_role_crn": "crn:v1:bluemix:public:iam::::serviceRole:Writer",
           "resource_instance_id": f"crn:v1:bluemix:public:cloud-object-storage:global:a/{account}"}
    return Snippet(json.dumps(doc, indent=2) + "\n",
                   [L(k, IBM, "secret"), L(a, IBM, "id"), L(s, IBM, "secret")],
                   name="{svc}/config/cos-credentials.json")


# ---- DigitalOcean ----

DO = "digitalocean"
DO_REGIONS = ["nyc3", "sfo3", "ams3", "fra1", "sgp1", "syd1"]


def _do_token(c: Settings, prefix: str = "dop_v1_") -> str:
    return c.x.token(HEX, 64, prefix, 3.6)


def _do_spaces(c: Settings) -> tuple[str, str]:
    a = c.x.token(UPPER_ALNUM, 18, "DO", 3.4, check=lambda v: any(ch.isdigit() for ch in v))
    return a, c.x.token(BASE64, 43, min_entropy=4.2, check=_mixed)


@plant(DO)
def _do_env(c: Settings) -> Snippet:
    t = _do_token(c)
    return env_snippet(c, c.rng.choice(["DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN",
                                        "DO_TOKEN"]), t, DO, "token")


@plant(DO)
def _do_terraform(c: Settings) -> Snippet:
    t = _do_token(c)
    block = f'provider "digitalocean" {{\n  token = "{t}"\n}}\n'
    return Snippet(c.tf_file(block), [L(t, DO, "token")], name="infra/{env}/digitalocean.tf")


@plant(DO)
def _do_oauth_response(c: Settings) -> Snippet:
    t, r = _do_token(c, "doo_v1_"), _do_token(c, "dor_v1_")
    doc = {"access_token": t, "token_type": "bearer", "expires_in": 2592000,
           "refresh_token": r, "scope": "read write",
           "info": {"name": c.word(), "email": f"{c.word()}@{c.word()}.io"}}
    return Snippet(json.dumps(doc, indent=2) + "\n", [L(t, DO, "token"), L(r, DO, "token")],
                   name="{svc}/tests/fixtures/do-oauth-token.json")


@plant(DO)
def _do_spaces_env(c: Settings) -> Snippet:
    a, s = _do_spaces(c)
    region = c.rng.choice(DO_REGIONS)
    lines = [f"SPACES_KEY={a}", f"SPACES_SECRET={s}",
             f"SPACES_ENDPOINT=https://{region}.digitaloceanspaces.com",
             f"SPACES_BUCKET={c.bucket()}"]
    return Snippet(c.env_file(lines), [L(a, DO, "id"), L(s, DO, "secret")], name="{svc}/.env")


@plant(DO)
def _do_spaces_node(c: Settings) -> Snippet:
    a, s = _do_spaces(c)
    text = ("\n\nconst s3 = new S3Client({\n"
            f"  endpoint: 'https://{c.rng.choice(DO_REGIONS)}.digitaloceanspaces.com',\n"
            "  region: 'us-east-1',\n  credentials: {\n"
            f"    accessKeyId: '{a}',\n    secretAccessKey: '{s}',\n  }},\n}});\n")
    return Snippet(text, [L(a, DO, "id"), L(s, DO, "secret")], c.rng.choice(["js", "ts"]))


# ---- Cloudflare ----

CF = "cloudflare"


def _cf_token(c: Settings, prefix: str) -> str:
    return c.x.token(BASE62, 48, prefix, 4.2, check=_mixed)


def _cf_legacy_token(c: Settings) -> str:
    return c.x.token(BASE64URL, 40, min_entropy=4.2,
                     check=lambda v: _mixed(v) and not v.startswith(("cf", "gh", "gl")))


@plant(CF)
def _cf_env(c: Settings) -> Snippet:
    t = _cf_token(c, c.rng.choice(["cfut_", "cfut_", "cfat_"]))
    return env_snippet(c, c.rng.choice(["CLOUDFLARE_API_TOKEN", "CF_API_TOKEN"]), t, CF, "token")


@plant(CF)
def _cf_wrangler_ci(c: Settings) -> Snippet:
    t = _cf_legacy_token(c)
    account = c.rng.randbytes(16).hex()
    text = ("name: deploy-worker\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n"
            "    runs-on: ubuntu-latest\n    env:\n"
            f"      CLOUDFLARE_API_TOKEN: {t}\n      CLOUDFLARE_ACCOUNT_ID: {account}\n"
            "    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n"
            "      - run: npx wrangler deploy\n")
    return Snippet(text, [L(t, CF, "token")], name="{svc}/.github/workflows/deploy-worker.yml")


@plant(CF)
def _cf_terraform(c: Settings) -> Snippet:
    if c.rng.random() < 0.5:
        t = _cf_legacy_token(c)
        block = f'provider "cloudflare" {{\n  api_token = "{t}"\n}}\n'
    else:
        t = _cf_token(c, "cfk_")
        block = (f'provider "cloudflare" {{\n  api_key = "{t}"\n'
                 f'  email   = "{c.word()}@{c.word()}.io"\n}}\n')
    return Snippet(c.tf_file(block), [L(t, CF, "token")], name="infra/{env}/cloudflare.tf")


@plant(CF)
def _cf_global_key_curl(c: Settings) -> Snippet:
    k = c.x.token(HEX, 37, min_entropy=3.4)
    zone = c.rng.randbytes(16).hex()
    text = ("#!/usr/bin/env bash\nset -euo pipefail\n# purge the CDN cache after a release\n"
            f"curl -sX POST \"https://api.cloudflare.com/client/v4/zones/{zone}/purge_cache\" \\\n"
            f"  -H \"X-Auth-Email: {c.word()}@{c.word()}.io\" \\\n"
            f"  -H \"X-Auth-Key: {k}\" \\\n"
            "  -H \"Content-Type: application/json\" \\\n"
            "  --data '{\"purge_everything\":true}'\n")
    return Snippet(text, [L(k, CF, "secret")], name="{svc}/scripts/purge-cache.sh")


@plant(CF)
def _cf_origin_ca_secret(c: Settings) -> Snippet:
    k = "v1.0-" + c.x.token(HEX, 24, min_entropy=3.4) + "-" + c.x.token(HEX, 146, min_entropy=3.8)
    text = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: origin-ca-service-key\n"
            f"  namespace: {c.word()}\ntype: Opaque\nstringData:\n  key: {k}\n")
    return Snippet(text, [L(k, CF, "secret")], name="deploy/k8s/origin-ca-issuer-secret.yaml")


# ---- Linode / Akamai ----

LINODE = "linode"
AKAMAI = "akamai"
LINODE_REGIONS = ["us-east", "eu-central", "ap-south", "us-ord", "fr-par"]


def _linode_token(c: Settings) -> str:
    return c.x.token(HEX, 64, min_entropy=3.6)


@plant(LINODE)
def _linode_env(c: Settings) -> Snippet:
    t = _linode_token(c)
    return env_snippet(c, c.rng.choice(["LINODE_TOKEN", "LINODE_CLI_TOKEN", "LINODE_API_TOKEN"]),
                       t, LINODE, "token")


@plant(LINODE)
def _linode_cli_config(c: Settings) -> Snippet:
    t, user = _linode_token(c), f"{c.word()}-{c.word()}"
    text = (f"[DEFAULT]\ndefault-user = {user}\n\n[{user}]\ntoken = {t}\n"
            f"region = {c.rng.choice(LINODE_REGIONS)}\ntype = g6-standard-2\n"
            "image = linode/debian12\n")
    return Snippet(text, [L(t, LINODE, "token")], name="home/{user}/.config/linode-cli")


@plant(LINODE)
def _linode_terraform(c: Settings) -> Snippet:
    t = _linode_token(c)
    block = f'provider "linode" {{\n  token = "{t}"\n}}\n'
    return Snippet(c.tf_file(block), [L(t, LINODE, "token")], name="infra/{env}/linode.tf")


def _akab(c: Settings) -> str:
    return ("akab-" + c.x.token(LOWER_ALNUM, 16, min_entropy=3.0) + "-"
            + c.x.token(LOWER_ALNUM, 16, min_entropy=3.0))


def _akamai_secret(c: Settings) -> str:
    return c.x.token(BASE64, 43, min_entropy=4.2, check=_mixed) + "="


@plant(AKAMAI)
def _akamai_edgerc(c: Settings) -> Snippet:
    s, host, a, t = _akamai_secret(c), _akab(c), _akab(c), _akab(c)
    text = (f"[default]\nclient_secret = {s}\nhost = {host}.luna.akamaiapis.net\n"
            f"access_token = {a}\nclient_token = {t}\n")
    if c.rng.random() < 0.5:
        text += "max-body = 131072\n"
    return Snippet(text, [L(s, AKAMAI, "secret"), L(a, AKAMAI, "token"), L(t, AKAMAI, "id")],
                   name="home/{user}/.edgerc")


@plant(AKAMAI)
def _akamai_env(c: Settings) -> Snippet:
    s, host, a, t = _akamai_secret(c), _akab(c), _akab(c), _akab(c)
    lines = [f"AKAMAI_HOST={host}.luna.akamaiapis.net", f"AKAMAI_CLIENT_TOKEN={t}",
             f"AKAMAI_CLIENT_SECRET={s}", f"AKAMAI_ACCESS_TOKEN={a}"]
    return Snippet(c.env_file(lines),
                   [L(s, AKAMAI, "secret"), L(a, AKAMAI, "token"), L(t, AKAMAI, "id")],
                   name="{svc}/.env")


# ---- Hetzner Cloud ----

HETZNER = "hetzner"


def _hcloud_token(c: Settings) -> str:
    return c.x.token(BASE62, 64, min_entropy=4.6, check=_mixed)


@plant(HETZNER)
def _hcloud_env(c: Settings) -> Snippet:
    t = _hcloud_token(c)
    return env_snippet(c, "HCLOUD_TOKEN", t, HETZNER, "token")


@plant(HETZNER)
def _hcloud_terraform(c: Settings) -> Snippet:
    t = _hcloud_token(c)
    block = f'provider "hcloud" {{\n  token = "{t}"\n}}\n'
    return Snippet(c.tf_file(block), [L(t, HETZNER, "token")], name="infra/{env}/hcloud.tf")


@plant(HETZNER)
def _hcloud_ansible(c: Settings) -> Snippet:
    t = _hcloud_token(c)
    text = (f"- name: Provision {c.word()} servers\n  hosts: localhost\n  connection: local\n"
            "  module_defaults:\n    group/hetzner.hcloud.all:\n"
            f"      api_token: {t}\n  tasks:\n    - name: Create server\n"
            f"      hetzner.hcloud.server:\n        name: {c.word()}-1\n"
            "        server_type: cx22\n        image: debian-12\n        state: present\n")
    return Snippet(text, [L(t, HETZNER, "token")], name="{svc}/ansible/provision.yml")


# ---- Vultr ----

VULTR = "vultr"


def _vultr_key(c: Settings) -> str:
    return c.x.token(UPPER_ALNUM, 36, min_entropy=4.0, check=_letters_digits)


@plant(VULTR)
def _vultr_env(c: Settings) -> Snippet:
    return env_snippet(c, "VULTR_API_KEY", _vultr_key(c), VULTR, "token")


@plant(VULTR)
def _vultr_ci(c: Settings) -> Snippet:
    k = _vultr_key(c)
    text = ("name: provision\non: workflow_dispatch\njobs:\n  apply:\n"
            "    runs-on: ubuntu-latest\n    env:\n"
            f"      VULTR_API_KEY: {k}\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - uses: hashicorp/setup-terraform@v3\n      - run: terraform init\n"
            "      - run: terraform apply -auto-approve\n")
    return Snippet(text, [L(k, VULTR, "token")], name="{svc}/.github/workflows/provision.yml")


@plant(VULTR)
def _vultr_terraform(c: Settings) -> Snippet:
    k = _vultr_key(c)
    block = (f'provider "vultr" {{\n  api_key     = "{k}"\n  rate_limit  = 100\n'
             "  retry_limit = 3\n}\n")
    return Snippet(c.tf_file(block), [L(k, VULTR, "token")], name="infra/{env}/vultr.tf")


# ---- Scaleway ----

SCALEWAY = "scaleway"
SCW_REGIONS = ["fr-par", "nl-ams", "pl-waw"]


def _scw_pair(c: Settings) -> tuple[str, str]:
    return c.x.token(UPPER_ALNUM, 17, "SCW", 3.4, check=_letters_digits), c.x.uuid()


@plant(SCALEWAY)
def _scw_config(c: Settings) -> Snippet:
    a, s = _scw_pair(c)
    region = c.rng.choice(SCW_REGIONS)
    text = (f"access_key: {a}\nsecret_key: {s}\ndefault_organization_id: {c.x.uuid()}\n"
            f"default_project_id: {c.x.uuid()}\ndefault_region: {region}\n"
            f"default_zone: {region}-1\n")
    return Snippet(text, [L(a, SCALEWAY, "id"), L(s, SCALEWAY, "secret")],
                   name="home/{user}/.config/scw/config.yaml")


@plant(SCALEWAY)
def _scw_env(c: Settings) -> Snippet:
    a, s = _scw_pair(c)
    lines = [f"SCW_ACCESS_KEY={a}", f"SCW_SECRET_KEY={s}", f"SCW_DEFAULT_PROJECT_ID={c.x.uuid()}",
             f"SCW_DEFAULT_REGION={c.rng.choice(SCW_REGIONS)}"]
    return Snippet(c.env_file(lines), [L(a, SCALEWAY, "id"), L(s, SCALEWAY, "secret")],
                   name="{svc}/.env")


@plant(SCALEWAY)
def _scw_terraform(c: Settings) -> Snippet:
    a, s = _scw_pair(c)
    block = (f'provider "scaleway" {{\n  access_key = "{a}"\n  secret_key = "{s}"\n'
             f'  project_id = "{c.x.uuid()}"\n  region     = "{c.rng.choice(SCW_REGIONS)}"\n}}\n')
    return Snippet(c.tf_file(block), [L(a, SCALEWAY, "id"), L(s, SCALEWAY, "secret")],
                   name="infra/{env}/scaleway.tf")


@plant(SCALEWAY)
def _scw_node(c: Settings) -> Snippet:
    a, s = _scw_pair(c)
    text = ("\n\nimport { createClient } from '@scaleway/sdk'\n\nconst client = createClient({\n"
            f"  accessKey: '{a}',\n  secretKey: '{s}',\n"
            f"  defaultProjectId: '{c.x.uuid()}',\n  defaultRegion: 'fr-par',\n}})\n")
    return Snippet(text, [L(a, SCALEWAY, "id"), L(s, SCALEWAY, "secret")],
                   c.rng.choice(["js", "ts"]))


# ---- OVHcloud ----

OVH = "ovhcloud"
OVH_ENDPOINTS = ["ovh-eu", "ovh-eu", "ovh-ca", "ovh-us"]


def _ovh_triple(c: Settings) -> tuple[str, str, str]:
    def draw(n: int, e: float) -> str:
        return c.x.token(BASE62, n, min_entropy=e, check=_mixed)
    return draw(16, 3.4), draw(32, 4.2), draw(32, 4.2)


def _ovh_labels(ak: str, as_: str, ck: str) -> list[tuple[str, str, str]]:
    return [L(ak, OVH, "id"), L(as_, OVH, "secret"), L(ck, OVH, "token")]


@plant(OVH)
def _ovh_conf(c: Settings) -> Snippet:
    ak, as_, ck = _ovh_triple(c)
    ep = c.rng.choice(OVH_ENDPOINTS)
    text = (f"[default]\n; general configuration: default endpoint\nendpoint={ep}\n\n[{ep}]\n"
            f"application_key={ak}\napplication_secret={as_}\nconsumer_key={ck}\n")
    return Snippet(text, _ovh_labels(ak, as_, ck), name="{svc}/ovh.conf")


@plant(OVH)
def _ovh_python(c: Settings) -> Snippet:
    ak, as_, ck = _ovh_triple(c)
    text = ("\n\nimport ovh\n\nclient = ovh.Client(\n"
            f"    endpoint='{c.rng.choice(OVH_ENDPOINTS)}',\n"
            f"    application_key='{ak}',\n    application_secret='{as_}',\n"
            f"    consumer_key='{ck}',\n)\nprint(client.get('/me')['nichandle'])\n")
    return Snippet(text, _ovh_labels(ak, as_, ck), "py")


@plant(OVH)
def _ovh_terraform(c: Settings) -> Snippet:
    ak, as_, ck = _ovh_triple(c)
    block = (f'provider "ovh" {{\n  endpoint           = "{c.rng.choice(OVH_ENDPOINTS)}"\n'
             f'  application_key    = "{ak}"\n  application_secret = "{as_}"\n'
             f'  consumer_key       = "{ck}"\n}}\n')
    return Snippet(c.tf_file(block), _ovh_labels(ak, as_, ck), name="infra/{env}/ovh.tf")


@plant(OVH)
def _ovh_env(c: Settings) -> Snippet:
    ak, as_, ck = _ovh_triple(c)
    lines = [f"OVH_ENDPOINT={c.rng.choice(OVH_ENDPOINTS)}", f"OVH_APPLICATION_KEY={ak}",
             f"OVH_APPLICATION_SECRET={as_}", f"OVH_CONSUMER_KEY={ck}"]
    return Snippet(c.env_file(lines), _ovh_labels(ak, as_, ck), name="{svc}/.env")
