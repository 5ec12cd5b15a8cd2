"""The matching pipeline on text: pairing, context, decoders, chunk boundaries, locations,
and both prefilter engines giving identical findings."""

from __future__ import annotations

import base64
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.engine.config import ScanConfig
from scanner.engine.scanner import Scanner
from scanner.matching import fast
from scanner.matching.prefilter import make_prefilter
from scanner.models import Origin
from scanner.rules.loader import load_rules
from scanner.sources.inputs import ReadOptions, iter_input
from tests.helpers.keys import ID, SECRET

RULES = load_rules()
OTHER_SECRET = "pYlSXpfKtHF4vUCsMehGAkWvj7FAc9"


def scanner(**kw: object) -> Scanner:
    return Scanner(ScanConfig(rules=RULES, jobs=1, **kw))  # type: ignore[arg-type]


def found(text: str, **kw: object) -> list[tuple[str, str, int, int]]:
    result = scanner(**kw).scan_text(text)
    return [(f.rule_id, f.secret, f.location.line, f.location.column) for f in result.findings]


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def test_secret_is_paired_with_the_nearest_id_and_the_id_with_it():
    text = f"ak = '{ID}'\nx = 1\nsk = '{SECRET}'\n"
    findings = {f.rule_id: f for f in scanner().scan_text(text).findings}
    secret = findings["alibaba-access-key-secret"]
    ident = findings["alibaba-access-key-id"]
    assert secret.paired_with is not None and secret.paired_with.secret == ID
    assert ident.paired_with is not None and ident.paired_with.secret == SECRET
    assert secret.location.line == 3 and secret.location.column == 7


def test_secret_without_id_or_context_is_dropped_with_a_reason():
    # The placeholder ID wakes the secret rule but is itself dropped, so nothing vouches for
    # the 30-character string next to it.
    text = f"ak = 'LTAI5tXXXXXXXXXXXXXXXXXX'\ntoken = '{SECRET}'\n"
    result = scanner(explain=True).scan_text(text)
    assert result.findings == ()
    reasons = [d.reason for d in result.dropped if d.rule_id == "alibaba-access-key-secret"]
    assert reasons and reasons[0].startswith("context: needs")


def test_context_word_alone_is_enough_for_a_secret():
    assert found(f"ALIYUN_SECRET={SECRET}") == [("alibaba-access-key-secret", SECRET, 1, 15)]


def test_inline_allow_suppresses_only_its_line():
    text = (f"access_key_secret = '{SECRET}'  # keysweep:allow\n"
            f"access_key_secret = '{OTHER_SECRET}'\n")
    assert [s for _, s, _, _ in found(text)] == [OTHER_SECRET]


def test_kubernetes_secret_values_are_decoded_and_located_at_the_encoded_value():
    text = ("apiVersion: v1\nkind: Secret\ndata:\n"
            f"  accessKeyId: {b64(ID)}\n  accessKeySecret: {b64(SECRET)}\n")
    result = scanner().scan_text(text)
    got = {(f.secret, f.location.line, f.location.column, f.decoded) for f in result.findings}
    assert got == {(ID, 4, 16, ("base64",)), (SECRET, 5, 20, ("base64",))}
    secret = next(f for f in result.findings if f.secret == SECRET)
    assert secret.paired_with is not None and secret.paired_with.secret == ID


def test_base64_inside_base64_is_decoded_twice():
    inner = f"aliyun_access_key_id={ID}\naliyun_access_key_secret={SECRET}\n"
    result = scanner().scan_text("config: " + b64(b64(inner)) + "\n")
    assert {(f.secret, f.decoded) for f in result.findings} == {
        (ID, ("base64", "base64")), (SECRET, ("base64", "base64"))}


def test_no_decode_turns_decoding_off():
    text = f"data:\n  accessKeyId: {b64(ID)}\n"
    assert found(text) and not found(text, decode_depth=0)


def test_url_escapes_are_decoded():
    text = f"GET /?OSSAccessKeyId={ID}%26aliyun_secret%3D{SECRET}&Expires=1\n"
    result = scanner().scan_text(text)
    secret = next(f for f in result.findings if f.secret == SECRET)
    assert secret.decoded == ("url",)
    assert secret.location.column == text.index(SECRET) + 1


