//! A per-client token bucket for the edge routes. It lives in the isolate's memory: each isolate
//! (and each Cloudflare location) counts on its own, and a restart forgets. That bounds what one
//! client can make one isolate fetch; a global limit would need a Durable Object or Cloudflare's
//! rate-limiting binding.

use std::cell::RefCell;
use std::collections::HashMap;

/// The most clients remembered; beyond it the oldest-refilled entries are dropped.
const MAX_CLIENTS: usize = 10_000;

/// Token buckets, one per client key.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: HashMap<String, Bucket>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: f64,
}

impl RateLimiter {
    /// Takes one token for `client` at `now_ms`, from a bucket of `per_minute` tokens refilled
    /// continuously. `Err` carries the seconds until a token is back.
    pub fn take(&mut self, client: &str, now_ms: f64, per_minute: u64) -> Result<(), u64> {
        let capacity = per_minute.max(1) as f64;
        let per_ms = capacity / 60_000.0;
        if self.buckets.len() >= MAX_CLIENTS && !self.buckets.contains_key(client) {
            let full_after = now_ms - 60_000.0;
            self.buckets.retain(|_, b| b.at_ms > full_after);
            if self.buckets.len() >= MAX_CLIENTS {
                self.buckets.clear();
            }
        }
        let bucket = self.buckets.entry(client.to_string()).or_insert(Bucket {
            tokens: capacity,
            at_ms: now_ms,
        });
        let elapsed = (now_ms - bucket.at_ms).max(0.0);
        bucket.tokens = (bucket.tokens + elapsed * per_ms).min(capacity);
        bucket.at_ms = now_ms;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_ms / 1000.0).ceil() as u64)
        }
    }
}

thread_local! {
    /// The isolate's limiter (Workers run one request at a time per thread of JS).
    pub static LIMITER: RefCell<RateLimiter> = RefCell::new(RateLimiter::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_refill() {
        let mut limiter = RateLimiter::default();
        for _ in 0..3 {
            assert!(limiter.take("a", 0.0, 3).is_ok());
        }
        assert_eq!(limiter.take("a", 0.0, 3), Err(20));
        assert!(limiter.take("b", 0.0, 3).is_ok());
        assert!(limiter.take("a", 20_000.0, 3).is_ok());
        assert!(limiter.take("a", 20_000.0, 3).is_err());
    }
}
