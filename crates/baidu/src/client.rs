//! Signed calls to BCE's REST APIs: JSON in and out, retries, and every failure turned
//! into a code and a one-line message that a snapshot gap can carry.
//!
//! Where a request goes: `https://{host}{path}` in production; with `--endpoint-url`, to
//! that one address with the `Host` header of the real service, signed over that host,
//! so that a local server routing on `Host` stands in for all services.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::credentials::Credentials;
use crate::sign::{DEFAULT_EXPIRATION_SECS, Request, Signer, timestamp_from_unix, uri_encode};

/// A failed call: Baidu's error code (`AccessDenied`, ...) or one of ours (`HTTP500`,
/// `EndpointUnreachable`, `Timeout`, `InvalidResponse`), and a bounded one-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    pub code: String,
    pub message: String,
}

impl CallError {
    fn new(code: impl Into<String>, message: impl AsRef<str>) -> Self {
        CallError {
            code: code.into(),
            message: one_line(message.as_ref()),
        }
    }

    /// Whether another attempt may succeed: throttling, server errors, an expired
    /// signature (a clock step) and transport failures (Go `bce/retry.go` retries 500,
    /// 502, 503 and RequestExpired).
    fn is_retryable(&self) -> bool {
        matches!(
            self.code.as_str(),
            "Throttling"
                | "ThrottlingException"
                | "RequestExpired"
                | "InternalError"
                | "ServiceUnavailable"
                | "HTTP429"
                | "HTTP500"
                | "HTTP502"
                | "HTTP503"
                | "HTTP504"
                | "EndpointUnreachable"
                | "Timeout"
                | "ResponseError"
        )
    }
}

/// Where requests go.
#[derive(Debug, Clone)]
enum Target {
    /// The service's own host, over HTTPS.
    Service,
    /// One address for every service (`scheme://authority`), the real `Host` sent.
    Endpoint { base: String },
}

/// How a collection talks to BCE.
pub struct Client {
    http: reqwest::Client,
    signer: Signer,
    target: Target,
    max_attempts: u32,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("signer", &self.signer)
            .field("target", &self.target)
            .finish()
    }
}

/// Checks an `--endpoint-url`: `https://` anywhere, `http://` only to the loopback
/// address (a local test server), never with a path, query or credentials in it.
/// Returns `scheme://authority`.
pub fn check_endpoint(url: &str) -> Result<String, String> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        format!("--endpoint-url `{url}` is not a URL (http://127.0.0.1:PORT or https://HOST)")
    })?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
        return Err(format!(
            "--endpoint-url `{url}`: give only scheme, host and port (no path, query or user)"
        ));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map(|(h, _)| h).unwrap_or(v6),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    match scheme {
        "https" => Ok(format!("https://{authority}")),
        "http" => {
            let loopback = host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback {
                Ok(format!("http://{authority}"))
            } else {
                Err(format!(
                    "--endpoint-url `{url}`: plain http:// is allowed only to the loopback address (a local test server); use https://"
                ))
            }
        }
        _ => Err(format!(
            "--endpoint-url `{url}`: the scheme must be https (or http to 127.0.0.1)"
        )),
    }
}