def test_json_string_escapes_are_decoded():
    # A JSON encoder that escapes '/' hides an AWS-style secret from a plain regex; here an
    # Alibaba secret is split from its context by \u escapes instead.
    text = '{"cfg": "aliyun_access_key_secret\\u003d' + SECRET + '"}\n'
    result = scanner().scan_text(text)
    assert [(f.secret, f.decoded) for f in result.findings] == [(SECRET, ("unescape",))]


def test_same_secret_at_same_place_is_reported_once_and_many_places_share_a_hash():
    text = f"aliyun_secret = '{SECRET}'\n" * 3
    result = scanner().scan_text(text)
    assert [f.location.line for f in result.findings] == [1, 2, 3]
    assert len({f.secret_sha256 for f in result.findings}) == 1


def test_crlf_and_non_ascii_columns_count_characters():
    text = f"# ключ доступа\r\nключ = '{ID}'\r\n"
    assert found(text) == [("alibaba-access-key-id", ID, 2, 9)]


@pytest.mark.parametrize("chunk_bytes", [4096, 5000, 16384])
def test_key_across_chunk_boundaries_is_found_once_with_the_right_line(chunk_bytes):
    filler = "".join(f"line {i} of harmless text, nothing to see here\n" for i in range(400))
    text = filler + f"aliyun_secret = '{SECRET}'\n" + filler + f"ak={ID}\n"
    options = ReadOptions(chunk_bytes=chunk_bytes, overlap=1024)
    chunks = list(iter_input(io.BytesIO(text.encode()), Origin("big.txt"), options))
    assert len(chunks) > 2
    result = scanner().scan_chunks(chunks)
    got = sorted((f.secret, f.location.line) for f in result.findings)
    assert got == sorted([(SECRET, 401), (ID, 802)])


def test_key_in_a_long_single_line_across_chunks_is_found_once():
    line = ("var a=" + "x1," * 3000 + f"aliyun_secret='{SECRET}';" + "y2," * 3000) * 3
    options = ReadOptions(chunk_bytes=8192, overlap=2048)
    chunks = list(iter_input(io.BytesIO(line.encode()), Origin("min.js"), options))
    result = scanner().scan_chunks(chunks)
    assert [f.location.column for f in result.findings] == [
        i + 1 for i in range(len(line)) if line.startswith(SECRET, i)]


def _all_examples_text() -> str:
    parts = []
    for rule in RULES.rules:
        parts.extend(ex.text for ex in rule.examples)
        parts.extend(ex.text for ex in rule.counterexamples)
    return "\n\n\n\n\n\n\n".join(parts)


@pytest.mark.skipif(not fast.available(), reason="hyperscan has no wheel for this platform")
def test_hyperscan_and_aho_corasick_give_identical_findings():
    text = _all_examples_text() * 3
    def run(engine: str) -> list[tuple[str, str, int, int, tuple[str, ...]]]:
        result = scanner(engine=engine).scan_text(text)
        return [(f.rule_id, f.secret, f.location.line, f.location.column, f.decoded)
                for f in result.findings]
    ahocorasick = run("pyahocorasick")
    assert len(ahocorasick) > 20
    assert run("hyperscan") == ahocorasick


@pytest.mark.parametrize("engine", ["pyahocorasick", "hyperscan"])
def test_a_prefilter_finds_the_same_hits_in_bytes_as_in_their_latin1_text(engine: str):
    if engine == "hyperscan" and not fast.available():
        engine = "pyahocorasick"  # the one engine there is must still agree with itself
    prefilter = make_prefilter(["ltai", "secret_key", "ß"], engine)
    data = ("\xe9LTAI5tQ\x00 Secret_Key=\xff\xdf ltai\n".encode("latin-1")) * 3
    hits = sorted(prefilter.find_bytes(data))
    assert hits == sorted(prefilter.find(data.decode("latin-1")))
    assert [kw for kw, _ in hits].count(0) == 6 and [kw for kw, _ in hits].count(1) == 3


def _pem(label: str, der: bytes, escape: str = "\n") -> str:
    body = base64.b64encode(der).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return escape.join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])


ED25519_PKCS8 = bytes.fromhex("302e020100300506032b657004220420") + bytes(range(7, 39))


