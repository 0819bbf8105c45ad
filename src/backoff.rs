//! The one backoff policy, for every wait before trying again — a request
//! retry, a token renewal, a broken download's resume: exponential from
//! `starting_backoff`, doubling up to `max_backoff`, with up to 25% jitter
//! so that many clients failing together do not retry in step, and never
//! shorter than a server's Retry-After (which the caller bounds with
//! `max_retry_after`, not with `max_backoff`: a server that asks for 150 s
//! and is retried after 64 s just answers 503 again).

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    step: Duration,
    cap: Duration,
}

impl Backoff {
    /// Starts at `start`; waits never exceed `cap` (or `start`, when the
    /// cap is the smaller).
    pub fn new(start: Duration, cap: Duration) -> Backoff {
        Backoff {
            step: start,
            cap: cap.max(start),
        }
    }

    /// The wait before the next attempt: our own backoff up to the cap, or
    /// `retry_after` (the server's request, already checked against
    /// `max_retry_after` by the caller) when that is longer. Each call
    /// doubles the step.
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Duration {
        let jittered = self
            .step
            .mul_f64(1.0 + fastrand::f64() * 0.25)
            .min(self.cap);
        self.step = (self.step * 2).min(self.cap);
        retry_after.map_or(jittered, |w| jittered.max(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_with_jitter_up_to_the_cap() {
        let ms = Duration::from_millis;
        let mut b = Backoff::new(ms(100), ms(1000));
        for expected in [100, 200, 400, 800, 1000, 1000] {
            let d = b.next_delay(None);
            assert!(
                d >= ms(expected.min(1000)) && d <= ms(1000).min(ms(expected * 5 / 4)),
                "{d:?} for {expected}"
            );
        }
        // A server's Retry-After beyond the cap is honoured whole.
        let mut b = Backoff::new(ms(100), ms(1000));
        assert_eq!(b.next_delay(Some(ms(5000))), ms(5000));
        let mut b = Backoff::new(ms(100), ms(1000));
        assert!(b.next_delay(Some(ms(600))) >= ms(600));
        // A cap below the start: the start.
        let mut b = Backoff::new(ms(300), ms(10));
        assert!(b.next_delay(None) == ms(300));
    }
}
