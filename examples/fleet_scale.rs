//! Runs a fleet through the control plane and reports time and peak memory: 100 clusters
//! and 2,000 Deployments (divided, 10 replicas each) from empty to quiescent, then one image
//! update rolled out everywhere.
//!
//! `cargo run --release --example fleet_scale -- [CLUSTERS] [DEPLOYMENTS] [THREADS]`
//! (THREADS defaults to the available cores, at most 8).

use std::time::Instant;

use fedplan::controlplane::{synthetic, Config, ControlPlane, ControlPlaneError};

/// A program linking the control plane chooses its allocator; this one uses the `fedplan`
/// binary's. Without this module (and its call in `main`) it measures the system allocator.
#[path = "../src/allocator.rs"]
mod allocator;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() -> Result<(), ControlPlaneError> {
    let mut args = std::env::args().skip(1);
    let clusters: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let deployments: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let threads: Option<usize> = args.next().and_then(|a| a.parse().ok());
    allocator::keep_freed_memory();
    let start = Instant::now();
    let mut cp = ControlPlane::new(Config::default());
    if let Some(threads) = threads {
        cp.set_threads(threads);
    }
    for c in synthetic::clusters(clusters) {
        cp.apply(c)?;
    }
    cp.apply(synthetic::divided_policy("default"))?;
    for i in 0..deployments {
        cp.apply(synthetic::deployment("default", i, 10, "app:v1"))?;
    }
    let passes = cp.run_until_quiescent()?;
    let propagated = start.elapsed();
    let works = cp.works().count();
    let update = Instant::now();
    for i in 0..deployments {
        cp.apply(synthetic::deployment("default", i, 10, "app:v2"))?;
    }
    let passes2 = cp.run_until_quiescent()?;
    let rolled = update.elapsed();
    println!(
        "{clusters} clusters, {deployments} deployments, {works} works: propagate {:.3} s ({passes} passes), image update {:.3} s ({passes2} passes), total {:.3} s, peak RSS {:.0} MiB",
        propagated.as_secs_f64(),
        rolled.as_secs_f64(),
        start.elapsed().as_secs_f64(),
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    Ok(())
}
