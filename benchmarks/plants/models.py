"""Model platforms (OpenAI, Azure OpenAI, Hugging Face, Groq, Replicate, ...) and their
code-host / registry co-leaks (Bitbucket, NuGet): where people leak these keys."""

from __future__ import annotations

import base64

from benchmarks.corpus import (
    BASE62,
    BASE64URL,
    HEX,
    L,
    Settings,
    Snippet,
    entropy,
    env_snippet,
    plant,
)

OPENAI = "openai"


# ---- OpenAI ----


def _mixed(value: str) -> bool:
    return any(ch.isupper() for ch in value) and any(ch.islower() for ch in value)


def _openai_key(c: Settings) -> str:
    prefix = c.rng.choice(["sk-proj-", "sk-proj-", "sk-proj-", "sk-svcacct-"])
    head = c.x.token(BASE64URL, 74, prefix, 4.5)
    return head + "T3BlbkFJ" + c.x.token(BASE64URL, 74, "", 4.5) + "A"


def _openai_legacy(c: Settings) -> str:
    return (c.x.token(BASE62, 20, "sk-", 3.8, check=_mixed) + "T3BlbkFJ"
            + c.x.token(BASE62, 20, "", 3.8))


@plant(OPENAI)
def _openai_env(c: Settings) -> Snippet:
    k = _openai_key(c)
    return env_snippet(c, "OPENAI_API_KEY", k, OPENAI, "token")


@plant(OPENAI)
def _openai_python(c: Settings) -> Snippet:
    k = c.rng.choice([_openai_key, _openai_legacy])(c)
    text = ("\nfrom openai import OpenAI\n\n"
            f'client = OpenAI(api_key="{k}")\n'
            f'reply = client.responses.create(model="gpt-4.1-mini", input="{c.word()}")\n')
    return Snippet(text, [L(k, OPENAI, "token")], "py")


@plant(OPENAI)
def _openai_node(c: Settings) -> Snippet:
    k = _openai_key(c)
    text = ("\nimport OpenAI from \"openai\";\n\n"
            f"const openai = new OpenAI({{ apiKey: '{k}' }});\n")
    return Snippet(text, [L(k, OPENAI, "token")], c.rng.choice(["js", "ts"]))


@plant(OPENAI)
def _openai_admin_curl(c: Settings) -> Snippet:
    k = (c.x.token(BASE64URL, 50, "sk-admin-", 4.5) + "T3BlbkFJ"
         + c.x.token(BASE64URL, 50, "", 4.5) + "A")
    text = ("\n# list the organization's projects\n"
            "curl https://api.openai.com/v1/organization/projects?limit=20 \\\n"
            f"  -H \"Authorization: Bearer {k}\" \\\n"
            "  -H \"Content-Type: application/json\"\n")
    return Snippet(text, [L(k, OPENAI, "token")], "sh")


@plant(OPENAI)
def _openai_compose_legacy(c: Settings) -> Snippet:
    k = _openai_legacy(c)
    svc = c.svc()
    text = (f"services:\n  {svc}:\n    image: {c.word()}/{svc}:latest\n    environment:\n"
            f"      - OPENAI_API_KEY={k}\n      - LOG_LEVEL=info\n")
    return Snippet(text, [L(k, OPENAI, "token")], name="{svc}/docker-compose.yml")



# ---- Azure OpenAI ----

AZURE_OPENAI = "azure-openai"


def _aoai_key(c: Settings) -> str:
    if c.rng.random() < 0.6:
        return c.x.token(HEX, 32, "", 3.5)
    return c.x.token(BASE62, 84, "", 4.5, check=_mixed)


def _aoai_endpoint(c: Settings) -> str:
    host = c.rng.choice(["openai.azure.com", "openai.azure.com", "cognitiveservices.azure.com"])
    return f"https://{c.svc()}.{host}/"


