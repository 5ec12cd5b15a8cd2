"""Path globs with gitignore semantics (gitwildmatch, via ``pathspec``), the one matcher for
``--exclude``/``exclude``, ``[allowlist] paths`` and the path lines of ``.keysweepignore``:
``src/*.py`` matches one level only, ``**/fixtures/`` any depth, a leading ``/`` anchors to
the root, a trailing ``/`` matches directories only, ``!`` negates, and the last matching
pattern wins. Paths are relative to the scan root, with ``/`` separators."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pathspec


@dataclass(frozen=True)
class PathMatcher:
    """Compiled once: the walk asks for every entry of the tree."""

    patterns: tuple[str, ...] = ()
    _spec: pathspec.GitIgnoreSpec | None = field(default=None, init=False, repr=False,
                                                 compare=False)

    def __post_init__(self) -> None:
        if not self.patterns:
            return  # most runs name no pattern: pathspec is not even imported
        import pathspec

        # The pure-Python backend: the hyperscan one cannot take a path that is not valid
        # UTF-8 (a surrogate-escaped file name), and a handful of patterns is no work for re.
        spec: Any = pathspec.GitIgnoreSpec.from_lines(self.patterns, backend="simple")
        object.__setattr__(self, "_spec", spec)

    @classmethod
    def of(cls, patterns: Iterable[str]) -> PathMatcher:
        return cls(tuple(patterns))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def matches(self, rel: str, is_dir: bool = False) -> bool:
        """Whether ``rel`` is matched. A path inside an archive (``a.zip!inner/x``) matches
        on its outer path: the archive is the file on disk a pattern can name."""
        if self._spec is None:
            return False
        path = rel.split("!", 1)[0].strip("/")
        if not path:
            return False
        # A trailing slash tells gitwildmatch "this is a directory" (for ``docs/`` patterns).
        return self._spec.match_file(path + "/" if is_dir else path)
