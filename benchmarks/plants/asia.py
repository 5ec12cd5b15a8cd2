"""Corpus renderers for the East Asian clouds: JD Cloud, UCloud, Qiniu, China Mobile ECloud,
China Telecom CTYun, Upyun, QingCloud and Naver Cloud."""

from __future__ import annotations

from benchmarks.corpus import BASE62, BASE64URL, HEX, LOWER_ALNUM, L, Settings, Snippet, plant

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


# ---- UCloud ----

UCLOUD = "ucloud"


def _uc_pair(c: Settings) -> tuple[str, str]:
    return c.x.token(BASE62, 32, min_entropy=3.8), c.x.token(BASE62, 40, min_entropy=3.8)


@plant(UCLOUD)
def _uc_env(c: Settings) -> Snippet:
    p, s = _uc_pair(c)
    lines = [f"UCLOUD_PUBLIC_KEY={p}", f"UCLOUD_PRIVATE_KEY={s}",
             f"UCLOUD_PROJECT_ID=org-{c.x.token(LOWER_ALNUM, 6)}", "UCLOUD_REGION=cn-bj2"]
    return Snippet(c.env_file(lines), [L(p, UCLOUD, "id"), L(s, UCLOUD, "secret")],
                   name="{svc}/.env")


@plant(UCLOUD)
def _uc_terraform(c: Settings) -> Snippet:
    p, s = _uc_pair(c)
    block = (f'provider "ucloud" {{\n  public_key  = "{p}"\n  private_key = "{s}"\n'
             f'  project_id  = "org-{c.x.token(LOWER_ALNUM, 6)}"\n  region      = "cn-sh2"\n}}\n')
    return Snippet(c.tf_file(block), [L(p, UCLOUD, "id"), L(s, UCLOUD, "secret")],
                   name="infra/{env}/ucloud.tf")


@plant(UCLOUD)
def _uc_python(c: Settings) -> Snippet:
    p, s = _uc_pair(c)
    text = ("\n\nfrom ucloud.client import Client\n\nclient = Client({\n"
            '    "region": "cn-bj2",\n'
            f'    "public_key": "{p}",\n    "private_key": "{s}",\n}})\n')
    return Snippet(text, [L(p, UCLOUD, "id"), L(s, UCLOUD, "secret")], "py")


# ---- Qiniu ----

QINIU = "qiniu"


def _qn_pair(c: Settings) -> tuple[str, str]:
    def one() -> str:
        return c.x.token(BASE64URL, 40, min_entropy=3.8,
                         check=lambda v: v != v.lower() and v != v.upper())
    return one(), one()


@plant(QINIU)
def _qn_env(c: Settings) -> Snippet:
    a, s = _qn_pair(c)
    lines = [f"QINIU_ACCESS_KEY={a}", f"QINIU_SECRET_KEY={s}", f"QINIU_BUCKET={c.bucket()}",
             f"QINIU_DOMAIN=cdn.{c.word()}.com"]
    return Snippet(c.env_file(lines), [L(a, QINIU, "id"), L(s, QINIU, "secret")],
                   name=c.rng.choice(["{svc}/.env", "{svc}/.env.production"]))


@plant(QINIU)
def _qn_python(c: Settings) -> Snippet:
    a, s = _qn_pair(c)
    text = ("\n\nfrom qiniu import Auth, put_file\n\n"
            f"q = Auth('{a}', '{s}')\n"
            f"token = q.upload_token('{c.bucket()}', key, 3600)\n")
    return Snippet(text, [L(a, QINIU, "id"), L(s, QINIU, "secret")], "py")


@plant(QINIU)
def _qn_node(c: Settings) -> Snippet:
    a, s = _qn_pair(c)
    text = ("\n\nconst qiniu = require('qiniu');\n\n"
            f"const accessKey = '{a}';\nconst secretKey = '{s}';\n"
            "const mac = new qiniu.auth.digest.Mac(accessKey, secretKey);\n")
    return Snippet(text, [L(a, QINIU, "id"), L(s, QINIU, "secret")], c.rng.choice(["js", "ts"]))