@plant(AZURE_OPENAI)
def _aoai_env(c: Settings) -> Snippet:
    k = _aoai_key(c)
    lines = [f"AZURE_OPENAI_ENDPOINT={_aoai_endpoint(c)}", f"AZURE_OPENAI_API_KEY={k}",
             "AZURE_OPENAI_API_VERSION=2024-10-21"]
    return Snippet(c.env_file(lines), [L(k, AZURE_OPENAI, "secret")], name="{svc}/.env")


@plant(AZURE_OPENAI)
def _aoai_python(c: Settings) -> Snippet:
    k = _aoai_key(c)
    text = ("\nfrom openai import AzureOpenAI\n\n"
            f'client = AzureOpenAI(\n    azure_endpoint="{_aoai_endpoint(c)}",\n'
            f'    api_key="{k}",\n    api_version="2024-10-21",\n)\n')
    return Snippet(text, [L(k, AZURE_OPENAI, "secret")], "py")


@plant(AZURE_OPENAI)
def _aoai_appsettings(c: Settings) -> Snippet:
    k = _aoai_key(c)
    text = c.json_config({"AzureOpenAI": {"Endpoint": _aoai_endpoint(c), "ApiKey": k,
                                          "DeploymentName": "gpt-4o"}})
    return Snippet(text, [L(k, AZURE_OPENAI, "secret")], name="{svc}/appsettings.json")


# ---- Hugging Face ----

HUGGINGFACE = "huggingface"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _hf_token(c: Settings, prefix: str = "hf_") -> str:
    return c.x.token(LETTERS, 34, prefix, 4.2, check=lambda v: _mixed(v[len(prefix):]))


@plant(HUGGINGFACE)
def _hf_env(c: Settings) -> Snippet:
    t = _hf_token(c)
    var = c.rng.choice(["HF_TOKEN", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
                        "HUGGINGFACEHUB_API_TOKEN"])
    return env_snippet(c, var, t, HUGGINGFACE, "token")


@plant(HUGGINGFACE)
def _hf_notebook(c: Settings) -> Snippet:
    t = _hf_token(c)
    code = ("from huggingface_hub import login\n"
            f"login(token=\"{t}\")\n"
            "from transformers import AutoModelForCausalLM\n"
            f"model = AutoModelForCausalLM.from_pretrained(\"{c.word()}/{c.svc()}\")")
    return Snippet(c.notebook_with(code), [L(t, HUGGINGFACE, "token")],
                   name="{svc}/notebooks/finetune.ipynb")


@plant(HUGGINGFACE)
def _hf_workflow(c: Settings) -> Snippet:
    t = _hf_token(c, c.rng.choice(["hf_", "hf_", "hf_", "api_org_"]))
    text = ("name: sync-to-hub\non:\n  push:\n    branches: [main]\njobs:\n  sync:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - name: Push to hub\n        env:\n"
            f"          HF_TOKEN: {t}\n"
            f"        run: git push https://{c.word()}:$HF_TOKEN@huggingface.co/spaces/"
            f"{c.word()}/{c.svc()} main\n")
    return Snippet(text, [L(t, HUGGINGFACE, "token")], name="{svc}/.github/workflows/hub.yml")


# ---- Prefixed model-platform keys ----

GROQ, REPLICATE, PERPLEXITY, XAI, OPENROUTER = ("groq", "replicate", "perplexity", "xai",
                                                "openrouter")


def _b62(c: Settings, prefix: str, n: int) -> str:
    return c.x.token(BASE62, n, prefix, 4.2, check=lambda v: _mixed(v[len(prefix):]))


@plant(GROQ)
def _groq_env(c: Settings) -> Snippet:
    return env_snippet(c, "GROQ_API_KEY", _b62(c, "gsk_", 52), GROQ, "token")


