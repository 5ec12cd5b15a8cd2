"""Scan git history: every unique blob is read and scanned once, and each finding is placed
at the commit that introduced its blob at each path. Also the index (pre-commit) and the
objects a push would add (pre-push)."""

from __future__ import annotations

import bisect
import dataclasses
import io
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner.engine.config import ScanConfig
from scanner.engine.scanner import Scanner, ScanTimeout, build_keyword_prefilter, finish
from scanner.engine.workers import WorkerPool, WorkerState
from scanner.models import (
    Finding,
    Location,
    ResultBuilder,
    ScanResult,
    Skipped,
    Suppressed,
    unexpected,
)
from scanner.progress import NullProgress, Progress
from scanner.sources.archives import container_kind
from scanner.sources.git.command import Git, GitError, open_repo
from scanner.sources.git.log import (
    Commit,
    History,
    locate_blobs,
    read_history,
    read_messages,
)
from scanner.sources.git.objects import (
    LFS_POINTER,
    BlobListing,
    CatFile,
    GitObject,
    iter_objects,
    list_blobs,
)
from scanner.sources.git.scope import (
    GitScope,
    RepoState,
    broken_refs,
    has_commits,
    repo_state,
)
from scanner.sources.git.tags import TagMessage, tag_messages
from scanner.sources.reader import SNIFF_BYTES, Readable, is_plain

COMMIT_MESSAGE = "<commit message>"
TASK_BYTES = 16 << 20  # one worker task: a run of blobs in pack order of about this size
TASK_BLOBS = 4000
POOL_MIN_BLOBS = 2000  # a scoped scan with fewer blobs runs in one process
SMALL_BLOB = 64 << 10  # read whole (a .gitmodules or LFS pointer is always smaller)
BATCH_BYTES = 1 << 20  # small plain blobs prefiltered together
_SUBMODULE_PATH = re.compile(rb"^\s*path\s*=\s*(.+?)\s*$", re.MULTILINE)


