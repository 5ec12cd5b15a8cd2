"""The file-tree source: walk paths without following symlinks (so loops are harmless and
nothing outside the tree is read), skip special files and known binary types, and report
what cannot be read instead of failing. Excluded directories are pruned, not walked."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.matching.paths import PathMatcher
from scanner.models import BINARY_FILE_TYPE, DEFAULT_EXCLUDED, Chunk, Origin, Skipped
from scanner.sources.inputs import ReadOptions, iter_input

# Skipped unless --no-default-excludes: lockfiles (integrity hashes, nothing a person typed),
# virtual environments (a directory holding pyvenv.cfg: third-party code, keysweep's own rule
# examples among it) and keysweep's own installed package wherever it is. The lockfiles are
# file names, matched at any depth: a set lookup per file, no glob matcher.
DEFAULT_EXCLUDES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "go.sum",
    "Cargo.lock", "poetry.lock", "Pipfile.lock", "composer.lock", "Gemfile.lock", "uv.lock",
})
# File types that are binary by construction; reading them would only find the NUL byte.
BINARY_EXTENSIONS = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".icns", ".tif", ".tiff", ".webp", ".psd",
    ".heic", ".avif", ".mp3", ".mp4", ".m4a", ".m4v", ".wav", ".flac", ".ogg", ".oga", ".opus",
    ".avi", ".mov", ".mkv", ".webm", ".wmv", ".ttf", ".otf", ".woff", ".woff2", ".eot", ".exe",
    ".dll", ".so", ".dylib", ".a", ".lib", ".o", ".obj", ".pyc", ".pyo", ".class", ".wasm",
    ".bin", ".dat", ".pdf", ".sqlite", ".db", ".iso", ".dmg", ".img",
})
STDIN = "-"


@dataclass(frozen=True, slots=True)
class FileItem:
    path: str  # what to open
    display: str  # what to report: relative to the scan root
    size: int


@dataclass(frozen=True)
class _Excludes:
    user: PathMatcher  # silently not scanned: the user asked
    default: frozenset[str] | None  # file names counted as skipped by default excludes
    own_package: str | None  # realpath of keysweep's installed package, if installed

    def default_excluded(self, entry: os.DirEntry[str], is_dir: bool) -> bool:
        if self.default is None:
            return False
        if is_dir:
            # A virtual environment, or keysweep's installed package (its rule files are
            # examples of every key type).
            return os.path.isfile(os.path.join(entry.path, "pyvenv.cfg")) or (
                self.own_package is not None and entry.name == os.path.basename(self.own_package)
                and os.path.realpath(entry.path) == self.own_package)
        return entry.name in self.default


def installed_package_dir() -> str | None:
    """The directory of the ``scanner`` package when it is installed (under site-packages or
    dist-packages), not a checkout being scanned for its own sake."""
    package = Path(__file__).resolve().parents[1]
    if any(part in ("site-packages", "dist-packages") for part in package.parts):
        return str(package)
    return None


def iter_files(roots: Sequence[str], excludes: Sequence[str] = (),
               default_excludes: bool = True) -> Iterator[FileItem | Skipped]:
    rules = _Excludes(PathMatcher.of(excludes),
                      DEFAULT_EXCLUDES if default_excludes else None,
                      installed_package_dir() if default_excludes else None)
    for root in roots:
        if root == STDIN:
            yield FileItem(STDIN, "<stdin>", 0)
            continue
        try:
            st = os.stat(root)
        except OSError as exc:
            yield Skipped(root, _describe(exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(root, rules)
        elif stat.S_ISREG(st.st_mode):
            yield FileItem(root, root, st.st_size)
        else:
            yield Skipped(root, "not a regular file (FIFO, socket or device); not read")


def _walk(root: str, rules: _Excludes) -> Iterator[FileItem | Skipped]:
    real_root = os.path.realpath(root)
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        directory = os.path.join(root, rel_dir) if rel_dir else root
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Skipped(rel_dir or root, _describe(exc))
            continue
        subdirs = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if entry.is_symlink():
                    skipped = _symlink(entry.path, real_root, rel)
                    if skipped:
                        yield skipped
                    continue
                is_dir = entry.is_dir(follow_symlinks=False)
                # .git holds git's own objects (``keysweep git`` reads them as history);
                # --no-default-excludes walks it too, like everything else
                if (is_dir and entry.name == ".git" and rules.default is not None) or \
                        rules.user.matches(rel, is_dir):
                    continue
                if rules.default_excluded(entry, is_dir):
                    yield Skipped(rel, DEFAULT_EXCLUDED)
                    continue
                if is_dir:
                    subdirs.append(rel)
                    continue
                if not entry.is_file(follow_symlinks=False):
                    yield Skipped(rel, "not a regular file (FIFO, socket or device); not read")
                    continue
                if os.path.splitext(entry.name)[1].lower() in BINARY_EXTENSIONS:
                    yield Skipped(rel, BINARY_FILE_TYPE)
                    continue
                yield FileItem(entry.path, rel, entry.stat(follow_symlinks=False).st_size)
            except OSError as exc:
                yield Skipped(rel, _describe(exc))
        stack.extend(reversed(subdirs))


def _symlink(path: str, real_root: str, rel: str) -> Skipped | None:
    """Symlinks are never followed: one into the tree points at something scanned in place;
    one out of the tree, or a broken one, is reported."""
    target = os.path.realpath(path)
    if not os.path.exists(target):
        try:
            os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return Skipped(rel, "symlink loop; not followed")
        return Skipped(rel, "broken symlink")
    if target == real_root or target.startswith(real_root + os.sep):
        return None
    return Skipped(rel, "symlink to outside the scanned tree; not followed")


def read_file(item: FileItem, options: ReadOptions) -> Iterator[Chunk | Skipped]:
    origin = Origin(item.display)
    if item.path == STDIN:
        import sys

        yield from iter_input(sys.stdin.buffer, origin, options)
        return
    try:
        # O_NONBLOCK: a path that became a FIFO since the walk must not hang the scan.
        fd = os.open(item.path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        yield Skipped(item.display, _describe(exc))
        return
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            yield Skipped(item.display, "not a regular file; not read")
            return
        try:
            yield from iter_input(f, origin, options)
        except OSError as exc:
            yield Skipped(item.display, _describe(exc))


def _describe(exc: OSError) -> str:
    reasons = {
        errno.ENOENT: "does not exist",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ELOOP: "symlink loop",
        errno.EISDIR: "is a directory",
    }
    return reasons.get(exc.errno or 0) or f"cannot read ({exc.strerror or exc})"
