"""Corpus renderers for the second group of cloud and platform providers: Yandex Cloud,
HashiCorp, Heroku, Fly.io, Backblaze B2, Exoscale, Civo and UpCloud."""

from __future__ import annotations

import base64
import json

from benchmarks.corpus import BASE62, HEX, L, Settings, Snippet, env_snippet, plant

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




# ---- HashiCorp ----

HASHICORP = "hashicorp"


def _tfc_token(c: Settings) -> str:
    return (c.x.token(BASE62, 14, min_entropy=3.2) + ".atlasv1."
            + c.x.token(BASE62, 67, min_entropy=4.5))


def _vault_token(c: Settings) -> str:
    r = c.rng.random()
    if r < 0.6:
        return c.x.token(B64URL, c.rng.randint(91, 100), "hvs.", 4.5, check=_mixed)
    if r < 0.75:
        return c.x.token(BASE62, 24, "hvs.", 3.8, check=_mixed)
    if r < 0.9:
        return c.x.token(B64URL, c.rng.randint(120, 180), "hvb.", 4.5, check=_mixed)
    return c.x.token(BASE62, 24, "s.", 3.8, check=_mixed)


@plant(HASHICORP)
def _tfc_credentials_json(c: Settings) -> Snippet:
    t = _tfc_token(c)
    doc = {"credentials": {"app.terraform.io": {"token": t}}}
    return Snippet(json.dumps(doc, indent=2) + "\n", [L(t, HASHICORP, "token")],
                   name="home/{user}/.terraform.d/credentials.tfrc.json")


@plant(HASHICORP)
def _tfc_terraformrc(c: Settings) -> Snippet:
    t = _tfc_token(c)
    if c.rng.random() < 0.5:
        return env_snippet(c, c.rng.choice(["TF_TOKEN_app_terraform_io", "TFE_TOKEN"]), t,
                           HASHICORP, "token")
    text = f'credentials "app.terraform.io" {{\n  token = "{t}"\n}}\n'
    return Snippet(text, [L(t, HASHICORP, "token")], name="home/{user}/.terraformrc")


@plant(HASHICORP)
def _vault_env(c: Settings) -> Snippet:
    t = _vault_token(c)
    lines = [f"VAULT_ADDR=https://vault.{c.word()}.internal:8200", f"VAULT_TOKEN={t}"]
    return Snippet(c.env_file(lines), [L(t, HASHICORP, "token")], name="{svc}/.env")


@plant(HASHICORP)
def _vault_ci(c: Settings) -> Snippet:
    t = _vault_token(c)
    text = ("\nrelease:\n  stage: deploy\n  variables:\n"
            f"    VAULT_ADDR: https://vault.{c.word()}.internal:8200\n    VAULT_TOKEN: {t}\n"
            "  script:\n    - vault kv get -field=password secret/ci/deploy\n")
    return Snippet(text, [L(t, HASHICORP, "token")], name="{svc}/.gitlab-ci.yml")


@plant(HASHICORP)
def _vault_hvac(c: Settings) -> Snippet:
    t = _vault_token(c)
    text = (f"\n\nclient = hvac.Client(url=\"https://vault.{c.word()}.internal:8200\",\n"
            f"                     token=\"{t}\")\n"
            f"secret = client.secrets.kv.v2.read_secret_version(path=\"{c.word()}\")\n")
    return Snippet(text, [L(t, HASHICORP, "token")], "py")


@plant(HASHICORP)
def _hcp_env(c: Settings) -> Snippet:
    s = c.x.token(B64URL, 64, min_entropy=4.5,
                  check=lambda v: _mixed(v) and any(ch.isdigit() for ch in v))
    lines = [f"HCP_CLIENT_ID={c.x.token(BASE62, 32, min_entropy=4.0)}", f"HCP_CLIENT_SECRET={s}"]
    return Snippet(c.env_file(lines), [L(s, HASHICORP, "secret")], name="{svc}/.env")


# ---- Heroku ----

HEROKU = "heroku"


def _heroku_key(c: Settings) -> str:
    r = c.rng.random()
    if r < 0.5:
        return c.x.token(B64URL, 58, "HRKU-AA", 4.5, check=lambda v: _mixed(v[7:]))
    if r < 0.7:
        return "HRKU-" + c.x.uuid()
    return c.x.uuid()


@plant(HEROKU)
def _heroku_netrc(c: Settings) -> Snippet:
    k = _heroku_key(c)
    user = f"{c.word()}@{c.word()}.dev"
    text = (f"machine api.heroku.com\n  login {user}\n  password {k}\n"
            f"machine git.heroku.com\n  login {user}\n  password {k}\n")
    return Snippet(text, [L(k, HEROKU, "token")], name="home/{user}/.netrc")


@plant(HEROKU)
def _heroku_env(c: Settings) -> Snippet:
    k = _heroku_key(c)
    return env_snippet(c, c.rng.choice(["HEROKU_API_KEY", "HEROKU_API_TOKEN"]), k, HEROKU,
                       "token")


