"""Corpus renderers for the credential forms added to providers keysweep already covered
(AWS, Azure, Google Cloud, GitHub, Alibaba Cloud): Bedrock and AppSync keys, Azure connection
strings, SAS tokens and DevOps PATs, Google user credentials and OAuth tokens, GitHub refresh
tokens and OAuth client secrets, and keys written as Java/Spring dotted properties."""

from __future__ import annotations

import base64
from urllib.parse import quote

from benchmarks.corpus import (
    BASE64,
    HEX,
    LOWER_ALNUM,
    L,
    Settings,
    Snippet,
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