@plant(GROQ)
def _groq_python(c: Settings) -> Snippet:
    k = _b62(c, "gsk_", 52)
    text = ("\nfrom groq import Groq\n\n"
            f'client = Groq(api_key="{k}")\n'
            'chat = client.chat.completions.create(\n    model="llama-3.3-70b-versatile",\n'
            f'    messages=[{{"role": "user", "content": "{c.word()}"}}],\n)\n')
    return Snippet(text, [L(k, GROQ, "token")], "py")


@plant(REPLICATE)
def _replicate_env(c: Settings) -> Snippet:
    return env_snippet(c, "REPLICATE_API_TOKEN", _b62(c, "r8_", 37), REPLICATE, "token")


@plant(REPLICATE)
def _replicate_python(c: Settings) -> Snippet:
    k = _b62(c, "r8_", 37)
    text = ("\nimport replicate\n\n"
            f'client = replicate.Client(api_token="{k}")\n'
            'output = client.run("black-forest-labs/flux-schnell",\n'
            f'                    input={{"prompt": "a {c.word()} in the rain"}})\n')
    return Snippet(text, [L(k, REPLICATE, "token")], "py")


@plant(PERPLEXITY)
def _perplexity_env(c: Settings) -> Snippet:
    return env_snippet(c, "PERPLEXITY_API_KEY", _b62(c, "pplx-", 48), PERPLEXITY, "token")


@plant(PERPLEXITY)
def _perplexity_openai_client(c: Settings) -> Snippet:
    k = _b62(c, "pplx-", 48)
    text = ("\nfrom openai import OpenAI\n\n"
            f'client = OpenAI(api_key="{k}", base_url="https://api.perplexity.ai")\n')
    return Snippet(text, [L(k, PERPLEXITY, "token")], "py")


@plant(XAI)
def _xai_env(c: Settings) -> Snippet:
    return env_snippet(c, "XAI_API_KEY", _b62(c, "xai-", 80), XAI, "token")


@plant(XAI)
def _xai_node(c: Settings) -> Snippet:
    k = _b62(c, "xai-", 80)
    text = ("\nimport { createXai } from \"@ai-sdk/xai\";\n\n"
            f"const xai = createXai({{ apiKey: \"{k}\" }});\n")
    return Snippet(text, [L(k, XAI, "token")], c.rng.choice(["js", "ts"]))


@plant(OPENROUTER)
def _openrouter_env(c: Settings) -> Snippet:
    k = c.x.token(HEX, 64, "sk-or-v1-", 3.8)
    return env_snippet(c, "OPENROUTER_API_KEY", k, OPENROUTER, "token")


@plant(OPENROUTER)
def _openrouter_client(c: Settings) -> Snippet:
    k = c.x.token(HEX, 64, "sk-or-v1-", 3.8)
    text = ("\nfrom openai import OpenAI\n\n"
            'client = OpenAI(\n    base_url="https://openrouter.ai/api/v1",\n'
            f'    api_key="{k}",\n)\n')
    return Snippet(text, [L(k, OPENROUTER, "token")], "py")


# ---- Unprefixed model-platform keys (only under the provider's own names) ----

MISTRAL, COHERE, TOGETHER = "mistral", "cohere", "together"


@plant(MISTRAL)
def _mistral_env(c: Settings) -> Snippet:
    return env_snippet(c, "MISTRAL_API_KEY", _b62(c, "", 32), MISTRAL, "token")


@plant(MISTRAL)
def _mistral_python(c: Settings) -> Snippet:
    k = _b62(c, "", 32)
    text = ("\nfrom mistralai import Mistral\n\n"
            f'client = Mistral(api_key="{k}")\n'
            'res = client.chat.complete(model="mistral-small-latest",\n'
            f'                          messages=[{{"role": "user", "content": "{c.word()}"}}])\n')
    return Snippet(text, [L(k, MISTRAL, "token")], "py")


@plant(COHERE)
def _cohere_env(c: Settings) -> Snippet:
    var = c.rng.choice(["CO_API_KEY", "COHERE_API_KEY"])
    return env_snippet(c, var, _b62(c, "", 40), COHERE, "token")


