"""Property tests (hypothesis) over the inputs keysweep reads: file chunks, archives and
``git log`` output with arbitrary bytes around a planted key. The key must be reported
exactly once, at the right place, or the input skipped with a reason: never lost silently.

Budgets are hypothesis profiles: "ci" (the default, derandomized so CI is reproducible,
seconds in all) and "long" (benchmarks/fuzz.py --examples N). KEYSWEEP_FUZZ_PROFILE picks
one; KEYSWEEP_FUZZ_EXAMPLES sets the long profile's examples."""

from __future__ import annotations

import codecs
import gzip
import io
import os
import subprocess
import tarfile
import tempfile
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from scanner.engine.config import ScanConfig
from scanner.engine.history import HistoryScanner
from scanner.engine.scanner import Scanner
from scanner.models import BINARY_CONTENT, Origin, ScanResult
from scanner.rules.loader import load_rules
from scanner.sources.git.log import Commit, _tokens, parse_log
from scanner.sources.inputs import ReadOptions, iter_input
from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import SECRET, leak

RULES = load_rules()
# Long generated inputs make hypothesis warn about the size of their repr; the suite turns
# warnings into errors.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True,
                          database=None, print_blob=True, suppress_health_check=_QUIET)
settings.register_profile("long", max_examples=int(os.environ.get("KEYSWEEP_FUZZ_EXAMPLES",
                                                                  "5000")),
                          deadline=None, database=None, print_blob=True,
                          suppress_health_check=_QUIET)