@dataclass
class BlobResults:
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    suppressed: dict[str, list[Suppressed]] = field(default_factory=dict)
    skipped: dict[str, list[Skipped]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    submodules: set[str] = field(default_factory=set)  # paths named in .gitmodules blobs
    blobs: int = 0
    bytes: int = 0

    def merge(self, other: BlobResults) -> None:
        for sha, found in other.findings.items():
            self.findings.setdefault(sha, []).extend(found)
        for sha, allowed in other.suppressed.items():
            self.suppressed.setdefault(sha, []).extend(allowed)
        for sha, skips in other.skipped.items():
            self.skipped.setdefault(sha, []).extend(skips)
        self.seen |= other.seen
        self.submodules |= other.submodules
        self.blobs += other.blobs
        self.bytes += other.bytes

    def add(self, sha: str, result: ScanResult) -> None:
        if result.findings:
            self.findings.setdefault(sha, []).extend(result.findings)
        if result.suppressed:
            self.suppressed.setdefault(sha, []).extend(result.suppressed)
        if result.skipped:
            self.skipped.setdefault(sha, []).extend(result.skipped)


class HistoryScanner:
    def __init__(self, config: ScanConfig | None = None, progress: Progress | None = None):
        self.config = config or ScanConfig()
        self.progress = progress or NullProgress()
        self.scanner = Scanner(self.config)

    # -- public -------------------------------------------------------------------------

    def scan(self, repo: str | Git, scope: GitScope | None = None) -> ScanResult:
        started = time.perf_counter()
        scope = scope or GitScope()
        git = repo if isinstance(repo, Git) else open_repo(repo)
        state = repo_state(git)
        notes = self._notes(git, state)
        revs = scope.rev_args(git, state)
        if not scope.revs and not has_commits(git, state):
            result = ScanResult(skipped=notes)
            return finish(result, self.scanner.engine, time.perf_counter() - started)
        messages = _Messages()
        if scope.is_full:
            history, blobs = self._scan_everything(git, revs, messages)
        else:
            history = read_history(git, revs, lambda c, m: messages.commits.append((c, m)))
            blobs = self._scan_blobs(git, list(history.introductions))
        out = self._locate(history, blobs)
        found = messages.found if messages.found is not None else \
            self._scan_messages_of(git, scope, messages)  # not scanned beside the blobs
        out.add(found.build())
        out.skipped[:0] = notes + [
            Skipped(path, "submodule; not followed (scan it separately)")
            for path in sorted(history.submodules)]
        out.files = blobs.blobs + len(messages.commits) + len(messages.tags)
        out.bytes = blobs.bytes
        set_in_head(git, out.findings, blobs.findings)
        return finish(out.build(unit="git object"), self.scanner.engine,
                      time.perf_counter() - started)

    def scan_staged(self, repo: str, index_file: str | None = None) -> ScanResult:
        """What is staged in the index: the content a pre-commit hook is about to commit."""
        started = time.perf_counter()
        git = dataclasses.replace(open_repo(repo), index_file=index_file)
        out = git.run(["diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev",
                       "--diff-filter=AMCRT", "--no-color", "--ignore-submodules"])
        tokens = out.split(b"\0")
        staged: dict[str, list[str]] = {}
        for meta, raw_path in zip(tokens[0::2], tokens[1::2], strict=False):
            fields = meta.split()
            if len(fields) >= 4 and fields[1] != b"160000":
                staged.setdefault(fields[3].decode(), []).append(
                    raw_path.decode("utf-8", "replace"))
        blobs = self._scan_blobs(git, list(staged))
        found = ResultBuilder(files=blobs.blobs, bytes=blobs.bytes)
        for sha, paths in staged.items():
            for path in paths:
                found.findings.extend(_at(f, path, None) for f in blobs.findings.get(sha, ()))
                found.suppressed.extend(Suppressed(_at(s.finding, path, None), s.reason)
                                      for s in blobs.suppressed.get(sha, ()))
                found.skipped.extend(Skipped(path, s.reason) for s in blobs.skipped.get(sha, ()))
        return finish(found.build(unit="staged file"), self.scanner.engine,
                      time.perf_counter() - started)

    # -- reading and scanning blobs -----------------------------------------------------

    def _scan_everything(self, git: Git, revs: list[str],
                         messages: _Messages) -> tuple[History, BlobResults]:
        pool = self._pool(always=True)  # forked before any git process starts

        def scan_messages(kept: list[tuple[Commit, str]]) -> None:
            # In the reading thread, while the pool scans the blobs: this process's own
            # scanner is idle until then, and the messages leave the scan's tail.
            self._scan_messages_of(git, GitScope(), messages)

        def scan(listing: Iterable[tuple[str, int]]) -> BlobResults:
            try:
                return self._scan_listed(git, listing, pool)
            finally:  # before placing: each worker's cat-file maps the pack
                if pool is not None:
                    pool.close()

        try:
            return scan_whole_history(git, revs, scan, self.scanner.config, messages.commits,
                                      self.config.jobs,
                                      then=None if pool is None else scan_messages)
        finally:
            if pool is not None:
                pool.close()

    def _scan_blobs(self, git: Git, ids: Sequence[str]) -> BlobResults:
        """Scan the given blobs; a large set is read in pack order by the worker processes."""
        if not ids:
            return BlobResults()
        if self.config.jobs > 1 and len(ids) >= POOL_MIN_BLOBS:
            wanted = set(ids)
            listing = [(sha, size) for sha, size in list_blobs(git) if sha in wanted]
            with WorkerPool(self.config, self.config.jobs) as pool:
                results = self._scan_listed(git, listing, pool)
            for sha in wanted - results.seen:
                results.skipped[sha] = [Skipped("", f"object {sha[:12]} is missing from the "
                                                    "repository")]
            return results
        results = BlobResults()
        self.progress.start(0)
        results.merge(_scan_objects(self.scanner, iter_objects(git, ids), self.progress))
        self.progress.finish()
        return results

    def _scan_listed(self, git: Git, listing: Iterable[tuple[str, int]],
                     pool: WorkerPool | None) -> BlobResults:
        """The listed blobs, in one process or the pool; a listing still being read (a
        BlobListing) goes to the pool as it arrives, and the progress learns its total
        once it is complete."""
        results = BlobResults()
        streamed = listing if pool is not None and isinstance(listing, BlobListing) else None
        if streamed is None:
            listing = list(listing)
        self.progress.start(0 if streamed else sum(size for _, size in listing))
        if pool is None:
            ids = [sha for sha, _ in listing]
            results.seen.update(ids)
            results.merge(_scan_objects(self.scanner, iter_objects(git, ids), self.progress))
        else:
            for part in scan_blobs_in_pool(pool, git, _noted(listing, results.seen)):
                results.merge(part)
                if streamed is not None and streamed.total is not None:
                    self.progress.start(streamed.total)  # the listing has ended
                    streamed = None
                self.progress.advance(part.bytes, part.blobs)
        self.progress.finish()
        return results

    def _pool(self, always: bool) -> WorkerPool | None:
        if self.config.jobs > 1 and always:
            return WorkerPool(self.config, self.config.jobs)
        return None

    # -- placing findings ---------------------------------------------------------------

    def _locate(self, history: History, blobs: BlobResults) -> ResultBuilder:
        result = ResultBuilder(findings=[f for _, _, f in place(history, blobs.findings)])
        allowed = {sha: [s.finding for s in items] for sha, items in blobs.suppressed.items()}
        result.suppressed = [Suppressed(f, "inline allow") for _, _, f in place(history, allowed)]
        for sha, skips in blobs.skipped.items():
            paths = history.introductions.get(sha)
            if paths is None and sha in blobs.findings:
                continue
            where = next(iter(paths)) if paths else f"blob {sha[:12]}"
            result.skipped.extend(Skipped(where + s.path, s.reason) for s in skips
                                  if paths or "missing" in s.reason or
                                  (not history.placed and s.counted_only))
        return result

    def _scan_messages_of(self, git: Git, scope: GitScope,
                          messages: _Messages) -> ResultBuilder:
        """Read the annotated tags ``scope`` publishes, then scan them and the kept commit
        messages; what they hold is kept in ``messages.found`` and returned."""
        messages.tags = _tags_in_scope(git, scope)
        found = ResultBuilder()
        self._scan_messages(found, [(c, m, COMMIT_MESSAGE) for c, m in messages.commits])
        self._scan_messages(found, messages.tags)
        messages.found = found
        return found

    def _scan_messages(self, result: ResultBuilder,
                       messages: list[tuple[Commit, str, str]]) -> None:
        """Commit and tag messages, each placed at its object under ``label``."""
        for commit, message, label in messages:
            try:
                found = self.scanner.scan_text(message, label)
            except Exception as exc:  # noqa: BLE001 - contained at the message
                result.skipped.append(Skipped(f"{label} {commit.sha[:12]}", unexpected(exc)))
                continue
            result.findings.extend(_at(f, label, commit, keep_path=False)
                                   for f in found.findings)
            result.suppressed.extend(
                Suppressed(_at(s.finding, label, commit, keep_path=False), s.reason)
                for s in found.suppressed)

    def _notes(self, git: Git, state: RepoState) -> list[Skipped]:
        notes = []
        if state.shallow:
            notes.append(Skipped(git.repo, "shallow clone: older history is not in this "
                                           "repository; scanned what is there"))
        # A partial clone (--filter=blob:none) marks what it fetched from its promisor remote.
        if state.pack_dir and any(Path(state.pack_dir).glob("*.promisor")):
            notes.append(Skipped(git.repo, "partial clone: objects the clone left on the "
                                           "server were not scanned; scanned what is here"))
        notes.extend(Skipped(name, f"ref points to missing object {oid[:12]} (a damaged "
                                   "repository); what only it reaches was not scanned")
                     for name, oid in broken_refs(git, state))
        return notes


@dataclass(slots=True)
class _Messages:
    """A scan's commit messages (those with a keyword) and annotated tags, and what scanning
    them found: None until they are scanned."""

    commits: list[tuple[Commit, str]] = field(default_factory=list)
    tags: list[tuple[Commit, str, str]] = field(default_factory=list)
    found: ResultBuilder | None = None


def _noted(listing: Iterable[tuple[str, int]], seen: set[str]) -> Iterator[tuple[str, int]]:
    for blob in listing:
        seen.add(blob[0])
        yield blob


def scan_whole_history(git: Git, revs: list[str],
                       scan_listed: Callable[[Iterable[tuple[str, int]]], BlobResults],
                       sieve: ScanConfig, messages: list[tuple[Commit, str]],
                       jobs: int = 1, listing: Iterable[tuple[str, int]] | None = None,
                       then: Callable[[list[tuple[Commit, str]]], None] | None = None,
                       ) -> tuple[History, BlobResults]:
    """Scan every blob of the repository in pack order (``scan_listed`` decides how: one
    process or a pool) while a thread reads the commit messages (those with a keyword go to
    ``messages``) and the history order; then ask git where the few blobs with something to
    report were introduced. Blobs that no commit of ``revs`` reaches (dangling objects) are
    dropped there. The one whole-history path of ``keysweep git`` and of a first sweep;
    ``listing`` is the blob listing if the caller has it already; ``then`` is called in the
    reading thread with the kept messages once they are all read."""
    errors: list[BaseException] = []
    order: list[str] = []

    def read() -> None:
        try:
            keywords = build_keyword_prefilter(sieve)  # its own: no shared scratch

            def keep(commit: Commit, message: str) -> None:
                if keywords.find_bytes(message.encode("utf-8", "replace")):
                    messages.append((commit, message))

            order.extend(read_messages(git, revs, keep))
            if then is not None:
                then(messages)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=read, name="git-log", daemon=True)
    try:
        thread.start()  # beside the listing too: git lists the objects on one core
        blobs = scan_listed(BlobListing(git) if listing is None else listing)
    finally:
        if thread.ident is not None:
            thread.join()
    if errors:
        raise errors[0]
    wanted = blobs.findings.keys() | blobs.suppressed.keys() | blobs.skipped.keys()
    # Placing blobs costs a diff of every commit: not worth it for binaries alone, which
    # are only counted (and listed by blob id with --verbose).
    counted_only = all(s.counted_only for sha in wanted for s in blobs.skipped.get(sha, ())) \
        and not (blobs.findings or blobs.suppressed)
    history = History(placed=False) if not wanted or counted_only else \
        locate_blobs(git, order, wanted, max(1, jobs))
    history.submodules |= blobs.submodules
    return history, blobs


