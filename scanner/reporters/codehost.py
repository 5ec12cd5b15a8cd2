"""Links to a finding on its code host: the web address of a GitHub, GitLab or Bitbucket
repository from its git remote URL (any credentials in it dropped), and the address of one
file and line at one commit there."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# host -> (file at a commit, line anchor, commit page)
HOSTS = {
    "github.com": ("{base}/blob/{commit}/{path}", "#L{line}", "{base}/commit/{commit}"),
    "gitlab.com": ("{base}/-/blob/{commit}/{path}", "#L{line}", "{base}/-/commit/{commit}"),
    "bitbucket.org": ("{base}/src/{commit}/{path}", "#lines-{line}", "{base}/commits/{commit}"),
}
_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!/).+)$")
_SEGMENT = re.compile(r"^[\w.-]+$")
_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")


def web_base(remote: str | None) -> str | None:
    """``https://HOST/OWNER/REPO`` for a remote on a known code host (https, ssh or scp-like
    ``git@host:owner/repo.git``), None for anything else. Only the host and the path are kept,
    so a ``user:token@`` in the remote never reaches a report."""
    if not remote:
        return None
    remote = remote.strip()
    if "://" in remote:
        parts = urlsplit(remote)
        if parts.scheme not in ("https", "http", "ssh", "git", "git+ssh"):
            return None
        host, path = (parts.hostname or ""), parts.path
    elif (m := _SCP.match(remote)) is not None:
        host, path = m["host"], m["path"]
    else:
        return None
    host = host.lower().removeprefix("www.")
    segments = [s for s in path.strip("/").removesuffix(".git").split("/") if s]
    if host not in HOSTS or len(segments) < 2 or not all(_SEGMENT.match(s) for s in segments):
        return None
    if host != "gitlab.com" and len(segments) != 2:  # GitLab alone has nested groups
        return None
    return f"https://{host}/{'/'.join(segments)}"


def location_url(base: str | None, commit: str | None, path: str, line: int) -> str | None:
    """The address of ``path`` at ``line`` in ``commit`` on the code host, or of the commit
    itself for a commit or tag message; None without a base or a commit."""
    if not base or not commit or not _COMMIT.match(commit):
        return None
    host = urlsplit(base).hostname or ""
    if host not in HOSTS:
        return None
    blob, anchor, commit_page = HOSTS[host]
    if path.startswith("<"):  # "<commit message>": no file to point at
        return commit_page.format(base=base, commit=commit)
    inner = "!" in path  # an archive member: link the archive, there is no line in it
    outer = path.split("!", 1)[0]
    quoted = quote(outer.encode("utf-8", "surrogateescape"), safe="/")
    url = blob.format(base=base, commit=commit, path=quoted)
    return url if inner else url + anchor.format(line=line)
