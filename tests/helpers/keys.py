"""Made-up Alibaba Cloud credentials the tests plant (random, never issued), and the line
that leaks one."""

from __future__ import annotations

ID = "LTAI5td6GncfBAepfJBd0Kh8"
SECRET = "J0RlgLKOmxgJTeKdNnFRIBXuDL7Dxt"
SECRET2 = "pYlSXpfKtHF4vUCsMehGAkWvj7FAc9"
SECRET3 = "QeWJKY40uvSwMFLZDe1f8rESQedUSt"


def leak(secret: str) -> str:
    """A line that leaks ``secret`` beside Alibaba Cloud context, so it is found unpaired."""
    return f"aliyun_access_key_secret = '{secret}'\n"