impl Client {
    pub fn new(
        credentials: &Credentials,
        endpoint_url: Option<&str>,
        max_attempts: u32,
        attempt_timeout: Duration,
    ) -> Result<Client, String> {
        let target = match endpoint_url {
            Some(url) => Target::Endpoint {
                base: check_endpoint(url)?,
            },
            None => Target::Service,
        };
        let http = reqwest::Client::builder()
            .timeout(attempt_timeout)
            .connect_timeout(Duration::from_secs(5))
            // Only https in production: the endpoint check above allows http to loopback.
            .https_only(matches!(target, Target::Service))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("audit/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        Ok(Client {
            http,
            signer: credentials.signer(),
            target,
            max_attempts: max_attempts.max(1),
        })
    }

    /// `GET host path?query` → the JSON body.
    pub async fn get(
        &self,
        host: &str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Value, CallError> {
        self.call("GET", host, path, query, None).await
    }

    /// `POST host path?query` with a JSON body → the JSON body.
    pub async fn post(
        &self,
        host: &str,
        path: &str,
        query: &[(&str, String)],
        body: &Value,
    ) -> Result<Value, CallError> {
        self.call("POST", host, path, query, Some(body)).await
    }

    async fn call(
        &self,
        method: &str,
        host: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, CallError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.once(method, host, path, query, body).await {
                Ok(v) => return Ok(v),
                Err(e) if e.is_retryable() && attempt < self.max_attempts => {
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn once(
        &self,
        method: &str,
        host: &str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, CallError> {
        let mut request = Request::new(method, path);
        request.query = query
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        let payload = match body {
            Some(b) => {
                let bytes = serde_json::to_vec(b)
                    .map_err(|e| CallError::new("InvalidRequest", e.to_string()))?;
                request.set_header("Content-Type", "application/json;charset=utf-8");
                request.set_header("Content-Length", &bytes.len().to_string());
                Some(bytes)
            }
            None => None,
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.signer.sign(
            &mut request,
            host,
            &timestamp_from_unix(now),
            DEFAULT_EXPIRATION_SECS,
        );
        let base = match &self.target {
            Target::Service => format!("https://{host}"),
            Target::Endpoint { base } => base.clone(),
        };
        let mut url = format!("{base}/{}", uri_encode(path.trim_start_matches('/'), false));
        if !request.query.is_empty() {
            let q: Vec<String> = request
                .query
                .iter()
                .map(|(k, v)| format!("{}={}", uri_encode(k, true), uri_encode(v, true)))
                .collect();
            url.push('?');
            url.push_str(&q.join("&"));
        }
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| CallError::new("InvalidRequest", e.to_string()))?;
        let mut builder = self.http.request(method, &url);
        for (name, value) in &request.headers {
            if name.eq_ignore_ascii_case("content-length") {
                continue; // reqwest writes it from the body
            }
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(bytes) = payload {
            builder = builder.body(bytes);
        }
        let response = builder.send().await.map_err(transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport)?;
        if status.is_success() {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Value::Null);
            }
            return serde_json::from_slice(&bytes).map_err(|e| {
                CallError::new(
                    "InvalidResponse",
                    format!("{host}{path}: the reply is not JSON: {e}"),
                )
            });
        }
        // Baidu's error body `{requestId, code, message}` (doc: BCC/s/Ojwvyo6nc); Go maps
        // an empty one by status (go bce/response.go).
        let parsed: Option<Value> = serde_json::from_slice(&bytes).ok();
        let text = |k: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let code = text("code")
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| format!("HTTP{}", status.as_u16()));
        let message = text("message").unwrap_or_default();
        let request_id = text("requestId").unwrap_or_default();
        Err(CallError::new(
            code,
            format!(
                "HTTP {} from {host}{path}: {message} (request id {request_id})",
                status.as_u16()
            ),
        ))
    }
}

fn transport(e: reqwest::Error) -> CallError {
    let code = if e.is_timeout() {
        "Timeout"
    } else if e.is_connect() {
        "EndpointUnreachable"
    } else {
        "ResponseError"
    };
    // The URL holds no secret (credentials travel in headers only); the chain of sources
    // says what went wrong at the socket.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    CallError::new(code, message)
}

/// 100 ms, 200 ms, 400 ms ... up to 5 s, with up to 50 % jitter from the clock.
fn backoff(attempt: u32) -> Duration {
    let base = 100u64.saturating_mul(1 << attempt.min(6)).min(5_000);
    let jitter = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()))
        % (base / 2 + 1);
    Duration::from_millis(base / 2 + jitter)
}

/// Messages go into a JSON snapshot and onto a terminal: one line, bounded.
fn one_line(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(500)
        .collect();
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_loopback_http() {
        assert_eq!(
            check_endpoint("http://127.0.0.1:5000").unwrap(),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            check_endpoint("http://localhost:80/").unwrap(),
            "http://localhost:80"
        );
        assert_eq!(check_endpoint("http://[::1]:9").unwrap(), "http://[::1]:9");
        assert_eq!(
            check_endpoint("https://proxy.corp.example:8443").unwrap(),
            "https://proxy.corp.example:8443"
        );
        for bad in [
            "http://10.0.0.1:80",
            "http://bcc.bj.baidubce.com",
            "ftp://127.0.0.1",
            "127.0.0.1:80",
            "http://127.0.0.1:80/path",
            "http://user@127.0.0.1:80",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        assert!(backoff(1) <= Duration::from_millis(200));
        assert!(backoff(1) >= Duration::from_millis(100));
        assert!(backoff(30) <= Duration::from_millis(5_000));
    }
}
