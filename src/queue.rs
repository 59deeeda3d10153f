//! An SQS queue and its consumers, as a fluid model stepped once per second.
//!
//! Messages arrive at the queue's rate (messages per second, from its daily curve or trace) and
//! wait, first in first out, until a consumer slot takes them. Each Ready consumer pod has
//! `concurrency` slots; a slot finishes `1 / mean processing time` messages per second, so the
//! consumers take at most `slots × Δt / mean` messages per step. Messages being processed are
//! in flight; by Little's law their number is `throughput × mean processing time`, which is
//! what SQS reports as `ApproximateNumberOfMessagesNotVisible`. Waiting messages are
//! `ApproximateNumberOfMessages`.
//!
//! Counts are fractional (expected values); the attributes KEDA reads are rounded down to whole
//! messages as SQS reports integers. Message age is the time from arrival until a consumer takes
//! the message, recorded per step and per arrival cohort, weighted by the number of messages,
//! so its percentiles are exact for the fluid model.
//!
//! When a consumer dies without a graceful shutdown (an OOMKill), its share of the in-flight
//! messages was received but never deleted: they become visible again after the visibility
//! timeout (AWS SQS developer guide, "Amazon SQS visibility timeout"), keeping their arrival
//! time. A pod that is deleted gracefully stops taking messages and finishes the ones it holds.

use crate::engine::Millis;
use std::collections::VecDeque;

/// Step of the fluid model.
pub const STEP_MS: Millis = 1_000;

/// Messages below this are treated as none (cohort bookkeeping only).
const EPSILON: f64 = 1e-9;

/// A queue's state.
#[derive(Debug, Clone, Default)]
pub struct QueueState {
    /// Waiting messages by arrival time (ms), oldest first.
    visible: VecDeque<(Millis, f64)>,
    /// Messages that will become visible again: (visible at, arrival time, count).
    returning: VecDeque<(Millis, Millis, f64)>,
    /// Messages in flight.
    in_flight: f64,
    /// Ages at pick-up (ms) with their message counts.
    ages: Vec<(Millis, f64)>,
    /// Messages arrived so far.
    pub arrived: f64,
    /// Messages processed so far.
    pub processed: f64,
    /// Messages whose consumer died before finishing.
    pub redelivered: f64,
}

impl QueueState {
    /// Visible (waiting) messages, as SQS reports them (`ApproximateNumberOfMessages`).
    pub fn visible(&self) -> i64 {
        let total: f64 = self.visible.iter().map(|c| c.1).sum();
        (total + 1e-6).floor() as i64
    }

    /// Received but not deleted messages, as SQS reports them
    /// (`ApproximateNumberOfMessagesNotVisible`): those being processed and those of dead
    /// consumers waiting for their visibility timeout.
    pub fn in_flight(&self) -> i64 {
        let returning: f64 = self.returning.iter().map(|c| c.2).sum();
        (self.in_flight + returning + 1e-6).floor() as i64
    }

    /// In-flight messages as a fractional count (for CPU usage).
    pub fn in_flight_exact(&self) -> f64 {
        self.in_flight
    }

    /// Advances one step ending at `now`: `arrivals` messages arrive (spread over the step;
    /// they are stamped with its midpoint), returning messages whose timeout passed become
    /// visible, and `slots` consumer slots with mean processing time `mean_ms` take messages
    /// oldest first.
    pub fn step(&mut self, now: Millis, arrivals: f64, slots: f64, mean_ms: f64) {
        let start = now.saturating_sub(STEP_MS);
        while let Some(&(at, arrival, n)) = self.returning.front() {
            if at > now {
                break;
            }
            self.returning.pop_front();
            self.insert_visible(arrival, n);
        }
        if arrivals > EPSILON {
            self.arrived += arrivals;
            self.visible.push_back((start + STEP_MS / 2, arrivals));
        }
        let capacity = (slots.max(0.0) * STEP_MS as f64 / mean_ms).max(0.0);
        let mut take = capacity;
        let mut taken = 0.0;
        while take > EPSILON {
            let Some(front) = self.visible.front_mut() else {
                break;
            };
            let n = front.1.min(take);
            let age = now.saturating_sub(front.0);
            self.ages.push((age, n));
            front.1 -= n;
            take -= n;
            taken += n;
            if front.1 <= EPSILON {
                self.visible.pop_front();
            }
        }
        self.processed += taken;
        // Little's law over the step: throughput × mean processing time.
        self.in_flight = taken / STEP_MS as f64 * mean_ms;
    }

