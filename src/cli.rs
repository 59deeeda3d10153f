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
    /// Run the scenarios a baseline lists and compare their results with it (the CI gate).
    ///
    /// Exits 0 when every metric is within tolerance, 1 on a regression, 2 on bad input. Prints a
    /// Markdown report (for a pull-request comment). `--update` rewrites the baseline instead;
    /// with INPUTS it starts a new one listing each INPUT as a scenario.
    Check(CheckArgs),
    /// Compare configurations side by side: cost, latency and disruption, each configuration
    /// over the same seeds, with 95 % confidence intervals and significance of the differences.
    ///
    /// Each INPUT is one configuration (a file or a directory). With `--consolidate-after`, the
    /// INPUTs (or the embedded reference scenario) form one scenario and each value given is one
    /// configuration, set on every NodePool.
    Compare(CompareArgs),
    /// Write DIR/report.html: one self-contained page (summary tables and inline SVG charts,
    /// nothing fetched from the network) from a directory written by `ksim run --out DIR` or
    /// `ksim compare --out DIR`.
    Report {
        /// The output directory of a run.
        dir: PathBuf,
    },
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

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The baseline file (JSON).
    #[arg(long)]
    baseline: PathBuf,
    /// Tolerances per metric, e.g. `cost=2%,p99=10%` (groups: cost, p50, p90, p99, max, nodes,
    /// pending, events; or a metric name). Unset ones keep their defaults.
    #[arg(long, default_value = "")]
    tolerance: String,
    /// Write the current results as the new baseline instead of comparing.
    #[arg(long)]
    update: bool,
    /// Also write the Markdown report to this file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// With `--update`: scenario files for a new baseline, one scenario each.
    inputs: Vec<String>,
    /// Refuse input larger than this many MiB.
    #[arg(long, default_value_t = 32)]
    max_input_mb: u64,
}

#[derive(Debug, clap::Args)]
struct CompareArgs {
    /// One configuration each: a scenario file or directory of manifests (run with `--runs`
    /// seeds), or a result directory written by `ksim run --out` (`summary.json`) or
    /// `ksim run --runs N --out` (`runs.json`), read back as it is.
    inputs: Vec<String>,
    /// Variants of one scenario: NodePool `consolidateAfter` values (Go durations or `Never`),
    /// comma-separated, e.g. `3m,30m`.
    #[arg(long, value_delimiter = ',')]
    consolidate_after: Vec<String>,
    /// A variant of the base scenario (the INPUTs, or the embedded reference), repeated, one
    /// configuration each: `LABEL;KIND/NAME:PATH=VALUE;…`, e.g.
    /// `on-demand;NodePool/default:spec.template.spec.requirements[1].values=[on-demand]`.
    /// A variant with no overrides (`base`) is the base itself.
    #[arg(long)]
    variant: Vec<String>,
    /// Seeds per configuration (the scenario's seed and the ones after it).
    #[arg(long, default_value_t = 1)]
    runs: u64,
    /// Worker threads (default: the number of CPUs); results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Override every configuration's simulated duration (Go duration).
    #[arg(long)]
    duration: Option<String>,
    /// Override the first seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Also write the comparison as Markdown to this file (for a pull-request comment).
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Also write the comparison as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write compare.txt, compare.json, compare.csv, compare.md, the overlaid charts (SVG and
    /// PNG) and report.html here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Refuse input larger than this many MiB.
    #[arg(long, default_value_t = 32)]
    max_input_mb: u64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// A readable table.
    Table,
    /// JSON (for a single run, `summary.json`).
    Json,
    /// CSV: one value per row.
    Csv,
    /// Markdown (for a pull-request comment).
    Markdown,
}

impl From<Format> for ksim::export::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Table => ksim::export::Format::Table,
            Format::Json => ksim::export::Format::Json,
            Format::Csv => ksim::export::Format::Csv,
            Format::Markdown => ksim::export::Format::Markdown,
        }
    }
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
    /// Write summary.json, timeseries.csv, pods.csv, nodes.csv, workloads.csv, scaling.csv and
    /// launches.csv here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// A price CSV (instance_type,zone,capacity_type,usd_per_hour) replacing the shipped prices.
    #[arg(long)]
    prices: Option<PathBuf>,
    /// Run this many seeds (the scenario's seed and the ones after it) and report each metric's
    /// mean with a 95 % confidence interval.
    #[arg(long, default_value_t = 1)]
    runs: u64,
    /// Worker threads for `--runs`, and for one run the counterfactual run without
    /// consolidation alongside it (default: the number of CPUs); results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Run twice and compare every processed event and every output byte; report the first
    /// divergence (exit 1) or confirm the run is deterministic (exit 0).
    #[arg(long)]
    check_determinism: bool,
    /// Refuse runs that would process more events than this.
    #[arg(long, default_value_t = 200_000_000)]
    max_events: u64,
    /// Refuse runs that would create more pods than this.
    #[arg(long, default_value_t = 20_000_000)]
    max_pods: u64,
    /// Stop runs whose memory use passes this many MiB: the resident memory of the whole
    /// process, so of every run going on at once (checked as the runs go).
    #[arg(long, default_value_t = 8192)]
    max_memory_mb: u64,
    /// Refuse input larger than this many MiB.
    #[arg(long, default_value_t = 32)]
    max_input_mb: u64,
}

