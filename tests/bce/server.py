#!/usr/bin/env python3
"""A local stand-in for Baidu AI Cloud (BCE), in the spirit of moto: no public emulator of
BCE exists, so this one is built to Baidu's API reference and its official SDKs.

- One HTTP server on 127.0.0.1 for every service: it routes on the `Host` header, as the
  real endpoints would see it (`bcc.{region}.baidubce.com`, `{region}.bcebos.com` and
  `{bucket}.{region}.bcebos.com`, `iam.bj.baidubce.com`, `rds.`, `redis.`, `bls-log.`).
  A client reaches it either by sending to 127.0.0.1 with the real `Host` (the collector's
  `--endpoint-url`), or, for the official Python SDK, through its `proxy_host`/`proxy_port`
  setting with the real endpoint as `endpoint` (then the SDK signs the real host too).
- Every request's `bce-auth-v1` signature is checked with the official SDK's own signer
  (`baidubce.auth.bce_v1_signer.sign`) against the seeded credentials; a bad signature,
  an expired timestamp, an unknown access key or a wrong STS token gets Baidu's error body
  `{"requestId","code","message"}`, the header `x-bce-request-id` and the status of Baidu's
  common error table (doc: BCC/s/Ojwvyo6nc, Reference/s/Bjz3uz3qj).
- The read operations the collector will call, with Baidu's response shapes (the SDK file
  of each shape is cited at its handler), and marker paging (`marker`, `maxKeys`,
  `isTruncated`, `nextMarker`).
- Faults per operation through an admin API under `/__admin/` (no signature; loopback only):
    POST   /__admin/faults   {"operation": "bcc:ListInstances" | "*", "fault":
                              "AccessDenied" | "Throttling" | "500" | "drop", "count": N}
    DELETE /__admin/faults
    POST   /__admin/clock    {"offset": seconds}   (the server's clock, for RequestExpired)
    GET    /__admin/requests (every request seen: operation, host, status, access key)
    POST   /__admin/reset    (faults, clock and request log)

Usage: server.py [--port 0] [--seed FILE.json] [--forever]. It prints its port on the first
line of stdout, then serves until its stdin closes (or, with --forever, until killed).
Values where Baidu's documents are silent are guessed, and marked GUESS (see
crates/baidu/NOTES.md).
"""
import argparse
import calendar
import hmac
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from baidubce import utils
from baidubce.auth import bce_v1_signer
from baidubce.auth.bce_credentials import BceCredentials

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed  # noqa: E402

# Baidu's common error table (doc: BCC/s/Ojwvyo6nc; Reference/s/Bjz3uz3qj for RequestExpired).
ERRORS = {
    "AccessDenied": (403, "Access denied."),
    "InvalidAccessKeyId": (403, "The Access Key ID you provided does not exist in our records."),
    "InvalidHTTPAuthHeader": (400, "The HTTP authorization header is invalid. Consult the service documentation for details."),
    "InvalidURI": (400, "Could not parse the specified URI."),
    "InvalidHTTPRequest": (400, "There was an error in the body of your HTTP request."),
    "RequestExpired": (400, "Request has expired. Timestamp date is %s."),
    "InternalError": (500, "We encountered an internal error. Please try again."),
    # GUESS: status not in the table the corpus holds (NOTES.md); 400 as Baidu's auth errors.
    "SignatureDoesNotMatch": (400, "The request signature we calculated does not match the signature you provided. "
                                   "Check your Secret Access Key and signing method. Consult the service documentation for details."),
    # GUESS: Baidu documents no throttling code; 429 is what a client must retry on.
    "Throttling": (429, "Request was denied due to request throttling."),
    # BOS: wrong-region host or unknown bucket (go services/bos/api/util.go).
    "NoSuchBucket": (404, "The specified bucket does not exist."),
    # GUESS: the replies for "not configured" are not documented (NOTES.md).
    "NoSuchBucketEncryption": (404, "The bucket has no server-side encryption configuration."),
    "NoSuchLifecycle": (404, "The bucket has no lifecycle configuration."),
    # GUESS: the code of a bucket without tags (the SDKs name NoSuchTag, not its status).
    "NoSuchTag": (404, "The bucket has no tags."),
    "NoSuchEntity": (404, "The entity you requested does not exist."),
}