    /// Keeps arrival order when messages come back.
    fn insert_visible(&mut self, arrival: Millis, n: f64) {
        let pos = self.visible.partition_point(|c| c.0 <= arrival);
        self.visible.insert(pos, (arrival, n));
    }

    /// A consumer holding `fraction` of the in-flight messages died at `now`: they reappear
    /// after `visibility_ms`. Their arrival time is taken as `now` minus the mean age so far.
    pub fn lose_in_flight(&mut self, fraction: f64, now: Millis, visibility_ms: Millis) {
        let n = self.in_flight * fraction.clamp(0.0, 1.0);
        if n <= EPSILON {
            return;
        }
        self.in_flight -= n;
        self.processed -= n;
        self.redelivered += n;
        let arrival = now.saturating_sub(self.mean_age_ms() as Millis);
        self.returning.push_back((now + visibility_ms, arrival, n));
    }

    fn mean_age_ms(&self) -> f64 {
        let (sum, w) = self
            .ages
            .iter()
            .fold((0.0, 0.0), |(s, w), &(a, n)| (s + a as f64 * n, w + n));
        if w > 0.0 { sum / w } else { 0.0 }
    }

    /// Age-at-pick-up percentiles (ms) by nearest rank over message counts: p50, p90, p99, max.
    pub fn age_percentiles(&self) -> Option<[Millis; 4]> {
        let mut v = self.ages.clone();
        v.retain(|a| a.1 > EPSILON);
        if v.is_empty() {
            return None;
        }
        v.sort_by_key(|a| a.0);
        let total: f64 = v.iter().map(|a| a.1).sum();
        let at = |q: f64| {
            let target = q * total;
            let mut acc = 0.0;
            for &(age, n) in &v {
                acc += n;
                if acc + 1e-9 >= target {
                    return age;
                }
            }
            v.last().map(|a| a.0).unwrap_or(0)
        };
        Some([
            at(0.5),
            at(0.9),
            at(0.99),
            v.last().map(|a| a.0).unwrap_or(0),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_state_follows_littles_law() {
        let mut q = QueueState::default();
        // 10 msg/s, 4 slots of 200 ms each = 20 msg/s capacity: no backlog, 2 in flight.
        for s in 1..=100 {
            q.step(s * STEP_MS, 10.0, 4.0, 200.0);
        }
        assert_eq!(q.visible(), 0);
        assert!((q.in_flight_exact() - 2.0).abs() < 1e-9);
        assert!((q.processed - 1000.0).abs() < 1e-6);
        // Every message is taken in the step it arrives: age half a step.
        assert_eq!(q.age_percentiles().unwrap(), [500, 500, 500, 500]);
    }

    #[test]
    fn backlog_grows_when_capacity_is_short_and_ages_rise() {
        let mut q = QueueState::default();
        // 10 msg/s against 5 msg/s capacity for 60 s.
        for s in 1..=60 {
            q.step(s * STEP_MS, 10.0, 5.0, 1_000.0);
        }
        assert_eq!(q.visible(), 300);
        assert!((q.in_flight_exact() - 5.0).abs() < 1e-9);
        let [p50, _, _, max] = q.age_percentiles().unwrap();
        assert!(p50 > 10_000 && max >= 29_000, "{p50} {max}");
    }

    #[test]
    fn lost_messages_return_after_the_visibility_timeout() {
        let mut q = QueueState::default();
        q.step(STEP_MS, 10.0, 10.0, 1_000.0);
        assert!((q.in_flight_exact() - 10.0).abs() < 1e-9);
        q.lose_in_flight(0.5, STEP_MS, 30_000);
        assert!((q.redelivered - 5.0).abs() < 1e-9);
        assert_eq!(q.visible(), 0, "returning messages are not visible yet");
        assert_eq!(q.in_flight(), 10);
        // No consumers: they come back at 31 s and wait.
        for s in 2..=40 {
            q.step(s * STEP_MS, 0.0, 0.0, 1_000.0);
        }
        assert_eq!(q.visible(), 5);
        q.step(41 * STEP_MS, 0.0, 10.0, 1_000.0);
        assert_eq!(q.visible(), 0);
        assert!((q.processed - 10.0).abs() < 1e-9);
    }
}
