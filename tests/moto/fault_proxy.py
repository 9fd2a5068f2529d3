#!/usr/bin/env python3
"""A fault-injecting HTTP proxy between the collector and moto, for the collector tests.

usage: fault_proxy.py UPSTREAM_URL RULE...    (prints its port on the first stdout line)

A RULE is OPERATION=FAULT[:N]: the first N requests of OPERATION (all of them without N)
get FAULT instead of moto's answer; later ones go through. FAULT is `throttle` (the
service's throttling error), `500` (an empty HTTP 500) or `deny` (the service's access
denied error). The operation is read the way AWS routes it: `Action=` of query-protocol
services (EC2, IAM, RDS, STS), the X-Amz-Target header of JSON services (Logs, KMS,
CloudTrail, tagging) and method + query of S3's REST calls.
GET /_proxy/counts answers {operation: requests seen}. Stops when stdin closes.
"""
import http.client
import http.server
import json
import sys
import threading
import urllib.parse

UPSTREAM = urllib.parse.urlparse(sys.argv[1])
RULES = {}
for rule in sys.argv[2:]:
    op, fault = rule.split("=", 1)
    kind, _, n = fault.partition(":")
    RULES[op] = [kind, int(n) if n else None]
COUNTS = {}
LOCK = threading.Lock()

S3_OPS = {"tagging": "GetBucketTagging", "encryption": "GetBucketEncryption",
          "publicAccessBlock": "GetPublicAccessBlock", "lifecycle": "GetBucketLifecycleConfiguration",
          "location": "GetBucketLocation"}


def operation(method, path, headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.split(".")[-1]
    if body and b"Action=" in body:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][0]
    parsed = urllib.parse.urlparse(path)
    for key in urllib.parse.parse_qs(parsed.query, keep_blank_values=True):
        if key in S3_OPS and method == "GET":
            return S3_OPS[key]
    if method == "GET" and parsed.path in ("", "/"):
        return "ListBuckets"
    return f"{method} {parsed.path}"


def fault_response(kind, headers):
    json_protocol = "X-Amz-Target" in headers
    ec2 = "ec2" in headers.get("Authorization", "").split("/")[3:4]
    s3 = "s3" in headers.get("Authorization", "").split("/")[3:4]
    if kind == "500":
        return 500, "text/plain", b""
    if kind == "throttle":
        code, status = ("ThrottlingException", 400) if json_protocol else (
            ("RequestLimitExceeded", 503) if ec2 else (("SlowDown", 503) if s3 else ("Throttling", 400)))
    else:
        code, status = ("AccessDeniedException", 400) if json_protocol else (
            ("UnauthorizedOperation", 403) if ec2 else ("AccessDenied", 403))
    message = "injected by fault_proxy"
    if json_protocol:
        body = json.dumps({"__type": code, "message": message}).encode()
        return status, "application/x-amz-json-1.1", body
    if ec2:
        body = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>fault</RequestID></Response>"
    elif s3:
        body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault</RequestId></Error>"
    else:
        body = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
    return status, "text/xml", body.encode()


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/_proxy/counts":
            with LOCK:
                data = json.dumps(COUNTS, sort_keys=True).encode()
            return self.reply(200, "application/json", data, {})
        op = operation(self.command, self.path, self.headers, body)
        with LOCK:
            COUNTS[op] = COUNTS.get(op, 0) + 1
            rule = RULES.get(op)
            inject = rule is not None and (rule[1] is None or rule[1] > 0)
            if inject and rule[1] is not None:
                rule[1] -= 1
        if inject:
            status, ctype, data = fault_response(rule[0], self.headers)
            return self.reply(status, ctype, data, {})
        conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "proxy-connection")}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        extra = {k: v for k, v in resp.getheaders()
                 if k.lower() not in ("transfer-encoding", "connection", "content-length", "content-type", "server", "date")}
        self.reply(resp.status, resp.getheader("Content-Type") or "text/xml", data, extra)
        conn.close()

    def reply(self, status, ctype, data, extra):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
server.shutdown()
