//! Reading an HTTP body up to a limit, without ever holding much more than the limit.

/// A body read up to a limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BoundedBody {
    /// At most the limit's bytes.
    pub(crate) bytes: Vec<u8>,
    /// Whether the body went on past the limit (what follows was not read).
    pub(crate) truncated: bool,
}

/// Reads `response`'s body, keeping at most `limit` bytes; stops reading once past it.
pub(crate) async fn read_bounded(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<BoundedBody, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if append_bounded(&mut bytes, &chunk, limit) {
            return Ok(BoundedBody {
                bytes,
                truncated: true,
            });
        }
    }
    Ok(BoundedBody {
        bytes,
        truncated: false,
    })
}

/// Appends `chunk` to `bytes` up to `limit` bytes in all; true when some of it did not fit.
fn append_bounded(bytes: &mut Vec<u8>, chunk: &[u8], limit: usize) -> bool {
    let room = limit.saturating_sub(bytes.len());
    let (fits, rest) = chunk.split_at(room.min(chunk.len()));
    bytes.extend_from_slice(fits);
    !rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_up_to_the_limit() {
        for (chunks, limit, want, want_truncated) in [
            (vec![], 4, "", false),
            (vec!["ab", "cd"], 4, "abcd", false),
            (vec!["abcd", ""], 4, "abcd", false),
            (vec!["ab", "cde"], 4, "abcd", true),
            (vec!["abcdef"], 4, "abcd", true),
            (vec!["abcd", "e"], 4, "abcd", true),
            (vec!["a"], 0, "", true),
        ] {
            let mut bytes = Vec::new();
            let mut truncated = false;
            for chunk in &chunks {
                if append_bounded(&mut bytes, chunk.as_bytes(), limit) {
                    truncated = true;
                    break;
                }
            }
            assert_eq!(bytes, want.as_bytes(), "{chunks:?}");
            assert_eq!(truncated, want_truncated, "{chunks:?}");
        }
    }
}
