"""History scanning on real repositories built with the git CLI: each finding must name the
commit that introduced it at its path, every blob is read once, scope options scan exactly
what they say."""

from __future__ import annotations

import subprocess
import zlib
from pathlib import Path

import pytest

from scanner.engine.config import ScanConfig
from scanner.engine.history import COMMIT_MESSAGE, HistoryScanner
from scanner.engine.scanner import Scanner
from scanner.rules.loader import load_rules
from scanner.sources.git.scope import GitScope
from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import ID, SECRET, SECRET2, SECRET3, leak
from tests.helpers.run import run_keysweep

RULES = load_rules()


def scan(repo: GitRepo, scope: GitScope | None = None, jobs: int = 1, progress=None):
    config = ScanConfig(rules=RULES, jobs=jobs)
    return HistoryScanner(config, progress).scan(str(repo.path), scope)


def places(result, secret: str) -> set[tuple[str, str | None]]:
    return {(f.location.path, f.location.commit) for f in result.findings if f.secret == secret}


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.commit("initial", **{"README.md": "# project\n"})
    return r


def test_key_added_then_removed_is_found_at_the_commit_that_added_it(repo: GitRepo):
    added = repo.commit("add config", **{"conf/app.ini": "x = 1\n" + leak(SECRET)})
    repo.commit("remove key", **{"conf/app.ini": "x = 1\n"})
    result = scan(repo)
    [f] = [f for f in result.findings if f.secret == SECRET]
    assert (f.location.path, f.location.commit, f.location.line) == ("conf/app.ini", added, 2)
    assert f.location.in_head is False
    assert f.location.author == "Test Author" and f.location.date.startswith("2024-01-01")


def test_key_only_in_a_deleted_file(repo: GitRepo):
    added = repo.commit("oops", **{"secrets.env": leak(SECRET)})
    repo.rm("secrets.env")
    repo.commit("delete")
    assert places(scan(repo), SECRET) == {("secrets.env", added)}


def test_key_still_in_head_is_marked(repo: GitRepo):
    added = repo.commit("add", **{"a.py": leak(SECRET)})
    repo.commit("unrelated edit", **{"a.py": "# comment\n" + leak(SECRET)})
    [f] = scan(repo).findings
    assert f.location.commit == added and f.location.in_head is True


def test_key_only_on_an_unmerged_branch(repo: GitRepo):
    repo.git("checkout", "-q", "-b", "feature")
    added = repo.commit("wip", **{"feature.py": leak(SECRET)})
    repo.git("checkout", "-q", "main")
    assert places(scan(repo), SECRET) == {("feature.py", added)}
    assert scan(repo, GitScope(branch="main")).findings == ()
    assert places(scan(repo, GitScope(branch="feature")), SECRET) == {("feature.py", added)}


def test_key_only_in_a_tag(repo: GitRepo):
    repo.git("checkout", "-q", "--detach")
    tagged = repo.commit("release build", **{"dist/config.js": leak(SECRET)})
    repo.git("tag", "-a", "v1.0", "-m", "release")
    repo.git("checkout", "-q", "main")
    assert places(scan(repo), SECRET) == {("dist/config.js", tagged)}


def test_key_only_in_the_stash(repo: GitRepo):
    repo.write("README.md", "# project\n" + leak(SECRET))
    repo.git("stash", "-q")
    repo.write("README.md", "# project\n" + leak(SECRET2))
    repo.git("stash", "-q")  # the first stash is now only in the stash reflog
    result = scan(repo)
    assert {f.secret for f in result.findings} == {SECRET, SECRET2}


def test_key_on_a_detached_head_in_a_repository_without_refs(repo: GitRepo):
    repo.git("checkout", "-q", "--detach")
    added = repo.commit("detached work", **{"deploy.sh": leak(SECRET)})
    repo.git("branch", "-q", "-D", "main")
    assert repo.git("for-each-ref").strip() == ""  # only HEAD reaches the commit
    assert places(scan(repo), SECRET) == {("deploy.sh", added)}
    assert places(scan(repo, jobs=2), SECRET) == {("deploy.sh", added)}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_ref_to_a_missing_object_is_skipped_and_the_rest_is_scanned(repo: GitRepo, jobs: str):
    """``git log --all`` refuses a history with such a ref (a damaged repository): the
    other refs are named one by one, and the broken one is reported as skipped. (Before,
    the scan took the repository for one without commits and reported nothing, exit 0.)"""
    added = repo.commit("add", **{"app.ini": leak(SECRET)})
    repo.git("tag", "-a", "v1", "-m", "release\n" + leak(SECRET2))
    (repo.path / ".git" / "refs" / "heads" / "broken").write_text("12" * 20 + "\n")
    report = run_keysweep("git", repo.path, "-j", jobs, "-f", "json", "--show-secrets",
                          expected_code=1).json()
    assert {(f["path"], f["secret"]) for f in report["findings"]
            if f["secret"] in (SECRET, SECRET2)} == {("app.ini", SECRET),
                                                     ("<tag v1 message>", SECRET2)}
    assert {f["commit"] for f in report["findings"] if f["path"] == "app.ini"} == {added}
    assert [(s["path"], s["reason"].split(" (")[0]) for s in report["skipped"]] == [
        ("refs/heads/broken", "ref points to missing object " + "12" * 6)]