def test_multiline_key_blocks_ed25519_and_encryption_tags():
    import random

    from benchmarks import _keys

    rng = random.Random(3)
    openssh = _keys.openssh_private(_keys.ed25519_key(rng), "dev@laptop", rng)
    encrypted = ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                 "DEK-Info: AES-128-CBC,0F2E4B6A8C1D3E5F7A9B2C4D6E8F0A1B\n\n"
                 + base64.b64encode(bytes(rng.randrange(256) for _ in range(1200))).decode()
                 + "\n-----END RSA PRIVATE KEY-----\n")
    text = "\n\n".join([_pem("PRIVATE KEY", ED25519_PKCS8), openssh, encrypted])
    found_ = {f.secret.split("\n", 1)[0]: f for f in scanner().scan_text(text).findings}
    assert set(found_) == {"-----BEGIN PRIVATE KEY-----", "-----BEGIN OPENSSH PRIVATE KEY-----",
                           "-----BEGIN RSA PRIVATE KEY-----"}
    assert found_["-----BEGIN OPENSSH PRIVATE KEY-----"].tags == ()
    assert found_["-----BEGIN OPENSSH PRIVATE KEY-----"].severity == "high"
    assert found_["-----BEGIN RSA PRIVATE KEY-----"].tags == ("encrypted",)
    assert found_["-----BEGIN RSA PRIVATE KEY-----"].severity == "low"


def test_key_in_java_string_concatenation_with_plus_at_line_edges():
    der = ED25519_PKCS8[:16] + bytes.fromhex(
        "081bb03ad94130befa4f2dc5f3793951c333f9fe9dc22bdd91305f94a5c35b31")
    body = base64.b64encode(der).decode()
    assert body[31] == body[32] == body[47] == "+"  # '+' at the end and start of lines
    java = ('String key = "-----BEGIN PRIVATE KEY-----\\n" +\n'
            + "".join(f'    "{body[i:i + 16]}\\n" +\n' for i in range(0, len(body), 16))
            + '    "-----END PRIVATE KEY-----";\n')
    assert [f.rule_id for f in scanner().scan_text(java).findings] == ["private-key"]


def test_service_account_key_is_one_finding_not_two():
    key = _pem("PRIVATE KEY", ED25519_PKCS8, escape="\\n")
    text = ('{\n  "type": "service_account",\n  "project_id": "p-1",\n'
            f'  "private_key": "{key}\\n",\n'
            '  "client_email": "a@p-1.iam.gserviceaccount.com"\n}\n')
    findings = scanner().scan_text(text).findings
    # The key once (not again as a plain private key), paired with its account's email,
    # which is no secret and no finding of its own (report = false).
    assert [f.rule_id for f in findings] == ["gcp-service-account-key"]
    key_finding = next(f for f in findings if f.kind == "private_key")
    assert key_finding.paired_with is not None
    assert key_finding.paired_with.secret == "a@p-1.iam.gserviceaccount.com"


def test_same_shaped_secrets_of_two_providers_go_to_the_right_one():
    text = ("AWS_ACCESS_KEY_ID=AKIAVQJXXVBOTHD2WTFL\n"
            "AWS_SECRET_ACCESS_KEY=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\n"
            "HUAWEICLOUD_SDK_AK=D0VLH5KAVBW3LF1BLO3B\n"
            "HUAWEICLOUD_SDK_SK=gtfn4G3aFck9EvgvIFLXUTNRyECPjBSnAuxKfvI3\n")
    got = {(f.rule_id, f.secret[:4], f.paired_with.secret[:4] if f.paired_with else None)
           for f in scanner().scan_text(text).findings}
    assert got == {("aws-access-key-id", "AKIA", "9k2L"), ("aws-secret-access-key", "9k2L", "AKIA"),
                   ("huawei-access-key-id", "D0VL", "gtfn"),
                   ("huawei-secret-access-key", "gtfn", "D0VL")}


def test_an_id_url_encoded_in_a_string_to_sign_is_found():
    # Its raw neighbours are letters and digits (%3D...%26), so only the URL-decoded view of
    # its window shows it: a hit inside a token must still have its window decoded.
    text = f"GET&%2F&AccessKeyId%3D{ID}%26Action%3DDescribeInstances%26Format%3DJSON\n"
    assert [(rule, secret) for rule, secret, _, _ in found(text)] == [
        ("alibaba-access-key-id", ID)]


