"""Infrastructure credentials: Kubernetes (kubeconfigs, service-account tokens, kubeadm
bootstrap tokens), database and broker connection URIs, private keys beyond PEM/OpenSSH, and
SaaS API keys, planted in the files they leak in."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import uuid

from benchmarks import _keys as keys
from benchmarks.corpus import (
    BASE62,
    BASE64URL,
    HEX,
    LOWER_ALNUM,
    PKEY,
    UPPER_ALNUM,
    L,
    Settings,
    Snippet,
    env_snippet,
    looks_like_placeholder,
    plant,
)

K8S = "kubernetes"


def _b64u(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _sa_jwt(c: Settings, ns: str, name: str) -> str:
    """A service-account token: legacy (Secret-based) or bound (TokenRequest) claims, RS256,
    with a random signature."""
    header = {"alg": "RS256", "kid": _b64u(c.rng.randbytes(32))}
    sa_uid = str(uuid.UUID(bytes=c.rng.randbytes(16), version=4))
    if c.rng.random() < 0.5:
        claims: dict[str, object] = {
            "iss": "kubernetes/serviceaccount",
            "kubernetes.io/serviceaccount/namespace": ns,
            "kubernetes.io/serviceaccount/secret.name": f"{name}-token-{c.x.token(LOWER_ALNUM, 5)}",
            "kubernetes.io/serviceaccount/service-account.name": name,
            "kubernetes.io/serviceaccount/service-account.uid": sa_uid,
            "sub": f"system:serviceaccount:{ns}:{name}"}
    else:
        iat = c.rng.randint(1_700_000_000, 1_780_000_000)
        claims = {"aud": ["https://kubernetes.default.svc.cluster.local"], "exp": iat + 31536000,
                  "iat": iat, "iss": "https://kubernetes.default.svc.cluster.local",
                  "kubernetes.io": {"namespace": ns,
                                    "serviceaccount": {"name": name, "uid": sa_uid}},
                  "nbf": iat, "sub": f"system:serviceaccount:{ns}:{name}"}
    return ".".join([_b64u(json.dumps(header, separators=(",", ":")).encode()),
                     _b64u(json.dumps(claims, separators=(",", ":")).encode()),
                     _b64u(c.rng.randbytes(256))])


def _bootstrap_token(c: Settings) -> str:
    return c.x.token(LOWER_ALNUM, 6) + "." + c.x.token(LOWER_ALNUM, 16, min_entropy=3.0)


def _fake_cert(c: Settings) -> str:
    """base64 of a PEM certificate-shaped block (not a key: nothing to report)."""
    body = base64.b64encode(b"\x30\x82\x01\x93" + c.rng.randbytes(300)).decode()
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(
        body[i:i + 64] for i in range(0, len(body), 64)) + "\n-----END CERTIFICATE-----\n"
    return base64.b64encode(pem.encode()).decode()


def _kubeconfig(c: Settings, user: str, user_lines: list[str]) -> str:
    cluster = c.rng.choice(["prod", "staging", c.word()]) + "-" + c.word()
    server = (f"https://{c.rng.randint(10, 172)}.{c.rng.randint(0, 255)}.0."
              f"{c.rng.randint(2, 250)}:6443")
    return ("apiVersion: v1\nclusters:\n- cluster:\n"
            f"    certificate-authority-data: {_fake_cert(c)}\n    server: {server}\n"
            f"  name: {cluster}\ncontexts:\n- context:\n    cluster: {cluster}\n"
            f"    user: {user}\n  name: {user}@{cluster}\n"
            f"current-context: {user}@{cluster}\nkind: Config\npreferences: {{}}\nusers:\n"
            f"- name: {user}\n  user:\n" + "".join(f"    {line}\n" for line in user_lines))


@plant(K8S)
def _k8s_kubeconfig_client_key(c: Settings) -> Snippet:
    """kubeadm's admin.conf: an embedded client certificate and its EC key; the private-keys
    rule finds the key through the base64 decoder."""
    pem = keys.pem("EC PRIVATE KEY", keys.ec_key(c.rng).sec1())
    lines = [f"client-certificate-data: {_fake_cert(c)}",
             f"client-key-data: {base64.b64encode(pem.encode()).decode()}"]
    return Snippet(_kubeconfig(c, "kubernetes-admin", lines), [L(pem, PKEY, "private_key")],
                   name=c.rng.choice(["{svc}/deploy/admin.conf", "home/{user}/.kube/config",
                                      "infra/{env}/kubeconfig.yaml"]))


@plant(K8S)
def _k8s_kubeconfig_token(c: Settings) -> Snippet:
    """A CI kubeconfig with a service-account JWT or a static bearer token."""
    user = c.rng.choice(["deployer", "ci", "release-bot", c.word()])
    if c.rng.random() < 0.6:
        t = _sa_jwt(c, c.rng.choice(["ci", "default", c.word()]), user)
    else:
        t = c.x.token(BASE64URL, 40, min_entropy=4.0)
    return Snippet(_kubeconfig(c, user, [f"token: {t}"]), [L(t, K8S, "token")],
                   name=c.rng.choice(["{svc}/.kube/config", "ci/kubeconfig-{env}",
                                      "infra/{env}/kubeconfig.yaml"]))


@plant(K8S)
def _k8s_sa_token_secret(c: Settings) -> Snippet:
    """A dumped kubernetes.io/service-account-token Secret (kubectl get secret -o yaml)."""
    ns, name = c.word(), c.rng.choice(["deployer", "argocd-manager", c.word()])
    t = _sa_jwt(c, ns, name)
    text = ("apiVersion: v1\ndata:\n"
            f"  ca.crt: {_fake_cert(c)}\n"
            f"  namespace: {base64.b64encode(ns.encode()).decode()}\n"
            f"  token: {base64.b64encode(t.encode()).decode()}\n"
            "kind: Secret\nmetadata:\n  annotations:\n"
            f"    kubernetes.io/service-account.name: {name}\n"
            f"  name: {name}-token\n  namespace: {ns}\n"
            "type: kubernetes.io/service-account-token\n")
    return Snippet(text, [L(t, K8S, "token")], name="deploy/k8s/{svc}/{word}-sa-token.yaml")


@plant(K8S)
def _k8s_sa_token_env(c: Settings) -> Snippet:
    t = _sa_jwt(c, c.word(), c.word())
    text = (f"\nexport K8S_SERVER=https://k8s.{c.word()}.internal:6443\n"
            f"export K8S_TOKEN={t}\n"
            "kubectl --server=$K8S_SERVER --token=$K8S_TOKEN rollout restart "
            f"deploy/{c.svc()}\n")
    return Snippet(text, [L(t, K8S, "token")], "sh")


@plant(K8S)
def _k8s_kubeadm_join(c: Settings) -> Snippet:
    t = _bootstrap_token(c)
    if c.rng.random() < 0.5:
        text = (f"\n# join a worker to the {c.word()} cluster\n"
                f"kubeadm join 10.{c.rng.randint(0, 255)}.0.{c.rng.randint(2, 250)}:6443 "
                f"--token {t} \\\n    --discovery-token-ca-cert-hash sha256:"
                f"{c.rng.randbytes(32).hex()}\n")
        return Snippet(text, [L(t, K8S, "token")], "sh")
    text = ("apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\nbootstrapTokens:\n"
            f"- token: \"{t}\"\n  ttl: \"24h0m0s\"\n  usages:\n  - signing\n"
            "  - authentication\nnodeRegistration:\n  criSocket: "
            "unix:///var/run/containerd/containerd.sock\n")
    return Snippet(text, [L(t, K8S, "token")], name="infra/kubeadm/{env}-init.yaml")


# ---- Database and broker connection URIs ----

DB = "database-uris"
_NAMES_A_PASSWORD = ("password", "passwd", "pwd", "secret")


def _db_password(c: Settings) -> str:
    """A generated password (base62, base64url or hex, as password generators and cloud
    consoles make them) or a human one (two words, digits and a symbol)."""
    r = c.rng.random()
    if r < 0.4:
        return c.x.token(BASE62, c.rng.randint(14, 32), min_entropy=3.5)
    if r < 0.6:
        return c.x.token(BASE64URL, c.rng.choice([20, 24, 32]), min_entropy=3.5)
    if r < 0.75:
        return c.x.token(HEX, 32, min_entropy=3.0)
    while True:
        value = (c.word().title() + c.word().title() + str(c.rng.randint(10, 9999))
                 + c.rng.choice(["!", ".", "-", "_", "%21", ""]))
        if not looks_like_placeholder(value) and not any(
                w in value.lower() for w in _NAMES_A_PASSWORD):
            return value


def _db_host(c: Settings, port: int) -> str:
    return c.rng.choice([
        f"{c.word()}-db.{c.x.token(LOWER_ALNUM, 12)}.eu-west-1.rds.amazonaws.com:{port}",
        f"10.{c.rng.randint(0, 255)}.{c.rng.randint(0, 255)}.{c.rng.randint(2, 250)}:{port}",
        f"{c.word()}-primary.{c.word()}.svc.cluster.local:{port}",
        f"db:{port}", f"localhost:{port}"])


def _db_uri(c: Settings, kind: str | None = None) -> tuple[str, str]:
    kind = kind or c.rng.choice(["postgres", "postgres", "mysql", "mongodb", "redis", "amqp"])
    user = c.rng.choice([c.word(), c.word() + "_app", "app", "svc_" + c.word()])
    pw = _db_password(c)
    if kind == "postgres":
        scheme = c.rng.choice(["postgres", "postgresql", "postgresql+psycopg2",
                               "postgresql+asyncpg"])
        uri = f"{scheme}://{user}:{pw}@{_db_host(c, 5432)}/{c.word()}"
    elif kind == "mysql":
        scheme = c.rng.choice(["mysql", "mysql+pymysql", "mariadb"])
        uri = f"{scheme}://{user}:{pw}@{_db_host(c, 3306)}/{c.word()}"
    elif kind == "mongodb":
        if c.rng.random() < 0.5:
            uri = (f"mongodb+srv://{user}:{pw}@cluster0.{c.x.token(LOWER_ALNUM, 5)}.mongodb.net/"
                   f"{c.word()}?retryWrites=true&w=majority")
        else:
            uri = f"mongodb://{user}:{pw}@{_db_host(c, 27017)}/{c.word()}?authSource=admin"
    elif kind == "redis":
        who = c.rng.choice(["", "", "default", user])
        uri = f"{c.rng.choice(['redis', 'rediss'])}://{who}:{pw}@{_db_host(c, 6379)}/0"
    else:
        uri = f"{c.rng.choice(['amqp', 'amqps'])}://{user}:{pw}@{_db_host(c, 5672)}/{c.word()}"
    return uri, pw


_URI_VARS = {"postgres": "DATABASE_URL", "mysql": "DATABASE_URL", "mongodb": "MONGODB_URI",
             "redis": "REDIS_URL", "amqp": "CELERY_BROKER_URL"}


@plant(DB)
def _db_env(c: Settings) -> Snippet:
    kind = c.rng.choice(list(_URI_VARS))
    uri, pw = _db_uri(c, kind)
    return Snippet(c.env_file([f"{_URI_VARS[kind]}={uri}"]), [L(pw, DB, "secret")],
                   name=c.rng.choice(["{svc}/.env", "{svc}/.env.production", "deploy/{svc}.env"]))


@plant(DB)
def _db_compose(c: Settings) -> Snippet:
    """docker-compose.yml: the app's environment holds the database and cache URIs."""
    db_uri, db_pw = _db_uri(c, c.rng.choice(["postgres", "mysql", "mongodb"]))
    cache_uri, cache_pw = _db_uri(c, c.rng.choice(["redis", "amqp"]))
    svc = c.svc()
    image = f"ghcr.io/{c.word()}/{svc}:{c.rng.randint(1, 9)}.{c.rng.randint(0, 20)}"
    text = ("services:\n"
            f"  {svc}:\n    image: {image}\n"
            "    ports:\n      - \"8080:8080\"\n    environment:\n"
            f"      DATABASE_URL: {db_uri}\n      CACHE_URL: \"{cache_uri}\"\n"
            "      LOG_LEVEL: info\n    depends_on:\n      - db\n"
            "  db:\n    image: postgres:16\n    volumes:\n"
            "      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata: {}\n")
    return Snippet(text, [L(db_pw, DB, "secret"), L(cache_pw, DB, "secret")],
                   name=c.rng.choice(["{svc}/docker-compose.yml", "{svc}/compose.yaml"]))