def place(history: History,
          by_blob: dict[str, list[Finding]]) -> list[tuple[int, str | None, Finding]]:
    """One finding per secret and path, at the earliest commit that has it there; with that
    commit's history order and the blob it was found in."""
    best: dict[tuple[str, str, str], tuple[int, str | None, Finding]] = {}
    for sha, findings in by_blob.items():
        for path, commit_sha in history.introductions.get(sha, {}).items():
            commit = history.commits[commit_sha]
            for f in findings:
                placed = _at(f, path, commit)
                key = (f.rule_id, f.secret, placed.location.path)
                if key not in best or commit.order < best[key][0]:
                    best[key] = (commit.order, sha, placed)
    return list(best.values())


def blob_tasks(listing: Iterable[tuple[str, int]]) -> Iterator[list[str]]:
    """Runs of blobs in pack order, about TASK_BYTES of content each."""
    task: list[str] = []
    size = 0
    for sha, n in listing:
        task.append(sha)
        size += n
        if size >= TASK_BYTES or len(task) >= TASK_BLOBS:
            yield task
            task, size = [], 0
    if task:
        yield task


def scan_blobs_in_pool(pool: WorkerPool, git: Git,
                       listing: Iterable[tuple[str, int]]) -> Iterator[BlobResults]:
    """The pool's results for these blobs, a run of them at a time, as workers finish."""
    for task in blob_tasks(listing):
        yield from pool.submit(scan_blobs_task, (git, task))
    yield from pool.drain()