@plant(HEROKU)
def _heroku_workflow(c: Settings) -> Snippet:
    k = _heroku_key(c)
    text = ("\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - uses: akhileshns/heroku-deploy@v3.13.15\n        with:\n"
            f"          heroku_api_key: \"{k}\"\n          heroku_app_name: {c.svc()}\n"
            f"          heroku_email: {c.word()}@{c.word()}.dev\n")
    return Snippet(text, [L(k, HEROKU, "token")], name="{svc}/.github/workflows/deploy.yml")


# ---- Fly.io ----

FLYIO = "flyio"


def _fly_macaroon(c: Settings) -> str:
    parts = [base64.b64encode(c.rng.randbytes(c.rng.randint(120, 260))).decode()
             for _ in range(c.rng.choice([1, 2, 2]))]
    return ",".join("fm2_" + p for p in parts)


@plant(FLYIO)
def _fly_workflow(c: Settings) -> Snippet:
    t = _fly_macaroon(c)
    text = ("\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n"
            "      - uses: superfly/flyctl-actions/setup-flyctl@master\n"
            "      - run: flyctl deploy --remote-only\n        env:\n"
            f"          FLY_API_TOKEN: \"FlyV1 {t}\"\n")
    return Snippet(text, [L(t, FLYIO, "token")], name="{svc}/.github/workflows/fly-deploy.yml")


@plant(FLYIO)
def _fly_env(c: Settings) -> Snippet:
    if c.rng.random() < 0.7:
        t = _fly_macaroon(c)
        return Snippet(c.env_file([f"FLY_API_TOKEN=\"FlyV1 {t}\""]), [L(t, FLYIO, "token")],
                       name="{svc}/.env")
    t = c.x.token(B64URL, 43, "fo1_", 4.2, check=_mixed)
    return env_snippet(c, c.rng.choice(["FLY_API_TOKEN", "FLY_ACCESS_TOKEN"]), t, FLYIO, "token")


@plant(FLYIO)
def _fly_machines_api(c: Settings) -> Snippet:
    t = _fly_macaroon(c)
    text = ("\n\nconst res = await fetch(`https://api.machines.dev/v1/apps/${app}/machines`, {\n"
            f"  headers: {{ Authorization: 'FlyV1 {t}' }},\n}});\n")
    return Snippet(text, [L(t, FLYIO, "token")], c.rng.choice(["js", "ts"]))


# ---- Backblaze B2 ----

BACKBLAZE = "backblaze"


def _b2_pair(c: Settings, master: bool = False) -> tuple[str, str]:
    account = c.x.token(HEX, 12, min_entropy=2.8)
    kid = account if master else (f"00{c.rng.choice('345')}{account}00000000"
                                  f"{c.rng.randint(0, 3)}{c.rng.randint(1, 9)}")
    key = c.x.token(BASE62, 27, "K00" + c.rng.choice("345"), 3.9,
                    check=lambda v: _mixed(v[4:]) and any(ch.isdigit() for ch in v[4:]))
    return kid, key


@plant(BACKBLAZE)
def _b2_env(c: Settings) -> Snippet:
    i, k = _b2_pair(c)
    lines = [f"B2_APPLICATION_KEY_ID={i}", f"B2_APPLICATION_KEY={k}", f"B2_BUCKET={c.bucket()}"]
    return Snippet(c.env_file(lines), [L(i, BACKBLAZE, "id"), L(k, BACKBLAZE, "secret")],
                   name="{svc}/.env")


@plant(BACKBLAZE)
def _b2_rclone(c: Settings) -> Snippet:
    i, k = _b2_pair(c, master=c.rng.random() < 0.3)
    text = (f"[{c.word()}]\ntype = drive\nscope = drive.readonly\n\n"
            f"[b2-{c.word()}]\ntype = b2\naccount = {i}\nkey = {k}\nhard_delete = true\n")
    return Snippet(text, [L(i, BACKBLAZE, "id"), L(k, BACKBLAZE, "secret")],
                   name="home/{user}/.config/rclone/rclone.conf")


@plant(BACKBLAZE)
def _b2_sdk(c: Settings) -> Snippet:
    i, k = _b2_pair(c)
    text = ("\n\nfrom b2sdk.v2 import B2Api, InMemoryAccountInfo\n\n"
            "b2_api = B2Api(InMemoryAccountInfo())\n"
            f"b2_api.authorize_account(\"production\", \"{i}\", \"{k}\")\n"
            f"bucket = b2_api.get_bucket_by_name(\"{c.bucket()}\")\n")
    return Snippet(text, [L(i, BACKBLAZE, "id"), L(k, BACKBLAZE, "secret")], "py")


# ---- Exoscale ----

EXOSCALE = "exoscale"