def test_a_repository_whose_only_ref_is_broken_reports_it_and_scans_nothing(repo: GitRepo):
    branch = repo.git("symbolic-ref", "--short", "HEAD").strip()
    (repo.path / ".git" / "refs" / "heads" / branch).write_text("34" * 20 + "\n")
    report = run_keysweep("git", repo.path, "-f", "json").json()
    assert report["findings"] == []
    assert [s["path"] for s in report["skipped"]] == [f"refs/heads/{branch}"]


def test_a_repository_without_commits_is_scanned_as_empty(tmp_path: Path):
    empty = GitRepo(tmp_path / "empty")
    empty.write("staged.env", leak(SECRET))
    empty.git("add", "staged.env")  # a blob, but no commit reaches it
    result = scan(empty)
    assert result.findings == () and result.skipped == ()


def test_key_in_a_merge_conflict_resolution_belongs_to_the_merge(repo: GitRepo):
    repo.commit("base", **{"settings.py": "region = 'cn-hangzhou'\n"})
    repo.git("checkout", "-q", "-b", "other")
    repo.commit("other side", **{"settings.py": "region = 'cn-shanghai'\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main side", **{"settings.py": "region = 'cn-beijing'\n"})
    repo.git("merge", "-q", "other", check=False)  # conflicts
    repo.write("settings.py", "region = 'cn-beijing'\n" + leak(SECRET))
    merge = repo.commit("merge other")
    assert len(repo.git("rev-list", "--parents", "-n", "1", "HEAD").split()) == 3
    assert places(scan(repo), SECRET) == {("settings.py", merge)}


def test_renamed_file_keeps_the_original_commit_and_adds_the_new_path(repo: GitRepo):
    added = repo.commit("add", **{"old/name.py": leak(SECRET)})
    repo.git("mv", "old/name.py", "new_name.py")
    renamed = repo.commit("rename")
    result = scan(repo)
    assert places(result, SECRET) == {("old/name.py", added), ("new_name.py", renamed)}
    assert len({f.secret_sha256 for f in result.findings}) == 1


@pytest.mark.parametrize("jobs", [1, 2])  # 2: the messages are scanned beside the blobs
def test_key_in_a_commit_message_and_a_tag_message(repo: GitRepo, jobs: int):
    sha = repo.commit(f"debug: use ALIYUN_ACCESS_KEY_SECRET={SECRET} for now")
    repo.git("tag", "-a", "v1", "-m", "release\n" + leak(SECRET2))
    tag = repo.git("rev-parse", "v1")
    result = scan(repo, jobs=jobs)
    assert sorted((f.location.path, f.location.commit, f.location.line, f.secret)
                  for f in result.findings if f.secret in (SECRET, SECRET2)) == [
        (COMMIT_MESSAGE, sha, 1, SECRET), ("<tag v1 message>", tag, 2, SECRET2)]
    assert result.stats.files == 3  # the README blob, the commit message, the tag message


def test_same_key_in_five_places_is_one_secret_with_five_locations(repo: GitRepo, tmp_path: Path):
    files = {f"svc{i}__config.ini": f"[svc{i}]\n" + leak(SECRET) for i in range(5)}
    repo.commit("five services", **files)
    repo.commit("touch one", **{"svc0__config.ini": "[svc0]\n" + leak(SECRET) + "debug=1\n"})
    result = scan(repo)
    assert len(result.findings) == 5
    assert len({f.secret_sha256 for f in result.findings}) == 1
    run = run_keysweep("git", repo.path, "-f", "json", expected_code=1)
    report = run.json()
    assert len(report["findings"]) == 5 and report["stats"]["secrets"] == 1


class CountingProgress:
    def __init__(self) -> None:
        self.blobs = 0

    def start(self, total_bytes: int) -> None:
        pass

    def advance(self, nbytes: int, files: int) -> None:
        self.blobs += files

    def finish(self) -> None:
        pass


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_unique_blob_is_read_once(repo: GitRepo, jobs: int):
    for i in range(30):  # the same blob at many paths and in many commits
        repo.commit(f"c{i}", **{f"copy{i % 7}.ini": leak(SECRET), f"n{i}.txt": f"{i}\n"})
    progress = CountingProgress()
    result = scan(repo, jobs=jobs, progress=progress)
    listing = repo.git("cat-file", "--batch-all-objects", "--batch-check")
    unique_blobs = sum(1 for line in listing.splitlines() if line.split()[1] == "blob")
    assert progress.blobs == unique_blobs
    assert len(result.findings) == 7


def test_since_and_range_scan_only_what_those_commits_introduce(repo: GitRepo):
    old = repo.commit("old", **{"old.ini": leak(SECRET)})
    base = repo.commit("base", **{"x.txt": "x\n"})
    new = repo.commit("new", **{"new.ini": leak(SECRET2)})
    repo.commit("newer", **{"newer.ini": leak(SECRET3)})
    since = scan(repo, GitScope(since=base))
    assert {f.secret for f in since.findings} == {SECRET2, SECRET3}
    ranged = scan(repo, GitScope(range=f"{base}..{new}"))
    assert places(ranged, SECRET2) == {("new.ini", new)} and len(ranged.findings) == 1
    assert places(scan(repo, GitScope(range=f"{old}^..{old}")), SECRET) == {("old.ini", old)}


def test_bare_repository(repo: GitRepo, tmp_path: Path):
    added = repo.commit("add", **{"k.ini": leak(SECRET)})
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    assert places(scan(GitRepo(bare, init=False)), SECRET) == {("k.ini", added)}


def test_shallow_clone_says_so_and_scans_what_is_there(repo: GitRepo, tmp_path: Path):
    repo.commit("old key", **{"old.ini": leak(SECRET)})
    repo.rm("old.ini")
    repo.commit("rm")
    repo.commit("new key", **{"new.ini": leak(SECRET2)})
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)],
                   check=True)
    run = run_keysweep("git", clone, "-f", "json", expected_code=1)
    report = run.json()
    assert {f["redacted"] for f in report["findings"]} == {SECRET2[:4] + "…"}
    assert any("shallow clone" in s["reason"] for s in report["skipped"])
    assert "shallow clone" in run.stderr