def scan_blobs_task(state: WorkerState, args: tuple[Git, list[str]]) -> BlobResults:
    """In a worker: read these blobs through the worker's own long-lived cat-file for the
    repository (kept in its state, so git's delta-base cache stays warm across tasks)."""
    git, ids = args
    key = "cat-file:" + git.repo
    reader = state.kept(key, lambda: CatFile(git))
    try:
        return scan_blob_ids(state.scanner, reader, ids)
    except BaseException:
        state.discard(key)  # it may be left in the middle of an object
        raise


def scan_blob_ids(scanner: Scanner, reader: CatFile, ids: Sequence[str],
                  deadline: float | None = None) -> BlobResults:
    """Scan blobs read through the caller's cat-file (the caller closes it)."""
    return _scan_objects(scanner, reader.read(ids), NullProgress(), deadline)


def _scan_objects(scanner: Scanner, objects: Iterable[GitObject], progress: Progress,
                  deadline: float | None = None) -> BlobResults:
    results = BlobResults()
    batch = _Batch(scanner, results)
    for obj in objects:
        if deadline is not None and time.monotonic() > deadline:
            raise ScanTimeout("timed out")
        if obj.type == "missing":
            results.skipped.setdefault(obj.sha, []).append(
                Skipped("", f"object {obj.sha[:12]} is missing from the repository"))
            continue
        if obj.type != "blob":
            continue
        results.seen.add(obj.sha)
        results.blobs += 1
        results.bytes += obj.size
        progress.advance(obj.size, 1)
        if obj.size < SMALL_BLOB:
            data = batch.read(obj.sha, obj.content)
            if data is None:
                continue  # unreadable: skipped with its reason
            if data.startswith(LFS_POINTER):
                continue  # the content lives on an LFS server, not in the repository
            if data.startswith(b"[submodule"):
                results.submodules.update(submodule_paths(data))
            if batch.takes(obj.sha, data):
                continue
            batch.scan(obj.sha, io.BytesIO(data))
        elif obj.size <= batch.whole:
            # Read whole: it is one chunk anyway, and a plain one is prefiltered as bytes, so
            # most (no keyword) are never decoded to text (57 % of git/git's blob bytes).
            data = batch.read(obj.sha, obj.content)
            if data is not None and not batch.alone(obj.sha, data):
                batch.scan(obj.sha, io.BytesIO(data), deadline)
        else:
            batch.scan(obj.sha, obj.content, deadline)
    batch.flush()
    return results


