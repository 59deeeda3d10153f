//! Kubernetes value types parsed exactly as upstream parses them: quantities, durations,
//! label requirements and selectors, taints and tolerations, and cron schedules.

pub mod cron;
pub mod duration;
pub mod labels;
pub mod quantity;