@plant(DB)
def _db_python(c: Settings) -> Snippet:
    uri, pw = _db_uri(c, c.rng.choice(["postgres", "mysql"]))
    text = c.rng.choice([
        f"\n\nengine = create_engine(\"{uri}\", pool_pre_ping=True)\n"
        "SessionLocal = sessionmaker(bind=engine)\n",
        f"\n\nSQLALCHEMY_DATABASE_URI = '{uri}'\nSQLALCHEMY_TRACK_MODIFICATIONS = False\n"])
    return Snippet(text, [L(pw, DB, "secret")], "py")


@plant(DB)
def _db_celery(c: Settings) -> Snippet:
    broker, b_pw = _db_uri(c, "amqp")
    backend, r_pw = _db_uri(c, "redis")
    text = (f"\n\napp = Celery(\"{c.word()}\")\napp.conf.broker_url = \"{broker}\"\n"
            f"app.conf.result_backend = \"{backend}\"\n")
    return Snippet(text, [L(b_pw, DB, "secret"), L(r_pw, DB, "secret")], "py")


@plant(DB)
def _db_node_mongo(c: Settings) -> Snippet:
    uri, pw = _db_uri(c, "mongodb")
    text = (f"\n\nconst client = new MongoClient('{uri}');\n"
            f"await client.connect();\nconst db = client.db('{c.word()}');\n")
    return Snippet(text, [L(pw, DB, "secret")], c.rng.choice(["js", "ts"]))


