//! The discrete-event engine: integer virtual time, a totally ordered event queue with lazy
//! cancellation, self-re-arming timers, and seeded RNG streams.
//!
//! The engine knows nothing about Kubernetes or the CLI. It orders events by
//! `(time, phase, sequence)`: events at the same millisecond run in phase order, and events of
//! the same phase in the order they were scheduled. Cancelled events stay in the heap and are
//! dropped when they reach its head (the approach of nexosim's priority queue).

mod rng;

pub use rng::{RngStreams, Stream};

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

/// Virtual time in milliseconds since the start of the simulation.
pub type Millis = u64;

/// One second of virtual time.
pub const SECOND: Millis = 1_000;
/// One minute of virtual time.
pub const MINUTE: Millis = 60 * SECOND;
/// One hour of virtual time.
pub const HOUR: Millis = 60 * MINUTE;

/// A handle to a scheduled event, used to cancel it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(u64);

struct Entry<E> {
    time: Millis,
    phase: u8,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse for earliest-first.
        other.key().cmp(&self.key())
    }
}
impl<E> Entry<E> {
    fn key(&self) -> (Millis, u8, u64) {
        (self.time, self.phase, self.seq)
    }
}

/// Errors the engine reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// An event was scheduled before the current time.
    #[error("event scheduled at {at} ms, before the current time {now} ms")]
    InThePast {
        /// Requested time.
        at: Millis,
        /// Current time.
        now: Millis,
    },
    /// The run exceeded its event budget.
    #[error("the run exceeded its budget of {0} events; raise --max-events if this is expected")]
    EventBudget(u64),
}

/// The event queue and virtual clock.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    cancelled: HashSet<u64>,
    next_seq: u64,
    now: Millis,
    processed: u64,
    max_events: u64,
    stream_hash: u64,
    trace: Option<Vec<TracedEvent>>,
}

/// One processed event as the stream hash sees it (for finding where two runs diverge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TracedEvent {
    /// Virtual time (ms).
    pub time: Millis,
    /// Phase.
    pub phase: u8,
    /// The event's digest.
    pub digest: u64,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl<E> EventQueue<E> {
    /// A new queue at time 0 that refuses to process more than `max_events` events.
    pub fn new(max_events: u64) -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            cancelled: HashSet::new(),
            next_seq: 0,
            now: 0,
            processed: 0,
            max_events,
            stream_hash: FNV_OFFSET,
            trace: None,
        }
    }

    /// Records every processed event from now on (see [`EventQueue::take_trace`]).
    pub fn record(&mut self) {
        self.trace.get_or_insert_with(Vec::new);
    }

    /// The recorded events, if recording was on.
    pub fn take_trace(&mut self) -> Vec<TracedEvent> {
        self.trace.take().unwrap_or_default()
    }

    /// The current virtual time.
    pub fn now(&self) -> Millis {
        self.now
    }

    /// Number of events processed so far (cancelled events are not counted).
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Number of live or cancelled entries still in the heap.
    pub fn pending(&self) -> usize {
        self.heap.len()
    }

    /// An FNV-1a hash of every processed event's `(time, phase, digest)`; two runs with the
    /// same inputs must produce the same value.
    pub fn stream_hash(&self) -> u64 {
        self.stream_hash
    }

    /// Schedules `event` at `at` (which must not be in the past) in `phase`.
    pub fn schedule(&mut self, at: Millis, phase: u8, event: E) -> EventId {
        debug_assert!(at >= self.now, "event at {at} before now {}", self.now);
        let at = at.max(self.now);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry {
            time: at,
            phase,
            seq,
            event,
        });
        EventId(seq)
    }

    /// Cancels a scheduled event. Cancelling an event that already ran is a no-op.
    pub fn cancel(&mut self, id: EventId) {
        if id.0 < self.next_seq {
            self.cancelled.insert(id.0);
        }
    }

    /// The time of the next live event, if any.
    pub fn peek_time(&mut self) -> Option<Millis> {
        self.drop_cancelled_head();
        self.heap.peek().map(|e| e.time)
    }

    fn drop_cancelled_head(&mut self) {
        while let Some(top) = self.heap.peek() {
            if self.cancelled.remove(&top.seq) {
                self.heap.pop();
            } else {
                break;
            }
        }
    }

    /// Pops the next live event at or before `until`, advancing the clock to its time.
    /// `digest` summarises the event for the stream hash.
    pub fn pop_until(
        &mut self,
        until: Millis,
        digest: impl Fn(&E) -> u64,
    ) -> Result<Option<(Millis, E)>, EngineError> {
        self.drop_cancelled_head();
        match self.heap.peek() {
            Some(top) if top.time <= until => {}
            _ => return Ok(None),
        }
        let entry = self.heap.pop().expect("peeked");
        if self.processed >= self.max_events {
            return Err(EngineError::EventBudget(self.max_events));
        }
        self.processed += 1;
        self.now = entry.time;
        let d = digest(&entry.event);
        if let Some(t) = self.trace.as_mut() {
            t.push(TracedEvent {
                time: entry.time,
                phase: entry.phase,
                digest: d,
            });
        }
        for word in [entry.time, entry.phase as u64, d] {
            for byte in word.to_le_bytes() {
                self.stream_hash ^= byte as u64;
                self.stream_hash = self.stream_hash.wrapping_mul(FNV_PRIME);
            }
        }
        Ok(Some((entry.time, entry.event)))
    }

    /// Advances the clock to `t` without processing anything (used at the end of a run).
    pub fn advance_to(&mut self, t: Millis) {
        if t > self.now {
            self.now = t;
        }
    }
}

