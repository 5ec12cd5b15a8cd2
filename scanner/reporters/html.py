"""The HTML report: one self-contained page (no script, font, style sheet or image from
anywhere else; a Content-Security-Policy that forbids them) to send to the people who must act.
Live keys come first, with whose they are, what they can reach and how to rotate them; then
the rest by severity, each with every place it was found, linked on the code host when the
repository lives on GitHub, GitLab or Bitbucket. Secrets are redacted unless asked otherwise.
A sweep's report adds a table of repositories and a chart of leaks by month (inline SVG)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape

from scanner.models import SEVERITY_ORDER, Finding, ScanResult
from scanner.reporters.codehost import location_url
from scanner.reporters.options import ReportOptions, printable, shown_path

RISKS = ("critical", "high", "medium", "low", "info", "good")


def e(text: object) -> str:
    """Text or an attribute value, escaped (quotes too), printable."""
    return escape(printable(str(text)), quote=True)


@dataclass(frozen=True)
class Group:
    """One secret: every finding of it, the first one standing for all."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def live(self) -> bool:
        v = self.first.verification
        return v is not None and v.status == "active"

    @property
    def root(self) -> bool:
        v = self.first.verification
        return self.first.severity == "root" or (v is not None and v.root)

    @property
    def severity(self) -> str:
        return "root" if self.root else self.first.severity

    @property
    def first_leaked(self) -> str | None:
        dates = [f.location.date for f in self.findings if f.location.date]
        return min(dates) if dates else None

    def order(self) -> tuple[int, int, str, str]:
        rank = SEVERITY_ORDER.index(self.severity) if self.severity in SEVERITY_ORDER \
            else len(SEVERITY_ORDER)
        return (0 if self.live else 1, rank, self.first.rule_name, self.first.location.path)


def groups(result: ScanResult) -> list[Group]:
    """Secrets in report order: live first, then by severity (root first). An ID paired with
    a reported secret is shown inside the secret's entry, as in the text report."""
    by_key: dict[tuple[str, str], list[Finding]] = {}
    for f in result.findings:
        by_key.setdefault((f.rule_id, f.secret_sha256), []).append(f)
    folded = {(p.rule_id, p.secret_sha256) for f in result.findings
              if f.kind != "id" and (p := f.paired_with) is not None}
    out = [Group(tuple(fs)) for key, fs in by_key.items()
           if not (key in folded and fs[0].kind == "id")]
    return sorted(out, key=Group.order)