@plant(QINIU)
def _qn_actions(c: Settings) -> Snippet:
    a, s = _qn_pair(c)
    text = ("name: deploy-static\non:\n  push:\n    branches: [main]\njobs:\n  upload:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - name: upload to qiniu\n        run: |\n"
            f"          qshell account {a} {s} ci\n"
            f"          qshell qupload2 --src-dir=dist --bucket={c.bucket()}\n")
    return Snippet(text, [L(a, QINIU, "id"), L(s, QINIU, "secret")],
                   name=".github/workflows/deploy-{svc}.yml")


# ---- China Mobile ECloud ----

ECLOUD = "ecloud"


def _ec_pair(c: Settings) -> tuple[str, str]:
    return c.x.token(HEX, 32, min_entropy=3.0), c.x.token(HEX, 32, min_entropy=3.0)


@plant(ECLOUD)
def _ec_env(c: Settings) -> Snippet:
    a, s = _ec_pair(c)
    pool = c.rng.choice(["CIDC-RP-25", "CIDC-RP-29", "CIDC-RP-33"])
    lines = [f"ECLOUD_ACCESS_KEY={a}", f"ECLOUD_SECRET_KEY={s}", f"ECLOUD_REGION={pool}"]
    return Snippet(c.env_file(lines), [L(a, ECLOUD, "id"), L(s, ECLOUD, "secret")],
                   name=c.rng.choice(["{svc}/.env", "deploy/{svc}.env"]))


@plant(ECLOUD)
def _ec_go(c: Settings) -> Snippet:
    a, s = _ec_pair(c)
    text = ('\n\nimport (\n\t"gitlab.ecloud.com/ecloud/ecloudsdkcore/config"\n'
            '\t"gitlab.ecloud.com/ecloud/ecloudsdkvpc"\n)\n\n'
            'func newClient() *ecloudsdkvpc.Client {\n'
            f'\tak := "{a}"\n\tsk := "{s}"\n\tpool := "CIDC-RP-29"\n'
            "\treturn ecloudsdkvpc.NewClient(&config.Config{AccessKey: &ak, SecretKey: &sk, "
            "PoolId: &pool})\n}\n")
    return Snippet(text, [L(a, ECLOUD, "id"), L(s, ECLOUD, "secret")], "go")


@plant(ECLOUD)
def _ec_k8s(c: Settings) -> Snippet:
    a, s = _ec_pair(c)
    text = c.k8s_secret(f"{c.svc()}-ecloud", {"ECLOUD_ACCESS_KEY": a, "ECLOUD_SECRET_KEY": s},
                        encode=False)
    return Snippet(text, [L(a, ECLOUD, "id"), L(s, ECLOUD, "secret")],
                   name="k8s/{svc}/ecloud-secret.yaml")


# ---- China Telecom Cloud (CTYun) ----

CTYUN = "ctyun"
CTYUN_ZONES = [("bb9fdb42056f11eda1610242ac110002", "cn-huadong1-jsnj1A-public-ctcloud"),
               ("200000001852", "cn-huabei2-tj-2a-public-ctcloud"),
               ("200000002368", "cn-xinan1-xn1A-public-ctcloud")]


@plant(CTYUN)
def _ct_terraform(c: Settings) -> Snippet:
    a, s = _ec_pair(c)
    region, az = c.rng.choice(CTYUN_ZONES)
    block = ('terraform {\n  required_providers {\n    ctyun = {\n      source = "ctyun-it/ctyun"\n'
             f'    }}\n  }}\n}}\n\nprovider "ctyun" {{\n  ak        = "{a}"\n  sk        = "{s}"\n'
             f'  region_id = "{region}"\n  az_name   = "{az}"\n  env       = "prod"\n}}\n')
    return Snippet(c.tf_file(block), [L(a, CTYUN, "id"), L(s, CTYUN, "secret")],
                   name="infra/{env}/ctyun.tf")


@plant(CTYUN)
def _ct_env(c: Settings) -> Snippet:
    a, s = _ec_pair(c)
    region, az = c.rng.choice(CTYUN_ZONES)
    lines = [f"CTYUN_AK={a}", f"CTYUN_SK={s}", f"CTYUN_REGION_ID={region}", f"CTYUN_AZ_NAME={az}"]
    return Snippet(c.env_file(lines), [L(a, CTYUN, "id"), L(s, CTYUN, "secret")],
                   name=c.rng.choice(["{svc}/.env", "ops/ctyun.env"]))


