//! Request bodies read up to a limit: `Content-Length` is checked first, and the stream is cut
//! off one chunk past the limit, so no body larger than the limit is ever held whole.

use crate::reply::ApiError;
use futures_util::StreamExt;
use worker::Request;

/// Reads at most `limit` bytes of the body, or a 413 naming the limit.
pub async fn read_bounded(req: &mut Request, limit: usize) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(413, format!("the body is over the limit of {limit} bytes"))
            .with_detail(serde_json::json!({ "limit": limit }))
    };
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut stream = match req.stream() {
        Ok(stream) => stream,
        // No body at all.
        Err(_) => return Ok(Vec::new()),
    };
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::new(400, format!("the body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