class _Batch:
    """Small plain-text blobs gathered into one buffer for the keyword prefilter: most blobs
    hold no keyword, and one prefilter call over a megabyte of them costs far less than the
    whole per-blob pipeline for each. Only blobs with a keyword are then scanned one by one,
    by the same pipeline, so the findings are exactly those of scanning each blob alone."""

    def __init__(self, scanner: Scanner, results: BlobResults) -> None:
        self.scanner = scanner
        self.results = results
        self.archives = scanner.config.read.archives
        self.whole = scanner.config.read.chunk_bytes  # a blob up to this size is one chunk
        self.blobs: list[tuple[str, bytes]] = []
        self.size = 0

    def _plain(self, data: bytes) -> bool:
        """Read byte for byte as one text: no transcoding, no archive to open."""
        return is_plain(data) and not (self.archives and container_kind(data[:SNIFF_BYTES]))

    def takes(self, sha: str, data: bytes) -> bool:
        if not self._plain(data):
            return False
        self.blobs.append((sha, data))
        self.size += len(data) + 1
        if self.size >= BATCH_BYTES:
            self.flush()
        return True

    def alone(self, sha: str, data: bytes) -> bool:
        """A plain blob too large to batch (one chunk), prefiltered by itself."""
        if not self._plain(data):
            return False
        self._scan_hits(sha, data, self.scanner.pipeline.prefilter.find_bytes(data))
        return True

    def flush(self) -> None:
        if not self.blobs:
            return
        blobs, self.blobs, self.size = self.blobs, [], 0
        starts, at = [], 0
        for _, data in blobs:
            starts.append(at)
            at += len(data) + 1
        # NUL joins them: no keyword holds one, so no hit spans two blobs. Prefiltered as
        # bytes: only the few blobs with a hit are decoded.
        joined = b"\0".join(data for _, data in blobs)
        pipeline = self.scanner.pipeline
        hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for kw, start in pipeline.prefilter.find_bytes(joined):
            i = bisect.bisect_right(starts, start) - 1
            hits[i].append((kw, start - starts[i]))
        for i in sorted(hits):
            self._scan_hits(*blobs[i], hits[i])

    def _scan_hits(self, sha: str, data: bytes, hits: list[tuple[int, int]]) -> None:
        """A plain blob with its keyword hits: scanned only if they wake a rule."""
        if hits:
            blob = data.decode("latin-1")
            if self.scanner.pipeline.wakes(blob, hits):
                self.scan_plain(sha, blob, hits)

    def read(self, sha: str, content: Readable) -> bytes | None:
        """A blob's bytes, read whole; None (and the blob skipped) if reading it failed."""
        try:
            return content.read()
        except (GitError, ScanTimeout):  # the stream broke, or the time is up: stop here
            raise
        except Exception as exc:  # noqa: BLE001 - contained at the blob, the scan goes on
            self.results.add(sha, ScanResult(skipped=[Skipped("", unexpected(exc))]))
            return None

    def scan(self, sha: str, content: Readable, deadline: float | None = None) -> None:
        self._contained(sha, lambda: self.scanner.scan_blob(content, deadline))

    def scan_plain(self, sha: str, text: str, hits: list[tuple[int, int]]) -> None:
        """A plain small blob's text, with the hits the batch prefilter found in it."""
        self._contained(sha, lambda: self.scanner.scan_plain_blob(text, hits))

    def _contained(self, sha: str, scan: Callable[[], ScanResult]) -> None:
        try:
            result = scan()
        except (GitError, ScanTimeout):
            raise
        except Exception as exc:  # noqa: BLE001 - contained at the blob, the scan goes on
            result = ScanResult(skipped=[Skipped("", unexpected(exc))])
        if result.findings or result.skipped or result.suppressed:
            self.results.add(sha, result)


