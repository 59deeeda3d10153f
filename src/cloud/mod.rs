//! AWS facts: the EC2 instance catalog with Karpenter's allocatable math, and prices.

pub mod capacity;
pub mod catalog;
pub mod pricing;
pub mod spot_advisor;
