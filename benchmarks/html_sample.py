"""A sample HTML report, and its screenshot in headless Chromium: ``docs/html-report.png``.

    python -m benchmarks.html_sample [OUT.png]

The findings are built directly (made-up keys drawn from a seeded generator, never issued): a
live AWS root-account key with its blast radius, a live Alibaba Cloud key, a disabled one,
and an unverified GitHub token, in a repository whose origin is on GitHub. The browser test
(``tests/reporters/test_html.py``) renders the same sample."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.corpus import Values
from scanner.models import Fact, Finding, Location, Pairing, ScanResult, ScanStats, Verification
from scanner.reporters.html import render_html
from scanner.reporters.options import ReportOptions, ReportScope
from scanner.rules.loader import load_rules

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = (1280, 900)
PHONE = (390, 844)
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_argv(browser: str, profile: Path) -> list[str]:
    """Headless, with a throwaway profile; no sandbox (CI containers run as root)."""
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}"]


def dump_dom(browser: str, page: Path, profile: Path) -> str:
    proc = subprocess.run([*chromium_argv(browser, profile), "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=True)
    return proc.stdout


def screenshot(browser: str, page: Path, out: Path, size: tuple[int, int],
               profile: Path) -> None:
    subprocess.run([*chromium_argv(browser, profile), f"--screenshot={out}",
                    f"--window-size={size[0]},{size[1]}", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    if not out.is_file():
        raise RuntimeError(f"chromium wrote no screenshot to {out}")


def _finding(rule_id: str, name: str, provider: str, kind: str, severity: str, secret: str,
             path: str, line: int, commit: str, date: str, author: str = "dev",
             paired: Pairing | None = None, verification: Verification | None = None,
             in_head: bool = True) -> Finding:
    return Finding(rule_id=rule_id, rule_name=name, provider=provider, kind=kind,
                   severity=severity, secret=secret,
                   location=Location(path, line, 20, line, 20 + len(secret), commit=commit,
                                     author=author, date=date, in_head=in_head),
                   paired_with=paired, verification=verification)


def sample(seed: str = "html-report") -> tuple[ScanResult, ReportOptions, list[str]]:
    """The sample result, its report options, and every raw secret value in it."""
    values = Values(random.Random(seed), rsa_budget=0)
    rng = random.Random(seed + "/commits")

    def commit() -> str:
        return "".join(rng.choice("0123456789abcdef") for _ in range(40))

    aws_id, aws_secret = values.aws_id(), values.aws_secret()
    ali_id, ali_secret = values.alibaba_id(), values.alibaba_secret()
    old_id, old_secret = values.alibaba_id(), values.alibaba_secret()
    token = values.github()
    root = Verification("active", None, {"account_id": "123456789012",
                                         "arn": "arn:aws:iam::123456789012:root"},
                        facts=(Fact("identity_type", "root user (the account's own access key)",
                                    "critical"),
                               Fact("guidance", "AWS: do not use root user access keys; delete "
                                    "them and use IAM users or roles with least privilege",
                                    "critical"),
                               Fact("access_keys", "2 (2 active)", "high"),
                               Fact("last_used", "2024-06-30 (s3, us-east-1)", "info")),
                        root=True)
    ram = Verification("active", None, {"account_id": "1234567890123456",
                                        "arn": "acs:ram::1234567890123456:user/deployer"},
                       facts=(Fact("policy", "AliyunOSSReadOnlyAccess", "medium"),
                              Fact("ram_list_users", "not permitted", "good")))
    c1, c2, c3, c4 = commit(), commit(), commit(), commit()
    findings = [
        _finding("aws-secret-access-key", "AWS secret access key", "aws", "secret",
                 "root", aws_secret, "deploy/terraform.tfvars", 4, c1,
                 "2024-03-11T09:12:00+00:00", "alice",
                 Pairing("aws-access-key-id", aws_id, kind="id"), root),
        _finding("aws-secret-access-key", "AWS secret access key", "aws", "secret",
                 "root", aws_secret, "scripts/backup.sh", 12, c3,
                 "2024-06-02T17:40:00+00:00", "bob",
                 Pairing("aws-access-key-id", aws_id, kind="id"), root, in_head=False),
        _finding("alibaba-access-key-secret", "Alibaba Cloud AccessKey secret", "alibaba",
                 "secret", "critical", ali_secret, "config/app.ini", 2, c2,
                 "2024-05-20T08:00:00+00:00", "carol",
                 Pairing("alibaba-access-key-id", ali_id, kind="id"), ram),
        _finding("alibaba-access-key-secret", "Alibaba Cloud AccessKey secret", "alibaba",
                 "secret", "critical", old_secret, "old/settings.py", 7, c2,
                 "2024-05-20T08:00:00+00:00", "carol",
                 Pairing("alibaba-access-key-id", old_id, kind="id"),
                 Verification("inactive", "key_disabled")),
        _finding("github-token", "GitHub token", "github", "token",
                 "high", token, ".github/workflows/release.yml", 31, c4,
                 "2024-07-01T12:30:00+00:00", "dave"),
    ]
    result = ScanResult(findings=findings, stats=ScanStats(files=1843, unit="git object",
                                                           bytes=7_340_032, seconds=2.4))
    rules = load_rules([])
    options = ReportOptions(
        providers=rules.providers, tool_version="0.1.0", generated_at="2024-07-02T08:00:00+00:00",
        scope=ReportScope(target="git history of acme/payments (all refs)",
                          repository="github.com/acme/payments",
                          web_urls={"": "https://github.com/acme/payments"}))
    return result, options, [aws_id, aws_secret, ali_id, ali_secret, old_id, old_secret, token]


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "html-report.png"
    browser = find_chromium()
    if browser is None:
        print("chromium not found (apt-get install -y chromium)", file=sys.stderr)
        return 2
    result, options, _ = sample()
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(render_html(result, options), encoding="utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        screenshot(browser, page, out, DESKTOP, Path(tmp) / "profile")
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
