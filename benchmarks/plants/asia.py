"""Corpus renderers for the East Asian clouds: JD Cloud, UCloud, Qiniu, China Mobile ECloud,
China Telecom CTYun, Upyun, QingCloud and Naver Cloud."""

from __future__ import annotations

from benchmarks.corpus import HEX, L, Settings, Snippet, plant

JDCLOUD = "jdcloud"
JD_HEX = HEX.upper()


def _jd_pair(c: Settings) -> tuple[str, str]:
    return c.x.token(JD_HEX, 32, min_entropy=3.0), c.x.token(JD_HEX, 32, min_entropy=3.0)


# ---- JD Cloud ----


@plant(JDCLOUD)
def _jd_env(c: Settings) -> Snippet:
    a, s = _jd_pair(c)
    lines = [f"JDCLOUD_ACCESS_KEY={a}", f"JDCLOUD_SECRET_KEY={s}", "JDCLOUD_REGION=cn-north-1"]
    return Snippet(c.env_file(lines), [L(a, JDCLOUD, "id"), L(s, JDCLOUD, "secret")],
                   name=c.rng.choice(["{svc}/.env", "deploy/{svc}.env"]))


@plant(JDCLOUD)
def _jd_python(c: Settings) -> Snippet:
    a, s = _jd_pair(c)
    text = ("\n\nfrom jdcloud_sdk.core.credential import Credential\n"
            "from jdcloud_sdk.services.vm.client.VmClient import VmClient\n\n"
            f"credential = Credential('{a}', '{s}')\nclient = VmClient(credential)\n")
    return Snippet(text, [L(a, JDCLOUD, "id"), L(s, JDCLOUD, "secret")], "py")


@plant(JDCLOUD)
def _jd_terraform(c: Settings) -> Snippet:
    a, s = _jd_pair(c)
    region = c.rng.choice(["cn-north-1", "cn-east-2", "cn-south-1"])
    block = (f'provider "jdcloud" {{\n  access_key = "{a}"\n  secret_key = "{s}"\n'
             f'  region     = "{region}"\n}}\n')
    return Snippet(c.tf_file(block), [L(a, JDCLOUD, "id"), L(s, JDCLOUD, "secret")],
                   name="infra/{env}/jdcloud.tf")


@plant(JDCLOUD)
def _jd_go(c: Settings) -> Snippet:
    a, s = _jd_pair(c)
    text = ("\n\n// jdcloud vpc client\nfunc newVpcClient() *client.VpcClient {\n"
            f"\taccessKey := \"{a}\"\n\tsecretKey := \"{s}\"\n"
            "\tcredentials := core.NewCredentials(accessKey, secretKey)\n"
            "\treturn client.NewVpcClient(credentials)\n}\n")
    return Snippet(text, [L(a, JDCLOUD, "id"), L(s, JDCLOUD, "secret")], "go")
