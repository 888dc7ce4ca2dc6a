//! One Deployment for one cluster: an image overrider and two plaintext patches.
//!
//! `apply_overrides/*` includes copying the template (the all-or-nothing API);
//! `apply_overrides_in_place/*` overrides a copy made outside the measurement, as rendering does.
//!
//! Two groups run the same benchmarks: `wall/*` with criterion's wall clock, and `cpu/*` with
//! the benchmark thread's CPU time (from `/proc/thread-self/schedstat`, when the kernel has it),
//! which stays meaningful on a machine shared with other work.

use std::hint::black_box;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use fedplan::api::{Cluster, ClusterOverridePolicy, OverridePolicy};
use fedplan::overrides::{apply_overrides, apply_overrides_in_place, ImageReference};
use serde_json::{json, Value};

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{
                    "name": "web",
                    "image": "registry.example.com/team/web:v1.2.3",
                    "ports": [{"containerPort": 8080}],
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}
                }]}
            }
        }
    })
}

fn policy() -> OverridePolicy {
    serde_json::from_value(json!({
        "apiVersion": "policy.karmada.io/v1alpha1",
        "kind": "OverridePolicy",
        "metadata": {"name": "member1-mirror", "namespace": "default"},
        "spec": {
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
            "overrideRules": [{
                "targetCluster": {"clusterNames": ["member1"]},
                "overriders": {
                    "imageOverrider": [{"component": "Registry", "operator": "replace", "value": "mirror.member1.local"}],
                    "plaintext": [
                        {"path": "/spec/replicas", "operator": "replace", "value": 5},
                        {"path": "/metadata/annotations", "operator": "add", "value": {"region": "eu"}}
                    ]
                }
            }]
        }
    }))
    .expect("valid policy")
}

/// CPU time consumed by the current thread, in nanoseconds. Yielding first makes the kernel
/// bring the thread's runtime up to date, which otherwise lags by up to a scheduler tick.
fn thread_cpu_ns() -> Option<u64> {
    std::thread::yield_now();
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Criterion measurement of the benchmark thread's CPU time.
struct ThreadCpuTime;

struct NanosFormatter;

impl ValueFormatter for NanosFormatter {
    fn scale_values(&self, typical_value: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical_value < 1e3 {
            (1.0, "ns")
        } else if typical_value < 1e6 {
            (1e-3, "µs")
        } else if typical_value < 1e9 {
            (1e-6, "ms")
        } else {
            (1e-9, "s")
        };
        for v in values {
            *v *= factor;
        }
        unit
    }

    fn scale_throughputs(
        &self,
        _typical: f64,
        _t: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        for v in values {
            *v = 1e9 / *v;
        }
        "per CPU second"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns().unwrap_or(0)
    }

    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().unwrap_or(start).saturating_sub(start)
    }

    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }

    fn zero(&self) -> u64 {
        0
    }

    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &NanosFormatter
    }
}

fn bench_wall(c: &mut Criterion) {
    bench(c, "wall");
}

fn bench_cpu(c: &mut Criterion<ThreadCpuTime>) {
    if thread_cpu_ns().is_none() {
        eprintln!("no per-thread CPU clock in /proc; skipping the cpu/* benchmarks");
        return;
    }
    bench(c, "cpu");
}

fn bench<M: Measurement + 'static>(c: &mut Criterion<M>, clock: &str) {
    let template = deployment();
    let cluster: Cluster =
        serde_json::from_value(json!({"metadata": {"name": "member1"}})).expect("valid cluster");
    let ops = [policy()];
    let cops: [ClusterOverridePolicy; 0] = [];

    c.bench_function(
        &format!("{clock}/apply_overrides/deployment_image_and_two_plaintext"),
        |b| b.iter(|| apply_overrides(black_box(&template), black_box(&cluster), &ops, &cops)),
    );
    c.bench_function(
        &format!("{clock}/apply_overrides_in_place/deployment_image_and_two_plaintext"),
        |b| {
            b.iter_batched(
                || template.clone(),
                |mut manifest| {
                    let applied =
                        apply_overrides_in_place(&mut manifest, black_box(&cluster), &ops, &cops);
                    (manifest, applied.is_ok())
                },
                BatchSize::SmallInput,
            )
        },
    );
    c.bench_function(&format!("{clock}/apply_overrides/with_annotations"), |b| {
        b.iter(|| {
            apply_overrides(black_box(&template), black_box(&cluster), &ops, &cops)
                .map(|out| out.annotations())
        })
    });
    c.bench_function(&format!("{clock}/apply_overrides/no_policies"), |b| {
        b.iter(|| apply_overrides(black_box(&template), black_box(&cluster), &[], &cops))
    });
    c.bench_function(&format!("{clock}/template_clone"), |b| {
        b.iter(|| black_box(&template).clone())
    });
    c.bench_function(&format!("{clock}/image_parse"), |b| {
        b.iter(|| ImageReference::parse(black_box("registry.example.com:5000/team/web:v1.2.3")))
    });
}

criterion_group!(wall, bench_wall);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = bench_cpu
}
/// `OVERRIDES_BENCH_CALLS=<calls>` runs only that many `apply_overrides` calls and exits: a
/// fixed workload for instruction counting under `valgrind --tool=callgrind`.
fn fixed_workload() -> bool {
    let Ok(calls) = std::env::var("OVERRIDES_BENCH_CALLS") else {
        return false;
    };
    let calls: usize = calls.parse().unwrap_or(1000);
    let template = deployment();
    let cluster: Cluster =
        serde_json::from_value(json!({"metadata": {"name": "member1"}})).expect("valid cluster");
    let ops = [policy()];
    let cops: [ClusterOverridePolicy; 0] = [];
    for _ in 0..calls {
        black_box(apply_overrides(black_box(&template), black_box(&cluster), &ops, &cops).is_ok());
    }
    true
}

fn main() {
    if fixed_workload() {
        return;
    }
    wall();
    cpu();
    Criterion::default().configure_from_args().final_summary();
}
