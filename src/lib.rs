//! # ksim — a deterministic simulator of Kubernetes cluster autoscaling on Amazon EKS
//!
//! ksim replays a day (or a week) of a cluster in virtual time: workload demand drives the
//! Horizontal Pod Autoscaler, the ReplicaSet controller creates and deletes pods,
//! kube-scheduler places them, Karpenter batches the pods that do not fit, packs them onto new
//! NodeClaims, launches spot or on-demand instances, and later consolidates nodes that have
//! become empty or underutilized. The run reports what it cost and how long pods waited.
//!
//! ## Data flow
//!
//! ```text
//! manifests + Scenario ─► scenario::load ─► Scenario (validated model)
//!                                             │
//!                                             ▼
//!                         sim::run (engine event loop, controllers)
//!                                             │
//!                                             ▼
//!                    report::summarize ─► table / summary.json / CSV files
//! ```
//!
//! ## Order of events
//!
//! Virtual time is an integer number of milliseconds. Events are ordered by
//! `(time, phase, sequence)`; at one instant node and pod lifecycle events run first, then the
//! metrics scrape, then the controllers (HPA every 15 s, Karpenter batching and the disruption
//! loop every 10 s), then kube-scheduler, then the per-minute sample.
//!
//! ## Determinism
//!
//! The same inputs and seed give byte-identical outputs. Every random draw comes from a seeded
//! ChaCha8 stream owned by one subsystem ([`engine::Stream`]); no decision depends on hash-map
//! iteration order; floating-point operations run in a fixed order; transcendental functions
//! come from `libm`, which is the same on every platform.
//!
//! ## Units
//!
//! CPU in millicores (`cpu_m`), memory in bytes (`mem_b`), time in milliseconds (`Millis`),
//! prices in US dollars per hour.
//!
//! ## Example
//!
//! ```
//! let scenario = ksim::scenario::load_reference(&ksim::scenario::Overrides {
//!     duration_ms: Some(2 * 3_600_000),
//!     ..Default::default()
//! })
//! .unwrap();
//! let result = ksim::sim::run(&scenario, ksim::sim::RunLimits::default()).unwrap();
//! let summary = ksim::report::summarize(&scenario, &result);
//! assert!(summary.cost.total_usd > 0.0);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod cloud;
pub mod cluster;
pub mod compare;
pub mod csv_input;
pub mod engine;
pub mod error;
pub mod export;
pub mod hpa;
pub mod k8s;
pub mod karpenter;
pub mod keda;
pub mod latency;
pub mod queue;
pub mod report;
pub mod resources;
pub mod results;
pub mod runs;
pub mod savings;
pub mod scenario;
pub mod scheduler;
pub mod sim;
pub mod workload;
