#!/usr/bin/env python3
"""The local BCE server (server.py) checked against Baidu's own Python SDK: the official
clients (BccClient, VpcClient, SubnetClient, BosClient, IamClient, RDSClient, ScsClient),
configured with the real endpoint and our server as their HTTP proxy, list the seeded
account; bad keys, an expired clock, a missing STS token and injected faults get Baidu's
errors. Nothing leaves 127.0.0.1.

Run: `$AUDIT_PYTHON -m unittest discover -s tests/bce -p 'test_*.py'` (the Rust test
crates/baidu/tests/server.rs does this, so `cargo test -p audit-baidu` runs it).
"""
import http.client
import json
import os
import socket
import sys
import time
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import seed  # noqa: E402
import server  # noqa: E402
from baidubce.auth.bce_credentials import BceCredentials  # noqa: E402
from baidubce.bce_client_configuration import BceClientConfiguration  # noqa: E402
from baidubce.exception import BceHttpClientError, BceServerError  # noqa: E402
from baidubce.retry.retry_policy import NoRetryPolicy  # noqa: E402
from baidubce.services.bcc.bcc_client import BccClient  # noqa: E402
from baidubce.services.blb.app_blb_client import AppBlbClient  # noqa: E402
from baidubce.services.blb.blb_client import BlbClient  # noqa: E402
from baidubce.services.bls.bls_client import BlsClient  # noqa: E402
from baidubce.services.bos.bos_client import BosClient  # noqa: E402
from baidubce.services.iam.iam_client import IamClient  # noqa: E402
from baidubce.services.rds.rds_client import RDSClient  # noqa: E402
from baidubce.services.scs.scs_client import ScsClient  # noqa: E402
from baidubce.services.subnet.subnet_client import SubnetClient  # noqa: E402
from baidubce.services.vpc.vpc_client import VpcClient  # noqa: E402
from baidubce.http import bce_http_client, handler, http_methods  # noqa: E402
from baidubce.auth import bce_v1_signer  # noqa: E402

HTTPD = None


def setUpModule():
    global HTTPD
    # The SDK leaves its connections to the garbage collector.
    warnings.simplefilter("ignore", ResourceWarning)
    HTTPD = server.serve(0)


def tearDownModule():
    HTTPD.shutdown()


def config(endpoint, ak=seed.READER_AK, sk=seed.READER_SK, token=None):
    """The official SDK's configuration: the real endpoint, our server as HTTP proxy."""
    return BceClientConfiguration(
        credentials=BceCredentials(ak, sk), endpoint=endpoint, security_token=token,
        proxy_host="127.0.0.1", proxy_port=HTTPD.server_port, retry_policy=NoRetryPolicy(),
        connection_timeout_in_mills=5000)


