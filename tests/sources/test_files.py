"""Bad input never stops a scan: every awkward kind of file is reported and skipped (or read
correctly), and everything else is still scanned. Real files, the real command."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import resource
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.helpers.keys import ID, SECRET
from tests.helpers.run import as_unprivileged, keysweep_command, run_keysweep

LEAK = f"aliyun_access_key_id = {ID}\naliyun_access_key_secret = {SECRET}\n"


def scan(*args: object, expected_code: int = 1, **kw: object) -> dict:
    run = run_keysweep("scan", *args, "--format", "json", expected_code=expected_code, **kw)
    return run.json()


def secrets(report: dict) -> set[tuple[str, str]]:
    return {(f["path"], f["redacted"]) for f in report["findings"]}


def skipped(report: dict) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in report["skipped"]}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "config.ini").write_text(LEAK)
    return root


def test_binary_content_is_skipped_and_the_rest_scanned(tree: Path):
    (tree / "blob.dat2").write_bytes(b"\x00\x01\x02" + LEAK.encode() + b"\x00" * 100)
    (tree / "logo.png").write_bytes(b"\x89PNG\r\n" + LEAK.encode())
    report = scan(tree)
    assert skipped(report) == {}  # binaries are counted, not listed as if they were errors
    assert report["stats"]["binary"] == 2 and report["stats"]["skipped"] == 0
    assert {p for p, _ in secrets(report)} == {"config.ini"}
    verbose = scan(tree, "-v")
    assert skipped(verbose) == {"blob.dat2": "binary content", "logo.png": "binary file type"}
    text = run_keysweep("scan", tree, "-f", "text", expected_code=1).stdout
    assert "Skipped 2 binary files (by type or content)." in text


def test_text_with_undecodable_bytes_is_still_scanned(tree: Path):
    (tree / "latin1.txt").write_bytes(b"caf\xe9 \xff\xfe garbage\n" + LEAK.encode())
    report = scan(tree)
    lines = {f["line"] for f in report["findings"] if f["path"] == "latin1.txt"}
    assert lines == {2, 3}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le", "utf-8-sig"])
def test_utf16_and_bom_files_are_decoded(tmp_path: Path, encoding: str):
    data = ("# ünïcode header\r\n" + LEAK).encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (tmp_path / "creds.txt").write_bytes(data)
    report = scan(tmp_path)
    assert {(f["line"], f["column"]) for f in report["findings"]} == {(2, 24), (3, 28)}


def test_symlink_loops_and_links_out_of_the_tree_are_harmless(tmp_path: Path, tree: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "other.env").write_text(f"ALIYUN_SECRET={SECRET[::-1]}\n")
    (tree / "loop").mkdir()
    (tree / "loop" / "again").symlink_to(tree / "loop")
    (tree / "self").symlink_to(tree)
    (tree / "out").symlink_to(outside)
    (tree / "dangling").symlink_to(tmp_path / "missing")
    report = scan(tree, timeout=60)
    assert {p for p, _ in secrets(report)} == {"config.ini"}
    reasons = skipped(report)
    assert reasons["out"] == "symlink to outside the scanned tree; not followed"
    assert reasons["dangling"] == "broken symlink"


def test_fifo_and_other_special_files_are_not_read(tree: Path):
    os.mkfifo(tree / "pipe")  # opening it for reading would block forever
    report = scan(tree, timeout=60)
    assert skipped(report)["pipe"].startswith("not a regular file")
    assert {p for p, _ in secrets(report)} == {"config.ini"}


def test_permission_denied_is_reported_and_the_scan_goes_on(tree: Path):
    locked = tree / "locked"
    locked.mkdir()
    (locked / "a.env").write_text(LEAK)
    (tree / "secret.env").write_text(LEAK)
    (tree / "secret.env").chmod(0)
    locked.chmod(0)
    try:
        run = run_keysweep("scan", tree, "-f", "json", expected_code=1, prefix=as_unprivileged())
    finally:
        locked.chmod(0o755)
    report = run.json()
    assert skipped(report) == {"locked": "permission denied", "secret.env": "permission denied"}
    assert {p for p, _ in secrets(report)} == {"config.ini"}
    assert "keysweep: warning: skipped secret.env: permission denied" in run.stderr


def test_missing_path_is_a_clear_error_and_other_paths_are_scanned(tree: Path, tmp_path: Path):
    run = run_keysweep("scan", tree, tmp_path / "nope", "-f", "json", expected_code=1)
    assert {f["path"] for f in run.json()["findings"]} == {"config.ini"}
    assert f"keysweep: error: path does not exist: {tmp_path / 'nope'}" in run.stderr
    alone = run_keysweep("scan", tmp_path / "nope", expected_code=2)
    assert "Traceback" not in alone.stderr and "does not exist" in alone.stderr


def test_git_directory_lockfiles_and_excludes_are_skipped(tree: Path):
    (tree / ".git").mkdir()
    (tree / ".git" / "config").write_text(LEAK)
    (tree / "yarn.lock").write_text(LEAK)
    (tree / "vendor").mkdir()
    (tree / "vendor" / "lib.py").write_text(LEAK)
    report = scan(tree, "--exclude", "vendor")
    assert {p for p, _ in secrets(report)} == {"config.ini"}
    report = scan(tree, "--exclude", "vendor", "--no-default-excludes")  # .git/ too (#11)
    assert {p for p, _ in secrets(report)} == {"config.ini", "yarn.lock", ".git/config"}


def test_stdin_is_scanned_with_dash():
    run = run_keysweep("scan", "-", "-f", "json", input=LEAK, expected_code=1)
    assert {f["path"] for f in run.json()["findings"]} == {"<stdin>"}


def test_minified_single_line_file_of_5mb(tmp_path: Path):
    filler = "function a(b){return b+1};var c=[1,2,3].map(a);" * 54000
    config = f'var cfg={{aliyun:{{accessKeyId:"{ID}",accessKeySecret:"{SECRET}"}}}};'
    line = filler + config + filler
    (tmp_path / "bundle.min.js").write_text(line)
    assert len(line) > 5_000_000
    report = scan(tmp_path)
    cols = sorted((f["line"], f["column"]) for f in report["findings"])
    assert cols == [(1, line.index(ID) + 1), (1, line.index(SECRET) + 1)]


def test_one_gigabyte_file_is_scanned_in_bounded_memory(tmp_path: Path):
    big = tmp_path / "huge.log"
    with open(big, "wb") as f:
        f.write(b"log start\n" * 1000)  # text first, so it is not sniffed as binary
        f.truncate(1 << 30)  # a 1 GiB file, sparse: the rest reads as NUL bytes
        f.seek((1 << 30) - 200)
        f.write(b"\n" + LEAK.encode())
    proc = subprocess.run(keysweep_command() + ["scan", str(big), "-f", "json", "--jobs", "1"],
                          capture_output=True, timeout=600)
    assert proc.returncode == 1, proc.stderr.decode()
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert {f["redacted"] for f in json.loads(proc.stdout)["findings"]} == {
        "LTAI…", "J0Rl…"}
    # ru_maxrss of children is the largest any child reached: this scan or a smaller one.
    assert peak_mb < 400, f"peak RSS {peak_mb:.0f} MB"


# -- archives ---------------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_archive_members_are_scanned_and_named_with_bang(tmp_path: Path):
    (tmp_path / "app.jar").write_bytes(_zip({"conf/app.properties": LEAK.encode(),
                                             "Main.class": b"\xca\xfe\xba\xbe\x00\x00"}))
    (tmp_path / "backup.tar.gz").write_bytes(_tar_gz({"etc/creds.ini": LEAK.encode()}))
    (tmp_path / "dump.sql.gz").write_bytes(gzip.compress(LEAK.encode()))
    (tmp_path / "notes.txt.bz2").write_bytes(bz2.compress(LEAK.encode()))
    nested = _zip({"inner.zip": _zip({"deep/key.env": LEAK.encode()})})
    (tmp_path / "nested.zip").write_bytes(nested)
    report = scan(tmp_path)
    assert {p for p, _ in secrets(report)} == {
        "app.jar!conf/app.properties", "backup.tar.gz!etc/creds.ini", "dump.sql.gz!dump.sql",
        "notes.txt.bz2!notes.txt", "nested.zip!inner.zip!deep/key.env"}
    assert skipped(report) == {} and report["stats"]["binary"] == 1
    assert skipped(scan(tmp_path, "-v")) == {"app.jar!Main.class": "binary content"}


def test_zip_bomb_is_reported_and_skipped_not_expanded(tmp_path: Path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("bomb.txt", "w", force_zip64=True) as member:
            block = b"a" * (1 << 20)
            for _ in range(300):  # 300 MiB of one letter: about 300 KiB compressed
                member.write(block)
        zf.writestr("real.env", LEAK)
    (tmp_path / "bomb.zip").write_bytes(buf.getvalue())
    deep = LEAK.encode()
    for i in range(5):
        deep = _zip({f"level{i}.zip" if i else "key.env": deep})
    (tmp_path / "deep.zip").write_bytes(deep)
    run = run_keysweep("scan", tmp_path, "-f", "json", expected_code=1, timeout=120)
    report = run.json()
    assert {p for p, _ in secrets(report)} == {"bomb.zip!real.env"}
    reasons = skipped(report)
    assert "zip bomb" in reasons["bomb.zip!bomb.txt"]
    assert any("nested more than 3 deep" in r for r in reasons.values())


def test_corrupt_archive_is_reported(tmp_path: Path):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    (tmp_path / "ok.env").write_text(LEAK)
    report = scan(tmp_path)
    assert "corrupt" in skipped(report)["broken.zip"]
    assert {p for p, _ in secrets(report)} == {"ok.env"}
