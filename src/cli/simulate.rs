//! `fedplan simulate`: the in-memory control plane through a scenario.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use serde::Deserialize;
use serde_json::Value;

use super::output::{write_documents, write_value, OutputFormat};
use super::{report_error, report_load_errors, Exit, SimulateArgs};
use crate::load::{decode, LoadError, LoadedObject, Loader, RawDocument};
use crate::resource::ObjectRef;

/// A scenario file: `{config?, steps: [...]}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScenarioFile {
    /// Feature gates, controller flags and the clock's start.
    #[serde(default)]
    config: ScenarioConfig,
    /// The steps, run in order.
    steps: Vec<StepFile>,
}

/// `config`: Karmada's feature gates and controller flags by their Karmada names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScenarioConfig {
    /// `featureGates: {Failover: true}`.
    #[serde(default)]
    feature_gates: BTreeMap<String, bool>,
    /// `flags: {enable-no-execute-taint-eviction: true, graceful-eviction-timeout: 600s}`.
    #[serde(default)]
    flags: BTreeMap<String, Value>,
    /// Start of the virtual clock (RFC 3339); Karmada's default start is used when absent.
    #[serde(default)]
    start_time: Option<String>,
}

/// One step as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StepFile {
    /// Name shown in the output.
    name: String,
    /// Objects to create or update.
    #[serde(default)]
    apply: Vec<Value>,
    /// Objects to delete.
    #[serde(default)]
    delete: Vec<ObjectRef>,
    /// Seconds to move the virtual clock.
    #[serde(default)]
    advance: Option<u64>,
    /// Status to overwrite in one member cluster.
    #[serde(default)]
    member: Option<MemberFile>,
}

/// `member: {cluster, set: [objects]}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberFile {
    /// The member cluster.
    cluster: String,
    /// Objects whose status is overwritten there.
    #[serde(default)]
    set: Vec<Value>,
}

/// A step with its objects checked.
#[derive(Debug, Clone)]
#[expect(dead_code, reason = "read by the control plane once it runs scenarios")]
pub(crate) struct Step {
    /// Name shown in the output.
    pub(crate) name: String,
    /// Objects to create or update.
    pub(crate) apply: Vec<LoadedObject>,
    /// Objects to delete.
    pub(crate) delete: Vec<ObjectRef>,
    /// Seconds to move the virtual clock.
    pub(crate) advance: Option<u64>,
    /// Member cluster and the objects whose status is overwritten there.
    pub(crate) member: Option<(String, Vec<LoadedObject>)>,
}

/// A loaded, checked scenario.
#[derive(Debug, Clone)]
#[expect(dead_code, reason = "read by the control plane once it runs scenarios")]
pub(crate) struct Scenario {
    /// Karmada feature gates.
    pub(crate) feature_gates: BTreeMap<String, bool>,
    /// Controller flags.
    pub(crate) flags: BTreeMap<String, Value>,
    /// Start of the virtual clock.
    pub(crate) start_time: Option<String>,
    /// The steps.
    pub(crate) steps: Vec<Step>,
}

fn invalid(raw: &RawDocument, field: String, message: String) -> LoadError {
    LoadError::Invalid {
        origin: raw.origin.clone(),
        object: ObjectRef::default(),
        field,
        message,
    }
}

/// Checks an object nested at `field` of the scenario; errors name the nested path.
fn nested_object(
    raw: &RawDocument,
    field: String,
    value: Value,
    errors: &mut Vec<LoadError>,
) -> Option<LoadedObject> {
    match Loader::new().object_from_value(raw.origin.clone(), value) {
        Ok(object) => Some(object),
        Err(LoadError::Invalid {
            origin,
            object,
            field: inner,
            message,
        }) => {
            let field = if inner.is_empty() {
                field
            } else {
                format!("{field}.{inner}")
            };
            errors.push(LoadError::Invalid {
                origin,
                object,
                field,
                message,
            });
            None
        }
        Err(LoadError::Malformed {
            origin,
            object,
            error,
        }) => {
            errors.push(LoadError::Invalid {
                origin,
                object,
                field,
                message: error.to_string(),
            });
            None
        }
        Err(LoadError::NotAnObject { origin, found }) => {
            errors.push(LoadError::Invalid {
                origin,
                object: ObjectRef::default(),
                field,
                message: format!("expected an object, found {found}"),
            });
            None
        }
        Err(other) => {
            errors.push(other);
            None
        }
    }
}