def admin(method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", HTTPD.server_port, timeout=5)
    conn.request(method, path, body=json.dumps(body) if body is not None else None)
    resp = conn.getresponse()
    data = json.loads(resp.read())
    conn.close()
    return resp.status, data


def raw_get(host, path, headers=None):
    """A request the SDK would never send (unsigned, or with a forged header)."""
    conn = http.client.HTTPConnection("127.0.0.1", HTTPD.server_port, timeout=5)
    conn.request("GET", path, headers=dict({"Host": host}, **(headers or {})))
    resp = conn.getresponse()
    body = json.loads(resp.read())
    rid = resp.getheader("x-bce-request-id")
    conn.close()
    return resp.status, body, rid


class Base(unittest.TestCase):
    def setUp(self):
        admin("POST", "/__admin/reset", {})

    def assertBceError(self, call, status, code):
        with self.assertRaises(BceHttpClientError) as cm:
            call()
        err = cm.exception.last_error
        self.assertIsInstance(err, BceServerError, repr(err))
        self.assertEqual((err.status_code, err.code), (status, code), str(err))
        self.assertTrue(err.request_id, "every error carries x-bce-request-id")


class Bcc(Base):
    def test_instances_in_bj_and_su(self):
        bj = BccClient(config("http://bcc.bj.baidubce.com")).list_instances()
        self.assertEqual([i.id for i in bj.instances], ["i-bjgpu001", "i-bjgpu002", "i-bjweb001"])
        gpu = bj.instances[0]
        self.assertEqual((gpu.gpu_card, gpu.card_count, gpu.status), ("A800", "8", "Running"))
        self.assertEqual(gpu.nic_info.security_groups, ["g-bj-ssh-open"])
        self.assertEqual(bj.instances[2].tags, [])
        self.assertFalse(bj.is_truncated)
        su = BccClient(config("http://bcc.su.baidubce.com")).list_instances()
        self.assertEqual([i.id for i in su.instances], ["i-sugpu001"])
        gz = BccClient(config("http://bcc.gz.baidubce.com")).list_instances()
        self.assertEqual(gz.instances, [])

    def test_marker_paging(self):
        client = BccClient(config("http://bcc.bj.baidubce.com"))
        seen, marker = [], None
        for _ in range(5):
            page = client.list_instances(marker=marker, max_keys=2)
            seen += [i.id for i in page.instances]
            if not page.is_truncated:
                break
            marker = page.next_marker
        self.assertEqual(seen, ["i-bjgpu001", "i-bjgpu002", "i-bjweb001"])
        first = client.list_instances(max_keys=2)
        self.assertEqual((first.is_truncated, first.next_marker, first.max_keys), (True, "i-bjweb001", 2))

    def test_volumes_one_unencrypted(self):
        vols = BccClient(config("http://bcc.bj.baidubce.com")).list_volumes()
        by_id = {v.id: v for v in vols.volumes}
        self.assertFalse(by_id["v-bj-data-plain"].encrypted)
        self.assertTrue(by_id["v-bj-data-enc"].encrypted)
        self.assertEqual(by_id["v-bj-data-plain"].attachments[0].instance_id, "i-bjgpu001")
        su = BccClient(config("http://bcc.su.baidubce.com")).list_volumes()
        self.assertEqual(sorted(v.id for v in su.volumes), ["v-su-data-enc", "v-su-scratch"])

    def test_security_group_with_ssh_open_to_the_world(self):
        groups = BccClient(config("http://bcc.bj.baidubce.com")).list_security_groups()
        by_id = {g.id: g for g in groups.security_groups}
        open_rule = by_id["g-bj-ssh-open"].rules[0]
        self.assertEqual((open_rule.direction, open_rule.protocol, open_rule.port_range, open_rule.source_ip),
                         ("ingress", "tcp", "22", "0.0.0.0/0"))
        self.assertEqual(by_id["g-bj-private"].rules[0].source_ip, "10.20.0.0/16")
        only = BccClient(config("http://bcc.bj.baidubce.com")).list_security_groups(instance_id="i-bjgpu001")
        self.assertEqual([g.id for g in only.security_groups], ["g-bj-ssh-open"])


class Vpc(Base):
    def test_vpcs_and_subnets(self):
        vpcs = VpcClient(config("http://bcc.bj.baidubce.com")).list_vpcs()
        self.assertEqual([v.vpc_id for v in vpcs.vpcs], ["vpc-bj-prod"])
        subnets = SubnetClient(config("http://bcc.su.baidubce.com")).list_subnets()
        self.assertEqual([s.subnet_id for s in subnets.subnets], ["sbn-su-prod"])


class Bos(Base):
    def test_buckets_with_camera_video_in_hkg(self):
        listed = BosClient(config("http://bj.bcebos.com")).list_buckets()
        self.assertEqual({b.name: b.location for b in listed.buckets},
                         {"camera-video-bj": "bj", "camera-video-hkg": "hkg", "ml-datasets-su": "su"})
        self.assertEqual(listed.owner.id, seed.ACCOUNT_ID)

    def test_acl_public_read_in_hkg(self):
        hkg = BosClient(config("http://hkg.bcebos.com"))
        acl = hkg.get_bucket_acl("camera-video-hkg")
        grants = [(g.grantee[0].id, g.permission) for g in acl.access_control_list]
        self.assertIn(("*", ["READ"]), grants)
        bj = BosClient(config("http://bj.bcebos.com")).get_bucket_acl("camera-video-bj")
        self.assertNotIn("*", [g.grantee[0].id for g in bj.access_control_list])

    def test_location_encryption_lifecycle(self):
        bj = BosClient(config("http://bj.bcebos.com"))
        self.assertEqual(bj.get_bucket_location("camera-video-bj"), "bj")
        self.assertEqual(bj.get_bucket_encryption("camera-video-bj").encryption_algorithm, "AES256")
        rules = bj.get_bucket_lifecycle("camera-video-bj").rule
        self.assertEqual(rules[0].action.storage_class, "COLD")
        hkg = BosClient(config("http://hkg.bcebos.com"))
        self.assertBceError(lambda: hkg.get_bucket_encryption("camera-video-hkg"), 404, "NoSuchBucketEncryption")
        self.assertBceError(lambda: hkg.get_bucket_lifecycle("camera-video-hkg"), 404, "NoSuchLifecycle")

    def test_bucket_on_another_regions_host(self):
        bj = BosClient(config("http://bj.bcebos.com"))
        self.assertBceError(lambda: bj.get_bucket_acl("camera-video-hkg"), 404, "NoSuchBucket")


class Iam(Base):
    def iam(self):
        return IamClient(config("http://iam.bj.baidubce.com"))

    def test_users_login_profiles_and_mfa(self):
        users = self.iam().list_user()
        self.assertEqual([u.name for u in users.users], ["alice", "bob", "ci-deployer"])
        alice = self.iam().get_user_login_profile(b"alice")
        self.assertEqual((alice.enabled_login, alice.enabled_login_mfa), (True, False))
        bob = self.iam().get_user_login_profile(b"bob")
        self.assertEqual((bob.enabled_login_mfa, bob.login_mfa_type), (True, "TOTP"))
        self.assertBceError(lambda: self.iam().get_user_login_profile(b"ci-deployer"), 404, "NoSuchEntity")

    def test_access_keys_age_and_no_secret(self):
        keys = self.iam().list_user_accesskey(b"alice").access_keys
        self.assertEqual(len(keys), 1)
        created = time.mktime(time.strptime(keys[0].create_time, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        self.assertGreater(time.time() - created, 90 * 86400)
        self.assertEqual(keys[0].secret, "")
        bob = self.iam().list_user_accesskey(b"bob").access_keys
        self.assertEqual(sorted(k.enabled for k in bob), [False, True])

    def test_groups_and_policies(self):
        self.assertEqual([g.name for g in self.iam().list_user_group(b"alice").groups], ["ml-engineers"])
        self.assertEqual([p.name for p in self.iam().list_policies_from_user(b"alice").policies],
                         ["AdministratorAccess"])
        self.assertEqual([g.name for g in self.iam().list_group().groups], ["ml-engineers", "sre"])
        self.assertEqual([p.name for p in self.iam().list_policies_from_group(b"sre").policies],
                         ["AdministratorAccess"])


class Databases(Base):
    def test_rds_mysql(self):
        rds = RDSClient(config("http://rds.bj.baidubce.com")).list_instances()
        by_id = {i.instance_id: i for i in rds.instances}
        self.assertEqual(by_id["rdsmbj0002"].public_access_status, "OPEN")
        self.assertEqual(by_id["rdsmbj0001"].backup_policy.expire_in_days, 30)

    def test_scs_redis(self):
        scs = ScsClient(config("http://redis.bj.baidubce.com")).list_instances()
        self.assertEqual(sorted(i.instance_id for i in scs.instances), ["scs-bj-cache01", "scs-bj-cache02"])


class LoadBalancers(Base):
    def test_classic_and_application_blbs_with_tags(self):
        classic = BlbClient(config("http://blb.bj.baidubce.com")).describe_loadbalancers()
        self.assertEqual([b.blb_id for b in classic.blb_list], ["lb-bj-api01"])
        self.assertEqual(classic.blb_list[0].public_ip, "180.76.1.20")
        app = AppBlbClient(config("http://blb.su.baidubce.com")).describe_app_loadbalancers(max_keys=1)
        self.assertEqual([b.blb_id for b in app.blb_list], ["lb-su-infer01"])
        self.assertEqual(app.blb_list[0].tags, [])
        self.assertFalse(app.is_truncated)
        web = AppBlbClient(config("http://blb.bj.baidubce.com")).describe_app_loadbalancers()
        self.assertEqual({t.tag_key for t in web.blb_list[0].tags},
                         {"owner", "cost-center", "env", "data-class"})


class Bls(Base):
    def test_log_store_retention(self):
        # The Python SDK's BlsClient has no ListLogStore: the SDK's own HTTP client and
        # signer send it, as go services/bls/api/logstore.go does.
        cfg = BlsClient(config("http://bls-log.bj.baidubce.com")).config  # with the SDK's defaults
        resp = bce_http_client.send_request(
            cfg, bce_v1_signer.sign, [handler.parse_error, handler.parse_json], http_methods.GET,
            b"/v1/logstore", None, {}, {b"project": b"default", b"pageNo": b"1", b"pageSize": b"10"})
        self.assertEqual({s.log_store_name: s.retention for s in resp.result},
                         {"app-logs-90d": 90, "audit-logs-365d": 365})
        self.assertEqual(resp.total_count, 2)


class Signatures(Base):
    def bcc(self, **kw):
        return BccClient(config("http://bcc.bj.baidubce.com", **kw))

    def test_wrong_secret(self):
        self.assertBceError(lambda: self.bcc(sk="not-the-secret").list_instances(), 400, "SignatureDoesNotMatch")

    def test_unknown_access_key(self):
        self.assertBceError(lambda: self.bcc(ak="AKUNKNOWN", sk="x").list_instances(), 403, "InvalidAccessKeyId")

    def test_expired_timestamp(self):
        admin("POST", "/__admin/clock", {"offset": 3600})  # the SDK signs for 1800 s
        self.assertBceError(lambda: self.bcc().list_instances(), 400, "RequestExpired")

    def test_sts_token_signed_and_required(self):
        sts = dict(ak=seed.STS_AK, sk=seed.STS_SK)
        # BosClient sends x-bce-security-token (bos_client.py _send_request); BccClient never does
        bos = BosClient(config("http://bj.bcebos.com", token=seed.STS_TOKEN, **sts))
        self.assertEqual(len(bos.list_buckets().buckets), 3)
        self.assertBceError(lambda: BosClient(config("http://bj.bcebos.com", token="forged", **sts)).list_buckets(),
                            403, "AccessDenied")
        self.assertBceError(lambda: self.bcc(**sts).list_instances(), 403, "AccessDenied")

    def test_unsigned_and_malformed(self):
        status, body, rid = raw_get("bcc.bj.baidubce.com", "/v2/instance")
        self.assertEqual((status, body["code"]), (403, "AccessDenied"))
        self.assertEqual(body["requestId"], rid)
        status, body, _ = raw_get("bcc.bj.baidubce.com", "/v2/instance", {"Authorization": "bce-auth-v1/x"})
        self.assertEqual((status, body["code"]), (400, "InvalidHTTPAuthHeader"))

    def test_tampered_request(self):
        # A correct signature for one path, sent with another.
        cfg = config("http://bcc.bj.baidubce.com")
        headers = {b"Host": b"bcc.bj.baidubce.com", b"x-bce-date": server_time()}
        auth = bce_v1_signer.sign(cfg.credentials, b"GET", b"/v2/volume", headers, {})
        status, body, _ = raw_get("bcc.bj.baidubce.com", "/v2/instance",
                                  {"x-bce-date": headers[b"x-bce-date"].decode(), "Authorization": auth.decode()})
        self.assertEqual((status, body["code"]), (400, "SignatureDoesNotMatch"))

    def test_unknown_host(self):
        self.assertBceError(lambda: BccClient(config("http://bcc.mars.baidubce.com")).list_instances(),
                            400, "InvalidURI")


def server_time():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()).encode()


class Faults(Base):
    def test_access_denied_throttling_and_500_per_operation(self):
        for fault, status, code in (("AccessDenied", 403, "AccessDenied"), ("Throttling", 429, "Throttling"),
                                    ("500", 500, "InternalError")):
            admin("POST", "/__admin/faults", {"operation": "bcc:ListVolumes", "fault": fault})
            self.assertBceError(lambda: BccClient(config("http://bcc.bj.baidubce.com")).list_volumes(), status, code)
            # other operations are untouched
            BccClient(config("http://bcc.bj.baidubce.com")).list_instances()
        admin("DELETE", "/__admin/faults")
        BccClient(config("http://bcc.bj.baidubce.com")).list_volumes()

    def test_dropped_connection(self):
        admin("POST", "/__admin/faults", {"operation": "iam:ListUsers", "fault": "drop", "count": 1})
        with self.assertRaises(BceHttpClientError) as cm:
            IamClient(config("http://iam.bj.baidubce.com")).list_user()
        self.assertNotIsInstance(cm.exception.last_error, BceServerError)
        # count 1: the next call goes through
        self.assertEqual(len(IamClient(config("http://iam.bj.baidubce.com")).list_user().users), 3)

    def test_request_log(self):
        BccClient(config("http://bcc.su.baidubce.com")).list_instances()
        _, log = admin("GET", "/__admin/requests")
        self.assertEqual([(r["operation"], r["host"], r["status"], r["accessKeyId"]) for r in log["requests"]],
                         [("bcc:ListInstances", "bcc.su.baidubce.com", 200, seed.READER_AK)])

    def test_admin_refuses_unknown_faults(self):
        status, _ = admin("POST", "/__admin/faults", {"operation": "bcc:ListVolumes", "fault": "Sometimes"})
        self.assertEqual(status, 400)


class Command(unittest.TestCase):
    def test_seed_file_and_port_line(self):
        import subprocess
        import tempfile
        here = os.path.dirname(os.path.abspath(__file__))
        account = json.loads(subprocess.check_output([sys.executable, os.path.join(here, "seed.py"), "--now", "0"]))
        self.assertEqual(account, seed.account(0))
        account["iam"]["users"] = account["iam"]["users"][:1]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(account, f)
        try:
            proc = subprocess.Popen([sys.executable, os.path.join(here, "server.py"), "--seed", f.name],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            port = int(proc.stdout.readline())
            global HTTPD
            saved, HTTPD = HTTPD, type("P", (), {"server_port": port})
            try:
                users = IamClient(config("http://iam.bj.baidubce.com")).list_user().users
            finally:
                HTTPD = saved
            self.assertEqual([u.name for u in users], ["alice"])
            proc.stdin.close()  # the server stops when its stdin closes
            self.assertEqual(proc.wait(timeout=10), 0)
        finally:
            os.unlink(f.name)


class Loopback(unittest.TestCase):
    def test_listens_on_loopback_only(self):
        self.assertEqual(HTTPD.server_address[0], "127.0.0.1")
        with socket.create_connection(("127.0.0.1", HTTPD.server_port), timeout=2):
            pass


if __name__ == "__main__":
    unittest.main()
