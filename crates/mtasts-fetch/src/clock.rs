//! The core's [`Clock`] over `Date.now()`.

use mtasts::check::Clock;

/// Milliseconds since the epoch from `Date.now()`, for step timings (only differences count; in
/// workerd the clock advances only across I/O, which is what the timings measure).
#[derive(Debug, Clone, Copy, Default)]
pub struct DateClock;

impl Clock for DateClock {
    fn now_ms(&self) -> u64 {
        let now = js_sys::Date::now();
        if now.is_finite() && now >= 0.0 {
            now as u64
        } else {
            0
        }
    }
}
