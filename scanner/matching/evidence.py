"""File-level context: whether a whole file is about a provider, because one of its SDK
imports, endpoint domains or Terraform provider names occurs anywhere in it, or a segment of
its path names the provider. Built per chunk and asked only for a value whose own context
words are not nearby, so a clean chunk costs nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scanner.matching.prefilter import Prefilter
from scanner.rules.schema import Provider

_PATH_SPLIT = re.compile(r"[/\\._\-\s]+")


@dataclass(slots=True)
class FileEvidence:
    """``text`` is the chunk (a decoded view asks about its chunk, not itself)."""

    text: str
    path: str
    providers: Mapping[str, Provider]
    # One automaton over every provider's file words, and the provider of each word (None
    # when no provider has any): the text is read once for all of them, the first time any
    # provider is asked about.
    words: tuple[Prefilter, Sequence[str]] | None = None
    _present: frozenset[str] | None = field(default=None, init=False)
    _path_words: frozenset[str] | None = field(default=None, init=False)
    _answers: dict[str, str | None] = field(default_factory=dict, init=False)

    def admits(self, provider: str) -> str | None:
        """"file" when a provider word is in the text, "path" when a path segment names
        the provider, else None."""
        if provider in self._answers:
            return self._answers[provider]
        answer = None
        known = self.providers.get(provider)
        if known is not None:
            ctx = known.file_context
            if ctx.words and self._mentions(provider):
                answer = "file"
            elif ctx.paths and not self._path_segments().isdisjoint(ctx.paths):
                answer = "path"
        self._answers[provider] = answer
        return answer

    def _mentions(self, provider: str) -> bool:
        if self.words is None:  # no provider has file words
            return False
        if self._present is None:
            finder, owners = self.words
            self._present = frozenset(owners[i] for i, _ in finder.find(self.text))
        return provider in self._present

    def _path_segments(self) -> frozenset[str]:
        """Each directory and file name, whole and split at ``. _ -``: ``huawei-prod.ini``
        names ``huawei``. Archive members (``a.zip!x/y``) count too."""
        if self._path_words is None:
            words: set[str] = set()
            for segment in re.split(r"[/\\!]+", self.path.lower()):
                if segment:
                    words.add(segment)
                    words.update(w for w in _PATH_SPLIT.split(segment) if w)
            self._path_words = frozenset(words)
        return self._path_words
