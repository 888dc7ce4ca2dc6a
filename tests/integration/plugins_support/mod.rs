//! Runs the third-party interpreter vectors (Karmada's testdata, transcribed) through the
//! compiled plugins in `interpreters/dist`, loaded by the plugin host.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use fedplan::api::{
    AggregatedStatusItem, Component, DependentObjectReference, ReplicaRequirements,
};
use fedplan::interpreter::wasm::PluginHost;
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

fn vector_file(relative: &str) -> Value {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/vectors/interpreter/thirdparty"
    ))
    .join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Runs every case of the vector file `relative` (`<group>/<version>/<Kind>.json`) through the
/// plugins, except those `skipped` lists by name (each with the reason it is not matched).
/// Returns how many cases ran.
pub fn run_vectors(relative: &str, skipped: &[(&str, &str)]) -> usize {
    let file = vector_file(relative);
    let cases = file["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    let mut ran = 0;
    for (name, _) in skipped {
        assert!(
            cases.iter().any(|c| c["name"] == *name),
            "skipped case {name:?} is not in {relative}"
        );
    }
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        if skipped.iter().any(|(skip, _)| *skip == name) {
            continue;
        }
        ran += 1;
        let operation = case["operation"].as_str().unwrap_or("?");
        if let Err(message) = run_case(case) {
            failures.push(format!("{operation} {name:?}: {message}"));
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
