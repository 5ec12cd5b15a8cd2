"""Corpus renderers for the credential forms added to providers keysweep already covered
(AWS, Azure, Google Cloud, GitHub, Alibaba Cloud): Bedrock and AppSync keys, Azure connection
strings, SAS tokens and DevOps PATs, Google user credentials and OAuth tokens, GitHub refresh
tokens and OAuth client secrets, and keys written as Java/Spring dotted properties."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from benchmarks import corpus as C
from benchmarks.corpus import (
    BASE62,
    BASE64,
    BASE64URL,
    HEX,
    LOWER_ALNUM,
    L,
    Settings,
    Snippet,
    env_snippet,
    plant,
)

AWS, AZURE, GCP, GITHUB, ALIBABA = "aws", "azure", "gcp", "github", "alibaba"
DIGITS = "0123456789"


# ---- AWS ----


def _bedrock_short_term(c: Settings, region: str) -> str:
    """bedrock-api-key- + base64 of a SigV4 presigned URL, as aws-bedrock-token-generator
    builds it."""
    temporary = c.rng.random() < 0.6
    key_id = c.x.aws_id("ASIA" if temporary else "AKIA")
    date = f"2025{c.rng.randint(1, 12):02d}{c.rng.randint(1, 28):02d}"
    cred = quote(f"{key_id}/{date}/{region}/bedrock/aws4_request", safe="")
    query = (f"Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256"
             f"&X-Amz-Credential={cred}&X-Amz-Date={date}T{c.rng.randint(0, 235959):06d}Z"
             f"&X-Amz-Expires=43200")
    if temporary:
        query += "&X-Amz-Security-Token=" + quote(c.x.aws_session_token(), safe="")
    query += "&X-Amz-SignedHeaders=host&X-Amz-Signature=" + c.x.token(HEX, 64)
    url = f"bedrock.amazonaws.com/?{query}&Version=1"
    return "bedrock-api-key-" + base64.b64encode(url.encode()).decode()


def _bedrock_long_term(c: Settings) -> str:
    user = c.rng.choice([f"BedrockAPIKey-{c.x.token(LOWER_ALNUM, 4)}", f"{c.word()}-bedrock"])
    account = c.x.token(DIGITS, 12)
    secret = c.x.token(BASE64, c.rng.choice([40, 44]), min_entropy=4.0)
    return "ABSK" + base64.b64encode(f"{user}-at-{account}:{secret}".encode()).decode()


@plant(AWS)
def _aws_bedrock_env(c: Settings) -> Snippet:
    region = c.region(AWS)
    key = _bedrock_long_term(c) if c.rng.random() < 0.5 else _bedrock_short_term(c, region)
    text = c.env_file([f"AWS_REGION={region}", f"AWS_BEARER_TOKEN_BEDROCK={key}",
                       "BEDROCK_MODEL_ID=anthropic.claude-3-5-sonnet-20240620-v1:0"])
    return Snippet(text, [L(key, AWS, "token")], name="{svc}/.env")


@plant(AWS)
def _aws_bedrock_python(c: Settings) -> Snippet:
    region = c.region(AWS)
    key = _bedrock_short_term(c, region) if c.rng.random() < 0.5 else _bedrock_long_term(c)
    text = ("\n\nimport os\nimport boto3\n\n"
            f"os.environ[\"AWS_BEARER_TOKEN_BEDROCK\"] = \"{key}\"\n"
            f"bedrock = boto3.client(\"bedrock-runtime\", region_name=\"{region}\")\n"
            "reply = bedrock.converse(modelId=MODEL_ID, messages=messages)\n")
    return Snippet(text, [L(key, AWS, "token")], "py")


@plant(AWS)
def _aws_appsync_exports(c: Settings) -> Snippet:
    key = c.x.token(LOWER_ALNUM, 26, "da2-")
    region = c.region(AWS)
    api = c.x.token(LOWER_ALNUM, 26)
    text = ("const awsmobile = {\n"
            f"  aws_project_region: \"{region}\",\n"
            f"  aws_appsync_graphqlEndpoint: \"https://{api}.appsync-api.{region}.amazonaws.com/graphql\",\n"
            f"  aws_appsync_region: \"{region}\",\n"
            "  aws_appsync_authenticationType: \"API_KEY\",\n"
            f"  aws_appsync_apiKey: \"{key}\",\n}};\n\nexport default awsmobile;\n")
    return Snippet(text, [L(key, AWS, "token")], name="{svc}/src/aws-exports.js")


@plant(AWS)
def _aws_spring_properties(c: Settings) -> Snippet:
    i, s = c.x.aws_id(), c.x.aws_secret()
    style = c.rng.random()
    if style < 0.4:
        lines = [f"cloud.aws.credentials.access-key={i}", f"cloud.aws.credentials.secret-key={s}",
                 f"cloud.aws.region.static={c.region(AWS)}"]
    elif style < 0.7:
        lines = [f"{c.word()}.aws.accesskey={i}", f"{c.word()}.aws.secretkey={s}"]
    else:
        lines = [f"aws.accessKeyId={i}", f"aws.secretKey={s}", f"aws.region={c.region(AWS)}"]
    text = (f"\nspring.application.name={c.svc()}\nserver.port=8080\n" + "\n".join(lines) + "\n"
            "logging.level.root=INFO\n")
    return Snippet(text, [L(i, AWS, "id"), L(s, AWS, "secret")],
                   name="{svc}/src/main/resources/application.properties")


# ---- Azure ----


def _b64(c: Settings, n_bytes: int) -> str:
    while True:
        value = base64.b64encode(c.rng.randbytes(n_bytes)).decode()
        if not C.looks_like_placeholder(value):
            return value


def _azure_pat_annotated(c: Settings) -> str:
    """52 random base62, JQQJ9, version, year, month, mostly-A reserved part, AZDO, checksum."""
    return (c.x.token(BASE62, 52, min_entropy=4.5) + "JQQJ99" + c.rng.choice("ABCD")
            + c.rng.choice("ABCDEFGHIJKL") + "ACAAAAA" + c.x.token(BASE62, 5) + "AAAS" + "AZDO"
            + c.x.token(BASE62, 4))


@plant(AZURE)
def _az_devops_pat_annotated(c: Settings) -> Snippet:
    pat = _azure_pat_annotated(c)
    if c.rng.random() < 0.5:
        return env_snippet(c, "AZURE_DEVOPS_EXT_PAT", pat, AZURE, "token")
    org = c.word()
    text = (f"[remote \"origin\"]\n\turl = https://build:{pat}@dev.azure.com/{org}/{c.word()}/_git/"
            f"{c.svc()}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n")
    return Snippet(text, [L(pat, AZURE, "token")], name="{svc}/.git/config")


@plant(AZURE)
def _az_app_configuration(c: Settings) -> Snippet:
    secret = _b64(c, 32)
    store = f"{c.word()}-{c.word()}"
    access_id = f"{c.x.token(BASE62, 4)}-l0-s0:{c.x.token(BASE62, 20)}"
    conn = f"Endpoint=https://{store}.azconfig.io;Id={access_id};Secret={secret}"
    doc = {"ConnectionStrings": {"AppConfig": conn},
           "Logging": {"LogLevel": {"Default": "Information"}}}
    return Snippet(json.dumps(doc, indent=2) + "\n", [L(secret, AZURE, "secret")],
                   name="{svc}/appsettings.json")


@plant(AZURE)
def _az_iot_hub(c: Settings) -> Snippet:
    key = _b64(c, 32)
    hub = f"{c.word()}-{c.word()}-hub"
    if c.rng.random() < 0.5:
        who = "SharedAccessKeyName=iothubowner"
    else:
        who = f"DeviceId={c.word()}-{c.rng.randint(1, 99)}"
    conn = f"HostName={hub}.azure-devices.net;{who};SharedAccessKey={key}"
    text = ("\n\nfrom azure.iot.device import IoTHubDeviceClient\n\n"
            f"CONNECTION_STRING = \"{conn}\"\n"
            "client = IoTHubDeviceClient.create_from_connection_string(CONNECTION_STRING)\n")
    return Snippet(text, [L(key, AZURE, "secret")], "py")


@plant(AZURE)
def _az_event_hub_spring(c: Settings) -> Snippet:
    key = _b64(c, 32)
    ns = f"{c.word()}-{c.word()}"
    text = (f"\nspring.cloud.azure.eventhubs.connection-string=Endpoint=sb://{ns}.servicebus.windows.net/;"
            f"SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={key}\n"
            f"spring.cloud.azure.eventhubs.event-hub-name={c.word()}\n")
    return Snippet(text, [L(key, AZURE, "secret")], "properties")


@plant(AZURE)
def _az_cosmos(c: Settings) -> Snippet:
    key = _b64(c, 64)
    account = f"{c.word()}-{c.word()}-db"
    if c.rng.random() < 0.5:
        lines = [f"COSMOS_CONNECTION_STRING=AccountEndpoint=https://{account}.documents.azure.com:443/;"
                 f"AccountKey={key};"]
    else:
        lines = [f"COSMOS_ENDPOINT=https://{account}.documents.azure.com:443/", f"COSMOS_KEY={key}",
                 f"COSMOS_DATABASE={c.word()}"]
    return Snippet(c.env_file(lines), [L(key, AZURE, "secret")], name="{svc}/.env")


@plant(AZURE)
def _az_sas_url(c: Settings) -> Snippet:
    sig = quote(_b64(c, 32), safe="")
    account = f"{c.word()}{c.rng.randint(10, 999)}"
    url = (f"https://{account}.blob.core.windows.net/{c.word()}?sv=2022-11-02&ss=b&srt=co"
           f"&sp={c.rng.choice(['r', 'rl', 'rwdlac'])}&se=2026-0{c.rng.randint(1, 9)}-01T00:00:00Z"
           f"&st=2025-01-01T00:00:00Z&spr=https&sig={sig}")
    text = (f"name: publish\non: [push]\njobs:\n  upload:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - uses: actions/checkout@v4\n"
            f"      - run: azcopy copy ./dist \"{url}\" --recursive\n")
    return Snippet(text, [L(sig, AZURE, "token")], name="{svc}/.github/workflows/publish.yml")


@plant(AZURE)
def _az_storage_spring(c: Settings) -> Snippet:
    key = _b64(c, 64)
    text = (f"\nspring.cloud.azure.storage.blob.account-name={c.word()}{c.rng.randint(10, 999)}\n"
            f"spring.cloud.azure.storage.blob.account-key={key}\n")
    return Snippet(text, [L(key, AZURE, "secret")], "properties")


# ---- Google Cloud ----

GCLOUD_CLIENT_ID = "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com"
GCLOUD_CLIENT_SECRET = "d-FL95Q19q7MQmFpd7hHD0Ty"  # the Cloud SDK's public client, not a secret


def _gcp_client_id(c: Settings) -> str:
    return (f"{c.rng.randint(10**11, 10**12 - 1)}-{c.x.token(LOWER_ALNUM, 32)}"
            ".apps.googleusercontent.com")


def _gcp_refresh_token(c: Settings) -> str:
    return c.x.token(BASE64URL, 99, "1//0", 4.5)


@plant(GCP)
def _gcp_authorized_user(c: Settings) -> Snippet:
    rt = _gcp_refresh_token(c)
    labels = [L(rt, GCP, "token")]
    if c.rng.random() < 0.6:  # gcloud auth application-default login
        cid, sec = GCLOUD_CLIENT_ID, GCLOUD_CLIENT_SECRET
    else:  # the user's own OAuth client
        cid, sec = _gcp_client_id(c), c.x.token(BASE64URL, 24, min_entropy=3.8)
        labels.append(L(sec, GCP, "secret"))
    doc = {"account": "", "client_id": cid, "client_secret": sec,
           "quota_project_id": f"{c.word()}-{c.word()}-{c.rng.randint(1000, 9999)}",
           "refresh_token": rt, "type": "authorized_user", "universe_domain": "googleapis.com"}
    return Snippet(json.dumps(doc, indent=2) + "\n", labels,
                   name=c.rng.choice(["home/{user}/.config/gcloud/application_default_credentials.json",
                                      "{svc}/credentials/adc.json"]))


@plant(GCP)
def _gcp_access_token_script(c: Settings) -> Snippet:
    tok = "ya29." + c.x.token(BASE64URL, c.rng.randint(150, 230), "a0", 4.5)
    text = (f"\n#!/usr/bin/env bash\n# token from `gcloud auth print-access-token`, valid 1h\n"
            f"TOKEN=\"{tok}\"\n"
            f"curl -s -H \"Authorization: Bearer $TOKEN\" "
            f"\"https://storage.googleapis.com/storage/v1/b/{c.bucket()}/o\"\n")
    return Snippet(text, [L(tok, GCP, "token")], "sh")


@plant(GCP)
def _gcp_legacy_client_secret(c: Settings) -> Snippet:
    sec = c.x.token(BASE64URL, 24, min_entropy=3.8)
    cid = _gcp_client_id(c)
    if c.rng.random() < 0.5:
        text = c.env_file([f"GOOGLE_CLIENT_ID={cid}", f"GOOGLE_CLIENT_SECRET={sec}",
                           "GOOGLE_REDIRECT_URI=http://localhost:3000/auth/callback"])
        return Snippet(text, [L(sec, GCP, "secret")], name="{svc}/.env")
    text = (f"\nspring.security.oauth2.client.registration.google.client-id={cid}\n"
            f"spring.security.oauth2.client.registration.google.client-secret={sec}\n"
            "spring.security.oauth2.client.registration.google.scope=openid,profile,email\n")
    return Snippet(text, [L(sec, GCP, "secret")], "properties")


@plant(GCP)
def _gcp_gemini_auth_key(c: Settings) -> Snippet:
    key = c.x.token(BASE64URL, 45, "AQ.Ab8RN6", 4.2)
    if c.rng.random() < 0.5:
        return env_snippet(c, "GEMINI_API_KEY", key, GCP, "token")
    text = ("\n\nfrom google import genai\n\n"
            f"client = genai.Client(api_key=\"{key}\")\n"
            "response = client.models.generate_content(\n"
            "    model=\"gemini-2.5-flash\", contents=prompt)\n")
    return Snippet(text, [L(key, GCP, "token")], "py")


# ---- GitHub ----


def _gh_client_id(c: Settings) -> str:
    if c.rng.random() < 0.4:
        return c.x.token(HEX, 16, "Iv1.")
    return c.rng.choice(["Ov23li", "Iv23li"]) + c.x.token(BASE62, 14)


@plant(GITHUB)
def _gh_refresh_token(c: Settings) -> Snippet:
    access = "ghu_" + c.x.token(BASE62, 36)  # an expired user token: not labelled (no checksum)
    refresh = c.x.token(BASE62, 76, "ghr_", 4.5)
    doc = {"access_token": access, "expires_in": 28800, "refresh_token": refresh,
           "refresh_token_expires_in": 15811200, "token_type": "bearer", "scope": ""}
    return Snippet(json.dumps(doc, indent=2) + "\n", [L(refresh, GITHUB, "token")],
                   name="{svc}/.cache/github-app-token.json")


@plant(GITHUB)
def _gh_oauth_app(c: Settings) -> Snippet:
    cid, sec = _gh_client_id(c), c.x.token(HEX, 40)
    if c.rng.random() < 0.5:
        text = c.env_file([f"GITHUB_CLIENT_ID={cid}", f"GITHUB_CLIENT_SECRET={sec}",
                           f"GITHUB_CALLBACK_URL=https://{c.svc()}.example.invalid/auth/github"])
        return Snippet(text, [L(cid, GITHUB, "id"), L(sec, GITHUB, "secret")], name="{svc}/.env")
    text = ("\n\nconst app = new OAuthApp({\n  clientType: \"oauth-app\",\n"
            f"  clientId: \"{cid}\",\n  clientSecret: \"{sec}\",\n}});\n")
    return Snippet(text, [L(cid, GITHUB, "id"), L(sec, GITHUB, "secret")],
                   c.rng.choice(["js", "ts"]))


@plant(GITHUB)
def _gh_legacy_token(c: Settings) -> Snippet:
    tok = c.x.token(HEX, 40)
    style = c.rng.random()
    if style < 0.4:
        return env_snippet(c, c.rng.choice(["GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT"]), tok,
                           GITHUB, "token")
    if style < 0.7:
        text = (f"[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n"
                f"\turl = https://{c.word()}:{tok}@github.com/{c.word()}/{c.svc()}.git\n"
                "\tfetch = +refs/heads/*:refs/remotes/origin/*\n")
        return Snippet(text, [L(tok, GITHUB, "token")], name="{svc}/.git/config")
    text = (f"\ncurl -s -H \"Authorization: token {tok}\" \\\n"
            f"  https://api.github.com/repos/{c.word()}/{c.svc()}/releases/latest\n")
    return Snippet(text, [L(tok, GITHUB, "token")], "sh")


# ---- Alibaba Cloud ----


@plant(ALIBABA)
def _ali_dotted_properties(c: Settings) -> Snippet:
    i, s = c.alibaba_id(), c.x.alibaba_secret()
    region = c.rng.choice(["cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen"])
    prefix = c.rng.choice(["aliyun.oss", "aliyun.sms", "alibaba.cloud"])
    text = (f"\n{prefix}.endpoint=https://oss-{region}.aliyuncs.com\n"
            f"{prefix}.accessKeyId={i}\n{prefix}.accessKeySecret={s}\n"
            f"{prefix}.bucket-name={c.bucket()}\n")
    return Snippet(text, [L(i, ALIBABA, "id"), L(s, ALIBABA, "secret")], "properties")
