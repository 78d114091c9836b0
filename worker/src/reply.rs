//! Answers: JSON errors with a reason, JSON bodies, and the fall-through to static assets.

use serde::Serialize;
use worker::{Env, Headers, Method, Request, Response, Result, RouteContext, Url};

/// An error answer: an HTTP status and a reason, sent as `{"error": reason, ...}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status (4xx or 5xx).
    pub status: u16,
    /// What was wrong, in lower case, naming the value.
    pub reason: String,
    /// Anything more (findings, limits), sent under `detail`.
    pub detail: Option<serde_json::Value>,
    /// Seconds until a limit resets, sent as `Retry-After` (RFC 9110 §10.2.3) and as
    /// `retry_after` in the JSON.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with a status and a reason.
    pub fn new(status: u16, reason: impl Into<String>) -> Self {
        ApiError {
            status,
            reason: reason.into(),
            detail: None,
            retry_after: None,
        }
    }

    /// The same error with a `Retry-After` of `seconds`.
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The same error with more detail under `detail`.
    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(detail);
        self
    }

    /// The JSON answer.
    pub fn response(&self) -> Result<Response> {
        let mut body = serde_json::json!({ "error": self.reason, "status": self.status });
        if let (Some(object), Some(detail)) = (body.as_object_mut(), &self.detail) {
            object.insert("detail".to_string(), detail.clone());
        }
        if let (Some(object), Some(seconds)) = (body.as_object_mut(), self.retry_after) {
            object.insert("retry_after".to_string(), seconds.into());
        }
        let mut response = json(self.status, &body)?;
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .set("retry-after", &seconds.to_string())?;
        }
        Ok(response)
    }
}

impl From<worker::Error> for ApiError {
    fn from(error: worker::Error) -> Self {
        worker::console_error!("internal error: {error}");
        ApiError::new(500, "internal error")
    }
}

/// A JSON answer with a status, never cached.
pub fn json<T: Serialize>(status: u16, value: &T) -> Result<Response> {
    let mut response = Response::from_json(value)?.with_status(status);
    response.headers_mut().set("cache-control", "no-store")?;
    Ok(response)
}

/// Turns a handler's `Result<Response, ApiError>` into the Worker's answer.
pub fn finish(answer: std::result::Result<Response, ApiError>) -> Result<Response> {
    match answer {
        Ok(response) => Ok(response),
        Err(error) => error.response(),
    }
}

/// `/api/...` paths that are no route: a JSON 404, never the web page.
pub fn api_not_found(_req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    ApiError::new(404, "no such API route").response()
}

/// Every other path: the web page's static assets, with the single-page fallback configured in
/// `wrangler.toml` (`not_found_handling = "single-page-application"`), and the page's security
/// headers ([`page_headers`]).
pub async fn static_asset(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    if !matches!(req.method(), Method::Get | Method::Head) {
        return ApiError::new(405, "only GET and HEAD are served here").response();
    }
    let asset = match ctx.env.assets("ASSETS") {
        Ok(assets) => assets.fetch_request(req).await?,
        Err(_) => return ApiError::new(404, "no static assets are configured").response(),
    };
    // The binding's headers are immutable (a fetched response's): copy them, then add ours.
    let headers = Headers::new();
    for (name, value) in asset.headers().entries() {
        headers.append(&name, &value)?;
    }
    for (name, value) in page_headers(&ctx.env) {
        headers.set(name, &value)?;
    }
    Ok(asset.with_headers(headers))
}

/// The page's security headers: a Content-Security-Policy that lets it load only its own files
/// (and instantiate its wasm), connect only to this Worker, the configured DoH resolver
/// (`DOH_URL`, which the page uses from the browser) and HTTPS origins (another resolver a user
/// types in; plain HTTP only to `DOH_URL`), and be framed by nobody; no MIME sniffing;
/// no referrer sent with the page's requests.
fn page_headers(env: &Env) -> [(&'static str, String); 3] {
    let doh_origin = Url::parse(&crate::config::doh_url(env))
        .ok()
        .map(|url| url.origin())
        .filter(|origin| origin.is_tuple())
        .map(|origin| format!(" {}", origin.ascii_serialization()))
        .unwrap_or_default();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'{doh_origin} https:; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    [
        ("content-security-policy", csp),
        ("x-content-type-options", "nosniff".to_string()),
        ("referrer-policy", "no-referrer".to_string()),
    ]
}
