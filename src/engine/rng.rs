//! Seeded, portable random-number streams, one per subsystem.
//!
//! Each stream is a ChaCha8 generator seeded from the run seed with its own stream number
//! (`ChaCha8Rng::set_stream`), so drawing more numbers in one subsystem never shifts another's
//! sequence. ChaCha8 output is specified by its algorithm and stable across platforms and crate
//! versions, unlike `StdRng`/`SmallRng`.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

/// The subsystems that draw random numbers. The discriminant is the ChaCha stream number and
/// must never be reused for another purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stream {
    /// Demand noise.
    Demand = 1,
    /// Node launch latency.
    NodeLaunch = 2,
    /// Pod startup latency.
    PodStartup = 3,
    /// kube-scheduler tie-breaking among equally scored nodes.
    Scheduler = 4,
    /// Controller phase offsets (HPA sync and metrics scrape start times).
    Offsets = 5,
    /// Pod shutdown latency.
    PodShutdown = 8,
    /// Spot pool choice (price-capacity-optimized).
    SpotAllocation = 9,
    /// Node names.
    Names = 10,
    /// Pod UIDs.
    PodUids = 11,
    /// CronJob pod run times.
    Jobs = 12,
    /// EC2 capacity draws: shortages and instances that never register.
    Capacity = 13,
    /// Spot interruption times.
    Interruptions = 14,
}

/// Factory for the per-subsystem generators of one run.
#[derive(Debug, Clone, Copy)]
pub struct RngStreams {
    seed: u64,
}

impl RngStreams {
    /// Streams derived from the run seed.
    pub fn new(seed: u64) -> Self {
        RngStreams { seed }
    }

    /// The generator for one subsystem.
    pub fn stream(&self, s: Stream) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(s as u64);
        rng
    }

    /// The generator for one member of a subsystem (for example one workload's demand noise),
    /// independent of every other member.
    pub fn indexed(&self, s: Stream, index: u32) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(((s as u64) << 32) | (index as u64 + 1));
        rng
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_independent_and_reproducible() {
        let s = RngStreams::new(42);
        let a1: u64 = s.stream(Stream::Demand).random();
        let a2: u64 = s.stream(Stream::Demand).random();
        let b: u64 = s.stream(Stream::NodeLaunch).random();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        let other: u64 = RngStreams::new(43).stream(Stream::Demand).random();
        assert_ne!(a1, other);
    }

    #[test]
    fn chacha8_is_pinned() {
        // Pin the first draw so a dependency update that changed the generator fails loudly.
        let v: u64 = RngStreams::new(1).stream(Stream::Demand).random();
        assert_eq!(v, PINNED_FIRST_DRAW);
    }

    const PINNED_FIRST_DRAW: u64 = 15_715_005_604_373_573_095;
}
