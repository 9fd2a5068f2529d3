//! The local BCE server (tests/bce/server.py) from Rust: its own test suite, which checks it
//! against the official Python SDK's clients, and requests signed by our signer sent the way
//! the collector's `--endpoint-url` will send them (to 127.0.0.1, with the real `Host`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use audit_baidu::{Request, Signer, canonical_query, canonical_uri, timestamp_from_unix};
use serde_json::Value;

use crate::{python, repo};

// The seeded credentials (tests/bce/seed.py).
pub const READER_AK: &str = "AKAUDITREADER0000000000000000001";
pub const READER_SK: &str = "SKauditreader00000000000000000001";
pub const STS_AK: &str = "AKSTSAUDIT000000000000000000001";
pub const STS_SK: &str = "SKstsaudit0000000000000000000001";
pub const STS_TOKEN: &str = "ZjkyZDZkNjMtc3RzLXNlc3Npb24tdG9rZW4tZm9yLWF1ZGl0LXRlc3Rz";

#[test]
fn python_suite_checks_the_server_against_the_official_sdk() {
    let out = Command::new(python())
        .args(["-m", "unittest", "discover", "-v", "-s"])
        .arg(repo().join("tests/bce"))
        .args(["-p", "test_*.py"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run $AUDIT_PYTHON: {e}"));
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "tests/bce/test_server.py failed (is bce-python-sdk installed? run tests/moto/setup):\n{report}"
    );
    let ran: usize = report
        .lines()
        .find_map(|l| l.strip_prefix("Ran ")?.split(' ').next()?.parse().ok())
        .unwrap_or(0);
    assert!(ran >= 20, "only {ran} Python tests ran:\n{report}");
    eprintln!("tests/bce/test_server.py: {ran} tests OK");
}

/// The server, stopped when dropped (its stdin closes, and it is killed to be sure).
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    pub port: u16,
}

impl Server {
    pub fn start() -> Server {
        let mut child = Command::new(python())
            .arg(repo().join("tests/bce/server.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start tests/bce/server.py: {e}"));
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("server.py printed `{line}` instead of a port"));
        Server { child, stdin, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// An unsigned call of the admin API (`/__admin/...`): faults, clock, request log.
    pub fn admin(&self, method: &str, path: &str, body: &str) -> Value {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let mut conn = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        conn.write_all(head.as_bytes()).unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        let (_, body) = answer.split_once("\r\n\r\n").unwrap();
        serde_json::from_str(body).unwrap()
    }

    /// Sends `req` to 127.0.0.1 with `host` as the Host; returns status and JSON body.
    fn send(&self, signer: &Signer, host: &str, mut req: Request) -> (u16, Value) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        signer.sign(&mut req, host, &timestamp_from_unix(now), 1800);
        let query = canonical_query(&req.query);
        let mut head = format!(
            "{} {}{}{} HTTP/1.1\r\n",
            req.method,
            canonical_uri(&req.path),
            if query.is_empty() { "" } else { "?" },
            query
        );
        for (k, v) in &req.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("Connection: close\r\n\r\n");
        let mut conn = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        conn.write_all(head.as_bytes()).unwrap();
        let mut answer = Vec::new();
        conn.read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8(answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, serde_json::from_str(body).unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get(path: &str, query: &[(&str, &str)]) -> Request {
    let mut req = Request::new("GET", path);
    req.query = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    req.headers.push((
        "Content-Type".into(),
        "application/json;charset=utf-8".into(),
    ));
    req
}

#[test]
fn requests_signed_by_the_rust_signer_are_accepted() {
    let server = Server::start();
    let reader = Signer::new(READER_AK, READER_SK);

    let (status, body) = server.send(
        &reader,
        "bcc.bj.baidubce.com",
        get("/v2/instance", &[("maxKeys", "2")]),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instances"].as_array().unwrap().len(), 2);
    assert_eq!(body["isTruncated"], true);
    let next = body["nextMarker"].as_str().unwrap().to_owned();
    let (status, body) = server.send(
        &reader,
        "bcc.bj.baidubce.com",
        get("/v2/instance", &[("maxKeys", "2"), ("marker", &next)]),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instances"][0]["id"], "i-bjweb001");
    assert_eq!(body["isTruncated"], false);

    // BOS sub-resources are bare parameters (`?acl`), signed as `acl=`.
    let (status, body) = server.send(
        &reader,
        "camera-video-hkg.hkg.bcebos.com",
        get("/", &[("acl", "")]),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accessControlList"][1]["grantee"][0]["id"], "*");

    // Non-ASCII, spaces and reserved characters in path and query: the server decodes
    // them and signs them again with the SDK, so both must agree on every byte.
    let (status, body) = server.send(
        &reader,
        "iam.bj.baidubce.com",
        get("/v1/user/张 三~!*'()+%/loginProfile", &[]),
    );
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("NoSuchEntity")),
        "{body}"
    );
    let (status, body) = server.send(
        &reader,
        "bls-log.bj.baidubce.com",
        get(
            "/v1/logstore",
            &[
                ("project", "default"),
                ("namePattern", "日志 a+b&c=d"),
                ("pageNo", "1"),
                ("pageSize", ""),
            ],
        ),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalCount"], 2);

    // STS: the token is sent and signed; without it the same key is refused.
    let sts = Signer::new(STS_AK, STS_SK).with_security_token(STS_TOKEN);
    let (status, body) = server.send(&sts, "bj.bcebos.com", get("/", &[]));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["buckets"].as_array().unwrap().len(), 3);
    let (status, body) = server.send(&Signer::new(STS_AK, STS_SK), "bj.bcebos.com", get("/", &[]));
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("AccessDenied")),
        "{body}"
    );

    // A wrong secret and an unknown key.
    let (status, body) = server.send(
        &Signer::new(READER_AK, "wrong"),
        "bcc.su.baidubce.com",
        get("/v2/volume", &[]),
    );
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("SignatureDoesNotMatch")),
        "{body}"
    );
    let (status, body) = server.send(
        &Signer::new("AKNOBODY", "x"),
        "bcc.su.baidubce.com",
        get("/v2/volume", &[]),
    );
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("InvalidAccessKeyId")),
        "{body}"
    );
}