def test_merge_joins_overlapping_and_touching_spans_only_by_default():
    from scanner.matching.windows import merge

    assert merge([(10, 20), (0, 5), (5, 8), (19, 30), (40, 50)]) == [(0, 8), (10, 30), (40, 50)]


def test_merge_with_a_gap_joins_spans_closer_than_it():
    from scanner.matching.windows import merge

    spans = [(0, 10), (15, 20), (40, 50)]
    assert merge(spans, gap=5) == [(0, 20), (40, 50)]
    assert merge(spans, gap=4) == spans
    assert merge(spans, gap=20) == [(0, 50)]


def test_base64_forms_of_keywords_are_matched_in_their_own_case():
    """base64 keeps case, so "cGFzc3dvcmQ" is a hidden keyword and "CgfZC3DVCMq" is not:
    the fast engine is told each form's spellings and reports only those."""
    import base64

    from scanner.matching import fast
    from scanner.matching.keywords import build_keyword_table
    from scanner.rules.loader import load_rules

    table = build_keyword_table(load_rules().rules)
    spellings = table.spellings()
    encoded = [i for i, is_encoded in enumerate(table.encoded) if is_encoded]
    assert encoded and all(isinstance(spellings[i], tuple) and spellings[i] for i in encoded)
    hidden = base64.b64encode(b"aliyun_access_key_secret = 'x'").decode()
    assert fast.available()  # a test extra on this platform
    engine = fast.HyperscanPrefilter(table.literals, spellings)
    woken = {table.literals[k] for k, _ in engine.find(hidden)}
    assert any(table.encoded[table.literals.index(w)] for w in woken)
    swapped = {table.literals[k] for k, _ in engine.find(hidden.swapcase())}
    assert not any(table.encoded[table.literals.index(w)] for w in swapped)


def test_base64_blocks_are_the_runs_one_look_around_pattern_finds():
    """The decoder's run finder against the plain definition of a block: base64 characters
    with "=" padding only at the end, nothing of the alphabet or "=" on either side."""
    import random
    import re
    import string

    from scanner.decoders.base64 import MAX_RUN, MIN_RUN, _runs

    definition = re.compile(rf"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{{{MIN_RUN},{MAX_RUN}}}"
                            rf"={{0,2}}(?![A-Za-z0-9+/_=-])")
    rnd = random.Random(5)
    noise = string.ascii_letters + string.digits + "+/=_-  \n\"'=:;"
    for _ in range(3000):
        text = "".join(rnd.choice(noise) for _ in range(rnd.randint(0, 200)))
        cut = rnd.randint(0, len(text))
        block = "".join(rnd.choice(string.ascii_letters + "+/") for _ in range(rnd.randint(8, 40)))
        text = text[:cut] + block + "=" * rnd.randint(0, 3) + text[cut:]
        start = rnd.randint(0, len(text))
        end = rnd.randint(start, len(text))
        assert list(_runs(text, start, end)) == [
            (m.start(), m.end(), m.group()) for m in definition.finditer(text, start, end)]


def test_a_region_grows_left_to_the_start_of_the_base64_run_it_cuts():
    """run_start against its definition: the longest run of the alphabet ending at the
    region's start, at most MAX_RUN long (a short window is looked at first, then a long)."""
    import random

    from scanner.decoders.base64 import MAX_RUN, run_start

    alphabet = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_=-")

    def definition(text: str, start: int) -> int:
        at = start
        while at > max(0, start - MAX_RUN) and text[at - 1] in alphabet:
            at -= 1
        return at

    rnd = random.Random(7)
    for _ in range(3000):
        length = rnd.choice([0, 3, 63, 64, 65, 200])
        text = "".join(rnd.choice("Ab9+/_=-" if rnd.random() < 0.8 else " \n.:\"'é")
                       for _ in range(length))
        start = rnd.randint(0, len(text))
        assert run_start(text, start) == definition(text, start), (text, start)
    long_run = "x." + "A" * (MAX_RUN + 100)
    for start in (len(long_run), MAX_RUN + 2, MAX_RUN + 1, 100, 2, 1):
        assert run_start(long_run, start) == definition(long_run, start), start


