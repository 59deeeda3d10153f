//! What Karpenter consolidation saved: a counterfactual run.
//!
//! A consolidation command's price difference says what it saves per hour from then on, but not
//! over the run: without consolidation the kept nodes would have absorbed later scale-ups, so
//! fewer nodes would have been launched, and summing "hourly saving × hours left" overstates the
//! saving. ksim answers the question the way an experiment would: it runs the same scenario with
//! the same seed a second time with consolidation off — `consolidateAfter: Never` on every
//! NodePool, which in Karpenter v1 disables emptiness and underutilization consolidation alike
//! (KC `pkg/apis/v1/nodepool.go`, `ConsolidateAfter` "Never"; `pkg/controllers/disruption/
//! consolidation.go` `ShouldDisrupt`) — and reports the difference in cost. Everything else
//! (drift, expiry, spot interruptions, the descheduler, Cluster Autoscaler scale-down, demand,
//! latencies) is left as it is, and every random stream is seeded the same, so the difference is
//! consolidation's alone. The counterfactual run is cheaper than the run itself (no disruption
//! evaluations): 0.29 s against 1.0 s for the reference day.

use crate::report::{Summary, summarize};
use crate::scenario::Scenario;
use crate::sim::{RunLimits, SimError, SimResult, run};

/// The scenario with consolidation off on every NodePool, or `None` when no NodePool
/// consolidates (every `consolidateAfter` is already `Never`, or there are no NodePools).
pub fn without_consolidation(s: &Scenario) -> Option<Scenario> {
    if s.node_pools
        .iter()
        .all(|p| p.consolidate_after_ms.is_none())
    {
        return None;
    }
    let mut off = s.clone();
    for p in &mut off.node_pools {
        p.consolidate_after_ms = None;
    }
    Some(off)
}

/// Runs `s` and, when it consolidates, the counterfactual without consolidation; the summary's
/// `disruption.consolidation_saved_usd` and `cost_without_consolidation_usd` are filled from it.
///
/// With `concurrent`, the counterfactual runs on a second thread while `s` runs: the two runs
/// share nothing, so the outputs are the same either way, and the wall time is that of the
/// longer run rather than of both.
pub fn simulate(
    s: &Scenario,
    limits: RunLimits,
    concurrent: bool,
) -> Result<(SimResult, Summary), SimError> {
    let (result, without) = if concurrent {
        std::thread::scope(|scope| {
            let counterfactual = scope.spawn(|| counterfactual_cost(s, limits));
            let result = run(s, limits);
            let without = counterfactual
                .join()
                .expect("the counterfactual run does not panic");
            (result, without)
        })
    } else {
        let result = run(s, limits)?;
        (Ok(result), counterfactual_cost(s, limits))
    };
    let result = result?;
    let mut summary = summarize(s, &result);
    if let Some(without) = without? {
        let round = |v: f64| (v * 1e6).round() / 1e6;
        summary.disruption.cost_without_consolidation_usd = Some(without);
        summary.disruption.consolidation_saved_usd = Some(round(without - summary.cost.total_usd));
    }
    Ok((result, summary))
}

/// The total cost of `s` without consolidation, or `None` when `s` does not consolidate.
fn counterfactual_cost(s: &Scenario, limits: RunLimits) -> Result<Option<f64>, SimError> {
    let Some(off) = without_consolidation(s) else {
        return Ok(None);
    };
    let limits = RunLimits {
        record_events: false,
        ..limits
    };
    let r = run(&off, limits)?;
    Ok(Some(summarize(&off, &r).cost.total_usd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_consolidation_turns_every_pool_off_and_is_none_when_already_off() {
        let s = crate::scenario::load_reference(&Default::default()).unwrap();
        let off = without_consolidation(&s).expect("the reference consolidates");
        assert!(
            off.node_pools
                .iter()
                .all(|p| p.consolidate_after_ms.is_none())
        );
        assert_eq!(off.seed, s.seed);
        assert!(without_consolidation(&off).is_none());
    }
}