def _exo_pair(c: Settings) -> tuple[str, str]:
    return (c.x.token(HEX, 24, "EXO", 3.3),
            c.x.token(B64URL, 43, min_entropy=4.3,
                      check=lambda v: _mixed(v) and any(ch.isdigit() for ch in v)))


@plant(EXOSCALE)
def _exo_env(c: Settings) -> Snippet:
    k, s = _exo_pair(c)
    lines = [f"EXOSCALE_API_KEY={k}", f"EXOSCALE_API_SECRET={s}", "EXOSCALE_ZONE=ch-gva-2"]
    return Snippet(c.env_file(lines), [L(k, EXOSCALE, "id"), L(s, EXOSCALE, "secret")],
                   name="{svc}/.env")


@plant(EXOSCALE)
def _exo_cli_config(c: Settings) -> Snippet:
    k, s = _exo_pair(c)
    name = c.word()
    text = (f"defaultaccount = \"{name}\"\n\n[[accounts]]\n  account = \"{c.word()}\"\n"
            f"  defaultZone = \"{c.rng.choice(['ch-gva-2', 'de-fra-1', 'at-vie-1'])}\"\n"
            f"  key = \"{k}\"\n  name = \"{name}\"\n  secret = \"{s}\"\n")
    return Snippet(text, [L(k, EXOSCALE, "id"), L(s, EXOSCALE, "secret")],
                   name="home/{user}/.config/exoscale/exoscale.toml")


@plant(EXOSCALE)
def _exo_terraform(c: Settings) -> Snippet:
    k, s = _exo_pair(c)
    block = f'provider "exoscale" {{\n  key    = "{k}"\n  secret = "{s}"\n}}\n'
    return Snippet(c.tf_file(block), [L(k, EXOSCALE, "id"), L(s, EXOSCALE, "secret")],
                   name="infra/{env}/exoscale.tf")


# ---- Civo ----

CIVO = "civo"


def _civo_key(c: Settings) -> str:
    return c.x.token(BASE62, 50, min_entropy=4.5,
                     check=lambda v: _mixed(v) and any(ch.isdigit() for ch in v))


@plant(CIVO)
def _civo_config(c: Settings) -> Snippet:
    k = _civo_key(c)
    name = c.word()
    doc = {"apikeys": {name: k}, "meta": {"admin": False, "current_apikey": name,
                                          "default_region": c.rng.choice(["LON1", "NYC1", "FRA1"]),
                                          "latest_release_check": "2025-10-02T09:14:03Z",
                                          "url": "https://api.civo.com"}}
    return Snippet(json.dumps(doc) + "\n", [L(k, CIVO, "token")], name="home/{user}/.civo.json")


@plant(CIVO)
def _civo_env_or_tf(c: Settings) -> Snippet:
    k = _civo_key(c)
    if c.rng.random() < 0.5:
        return env_snippet(c, c.rng.choice(["CIVO_TOKEN", "CIVO_API_KEY"]), k, CIVO, "token")
    block = f'provider "civo" {{\n  token  = "{k}"\n  region = "LON1"\n}}\n'
    return Snippet(c.tf_file(block), [L(k, CIVO, "token")], name="infra/{env}/civo.tf")


@plant(CIVO)
def _civo_ci(c: Settings) -> Snippet:
    k = _civo_key(c)
    text = (f"\ncurl -sL https://civo.com/get | sh\ncivo apikey save ci {k}\ncivo apikey use ci\n"
            f"civo kubernetes config {c.svc()} --save --merge\n")
    return Snippet(text, [L(k, CIVO, "token")], "sh")


# ---- UpCloud ----

UPCLOUD = "upcloud"


def _upcloud_token(c: Settings) -> str:
    return c.x.token(BASE62, 40, "ucat_", 4.3,
                     check=lambda v: _mixed(v[5:]) and any(ch.isdigit() for ch in v[5:]))


@plant(UPCLOUD)
def _upcloud_env(c: Settings) -> Snippet:
    t = _upcloud_token(c)
    return env_snippet(c, "UPCLOUD_TOKEN", t, UPCLOUD, "token")


@plant(UPCLOUD)
def _upcloud_upctl(c: Settings) -> Snippet:
    t = _upcloud_token(c)
    return Snippet(f"token: {t}\noutput: human\nclient-timeout: 60s\n", [L(t, UPCLOUD, "token")],
                   name="home/{user}/.config/upctl.yaml")


@plant(UPCLOUD)
def _upcloud_password_ci(c: Settings) -> Snippet:
    p = c.x.token(BASE62 + "!#%&+", 16, min_entropy=3.5,
                  check=lambda v: any(ch.isdigit() for ch in v) and any(ch.isalpha() for ch in v))
    text = ("\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n"
            f"      UPCLOUD_USERNAME: {c.word()}-api\n      UPCLOUD_PASSWORD: \"{p}\"\n"
            "    steps:\n      - run: terraform apply -auto-approve\n")
    return Snippet(text, [L(p, UPCLOUD, "secret")], name="{svc}/.github/workflows/infra.yml")