# Region ids as Baidu names them (tf baiducloud/connectivity/regions.go; go doc/*.md).
REGIONS = {"bj", "bd", "gz", "su", "fwh", "fsh", "hkg", "sin", "cd", "yq", "nj"}

# A signature is refused once its validity has passed, or when its timestamp is more
# than this far in the future (doc: DataBuilder/s/Mmdya6ldu: 30 minutes).
MAX_SKEW = 1800


class BceError(Exception):
    def __init__(self, code, detail=None):
        super().__init__(code)
        self.code = code
        self.status, message = ERRORS[code]
        self.message = message % detail if "%s" in message else message


class State:
    """The seeded account, the faults, the clock offset and the request log."""

    def __init__(self, account):
        self.lock = threading.Lock()
        self.account = account
        self.credentials = {c["accessKeyId"]: c for c in account["credentials"]}
        self.reset()

    def reset(self):
        with self.lock:
            self.faults = {}
            self.offset = 0
            self.log = []

    def now(self):
        return time.time() + self.offset

    def take_fault(self, operation):
        with self.lock:
            for key in (operation, "*"):
                f = self.faults.get(key)
                if f is None:
                    continue
                if f["count"] is not None:
                    f["count"] -= 1
                    if f["count"] <= 0:
                        del self.faults[key]
                return f["fault"]
        return None


class Pairs(list):
    """Query parameters, repeats kept: the SDK signer only calls `items()` on them."""

    def items(self):
        return list(self)


def parse_query(raw):
    """`k=v&k2&...` as (bytes, bytes) pairs, percent-decoded (never `+` as space: Baidu
    encodes a space as %20) so that the signer re-encodes them canonically."""
    pairs = Pairs()
    for part in raw.split("&"):
        if part:
            k, _, v = part.partition("=")
            pairs.append((urllib.parse.unquote_to_bytes(k), urllib.parse.unquote_to_bytes(v)))
    return pairs


def page(items, params, list_name, id_key):
    """Marker paging as BCC, VPC, RDS and SCS answer it: `marker` is the id the page starts
    at (empty or "-1" for the first), `nextMarker` the id of the next page's first item
    (go services/bcc/api/model.go ListInstanceResult; go services/vpc/model.go)."""
    try:
        max_keys = int(params.get("maxKeys") or 1000)
    except ValueError:
        raise BceError("InvalidURI")
    max_keys = max(1, min(max_keys, 1000))
    marker = params.get("marker") or ""
    start = 0
    if marker and marker != "-1":
        ids = [i[id_key] for i in items]
        start = ids.index(marker) if marker in ids else len(items)
    chunk = items[start:start + max_keys]
    body = {"marker": marker, "isTruncated": start + max_keys < len(items), "maxKeys": max_keys,
            list_name: chunk}
    if body["isTruncated"]:
        body["nextMarker"] = items[start + max_keys][id_key]
    return body


def numbered_page(items, params, default_size, max_size, error):
    """Page numbers as BLS, billing and CCE take them: `pageNo` from 1, `pageSize` at most
    `max_size`; a value that is not a number is `error`. Returns (page_no, page_size, chunk)."""
    try:
        page_no = max(1, int(params.get("pageNo") or 1))
        page_size = max(1, min(int(params.get("pageSize") or default_size), max_size))
    except (TypeError, ValueError):
        raise BceError(error)
    return page_no, page_size, items[(page_no - 1) * page_size: page_no * page_size]


# --- handlers: (state, request) -> JSON body --------------------------------------------


def region_data(state, service, region):
    return state.account.get(service, {}).get(region, {})


def bcc_instances(state, req):
    """GET /v2/instance (go services/bcc/api/instance.go ListInstances; shape
    go services/bcc/api/model.go ListInstanceResult / InstanceModel)."""
    items = region_data(state, "bcc", req.region).get("instances", [])
    for key, field in (("zoneName", "zoneName"), ("vpcId", "vpcId")):
        if req.params.get(key):
            items = [i for i in items if i[field] == req.params[key]]
    return page(items, req.params, "instances", "id")


def bcc_volumes(state, req):
    """GET /v2/volume (go services/bcc/api/volume.go ListCDSVolume; shape
    go services/bcc/api/model.go ListCDSVolumeResult / VolumeModel)."""
    items = region_data(state, "bcc", req.region).get("volumes", [])
    if req.params.get("instanceId"):
        items = [v for v in items if any(a["instanceId"] == req.params["instanceId"] for a in v["attachments"])]
    if req.params.get("zoneName"):
        items = [v for v in items if v["zoneName"] == req.params["zoneName"]]
    return page(items, req.params, "volumes", "id")