/// A Go duration given on the command line, in milliseconds.
fn flag_ms(flag: &str, value: &str) -> Result<u64> {
    ksim::k8s::duration::parse_nonnegative_ms(value).map_err(|e| {
        Error::from(InputError {
            field: Some(flag.into()),
            ..InputError::file("<command line>", e.to_string())
        })
    })
}

/// `--threads`, defaulting to the number of CPUs.
fn worker_threads(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

fn overrides(args: &RunArgs) -> Result<Overrides> {
    let duration_ms = args
        .duration
        .as_deref()
        .map(|d| flag_ms("--duration", d))
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
        max_memory_mb: Some(args.max_memory_mb),
        ..Default::default()
    };
    if args.check_determinism {
        return check_determinism(&s, limits);
    }
    if args.runs > 1 {
        let seeds: Vec<u64> = (0..args.runs).map(|i| s.seed.wrapping_add(i)).collect();
        let threads = worker_threads(args.threads);
        let bar = progress(seeds.len() as u64, &s.name);
        let names = ksim::compare::metric_names();
        let m = ksim::runs::run_seeds_with(
            &s,
            &seeds,
            threads,
            limits,
            &names,
            ksim::compare::metrics,
            &|| bar.inc(1),
        )
        .map_err(|e| Error::Budget(e.to_string()))?;
        bar.finish_and_clear();
        if let Some(dir) = &args.out {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
            let json = ksim::export::json::to_string(&m)?;
            ksim::report::write_atomic(dir, "runs.json", json.as_bytes())?;
        }
        print!("{}", ksim::export::exporter(args.format.into()).runs(&m)?);
        return Ok(0);
    }
    let concurrent = worker_threads(args.threads) >= 2;
    let (result, summary) = ksim::savings::simulate(&s, limits, concurrent)
        .map_err(|e| Error::Budget(e.to_string()))?;
    if let Some(dir) = &args.out {
        ksim::report::write_outputs(dir, &s, &result, &summary)?;
    }
    print!(
        "{}",
        ksim::export::exporter(args.format.into()).summary(&summary)?
    );
    Ok(0)
}

