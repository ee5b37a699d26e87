//! How long a live worker waits before it tries a failed connection again.
//!
//! Exponential: a short network blip is bridged within a second or two,
//! while a server that stays down is asked at most once per `max`, so a
//! laptop left offline does not keep waking up and a struggling server is
//! not hammered by every client at once.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    /// Failures since the last success.
    failures: u32,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max: max.max(base),
            failures: 0,
        }
    }

    /// The wait before the next attempt, after one more failure:
    /// `base`, `2 × base`, `4 × base`, ... up to `max`.
    pub fn next_delay(&mut self) -> Duration {
        // 2^20 × even a millisecond is beyond any sensible `max`.
        let exponent = self.failures.min(20);
        self.failures = self.failures.saturating_add(1);
        self.base
            .checked_mul(1 << exponent)
            .map_or(self.max, |d| d.min(self.max))
    }

    /// A connection worked (the server accepted the login): the next
    /// failure starts from `base` again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_restarts_after_success() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(5));
        let delays: Vec<u64> = (0..5).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 5, 5]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_secs(1));
    }

    #[test]
    fn never_overflows() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));
        for _ in 0..100 {
            assert!(b.next_delay() <= Duration::from_secs(300));
        }
        // Doubling past Duration::MAX gives the cap instead of a panic.
        let mut huge = Backoff::new(Duration::from_secs(u64::MAX / 3), Duration::MAX);
        huge.next_delay();
        huge.next_delay();
        assert_eq!(huge.next_delay(), Duration::MAX);
    }
}