def bcc_security_groups(state, req):
    """GET /v2/securityGroup (go services/bcc/api/securitygroup.go ListSecurityGroup; shape
    go services/bcc/api/model.go ListSecurityGroupResult / SecurityGroupModel /
    SecurityGroupRuleModel)."""
    data = region_data(state, "bcc", req.region)
    items = data.get("securityGroups", [])
    if req.params.get("vpcId"):
        items = [g for g in items if g["vpcId"] == req.params["vpcId"]]
    if req.params.get("instanceId"):
        inst = [i for i in data.get("instances", []) if i["id"] == req.params["instanceId"]]
        wanted = set(inst[0]["nicInfo"]["securityGroups"]) if inst else set()
        items = [g for g in items if g["id"] in wanted]
    return page(items, req.params, "securityGroups", "id")


def vpc_vpcs(state, req):
    """GET /v1/vpc (go services/vpc/vpc.go ListVPC; shape go services/vpc/model.go
    ListVPCResult / VPC)."""
    items = region_data(state, "bcc", req.region).get("vpcs", [])
    return page(items, req.params, "vpcs", "vpcId")


def vpc_subnets(state, req):
    """GET /v1/subnet (go services/vpc/subnet.go ListSubnets; shape go services/vpc/model.go
    ListSubnetResult / Subnet)."""
    items = region_data(state, "bcc", req.region).get("subnets", [])
    if req.params.get("vpcId"):
        items = [s for s in items if s["vpcId"] == req.params["vpcId"]]
    return page(items, req.params, "subnets", "subnetId")


def rds_instances(state, req):
    """GET /v1/instance (go services/rds/client.go ListRds; shape go services/rds/model.go
    ListRdsResult / Instance)."""
    items = state.account.get("rds", {}).get(req.region, [])
    return page(items, req.params, "instances", "instanceId")


def scs_instances(state, req):
    """GET /v2/instance (go services/scs/scs.go ListInstances; shape go services/scs/model.go
    ListInstancesResult / InstanceModel)."""
    items = state.account.get("scs", {}).get(req.region, [])
    return page(items, req.params, "instances", "instanceId")


def bls_log_stores(state, req):
    """GET /v1/logstore ?project,pageNo,pageSize (go services/bls/api/logstore.go ListLogStore;
    shape go services/bls/api/model.go ListLogStoreResult / LogStore): page numbers, not
    markers."""
    items = state.account.get("bls", {}).get(req.region, [])
    project = req.params.get("project") or "default"
    items = [s for s in items if s["project"] == project]
    page_no, page_size, chunk = numbered_page(items, req.params, 10, 1000, "InvalidURI")
    return {"order": "desc", "orderBy": "creationDateTime", "pageNo": page_no, "pageSize": page_size,
            "totalCount": len(items), "result": chunk}


def bos_buckets(state, req):
    """GET / on any region's host (go services/bos/api/bucket.go ListBuckets; shape
    go services/bos/api/model.go ListBucketsResult / BucketSummaryType): every bucket of the
    account, whatever the region, no paging."""
    bos = state.account["bos"]
    return {"owner": bos["owner"],
            "buckets": [{"name": b["name"], "location": b["location"], "creationDate": b["creationDate"]}
                        for b in bos["buckets"]]}


def bucket_of(state, req):
    for b in state.account["bos"]["buckets"]:
        # A bucket answers on its own region's host only (go services/bos/api/util.go).
        if b["name"] == req.bucket and b["location"] == req.region:
            return b
    raise BceError("NoSuchBucket")


def bos_location(state, req):
    """GET /?location (go services/bos/api/bucket.go GetBucketLocation; shape
    go services/bos/api/model.go LocationType)."""
    return {"locationConstraint": bucket_of(state, req)["location"]}


def bos_acl(state, req):
    """GET /?acl (go services/bos/api/bucket.go GetBucketAcl; shape go services/bos/api/model.go
    GetBucketAclResult / GrantType; everyone is grantee {"id": "*"}, go doc/BOS.md)."""
    b = bucket_of(state, req)
    return {"owner": {"id": state.account["bos"]["owner"]["id"]}, "accessControlList": b["acl"]}