/// A progress bar on standard error for `runs` simulations; indicatif draws nothing when
/// standard error is not a terminal, so logs and pipes stay clean.
fn progress(runs: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(runs);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} runs, {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// `ksim report DIR` for a directory written by `ksim compare --out DIR`.
fn report_comparison(dir: &std::path::Path, path: &std::path::Path) -> Result<i32> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::from(InputError::file(
            &path.display().to_string(),
            format!("cannot read it ({e})"),
        ))
    })?;
    let c: ksim::compare::Comparison = serde_json::from_str(&text).map_err(|e| {
        Error::from(InputError {
            line: e.line() as u64,
            column: e.column() as u64,
            ..InputError::file(
                &path.display().to_string(),
                format!("not a ksim comparison: {e}"),
            )
        })
    })?;
    if c.configs.len() < 2 || c.deltas.len() + 1 != c.configs.len() {
        return Err(Error::from(InputError::file(
            &path.display().to_string(),
            "not a ksim comparison: it needs two or more configurations and one set of deltas per configuration after the first",
        )));
    }
    let mut charts = Vec::new();
    for (stem, _) in ksim::report::html::COMPARE_CHARTS {
        if let Ok(svg) = std::fs::read_to_string(dir.join(format!("{stem}.svg"))) {
            charts.push((*stem, svg));
        }
    }
    let html = ksim::report::html::render_comparison(&c, &charts);
    ksim::report::write_atomic(dir, "report.html", html.as_bytes())?;
    println!("wrote {}", dir.join("report.html").display());
    Ok(0)
}

fn report(dir: &std::path::Path) -> Result<i32> {
    let compare = dir.join("compare.json");
    if compare.exists() && !dir.join("summary.json").exists() {
        return report_comparison(dir, &compare);
    }
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::from(InputError::file(
            &path.display().to_string(),
            format!("cannot read it ({e}); run `ksim run --out DIR` first"),
        ))
    })?;
    let summary: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::from(InputError {
            line: e.line() as u64,
            column: e.column() as u64,
            ..InputError::file(
                &path.display().to_string(),
                format!("not a ksim summary: {e}"),
            )
        })
    })?;
    if summary.get("cost").is_none() || summary.get("scenario").is_none() {
        return Err(Error::from(InputError::file(
            &path.display().to_string(),
            "not a ksim summary: no `scenario` or `cost`",
        )));
    }
    let mut charts = Vec::new();
    for (stem, _) in ksim::report::html::CHARTS {
        let p = dir.join(format!("{stem}.svg"));
        if let Ok(svg) = std::fs::read_to_string(&p) {
            charts.push((*stem, svg));
        }
    }
    let html = ksim::report::html::render(&summary, &charts);
    ksim::report::write_atomic(dir, "report.html", html.as_bytes())?;
    println!("wrote {}", dir.join("report.html").display());
    Ok(0)
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Internal(format!("{} is not a file name", path.display())))?;
    ksim::report::write_atomic(dir, name, bytes)
}

