//! Runs the third-party interpreter vectors (Karmada's testdata, transcribed) through the
//! compiled plugins in `interpreters/dist`, loaded by the plugin host.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use fedplan::api::{
    AggregatedStatusItem, Component, DependentObjectReference, ReplicaRequirements,
};
use fedplan::interpreter::wasm::{HostConfig, PluginHost};
use serde_json::{Map, Value};

/// Marks a field whose value upstream does not compare (a "now" timestamp).
const EXCLUDED: &[&str] = &["{{EXCLUDE}}", "<NOW>"];

/// The host with every plugin of `interpreters/dist`, loaded once per test binary.
pub fn host() -> &'static PluginHost {
    static HOST: OnceLock<PluginHost> = OnceLock::new();
    HOST.get_or_init(|| {
        let dist = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/interpreters/dist"));
        assert!(
            dist.is_dir(),
            "{} is missing: run `bash interpreters/build.sh` first",
            dist.display()
        );
        PluginHost::load_path(&dist).expect("the plugins in interpreters/dist load")
    })
}

/// The same plugins on a host that sends them whole objects, whatever fields they list.
pub fn whole_object_host() -> &'static PluginHost {
    static HOST: OnceLock<PluginHost> = OnceLock::new();
    HOST.get_or_init(|| {
        let dist = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/interpreters/dist"));
        let mut host = PluginHost::new(HostConfig::default().without_projection()).expect("engine");
        host.add_path(&dist)
            .expect("the plugins in interpreters/dist load");
        host
    })
}

/// Runs every case of the vector files for `relative` on [`host`] and on [`whole_object_host`]
/// and checks that each operation answers the same (result or error) on both: the fields
/// the plugins list are all they read. Returns how many cases ran.
pub fn projection_changes_nothing(relative: &str) -> usize {
    let cases = vector_cases(relative);
    let mut differences = Vec::new();
    for (path, case) in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let operation = case["operation"].as_str().unwrap_or("?");
        let projected = raw_output(host(), case);
        let whole = raw_output(whole_object_host(), case);
        if projected != whole {
            differences.push(format!(
                "{path}: {operation} {name:?}:\n  projected {projected}\n  whole     {whole}"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} cases of {relative} differ with projection:\n{}",
        differences.len(),
        cases.len(),
        differences.join("\n")
    );
    cases.len()
}

/// What `host` answers to a case's operation, result or error, as text.
fn raw_output(host: &PluginHost, case: &Value) -> String {
    let input = &case["input"];
    let object = input
        .get("desiredObj")
        .or_else(|| input.get("observedObj"))
        .cloned()
        .unwrap_or(Value::Null);
    let observed = input
        .get("observedObj")
        .or_else(|| input.get("desiredObj"))
        .cloned()
        .unwrap_or(Value::Null);
    match case["operation"].as_str().unwrap_or("") {
        "InterpretReplica" => format!("{:?}", host.call_interpret_replica(&object)),
        "ReviseReplica" => {
            let replicas = input["inputReplicas"].as_i64().unwrap_or(0);
            format!("{:?}", host.call_revise_replica(&object, replicas))
        }
        "Retain" => format!("{:?}", host.call_retain(&object, &observed)),
        "AggregateStatus" => {
            let items: Vec<AggregatedStatusItem> = match input.get("statusItems") {
                None | Some(Value::Null) => Vec::new(),
                Some(items) => serde_json::from_value(items.clone()).unwrap_or_default(),
            };
            format!("{:?}", host.call_aggregate_status(&object, &items))
        }
        "InterpretStatus" => format!("{:?}", host.call_interpret_status(&observed)),
        "InterpretHealth" => format!("{:?}", host.call_interpret_health(&observed)),
        "InterpretDependency" => format!("{:?}", host.call_interpret_dependency(&object)),
        "InterpretComponent" => format!("{:?}", host.call_interpret_component(&observed)),
        other => format!("unknown operation {other}"),
    }
}

/// The shared fixtures and this crate's transcription of the upstream cases they lack.
const ROOTS: &[&str] = &[
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/vectors/interpreter/thirdparty"
    ),
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/upstream/interpreter/thirdparty"
    ),
];