# ---- Private keys beyond PEM: PuTTY .ppk, JWK, age ----

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def bech32(hrp: str, data: bytes) -> str:
    """BIP 173 Bech32 (age uses it, not Bech32m), lower-case."""
    acc = bits = 0
    five: list[int] = []
    for byte in data:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= 5:
            bits -= 5
            five.append((acc >> bits) & 31)
    if bits:
        five.append((acc << (5 - bits)) & 31)
    expanded = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]
    pm = _bech32_polymod(expanded + five + [0] * 6) ^ 1
    checksum = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in five + checksum)


def _age_identity(c: Settings) -> tuple[str, str]:
    """(secret key, public recipient); the recipient is random, not derived (no X25519)."""
    return (bech32("age-secret-key-", c.rng.randbytes(32)).upper(),
            bech32("age", c.rng.randbytes(32)))


def _ssh_string(b: bytes | str) -> bytes:
    raw = b.encode() if isinstance(b, str) else b
    return struct.pack(">I", len(raw)) + raw


def _b64_lines(raw: bytes) -> list[str]:
    s = base64.b64encode(raw).decode()
    return [s[i:i + 64] for i in range(0, len(s), 64)]


def _ppk(c: Settings, encrypted: bool) -> str:
    """A PuTTY .ppk (format 2 or 3) for an Ed25519 key, with a real MAC when unencrypted."""
    version = c.rng.choice([2, 3, 3])
    key = keys.ed25519_key(c.rng)
    public = keys.ssh_public_blob(key)
    comment = c.rng.choice([f"eddsa-key-2024{c.rng.randint(1, 12):02d}{c.rng.randint(1, 28):02d}",
                            f"{c.word()}@{c.word()}"])
    enc = "aes256-cbc" if encrypted else "none"
    private = c.rng.randbytes(48) if encrypted else _ssh_string(key.seed)
    pub_lines, priv_lines = _b64_lines(public), _b64_lines(private)
    out = [f"PuTTY-User-Key-File-{version}: ssh-ed25519", f"Encryption: {enc}",
           f"Comment: {comment}", f"Public-Lines: {len(pub_lines)}", *pub_lines]
    if encrypted and version == 3:
        out += ["Key-Derivation: Argon2id", "Argon2-Memory: 8192",
                f"Argon2-Passes: {c.rng.randint(8, 30)}", "Argon2-Parallelism: 1",
                f"Argon2-Salt: {c.rng.randbytes(16).hex()}"]
    out += [f"Private-Lines: {len(priv_lines)}", *priv_lines]
    data = b"".join(_ssh_string(x) for x in ("ssh-ed25519", enc, comment, public, private))
    if encrypted:  # the MAC key comes from the passphrase: any 32 bytes will do here
        mac_key = c.rng.randbytes(32)
    else:
        mac_key = b"" if version == 3 else hashlib.sha1(b"putty-private-key-file-mac-key").digest()
    digest = hashlib.sha256 if version == 3 else hashlib.sha1
    out.append(f"Private-MAC: {hmac.new(mac_key, data, digest).hexdigest()}")
    return "\n".join(out)