def submodule_paths(gitmodules: bytes) -> set[str]:
    """The submodule paths a .gitmodules file names: how a whole-history scan, which reads
    no trees, knows which gitlinks it did not follow."""
    return {m.group(1).decode("utf-8", "replace").strip('"')
            for m in _SUBMODULE_PATH.finditer(gitmodules)}


def _tags_in_scope(git: Git, scope: GitScope) -> list[tuple[Commit, str, str]]:
    """Annotated tags whose messages the scope publishes: every tag for a whole-history scan,
    the tags among the pushed objects for a push, none for a range of commits."""
    if scope.is_full:
        tags = tag_messages(git)
    elif scope.revs:
        tips = scope.revs[:scope.revs.index("--not")] if "--not" in scope.revs else scope.revs
        tags = tag_messages(git, [t for t in tips if not t.startswith("-")])
    else:
        return []
    return _labelled(tags)


def new_tag_messages(git: Git, new_tips: list[str]) -> list[tuple[Commit, str, str]]:
    """The messages of the annotated tags among ``new_tips`` (refs that moved since a sweep
    last looked), each with the path its findings are reported at."""
    return _labelled(tag_messages(git, new_tips))


def _labelled(tags: list[TagMessage]) -> list[tuple[Commit, str, str]]:
    return [(Commit(t.sha, t.tagger, t.email, t.date, -1), t.message, tag_label(t.name))
            for t in tags if t.message.strip()]


def tag_label(name: str) -> str:
    """The path a tag message's findings are reported at."""
    return f"<tag {name} message>"


def is_message(path: str) -> bool:
    """A finding in a commit or tag message, not in a file."""
    return path == COMMIT_MESSAGE or (path.startswith("<tag ") and path.endswith(" message>"))


def _at(f: Finding, path: str, commit: Commit | None, keep_path: bool = True) -> Finding:
    """A blob's finding placed at a path (archive members keep their ``!inner`` suffix)."""
    loc = f.location
    where = path + loc.path if keep_path else path
    return dataclasses.replace(f, location=Location(
        path=where, line=loc.line, column=loc.column, end_line=loc.end_line,
        end_column=loc.end_column, commit=commit.sha if commit else None,
        author=commit.author if commit else None, date=commit.date if commit else None))


def set_in_head(git: Git, findings: list[Finding],
                blob_findings: dict[str, list[Finding]]) -> None:
    """Mark each history finding with whether HEAD still has that secret at that path."""
    # A file's own name may hold "!": every prefix before one may be the file in HEAD.
    wanted = {prefix for f in findings if f.location.commit and not is_message(f.location.path)
              for prefix in _file_prefixes(f.location.path)}
    if not wanted:
        return
    head: dict[str, str] = {}
    try:
        out = git.run(["ls-tree", "-r", "-z", "HEAD"])
    except GitError:  # no HEAD (an unborn branch is checked out): nothing is "in HEAD"
        out = b""
    for entry in out.split(b"\0"):
        meta, _, raw_path = entry.partition(b"\t")
        path = raw_path.decode("utf-8", "replace")
        if path in wanted:
            head[path] = meta.split()[2].decode()
    # HEAD blobs this scan did not report on: look for the secret in their raw bytes.
    unread = sorted({b for b in head.values() if b not in blob_findings})
    contents = {o.sha: o.content.read() for o in iter_objects(git, unread) if o.type == "blob"}
    for i, f in enumerate(findings):
        if not f.location.commit or is_message(f.location.path):
            continue
        blob = next((head[p] for p in _file_prefixes(f.location.path) if p in head), None)
        if blob is None:
            present = False
        elif blob in blob_findings:
            present = any(g.rule_id == f.rule_id and g.secret == f.secret
                          for g in blob_findings[blob])
        else:
            present = f.secret.encode("utf-8", "surrogateescape") in contents.get(blob, b"")
        findings[i] = dataclasses.replace(
            f, location=dataclasses.replace(f.location, in_head=present))


def _file_prefixes(path: str) -> list[str]:
    """Where the file may end in ``path`` (``a.zip!inner`` is member ``inner`` of ``a.zip``,
    or a file named so), longest first."""
    parts = path.split("!")
    return ["!".join(parts[:n]) for n in range(len(parts), 0, -1)]


def scan_git(repo: str, scope: GitScope | None = None, config: ScanConfig | None = None,
             progress: Progress | None = None) -> ScanResult:
    return HistoryScanner(config, progress).scan(repo, scope)
