//! Fuzz target: arbitrary bytes as a scenario file. Loading must return a scenario or an
//! `InputError`, never panic or hang; a scenario that loads is also simulated for ten minutes
//! under small event and pod budgets.
#![no_main]

use ksim::scenario::{Overrides, Source, load};
use ksim::sim::{RunLimits, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source {
        name: "fuzz.yaml".into(),
        base_dir: None,
        text: text.to_string(),
    };
    let overrides = Overrides {
        duration_ms: Some(600_000),
        ..Default::default()
    };
    if let Ok(s) = load(&[source], &overrides) {
        let limits = RunLimits {
            max_events: 20_000,
            max_pods: 5_000,
            ..Default::default()
        };
        let _ = run(&s, limits);
    }
});