@plant(PKEY)
def _ppk_file(c: Settings) -> Snippet:
    encrypted = c.rng.random() < 0.3
    block = _ppk(c, encrypted)
    return Snippet(block + "\n", [L(block, PKEY, "private_key")],
                   name=c.rng.choice(["home/{user}/.ssh/{word}.ppk", "{svc}/deploy/{word}-key.ppk",
                                      "keys/{word}.ppk"]))


def _jwk(c: Settings) -> dict[str, str]:
    if c.rng.random() < 0.5:
        return {"kty": "EC", "crv": "P-256", "x": _b64u(c.rng.randbytes(32)),
                "y": _b64u(c.rng.randbytes(32)), "d": _b64u(c.rng.randbytes(32)),
                "use": "sig", "kid": _b64u(c.rng.randbytes(12))}
    return {"crv": "Ed25519", "d": _b64u(c.rng.randbytes(32)), "kty": "OKP",
            "x": _b64u(c.rng.randbytes(32)), "kid": c.word() + "-" + str(c.rng.randint(1, 9))}


@plant(PKEY)
def _jwk_config(c: Settings) -> Snippet:
    """An OIDC / token-signing service's config with its private signing JWK."""
    jwk = _jwk(c)
    if c.rng.random() < 0.5:
        text = c.json_config({"issuer": f"https://auth.{c.word()}.internal",
                              "signingKeys": {"keys": [jwk]}})
    else:
        text = json.dumps({"keys": [jwk]}, indent=2) + "\n"
    start = text.index('"kty"')
    start = text.rindex("{", 0, start)
    end = text.index("}", start) + 1
    return Snippet(text, [L(text[start:end], PKEY, "private_key")],
                   name=c.rng.choice(["{svc}/config/jwks.json", "{svc}/signing-key.jwk.json",
                                      "{svc}/config/{env}.json"]))