def bos_encryption(state, req):
    """GET /?encryption (go services/bos/api/bucket.go GetBucketEncryption; shape
    go services/bos/api/model.go BucketEncryptionType)."""
    b = bucket_of(state, req)
    if not b.get("encryption"):
        raise BceError("NoSuchBucketEncryption")  # GUESS
    return b["encryption"]


def bos_tagging(state, req):
    """GET /?tagging (go services/bos/api/bucket.go GetBucketTag; shape go
    services/bos/api/model.go GetBucketTagResult / BucketTag: `tag[{tag_key,tag_value}]`,
    snake case unlike the embedded tags of other services)."""
    b = bucket_of(state, req)
    if not b.get("tags"):
        raise BceError("NoSuchTag")  # GUESS
    return {"tag": [{"tag_key": t["tagKey"], "tag_value": t["tagValue"]} for t in b["tags"]]}


def bls_projects(state, req):
    """POST /v1/project/list body {name,pageNo,pageSize} (go services/bls/api/project.go
    ListProject; shape go services/bls/api/model.go ListProjectResult): the projects that
    hold the region's log stores, `default` first."""
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        raise BceError("MalformedJSON")
    if not isinstance(body, dict):
        raise BceError("MalformedJSON")
    names = sorted({s["project"] for s in state.account.get("bls", {}).get(req.region, [])},
                   key=lambda n: (n != "default", n))
    projects = [{"uuid": "p-%s" % n, "name": n, "description": "", "top": n == "default"} for n in names]
    page_no, page_size, chunk = numbered_page(projects, body, 10, 100, "MalformedJSON")
    return {"success": True, "code": "OK", "message": "",
            "result": {"pageNo": page_no, "pageSize": page_size, "totalCount": len(projects),
                       "projects": chunk}}


def bos_lifecycle(state, req):
    """GET /?lifecycle (go services/bos/api/bucket.go GetBucketLifecycle; shape
    go services/bos/api/model.go GetBucketLifecycleResult / LifecycleRuleType)."""
    b = bucket_of(state, req)
    if not b.get("lifecycle"):
        raise BceError("NoSuchLifecycle")  # GUESS
    return b["lifecycle"]


USER_FIELDS = ("id", "name", "createTime", "description", "enabled")


def iam_user(state, name):
    for u in state.account["iam"]["users"]:
        if u["name"] == name:
            return u
    raise BceError("NoSuchEntity")  # GUESS: IAM's not-found code


def iam_group(state, name):
    for g in state.account["iam"]["groups"]:
        if g["name"] == name:
            return g
    raise BceError("NoSuchEntity")


def iam_users(state, req):
    """GET /v1/user (go services/iam/api/user.go ListUser; shape go services/iam/api/model.go
    ListUserResult / UserModel); no paging."""
    return {"users": [{k: u[k] for k in USER_FIELDS} for u in state.account["iam"]["users"]]}


def iam_login_profile(state, req):
    """GET /v1/user/{name}/loginProfile (go services/iam/api/user.go GetUserLoginProfile; shape
    go services/iam/api/model.go GetUserLoginProfileResult / LoginProfileModel): console
    login and its MFA (`enabledLoginMfa`, `loginMfaType`)."""
    profile = iam_user(state, req.match["name"])["loginProfile"]
    if profile is None:
        raise BceError("NoSuchEntity")  # GUESS: a user without console login
    return profile


def iam_access_keys(state, req):
    """GET /v1/user/{name}/accesskey (go services/iam/api/accesskey.go ListAccessKey; shape
    go services/iam/api/model.go ListAccessKeyResult / AccessKeyModel). The model has a
    `secret`; this server never returns one (GUESS: what Baidu sends there)."""
    keys = iam_user(state, req.match["name"])["accessKeys"]
    return {"accessKeys": [dict(k, secret="") for k in keys]}


def iam_user_groups(state, req):
    """GET /v1/user/{name}/group (go services/iam/api/group.go ListGroupsForUser; shape
    go services/iam/api/model.go ListGroupsForUserResult / GroupModel)."""
    names = iam_user(state, req.match["name"])["groups"]
    return {"groups": [{k: g[k] for k in ("id", "name", "createTime", "description")}
                       for g in state.account["iam"]["groups"] if g["name"] in names]}


def iam_user_policies(state, req):
    """GET /v1/user/{name}/policy (go services/iam/api/policy.go ListUserAttachedPolicies; shape
    go services/iam/api/model.go ListPolicyResult / PolicyModel)."""
    return {"policies": iam_user(state, req.match["name"])["policies"]}


