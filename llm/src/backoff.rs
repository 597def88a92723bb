//! How long to wait before the next attempt.

use std::time::Duration;

/// Retries of one call: how many, and how long to wait between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first (0: never retry).
    pub max_retries: u32,
    /// Wait before the first retry; each next one doubles it.
    pub base_delay: Duration,
    /// Longest wait, for the doubling and for a server's `Retry-After` alike.
    pub max_delay: Duration,
}

/// Default attempts after the first.
const DEFAULT_RETRIES: u32 = 3;
/// Default wait before the first retry.
const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(500);
/// Default longest wait.
const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(60);
/// Doublings past which the wait stops growing (2^16 times the base is past any cap).
const MAX_DOUBLINGS: u32 = 16;

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_RETRIES,
            base_delay: DEFAULT_BASE_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0 for the first): the server's `Retry-After` when
    /// it gave one, else the base doubled `retry` times; at most [`RetryPolicy::max_delay`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use xspense_llm::RetryPolicy;
    /// let p = RetryPolicy { max_retries: 3, base_delay: Duration::from_millis(100), max_delay: Duration::from_secs(1) };
    /// assert_eq!(p.delay(2, None), Duration::from_millis(400));
    /// assert_eq!(p.delay(0, Some(Duration::from_secs(5))), Duration::from_secs(1));
    /// ```
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let doubled = || {
            self.base_delay
                .saturating_mul(1u32 << retry.min(MAX_DOUBLINGS))
        };
        retry_after.unwrap_or_else(doubled).min(self.max_delay)
    }
}

/// A `Retry-After` header in its seconds form (`Retry-After: 2`); the HTTP-date form and
/// anything else give `None` (the doubling wait applies).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap() {
        let p = RetryPolicy {
            max_retries: 10,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        };
        let waits: Vec<u128> = (0..5).map(|r| p.delay(r, None).as_millis()).collect();
        assert_eq!(waits, [10, 20, 40, 50, 50]);
        assert_eq!(p.delay(u32::MAX, None), Duration::from_millis(50));
    }

    #[test]
    fn reads_retry_after_seconds() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after(""), None);
    }
}
