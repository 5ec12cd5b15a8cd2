"""A small tree with every kind of finding the reporters must describe: a paired ID and
secret, base64-encoded keys (decoded findings), a key inside a zip member whose name needs
URI encoding, and a key allowed inline (a suppressed finding)."""

from __future__ import annotations

import base64
import zipfile
from pathlib import Path

import pytest

from tests.helpers.keys import ID, SECRET, SECRET2, SECRET3, leak

ALLOWED = "Zr8cVmWq2LTxNb4hJk6sPd0yGf3uEa"
RAW_VALUES = (ID, SECRET, SECRET2, SECRET3, ALLOWED)
ZIP_MEMBER = "bundle.zip!conf/prod env.ini"


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "app.ini").write_text(f"access_key_id = {ID}\naccess_key_secret = {SECRET}\n")
    (root / "k8s.yaml").write_text("apiVersion: v1\nkind: Secret\ndata:\n"
                                   f"  accessKeyId: {b64(ID)}\n"
                                   f"  accessKeySecret: {b64(SECRET2)}\n")
    with zipfile.ZipFile(root / "bundle.zip", "w") as zf:
        zf.writestr("conf/prod env.ini", leak(SECRET3))
    (root / "allowed.py").write_text(
        f"FIXTURE = '{ALLOWED}'  # aliyun test fixture, keysweep:allow\n")
    return root
