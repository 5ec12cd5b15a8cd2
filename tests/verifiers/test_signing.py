"""Every signature vector of shared/reference/credentials.md §2.5, reproduced offline."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from scanner.verifiers import signing

# -- Alibaba RPC v1 (A1-A5) ----------------------------------------------------------------------

A_COMMON = {"AccessKeyId": "testid", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
            "Version": "2014-05-26", "Action": "DescribeRegions"}


def test_a1_old_timestamp_spelling():
    params = {**A_COMMON, "TimeStamp": "2016-02-23T12:46:24Z"}
    assert signing.rpc_string_to_sign("GET", params) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
        "%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z"
        "%26Version%3D2014-05-26")
    sig = signing.rpc_signature("testsecret", "GET", params)
    assert sig == "CT9X0VtwR86fNWSnsc6v8YGOjuE="
    assert signing.percent_encode(sig) == "CT9X0VtwR86fNWSnsc6v8YGOjuE%3D"


def test_a2_timestamp_spelling():
    params = {**A_COMMON, "Timestamp": "2016-02-23T12:46:24Z"}
    assert signing.rpc_canonical_query(params) == (
        "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1"
        "&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0"
        "&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26")
    sig = signing.rpc_signature("testsecret", "GET", params)
    assert sig == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    assert signing.percent_encode(sig) == "OLeaidS1JvxuMvnyHOwuJ%2BuX5qY%3D"


def test_a3_rpc_v2_doc_example():
    params = {"AccessKeyId": "testid", "Action": "DescribeDedicatedHosts", "Format": "JSON",
              "RegionId": "cn-beijing", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "edb2b34af0af9a6d14deaf7c1a5315eb", "SignatureVersion": "1.0",
              "Timestamp": "2023-03-13T08:34:30Z", "Version": "2014-05-26"}
    assert signing.rpc_string_to_sign("GET", params) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeDedicatedHosts%26Format%3DJSON"
        "%26RegionId%3Dcn-beijing%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3Dedb2b34af0af9a6d14deaf7c1a5315eb%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2023-03-13T08%253A34%253A30Z%26Version%3D2014-05-26")
    assert signing.rpc_signature("testsecret", "GET", params) == "9NaGiOspFP5UPcwX8Iwt2YJXXuk="


@pytest.mark.parametrize(("message", "expected"), [
    ("source", "Jv4yi8SobFhg5t1C7nWLbhBSFZQ="),
    ("中文unicode", "szlfHs3WVaO/HgY3Cg7/uyXDaRw="),
])
def test_a4_raw_hmac_sha1(message: str, expected: str):
    assert signing.hmac_sha1_base64("secret", message) == expected


def test_a4_percent_encoding():
    assert signing.percent_encode("中 文+~*") == "%E4%B8%AD%20%E6%96%87%2B~%2A"


A5 = {"AccessKeyId": "testid", "Action": "GetCallerIdentity", "Format": "JSON",
      "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
      "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2015-04-01"}


def test_a5a_get_caller_identity_get():
    assert signing.rpc_string_to_sign("GET", A5) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DGetCallerIdentity%26Format%3DJSON"
        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
        "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z"
        "%26Version%3D2015-04-01")
    assert signing.rpc_signature("testsecret", "GET", A5) == "SXUFTPJUsAnzDm+6AtLiWJx7n/Q="


def test_a5b_with_security_token():
    params = {**A5, "SecurityToken": "CAIS token/with+chars=~*"}
    canonical = signing.rpc_canonical_query(params)
    assert "&Format=JSON&SecurityToken=CAIS%20token%2Fwith%2Bchars%3D~%2A&SignatureMethod=" \
        in canonical
    assert "SecurityToken%3DCAIS%2520token%252Fwith%252Bchars%253D~%252A" \
        in signing.rpc_string_to_sign("GET", params)
    assert signing.rpc_signature("testsecret", "GET", params) == "OKLrmUGMmqJ2lBwA5ZZBWxEHYOQ="


def test_a5c_post():
    assert signing.rpc_string_to_sign("POST", A5).startswith("POST&%2F&")
    assert signing.rpc_signature("testsecret", "POST", A5) == "4QZ8nwmlMOIf8B6o9oDE9WNBb/E="


def test_signature_parameter_is_never_signed():
    assert signing.rpc_signature("testsecret", "GET", {**A5, "Signature": "x"}) \
        == "SXUFTPJUsAnzDm+6AtLiWJx7n/Q="


def test_a6_acs3_canonical_request_and_signature():
    """V3 is not what the verifier sends, but the shared canonicalization helpers must agree
    with the published ACS3-HMAC-SHA256 vector."""
    headers = {"host": "ecs.cn-shanghai.aliyuncs.com", "x-acs-action": "RunInstances",
               "x-acs-content-sha256": signing.EMPTY_SHA256,
               "x-acs-date": "2023-10-26T10:22:32Z",
               "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
               "x-acs-version": "2014-05-26"}
    query = [("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
             ("RegionId", "cn-shanghai")]
    canonical = signing.sigv4_canonical_request("POST", "/", query, headers, list(headers),
                                                signing.EMPTY_SHA256)
    assert canonical == (
        "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
        "\nhost:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\nx-acs-content-sha256:"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-acs-date:2023-10-26T10:22:32Z\nx-acs-signature-nonce:3156853299f313e23d1673dc12e1703d"
        "\nx-acs-version:2014-05-26\n\nhost;x-acs-action;x-acs-content-sha256;x-acs-date;"
        "x-acs-signature-nonce;x-acs-version\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    digest = signing.sha256_hex(canonical)
    assert digest == "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    signature = signing.hmac_sha256_hex(b"YourAccessKeySecret", "ACS3-HMAC-SHA256\n" + digest)
    assert signature == "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"


# -- AWS SigV4 (W1-W5) ---------------------------------------------------------------------------

W_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
W_DATE = "20150830T123600Z"


def _w_signature(canonical: str, region: str, service: str) -> str:
    scope = signing.sigv4_scope(W_DATE[:8], region, service)
    key = signing.sigv4_signing_key(W_SECRET, W_DATE[:8], region, service)
    return signing.hmac_sha256_hex(key, signing.sigv4_string_to_sign(W_DATE, scope, canonical))


def test_w1_get_vanilla():
    headers = {"Host": "example.amazonaws.com", "X-Amz-Date": W_DATE}
    canonical = signing.sigv4_canonical_request("GET", "/", [], headers, ["host", "x-amz-date"],
                                                signing.EMPTY_SHA256)
    assert canonical == ("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                         "host;x-amz-date\n" + signing.EMPTY_SHA256)
    assert signing.sha256_hex(canonical) == \
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
    assert _w_signature(canonical, "us-east-1", "service") == \
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    auth = signing.sigv4_authorization("AKIDEXAMPLE", W_SECRET, W_DATE, "us-east-1", "service",
                                       canonical, ["host", "x-amz-date"])
    assert auth == ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                    "aws4_request, SignedHeaders=host;x-amz-date, Signature="
                    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")


def test_w1b_query_order_and_key_case():
    headers = {"host": "example.amazonaws.com", "x-amz-date": W_DATE}
    query = [("Param2", "value2"), ("Param1", "value1")]
    assert signing.canonical_query(query) == "Param1=value1&Param2=value2"
    canonical = signing.sigv4_canonical_request("GET", "/", query, headers,
                                                ["host", "x-amz-date"], signing.EMPTY_SHA256)
    assert _w_signature(canonical, "us-east-1", "service") == \
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"


def test_w2_signing_key():
    key = signing.sigv4_signing_key(W_SECRET, "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"


def test_w3_iam_list_users():
    headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8",
               "host": "iam.amazonaws.com", "x-amz-date": W_DATE}
    canonical = signing.sigv4_canonical_request(
        "GET", "/", [("Action", "ListUsers"), ("Version", "2010-05-08")], headers,
        ["content-type", "host", "x-amz-date"], signing.EMPTY_SHA256)
    assert signing.sha256_hex(canonical) == \
        "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
    key = signing.sigv4_signing_key(W_SECRET, "20150830", "us-east-1", "iam")
    assert key.hex() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    assert _w_signature(canonical, "us-east-1", "iam") == \
        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"


W4_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
W4_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
              "Host": "sts.amazonaws.com", "X-Amz-Date": W_DATE}


def test_w4_sts_get_caller_identity():
    assert signing.sha256_hex(W4_BODY) == \
        "ab821ae955788b0e33ebd34c208442ccfc2d406e2edc5e7a39bd6458fbb4f843"
    canonical = signing.sigv4_canonical_request(
        "POST", "/", [], W4_HEADERS, ["content-type", "host", "x-amz-date"],
        signing.sha256_hex(W4_BODY))
    assert signing.sha256_hex(canonical) == \
        "db0f231bd5fb16e6f5461c322c611c18d360f776c1ec9aea36032f7469ea7559"
    assert _w_signature(canonical, "us-east-1", "sts") == \
        "6fb20d31f734d876c5682fdd2678d194cf68b862755f83b7ba1373c0874be25c"


def test_w4b_with_session_token():
    headers = {**W4_HEADERS, "X-Amz-Security-Token": "EXAMPLE-SESSION-TOKEN"}
    canonical = signing.sigv4_canonical_request(
        "POST", "/", [], headers, ["content-type", "host", "x-amz-date", "x-amz-security-token"],
        signing.sha256_hex(W4_BODY))
    assert signing.sha256_hex(canonical) == \
        "6ed027b6d1b79b321e8c7c874298c5b02859797ca9e3dabb0c173cdc03a7d26b"
    assert _w_signature(canonical, "us-east-1", "sts") == \
        "8356e17dc62d04690cc0a5df6ad69176493c8db6fbcba4ed376d9f1434e37f7f"


def test_w5_account_id_decode():
    assert signing.aws_account_id("AKIASP2TPHJSQH3FJRUX") == "171436882533"


@pytest.mark.parametrize("key_id", ["AKIAIOSFODNN7EXAMPLE", "AKIAJ44QH8DHBEXAMPLE", "AKIA123",
                                    "AKIAsp2tphjsqh3fjrux"])
def test_undecodable_key_ids(key_id: str):
    assert signing.aws_account_id(key_id) is None


# -- Tencent TC3 (T1, T2, T2b) -------------------------------------------------------------------

T_SECRET = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
T_TIME = 1551113065
T_CT = "application/json; charset=utf-8"


def test_t1_published_cvm_example():
    body = (b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], '
            b'"Name": "instance-name"}]}')
    assert signing.sha256_hex(body) == \
        "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    headers = {"Content-Type": T_CT, "Host": "cvm.tencentcloudapi.com"}
    canonical = signing.tc3_canonical_request("POST", "/", [], headers, ["content-type", "host"],
                                              body)
    assert canonical == ("POST\n/\n\ncontent-type:application/json; charset=utf-8\n"
                         "host:cvm.tencentcloudapi.com\n\ncontent-type;host\n"
                         "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064")
    assert signing.sha256_hex(canonical) == \
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
    assert signing.tc3_string_to_sign(T_TIME, "cvm", canonical) == (
        "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031")
    assert signing.tc3_signature(T_SECRET, T_TIME, "cvm", canonical) == \
        "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"


def test_t2_sts_get_caller_identity():
    headers = {"Content-Type": T_CT, "Host": "sts.tencentcloudapi.com"}
    assert signing.sha256_hex(b"{}") == \
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    canonical = signing.tc3_canonical_request("POST", "/", [], headers, ["content-type", "host"],
                                              b"{}")
    assert signing.sha256_hex(canonical) == \
        "cf7ada5885230ea02c3e1da8576abb3a027f61edd4fb3d199f71c6ad05c593cd"
    assert signing.tc3_signature(T_SECRET, T_TIME, "sts", canonical) == \
        "201687ea76b82b9e3764e1f21e95c8dd999ee014e1aff455d4a9f4e6b5baf91a"


def test_t2b_signing_the_action_header():
    headers = {"Content-Type": T_CT, "Host": "sts.tencentcloudapi.com",
               "X-TC-Action": "GetCallerIdentity"}
    signed = ["content-type", "host", "x-tc-action"]
    canonical = signing.tc3_canonical_request("POST", "/", [], headers, signed, b"{}")
    assert "x-tc-action:getcalleridentity\n" in canonical
    assert signing.sha256_hex(canonical) == \
        "dd5d2a45af808a169586e92ba2a6436632ec7f533d2f3199159d51455653f20c"
    assert signing.tc3_signature(T_SECRET, T_TIME, "sts", canonical) == \
        "dc8ae2b6d5333149d664e0103695b48ab5ddf3299d0c410a6ad7b326956cbad7"
    auth = signing.tc3_authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", T_SECRET, T_TIME,
                                     "sts", canonical, signed)
    assert auth == ("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/"
                    "sts/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature="
                    "dc8ae2b6d5333149d664e0103695b48ab5ddf3299d0c410a6ad7b326956cbad7")


def test_tc3_date_is_the_utc_date():
    assert signing.tc3_date(T_TIME) == "2019-02-25"
    assert signing.tc3_date(1551139199) == "2019-02-25"  # 23:59:59 UTC
    assert signing.tc3_date(1551139200) == "2019-02-26"


# -- GitHub checksum (G1) ------------------------------------------------------------------------


def test_g1_checksum():
    assert signing.github_checksum("abcdefghijklmnopqrstuvwxyzABCD") == "4dNndU"
    assert signing.github_checksum_ok("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")
    assert not signing.github_checksum_ok("ghp_abcdefghijklmnopqrstuvwxyzABCD012345")


def test_hmac_helper_matches_stdlib():
    assert signing.hmac_sha256_hex(b"k", "m") == hmac.new(b"k", b"m", hashlib.sha256).hexdigest()