/// A de-duplicating one-shot timer: at most one pending event, and re-arming for an earlier
/// time replaces a later one. Periodic controllers re-arm it from their own handler.
#[derive(Debug, Default, Clone)]
pub struct Timer {
    pending: Option<(Millis, EventId)>,
}

impl Timer {
    /// Arms the timer for `at` unless it is already armed for that time or earlier.
    /// Returns true when a new event was scheduled.
    pub fn arm<E>(&mut self, q: &mut EventQueue<E>, at: Millis, phase: u8, event: E) -> bool {
        if let Some((t, id)) = self.pending {
            if t <= at {
                return false;
            }
            q.cancel(id);
        }
        let id = q.schedule(at, phase, event);
        self.pending = Some((at, id));
        true
    }

    /// Arms the timer for exactly `at`, replacing any pending event.
    pub fn rearm<E>(&mut self, q: &mut EventQueue<E>, at: Millis, phase: u8, event: E) {
        self.disarm(q);
        let id = q.schedule(at, phase, event);
        self.pending = Some((at, id));
    }

    /// Cancels the pending event, if any.
    pub fn disarm<E>(&mut self, q: &mut EventQueue<E>) {
        if let Some((_, id)) = self.pending.take() {
            q.cancel(id);
        }
    }

    /// Marks the timer as fired; call this from the event handler.
    pub fn fired(&mut self) {
        self.pending = None;
    }

    /// The time the timer is armed for.
    pub fn armed_at(&self) -> Option<Millis> {
        self.pending.map(|(t, _)| t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(q: &mut EventQueue<&'static str>) -> Vec<(Millis, &'static str)> {
        let mut out = vec![];
        while let Some(e) = q.pop_until(Millis::MAX, |_| 0).unwrap() {
            out.push(e);
        }
        out
    }

    #[test]
    fn total_order_time_phase_sequence() {
        let mut q = EventQueue::new(100);
        q.schedule(10, 2, "t10-p2-a");
        q.schedule(10, 1, "t10-p1");
        q.schedule(5, 9, "t5");
        q.schedule(10, 2, "t10-p2-b");
        assert_eq!(
            drain(&mut q),
            vec![
                (5, "t5"),
                (10, "t10-p1"),
                (10, "t10-p2-a"),
                (10, "t10-p2-b")
            ]
        );
        assert_eq!(q.processed(), 4);
        assert_eq!(q.now(), 10);
    }

    #[test]
    fn lazy_cancellation() {
        let mut q = EventQueue::new(100);
        let a = q.schedule(1, 0, "a");
        q.schedule(2, 0, "b");
        q.cancel(a);
        assert_eq!(q.peek_time(), Some(2));
        assert_eq!(drain(&mut q), vec![(2, "b")]);
        assert_eq!(q.processed(), 1);
    }

    #[test]
    fn timer_dedups_and_keeps_earliest() {
        let mut q = EventQueue::new(100);
        let mut t = Timer::default();
        assert!(t.arm(&mut q, 10, 0, "x"));
        assert!(!t.arm(&mut q, 20, 0, "later"));
        assert!(t.arm(&mut q, 5, 0, "earlier"));
        assert_eq!(drain(&mut q), vec![(5, "earlier")]);
    }

    #[test]
    fn periodic_rearm() {
        let mut q = EventQueue::new(100);
        let mut t = Timer::default();
        t.arm(&mut q, 0, 0, "tick");
        let mut ticks = vec![];
        while let Some((now, _)) = q.pop_until(60, |_| 0).unwrap() {
            t.fired();
            ticks.push(now);
            t.arm(&mut q, now + 15, 0, "tick");
        }
        assert_eq!(ticks, vec![0, 15, 30, 45, 60]);
    }

    #[test]
    fn event_budget() {
        let mut q = EventQueue::new(1);
        q.schedule(1, 0, "a");
        q.schedule(2, 0, "b");
        assert!(q.pop_until(10, |_| 0).unwrap().is_some());
        assert_eq!(q.pop_until(10, |_| 0), Err(EngineError::EventBudget(1)));
    }

    #[test]
    fn stream_hash_depends_on_order() {
        let mut a = EventQueue::new(10);
        a.schedule(1, 0, 1u64);
        a.schedule(2, 0, 2u64);
        let mut b = EventQueue::new(10);
        b.schedule(1, 0, 2u64);
        b.schedule(2, 0, 1u64);
        while a.pop_until(10, |e| *e).unwrap().is_some() {}
        while b.pop_until(10, |e| *e).unwrap().is_some() {}
        assert_ne!(a.stream_hash(), b.stream_hash());
    }
}