@plant(PKEY)
def _age_keys_txt(c: Settings) -> Snippet:
    key, recipient = _age_identity(c)
    if c.rng.random() < 0.5:
        text = (f"# created: 2024-0{c.rng.randint(1, 9)}-1{c.rng.randint(0, 9)}T09:12:44Z\n"
                f"# public key: {recipient}\n{key}\n")
        return Snippet(text, [L(key, PKEY, "private_key")],
                       name=c.rng.choice(["home/{user}/.config/sops/age/keys.txt",
                                          "{svc}/age.key"]))
    text = ("\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n      - name: decrypt secrets\n"
            f"        env:\n          SOPS_AGE_KEY: {key}\n"
            "        run: sops -d secrets.enc.yaml > secrets.yaml\n")
    return Snippet(text, [L(key, PKEY, "private_key")], name="{svc}/.github/workflows/deploy.yml")


# ---- SaaS keys ----

SLACK = "slack"


def _slack_bot(c: Settings) -> str:
    return (f"xoxb-{c.rng.randint(10**10, 10**11)}-{c.rng.randint(10**12, 10**13)}-"
            + c.x.token(BASE62, 24, min_entropy=3.5))


def _slack_user(c: Settings) -> str:
    return (f"xoxp-{c.rng.randint(10**10, 10**11)}-{c.rng.randint(10**10, 10**11)}-"
            f"{c.rng.randint(10**12, 10**13)}-" + c.x.token(HEX, 32, min_entropy=3.5))


