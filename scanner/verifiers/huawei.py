"""Huawei Cloud: deliberately not verified. Huawei's API Gateway locks an AK/SK pair for five
minutes after five failed authentications in a row (credentials.md §1.4), so even one wrong
guess from a scan could lock a victim's production key. Every Huawei finding is reported
``skipped`` with that reason, and nothing is ever sent."""

from __future__ import annotations

from scanner.models import Verification
from scanner.verifiers.base import Credential, skipped
from scanner.verifiers.http import HttpClient

REASON = "huawei_locks_the_key_after_five_failed_authentications"


class HuaweiVerifier:
    name = "huawei"
    endpoint = "https://iam.myhuaweicloud.com/"  # never contacted
    rate = 1.0
    never_verify = REASON  # read by credential_for: every Huawei finding, paired or not

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        return skipped(REASON)  # decided offline: no request, however the endpoint is set
