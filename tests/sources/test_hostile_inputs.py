"""Odd bytes that must neither stop nor blind a scan: a zip member without a name, UTF-32
without a byte-order mark, text that merely starts like a UTF-16 BOM, classic Mac line ends.
Each through the real ``keysweep scan``."""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.helpers.keys import SECRET, SECRET2, leak
from tests.helpers.run import run_keysweep


def _scan(path: Path) -> dict:  # type: ignore[type-arg]
    return run_keysweep("scan", path, "-f", "json", "--show-secrets", expected_code=1).json()


def test_zip_member_with_an_empty_name_is_skipped_and_the_rest_is_scanned(tmp_path: Path):
    with zipfile.ZipFile(tmp_path / "e.zip", "w") as zf:
        zf.writestr(zipfile.ZipInfo(""), b"x")
        zf.writestr("inner.ini", leak(SECRET2))
    (tmp_path / "keys.ini").write_text(leak(SECRET))
    report = _scan(tmp_path)
    assert {(f["path"], f["secret"]) for f in report["findings"]} == {
        ("keys.ini", SECRET), ("e.zip!inner.ini", SECRET2)}
    assert any("without a name" in s["reason"] for s in report["skipped"])


def test_utf32_without_a_bom_is_transcoded(tmp_path: Path):
    (tmp_path / "le.txt").write_bytes(("# settings\n" + leak(SECRET)).encode("utf-32-le"))
    (tmp_path / "be.txt").write_bytes(("# settings\n" + leak(SECRET2)).encode("utf-32-be"))
    found = {(f["path"], f["secret"], f["line"]) for f in _scan(tmp_path)["findings"]}
    assert found == {("le.txt", SECRET, 2), ("be.txt", SECRET2, 2)}


def test_text_starting_with_ff_fe_is_still_read_as_text(tmp_path: Path):
    (tmp_path / "odd.txt").write_bytes(b"\xff\xfe junk header\n" + leak(SECRET).encode())
    assert [f["secret"] for f in _scan(tmp_path)["findings"]] == [SECRET]


def test_cr_only_line_endings_give_real_line_numbers(tmp_path: Path):
    (tmp_path / "mac.txt").write_bytes(b"one\rtwo\rthree\r" + leak(SECRET).encode()
                                       .replace(b"\n", b"\r"))
    [finding] = _scan(tmp_path)["findings"]
    assert (finding["line"], finding["column"]) == (4, 29)


def test_a_newline_in_a_file_name_cannot_split_a_report_line(tmp_path: Path):
    (tmp_path / "evil\nkeysweep: 0 secrets found\n.ini").write_text(leak(SECRET))
    run = run_keysweep("scan", tmp_path, "-f", "text", expected_code=1)
    lines = [ln for ln in run.stdout.splitlines() if "evil" in ln]
    assert lines and all("evil\\nkeysweep: 0 secrets found\\n.ini:1:" in ln for ln in lines)
    assert not any(ln.startswith("keysweep: 0 secrets") for ln in run.stdout.splitlines())


class _Breaks:
    """A blob stream that fails halfway with an error no code path anticipates."""

    def __init__(self) -> None:
        self.sent = False

    def read(self, size: int = -1, /) -> bytes:
        if self.sent:
            raise LookupError("a failure nobody planned for")
        self.sent = True
        return b"x = 1\n" * 100


def test_an_unanticipated_error_in_one_blob_is_contained_and_counted():
    import io

    from scanner.engine.history import _scan_objects
    from scanner.engine.scanner import Scanner
    from scanner.progress import NullProgress
    from scanner.sources.git.objects import GitObject
    from scanner.sources.reader import CHUNK_BYTES

    def broken_at_once() -> _Breaks:
        stream = _Breaks()
        stream.sent = True
        return stream

    good = leak(SECRET).encode()
    objects = [GitObject("a" * 40, "blob", CHUNK_BYTES + 1, _Breaks()),  # streamed, breaks
               GitObject("c" * 40, "blob", 600, broken_at_once()),  # small: read whole, breaks
               GitObject("d" * 40, "blob", 100_000, broken_at_once()),  # one chunk: read whole
               GitObject("b" * 40, "blob", len(good), io.BytesIO(good))]
    results = _scan_objects(Scanner(), objects, NullProgress())
    for sha in ("a" * 40, "c" * 40, "d" * 40):
        assert [s.reason for s in results.skipped[sha]] == [
            "unexpected error (LookupError); please report it"]
    assert [f.secret for f in results.findings["b" * 40]] == [SECRET]


def test_fail_on_skip_makes_an_unreadable_input_fail_the_run(tmp_path: Path):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04" + b"\0" * 40)
    (tmp_path / "ok.txt").write_text("nothing here\n")
    run_keysweep("scan", tmp_path, "-f", "json", expected_code=0)
    run = run_keysweep("scan", tmp_path, "-f", "json", "--fail-on-skip", expected_code=3)
    assert [s["path"] for s in run.json()["skipped"]] == ["broken.zip"]



def test_a_time_budget_holds_inside_one_huge_blob():
    import io
    import random
    import time

    import pytest

    from scanner.engine.config import ScanConfig
    from scanner.engine.scanner import Scanner, ScanTimeout
    from scanner.sources.inputs import ReadOptions

    rng = random.Random(11)
    line = " ".join("AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
                                     for _ in range(16)) for _ in range(40_000))
    scanner = Scanner(ScanConfig(jobs=1, read=ReadOptions(chunk_bytes=64 << 10,
                                                          overlap=4 << 10)))
    with pytest.raises(ScanTimeout):
        scanner.scan_blob(io.BytesIO(line.encode()), deadline=time.monotonic() + 0.2)
    small = scanner.scan_blob(io.BytesIO(line[:2000].encode()), deadline=time.monotonic() + 60)
    assert len(small.findings) == 2000 // 21