PROFILE = os.environ.get("KEYSWEEP_FUZZ_PROFILE", "ci")
settings.load_profile(PROFILE)
HALF = max(1, settings().max_examples // 2)  # archives cost more per example
# A real git repository per example costs a dozen git processes: far fewer of those.
GIT_EXAMPLES = 15 if PROFILE == "ci" else max(15, settings().max_examples // 20)

SNIFF = 8000  # git's rule, and keysweep's: a NUL in the first 8000 bytes means binary
KEY_LINE = leak(SECRET).encode()
KEY_COLUMN = KEY_LINE.index(SECRET.encode()) + 1
SCANNER = Scanner(ScanConfig(rules=RULES, jobs=1))  # one pipeline, reused by every example


def read_and_scan(data: bytes, path: str, chunk_bytes: int = 8 << 20,
                  overlap: int = 64 << 10) -> ScanResult:
    """scan_text with a given chunking, minus its final de-duplication of exact repeats: a
    key reported by two overlapping chunks must show up twice here, not be merged away."""
    options = ReadOptions(chunk_bytes=chunk_bytes, overlap=overlap)
    return SCANNER.scan_chunks(iter_input(io.BytesIO(data), Origin(path), options))


def secret_places(result: ScanResult) -> list[tuple[str, int, int]]:
    return [(f.location.path, f.location.line, f.location.column)
            for f in result.findings if f.secret == SECRET]


# -- file chunks ---------------------------------------------------------------------------

# UTF-32 LE's BOM begins with UTF-16 LE's: longest first.
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _wide_bom(data: bytes) -> bytes:
    return next((bom for bom in _WIDE_BOMS if data.startswith(bom)), b"")


# Bytes that matter to the reader: NUL, line ends, quotes and delimiters, invalid UTF-8,
# BOM pieces, high Latin-1; plus any byte at all.
_SPECIAL = st.sampled_from([b"\r", b"\n", b"\r\n", b"\n\r", b" ", b"\t", b"'", b'"', b",",
                            b"\xff", b"\xfe", b"\xef\xbb", b"\xc3", b"\xe2\x82", b"\x80",
                            b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x1b[0m", "é".encode()])
_PIECE = st.one_of(_SPECIAL, st.binary(max_size=40), st.text(max_size=20).map(
    lambda s: s.encode("utf-8", "surrogatepass")))
_HEADS = st.sampled_from([b"", codecs.BOM_UTF8, *_WIDE_BOMS,
                          b"\xef\xbb", b"\xff", b"\xfe", b"\xef\xbb\xbf\xef\xbb\xbf"])


@st.composite
def noise(draw: st.DrawFn, max_pieces: int = 30) -> bytes:
    """Arbitrary bytes without NUL (NULs are placed separately, where the property knows),
    sometimes stretched long so the key lands past the binary sniff or across chunks."""
    body = b"".join(draw(st.lists(_PIECE, max_size=max_pieces))).replace(b"\0", b"")
    stretch = draw(st.sampled_from([0, 0, 0, 1000, SNIFF - 70, SNIFF, SNIFF + 30, 20_000]))
    if body and stretch:
        body = (body * (stretch // len(body) + 1))[:stretch]
    return body


def _with_nuls(data: bytes, positions: list[int]) -> bytes:
    for at in sorted(positions, reverse=True):
        at = min(at, len(data))
        data = data[:at] + b"\0" + data[at:]
    return data


@st.composite
def planted_file(draw: st.DrawFn) -> tuple[bytes, int]:
    """(content, offset of the key line): noise, then the key on a line of its own, then
    more noise; up to three NULs anywhere (few enough never to look like UTF-16/32)."""
    head = draw(_HEADS)
    before = draw(noise()) + draw(st.sampled_from([b"\n", b"\r\n"]))
    after = draw(st.sampled_from([b"", b"\n", b"\r\n", b"\r", b"\r\r\n"])) + draw(noise())
    data = head + before + KEY_LINE + after
    where = st.one_of(st.integers(0, min(len(data), SNIFF)), st.integers(0, len(data)),
                      st.sampled_from([SNIFF - 1, SNIFF, SNIFF + 1]))
    nuls = draw(st.lists(where, max_size=3)) if draw(st.booleans()) else []
    # A NUL must not land inside the key line: that would change the key, not hide it.
    at = len(head) + len(before)
    nuls = [at - 1 if at <= n < at + len(KEY_LINE) else n for n in nuls]
    return _with_nuls(data, nuls), at + sum(n < at for n in nuls)


def _sniffed_binary(data: bytes) -> bool:
    """A NUL in the first 8000 bytes after any BOM, unless a UTF-8 BOM says the file is text
    (by design: such a file is read as text, NULs and all; a UTF-16/32 BOM with a NUL after
    it is excluded below)."""
    return b"\0" in data[len(_wide_bom(data)):SNIFF] and not data.startswith(codecs.BOM_UTF8)


def _looks_like_an_archive(data: bytes) -> bool:
    """Archive magic (zip, gzip, bzip2, xz, tar): such input is opened as an archive."""
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"BZh",
                            b"\xfd7zXZ\x00")) or data[257:262] == b"ustar"


def _line_of(data: bytes, at: int) -> int:
    """The 1-based line of offset ``at``: LF ends lines, and so does a lone CR in a file
    whose first 8000 bytes have CRs but no LF (classic Mac text)."""
    before = data[:at]
    sample = data[:SNIFF]
    if b"\r" in sample and b"\n" not in sample:
        return before.count(b"\n") + before.count(b"\r") + 1
    return before.count(b"\n") + 1


@given(planted_file(), st.integers(256, 4096), st.integers(128, 2048))
def test_key_in_arbitrary_bytes_is_found_once_or_the_file_skipped_as_binary(
        planted: tuple[bytes, int], chunk_bytes: int, overlap: int) -> None:
    data, at = planted
    bom = _wide_bom(data)
    # With a UTF-16/32 BOM and a NUL the file is UTF-16/32 text by design, and the ASCII key
    # line is not a key in it: nothing to expect but no crash.
    assume(not (bom and b"\0" in data[len(bom):SNIFF]))
    result = read_and_scan(data, "f.txt", chunk_bytes, overlap)
    event("binary" if _sniffed_binary(data) else
          "key past the sniff" if at > SNIFF else "key in the sniff")
    event("several chunks" if len(data) > chunk_bytes else "one chunk")
    if _looks_like_an_archive(data):  # and a corrupt one: skipped, with a reason
        assert secret_places(result) == []
        assert [s.path for s in result.skipped] == ["f.txt"]
        return
    if _sniffed_binary(data):
        assert secret_places(result) == []
        assert [(s.path, s.reason) for s in result.skipped] == [("f.txt", BINARY_CONTENT)]
        return
    # The key line follows a line break, so its column never counts a BOM.
    assert secret_places(result) == [("f.txt", _line_of(data, at), KEY_COLUMN)]
    assert result.skipped == ()


# -- archives ------------------------------------------------------------------------------

_NAME_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\0")
member_names = st.one_of(
    st.sampled_from(["", ".", "..", "../..", "../x", "/abs", "a/../b", "a//b", " ", "!",
                     "a!b", "x" * 300, "\x01\x1f\x7f", "\t\n\r", "é/ü", "con"]),
    st.text(_NAME_CHARS, max_size=40),
    st.text(_NAME_CHARS, min_size=100, max_size=400))
member_bytes = st.one_of(st.binary(max_size=300), noise(10))

# An archive level: (kind, sibling members); the key is in one more member at ``name``.
KINDS = ["zip", "zip-stored", "tar", "tgz", "gz"]


def _zip_name(name: str) -> str:
    return zipfile.ZipInfo(name).filename  # zipfile's own normalisation (NUL cut, "/" kept)


def _build(kind: str, siblings: list[tuple[str, bytes]], name: str, inner: bytes) -> bytes:
    out = io.BytesIO()
    members = [*siblings, (name, inner)]
    if kind.startswith("zip"):
        method = zipfile.ZIP_STORED if kind == "zip-stored" else zipfile.ZIP_DEFLATED
        with zipfile.ZipFile(out, "w", method) as zf, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # duplicate names are fair input
            for n, content in members:
                zf.writestr(zipfile.ZipInfo(n), content, compress_type=method)
    elif kind in ("tar", "tgz"):
        with tarfile.open(fileobj=out, mode="w:gz" if kind == "tgz" else "w",
                          format=tarfile.PAX_FORMAT) as tf:
            for n, content in members:
                info = tarfile.TarInfo(n)
                info.size = len(content)
                tf.addfile(info, io.BytesIO(content))
    else:
        out.write(gzip.compress(inner, mtime=0))
    return out.getvalue()


@st.composite
def archive_levels(draw: st.DrawFn) -> list[tuple[str, list[tuple[str, bytes]], str]]:
    levels = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(KINDS))
        siblings = draw(st.lists(st.tuples(member_names, member_bytes), max_size=4))
        name = draw(member_names)
        levels.append((kind, [] if kind == "gz" else siblings, name))
    return levels


def _gz_member(outer: str) -> str:
    """The name keysweep gives a .gz's content: the outer name without .gz (.tgz -> .tar)."""
    name = os.path.basename(outer.rsplit("!", 1)[-1])
    for suffix in (".gz", ".tgz"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] + (".tar" if suffix == ".tgz" else "") or "content"
    return name or "content"


@settings(max_examples=HALF)
@given(archive_levels(), noise(10), noise(10))
def test_key_in_a_nested_archive_member_is_found_once_at_its_member_path(
        levels: list[tuple[str, list[tuple[str, bytes]], str]], before: bytes,
        after: bytes) -> None:
    content = before + b"\n" + KEY_LINE + after
    # Outermost first: each level holds the next one as its key member.
    kinds = [kind for kind, _, _ in levels]
    expected = path = "top.bin"
    for (kind, _, name), inner_kind in zip(levels, [*kinds[1:], None], strict=True):
        if kind == "gz":
            if inner_kind != "tar":  # a gzipped tar's members sit right under the .gz
                expected += "!" + _gz_member(expected)
            continue
        if kind.startswith("zip"):
            name = _zip_name(name)
        # A name ending in "/" is a directory entry (zip) or one by convention (tar), and an
        # empty one is unreadable: the key's member needs a file's name; siblings may have any.
        assume(name.strip("/") and not name.endswith("/"))
        expected += "!" + name
    inner = content
    for kind, siblings, name in reversed(levels):
        if kind.startswith("zip"):
            name = _zip_name(name)
        inner = _build(kind, siblings, name, inner)
    result = read_and_scan(inner, path)
    places = [p for p, _, _ in secret_places(result)]
    if _looks_like_an_archive(content):
        # Read as the archive its first bytes say it is (corrupt, or one level too deep), so
        # skipped with a reason; siblings may be skipped too.
        assert places == []
        assert expected in [s.path for s in result.skipped]
        return
    assert places == [expected], (places, result.skipped)



@pytest.mark.parametrize(("chunk_bytes", "overlap", "run"), [(256, 128, 8203),
                                                             (4096, 1024, 12039)])
def test_a_cut_at_a_late_delimiter_still_leaves_the_overlap(chunk_bytes: int, overlap: int,
                                                             run: int) -> None:
    """Found by the chunk fuzz test: in a long run with no line break, the next chunk began
    at the first delimiter found up to 4 KiB on, which could be the last bytes of the chunk:
    the overlap shrank to a few bytes, and a key there was cut off from its context."""
    data = b"\xff" * run + b"\n" + KEY_LINE
    result = read_and_scan(data, "f.txt", chunk_bytes, overlap)
    assert secret_places(result) == [("f.txt", 2, KEY_COLUMN)]


def test_zip_inside_a_gzipped_tar_is_opened() -> None:
    """Found by the fuzz test above: a .jar/.zip member of a .tar.gz was skipped with an
    unexpected AttributeError (tarfile's stream members raise when asked seekable())."""
    inner = _build("zip", [], "app/k.txt", KEY_LINE)
    for kind in ("tgz", "tar"):
        result = read_and_scan(_build(kind, [], "lib.jar", inner), "top.tgz")
        assert secret_places(result) == [("top.tgz!lib.jar!app/k.txt", 1, KEY_COLUMN)]
        assert result.skipped == ()


# -- git log output ------------------------------------------------------------------------

_HEX = "0123456789abcdef"
ids = st.text(st.sampled_from(_HEX), min_size=40, max_size=40)
# Any bytes but NUL: git keeps none in names, messages or paths.
field_bytes = st.one_of(
    st.binary(max_size=60), st.sampled_from([b"\x1e", b"\x1f", b"\n", b"\n:", b":100644",
                                             b" ", b"a" * 40 + b" ", b"0" * 40])
).map(lambda b: b.replace(b"\0", b""))
paths = st.one_of(field_bytes.map(lambda b: b or b"p"), ids.map(str.encode),
                  ids.map(lambda s: (s + " " + s).encode()),
                  st.sampled_from([b"\n", b"\n:x", b": M", b"a\nb", b"\xff\xfe"]))
MODES = ["100644", "100755", "120000", "160000", "040000"]


@st.composite
def commits(draw: st.DrawFn,
            sha: str) -> tuple[list[bytes], list[str], list[tuple[str, str, bytes]]]:
    """One commit's fields as git writes them, its parents, and its (mode, blob, path)
    changes (a deletion's blob is the null id)."""
    parents = draw(st.lists(ids, max_size=3))
    author, email, date, message = (draw(field_bytes) for _ in range(4))
    fields = [f"{sha} {' '.join(parents)}".encode(), author, email, date, message, b""]
    changes = []
    n = max(len(parents), 1)
    for i in range(draw(st.integers(0, 4))):
        modes = [draw(st.sampled_from(MODES)) for _ in range(n + 1)]
        blobs = [draw(ids) for _ in range(n)]
        blob = "0" * 40 if draw(st.integers(0, 5)) == 0 else draw(ids)
        status = "".join(draw(st.sampled_from("AMDT")) for _ in range(n))
        meta = ":" * n + " ".join(modes) + " " + " ".join([*blobs, blob]) + " " + status
        path = draw(paths)
        fields += [(b"\n" if i == 0 else b"") + meta.encode(), path]
        changes.append((modes[-1], blob, path))
    if not changes:
        fields.append(b"")
    return fields, parents, changes


@given(st.data(), st.lists(ids, min_size=1, max_size=6, unique=True))
def test_parse_log_returns_every_commit_and_change_exactly(data: st.DataObject,
                                                           shas: list[str]) -> None:
    stream = b""
    expected = []
    for order, sha in enumerate(shas):
        fields, _, changes = data.draw(commits(sha))
        stream += b"\0".join(fields) + b"\0"
        author, email, date, message = fields[1:5]
        commit = Commit(sha, author.decode("utf-8", "replace"),
                        email.decode("utf-8", "replace"), date.decode("ascii", "replace"),
                        order)
        kept = [(mode, blob, path.decode("utf-8", "replace"))
                for mode, blob, path in changes if blob != "0" * 40]
        expected.append((commit, message.decode("utf-8", "replace"), kept))
    # git ends the last commit without the trailing empty field at times: both must parse.
    if data.draw(st.booleans()):
        stream = stream.rstrip(b"\0")
    assert list(parse_log(_tokens(io.BytesIO(stream)))) == expected


# -- real git ------------------------------------------------------------------------------

# What git itself accepts: names without "<", ">" or a line break (git trims the ends, so
# the expected author is what git log prints); messages without NUL; file names without
# "/" or NUL that are not ".", ".." or ".git".
git_names = st.text(st.characters(exclude_categories=["Cs", "Cc"],
                                  exclude_characters="<>"), min_size=1, max_size=30)
git_messages = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\0"),
                       min_size=1, max_size=200)
file_names = st.one_of(
    st.binary(min_size=1, max_size=40).map(
        lambda b: b.replace(b"\0", b"").replace(b"/", b"") or b"x"),
    st.text(_NAME_CHARS, min_size=1, max_size=40).map(
        lambda s: s.replace("/", "").encode("utf-8", "surrogatepass") or b"x"),
    st.sampled_from([b"a\nb", b"-n", b" x ", b"\x1e\x1f", b"a!b", b"\xff.txt", b"\\"])
).filter(lambda b: b not in (b"", b".", b"..", b".git") and b.lower() != b".git"
         and len(b) <= 200)


def _git(repo: Path, *args: str | bytes, env: dict[str, str] | None = None) -> bytes:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                          env={**os.environ, **(env or {})}, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout


@settings(max_examples=GIT_EXAMPLES, suppress_health_check=[*_QUIET,
                                                            HealthCheck.filter_too_much])
@given(git_names, git_messages, file_names, st.sampled_from([b"", b"dir/", b"a b/\x01/"]))
def test_key_in_a_real_repository_is_found_once_at_its_path_and_commit(
        author: str, message: str, name: bytes, directory: bytes) -> None:
    assume(author.strip(" .,:;\"'\t") and "\n" not in author)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        repo = GitRepo(root)
        repo.commit("first", **{"README": "nothing here\n"})
        rel = directory + name
        target = Path(os.fsdecode(os.path.join(os.fsencode(root), rel)))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"config\n" + KEY_LINE)
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", message,
             env={"GIT_AUTHOR_NAME": author, "GIT_COMMITTER_NAME": author})
        sha = _git(root, "rev-parse", "HEAD").decode().strip()
        shown = _git(root, "log", "-1", "--format=%an").decode().rstrip("\n")
        repo.commit("later", **{"other.txt": "more\n"})
        result = HistoryScanner(ScanConfig(rules=RULES, jobs=1)).scan(str(root))
    got = [(f.location.path, f.location.commit, f.location.author, f.location.line,
            f.location.in_head) for f in result.findings if f.secret == SECRET]
    assert got == [(rel.decode("utf-8", "replace"), sha, shown, 2, True)]


def test_key_in_a_file_named_with_a_bang_is_still_in_head(tmp_path: Path) -> None:
    """Found by the real-git fuzz test above: a file named ``a!b`` was taken for member
    ``b`` of an archive ``a``, so its finding said the key was gone from HEAD."""
    repo = GitRepo(tmp_path / "repo")
    sha = repo.commit("add", **{"a!b": "config\n" + leak(SECRET), "c.txt": "x\n"})
    repo.commit("later", **{"other.txt": "more\n"})
    result = HistoryScanner(ScanConfig(rules=RULES, jobs=1)).scan(str(repo.path))
    assert [(f.location.path, f.location.commit, f.location.in_head)
            for f in result.findings if f.secret == SECRET] == [("a!b", sha, True)]