@plant(CTYUN)
def _ct_go(c: Settings) -> Snippet:
    a, s = _ec_pair(c)
    text = ('\n\nfunc iamApis() (*ctiam.Apis, *ctyunsdk.Credential) {\n'
            "\tclient := ctyunsdk.EnvOf(ctyunsdk.EnvironmentProd)\n"
            f'\tcredential, _ := ctyunsdk.NewCredential("{a}", "{s}")\n'
            "\treturn ctiam.NewApis(client), credential\n}\n")
    return Snippet(text, [L(a, CTYUN, "id"), L(s, CTYUN, "secret")], "go")


# ---- Upyun ----

UPYUN = "upyun"


def _up_pair(c: Settings) -> tuple[str, str]:
    operator = f"{c.word()}_{c.x.token(LOWER_ALNUM, 3, min_entropy=1.0)}"
    password = c.x.token(BASE62, 32, min_entropy=3.8,
                         check=lambda v: any(ch.isdigit() for ch in v)
                         and any(ch.isalpha() for ch in v))
    return operator, password


@plant(UPYUN)
def _up_env(c: Settings) -> Snippet:
    o, p = _up_pair(c)
    lines = [f"UPYUN_BUCKET={c.bucket()}", f"UPYUN_OPERATOR={o}", f"UPYUN_PASSWORD={p}"]
    return Snippet(c.env_file(lines), [L(o, UPYUN, "id"), L(p, UPYUN, "secret")],
                   name="{svc}/.env")


@plant(UPYUN)
def _up_python(c: Settings) -> Snippet:
    o, p = _up_pair(c)
    text = ("\n\nimport upyun\n\n"
            f"up = upyun.UpYun('{c.bucket()}', '{o}', '{p}', timeout=30, endpoint=upyun.ED_AUTO)\n"
            "up.put('/static/app.js', open('dist/app.js', 'rb'))\n")
    return Snippet(text, [L(o, UPYUN, "id"), L(p, UPYUN, "secret")], "py")


@plant(UPYUN)
def _up_ci(c: Settings) -> Snippet:
    o, p = _up_pair(c)
    text = ("deploy:\n  stage: deploy\n  script:\n    - npm run build\n"
            f"    - curl -T dist/index.html -u {o}:{p} "
            f"http://v0.api.upyun.com/{c.bucket()}/index.html\n  only:\n    - main\n")
    return Snippet(text, [L(o, UPYUN, "id"), L(p, UPYUN, "secret")], name="{svc}/.gitlab-ci.yml")


# ---- QingCloud ----

QINGCLOUD = "qingcloud"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _qc_pair(c: Settings) -> tuple[str, str]:
    return (c.x.token(UPPER, 20, min_entropy=3.0),
            c.x.token(BASE62, 40, min_entropy=3.8,
                      check=lambda v: v != v.lower() and v != v.upper()))


@plant(QINGCLOUD)
def _qc_config(c: Settings) -> Snippet:
    a, s = _qc_pair(c)
    zone = c.rng.choice(["pek3a", "sh1a", "gd2", "ap2a"])
    text = (f"qy_access_key_id: '{a}'\nqy_secret_access_key: '{s}'\nzone: '{zone}'\n"
            "host: 'api.qingcloud.com'\nport: 443\nprotocol: 'https'\nuri: '/iaas'\n"
            "connection_retries: 3\n")
    return Snippet(text, [L(a, QINGCLOUD, "id"), L(s, QINGCLOUD, "secret")],
                   name=c.rng.choice(["home/{user}/.qingcloud/config.yaml",
                                      "deploy/{svc}/qingcloud-config.yaml"]))


@plant(QINGCLOUD)
def _qc_python(c: Settings) -> Snippet:
    a, s = _qc_pair(c)
    text = ("\n\nimport qingcloud.iaas\n\n"
            f"conn = qingcloud.iaas.connect_to_zone('pek3a', '{a}', '{s}')\n"
            "ret = conn.describe_instances(status=['running'])\n")
    return Snippet(text, [L(a, QINGCLOUD, "id"), L(s, QINGCLOUD, "secret")], "py")


