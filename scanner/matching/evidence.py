"""Context beyond a value's own lines: whether a whole file is about a provider, because one
of its SDK imports, endpoint domains or Terraform provider names occurs anywhere in it, or a
segment of its path names the provider; and which of the rules' context words a text holds
at all. Built per chunk and asked only for a value whose own context words are not nearby
(or a keyword whose rules need words), so a clean chunk costs nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from scanner.matching.prefilter import Prefilter
from scanner.rules.schema import Provider

_PATH_SPLIT = re.compile(r"[/\\._\-\s]+")


@dataclass(frozen=True, slots=True)
class ContextWords:
    """One automaton over every word context is judged by, the providers' file words and the
    rules' context words alike, so a text is read once for all of them: each word, and the
    providers whose file words it is (none for a rule's word)."""

    finder: Prefilter
    words: Sequence[str]
    providers: Sequence[frozenset[str]]

    @staticmethod
    def build(file_words: Mapping[str, Sequence[str]], rule_words: Sequence[str],
              make: Callable[[list[str]], Prefilter]) -> ContextWords | None:
        """``file_words``: per provider, its file words; ``make`` builds the automaton."""
        owners: dict[str, set[str]] = {w: set() for w in rule_words}
        for provider, words in file_words.items():
            for w in words:
                owners.setdefault(w, set()).add(provider)
        if not owners:
            return None
        words = sorted(owners)
        return ContextWords(make(words), words, [frozenset(owners[w]) for w in words])

    def found(self, text: str) -> frozenset[int]:
        """The index of every word in ``text``, in any case."""
        return frozenset(i for i, _ in self.finder.find(text))


@dataclass(slots=True)
class FileEvidence:
    """``text`` is the chunk (a decoded view asks about its chunk, not itself)."""

    text: str
    path: str
    providers: Mapping[str, Provider]
    # None when no provider or rule has any word: read the first time anything is asked.
    words: ContextWords | None = None
    _found: frozenset[int] | None = field(default=None, init=False)
    _present: frozenset[str] | None = field(default=None, init=False)
    _path_words: frozenset[str] | None = field(default=None, init=False)
    _answers: dict[str, str | None] = field(default_factory=dict, init=False)

    def found_words(self) -> frozenset[int]:
        """The indexes (in ``words``) of the context words the chunk holds."""
        if self._found is None:
            self._found = frozenset() if self.words is None else self.words.found(self.text)
        return self._found

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
            owners = self.words.providers
            self._present = frozenset(p for i in self.found_words() for p in owners[i])
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


@dataclass(slots=True)
class TextContext:
    """Which of the rules' context words one text holds: the chunk itself (its evidence read
    them already, or will once for both) or a decoded view of part of it (read by itself)."""

    text: str
    evidence: FileEvidence
    _present: frozenset[str] | None = field(default=None, init=False)

    def has_any(self, words: tuple[str, ...]) -> bool:
        """Whether any of ``words`` (each a rule's context word) is in the text, in any case."""
        if self._present is None:
            known = self.evidence.words
            if known is None:
                self._present = frozenset()
            else:
                found = self.evidence.found_words() if self.text is self.evidence.text \
                    else known.found(self.text)
                self._present = frozenset(known.words[i] for i in found)
        return not self._present.isdisjoint(words)