/// Checks the scenario document: its shape, then every object it holds.
fn check_scenario(raw: &RawDocument) -> Result<Scenario, Vec<LoadError>> {
    let file: ScenarioFile =
        decode(&raw.value).map_err(|e| vec![invalid(raw, e.path, e.message)])?;
    let mut errors = Vec::new();
    let mut steps = Vec::with_capacity(file.steps.len());
    for (i, step) in file.steps.into_iter().enumerate() {
        let apply = step
            .apply
            .into_iter()
            .enumerate()
            .filter_map(|(j, value)| {
                nested_object(raw, format!("steps[{i}].apply[{j}]"), value, &mut errors)
            })
            .collect();
        for (j, reference) in step.delete.iter().enumerate() {
            if reference.kind.is_empty() || reference.name.is_empty() {
                errors.push(invalid(
                    raw,
                    format!("steps[{i}].delete[{j}]"),
                    "a reference needs kind and name".to_string(),
                ));
            }
        }
        let member = step.member.map(|member| {
            let objects = member
                .set
                .into_iter()
                .enumerate()
                .filter_map(|(j, value)| {
                    nested_object(
                        raw,
                        format!("steps[{i}].member.set[{j}]"),
                        value,
                        &mut errors,
                    )
                })
                .collect();
            (member.cluster, objects)
        });
        steps.push(Step {
            name: step.name,
            apply,
            delete: step.delete,
            advance: step.advance,
            member,
        });
    }
    if errors.is_empty() {
        Ok(Scenario {
            feature_gates: file.config.feature_gates,
            flags: file.config.flags,
            start_time: file.config.start_time,
            steps,
        })
    } else {
        Err(errors)
    }
}

/// Loads the scenario file: exactly one document.
fn load_scenario(
    args: &SimulateArgs,
    stdin: &mut dyn Read,
    stderr: &mut dyn Write,
) -> Option<crate::controlplane::scenario::Scenario> {
    let loaded = Loader::new().values(&[&args.scenario], stdin);
    if report_load_errors(&loaded, stderr) {
        return None;
    }
    let mut documents = loaded.items.into_iter();
    let raw = match (documents.next(), documents.next()) {
        (Some(raw), None) if raw.origin.item.is_none() => raw,
        (None, _) => {
            let _ = writeln!(
                stderr,
                "error: {}: the scenario file holds no document",
                args.scenario.display()
            );
            return None;
        }
        (Some(first), _) => {
            let _ = writeln!(
                stderr,
                "error: {}: a scenario is one YAML document `{{config?, steps: [...]}}`",
                first.origin
            );
            return None;
        }
    };
    match check_scenario(&raw) {
        Ok(_) => match crate::controlplane::scenario::Scenario::from_value(raw.value.clone()) {
            Ok(scenario) => Some(scenario),
            Err(error) => {
                let _ = writeln!(stderr, "error: {}: {error}", raw.origin);
                None
            }
        },
        Err(errors) => {
            for error in &errors {
                report_error(error, stderr);
            }
            None
        }
    }
}

/// One step as printed: `{name, templates, bindings, works, members, events}`.
fn step_value(step: &crate::controlplane::scenario::StepOutput) -> Result<Value, String> {
    let to = |v: Result<Value, serde_json::Error>| v.map_err(|e| e.to_string());
    let mut out = serde_json::Map::new();
    out.insert("name".to_string(), Value::from(step.name.clone()));
    out.insert("templates".to_string(), Value::from(step.templates.clone()));
    out.insert(
        "bindings".to_string(),
        to(serde_json::to_value(&step.bindings))?,
    );
    out.insert("works".to_string(), to(serde_json::to_value(&step.works))?);
    out.insert(
        "members".to_string(),
        to(serde_json::to_value(&step.members))?,
    );
    out.insert(
        "events".to_string(),
        to(serde_json::to_value(&step.events))?,
    );
    Ok(Value::Object(out))
}