fn compare(args: CompareArgs) -> Result<i32> {
    let duration_ms = args
        .duration
        .as_deref()
        .map(|d| flag_ms("--duration", d))
        .transpose()?;
    let ov = Overrides {
        seed: args.seed,
        duration_ms,
        prices_file: None,
    };
    // Each configuration is a scenario to run, or results read back from a directory.
    let mut configs: Vec<(String, ksim::scenario::Scenario)> = Vec::new();
    let mut saved: Vec<(usize, ksim::compare::Config)> = Vec::new();
    if !args.variant.is_empty() {
        if !args.consolidate_after.is_empty() {
            return Err(Error::from(InputError::file(
                "<command line>",
                "give --variant or --consolidate-after, not both",
            )));
        }
        let sources = if args.inputs.is_empty() {
            vec![Source::reference()]
        } else {
            scenario::read_sources(&args.inputs, args.max_input_mb.saturating_mul(1024 * 1024))?
        };
        for spec in &args.variant {
            let v = scenario::variant::parse(spec)?;
            let patched = scenario::variant::apply(&sources, &v)?;
            configs.push((v.label, scenario::load(&patched, &ov)?));
        }
    } else if args.consolidate_after.is_empty() {
        for input in &args.inputs {
            let path = std::path::Path::new(input);
            let label = path
                .file_stem()
                .and_then(|n| n.to_str())
                .unwrap_or(input)
                .to_string();
            if ksim::results::is_result_dir(path) {
                let runs = ksim::results::read_results(path)?;
                saved.push((
                    configs.len() + saved.len(),
                    ksim::compare::Config { label, runs },
                ));
                continue;
            }
            let s = load(std::slice::from_ref(input), &ov, args.max_input_mb)?;
            configs.push((label, s));
        }
    } else {
        let base = load(&args.inputs, &ov, args.max_input_mb)?;
        for v in &args.consolidate_after {
            let after = if v == "Never" {
                None
            } else {
                Some(flag_ms("--consolidate-after", v)?)
            };
            let mut s = base.clone();
            for p in &mut s.node_pools {
                p.consolidate_after_ms = after;
            }
            configs.push((format!("consolidateAfter={v}"), s));
        }
    }
    if configs.len() + saved.len() < 2 {
        return Err(Error::from(InputError::file(
            "<command line>",
            "compare needs at least two configurations: two or more INPUTs, two or more --variant, or --consolidate-after with two or more values",
        )));
    }
    let threads = worker_threads(args.threads);
    let names = ksim::compare::metric_names();
    let mut results = Vec::new();
    let bar = progress(configs.len() as u64 * args.runs.max(1), "compare");
    for (label, s) in configs {
        let seeds: Vec<u64> = (0..args.runs.max(1))
            .map(|i| s.seed.wrapping_add(i))
            .collect();
        let runs = ksim::runs::run_seeds_with(
            &s,
            &seeds,
            threads,
            ksim::sim::RunLimits::default(),
            &names,
            ksim::compare::metrics,
            &|| bar.inc(1),
        )
        .map_err(|e| Error::Budget(e.to_string()))?;
        results.push(ksim::compare::Config { label, runs });
    }
    bar.finish_and_clear();
    // Put the saved results back at their places on the command line.
    for (at, config) in saved {
        results.insert(at, config);
    }
    let c = ksim::compare::compare(results);
    use ksim::export::{Format as F, exporter};
    if let Some(p) = &args.markdown {
        write_file(p, exporter(F::Markdown).comparison(&c)?.as_bytes())?;
    }
    if let Some(p) = &args.json {
        write_file(p, exporter(F::Json).comparison(&c)?.as_bytes())?;
    }
    if let Some(dir) = &args.out {
        ksim::report::write_comparison(dir, &c)?;
    }
    print!("{}", exporter(args.format.into()).comparison(&c)?);
    Ok(0)
}

fn check_determinism(s: &ksim::scenario::Scenario, limits: ksim::sim::RunLimits) -> Result<i32> {
    let limits = ksim::sim::RunLimits {
        record_events: true,
        ..limits
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let (r, summary) =
            ksim::savings::simulate(s, limits, true).map_err(|e| Error::Budget(e.to_string()))?;
        let files = ksim::report::encode_outputs(s, &r, &summary)?;
        runs.push((r, files));
    }
    let (a, b) = (&runs[0], &runs[1]);
    let (ta, tb) = (&a.0.event_trace, &b.0.event_trace);
    if let Some(i) = (0..ta.len().max(tb.len())).find(|&i| ta.get(i) != tb.get(i)) {
        let show = |e: Option<&ksim::engine::TracedEvent>| match e {
            Some(e) => format!(
                "t = {:.3} s, phase {}, event {:#018x}",
                e.time as f64 / 1000.0,
                e.phase,
                e.digest
            ),
            None => "nothing (the run had ended)".to_string(),
        };
        println!(
            "NOT deterministic: the runs diverge at event #{} of {}\n  run 1: {}\n  run 2: {}",
            i + 1,
            ta.len().max(tb.len()),
            show(ta.get(i)),
            show(tb.get(i))
        );
        return Ok(1);
    }
    for ((name, x), (_, y)) in a.1.iter().zip(&b.1) {
        if x != y {
            let at = x
                .iter()
                .zip(y)
                .position(|(p, q)| p != q)
                .unwrap_or(x.len().min(y.len()));
            println!("NOT deterministic: identical events, but {name} differs from byte {at} on");
            return Ok(1);
        }
    }
    println!(
        "deterministic: two runs processed the same {} events (stream hash {:016x}) and wrote byte-identical {}",
        ta.len(),
        a.0.event_hash,
        a.1.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")
    );
    Ok(0)
}

