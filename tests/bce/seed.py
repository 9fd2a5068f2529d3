#!/usr/bin/env python3
"""The seeded account of the local BCE test server (tests/bce/server.py): the AI start-up
of issue 13 after its move to Baidu AI Cloud, a non-compliant resource beside a compliant
twin of each kind.

`account(now)` returns it as plain data in Baidu's response shapes (the server cites the
SDK file of each shape); times are relative to `now` (Unix seconds), so that "older than
90 days" stays true whenever the tests run. `python3 seed.py [--now SECS]` prints it as JSON.

Credentials: access key `AKAUDITREADER0000000000000000001` (long-lived) and an STS triple
(`AKSTSAUDIT...`, its secret and session token). Never real keys.
"""
import argparse
import datetime
import json
import time

ACCOUNT_ID = "6b3a2c1d9e8f4a7b8c9d0e1f2a3b4c5d"
READER_AK = "AKAUDITREADER0000000000000000001"
READER_SK = "SKauditreader00000000000000000001"
STS_AK = "AKSTSAUDIT000000000000000000001"
STS_SK = "SKstsaudit0000000000000000000001"
STS_TOKEN = "ZjkyZDZkNjMtc3RzLXNlc3Npb24tdG9rZW4tZm9yLWF1ZGl0LXRlc3Rz"

MANDATORY = {"owner": "ml-platform", "cost-center": "cc-4120", "env": "prod", "data-class": "internal"}


def tags(d):
    """Embedded tags: `tags[{tagKey,tagValue}]` (go model/tag.go TagModel)."""
    return [{"tagKey": k, "tagValue": v} for k, v in sorted(d.items())]