def _slack_webhook(c: Settings) -> str:
    return ("https://hooks.slack.com/services/" + c.x.token(UPPER_ALNUM, 10, "T")
            + "/" + c.x.token(UPPER_ALNUM, 10, "B") + "/" + c.x.token(BASE62, 24, min_entropy=3.5))


@plant(SLACK)
def _slack_env(c: Settings) -> Snippet:
    bot = _slack_bot(c)
    if c.rng.random() < 0.5:
        return env_snippet(c, "SLACK_BOT_TOKEN", bot, SLACK, "token")
    app = (f"xapp-1-{c.x.token(UPPER_ALNUM, 10, 'A')}-{c.rng.randint(10**12, 10**13)}-"
           + c.x.token(HEX, 64, min_entropy=3.5))
    return Snippet(c.env_file([f"SLACK_BOT_TOKEN={bot}", f"SLACK_APP_TOKEN={app}"]),
                   [L(bot, SLACK, "token"), L(app, SLACK, "token")], name="{svc}/.env")


@plant(SLACK)
def _slack_python(c: Settings) -> Snippet:
    t = c.rng.choice([_slack_bot, _slack_user])(c)
    text = ("\nfrom slack_sdk import WebClient\n\n"
            f"client = WebClient(token=\"{t}\")\n"
            f"client.chat_postMessage(channel=\"#{c.word()}\", text=\"deploy finished\")\n")
    return Snippet(text, [L(t, SLACK, "token")], "py")


@plant(SLACK)
def _slack_webhook_ci(c: Settings) -> Snippet:
    url = _slack_webhook(c)
    text = ("\nnotify:\n  stage: deploy\n  script:\n"
            "    - >\n      curl -X POST -H 'Content-type: application/json'\n"
            f"      --data '{{\"text\":\"{c.svc()} deployed\"}}' {url}\n")
    return Snippet(text, [L(url, SLACK, "secret")], name="{svc}/.gitlab-ci.yml")


STRIPE = "stripe"


def _stripe_key(c: Settings, prefix: str) -> str:
    n = c.rng.choice([24, 99, 99])
    body = ("51" + c.x.token(BASE62, 97, min_entropy=4.5)) if n == 99 else c.x.token(
        BASE62, 24, min_entropy=3.8)
    return prefix + body


@plant(STRIPE)
def _stripe_env(c: Settings) -> Snippet:
    live = c.rng.random() < 0.7
    sk = _stripe_key(c, "sk_live_" if live else "sk_test_")
    pk = _stripe_key(c, "pk_live_" if live else "pk_test_")
    text = c.env_file([f"STRIPE_PUBLISHABLE_KEY={pk}", f"STRIPE_SECRET_KEY={sk}",
                       f"STRIPE_WEBHOOK_SECRET=whsec_{c.x.token(BASE62, 32)}"])
    return Snippet(text, [L(sk, STRIPE, "token")], name="{svc}/.env")