def test_regions_inside_one_base64_run_share_one_view_made_once():
    """Many keyword hits in one long blob (a notebook's image) give many regions: each grows
    to the whole run, so they share one extent, and the run is decoded once; a region beyond
    the run keeps its own."""
    from scanner.decoders import blocks_of
    from scanner.decoders.base64 import Base64Decoder

    blob = base64.b64encode(bytes(range(256)) * 4).decode()  # 1,368 characters, no text
    text = f'img = "{blob}"\nother = 1\n' + "x = 2\n" * 50 + "tail = 3\n"
    start = text.index(blob)
    regions = [(start + 10, start + 20), (start + 400, start + 420), (start + 1300, start + 1310),
               (len(text) - 8, len(text) - 2)]
    extents = blocks_of(Base64Decoder(), text, regions)
    assert extents[:3] == [(start, start + len(blob))] * 3
    assert extents[3][0] > start + len(blob)
    # End to end: a key encoded in a long blob is still found, once.
    payload = f"{'filler text ' * 100}\nak={ID}\nsk={SECRET}\n{'more text ' * 100}"
    many = f"data: {base64.b64encode(payload.encode()).decode()}\n"
    assert [r for r, *_ in found(many)].count("alibaba-access-key-id") == 1


def test_a_plaintext_keyword_deep_inside_a_base64_run_is_chance():
    """Two- and three-letter keywords occur by chance in every few kB of base64 (images in
    notebooks); deep inside a run such a hit is no word and no key's start, and is passed
    over. The same key after a separator is found; a key encoded deep in a run still is."""
    from scanner.decoders.base64 import BURIED, buried

    key = "YCAJEk3mN5pQ8sT1vW4yZ7bC0"  # a Yandex Cloud static key ID's shape
    blob = "Qm9i" * (BURIED // 4 + 10)
    assert buried(blob + key, len(blob))
    assert not buried(blob + " " + key, len(blob) + 1)
    assert not buried("ab" + key, 2)
    assert [r for r, *_ in found(f"{blob}\nkey_id: {key}\n")] == ["yandex-cloud-static-key-id"]


def test_code_block_openers_alone_do_not_open_a_structured_view():
    """Python's ``else:`` and C++'s ``public:`` look like YAML keys: a region whose only such
    line is one of them is not read line by line, and a real YAML block still is."""
    from scanner.decoders.structure import _GATE, StructureDecoder

    value = "AbCd1234EfGh5678IjKl"
    decoder = StructureDecoder()
    for code in (f"if x:\n    pass\nelse:\n    token = '{value}'\n",
                 f"class A {{\npublic:\n    key = \"{value}\";\n}};\n",
                 f"try:\n    key = '{value}'\nexcept:\n    pass\nfinally:\n    pass\n"):
        assert _GATE.search(code) is None, code
        assert decoder.replacements(code, 0, len(code)) == [], code
    yaml = f"aliyun:\n  access_key_secret: {value}\nelsewhere:\n  x: 1\n"
    assert _GATE.search(yaml) is not None
    assert any("aliyun.access_key_secret" in new
               for _, _, new in decoder.replacements(yaml, 0, len(yaml)))


def test_snake_case_runs_are_not_decoded_and_no_encoded_key_looks_like_one():
    """A run of lower-case letters and underscores is a name in code, not base64 worth
    decoding; and the base64 of a line that carries a key never looks like such a name."""
    import base64
    import random
    import string

    from scanner.decoders.base64 import _IDENTIFIER, _runs

    code = "self.assert_response_is_cached_and_fresh(response_headers_are_ok)"
    assert list(_runs(code, 0, len(code))) == []
    encoded = base64.b64encode(b"aws_secret_access_key = wJalrXUtnFEMIK7MDENG").decode()
    assert [r for _, _, r in _runs(encoded, 0, len(encoded))] == [encoded]
    rnd = random.Random(3)
    key_alphabet = string.ascii_letters + string.digits + "+/"
    for _ in range(5000):
        name = "".join(rnd.choice(string.ascii_lowercase + "_") for _ in range(rnd.randint(2, 30)))
        key = "".join(rnd.choice(key_alphabet) for _ in range(rnd.randint(16, 64)))
        separator = rnd.choice(["=", ": ", " = ", "='", ': "'])
        line = name + separator + key
        for variant in (base64.b64encode, base64.urlsafe_b64encode):
            assert not _IDENTIFIER.fullmatch(variant(line.encode()).decode()), line


def test_docstring_headers_and_list_literals_do_not_open_a_structured_view():
    """``Args:``/``Returns:`` in a docstring and a list literal alone on its line look like a
    YAML block and an INI section; real ones still open the view."""
    from scanner.decoders.structure import _opens

    for line in ("    Args:\n      token: x", "    Returns:\n      - x", "Raises:", "  Example:",
                 "Notes:", "[('key', 'val')]", "    [u'body', u'url']",
                 "['token', 'quoted value']"):
        assert not _opens(line, 0, len(line)), line
    for line in ("args:\n  token: x", "[default]", '[remote "origin"]', "[profile prod]",
                 "Examples_dir:\n\n  - one", "returns:\n    - name: x",
                 '"key":\n  "AbC0123456789xyZw"'):
        assert _opens(line, 0, len(line)), line
    header = "creds:\n  token: x\n"  # the region ends at the header; its child is past it
    assert _opens(header, 0, header.index("\n"))


def test_a_label_in_code_opens_no_block_and_a_yaml_key_with_children_does():
    """``default:`` or ``out:`` in C looks like a YAML key, but a statement follows it, not an
    indented key, a list item or a value: no view renames the code under it."""
    from scanner.decoders.structure import StructureDecoder

    value = "Zq4TnV8wLr2XbK6mPd0sYh"
    code = f'\tswitch (kind) {{\n\tdefault:\n\t\ttoken = "{value}";\n\t\tbreak;\n\t}}\n'
    label = f'out:\n\tkey = "{value}";\n\treturn ret;\n'
    yaml = f"default:\n  token: {value}\n"
    decoder = StructureDecoder()
    assert decoder.replacements(code, 0, len(code)) == []
    assert decoder.replacements(label, 0, len(label)) == []
    views = decoder.replacements(yaml, 0, len(yaml))
    assert [new for _, _, new in views if "token" in new] == ["default.token: "]


_ENCODED_LINE = base64.b64encode(b"secret_key = AbCdEfGh12345678").decode()
_PIECES = ["\n", " ", "=", "==", "NAME=", "export API_KEY=", "  KEY_1=", "# ", "x" * 70,
           "N" * 130, _ENCODED_LINE, _ENCODED_LINE[:20], "QUJD", "snake_case_name_here",
           "x y", " " * 40, "KEY="]


@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.data())
@settings(max_examples=300, derandomize=True, deadline=None, database=None)
def test_a_remembered_base64_view_is_the_one_decoding_would_make(pieces, data):
    """The base64 decoder looks a region's blocks up by the text they depend on (the grown
    region and the line before it, where an .env name is read): what it returns is what
    decoding that region of this text gives, wherever the same text was met before."""
    from scanner.decoders.base64 import Base64Decoder

    remembered, fresh = Base64Decoder(), Base64Decoder()
    text = "".join(pieces)
    for _ in range(4):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, len(text)))
        expected = fresh._decode(text, *fresh.region(text, start, end))
        assert remembered.replacements(text, start, end) == expected
        text = data.draw(st.sampled_from(_PIECES)) + text  # the same blocks, shifted


def test_a_remembered_base64_view_reads_an_env_name_up_to_its_line_start():
    """An .env value's name is read back to its line's start, up to ENV_LOOKBACK characters
    before its ``=``: a view remembered from a window that began later would take the end of
    a longer line (``x y      KEY=``) for a name."""
    from scanner.decoders.base64 import ENV_LOOKBACK, Base64Decoder

    remembered, fresh = Base64Decoder(), Base64Decoder()
    for pad in range(ENV_LOOKBACK - 12, ENV_LOOKBACK + 4):
        for lead in ("x y", ""):
            text = f"first line\n{lead}{' ' * pad}KEY={_ENCODED_LINE}\n"
            start = text.index("KEY=")
            expected = fresh._decode(text, *fresh.region(text, start, start + 4))
            # A name only when the line break before it is within reach of the ``=``.
            reach = pad + len("KEY") + 1
            assert bool(expected) == (not lead and reach < ENV_LOOKBACK), (pad, lead)
            assert remembered.replacements(text, start, start + 4) == expected, (pad, lead)