def iso(now, days_ago):
    t = datetime.datetime.fromtimestamp(now - days_ago * 86400, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def instance(iid, name, region, zone, itype, gpu, count, sgs, volumes, tag, status="Running", public_ip=""):
    return {
        "id": iid, "name": name, "hostname": name, "instanceType": itype, "spec": itype,
        "desc": "", "status": status, "paymentTiming": "Postpaid", "createTime": "2026-03-02T08:00:00Z",
        "publicIp": public_ip, "internalIp": "192.168.%d.%d" % (len(region), len(iid)),
        "cpuCount": 48, "memoryCapacityInGB": 384, "gpuCard": gpu, "cardCount": str(count),
        "imageId": "m-ubuntu2204-cuda", "zoneName": zone, "vpcId": "vpc-%s-prod" % region,
        "subnetId": "sbn-%s-prod" % region, "tags": tags(tag),
        "nicInfo": {"securityGroups": sgs, "vpcId": "vpc-%s-prod" % region},
        "volumes": [{"id": v, "storageType": "enhanced_ssd_pl1"} for v in volumes],
    }


def volume(vid, name, region, zone, size, encrypted, instance_id, tag, vtype="Cds"):
    return {
        "id": vid, "name": name, "type": vtype, "storageType": "enhanced_ssd_pl1",
        "diskSizeInGB": size, "paymentTiming": "Postpaid", "status": "InUse" if instance_id else "Available",
        "desc": "", "zoneName": zone, "regionId": region, "createTime": "2026-03-02T08:00:00Z",
        "isSystemVolume": vtype == "System", "encrypted": encrypted,
        "encryptKey": "kms-%s" % vid if encrypted else "",
        "attachments": [{"volumeId": vid, "instanceId": instance_id, "device": "/dev/vdb"}] if instance_id else [],
        "tags": tags(tag),
    }


def rule(direction, protocol, port_range, source="", dest="", remark=""):
    r = {"securityGroupRuleId": "r-%s-%s-%s" % (direction, protocol or "all", port_range or "all"),
         "direction": direction, "ethertype": "IPv4", "protocol": protocol, "portRange": port_range,
         "remark": remark}
    if direction == "ingress":
        r["sourceIp"] = source
    else:
        r["destIp"] = dest
    return r


def account(now=None):
    now = int(time.time()) if now is None else int(now)
    gpu_tags = dict(MANDATORY, **{"data-class": "confidential"})
    bcc = {
        "bj": {
            "instances": [
                instance("i-bjgpu001", "train-a800-01", "bj", "cn-bj-d", "bcc.lgn5.c48m384.8a800", "A800", 8,
                         ["g-bj-ssh-open"], ["v-bj-data-plain"], gpu_tags, public_ip="106.12.0.10"),
                instance("i-bjgpu002", "train-a800-02", "bj", "cn-bj-d", "bcc.lgn5.c48m384.8a800", "A800", 8,
                         ["g-bj-private"], ["v-bj-data-enc"], gpu_tags),
                # untagged: no mandatory tag at all
                instance("i-bjweb001", "web-untagged", "bj", "cn-bj-a", "bcc.g5.c4m16", "", 0,
                         ["g-bj-private"], [], {}),
            ],
            "volumes": [
                volume("v-bj-data-plain", "dataset-plain", "bj", "cn-bj-d", 2048, False, "i-bjgpu001", gpu_tags),
                volume("v-bj-data-enc", "dataset-enc", "bj", "cn-bj-d", 2048, True, "i-bjgpu002", gpu_tags),
            ],
            "securityGroups": [
                {"id": "g-bj-ssh-open", "name": "ssh-from-anywhere", "desc": "SSH open to the internet",
                 "vpcId": "vpc-bj-prod", "createdTime": "2026-03-01T08:00:00Z", "tags": tags(MANDATORY),
                 "rules": [rule("ingress", "tcp", "22", source="0.0.0.0/0"),
                           rule("egress", "", "", dest="all")]},
                {"id": "g-bj-private", "name": "office-only", "desc": "SSH from the office range",
                 "vpcId": "vpc-bj-prod", "createdTime": "2026-03-01T08:00:00Z", "tags": tags(MANDATORY),
                 "rules": [rule("ingress", "tcp", "22", source="10.20.0.0/16"),
                           rule("ingress", "tcp", "443", source="192.168.0.0/16"),
                           rule("egress", "all", "1-65535", dest="0.0.0.0/0")]},
            ],
            "vpcs": [{"vpcId": "vpc-bj-prod", "name": "prod", "cidr": "192.168.0.0/16", "ipv6Cidr": "",
                      "secondaryCidr": [], "isDefault": False, "createdTime": "2026-03-01T08:00:00Z",
                      "description": "", "tags": tags(MANDATORY)}],
            "subnets": [{"subnetId": "sbn-bj-prod", "name": "prod-d", "zoneName": "cn-bj-d",
                         "cidr": "192.168.1.0/24", "vpcId": "vpc-bj-prod", "subnetType": "BCC",
                         "availableIp": 240, "description": "", "tags": tags(MANDATORY)}],
        },
        "su": {
            "instances": [
                instance("i-sugpu001", "infer-l20-01", "su", "cn-su-a", "bcc.gn5.c32m256.4l20", "L20", 4,
                         ["g-su-private"], ["v-su-data-enc"], gpu_tags),
            ],
            "volumes": [
                volume("v-su-data-enc", "models-enc", "su", "cn-su-a", 1024, True, "i-sugpu001", gpu_tags),
                # detached and untagged
                volume("v-su-scratch", "scratch", "su", "cn-su-a", 500, False, "", {}),
            ],
            "securityGroups": [
                {"id": "g-su-private", "name": "infer-internal", "desc": "", "vpcId": "vpc-su-prod",
                 "createdTime": "2026-03-01T08:00:00Z", "tags": tags(MANDATORY),
                 "rules": [rule("ingress", "tcp", "8000-8001", source="192.168.0.0/16")]},
            ],
            "vpcs": [{"vpcId": "vpc-su-prod", "name": "prod", "cidr": "172.16.0.0/16", "ipv6Cidr": "",
                      "secondaryCidr": [], "isDefault": False, "createdTime": "2026-03-01T08:00:00Z",
                      "description": "", "tags": tags(MANDATORY)}],
            "subnets": [{"subnetId": "sbn-su-prod", "name": "prod-a", "zoneName": "cn-su-a",
                         "cidr": "172.16.1.0/24", "vpcId": "vpc-su-prod", "subnetType": "BCC",
                         "availableIp": 250, "description": "", "tags": tags(MANDATORY)}],
        },
    }
    rds = {"bj": [
        {"instanceId": "rdsmbj0001", "instanceName": "orders-mysql", "engine": "MySQL", "engineVersion": "8.0",
         "instanceStatus": "Available", "region": "bj", "zoneNames": ["cn-bj-a", "cn-bj-d"],
         "vpcId": "vpc-bj-prod", "publicAccessStatus": "CLOSED", "eipStatus": "unbound",
         "endpoint": {"address": "mysql-orders.rds.bj.baidubce.com", "port": 3306, "vnetIp": "192.168.2.10",
                      "inetIp": ""},
         "backupPolicy": {"backupDays": "0,1,2,3,4,5,6", "backupTime": "01:00:00Z", "persistent": True,
                          "expireInDays": 30, "freeSpaceInGb": 100},
         "tags": tags(MANDATORY)},
        {"instanceId": "rdsmbj0002", "instanceName": "analytics-mysql-public", "engine": "MySQL",
         "engineVersion": "5.7", "instanceStatus": "Available", "region": "bj", "zoneNames": ["cn-bj-a"],
         "vpcId": "vpc-bj-prod", "publicAccessStatus": "OPEN", "eipStatus": "bound",
         "endpoint": {"address": "mysql-analytics.rds.bj.baidubce.com", "port": 3306,
                      "vnetIp": "192.168.2.11", "inetIp": "106.12.0.20"},
         "backupPolicy": {"backupDays": "0", "backupTime": "01:00:00Z", "persistent": False,
                          "expireInDays": 3, "freeSpaceInGb": 10},
         "tags": []},
    ]}
    scs = {"bj": [
        {"instanceId": "scs-bj-cache01", "instanceName": "session-cache", "instanceStatus": "Running",
         "clusterType": "master_slave", "engine": "redis", "engineVersion": "6.0", "shardNum": 1,
         "replicationNum": 2, "vnetIp": "192.168.3.10", "domain": "redis.bj.scs.baidubce.com", "port": 6379,
         "eip": "", "zoneNames": ["cn-bj-a"], "capacity": 8, "tags": tags(MANDATORY)},
        {"instanceId": "scs-bj-cache02", "instanceName": "feature-cache-public", "instanceStatus": "Running",
         "clusterType": "cluster", "engine": "redis", "engineVersion": "7.0", "shardNum": 2,
         "replicationNum": 2, "vnetIp": "192.168.3.11", "domain": "redis2.bj.scs.baidubce.com", "port": 6379,
         "eip": "106.12.0.30", "zoneNames": ["cn-bj-a"], "capacity": 16, "tags": []},
    ]}
    private_acl = [{"grantee": [{"id": ACCOUNT_ID}], "permission": ["FULL_CONTROL"]}]
    bos = {
        "owner": {"id": ACCOUNT_ID, "displayName": "ai-startup"},
        "buckets": [
            {"name": "camera-video-bj", "location": "bj", "creationDate": "2026-03-01T08:00:00Z",
             "acl": private_acl, "encryption": {"encryptionAlgorithm": "AES256"},
             "lifecycle": {"rule": [{"id": "to-cold", "status": "enabled", "resource": ["camera-video-bj/*"],
                                     "condition": {"time": {"dateGreaterThan": "$(lastModified)+P30D"}},
                                     "action": {"name": "Transition", "storageClass": "COLD"}}]},
             "tags": tags(dict(MANDATORY, **{"data-class": "camera-video"}))},
            # cross-border: camera video in Hong Kong, public-read, unencrypted, no lifecycle
            {"name": "camera-video-hkg", "location": "hkg", "creationDate": "2026-03-05T08:00:00Z",
             "acl": private_acl + [{"grantee": [{"id": "*"}], "permission": ["READ"]}],
             "encryption": None, "lifecycle": None,
             "tags": tags(dict(MANDATORY, **{"data-class": "camera-video"}))},
            {"name": "ml-datasets-su", "location": "su", "creationDate": "2026-03-02T08:00:00Z",
             "acl": private_acl, "encryption": {"encryptionAlgorithm": "AES256"}, "lifecycle": None,
             "tags": []},
        ],
    }
    bls = {"bj": [
        {"project": "default", "logStoreName": "app-logs-90d", "retention": 90, "enableHotRetention": False,
         "hotRetention": 0, "shardCount": 2, "creationDateTime": "2026-03-01T08:00:00Z",
         "lastModifiedTime": "2026-03-01T08:00:00Z", "tags": tags(MANDATORY)},
        {"project": "default", "logStoreName": "audit-logs-365d", "retention": 365, "enableHotRetention": True,
         "hotRetention": 30, "shardCount": 2, "creationDateTime": "2026-03-01T08:00:00Z",
         "lastModifiedTime": "2026-03-01T08:00:00Z", "tags": tags(MANDATORY)},
    ]}
    iam = {
        "users": [
            {"id": "u-alice", "name": "alice", "createTime": iso(now, 300), "description": "ML engineer",
             "enabled": True,
             # console access without MFA, and a key older than 90 days
             "loginProfile": {"needResetPassword": False, "enabledLogin": True, "enabledLoginMfa": False,
                              "thirdPartyType": "", "passwordExpireDate": iso(now, -60)},
             "accessKeys": [{"id": "AKALICEOLD0000000000000000000001", "createTime": iso(now, 200),
                             "lastUsedTime": iso(now, 1), "enabled": True, "description": "laptop"}],
             "groups": ["ml-engineers"],
             "policies": [{"id": "p-sys-admin", "name": "AdministratorAccess", "type": "System",
                           "attachTime": iso(now, 250), "description": "full access"}]},
            {"id": "u-bob", "name": "bob", "createTime": iso(now, 120), "description": "SRE", "enabled": True,
             "loginProfile": {"needResetPassword": False, "enabledLogin": True, "enabledLoginMfa": True,
                              "loginMfaType": "TOTP", "thirdPartyType": "", "passwordExpireDate": iso(now, -60)},
             "accessKeys": [{"id": "AKBOBNEW00000000000000000000001", "createTime": iso(now, 20),
                             "lastUsedTime": iso(now, 2), "enabled": True, "description": "ci"},
                            {"id": "AKBOBOFF00000000000000000000001", "createTime": iso(now, 400),
                             "lastUsedTime": iso(now, 380), "enabled": False, "description": "old, disabled"}],
             "groups": ["sre"], "policies": []},
            # a programmatic user: no console login profile at all
            {"id": "u-ci", "name": "ci-deployer", "createTime": iso(now, 60), "description": "", "enabled": True,
             "loginProfile": None,
             "accessKeys": [{"id": "AKCIDEPLOY000000000000000000001", "createTime": iso(now, 30),
                             "lastUsedTime": iso(now, 0), "enabled": True, "description": "pipeline"}],
             "groups": [], "policies": [{"id": "p-bcc-ro", "name": "BCCReadAccess", "type": "System",
                                         "attachTime": iso(now, 60), "description": ""}]},
        ],
        "groups": [
            {"id": "grp-ml", "name": "ml-engineers", "createTime": iso(now, 300), "description": "",
             "policies": [{"id": "p-bos-full", "name": "BOSFullControlAccessPolicy", "type": "System",
                           "attachTime": iso(now, 300), "description": ""}]},
            {"id": "grp-sre", "name": "sre", "createTime": iso(now, 300), "description": "",
             "policies": [{"id": "p-sys-admin", "name": "AdministratorAccess", "type": "System",
                           "attachTime": iso(now, 300), "description": "full access"}]},
        ],
    }
    # KMS (py baidubce/services/kms/kms_client.py; DescribeKey's keyMetadata, doc: KMS/s/nleplmfag):
    # one key rotated yearly, its twin never rotated (GUESS: rotateCycle 0 = rotation off).
    kms = {"bj": [
        {"keyId": "kms-bj-video-rotated", "creationDate": iso(now, 200), "keyState": "enabled",
         "region": "bj", "origin": "BAIDU_KMS", "keySpec": "BAIDU_AES_256", "keyUsage": "ENCRYPT_DECRYPT",
         "protectedBy": "SOFTWARE", "rotateCycle": 365, "nextRotateTime": iso(now, -165)},
        {"keyId": "kms-bj-db-norotate", "creationDate": iso(now, 200), "keyState": "enabled",
         "region": "bj", "origin": "BAIDU_KMS", "keySpec": "BAIDU_AES_256", "keyUsage": "ENCRYPT_DECRYPT",
         "protectedBy": "SOFTWARE", "rotateCycle": 0},
    ]}
    # Monthly resource bills (go services/billing/model.go ResourceMonthBill), 2026-09 and
    # 2026-10, both product types; `month` is the server's key, not a field of the reply.
    # GUESS: `tag` as `key:value` pairs separated by commas (its format is NF).
    def bill(month, product, service, instance, price, tag):
        return {"month": month, "vendor": "baidu", "billId": "b-%s-%s-%s" % (month, product, instance),
                "accountId": ACCOUNT_ID, "serviceType": service, "serviceTypeName": service,
                "productType": product, "region": "bj", "instanceId": instance, "instanceName": instance,
                "startTime": month + "-01T00:00:00Z", "tag": tag, "chargeItem": "RunningTimeMinutes",
                "amount": "1", "amountUnit": "month", "originPrice": round(price * 1.25, 2),
                "catalogPrice": round(price * 1.25, 2), "financePrice": price, "cash": price,
                "couponPrice": 0.0, "debt": 0.0}
    billing = [
        bill("2026-09", "prepay", "BCC", "i-bjgpu001", 52000.5, "owner:ml-platform,cost-center:cc-4120"),
        bill("2026-09", "postpay", "BOS", "camera-video-bj", 1200.25, "cost-center:cc-4120"),
        bill("2026-09", "postpay", "BOS", "ml-datasets-su", 300.0, ""),
        bill("2026-10", "prepay", "BCC", "i-bjgpu001", 52000.5, "owner:ml-platform,cost-center:cc-4120"),
        bill("2026-10", "postpay", "BCC", "i-bjweb001", 999.5, ""),
        bill("2026-10", "postpay", "RDS", "rdsmbj0001", 4000.0, "cost-center:cc-4300"),
    ]
    # CCE clusters and CFS file systems: their listings carry no tags; the tag service
    # does (`tags` here is what the server's tag:QueryFullList answers for them).
    cce = {"bj": [
        {"clusterID": "cce-bj-web01", "clusterName": "web-apps", "clusterType": "normal",
         "k8sVersion": "1.28.8", "vpcID": "vpc-bj-prod", "vpcCIDR": "192.168.0.0/16",
         "tags": tags(MANDATORY)},
    ], "su": [
        {"clusterID": "cce-su-train01", "clusterName": "gpu-training", "clusterType": "normal",
         "k8sVersion": "1.28.8", "vpcID": "vpc-su-prod", "vpcCIDR": "192.168.0.0/16", "tags": []},
    ]}
    cfs = {"bj": [
        {"fsId": "cfs-bj-shared01", "fsName": "model-weights", "vpcId": "vpc-bj-prod", "type": "cap",
         "protocol": "nfs", "fsUsage": "1024", "status": "available", "MountTargetList": [],
         "tags": tags(MANDATORY)},
    ], "su": [
        {"fsId": "cfs-su-scratch01", "fsName": "scratch", "vpcId": "vpc-su-prod", "type": "cap",
         "protocol": "nfs", "fsUsage": "2048", "status": "available", "MountTargetList": [],
         "tags": []},
    ]}
    # Load balancers: a classic BLB and an application BLB; tags embedded in the listing.
    blb = {"bj": [
        {"blbId": "lb-bj-api01", "name": "api-gateway", "desc": "", "address": "192.168.0.20",
         "status": "available", "vpcId": "vpc-bj-prod", "subnetId": "sbn-bj-prod", "publicIp": "180.76.1.20",
         "tags": tags(MANDATORY)},
    ]}
    appblb = {"bj": [
        {"blbId": "lb-bj-web01", "name": "web-apps", "desc": "", "address": "192.168.0.21",
         "status": "available", "vpcId": "vpc-bj-prod", "subnetId": "sbn-bj-prod", "publicIp": "180.76.1.21",
         "tags": tags(MANDATORY)},
    ], "su": [
        {"blbId": "lb-su-infer01", "name": "inference", "desc": "", "address": "192.168.8.21",
         "status": "available", "vpcId": "vpc-su-prod", "subnetId": "sbn-su-prod", "publicIp": "",
         "tags": []},
    ]}
    return {
        "accountId": ACCOUNT_ID,
        "credentials": [
            {"accessKeyId": READER_AK, "secretAccessKey": READER_SK},
            {"accessKeyId": STS_AK, "secretAccessKey": STS_SK, "sessionToken": STS_TOKEN},
        ],
        "bcc": bcc, "rds": rds, "scs": scs, "bos": bos, "bls": bls, "iam": iam, "kms": kms,
        "billing": billing, "cce": cce, "cfs": cfs, "blb": blb, "appblb": appblb,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--now", type=int, default=None, help="Unix seconds the times are relative to")
    args = p.parse_args()
    print(json.dumps(account(args.now), indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