@plant(STRIPE)
def _stripe_server(c: Settings) -> Snippet:
    k = _stripe_key(c, c.rng.choice(["sk_live_", "sk_live_", "rk_live_"]))
    if c.rng.random() < 0.5:
        text = (f"\nimport stripe\n\nstripe.api_key = \"{k}\"\n\n"
                "def refund(charge_id):\n    return stripe.Refund.create(charge=charge_id)\n")
        return Snippet(text, [L(k, STRIPE, "token")], "py")
    text = (f"\nconst stripe = require('stripe')('{k}');\n\n"
            "export async function createCustomer(email) {\n"
            "  return stripe.customers.create({ email });\n}\n")
    return Snippet(text, [L(k, STRIPE, "token")], c.rng.choice(["js", "ts"]))


TWILIO = "twilio"


def _twilio_sid(c: Settings, prefix: str) -> str:
    return c.x.token(HEX, 32, prefix, 3.0)


def _phone(c: Settings) -> str:
    return "+1555" + str(c.rng.randint(1000000, 9999999))


@plant(TWILIO)
def _twilio_env(c: Settings) -> Snippet:
    if c.rng.random() < 0.6:
        sid, tok = _twilio_sid(c, "AC"), c.x.token(HEX, 32, min_entropy=3.0,
                                                    check=lambda v: not v.isdigit())
        lines = [f"TWILIO_ACCOUNT_SID={sid}", f"TWILIO_AUTH_TOKEN={tok}",
                 f"TWILIO_FROM_NUMBER={_phone(c)}"]
    else:
        sid = _twilio_sid(c, "SK")
        tok = c.x.token(BASE62, 32, min_entropy=3.8,
                        check=lambda v: _mixed(v) and any(ch.isdigit() for ch in v))
        lines = [f"TWILIO_ACCOUNT_SID={_twilio_sid(c, 'AC')}", f"TWILIO_API_KEY={sid}",
                 f"TWILIO_API_SECRET={tok}"]
        text = c.env_file(lines)
        return Snippet(text, [L(lines[0].split("=")[1], TWILIO, "id"), L(sid, TWILIO, "id"),
                              L(tok, TWILIO, "secret")], name="{svc}/.env")
    return Snippet(c.env_file(lines), [L(sid, TWILIO, "id"), L(tok, TWILIO, "secret")],
                   name="{svc}/.env")


@plant(TWILIO)
def _twilio_client(c: Settings) -> Snippet:
    sid = _twilio_sid(c, "AC")
    tok = c.x.token(HEX, 32, min_entropy=3.0, check=lambda v: not v.isdigit())
    if c.rng.random() < 0.5:
        text = ("\nfrom twilio.rest import Client\n\n"
                f"client = Client(\"{sid}\", \"{tok}\")\n"
                f"client.messages.create(to=\"{_phone(c)}\", from_=\"{_phone(c)}\",\n"
                "                       body=\"Your verification code is ready\")\n")
        return Snippet(text, [L(sid, TWILIO, "id"), L(tok, TWILIO, "secret")], "py")
    text = (f"\nconst accountSid = '{sid}';\nconst authToken = '{tok}';\n"
            "const client = require('twilio')(accountSid, authToken);\n\n"
            f"await client.messages.create({{ to: '{_phone(c)}', from: '{_phone(c)}', "
            "body: 'Your order shipped' });\n")
    return Snippet(text, [L(sid, TWILIO, "id"), L(tok, TWILIO, "secret")],
                   c.rng.choice(["js", "ts"]))


def _mixed(value: str) -> bool:
    return any(ch.isupper() for ch in value) and any(ch.islower() for ch in value)


SENDGRID = "sendgrid"


def _sendgrid_key(c: Settings) -> str:
    return ("SG." + c.x.token(BASE64URL, 22, min_entropy=3.5) + "."
            + c.x.token(BASE64URL, 43, min_entropy=4.0))


@plant(SENDGRID)
def _sendgrid_env(c: Settings) -> Snippet:
    return env_snippet(c, "SENDGRID_API_KEY", _sendgrid_key(c), SENDGRID, "token")