fn check(args: CheckArgs) -> Result<i32> {
    use ksim::check::{self, Baseline, BaselineEntry, Status, Tolerances};
    let tol = Tolerances::parse(&args.tolerance).map_err(|e| {
        Error::from(InputError {
            field: Some("--tolerance".into()),
            ..InputError::file("<command line>", e)
        })
    })?;
    let name = args.baseline.display().to_string();
    let base_dir = args
        .baseline
        .parent()
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    let old: Option<Baseline> = match std::fs::read_to_string(&args.baseline) {
        Ok(text) => Some(check::parse_baseline(&name, &text)?),
        Err(e) if args.update && e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(InputError::file(&name, format!("cannot read baseline: {e}")).into());
        }
    };
    if !args.inputs.is_empty() && !args.update {
        return Err(InputError::file(
            "<command line>",
            "scenario files are only taken with --update; without it the baseline lists them",
        )
        .into());
    }
    let entries: Vec<BaselineEntry> = if !args.inputs.is_empty() {
        args.inputs
            .iter()
            .map(|f| BaselineEntry {
                files: vec![relative_to(&base_dir, f)],
                seed: None,
                metrics: Default::default(),
            })
            .collect()
    } else {
        match &old {
            Some(b) => b.scenarios.clone(),
            None => {
                return Err(InputError::file(
                    &name,
                    "no baseline yet: give the scenario files to start one with --update",
                )
                .into());
            }
        }
    };
    let mut rows = Vec::new();
    let mut new_entries = Vec::new();
    for e in &entries {
        let files: Vec<String> = e
            .files
            .iter()
            .map(|f| base_dir.join(f).display().to_string())
            .collect();
        let s = load(
            &files,
            &Overrides {
                seed: e.seed,
                ..Default::default()
            },
            args.max_input_mb,
        )?;
        let result =
            ksim::sim::run(&s, Default::default()).map_err(|e| Error::Budget(e.to_string()))?;
        let summary = ksim::report::summarize(&s, &result);
        let current = check::metrics(&summary);
        rows.extend(check::compare(
            &e.files.join(" + "),
            &e.metrics,
            &current,
            &tol,
        ));
        new_entries.push(BaselineEntry {
            metrics: current,
            ..e.clone()
        });
    }
    if args.update {
        let b = Baseline {
            ksim_baseline: check::BASELINE_VERSION,
            written_by: format!("ksim {}", env!("CARGO_PKG_VERSION")),
            scenarios: new_entries,
        };
        let dir = if base_dir.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            base_dir.as_path()
        };
        let file = args
            .baseline
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_else(|| "baseline.json".into());
        ksim::report::write_atomic(dir, &file, &check::baseline_json(&b))?;
        let n = b.scenarios.len();
        println!(
            "wrote {name} ({n} scenario{})",
            if n == 1 { "" } else { "s" }
        );
        return Ok(0);
    }
    let md = check::markdown(&rows);
    if let Some(path) = &args.report {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_else(|| "report.md".into());
        ksim::report::write_atomic(
            dir.unwrap_or(std::path::Path::new(".")),
            &file,
            md.as_bytes(),
        )?;
    }
    print!("{md}");
    Ok(i32::from(
        rows.iter().any(|r| r.status == Status::Regressed),
    ))
}

/// `file` as a path relative to the directory `base` (empty: the current directory), going up
/// with `..` where needed; as given when either cannot be resolved.
fn relative_to(base: &std::path::Path, file: &str) -> String {
    let base = if base.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        base
    };
    let (Ok(b), Ok(f)) = (std::fs::canonicalize(base), std::fs::canonicalize(file)) else {
        return file.to_string();
    };
    let mut up = String::new();
    let mut cur = b.as_path();
    loop {
        if let Ok(rel) = f.strip_prefix(cur) {
            return format!("{up}{}", rel.display());
        }
        match cur.parent() {
            Some(p) => {
                up.push_str("../");
                cur = p;
            }
            None => return file.to_string(),
        }
    }
}

/// Parses the command line and runs it.
pub fn main() -> Result<i32> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Compare(args) => compare(args),
        Command::Report { dir } => report(&dir),
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