def iam_groups(state, req):
    """GET /v1/group (go services/iam/api/group.go ListGroup; shape go services/iam/api/model.go
    ListGroupResult / GroupModel)."""
    return {"groups": [{k: g[k] for k in ("id", "name", "createTime", "description")}
                       for g in state.account["iam"]["groups"]]}


def iam_group_policies(state, req):
    """GET /v1/group/{name}/policy (go services/iam/api/policy.go ListGroupAttachedPolicies)."""
    return {"policies": iam_group(state, req.match["name"])["policies"]}


# (service, method, path regex, sub-resource query key or None, operation, handler)
def kms_action(state, req):
    """POST /?action=ListKeys | DescribeKey on bkm.{region}.baidubce.com (py
    baidubce/services/kms/kms_client.py list_masterKey, describe_masterKey; shapes: ListKeys
    `keys[].keyId` (py sample/kms/kms_sample.py), DescribeKey `keyMetadata` (doc: KMS/s/nleplmfag)).
    GUESS: ListKeys pages with `marker` (the first key id of the page) and answers `nextMarker`
    and `truncated`, as Baidu's other marker lists; its paging fields are NF."""
    keys = state.account.get("kms", {}).get(req.region, [])
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        raise BceError("MalformedJSON")
    action = req.params.get("action")
    if action == "ListKeys":
        try:
            limit = max(1, min(int(body.get("limit") or 100), 1000))
        except (TypeError, ValueError):
            raise BceError("InappropriateJSON")
        marker = body.get("marker") or ""
        ids = [k["keyId"] for k in keys]
        start = ids.index(marker) if marker in ids else 0
        chunk = ids[start:start + limit]
        out = {"keys": [{"keyId": i} for i in chunk], "truncated": start + limit < len(ids)}
        if out["truncated"]:
            out["nextMarker"] = ids[start + limit]
        return out
    if action == "DescribeKey":
        for k in keys:
            if k["keyId"] == body.get("keyId"):
                return {"keyMetadata": k}
        raise BceError("NoSuchEntity")
    raise BceError("InvalidURI")


def billing_month(state, req):
    """GET /v1/bill/resource/month ?month=yyyy-MM, productType (required), pageNo, pageSize <= 100
    (go services/billing/billing.go ResourceMonthBill; shape go services/billing/model.go
    ResourceMonthBillResponse / ResourceMonthBill: `amount` a string, prices float64)."""
    product = req.params.get("productType")
    month = req.params.get("month")
    if product not in ("prepay", "postpay") or not month:
        raise BceError("InvalidHTTPRequest")
    bills = [b for b in state.account.get("billing", []) if b["month"] == month and b["productType"] == product]
    page_no, page_size, chunk = numbered_page(bills, req.params, 20, 100, "InvalidHTTPRequest")
    return {"billMonth": month, "accountId": state.account["accountId"], "pageNo": page_no,
            "pageSize": page_size, "totalCount": len(bills),
            "bills": [{k: v for k, v in b.items() if k != "month"} for b in chunk]}


def cce_clusters(state, req):
    """GET /api/cce/service/v2/clusters ?pageNo,pageSize (go services/cce/v2/url.go
    getClusterListURI; shape go services/cce/v2/model.go ListClustersResponse / ClusterPage /
    Cluster{spec, status}): page numbers; no tags in the reply."""
    items = state.account.get("cce", {}).get(req.region, [])
    page_no, page_size, chunk = numbered_page(items, req.params, 10, 100, "InvalidURI")
    return {"requestID": "r", "clusterPage": {
        "keywordType": "clusterName", "keyword": "", "orderBy": "clusterID", "order": "ASC",
        "pageNo": page_no, "pageSize": page_size, "totalCount": len(items),
        "clusterList": [{"spec": {k: v for k, v in c.items() if k != "tags"},
                         "status": {"clusterPhase": "running", "nodeNum": 3}} for c in chunk]}}


def cfs_file_systems(state, req):
    """GET /v1/cfs ?marker,maxKeys (go services/cfs/client.go getCFSUri; shape go
    services/cfs/model.go DescribeFSResult / FSModel, `FileSystemList` as the SDK spells it):
    no tags in the reply."""
    items = [{k: v for k, v in f.items() if k != "tags"} for f in state.account.get("cfs", {}).get(req.region, [])]
    return page(items, req.params, "FileSystemList", "fsId")