@plant(SENDGRID)
def _sendgrid_client(c: Settings) -> Snippet:
    k = _sendgrid_key(c)
    if c.rng.random() < 0.5:
        text = ("\nconst sgMail = require('@sendgrid/mail');\n"
                f"sgMail.setApiKey('{k}');\n"
                f"await sgMail.send({{ to, from: 'noreply@{c.word()}.invalid', subject }});\n")
        return Snippet(text, [L(k, SENDGRID, "token")], c.rng.choice(["js", "ts"]))
    text = ("\nfrom sendgrid import SendGridAPIClient\n\n"
            f"sg = SendGridAPIClient(\"{k}\")\nresponse = sg.send(message)\n")
    return Snippet(text, [L(k, SENDGRID, "token")], "py")


MAILGUN = "mailgun"


def _mailgun_key(c: Settings) -> str:
    if c.rng.random() < 0.5:
        return c.x.token(c.rng.choice([HEX, LOWER_ALNUM]), 32, "key-", 3.0,
                         check=lambda v: any(ch.isalpha() for ch in v[4:]))
    return (c.x.token(HEX, 32, min_entropy=3.0) + "-" + c.x.token(HEX, 8, min_entropy=2.0)
            + "-" + c.x.token(HEX, 8, min_entropy=2.0))


@plant(MAILGUN)
def _mailgun_env(c: Settings) -> Snippet:
    k = _mailgun_key(c)
    lines = [f"MAILGUN_DOMAIN=mg.{c.word()}-{c.word()}.invalid", f"MAILGUN_API_KEY={k}"]
    return Snippet(c.env_file(lines), [L(k, MAILGUN, "token")], name="{svc}/.env")


@plant(MAILGUN)
def _mailgun_code(c: Settings) -> Snippet:
    k = _mailgun_key(c)
    domain = f"mg.{c.word()}.invalid"
    if c.rng.random() < 0.5:
        text = (f"\nresp = requests.post(\"https://api.mailgun.net/v3/{domain}/messages\",\n"
                f"                     auth=(\"api\", \"{k}\"),\n"
                "                     data={\"from\": sender, \"to\": [to], \"text\": body})\n")
        return Snippet(text, [L(k, MAILGUN, "token")], "py")
    text = ("\nconst mailgun = new Mailgun(formData);\n"
            f"const mg = mailgun.client({{ username: 'api', key: '{k}' }});\n"
            f"await mg.messages.create('{domain}', {{ from, to, subject, text }});\n")
    return Snippet(text, [L(k, MAILGUN, "token")], c.rng.choice(["js", "ts"]))


MAILCHIMP = "mailchimp"


def _mailchimp_key(c: Settings) -> tuple[str, str]:
    dc = f"us{c.rng.randint(1, 21)}"
    return c.x.token(HEX, 32, min_entropy=3.0) + "-" + dc, dc


@plant(MAILCHIMP)
def _mailchimp_env(c: Settings) -> Snippet:
    k, _ = _mailchimp_key(c)
    return env_snippet(c, "MAILCHIMP_API_KEY", k, MAILCHIMP, "token")


@plant(MAILCHIMP)
def _mailchimp_client(c: Settings) -> Snippet:
    k, dc = _mailchimp_key(c)
    if c.rng.random() < 0.5:
        text = ("\nconst mailchimp = require('@mailchimp/mailchimp_marketing');\n\n"
                f"mailchimp.setConfig({{\n  apiKey: '{k}',\n  server: '{dc}',\n}});\n")
        return Snippet(text, [L(k, MAILCHIMP, "token")], c.rng.choice(["js", "ts"]))
    text = ("\nimport mailchimp_marketing as MailchimpMarketing\n\n"
            "client = MailchimpMarketing.Client()\n"
            f"client.set_config({{\"api_key\": \"{k}\", \"server\": \"{dc}\"}})\n")
    return Snippet(text, [L(k, MAILCHIMP, "token")], "py")