def test_submodules_are_not_followed_and_we_say_so(repo: GitRepo, tmp_path: Path):
    sub = GitRepo(tmp_path / "sub")
    sub.commit("sub", **{"k.ini": leak(SECRET)})
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "lib")
    repo.commit("add submodule")
    result = scan(repo)
    assert result.findings == ()
    assert any(s.path == "lib" and "submodule" in s.reason for s in result.skipped)


def test_lfs_pointers_and_binary_blobs_are_skipped(repo: GitRepo):
    pointer = ("version https://git-lfs.github.com/spec/v1\n"
               "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
               "size 12345\n")
    repo.commit("lfs", **{"model.bin": pointer, "logo.dat": "\x00\x01" + leak(SECRET)})
    result = scan(repo)
    assert result.findings == ()
    # With nothing else to place, a whole-history scan does not diff every commit to name a
    # binary's path: it is counted by its blob id.
    blob = repo.git("rev-parse", "HEAD:logo.dat")
    assert [(s.path, s.reason) for s in result.skipped] == [(f"blob {blob[:12]}",
                                                              "binary content")]
    scoped = scan(repo, GitScope(branch="HEAD"))
    assert [(s.path, s.reason) for s in scoped.skipped] == [("logo.dat", "binary content")]
    repo.commit("key", **{"k.ini": leak(SECRET)})
    placed = scan(repo)  # placing the key places the binary too, at no extra cost
    assert [s.reason for s in placed.skipped if s.path == "logo.dat"] == ["binary content"]


def test_not_a_repository_and_missing_repository_exit_3(tmp_path: Path):
    run = run_keysweep("git", tmp_path, expected_code=3)
    assert run.stderr.startswith("keysweep: error: not a git repository") and \
        "Traceback" not in run.stderr
    run = run_keysweep("git", tmp_path / "nowhere", expected_code=3)
    assert "repository not found" in run.stderr