@plant(COHERE)
def _cohere_python(c: Settings) -> Snippet:
    k = _b62(c, "", 40)
    text = ("\nimport cohere\n\n"
            f'co = cohere.ClientV2(api_key="{k}")\n'
            f'resp = co.embed(texts=["{c.word()}"], model="embed-english-v3.0",\n'
            '                input_type="search_document", embedding_types=["float"])\n')
    return Snippet(text, [L(k, COHERE, "token")], "py")


@plant(TOGETHER)
def _together_env(c: Settings) -> Snippet:
    return env_snippet(c, "TOGETHER_API_KEY", c.x.token(HEX, 64, "", 3.8), TOGETHER, "token")


@plant(TOGETHER)
def _together_python(c: Settings) -> Snippet:
    k = c.x.token(HEX, 64, "", 3.8)
    text = ("\nfrom together import Together\n\n"
            f'client = Together(api_key="{k}")\n')
    return Snippet(text, [L(k, TOGETHER, "token")], "py")


# ---- Code hosts and registries (co-leaks) ----

BITBUCKET, NUGET = "bitbucket", "nuget"


def _bb_access_token(c: Settings) -> str:
    return (c.x.token(BASE64URL, 150, "ATCTT3xFfGN0", 4.5, check=lambda v: _mixed(v[12:]))
            + "=" + c.x.token("0123456789ABCDEF", 8, "", 2.5))


@plant(BITBUCKET)
def _bb_app_password_env(c: Settings) -> Snippet:
    t = _b62(c, "ATBB", 32)
    lines = [f"BITBUCKET_USERNAME={c.word()}-bot", f"BITBUCKET_APP_PASSWORD={t}"]
    return Snippet(c.env_file(lines), [L(t, BITBUCKET, "token")], name="{svc}/.env")


@plant(BITBUCKET)
def _bb_git_remote(c: Settings) -> Snippet:
    t = c.rng.choice([_bb_access_token, lambda c: _b62(c, "ATBB", 32)])(c)
    user = "x-token-auth" if t.startswith("ATCT") else f"{c.word()}-bot"
    text = (f"\ngit clone https://{user}:{t}@bitbucket.org/{c.word()}-{c.word()}/{c.svc()}.git"
            " /src\ncd /src && ./build.sh\n")
    return Snippet(text, [L(t, BITBUCKET, "token")], "sh")


@plant(BITBUCKET)
def _bb_netrc(c: Settings) -> Snippet:
    t = _bb_access_token(c)
    text = f"machine api.bitbucket.org\n  login x-token-auth\n  password {t}\n"
    return Snippet(text, [L(t, BITBUCKET, "token")], name="{svc}/.netrc")


def _nuget_key(c: Settings) -> str:
    """nuget.org's ApiKeyV4: base32("v4" + 10 non-zero bytes) + base32(16 bytes), lower case."""
    while True:
        ident = b"v4" + bytes(b % 255 + 1 for b in c.rng.randbytes(10))
        key = (base64.b32encode(ident).decode().rstrip("=")
               + base64.b32encode(c.rng.randbytes(16)).decode().rstrip("=")).lower()
        if entropy(key) >= 3.8:
            return key


@plant(NUGET)
def _nuget_workflow(c: Settings) -> Snippet:
    k = _nuget_key(c)
    text = ("name: publish\non:\n  push:\n    tags: ['v*']\njobs:\n  pack:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - run: dotnet pack -c Release -o out\n"
            f"      - run: dotnet nuget push out/*.nupkg --api-key {k} "
            "--source https://api.nuget.org/v3/index.json\n")
    return Snippet(text, [L(k, NUGET, "token")], name="{svc}/.github/workflows/publish.yml")


@plant(NUGET)
def _nuget_env(c: Settings) -> Snippet:
    return env_snippet(c, "NUGET_API_KEY", _nuget_key(c), NUGET, "token")