def render_html(result: ScanResult, options: ReportOptions) -> str:
    secrets = groups(result)
    scope = options.scope
    repos = {f.location.repository or scope.repository for g in secrets for f in g.findings}
    repos.discard(None)
    live = [g for g in secrets if g.live]
    rest = [g for g in secrets if not g.live]
    title = "keysweep report" + (f": {scope.target}" if scope.target else "")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may load from anywhere: the page is complete as written.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        '<header class="top">',
        "<h1>keysweep report</h1>",
        '<dl class="meta">',
        f"<dt>Scanned</dt><dd id=\"target\">{e(scope.target or 'files')}</dd>",
    ]
    if options.generated_at:
        parts.append(f'<dt>Report made</dt><dd><time id="generated" '
                     f'datetime="{e(options.generated_at)}">{e(_when(options.generated_at))}'
                     "</time></dd>")
    s = result.stats
    parts.append(f"<dt>Inputs</dt><dd>{s.files} {e(s.unit if s.files == 1 else _plural(s.unit))}"
                 f", {s.bytes:,} bytes</dd>")
    if options.tool_version:
        parts.append(f"<dt>keysweep</dt><dd>{e(options.tool_version)}</dd>")
    parts.append("</dl>")
    counts = [("secrets", "Secrets", len(secrets)), ("live", "Live keys", len(live)),
              ("root", "Root-account keys", sum(g.root for g in secrets))]
    if scope.repository is not None or scope.repositories or repos:
        counts.append(("repositories", "Repositories affected", len(repos)))
    parts.append('<ul class="counts" aria-label="Counts">')
    for key, label, n in counts:
        alarm = " alarm" if n and key in ("live", "root") else ""
        parts.append(f'<li class="count{alarm}" data-count="{key}"><span class="n">{n}</span> '
                     f'<span class="label">{label}</span></li>')
    parts.append("</ul>")
    parts.append("</header>")
    parts.append("<main>")
    if live:
        parts.append('<section id="live" aria-labelledby="live-h">')
        parts.append('<h2 id="live-h">Live keys: rotate now</h2>')
        parts.append('<p class="lead">Each of these keys was accepted by its provider when '
                     "keysweep asked (a read-only call).</p>")
        parts.extend(_secret(g, options, i) for i, g in enumerate(live, 1))
        parts.append("</section>")
    if scope.repositories:  # a sweep: where the leaks are, after what to rotate now
        parts.extend(_repositories(secrets, options))
    if rest:
        parts.append('<section id="others" aria-labelledby="others-h">')
        heading = "Other secrets, by severity" if live else "Secrets, by severity"
        parts.append(f'<h2 id="others-h">{heading}</h2>')
        parts.extend(_secret(g, options, i) for i, g in enumerate(rest, len(live) + 1))
        parts.append("</section>")
    if not secrets:
        parts.append('<p class="none">No secrets found.</p>')
    parts.extend(_footer(result))
    parts.append("</main>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"


def _secret(g: Group, options: ReportOptions, n: int) -> str:
    f = g.first
    v = f.verification
    status = v.status if v else "not verified"
    shown = f.secret if options.show_secrets and f.secret else f.redacted
    out = [f'<article class="secret sev-{e(g.severity)}" id="secret-{n}" '
           f'data-severity="{e(g.severity)}" data-status="{e(status)}" '
           f'aria-labelledby="secret-{n}-h">',
           f'<h3 id="secret-{n}-h"><span class="badge sev-{e(g.severity)}">{e(g.severity)}</span>'
           f" {e(f.rule_name)}</h3>",
           '<dl class="facts-list">',
           f"<dt>Secret</dt><dd><code class=\"value\">{e(shown)}</code> "
           f"<span class=\"muted\">sha256 {e(f.secret_sha256[:12])}</span></dd>",
           f"<dt>Rule</dt><dd><code>{e(f.rule_id)}</code></dd>",
           f"<dt>Status</dt><dd><span class=\"status st-{e(status.replace(' ', '-'))}\">"
           f"{e(status)}</span>" + (f" ({e(v.reason)})" if v and v.reason else "") + "</dd>"]
    if v and v.identity:
        out.append("<dt>Identity</dt><dd><ul class=\"identity\">" + "".join(
            f"<li><span class=\"k\">{e(k)}</span> <code>{e(val)}</code></li>"
            for k, val in v.identity.items()) + "</ul></dd>")
    if f.paired_with:
        partner = (f.paired_with.secret if options.show_secrets and f.paired_with.secret
                   else f.paired_with.redacted)
        out.append(f"<dt>Paired with</dt><dd><code class=\"value\">{e(partner)}</code> "
                   f"<span class=\"muted\">{e(f.paired_with.rule_id)}</span></dd>")
    for part in f.credential:
        if part.kind == "token":
            token = part.secret if options.show_secrets and part.secret else part.redacted
            out.append(f"<dt>Session token</dt><dd><code class=\"value\">{e(token)}</code></dd>")
    decoded = sorted({" > ".join(x.decoded) for x in g.findings if x.decoded})
    if decoded:
        out.append(f"<dt>Decoded from</dt><dd>{e(', '.join(decoded))}</dd>")
    if f.tags:
        out.append(f"<dt>Note</dt><dd>{e(', '.join(f.tags))}</dd>")
    if f.confidence != "high":
        out.append(f"<dt>Context</dt><dd>{e(' and '.join(f.context))} only "
                   "(lower confidence)</dd>")
    out.append("</dl>")
    if v and v.facts:
        out.append('<div class="scroll"><table class="blast">'
                   "<caption>Blast radius: what this key is and can reach</caption>"
                   '<thead><tr><th scope="col">Fact</th><th scope="col">Value</th>'
                   '<th scope="col">Risk</th></tr></thead><tbody>')
        for fact in v.facts:
            risk = fact.risk if fact.risk in RISKS else "info"
            out.append(f'<tr class="risk-{risk}"><th scope="row">'
                       f"{e(fact.name.replace('_', ' '))}</th><td>{e(fact.value)}</td>"
                       f'<td><span class="badge risk-{risk}">{e(risk)}</span></td></tr>')
        out.append("</tbody></table></div>")
    provider = options.providers.get(f.provider)
    if provider and provider.remediation:
        label = "Rotate it" if g.live else "What to do"
        out.append(f'<div class="fix"><h4>{label} ({e(provider.name)})</h4>'
                   f"<p>{e(provider.remediation)}</p></div>")
    out.append(_locations(g, options))
    out.append("</article>")
    return "\n".join(out)


def _locations(g: Group, options: ReportOptions) -> str:
    sweep = any(f.location.repository for f in g.findings)
    head = ('<thead><tr>' + ('<th scope="col">Repository</th>' if sweep else "")
            + '<th scope="col">Location</th><th scope="col">Commit</th>'
            '<th scope="col">Author</th><th scope="col">Date</th>'
            '<th scope="col">In HEAD</th></tr></thead>')
    rows = []
    for f in g.findings:
        loc = f.location
        where = f"{shown_path(loc.path)}:{loc.line}:{loc.column}"
        base = options.scope.web_urls.get(loc.repository or "")
        url = location_url(base, loc.commit, loc.path, loc.line)
        cell = (f'<a class="loc" href="{e(url)}" rel="noreferrer">{e(where)}</a>' if url
                else f'<code class="loc">{e(where)}</code>')
        in_head = {True: "yes", False: "no", None: ""}[loc.in_head]
        rows.append("<tr>" + (f"<td>{e(loc.repository or '')}</td>" if sweep else "")
                    + f"<td>{cell}</td><td><code>{e((loc.commit or '')[:12])}</code></td>"
                    f"<td>{e(loc.author or '')}</td><td>{e((loc.date or '')[:10])}</td>"
                    f"<td>{in_head}</td></tr>")
    n = len(g.findings)
    return (f'<div class="scroll"><table class="locations"><caption>Found in {n} '
            f"location{'s' if n != 1 else ''}</caption>{head}<tbody>" + "".join(rows)
            + "</tbody></table></div>")


def _repositories(secrets: list[Group], options: ReportOptions) -> list[str]:
    """A sweep's repositories, worst first, and its leaks by first-leaked month."""
    found: Counter[str] = Counter()
    live: dict[str, set[int]] = {}
    first: dict[str, str] = {}
    for i, g in enumerate(secrets):
        for f in g.findings:
            repo = f.location.repository or ""
            found[repo] += 1
            if g.live:
                live.setdefault(repo, set()).add(i)
            if f.location.date and (repo not in first or f.location.date < first[repo]):
                first[repo] = f.location.date
    infos = sorted(options.scope.repositories,
                   key=lambda r: (-len(live.get(r.name, ())), -found[r.name], r.name))
    out = ['<section id="repositories" aria-labelledby="repos-h">',
           '<h2 id="repos-h">Repositories</h2>',
           '<div class="scroll"><table class="repos"><caption>Every repository the sweep '
           "covers, those with live keys first</caption><thead><tr>"
           '<th scope="col">Repository</th><th scope="col">Findings</th>'
           '<th scope="col">Live keys</th><th scope="col">First leaked</th>'
           '<th scope="col">Last scanned</th></tr></thead><tbody>']
    for r in infos:
        name = (f'<a href="{e(r.web_url)}" rel="noreferrer">{e(r.name)}</a>' if r.web_url
                else e(r.name))
        n_live = len(live.get(r.name, ()))
        out.append(f'<tr data-repo="{e(r.name)}"><th scope="row">{name}</th>'
                   f"<td>{found[r.name]}</td>"
                   f'<td class="{"alarm" if n_live else ""}">{n_live}</td>'
                   f"<td>{e((first.get(r.name) or '')[:10])}</td>"
                   f"<td>{e(_when(r.last_scanned) if r.last_scanned else 'never')}</td></tr>")
    out.append("</tbody></table></div>")
    out.extend(_chart(secrets))
    out.append("</section>")
    return out


def _months(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _chart(secrets: list[Group]) -> list[str]:
    """Secrets by the month they first leaked (their earliest commit), as an SVG bar chart
    with a text equivalent."""
    per_month = Counter(d[:7] for g in secrets if (d := g.first_leaked) and len(d) >= 7
                        and d[:4].isdigit() and d[5:7].isdigit())
    if not per_month:
        return []
    months = _months(min(per_month), max(per_month))[-120:]  # at most ten years of bars
    top = max(per_month[m] for m in months) or 1
    bar, gap, height, pad = 28, 8, 160, 24
    width = pad + len(months) * (bar + gap)
    svg = [f'<svg class="chart" role="img" aria-labelledby="chart-t chart-d" '
           f'viewBox="0 0 {width} {height + 2 * pad + 20}" '
           f'width="{width}" height="{height + 2 * pad + 20}">',
           '<title id="chart-t">Leaks by first-leaked month</title>',
           '<desc id="chart-d">' + e(", ".join(f"{m}: {per_month[m]}" for m in months
                                               if per_month[m])) + "</desc>",
           f'<line x1="{pad - 4}" y1="{pad + height}" x2="{width}" y2="{pad + height}" '
           'class="axis"/>']
    for i, month in enumerate(months):
        n = per_month[month]
        h = round(height * n / top)
        x = pad + i * (bar + gap)
        svg.append(f'<g data-month="{month}" data-count="{n}"><title>{month}: {n} '
                   f"secret{'s' if n != 1 else ''}</title>"
                   f'<rect x="{x}" y="{pad + height - h}" width="{bar}" height="{h}" '
                   'class="bar"/>'
                   + (f'<text x="{x + bar / 2}" y="{pad + height - h - 4}" '
                      f'text-anchor="middle" class="num">{n}</text>' if n else "")
                   + f'<text x="{x + bar / 2}" y="{pad + height + 16}" text-anchor="middle" '
                   f'class="tick">{month[2:]}</text></g>')
    svg.append("</svg>")
    return ['<figure class="chart-box">',
            '<figcaption><h3 id="chart-h">Leaks over time</h3>Secrets by the month of their '
            "first leaking commit (YY-MM).</figcaption>",
            '<div class="scroll">', *svg, "</div>", "</figure>"]


def _footer(result: ScanResult) -> list[str]:
    out = []
    if result.suppressed:
        counts = Counter(x.reason for x in result.suppressed)
        out.append('<p class="muted">Suppressed: ' + e(", ".join(
            f"{n} by {reason}" for reason, n in counts.most_common())) + ".</p>")
    errors = [x for x in result.skipped if not x.counted_only]
    if errors:
        out.append(f'<p class="muted">{len(errors)} input{"s" if len(errors) != 1 else ""} '
                   "could not be read (the JSON report lists them).</p>")
    if result.findings:
        out.append('<p class="muted">A false positive? Put <code>keysweep:allow</code> in a '
                   "comment on its line, or add its fingerprint to "
                   "<code>.keysweepignore</code>.</p>")
    return out


def _plural(unit: str) -> str:
    return "repositories" if unit == "repository" else f"{unit}s"


def _when(iso: str) -> str:
    """``2024-05-01T10:20:30+00:00`` -> ``2024-05-01 10:20 UTC``."""
    date, _, time = iso.partition("T")
    if not time:
        return iso
    zone = time[8:] if len(time) > 8 else ""
    return f"{date} {time[:5]}" + (" UTC" if zone in ("+00:00", "Z") else f" {zone}")


CSS = """
:root{--fg:#16181d;--muted:#4b5563;--bg:#fff;--card:#f7f7f9;--line:#d6d8de;--link:#1d4ed8;
--root:#6b21a8;--critical:#b91c1c;--high:#c2410c;--medium:#92400e;--low:#0f766e;--info:#1d4ed8;
--good:#166534;--alarm:#b91c1c}
@media (prefers-color-scheme:dark){:root{--fg:#eceef2;--muted:#b4bac6;--bg:#111318;
--card:#1b1e25;--line:#363b47;--link:#93c5fd;--alarm:#fca5a5}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}
header.top,main{max-width:72rem;margin:0 auto;padding:0 1rem}
header.top{padding-top:1rem;border-bottom:1px solid var(--line)}
h1{font-size:1.6rem;margin:.4rem 0}
h2{font-size:1.3rem;margin:1.6rem 0 .6rem}
h3{font-size:1.1rem;margin:0 0 .5rem}
h4{font-size:1rem;margin:.8rem 0 .2rem}
a{color:var(--link)}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;
overflow-wrap:anywhere}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.4rem 0}
dl.meta dt,.facts-list dt{color:var(--muted)}
dl.meta dd,.facts-list dd{margin:0;overflow-wrap:anywhere}
ul.counts{display:flex;flex-wrap:wrap;gap:.6rem;list-style:none;padding:0;margin:.8rem 0 1rem}
li.count{background:var(--card);border:1px solid var(--line);border-radius:.5rem;
padding:.5rem .9rem;min-width:9rem}
li.count .n{display:block;font-size:1.7rem;font-weight:700;line-height:1.2}
li.count.alarm{border-color:var(--critical);border-width:2px}
li.count.alarm .n{color:var(--alarm)}
article.secret{background:var(--card);border:1px solid var(--line);border-left:.4rem solid
var(--info);border-radius:.5rem;padding:.9rem 1rem;margin:0 0 1rem}
article.sev-root{border-left-color:var(--root)}article.sev-critical{border-left-color:var(--critical)}
article.sev-high{border-left-color:var(--high)}article.sev-medium{border-left-color:var(--medium)}
article.sev-low{border-left-color:var(--low)}
.facts-list{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0 0 .6rem}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:.3rem;color:#fff;
font-size:.8rem;font-weight:700;text-transform:uppercase;letter-spacing:.03em;
background:var(--info);vertical-align:.1em}
.sev-root.badge,.badge.sev-root{background:var(--root)}
.badge.sev-critical,.badge.risk-critical{background:var(--critical)}
.badge.sev-high,.badge.risk-high{background:var(--high)}
.badge.sev-medium,.badge.risk-medium{background:var(--medium)}
.badge.sev-low,.badge.risk-low{background:var(--low)}
.badge.risk-good{background:var(--good)}
.status{font-weight:700}.st-active{color:var(--alarm)}
.muted,.lead{color:var(--muted)}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;margin:.4rem 0;font-size:.93rem}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);
vertical-align:top}
thead th{color:var(--muted);font-weight:600;white-space:nowrap}
tbody th{font-weight:600}
td.alarm{color:var(--alarm);font-weight:700}
ul.identity{list-style:none;padding:0;margin:0}
.fix{border-top:1px dashed var(--line);margin-top:.6rem}
.fix p{margin:.2rem 0 .4rem}
figure.chart-box{margin:1rem 0}
figcaption h3{margin:0}
svg.chart .bar{fill:var(--critical)}svg.chart .axis{stroke:var(--muted)}
svg.chart text{fill:var(--fg);font-size:12px}
@media (max-width:40rem){body{font-size:15px}li.count{min-width:0;flex:1 1 40%}
.facts-list,dl.meta{grid-template-columns:1fr}.facts-list dd,dl.meta dd{margin-bottom:.3rem}
article.secret{padding:.7rem}}
"""
