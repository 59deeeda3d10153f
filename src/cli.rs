//! Command-line definitions and dispatch.

use clap::{Parser, Subcommand, ValueEnum};
use ksim::error::{Error, InputError, Result};
use ksim::scenario::{self, Overrides, Source};
use std::path::PathBuf;

/// Deterministic simulator of Kubernetes cluster autoscaling on Amazon EKS.
#[derive(Debug, Parser)]
#[command(name = "ksim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and report cost and pod latency.
    ///
    /// With no INPUT, the embedded reference scenario (scenarios/reference.yaml) is used.
    Run(RunArgs),
    /// Check scenarios without running them.
    Validate {
        /// Files, directories, or `-` for standard input.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Refuse input larger than this many MiB.
        #[arg(long, default_value_t = 32)]
        max_input_mb: u64,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// A readable table.
    Table,
    /// `summary.json` on stdout.
    Json,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Manifest files, directories, or `-` for standard input (e.g. `helm template … | ksim run - scenario.yaml`).
    inputs: Vec<String>,
    /// Override the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Override the simulated duration (Go duration, e.g. `24h`, `168h`).
    #[arg(long)]
    duration: Option<String>,
    /// Write summary.json, timeseries.csv, pods.csv, nodes.csv and workloads.csv here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// A price CSV (instance_type,zone,capacity_type,usd_per_hour) replacing the shipped prices.
    #[arg(long)]
    prices: Option<PathBuf>,
    /// Refuse runs that would process more events than this.
    #[arg(long, default_value_t = 200_000_000)]
    max_events: u64,
    /// Refuse runs that would create more pods than this.
    #[arg(long, default_value_t = 20_000_000)]
    max_pods: u64,
    /// Refuse input larger than this many MiB.
    #[arg(long, default_value_t = 32)]
    max_input_mb: u64,
}

fn overrides(args: &RunArgs) -> Result<Overrides> {
    let duration_ms = args
        .duration
        .as_deref()
        .map(|d| {
            ksim::k8s::duration::parse_nonnegative_ms(d).map_err(|e| {
                Error::from(InputError {
                    field: Some("--duration".into()),
                    ..InputError::file("<command line>", e.to_string())
                })
            })
        })
        .transpose()?;
    Ok(Overrides {
        seed: args.seed,
        duration_ms,
        prices_file: args.prices.clone(),
    })
}

fn load(inputs: &[String], ov: &Overrides, max_mb: u64) -> Result<ksim::scenario::Scenario> {
    let sources = if inputs.is_empty() {
        vec![Source::reference()]
    } else {
        scenario::read_sources(inputs, max_mb.saturating_mul(1024 * 1024))?
    };
    Ok(scenario::load(&sources, ov)?)
}

fn run(args: RunArgs) -> Result<i32> {
    let ov = overrides(&args)?;
    let s = load(&args.inputs, &ov, args.max_input_mb)?;
    let limits = ksim::sim::RunLimits {
        max_events: args.max_events,
        max_pods: args.max_pods,
        ..Default::default()
    };
    let result = ksim::sim::run(&s, limits).map_err(|e| Error::Budget(e.to_string()))?;
    let summary = ksim::report::summarize(&s, &result);
    if let Some(dir) = &args.out {
        ksim::report::write_outputs(dir, &s, &result, &summary)?;
    }
    match args.format {
        Format::Table => print!("{}", ksim::report::render_table(&summary)),
        Format::Json => {
            let json = serde_json::to_string_pretty(&summary)
                .map_err(|e| Error::Internal(e.to_string()))?;
            println!("{json}");
        }
    }
    Ok(0)
}

/// Parses the command line and runs it.
pub fn main() -> Result<i32> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(args),
        Command::Validate {
            inputs,
            max_input_mb,
        } => {
            let s = load(&inputs, &Overrides::default(), max_input_mb)?;
            println!(
                "ok: {} ({} workloads, {} NodePools, {} node groups)",
                s.name,
                s.workloads.len(),
                s.node_pools.len(),
                s.node_groups.len()
            );
            for w in &s.warnings {
                eprintln!("warning: {w}");
            }
            Ok(0)
        }
    }
}