/// Kinds the shared fixtures hold no file for: the upstream transcription is required
/// instead (and a shared file, should one appear, is run too).
pub const UPSTREAM_ONLY: &[&str] = &["argoproj.io/v1alpha1/Rollout.json"];

/// The vector files for `relative` under [`ROOTS`] (the shared fixture, then the upstream
/// transcription when there is one), each with its path for failure messages.
fn vector_files(relative: &str) -> Vec<(String, Value)> {
    let mut files = Vec::new();
    // The index in `ROOTS` of the file that must exist.
    let required = usize::from(UPSTREAM_ONLY.contains(&relative));
    for (i, root) in ROOTS.iter().enumerate() {
        let path = PathBuf::from(root).join(relative);
        if i != required && !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let doc = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        files.push((path.display().to_string(), doc));
    }
    files
}

/// Every case of the vector files for `relative`, each with the file it came from.
fn vector_cases(relative: &str) -> Vec<(String, Value)> {
    vector_files(relative)
        .into_iter()
        .flat_map(|(path, doc)| {
            let cases = doc["cases"].as_array().cloned().unwrap_or_default();
            cases.into_iter().map(move |case| (path.clone(), case))
        })
        .collect()
}

/// Runs every case of the vector files for `relative` (`<group>/<version>/<Kind>.json`, the
/// shared fixture and the upstream transcription) through the plugins, except those `skipped` lists by name (each with the reason it is not matched).
/// Returns how many cases ran.
pub fn run_vectors(relative: &str, skipped: &[(&str, &str)]) -> usize {
    let cases = vector_cases(relative);
    let mut failures = Vec::new();
    let mut ran = 0;
    for (name, _) in skipped {
        assert!(
            cases.iter().any(|(_, c)| c["name"] == *name),
            "skipped case {name:?} is not in {relative}"
        );
    }
    for (path, case) in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        if skipped.iter().any(|(skip, _)| *skip == name) {
            continue;
        }
        ran += 1;
        let operation = case["operation"].as_str().unwrap_or("?");
        if let Err(message) = run_case(case) {
            failures.push(format!("{path}: {operation} {name:?}: {message}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} cases of {relative} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    ran
}

/// How a case's operation is run: through the library's plugin host or the `fedplan` binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// [`PluginHost`] calls in this process, every plugin of `interpreters/dist` loaded.
    Host,
    /// `fedplan interpret --plugin interpreters/dist/<plugin>.wasm ...`, one process per case.
    Cli {
        /// The component file's stem under `interpreters/dist`.
        plugin: &'static str,
    },
}

/// [`run_vectors`] through `runner`, keeping only the first `per_operation` cases of each
/// operation (all with `usize::MAX`). Returns how many cases ran.
pub fn run_vectors_with(
    relative: &str,
    skipped: &[(&str, &str)],
    runner: Runner,
    per_operation: usize,
) -> usize {
    let cases = vector_cases(relative);
    let mut failures = Vec::new();
    let mut ran_per_operation: std::collections::BTreeMap<String, usize> = Default::default();
    for (path, case) in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let operation = case["operation"].as_str().unwrap_or("?");
        if skipped.iter().any(|(skip, _)| *skip == name) {
            continue;
        }
        let ran = ran_per_operation.entry(operation.to_owned()).or_default();
        if *ran >= per_operation {
            continue;
        }
        *ran += 1;
        let outcome = match runner {
            Runner::Host => run_case(case),
            Runner::Cli { plugin } => run_case_cli(case, plugin, relative),
        };
        if let Err(message) = outcome {
            failures.push(format!("{path}: {operation} {name:?}: {message}"));
        }
    }
    let ran: usize = ran_per_operation.values().sum();
    assert!(
        failures.is_empty(),
        "{} of {ran} cases of {relative} failed ({runner:?}):\n{}",
        failures.len(),
        failures.join("\n")
    );
    ran
}

/// Runs one case through `fedplan interpret` and compares its output with the expectation.
#[cfg(feature = "cli")]
fn run_case_cli(case: &Value, plugin: &str, relative: &str) -> Result<(), String> {
    use std::process::Command;
    let input = &case["input"];
    let expected = case["expected"].as_object().ok_or("no expected")?;
    let operation = case["operation"].as_str().ok_or("no operation")?;
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("plugins_cli")
        .join(relative.replace('/', "_"))
        .join(
            case["name"]
                .as_str()
                .unwrap_or("case")
                .replace(['/', ' '], "_"),
        );
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let write = |name: &str, value: &Value| -> Result<String, String> {
        let path = scratch.join(name);
        std::fs::write(&path, serde_json::to_vec(value).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        Ok(path.to_string_lossy().into_owned())
    };
    let component = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/interpreters/dist"))
        .join(format!("{plugin}.wasm"));
    let mut args: Vec<String> = vec![
        "-o".into(),
        "json".into(),
        "interpret".into(),
        "--operation".into(),
        operation.into(),
        "--plugin".into(),
        component.to_string_lossy().into_owned(),
    ];
    let desired = input.get("desiredObj").or_else(|| input.get("observedObj"));
    let observed = input.get("observedObj");
    if let Some(desired) = desired {
        args.extend(["--desired-file".into(), write("desired.json", desired)?]);
    }
    if let Some(observed) = observed {
        args.extend(["--observed-file".into(), write("observed.json", observed)?]);
    }
    if let Some(items) = input.get("statusItems").filter(|v| !v.is_null()) {
        args.extend(["--status-file".into(), write("status.json", items)?]);
    }
    if let Some(replicas) = input.get("inputReplicas").and_then(Value::as_i64) {
        args.extend(["--desired-replica".into(), replicas.to_string()]);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_fedplan"))
        .args(&args)
        .output()
        .map_err(|e| format!("cannot run fedplan: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "fedplan {} exited with {:?}: {}",
            args.join(" "),
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let printed: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })?;
    let mut actual = Map::new();
    match operation {
        "InterpretReplica" => {
            actual.insert("replica".into(), printed["replicas"].clone());
            actual.insert("requires".into(), printed["replicaRequirements"].clone());
        }
        "ReviseReplica" => {
            actual.insert("revised".into(), printed);
        }
        "Retain" => {
            actual.insert("retained".into(), printed);
        }
        "AggregateStatus" => {
            actual.insert("aggregatedStatus".into(), printed);
        }
        "InterpretStatus" => {
            actual.insert("status".into(), printed);
        }
        "InterpretHealth" => {
            actual.insert("healthy".into(), printed["healthy"].clone());
        }
        "InterpretDependency" => {
            actual.insert("dependencies".into(), printed["dependencies"].clone());
        }
        "InterpretComponent" => {
            actual.insert("components".into(), printed["components"].clone());
        }
        other => return Err(format!("unknown operation {other}")),
    }
    compare(expected, &actual)
}

#[cfg(not(feature = "cli"))]
fn run_case_cli(_: &Value, _: &str, _: &str) -> Result<(), String> {
    Err("the cli feature is off".into())
}

/// Compares every expected output with the actual one.
fn compare(expected: &Map<String, Value>, actual: &Map<String, Value>) -> Result<(), String> {
    for (key, want) in expected {
        let got = actual.get(key).cloned().unwrap_or(Value::Null);
        if !equivalent(key, want, &got)? {
            return Err(format!(
                "{key}:\n  expected {}\n  actual   {}",
                serde_json::to_string(want).unwrap_or_default(),
                serde_json::to_string(&got).unwrap_or_default()
            ));
        }
    }
    Ok(())
}

fn run_case(case: &Value) -> Result<(), String> {
    let input = &case["input"];
    let expected = case["expected"].as_object().ok_or("no expected")?;
    let object = input
        .get("desiredObj")
        .or_else(|| input.get("observedObj"))
        .ok_or("no object")?;
    let observed = input
        .get("observedObj")
        .or_else(|| input.get("desiredObj"))
        .ok_or("no object")?;
    let host = host();
    let fail = |e: fedplan::interpreter::wasm::WasmError| format!("call failed: {e}");
    let mut actual = Map::new();
    match case["operation"].as_str().unwrap_or("") {
        "InterpretReplica" => {
            let result = host.call_interpret_replica(object).map_err(fail)?;
            actual.insert("replica".into(), Value::from(result.replicas));
            let requires =
                serde_json::to_value(&result.replica_requirements).map_err(|e| e.to_string())?;
            actual.insert("requires".into(), requires);
        }
        "ReviseReplica" => {
            let replicas = input["inputReplicas"].as_i64().ok_or("no inputReplicas")?;
            let revised = host.call_revise_replica(object, replicas).map_err(fail)?;
            actual.insert("revised".into(), revised);
        }
        "Retain" => {
            let retained = host.call_retain(object, observed).map_err(fail)?;
            actual.insert("retained".into(), retained);
        }
        "AggregateStatus" => {
            let items: Vec<AggregatedStatusItem> = match input.get("statusItems") {
                None | Some(Value::Null) => Vec::new(),
                Some(items) => serde_json::from_value(items.clone()).map_err(|e| e.to_string())?,
            };
            let aggregated = host.call_aggregate_status(object, &items).map_err(fail)?;
            actual.insert("aggregatedStatus".into(), aggregated);
        }
        "InterpretStatus" => {
            let status = host.call_interpret_status(observed).map_err(fail)?;
            actual.insert("status".into(), status.unwrap_or(Value::Null));
        }
        "InterpretHealth" => {
            let healthy = host.call_interpret_health(observed).map_err(fail)?;
            actual.insert("healthy".into(), Value::Bool(healthy));
        }
        "InterpretDependency" => {
            let found = host.call_interpret_dependency(object).map_err(fail)?;
            actual.insert(
                "dependencies".into(),
                serde_json::to_value(found).map_err(|e| e.to_string())?,
            );
        }
        "InterpretComponent" => {
            let found = host.call_interpret_component(observed).map_err(fail)?;
            actual.insert(
                "components".into(),
                serde_json::to_value(found).map_err(|e| e.to_string())?,
            );
        }
        other => return Err(format!("unknown operation {other}")),
    }
    compare(expected, &actual)
}

/// Compares one output the way Karmada's thirdparty tests do: typed outputs semantically
/// (quantities by value, lists sorted), objects as JSON without the excluded fields.
fn equivalent(key: &str, want: &Value, got: &Value) -> Result<bool, String> {
    let parse_err = |e: serde_json::Error| format!("{key}: {e}");
    Ok(match key {
        "requires" => {
            let want: Option<ReplicaRequirements> =
                serde_json::from_value(want.clone()).map_err(parse_err)?;
            let got: Option<ReplicaRequirements> =
                serde_json::from_value(got.clone()).map_err(parse_err)?;
            want == got
        }
        "components" => {
            let mut want: Vec<Component> =
                serde_json::from_value(want.clone()).map_err(parse_err)?;
            let mut got: Vec<Component> = serde_json::from_value(got.clone()).map_err(parse_err)?;
            want.sort_by(|a, b| a.name.cmp(&b.name));
            got.sort_by(|a, b| a.name.cmp(&b.name));
            want == got
        }
        "dependencies" => {
            let sorted = |v: &Value| -> Result<Vec<DependentObjectReference>, String> {
                let mut list: Vec<DependentObjectReference> =
                    serde_json::from_value(v.clone()).map_err(|e| format!("{key}: {e}"))?;
                list.sort_by_key(|d| serde_json::to_string(d).unwrap_or_default());
                Ok(list)
            };
            sorted(want)? == sorted(got)?
        }
        _ => {
            let mut got = got.clone();
            let mut want = want.clone();
            strip_excluded(&mut want, &mut got);
            want == got
        }
    })
}

/// Removes from both sides every field whose expected value is an exclusion marker.
fn strip_excluded(want: &mut Value, got: &mut Value) {
    match (want, got) {
        (Value::Object(want), Value::Object(got)) => {
            let excluded: Vec<String> = want
                .iter()
                .filter(|(_, v)| v.as_str().is_some_and(|s| EXCLUDED.contains(&s)))
                .map(|(k, _)| k.clone())
                .collect();
            for key in excluded {
                want.remove(&key);
                got.remove(&key);
            }
            for (key, value) in want.iter_mut() {
                if let Some(other) = got.get_mut(key) {
                    strip_excluded(value, other);
                }
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            for (value, other) in want.iter_mut().zip(got.iter_mut()) {
                strip_excluded(value, other);
            }
        }
        _ => {}
    }
}