def test_unknown_revision_is_a_usage_error(repo: GitRepo):
    run = run_keysweep("git", repo.path, "--since", "no-such-ref", expected_code=2)
    assert "unknown revision 'no-such-ref'" in run.stderr


def _loose_object_path(repo: GitRepo, sha: str) -> Path:
    return repo.path / ".git" / "objects" / sha[:2] / sha[2:]


def test_missing_object_is_reported_and_skipped(repo: GitRepo):
    repo.commit("add", **{"gone.txt": "will vanish\n", "k.ini": leak(SECRET)})
    blob = repo.git("rev-parse", "HEAD:gone.txt")
    _loose_object_path(repo, blob).unlink()
    run = run_keysweep("git", repo.path, "--branch", "main", "-f", "json", expected_code=1)
    report = run.json()
    assert {f["path"] for f in report["findings"]} == {"k.ini"}
    assert any("missing" in s["reason"] for s in report["skipped"])
    # A whole-history scan reads the object store, not every tree (that walk costs as much
    # as the scan): it cannot see that an object is absent, but scans everything present.
    full = run_keysweep("git", repo.path, "-f", "json", expected_code=1).json()
    assert {f["path"] for f in full["findings"]} == {"k.ini"}


def test_a_partial_clone_says_so_and_scans_what_is_there(repo: GitRepo, tmp_path: Path):
    repo.commit("add", **{"k.ini": leak(SECRET), "big.txt": "x" * 5000 + "\n"})
    repo.git("config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "partial"
    subprocess.run(["git", "clone", "-q", "--no-checkout", "--filter=blob:limit=1k",
                    f"file://{repo.path}", str(clone)], check=True)
    report = run_keysweep("git", clone, "-f", "json", expected_code=1).json()
    assert {f["path"] for f in report["findings"]} == {"k.ini"}
    assert any("partial clone" in s["reason"] for s in report["skipped"])


def test_corrupt_object_is_a_clear_error_with_exit_3(repo: GitRepo):
    repo.commit("add", **{"k.ini": leak(SECRET)})
    blob = repo.git("rev-parse", "HEAD:k.ini")
    path = _loose_object_path(repo, blob)
    path.chmod(0o644)
    path.write_bytes(zlib.compress(b"blob 999\x00short")[:-4] + b"\x00\x00\x00\x00")
    run = run_keysweep("git", repo.path, expected_code=3)
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith(f"keysweep: error: git: object {blob[:12]} is corrupt")


def test_recall_and_introducing_commits_on_a_history_of_every_rule(tmp_path: Path):
    """Every rule example, each committed in its own commit at its own path, some later
    deleted or moved: at least 95% found at the right path and commit."""
    repo = GitRepo(tmp_path / "history")
    repo.commit("initial", **{"README.md": "hello\n"})
    planted = []
    examples = [(r, e) for r in RULES.rules for e in r.examples]
    for i, (rule, example) in enumerate(examples):
        path = f"{rule.provider}/{rule.id}-{i}.txt"
        sha = repo.commit(f"add {path}", **{path.replace("/", "__"): example.text + "\n"})
        planted.append((example.secret, path, sha))
        if i % 3 == 0:
            repo.rm(path)
            repo.commit(f"remove {path}")
    result = scan(repo)
    found = {(f.secret, f.location.path, f.location.commit) for f in result.findings}
    hits = [p for p in planted if p in found]
    assert len(hits) / len(planted) >= 0.95, sorted(set(planted) - found)[:5]


def test_blobs_prefiltered_together_find_exactly_what_each_finds_alone():
    """Small blobs share one prefilter call, then each blob with a keyword is scanned alone:
    the findings are those of scanning every blob alone, wherever it sits in the batch."""
    import io

    from scanner.engine.history import _scan_objects
    from scanner.engine.scanner import Scanner
    from scanner.progress import NullProgress
    from scanner.sources.git.objects import GitObject

    line = f"aliyun_access_key_id = '{ID}'\naliyun_access_key_secret = '{SECRET}'\n"
    cut = line.index("LTAI") + 2
    blobs = {"1" * 40: line[:cut], "2" * 40: line[cut:],  # the ID cut in two blobs
             "3" * 40: "x = 1\n" * 3000, "4" * 40: line, "5" * 40: "\n" + line,
             "6" * 40: "\0binary" + line}
    objects = [GitObject(sha, "blob", len(text), io.BytesIO(text.encode()))
               for sha, text in blobs.items()]
    scanner = Scanner()
    together = _scan_objects(scanner, objects, NullProgress())
    alone = {sha: scanner.scan_blob(io.BytesIO(text.encode())).findings
             for sha, text in blobs.items()}
    assert {sha: list(found) for sha, found in alone.items() if found} == together.findings
    assert {sha for sha, found in together.findings.items()
            if any(f.paired_with for f in found)} == {"4" * 40, "5" * 40}


def test_the_worker_pool_is_gone_before_findings_are_placed(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch):
    """Placing runs git over every commit after the scan: the workers (and the cat-file each
    keeps, which maps the whole pack) must not outlive the scan and hold memory meanwhile."""
    import multiprocessing

    import scanner.engine.history as history

    repo = GitRepo(tmp_path / "repo")
    repo.commit("add", **{"conf.ini": leak(SECRET)})
    repo.commit("more", **{"b.txt": "b\n"})
    alive_when_placing: list[int] = []
    place_for_real = history.locate_blobs

    def observed(*args: object, **kwargs: object) -> object:
        alive_when_placing.append(len(multiprocessing.active_children()))
        return place_for_real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(history, "locate_blobs", observed)
    result = HistoryScanner(ScanConfig(jobs=2)).scan(str(repo.path))
    assert [f.location.path for f in result.findings] == ["conf.ini"]
    assert alive_when_placing == [0]


def test_sdk_call_keywords_alone_do_not_get_a_blob_scanned_in_history(repo: GitRepo):
    """``Client(`` and ``Config(`` wake only SDK-call rules, which count in a file about
    their provider: a history blob with no other keyword and no provider's SDK in it is not
    scanned at all (Flask's history has a test client in 800 blobs); one importing the SDK
    is, and its positional credentials are found."""
    plain = "".join(f"def test_{i}(app):\n    client = app.test_client()\n    "
                    f"cfg = Config(root_path='.')\n\n" for i in range(40))
    pipeline = Scanner(ScanConfig(rules=RULES, jobs=1)).pipeline
    assert not pipeline.wakes(plain, pipeline.prefilter.find(plain))
    repo.commit("tests", **{"tests/test_app.py": plain})
    assert scan(repo).findings == ()
    call = ('from huaweicloudsdkcore.auth.credentials import BasicCredentials\n'
            'cred = BasicCredentials("QTZ4MWFRTK7HXJQ9DLPE", '
            '"Lk8dR2mWq9ZxT4vBn7Yc3HsJf6Gp1AeU0iKoPlMz")\n')
    repo.commit("huawei", **{"cloud.py": call + plain})
    assert pipeline.wakes(call + plain, pipeline.prefilter.find(call + plain))
    found = scan(repo)
    assert {f.rule_id for f in found.findings} == {"huawei-access-key-id",
                                                    "huawei-secret-access-key"}


def test_a_keyword_whose_rule_needs_context_words_wakes_no_blob_without_them(repo: GitRepo):
    """``token:`` wakes only the kubeconfig token rule, which counts only near a
    kubeconfig's words: a CI workflow full of ``token:`` lines is not scanned at all, while
    a kubeconfig is, and its token is found."""
    workflow = "".join(f"  job{i}:\n    steps:\n      - uses: actions/checkout@v4\n"
                       f"        with:\n          token: Qm9vdHN0cmFwVG9rZW4{i:04d}x\n"
                       for i in range(40))
    pipeline = Scanner(ScanConfig(rules=RULES, jobs=1)).pipeline
    assert not pipeline.wakes(workflow, pipeline.prefilter.find(workflow))
    kubeconfig = ("apiVersion: v1\nkind: Config\ncurrent-context: ops\nusers:\n- name: ops\n"
                  "  user:\n    token: 7hQmZ2vR9kLp4sXw8NcB3yTf6Ud1Ja5Ge0\n")
    assert pipeline.wakes(kubeconfig, pipeline.prefilter.find(kubeconfig))
    added = repo.commit("ci and cluster", **{".github/workflows/ci.yml": workflow,
                                             "deploy/kubeconfig": kubeconfig})
    assert {(f.rule_id, f.location.path, f.location.commit) for f in scan(repo).findings} == {
        ("kubernetes-kubeconfig-token", "deploy/kubeconfig", added)}


@pytest.mark.parametrize("jobs", [1, 2])
def test_large_blobs_are_found_as_the_same_files_are_in_a_tree(repo: GitRepo, tmp_path: Path,
                                                               jobs: int):
    """Blobs past the small-blob batch take their own paths: a plain one up to a chunk is
    read whole and prefiltered as bytes, a transcoded or archived one and one of several
    chunks are streamed. Each reports what the same file does in a tree scan."""
    import io
    import zipfile

    from scanner.engine.history import SMALL_BLOB
    from scanner.sources.inputs import ReadOptions

    filler = "".join(f"line {i} of ordinary text\n" for i in range(SMALL_BLOB // 20))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("inner/conf.ini", filler + leak(SECRET2))
    files: dict[str, bytes] = {
        "plain.txt": (filler + leak(SECRET) + filler).encode(),
        "no-key.txt": filler.encode() * 2,
        "wide.txt": ("\ufeff" + filler + leak(SECRET3)).encode("utf-16-le"),
        "bundle.zip": archive.getvalue(),
        "long.txt": (filler * 6 + leak(SECRET) + filler).encode(),  # past one chunk
    }
    for name, data in files.items():
        repo.write(name, data)
    added = repo.commit("large files")
    tree = tmp_path / "tree"
    for name, data in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(data)
    read = ReadOptions(chunk_bytes=4 * SMALL_BLOB, overlap=SMALL_BLOB // 4)
    config = ScanConfig(rules=RULES, jobs=jobs, read=read)

    def located(findings):
        return sorted((f.location.path.removeprefix(str(tree) + "/"), f.location.line,
                       f.location.column, f.rule_id, f.secret) for f in findings)

    history = HistoryScanner(config).scan(str(repo.path))
    in_tree = Scanner(config).scan_paths([str(tree)])
    assert located(history.findings) == located(in_tree.findings)
    assert {f.location.commit for f in history.findings} == {added}
    assert {p for p, *_ in located(history.findings)} == {
        "plain.txt", "wide.txt", "bundle.zip!inner/conf.ini", "long.txt"}


def test_placing_blobs_in_runs_of_commits_finds_what_one_pass_finds(repo: GitRepo,
                                                                    monkeypatch):
    """Blobs are placed by git processes that each diff a run of consecutive commits: cut
    into many short runs over three processes, the introductions (every path, the earliest
    commit at each, a merge's own) are those one pass over the whole history finds."""
    import scanner.sources.git.log as log
    from scanner.sources.git.command import open_repo

    key_file = leak(SECRET)
    repo.commit("one", **{"a.ini": key_file})
    for i in range(4):
        repo.commit(f"filler {i}", **{f"f{i}.txt": f"{i}\n"})
    repo.commit("copy", **{"copy/b.ini": key_file})
    repo.git("checkout", "-q", "-b", "topic", "HEAD~3")
    repo.commit("on topic", **{"t.ini": "other\n"})
    repo.git("checkout", "-q", "-")
    repo.git("merge", "-q", "--no-ff", "-m", "merge", "topic")
    repo.commit("after", **{"late/c.ini": key_file, "a.ini": "gone\n"})
    git = open_repo(str(repo.path))
    blob = repo.git("rev-parse", "HEAD:late/c.ini")
    order = log.read_messages(git, ["--all"], lambda c, m: None)

    one_pass = log.locate_blobs(git, order, {blob}, 1)
    monkeypatch.setattr(log, "LOCATE_RUN", 1)
    assert len(log.locate_runs(order, 3)) == 9  # three runs for each of three processes
    runs = log.locate_blobs(git, order, {blob}, 3)
    assert runs.introductions == one_pass.introductions
    assert set(runs.introductions[blob]) == {"a.ini", "copy/b.ini", "late/c.ini"}
    assert {s: c.order for s, c in runs.commits.items()} == \
        {s: c.order for s, c in one_pass.commits.items()}


def test_runs_of_commits_cover_the_history_in_order():
    from scanner.sources.git.log import LOCATE_RUN, RUNS_PER_PART, locate_runs

    commits = [f"{i:040x}" for i in range(LOCATE_RUN * RUNS_PER_PART * 2 * 3 + 7)]
    for parts in (1, 2, 3):
        runs = locate_runs(commits, parts)
        assert [c for run in runs for c in run] == commits
        assert all(len(run) >= LOCATE_RUN for run in runs)
        assert len(runs) == RUNS_PER_PART * parts
        assert max(map(len, runs)) - min(map(len, runs)) <= len(runs)
    short = commits[:LOCATE_RUN + 10]
    assert locate_runs(short, 1) == [short]
    assert [len(run) for run in locate_runs(short, 2)] == [len(short) // 2] * 2
