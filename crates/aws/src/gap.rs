//! Failed calls become coverage gaps: what the snapshot does not know, and why.

use audit_model::Gap;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Error code and a one-line message for a failed call. Service errors keep the
/// provider's code (AccessDenied, Throttling, ...); transport failures get a kind of their
/// own, so that "could not reach the endpoint" is never mistaken for "denied".
pub fn describe<E>(err: &SdkError<E, HttpResponse>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let message = one_line(&DisplayErrorContext(err).to_string());
    let code = match err {
        SdkError::ServiceError(se) => match se.err().code() {
            Some(code) => code.to_string(),
            None => format!("HTTP{}", se.raw().status().as_u16()),
        },
        SdkError::TimeoutError(_) => "Timeout".to_string(),
        SdkError::DispatchFailure(d) if d.is_timeout() => "Timeout".to_string(),
        SdkError::DispatchFailure(d) if d.is_io() => "EndpointUnreachable".to_string(),
        SdkError::DispatchFailure(d) if d.is_user() => "ConfigurationError".to_string(),
        SdkError::DispatchFailure(_) => "DispatchFailure".to_string(),
        SdkError::ResponseError(_) => "ResponseError".to_string(),
        SdkError::ConstructionFailure(_) => "ConstructionFailure".to_string(),
        _ => err.code().unwrap_or("Unknown").to_string(),
    };
    (code, message)
}

/// Whether the error is the service's "this thing is not configured" answer.
pub fn is_code<E, R>(err: &SdkError<E, R>, codes: &[&str]) -> bool
where
    E: ProvideErrorMetadata,
{
    matches!(err, SdkError::ServiceError(se) if se.err().code().is_some_and(|c| codes.contains(&c)))
}

/// Transport failures: the request never got an answer from the service.
pub fn is_transport<E, R>(err: &SdkError<E, R>) -> bool {
    matches!(
        err,
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
    )
}

pub fn gap<E>(service: &str, region: &str, operation: &str, err: &SdkError<E, HttpResponse>) -> Gap
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (error_code, message) = describe(err);
    Gap {
        service: service.to_string(),
        region: region.to_string(),
        operation: operation.to_string(),
        error_code: error_code.into(),
        message,
    }
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
