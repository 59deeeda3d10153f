//! Integration tests, built as one test binary (one link step on a 2-core machine).

mod cli;
mod corpus;
mod determinism;
mod disruption;
mod errors;
mod export;
mod hpa_properties;
mod hpa_upstream;
mod invariants;
mod karpenter_upstream;
mod provisioning;
mod scenarios;
mod upstream;
mod workloads;

use std::path::PathBuf;

/// Path of a file in the repository.
pub fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The `ksim` binary built for these tests.
pub fn ksim() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_ksim"))
}