@plant(QINGCLOUD)
def _qc_terraform(c: Settings) -> Snippet:
    a, s = _qc_pair(c)
    block = (f'provider "qingcloud" {{\n  access_key = "{a}"\n  secret_key = "{s}"\n'
             '  zone       = "sh1a"\n}\n')
    return Snippet(c.tf_file(block), [L(a, QINGCLOUD, "id"), L(s, QINGCLOUD, "secret")],
                   name="infra/{env}/qingcloud.tf")


# ---- Naver Cloud ----

NAVER = "naver-cloud"


def _nc_pair(c: Settings) -> tuple[str, str]:
    return c.x.token(BASE62, 20, min_entropy=3.4), c.x.token(BASE62, 40, min_entropy=3.8)


@plant(NAVER)
def _nc_configure(c: Settings) -> Snippet:
    a, s = _nc_pair(c)
    text = (f"[DEFAULT]\nncloud_access_key_id = {a}\nncloud_secret_access_key = {s}\n"
            "ncloud_api_url = https://ncloud.apigw.ntruss.com\n")
    return Snippet(text, [L(a, NAVER, "id"), L(s, NAVER, "secret")],
                   name="home/{user}/.ncloud/configure")


@plant(NAVER)
def _nc_env(c: Settings) -> Snippet:
    a, s = _nc_pair(c)
    lines = [f"NCLOUD_ACCESS_KEY={a}", f"NCLOUD_SECRET_KEY={s}", "NCLOUD_REGION=KR",
             f"NCLOUD_BUCKET_NAME={c.bucket()}"]
    return Snippet(c.env_file(lines), [L(a, NAVER, "id"), L(s, NAVER, "secret")],
                   name=c.rng.choice(["{svc}/.env", "{svc}/.env.production"]))


@plant(NAVER)
def _nc_terraform(c: Settings) -> Snippet:
    a, s = _nc_pair(c)
    block = (f'provider "ncloud" {{\n  access_key  = "{a}"\n  secret_key  = "{s}"\n'
             '  region      = "KR"\n  support_vpc = true\n}\n')
    return Snippet(c.tf_file(block), [L(a, NAVER, "id"), L(s, NAVER, "secret")],
                   name="infra/{env}/ncloud.tf")


@plant(NAVER)
def _nc_boto3(c: Settings) -> Snippet:
    a, s = _nc_pair(c)
    text = ("\n\nimport boto3\n\n# Naver Cloud Object Storage (S3 compatible)\n"
            "s3 = boto3.client(\n    's3',\n"
            "    endpoint_url='https://kr.object.ncloudstorage.com',\n"
            f"    aws_access_key_id='{a}',\n    aws_secret_access_key='{s}',\n)\n")
    return Snippet(text, [L(a, NAVER, "id"), L(s, NAVER, "secret")], "py")


# ---- Kingsoft Cloud, older KS3-era key forms ----

KSYUN = "kingsoft"


@plant(KSYUN)
def _ks_legacy_python(c: Settings) -> Snippet:
    a = c.x.token(UPPER + "0123456789", 20, min_entropy=3.0)
    s = c.x.token(BASE62, 40, min_entropy=3.8, check=lambda v: v != v.lower() and v != v.upper())
    region = c.rng.choice(["cn-beijing", "cn-shanghai", "cn-guangzhou"])
    text = ("\n\nfrom ks3.connection import Connection\n\n"
            f"c = Connection('{a}', '{s}', host='ks3-{region}.ksyun.com', is_secure=True)\n"
            f"bucket = c.get_bucket('{c.bucket()}')\n")
    return Snippet(text, [L(a, KSYUN, "id"), L(s, KSYUN, "secret")], "py")


@plant(KSYUN)
def _ks_urlsafe_env(c: Settings) -> Snippet:
    a = c.x.token(BASE64URL, 22, "AKLT", 3.4,
                  check=lambda v: v[4:] != v[4:].lower() and v[4:] != v[4:].upper())
    s = c.x.ksyun_sk()
    lines = [f"KSYUN_ACCESS_KEY={a}", f"KSYUN_SECRET_KEY={s}", "KSYUN_REGION=cn-beijing-6"]
    return Snippet(c.env_file(lines), [L(a, KSYUN, "id"), L(s, KSYUN, "secret")],
                   name="{svc}/.env")
