#!/usr/bin/env python3
"""Signs requests with the official Python SDK (bce-python-sdk), for the differential test
of the Rust signer (crates/baidu/tests/differential.rs).

Reads a JSON array of cases on stdin:
  {"ak", "sk", "method", "path" (unencoded), "query": [[k, v], ...] (may repeat keys),
   "headers": [[k, v], ...], "unix": seconds, "expiration": seconds,
   "signed_headers": "a;b" (the names the Rust signer wrote)}
and prints one JSON object per case, in order:
  {"timestamp": utils.get_canonical_time(unix),
   "default": sign(...) with the SDK's default headers to sign (as its clients call it),
   "named": sign(..., headers_to_sign=the Rust names) (as the test server checks it)}
"""
import json
import sys

from baidubce import utils
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials


class Pairs(list):
    """Query parameters with repeated keys: the signer only calls `items()` on them
    (through future.utils.iteritems), which a dict cannot give for a repeated key."""

    def items(self):
        return list(self)


def sign_case(case):
    credentials = BceCredentials(case["ak"], case["sk"])
    method = case["method"].encode()
    # The SDK's clients build the path with utils.append_uri, which encodes it with
    # normalize_string(path, False); sign() takes that encoded path as the canonical URI.
    path = utils.normalize_string(case["path"], False)
    headers = {k.encode(): v.encode() for k, v in case["headers"]}
    params = Pairs((k, v) for k, v in case["query"])
    common = (credentials, method, path, headers, params, case["unix"], case["expiration"])
    named = {n.encode() for n in case["signed_headers"].split(";") if n}
    return {
        "timestamp": utils.get_canonical_time(case["unix"]).decode(),
        "default": bce_v1_signer.sign(*common).decode(),
        "named": bce_v1_signer.sign(*common, headers_to_sign=named).decode(),
    }


def main():
    cases = json.load(sys.stdin)
    out = sys.stdout
    for case in cases:
        out.write(json.dumps(sign_case(case)) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
