"""Corrections to moto 5.2.5 where its answers break the API's own model, applied in the
server process before it starts (serve.py, and .ci/run through it).

Each is an answer moto gets wrong, not a behaviour we would like: the AWS SDK for Rust
parses the answer by the service model and rejects what does not fit it.
"""
from moto.directconnect import models as directconnect


def _connection_to_dict(self):
    d = _original_connection_to_dict(self)
    # DescribeConnections: `hasLogicalRedundancy` is a string enum (unknown, yes, no) and
    # `loaIssueTime` a timestamp (epoch seconds); moto sends a boolean and a formatted
    # string, which the SDK refuses ("expected ValueString or ValueNull").
    d["hasLogicalRedundancy"] = "yes" if d.get("hasLogicalRedundancy") else "no"
    d.pop("loaIssueTime", None)
    return d


_original_connection_to_dict = directconnect.Connection.to_dict
directconnect.Connection.to_dict = _connection_to_dict