def tag_query_full_list(state, req):
    """POST /v1/tag/queryFullList?strongAssociation=true body {regions, serviceTypes,
    resourceIds} (go services/tag; bce-api.md §9) → tagAssociationFulls. GUESS: service types
    CCE and CFS; one page (paging NF)."""
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        raise BceError("MalformedJSON")
    services = {"CCE": ("cce", "clusterID"), "CFS": ("cfs", "fsId")}
    wanted = set(body.get("resourceIds") or [])
    out = []
    for region in body.get("regions") or []:
        for stype in body.get("serviceTypes") or []:
            key, id_key = services.get(stype, (None, None))
            for item in state.account.get(key, {}).get(region, []) if key else []:
                rid = item[id_key]
                if wanted and rid not in wanted:
                    continue
                for t in item.get("tags", []):
                    out.append({"resourceId": rid, "region": region, "serviceType": stype,
                                "tagKey": t["tagKey"], "tagValue": t["tagValue"],
                                "associationType": 1})
    return {"tagAssociationFulls": out}


def load_balancers(kind):
    """GET /v1/blb (classic BLB, kind `blb`) and /v1/appblb (application BLB, kind `appblb`)
    ?marker,maxKeys on blb.{region}.baidubce.com (go services/blb/blb.go and
    services/appblb/appblb.go DescribeLoadBalancers; shape go services/{blb,appblb}/model.go
    DescribeLoadBalancersResult / BLBModel / AppBLBModel, tags embedded as
    tags[{tagKey,tagValue}] (go model/tag.go))."""
    def handler(state, req):
        items = state.account.get(kind, {}).get(req.region, [])
        return page(items, req.params, "blbList", "blbId")
    return handler


ROUTES = [
    ("bcc", "GET", r"/v2/instance", None, "bcc:ListInstances", bcc_instances),
    ("bcc", "GET", r"/v2/volume", None, "bcc:ListVolumes", bcc_volumes),
    ("bcc", "GET", r"/v2/securityGroup", None, "bcc:ListSecurityGroups", bcc_security_groups),
    ("bcc", "GET", r"/v1/vpc", None, "vpc:ListVpcs", vpc_vpcs),
    ("bcc", "GET", r"/v1/subnet", None, "vpc:ListSubnets", vpc_subnets),
    ("rds", "GET", r"/v1/instance", None, "rds:ListInstances", rds_instances),
    ("redis", "GET", r"/v2/instance", None, "scs:ListInstances", scs_instances),
    # the Python SDK's ScsClient.list_instances asks /v1 (py services/scs/scs_client.py)
    ("redis", "GET", r"/v1/instance", None, "scs:ListInstances", scs_instances),
    ("bls-log", "GET", r"/v1/logstore", None, "bls:ListLogStores", bls_log_stores),
    ("bos", "GET", r"/", None, "bos:ListBuckets", bos_buckets),
    ("bos-bucket", "GET", r"/", "acl", "bos:GetBucketAcl", bos_acl),
    ("bos-bucket", "GET", r"/", "encryption", "bos:GetBucketEncryption", bos_encryption),
    ("bos-bucket", "GET", r"/", "lifecycle", "bos:GetBucketLifecycle", bos_lifecycle),
    ("bos-bucket", "GET", r"/", "location", "bos:GetBucketLocation", bos_location),
    ("bos-bucket", "GET", r"/", "tagging", "bos:GetBucketTagging", bos_tagging),
    ("bls-log", "POST", r"/v1/project/list", None, "bls:ListProjects", bls_projects),
    ("bkm", "POST", r"/", None, "kms:", kms_action),
    ("cce", "GET", r"/api/cce/service/v2/clusters", None, "cce:ListClusters", cce_clusters),
    ("cfs", "GET", r"/v1/cfs", None, "cfs:DescribeFileSystems", cfs_file_systems),
    ("blb", "GET", r"/v1/blb", None, "blb:DescribeLoadBalancers", load_balancers("blb")),
    ("blb", "GET", r"/v1/appblb", None, "appblb:DescribeLoadBalancers", load_balancers("appblb")),
    ("tag", "POST", r"/v1/tag/queryFullList", None, "tag:QueryFullList", tag_query_full_list),
    ("billing", "GET", r"/v1/bill/resource/month", None, "billing:ResourceMonthBill", billing_month),
    ("iam", "GET", r"/v1/user", None, "iam:ListUsers", iam_users),
    ("iam", "GET", r"/v1/user/(?P<name>[^/]+)/loginProfile", None, "iam:GetUserLoginProfile", iam_login_profile),
    ("iam", "GET", r"/v1/user/(?P<name>[^/]+)/accesskey", None, "iam:ListUserAccessKeys", iam_access_keys),
    ("iam", "GET", r"/v1/user/(?P<name>[^/]+)/group", None, "iam:ListUserGroups", iam_user_groups),
    ("iam", "GET", r"/v1/user/(?P<name>[^/]+)/policy", None, "iam:ListUserPolicies", iam_user_policies),
    ("iam", "GET", r"/v1/group", None, "iam:ListGroups", iam_groups),
    ("iam", "GET", r"/v1/group/(?P<name>[^/]+)/policy", None, "iam:ListGroupPolicies", iam_group_policies),
]

