//! Resource vectors: CPU in millicores, memory in bytes, and a pod count.

use std::ops::{Add, AddAssign, Sub, SubAssign};

/// Bytes in one MiB.
pub const MIB: i64 = 1024 * 1024;
/// Bytes in one GiB.
pub const GIB: i64 = 1024 * MIB;

/// A vector of the resources the scheduler and Karpenter account for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Resources {
    /// CPU in millicores.
    pub cpu_m: i64,
    /// Memory in bytes.
    pub mem_b: i64,
    /// Number of pods.
    pub pods: i64,
}

impl Resources {
    /// The zero vector.
    pub const ZERO: Resources = Resources {
        cpu_m: 0,
        mem_b: 0,
        pods: 0,
    };

    /// A vector from its parts.
    pub const fn new(cpu_m: i64, mem_b: i64, pods: i64) -> Self {
        Resources { cpu_m, mem_b, pods }
    }

    /// True when every component of `self` is at most the same component of `other`.
    pub fn fits_in(&self, other: &Resources) -> bool {
        self.cpu_m <= other.cpu_m && self.mem_b <= other.mem_b && self.pods <= other.pods
    }

    /// Component-wise maximum.
    pub fn max(&self, o: &Resources) -> Resources {
        Resources::new(
            self.cpu_m.max(o.cpu_m),
            self.mem_b.max(o.mem_b),
            self.pods.max(o.pods),
        )
    }

    /// Component-wise subtraction clamped at zero.
    pub fn saturating_sub(&self, o: &Resources) -> Resources {
        Resources::new(
            (self.cpu_m - o.cpu_m).max(0),
            (self.mem_b - o.mem_b).max(0),
            (self.pods - o.pods).max(0),
        )
    }

    /// How many copies of `unit` fit into `self` (unbounded components of `unit` that are
    /// zero do not limit the count).
    pub fn count_fits(&self, unit: &Resources) -> i64 {
        let mut n = i64::MAX;
        for (have, need) in [
            (self.cpu_m, unit.cpu_m),
            (self.mem_b, unit.mem_b),
            (self.pods, unit.pods),
        ] {
            if need > 0 {
                n = n.min(have.max(0) / need);
            } else if have < 0 {
                return 0;
            }
        }
        n
    }

    /// `self` scaled by an integer factor.
    pub fn times(&self, k: i64) -> Resources {
        Resources::new(self.cpu_m * k, self.mem_b * k, self.pods * k)
    }
}

impl Add for Resources {
    type Output = Resources;
    fn add(self, o: Resources) -> Resources {
        Resources::new(
            self.cpu_m + o.cpu_m,
            self.mem_b + o.mem_b,
            self.pods + o.pods,
        )
    }
}
impl AddAssign for Resources {
    fn add_assign(&mut self, o: Resources) {
        *self = *self + o;
    }
}
impl Sub for Resources {
    type Output = Resources;
    fn sub(self, o: Resources) -> Resources {
        Resources::new(
            self.cpu_m - o.cpu_m,
            self.mem_b - o.mem_b,
            self.pods - o.pods,
        )
    }
}
impl SubAssign for Resources {
    fn sub_assign(&mut self, o: Resources) {
        *self = *self - o;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_and_counts() {
        let node = Resources::new(3920, 14103 * MIB, 58);
        let pod = Resources::new(500, 512 * MIB, 1);
        assert!(pod.fits_in(&node));
        assert_eq!(node.count_fits(&pod), 7);
        assert_eq!(node.count_fits(&Resources::new(0, 0, 1)), 58);
        assert_eq!((node - pod.times(7)).cpu_m, 420);
        assert_eq!(
            Resources::new(1, 1, 1)
                .saturating_sub(&Resources::new(2, 0, 0))
                .cpu_m,
            0
        );
    }
}