/// Runs `fedplan simulate`.
///
/// Loads and checks the scenario (exit 2 on bad input, naming the field), runs it on a fresh
/// control plane and prints the state after each step: one YAML document per step, or
/// `{steps: [...]}` as JSON.
pub(crate) fn run(
    args: &SimulateArgs,
    format: OutputFormat,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Exit {
    let Some(scenario) = load_scenario(args, stdin, stderr) else {
        return Exit::BadInput;
    };
    let steps = match scenario.run() {
        Ok(steps) => steps,
        Err(error) => {
            let _ = writeln!(stderr, "error: {}: {error}", args.scenario.display());
            return Exit::BadInput;
        }
    };
    let mut values = Vec::with_capacity(steps.len());
    for step in &steps {
        match step_value(step) {
            Ok(value) => values.push(value),
            Err(error) => {
                let _ = writeln!(
                    stderr,
                    "error: cannot serialize step {}: {error}",
                    step.name
                );
                return Exit::BadInput;
            }
        }
    }
    let written = match format {
        OutputFormat::Json => write_value(stdout, format, &serde_json::json!({"steps": values})),
        OutputFormat::Yaml => write_documents(stdout, format, &values),
    };
    match written {
        Ok(()) => Exit::Success,
        Err(error) => {
            let _ = writeln!(stderr, "error: {error}");
            Exit::BadInput
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Scenario, Vec<String>> {
        let loaded = Loader::new().values_from_str("s.yaml", text);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let raw = loaded.items.into_iter().next().expect("one document");
        check_scenario(&raw).map_err(|errors| errors.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn a_scenario_loads() {
        let scenario = check(
            "config:\n  featureGates: {Failover: true}\n  flags: {graceful-eviction-timeout: 600s}\n\
             steps:\n  - name: create\n    apply:\n      - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default}}\n\
             \x20 - name: wait\n    advance: 60\n\
             \x20 - name: fail\n    member:\n      cluster: member1\n      set:\n        - {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default}, status: {readyReplicas: 0}}\n\
             \x20 - name: remove\n    delete: [{apiVersion: apps/v1, kind: Deployment, namespace: default, name: web}]\n",
        )
        .expect("valid scenario");
        assert_eq!(scenario.steps.len(), 4);
        assert_eq!(scenario.feature_gates.get("Failover"), Some(&true));
        assert_eq!(scenario.steps[1].advance, Some(60));
        assert_eq!(
            scenario.steps[2].member.as_ref().map(|m| m.1.len()),
            Some(1)
        );
        assert_eq!(scenario.steps[3].delete[0].name, "web");
    }

    #[test]
    fn scenario_errors_name_the_nested_field() {
        let cases = [
            ("steps: 3\n", "s.yaml document 1: steps: invalid type"),
            ("steps: [{name: a, advance: soon}]\n", "steps[0].advance: invalid type"),
            ("steps: [{name: a, wait: 3}]\n", "steps[0].wait: unknown field `wait`"),
            (
                "steps: [{name: a, apply: [{apiVersion: v1, kind: ConfigMap}]}]\n",
                "(ConfigMap <unnamed>): steps[0].apply[0]: metadata.name: required field is missing",
            ),
            (
                "steps: [{name: a, apply: [{apiVersion: policy.karmada.io/v1alpha1, kind: PropagationPolicy, metadata: {name: p, namespace: n}, spec: {preemption: Maybe}}]}]\n",
                "(PropagationPolicy n/p): steps[0].apply[0].spec.preemption: unknown variant `Maybe`",
            ),
            ("steps: [{name: a, delete: [{kind: Pod}]}]\n", "steps[0].delete[0]: a reference needs kind and name"),
            ("steps: [{name: a, member: {cluster: m, set: [3]}}]\n", "steps[0].member.set[0]: expected an object, found number"),
        ];
        for (text, expected) in cases {
            let errors = check(text).err().unwrap_or_default();
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "{text}: expected {expected:?} in {errors:?}"
            );
        }
    }
}