REGIONAL_HOST = re.compile(r"^(bcc|rds|redis|bls-log|bkm|cce|cfs|blb)\.([a-z]+)\.baidubce\.com$")
BOS_HOST = re.compile(r"^(?:([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.)?([a-z]+)\.bcebos\.com$")


class Request:
    """What a handler sees: service, region, bucket, decoded path and parameters."""

    def __init__(self, host):
        self.host = host
        self.service = self.region = self.bucket = None
        self.params = {}
        self.match = None
        self.body = b""
        m = REGIONAL_HOST.match(host)
        if m and m.group(2) in REGIONS:
            self.service, self.region = m.group(1), m.group(2)
        elif host == "iam.bj.baidubce.com":
            self.service, self.region = "iam", "bj"
        elif host == "billing.baidubce.com":
            self.service, self.region = "billing", "bj"
        elif host == "tag.baidubce.com":
            self.service, self.region = "tag", "bj"
        else:
            m = BOS_HOST.match(host)
            if m and m.group(2) in REGIONS:
                self.service = "bos-bucket" if m.group(1) else "bos"
                self.bucket, self.region = m.group(1), m.group(2)

    def route(self, method, path, params):
        service = self.service
        if service == "bos":
            # path-style `{region}.bcebos.com/{bucket}?acl` (go api/util.go PathStyleEnable)
            bucket = path.strip("/")
            if bucket and "/" not in bucket:
                service, self.bucket, path = "bos-bucket", bucket, "/"
        subresources = [k for k in ("acl", "encryption", "lifecycle", "location", "tagging") if k in params]
        for svc, verb, pattern, sub, operation, handler in ROUTES:
            if svc != service or verb != method:
                continue
            if svc == "bos-bucket" and [sub] != subresources:
                continue
            m = re.fullmatch(pattern, path)
            if m:
                self.match = m.groupdict()
                if svc == "bkm":  # one path, the operation in `action`
                    operation = "kms:" + params.get("action", "")
                return operation, handler
        raise BceError("InvalidURI")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BceLocal/1"

    def log_message(self, fmt, *args):  # quiet: the tests read /__admin/requests
        pass

    def do_GET(self):
        self.serve()

    def do_POST(self):
        self.serve()

    def do_PUT(self):
        self.serve()

    def do_DELETE(self):
        self.serve()

    def do_HEAD(self):
        self.serve()

    @property
    def state(self):
        return self.server.state

    def send_json(self, status, body, request_id=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        if request_id:
            self.send_header("x-bce-request-id", request_id)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = self.path
        if target.startswith("http://"):  # an HTTP proxy request: absolute URI
            target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
        raw_path, _, raw_query = target.partition("?")
        if raw_path.startswith("/__admin/"):
            return self.admin(raw_path, body)
        request_id = str(uuid.uuid4())
        host = (self.headers.get("Host") or "").lower().partition(":")[0]
        entry = {"method": self.command, "host": host, "path": raw_path, "query": raw_query,
                 "operation": None, "accessKeyId": None}
        try:
            pairs = parse_query(raw_query)
            req = Request(host)
            req.body = body
            if req.service is None:
                raise BceError("InvalidURI")
            entry["accessKeyId"] = self.authenticate(raw_path, pairs)
            req.params = {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in pairs}
            path = urllib.parse.unquote(raw_path)
            operation, handler = req.route(self.command, path, req.params)
            entry["operation"] = operation
            fault = self.state.take_fault(operation)
            if fault == "drop":
                entry["status"] = "dropped"
                with self.state.lock:
                    self.state.log.append(entry)
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault == "500":
                raise BceError("InternalError")
            if fault is not None:
                raise BceError(fault)
            status, payload = 200, handler(self.state, req)
        except BceError as e:
            status, payload = e.status, {"requestId": request_id, "code": e.code, "message": e.message}
        entry["status"] = status
        with self.state.lock:
            self.state.log.append(entry)
        self.send_json(status, payload, request_id)

    def authenticate(self, raw_path, pairs):
        """The signature, checked with the official SDK's signer; returns the access key."""
        auth = (self.headers.get("Authorization") or "").strip()
        if not auth:
            raise BceError("AccessDenied")  # GUESS: the code for an unsigned request
        parts = auth.split("/")
        if len(parts) != 6 or parts[0] != "bce-auth-v1":
            raise BceError("InvalidHTTPAuthHeader")
        _, ak, timestamp, expiration, signed_headers, signature = parts
        try:
            signed_at = calendar.timegm(time.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ"))
            expiration = int(expiration)
        except ValueError:
            raise BceError("InvalidHTTPAuthHeader")
        cred = self.state.credentials.get(ak)
        if cred is None:
            raise BceError("InvalidAccessKeyId")
        now = self.state.now()
        if now > signed_at + expiration or signed_at > now + MAX_SKEW:
            raise BceError("RequestExpired", timestamp)
        # http.server decodes header bytes as latin-1: encode back to the bytes sent.
        headers = {k.encode("latin-1"): v.encode("latin-1") for k, v in self.headers.items()}
        path = utils.normalize_string(urllib.parse.unquote_to_bytes(raw_path), False)
        names = {n.encode() for n in signed_headers.split(";") if n} or None
        expected = bce_v1_signer.sign(
            BceCredentials(ak, cred["secretAccessKey"]), self.command.encode(), path, headers, pairs,
            signed_at, expiration, names)
        if not hmac.compare_digest(expected.rsplit(b"/", 1)[1], signature.encode()):
            raise BceError("SignatureDoesNotMatch")
        token = cred.get("sessionToken")
        if token is not None and self.headers.get("x-bce-security-token") != token:
            raise BceError("AccessDenied")  # GUESS: STS key without (or with a wrong) token
        return ak

    def admin(self, path, body):
        state = self.state
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return self.send_json(400, {"error": "body is not JSON"})
        if path == "/__admin/faults" and self.command == "POST":
            fault = data.get("fault")
            if fault not in ("AccessDenied", "Throttling", "500", "drop") or not data.get("operation"):
                return self.send_json(400, {"error": "want {operation, fault: AccessDenied|Throttling|500|drop}"})
            with state.lock:
                state.faults[data["operation"]] = {"fault": fault, "count": data.get("count")}
            return self.send_json(200, {"faults": state.faults})
        if path == "/__admin/faults" and self.command == "DELETE":
            with state.lock:
                state.faults = {}
            return self.send_json(200, {"faults": {}})
        if path == "/__admin/clock" and self.command == "POST":
            state.offset = float(data.get("offset", 0))
            return self.send_json(200, {"offset": state.offset})
        if path == "/__admin/requests" and self.command == "GET":
            with state.lock:
                return self.send_json(200, {"requests": list(state.log)})
        if path == "/__admin/reset" and self.command == "POST":
            state.reset()
            return self.send_json(200, {"reset": True})
        return self.send_json(404, {"error": "unknown admin call"})


def serve(port=0, account=None):
    """Starts the server on 127.0.0.1 in a thread; returns it (`.server_port`, `.shutdown()`)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    httpd.state = State(account if account is not None else seed.account())
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def main():
    p = argparse.ArgumentParser(description="Local BCE test server (127.0.0.1 only)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--seed", help="account JSON (default: seed.account() at start-up)")
    p.add_argument("--forever", action="store_true", help="ignore stdin; run until killed")
    args = p.parse_args()
    account = None
    if args.seed:
        with open(args.seed) as f:
            account = json.load(f)
    httpd = serve(args.port, account)
    print(httpd.server_port, flush=True)
    if args.forever:
        threading.Event().wait()
    else:
        sys.stdin.read()  # until the parent closes our stdin
    httpd.shutdown()


if __name__ == "__main__":
    main()
