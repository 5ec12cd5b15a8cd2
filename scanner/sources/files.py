"""The file-tree source: walk paths without following symlinks (so loops are harmless and
nothing outside the tree is read), skip special files and known binary types, and report
what cannot be read instead of failing."""

from __future__ import annotations

import errno
import fnmatch
import functools
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from scanner.models import Chunk, Origin, Skipped
from scanner.sources.inputs import ReadOptions, iter_input

# Lockfiles hold integrity hashes and nothing a person typed; --no-default-excludes scans them.
DEFAULT_EXCLUDES = (
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "go.sum",
    "Cargo.lock", "poetry.lock", "Pipfile.lock", "composer.lock", "Gemfile.lock", "uv.lock",
)
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


def iter_files(roots: Sequence[str], excludes: Sequence[str] = (),
               default_excludes: bool = True) -> Iterator[FileItem | Skipped]:
    patterns = tuple(excludes) + (DEFAULT_EXCLUDES if default_excludes else ())
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
            yield from _walk(root, patterns)
        elif stat.S_ISREG(st.st_mode):
            yield FileItem(root, root, st.st_size)
        else:
            yield Skipped(root, "not a regular file (FIFO, socket or device); not read")


def is_excluded(rel: str, patterns: Sequence[str]) -> bool:
    """A pattern matches the relative path, the file name, or any parent directory (by its
    name or its path)."""
    if not patterns:
        return False
    names, globs = _compiled(tuple(patterns))
    parts = rel.split("/")
    candidates = [rel, *parts, *("/".join(parts[:i]) for i in range(2, len(parts)))]
    if names and any(c in names for c in candidates):
        return True
    return globs is not None and any(globs.match(c) for c in candidates)


@functools.lru_cache(maxsize=32)
def _compiled(patterns: tuple[str, ...]) -> tuple[frozenset[str], re.Pattern[str] | None]:
    """Plain names as a set, wildcard patterns as one regex: the walk asks for every entry."""
    plain = {p.rstrip("/") for p in patterns if not any(ch in p for ch in "*?[")}
    globs = [fnmatch.translate(p.rstrip("/")) for p in patterns if any(ch in p for ch in "*?[")]
    return frozenset(plain), (re.compile("|".join(globs)) if globs else None)


def _walk(root: str, patterns: Sequence[str]) -> Iterator[FileItem | Skipped]:
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
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != ".git" and not is_excluded(rel, patterns):
                        subdirs.append(rel)
                    continue
                if is_excluded(rel, patterns):
                    continue
                if not entry.is_file(follow_symlinks=False):
                    yield Skipped(rel, "not a regular file (FIFO, socket or device); not read")
                    continue
                if os.path.splitext(entry.name)[1].lower() in BINARY_EXTENSIONS:
                    yield Skipped(rel, "binary file type")
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
