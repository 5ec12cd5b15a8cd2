"""The HTML report: its structure read back with the stdlib HTML parser (counts, live keys
first then by severity, code-host links, no raw secret, nothing loaded from elsewhere), through
real ``keysweep scan``/``git``/``sweep``+``report`` runs, and rendered in headless Chromium."""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from benchmarks.corpus import Values
from benchmarks.html_sample import DESKTOP, PHONE, dump_dom, find_chromium, sample, screenshot
from scanner.models import SEVERITY_ORDER, Fact, Finding, Location, ScanResult, Verification
from scanner.reporters.codehost import location_url, web_base
from scanner.reporters.html import render_html
from scanner.reporters.options import ReportOptions, ReportScope
from tests.helpers.fake_provider import Account, FakeProvider
from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import ID, SECRET, leak
from tests.helpers.run import run_keysweep
from tests.reporters.conftest import RAW_VALUES

CODE_HOSTS = ("https://github.com/", "https://gitlab.com/", "https://bitbucket.org/")


@dataclass
class Page:
    """What a report page holds, as the stdlib parser sees it."""

    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    secrets: list[dict[str, str]] = field(default_factory=list)  # each <article>'s attributes
    text: str = ""
    headings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def links(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t == "a" and "href" in a]

    @property
    def order(self) -> list[tuple[str, str]]:
        return [(s["data-status"], s["data-severity"]) for s in self.secrets]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._count: str | None = None
        self._heading: str | None = None
        self._chunks: list[str] = []
        self._heading_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.page.tags.append((tag, a))
        if tag == "li" and "data-count" in a:
            self._count = a["data-count"]
        if tag == "article":
            self.page.secrets.append(a)
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading, self._heading_text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._count = None
        if tag == self._heading:
            self.page.headings.append((tag, "".join(self._heading_text).strip()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self._chunks.append(data)
        if self._heading:
            self._heading_text.append(data)
        if self._count and data.strip().isdigit() and self._count not in self.page.counts:
            self.page.counts[self._count] = int(data.strip())


def parse(text: str) -> Page:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    parser.page.text = "".join(parser._chunks)
    return parser.page


def assert_self_contained(page: Page, raw: str) -> None:
    """Nothing loaded from elsewhere; the only outside addresses are code-host links."""
    for tag, attrs in page.tags:
        assert tag not in ("script", "iframe", "object", "embed", "img") or \
            "src" not in attrs, (tag, attrs)
        assert not (tag == "link" and "stylesheet" in attrs.get("rel", "")), attrs
        for name in ("src", "href", "srcset", "action", "data", "poster"):
            value = attrs.get(name, "")
            if value.startswith(("http:", "https:", "//")):
                assert name == "href" and tag == "a" and value.startswith(CODE_HOSTS), \
                    (tag, name, value)
    assert "@import" not in raw and "url(" not in raw
    assert ('name="viewport"' in raw and 'content="width=device-width' in raw)
    # Every header cell says what it heads.
    assert all(a.get("scope") in ("col", "row") for t, a in page.tags if t == "th")


def assert_report_order(order: list[tuple[str, str]]) -> None:
    """Live keys first, then the rest; within each, worst severity first (root first)."""
    ranks = [(status != "active", SEVERITY_ORDER.index(severity)) for status, severity in order]
    assert ranks == sorted(ranks), order


def assert_no_secret(text: str, values: list[str] | tuple[str, ...]) -> None:
    for value in values:
        assert value not in text


# -- code-host addresses -------------------------------------------------------------------


@pytest.mark.parametrize(("remote", "base"), [
    ("https://alice:ghp_tok3n@github.com/acme/app.git", "https://github.com/acme/app"),
    ("git@github.com:acme/app.git", "https://github.com/acme/app"),
    ("ssh://git@github.com/acme/app", "https://github.com/acme/app"),
    ("http://www.github.com/acme/app/", "https://github.com/acme/app"),
    ("https://oauth2:glpat-x@gitlab.com/grp/sub/app.git", "https://gitlab.com/grp/sub/app"),
    ("git@bitbucket.org:team/app.git", "https://bitbucket.org/team/app"),
    ("https://example.com/acme/app.git", None),
    ("https://github.com/acme", None),
    ("https://github.com/acme/app/extra", None),
    ("/srv/git/app.git", None),
    ("file:///srv/git/app.git", None),
    ("https://github.com/acme/a%22b", None),
    ("", None),
])
def test_web_base_keeps_only_host_and_path(remote: str, base: str | None):
    assert web_base(remote) == base


def test_location_urls_per_host():
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert location_url("https://github.com/a/b", sha, "dir/my file.py", 7) == \
        f"https://github.com/a/b/blob/{sha}/dir/my%20file.py#L7"
    assert location_url("https://gitlab.com/g/s/b", sha, "x.env", 3) == \
        f"https://gitlab.com/g/s/b/-/blob/{sha}/x.env#L3"
    assert location_url("https://bitbucket.org/t/b", sha, "x.env", 3) == \
        f"https://bitbucket.org/t/b/src/{sha}/x.env#lines-3"
    assert location_url("https://github.com/a/b", sha, "<commit message>", 1) == \
        f"https://github.com/a/b/commit/{sha}"
    assert location_url("https://github.com/a/b", sha, "pkg.zip!conf/k.ini", 2) == \
        f"https://github.com/a/b/blob/{sha}/pkg.zip"
    assert location_url("https://github.com/a/b", None, "x.env", 3) is None
    assert location_url(None, sha, "x.env", 3) is None


# -- the page, from findings built directly ----------------------------------------------


def test_sample_order_counts_facts_and_redaction():
    result, options, raw = sample()
    text = render_html(result, options)
    page = parse(text)
    assert_self_contained(page, text)
    assert_no_secret(text, raw)
    assert page.counts == {"secrets": 4, "live": 2, "root": 1, "repositories": 1}
    # Live first (the root key before the other live one), then by severity.
    assert page.order == [("active", "root"), ("active", "critical"),
                          ("inactive", "critical"), ("not verified", "high")]
    assert_report_order(page.order)
    assert [h for t, h in page.headings if t == "h2"] == ["Live keys: rotate now",
                                                         "Other secrets, by severity"]
    assert "root user (the account's own access key)" in page.text
    assert "arn:aws:iam::123456789012:root" in page.text
    assert "Rotate it (AWS)" in page.text and "CloudTrail" in page.text
    commits = {f.location.commit for f in result.findings}
    assert {link.split("/blob/")[1].split("/")[0] for link in page.links} == commits
    assert "https://github.com/acme/payments/blob/" in text and "#L4" in text
    shown = parse(render_html(result, replace(options, show_secrets=True))).text
    assert all(value in shown for value in raw)


def test_markup_in_values_is_escaped():
    evil = '<script>alert(1)</script>"x'
    f = Finding("r", evil, "p", "secret", "high", "s3cr3tvalue-abcdefgh",
                Location(f"{evil}.py", 1, 1, 1, 5),
                verification=Verification("active", evil, {"arn": evil},
                                          facts=(Fact(evil, evil, "critical"),)))
    text = render_html(ScanResult(findings=[f]), ReportOptions(scope=ReportScope(target=evil)))
    page = parse(text)
    assert not any(t == "script" for t, _ in page.tags)
    assert evil in page.text and "s3cr3tvalue-abcdefgh" not in text


# -- real runs -----------------------------------------------------------------------------


@pytest.fixture
def values(request: pytest.FixtureRequest) -> Values:
    return Values(random.Random(request.node.nodeid), rsa_budget=0)


def leaky_repo(path: Path, remote: str, fake: FakeProvider | None, values: Values,
               months: tuple[str, ...] = ("2023-11", "2024-02")) -> tuple[GitRepo, list[str]]:
    """A repository with a live pair, a disabled pair and an unpaired secret, committed in
    the given months; its origin is ``remote``."""
    repo = GitRepo(path)
    repo.git("remote", "add", "origin", remote)
    live_id, live = values.alibaba_id(), values.alibaba_secret()
    off_id, off = values.alibaba_id(), values.alibaba_secret()
    loose = values.alibaba_secret()
    if fake is not None:
        fake.accounts[live_id] = Account(live, "active", account_id="5556667778889990")
        fake.accounts[off_id] = Account(off, "disabled")
    files = {"conf/live.ini": f"[default]\naccess_key_id = {live_id}\n"
                              f"access_key_secret = {live}\n",
             "old.ini": f"[default]\naccess_key_id = {off_id}\naccess_key_secret = {off}\n",
             "app.py": "import os\n" + leak(loose)}
    for i, (name, text) in enumerate(files.items()):
        repo.write(name, text)
        repo.git("add", "-A")
        month = months[min(i, len(months) - 1)]
        date = f"{month}-1{i}T10:00:00+00:00"
        repo.git("-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "-q",
                 "-m", f"add {name}", env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
    return repo, [live_id, live, off_id, off, loose]


def test_git_run_links_github_and_orders_live_first(tmp_path: Path, values: Values):
    with FakeProvider() as fake:
        repo, raw = leaky_repo(tmp_path / "app", "https://bob:ghp_S3cretT0ken@github.com/"
                               "acme/app.git", fake, values)
        out = tmp_path / "report.html"
        run_keysweep("git", repo.path, "--verify", "--verify-endpoint",
                     f"alibaba={fake.url}", "-f", "html", "-o", out, expected_code=1)
    text = out.read_text()
    page = parse(text)
    assert_self_contained(page, text)
    assert_no_secret(text, [*raw, "ghp_S3cretT0ken", "bob:"])
    assert page.counts == {"secrets": 3, "live": 1, "root": 0, "repositories": 1}
    assert page.order[0] == ("active", "critical")
    assert sorted(s for s, _ in page.order[1:]) == ["inactive", "skipped"]  # unpaired
    assert_report_order(page.order)
    assert "5556667778889990" in page.text  # the live key's identity
    commits = repo.git("log", "--format=%H").split()
    expected = {f"https://github.com/acme/app/blob/{c}/{p}#L{n}" for c, p, n in
                [(commits[2], "conf/live.ini", 3), (commits[1], "old.ini", 3),
                 (commits[0], "app.py", 2)]}
    assert expected <= set(page.links)
    assert "git history of" in page.text


def test_scan_run_without_repository_redacts_and_shows_on_request(tree: Path, tmp_path: Path):
    out = tmp_path / "r.html"
    run_keysweep("scan", tree, "-f", "html", "-o", out, "--no-config", expected_code=1)
    text = out.read_text()
    page = parse(text)
    assert_self_contained(page, text)
    assert_no_secret(text, RAW_VALUES)
    assert page.links == []  # no repository, no code host
    assert page.counts["secrets"] >= 3 and page.counts["live"] == 0
    assert "repositories" not in page.counts
    assert_report_order(page.order)
    shown = run_keysweep("scan", tree, "-f", "html", "--show-secrets", "--no-config",
                         expected_code=1).stdout
    assert SECRET in shown and ID in shown


def test_report_db_lists_repositories_and_leaks_by_month(tmp_path: Path, values: Values):
    root = tmp_path / "repos"
    gl, gl_raw = leaky_repo(root / "web", "git@gitlab.com:acme/platform/web.git", None,
                            values, months=("2023-11", "2024-02"))
    bb, bb_raw = leaky_repo(root / "api", "https://bitbucket.org/acme/api.git", None, values,
                            months=("2024-02", "2024-03"))
    clean = GitRepo(root / "docs")
    clean.commit("docs", README="nothing here\n")
    db = tmp_path / "sweep.db"
    run_keysweep("sweep", "--dir", root, "--db", db, "--cache", tmp_path / "cache", "-q")
    out = tmp_path / "sweep.html"
    run_keysweep("report", "--db", db, "--format", "html", "-o", out)
    text = out.read_text()
    page = parse(text)
    assert_self_contained(page, text)
    assert_no_secret(text, gl_raw + bb_raw)
    assert page.counts == {"secrets": 6, "live": 0, "root": 0, "repositories": 2}
    assert_report_order(page.order)
    rows = {a["data-repo"] for t, a in page.tags if t == "tr" and "data-repo" in a}
    assert rows == {"web", "api", "docs"}
    assert "https://gitlab.com/acme/platform/web" in page.links
    web = gl.git("log", "--format=%H").split()
    api = bb.git("log", "--format=%H").split()
    assert f"https://gitlab.com/acme/platform/web/-/blob/{web[2]}/conf/live.ini#L3" in page.links
    assert f"https://bitbucket.org/acme/api/src/{api[0]}/app.py#lines-2" in page.links
    # The chart: one bar per month from the first leak to the last, gaps included.
    bars = {a["data-month"]: int(a["data-count"]) for t, a in page.tags
            if t == "g" and "data-month" in a}
    assert bars == {"2023-11": 1, "2023-12": 0, "2024-01": 0, "2024-02": 3, "2024-03": 2}
    assert any(t == "svg" and a.get("role") == "img" for t, a in page.tags)
    assert "2023-11-10" in page.text  # web's first leak, in the repositories table


# -- a real browser ------------------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_chromium_renders_the_report(tmp_path: Path):
    browser = find_chromium()
    if browser is None:
        pytest.skip("Chromium not found on PATH (chromium, chromium-browser, google-chrome); "
                    ".ci/run installs it with apt-get install -y chromium")
    result, options, raw = sample()
    report = tmp_path / "report.html"
    report.write_text(render_html(result, options), encoding="utf-8")
    dom = dump_dom(browser, report, tmp_path / "profile")
    page = parse(dom)
    assert page.counts == {"secrets": 4, "live": 2, "root": 1, "repositories": 1}
    assert page.order[:2] == [("active", "root"), ("active", "critical")]
    assert sum(link.startswith("https://github.com/acme/payments/blob/")
               for link in page.links) == 5
    assert_no_secret(dom, raw)
    for name, size in (("report.png", DESKTOP), ("report-phone.png", PHONE)):
        shot = tmp_path / name
        screenshot(browser, report, shot, size, tmp_path / "profile")
        assert png_size(shot) == size
        assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
