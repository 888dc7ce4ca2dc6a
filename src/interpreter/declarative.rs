//! Declarative customizations: a `ResourceInterpreterCustomization` whose operations are
//! JSONPath rules instead of Lua scripts.
//!
//! Karmada's customizations carry a `luaScript` per operation. fedplan does not run Lua (a
//! shared VM leaks state between calls and has no memory bound); it runs WebAssembly plugins
//! (`interpreters/sdk`) for logic, and, for the common cases that need no logic, reads these
//! rules, written next to where `luaScript` would be. A customization carrying `luaScript` is
//! refused with [`DeclarativeError::LuaScript`].
//!
//! Paths are JSONPath (evaluated with `jsonpath-rust`); `$.` may be left out (`spec.size`,
//! `.spec.size` and `$.spec.size` are the same). Paths that are written to (replica
//! revision, retention, summed status fields) must be plain field paths.
//!
//! ```yaml
//! apiVersion: config.karmada.io/v1alpha1
//! kind: ResourceInterpreterCustomization
//! metadata:
//!   name: widget
//! spec:
//!   target: {apiVersion: example.io/v1, kind: Widget}
//!   customizations:
//!     replicaResource:            # InterpretReplica
//!       replicasPath: spec.size
//!       podTemplatePath: spec.template      # requirements by Karmada's pod template rules
//!     replicaRevision:            # ReviseReplica
//!       replicasPath: spec.size
//!     retention:                  # Retain: keep the member's values
//!       retainFields: [spec.paused]
//!     statusReflection:           # InterpretStatus
//!       fields: {readyReplicas: status.readyReplicas, conditions: status.conditions}
//!     statusAggregation:          # AggregateStatus: sums into .status
//!       sumFields: [readyReplicas]
//!     healthInterpretation:       # InterpretHealth: every rule must hold
//!       conditions: [{type: Ready, status: "True"}]
//!       expressions: ["@.status.readyReplicas == @.spec.size"]  # JSONPath filters on the object
//!     dependencyInterpretation:   # InterpretDependency
//!       podTemplatePaths: [spec.template]
//!       dependencies: [{apiVersion: v1, kind: ConfigMap, namePath: "spec.configRefs[*].name"}]
//!     componentResource:          # InterpretComponent
//!       components: [{name: main, replicasPath: spec.size, podTemplatePath: spec.template}]
//! ```
//!
//! As in Karmada, customizations of the same target are taken in name order: the first that
//! defines an operation wins, except dependencies, which are collected from all, de-duplicated
//! and sorted.
//!
//! ```
//! use fedplan::interpreter::declarative::DeclarativeInterpreter;
//! use fedplan::interpreter::ResourceInterpreter;
//! use serde_json::json;
//!
//! let customization = json!({
//!     "apiVersion": "config.karmada.io/v1alpha1",
//!     "kind": "ResourceInterpreterCustomization",
//!     "metadata": {"name": "widget"},
//!     "spec": {
//!         "target": {"apiVersion": "example.io/v1", "kind": "Widget"},
//!         "customizations": {"replicaResource": {"replicasPath": "spec.size"}}
//!     }
//! });
//! let interpreter = DeclarativeInterpreter::from_values([customization])?;
//! let widget = json!({"apiVersion": "example.io/v1", "kind": "Widget", "spec": {"size": 3}});
//! assert_eq!(interpreter.interpret_replica(&widget)?.replicas, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use jsonpath_rust::parser::model::JpQuery;
use jsonpath_rust::parser::parse_json_path;
use jsonpath_rust::query::js_path_process;
use serde_json::{Map, Value};

use crate::api::{
    AggregatedStatusItem, Component, ComponentReplicaRequirements, ConditionRule,
    DependentObjectReference, NodeClaim, NodeSelector, Quantity, ReplicaRequirements,
    ResourceInterpreterCustomization, ResourceList, Toleration,
};
use crate::interpreter::{
    Gvk, InterpreterError, Operation, ReplicaInterpretation, ResourceInterpreter,
};

/// Why a customization cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeclarativeError {
    /// The customization carries a Lua script.
    #[error("ResourceInterpreterCustomization {customization:?}: spec.customizations.{field}.luaScript: fedplan does not run Lua scripts; it runs WebAssembly plugins instead: port the script to a plugin with the SDK in interpreters/sdk (see interpreters/README.md), or use fedplan's JSONPath rules")]
    LuaScript {
        /// `metadata.name` of the customization.
        customization: String,
        /// The customization field, e.g. `replicaResource`.
        field: String,
    },
    /// A JSONPath does not parse, or is not a plain field path where one is needed.
    #[error("ResourceInterpreterCustomization {customization:?}: {field}: invalid path {path:?}: {message}")]
    InvalidPath {
        /// `metadata.name` of the customization.
        customization: String,
        /// Where the path is, e.g. `spec.customizations.replicaResource.replicasPath`.
        field: String,
        /// The path as written.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The object is not a valid customization.
    #[error("ResourceInterpreterCustomization {customization:?}: {field}: {message}")]
    Invalid {
        /// `metadata.name` of the customization (may be empty).
        customization: String,
        /// The offending field.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// A JSONPath, parsed once.
#[derive(Debug, Clone)]
struct Path {
    text: String,
    query: JpQuery,
    /// The field names when the path is a plain field path (`$.a.b`).
    fields: Option<Vec<String>>,
}

impl Path {
    fn parse(customization: &str, field: &str, text: &str) -> Result<Path, DeclarativeError> {
        let normalized = if text.starts_with('$') {
            text.to_string()
        } else if text.starts_with('.') || text.starts_with('[') {
            format!("${text}")
        } else {
            format!("$.{text}")
        };
        let query = parse_json_path(&normalized).map_err(|e| DeclarativeError::InvalidPath {
            customization: customization.to_string(),
            field: field.to_string(),
            path: text.to_string(),
            message: e.to_string(),
        })?;
        let fields = normalized.strip_prefix("$.").and_then(|rest| {
            let names: Vec<String> = rest.split('.').map(String::from).collect();
            let plain = names.iter().all(|n| {
                !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            });
            plain.then_some(names)
        });
        Ok(Path {
            text: text.to_string(),
            query,
            fields,
        })
    }

    fn parse_plain(customization: &str, field: &str, text: &str) -> Result<Path, DeclarativeError> {
        let path = Path::parse(customization, field, text)?;
        if path.fields.is_none() {
            return Err(DeclarativeError::InvalidPath {
                customization: customization.to_string(),
                field: field.to_string(),
                path: text.to_string(),
                message: "must be a plain field path such as spec.replicas (it is written to)"
                    .to_string(),
            });
        }
        Ok(path)
    }

    fn all<'a>(&self, value: &'a Value) -> Vec<&'a Value> {
        js_path_process(&self.query, value)
            .map(|refs| refs.into_iter().map(|r| r.val).collect())
            .unwrap_or_default()
    }

    fn first<'a>(&self, value: &'a Value) -> Option<&'a Value> {
        self.all(value).into_iter().find(|v| !v.is_null())
    }

    fn plain(&self) -> &[String] {
        self.fields.as_deref().unwrap_or(&[])
    }
}

#[derive(Debug, Clone)]
struct ReplicaRule {
    replicas: Option<Path>,
    pod_template: Option<Path>,
    resource_request: Option<Path>,
}

#[derive(Debug, Clone)]
struct ComponentRule {
    name: String,
    replicas: Path,
    pod_template: Option<Path>,
}

#[derive(Debug, Clone)]
struct HealthRule {
    conditions: Vec<ConditionRule>,
    expressions: Vec<Path>,
}

#[derive(Debug, Clone)]
struct DependencyRule {
    pod_templates: Vec<Path>,
    named: Vec<(String, String, Path)>,
}

/// A rule and the customization it came from.
#[derive(Debug, Clone)]
struct Sourced<T> {
    customization: String,
    rule: T,
}

#[derive(Debug, Clone, Default)]
struct KindRules {
    replica: Option<Sourced<ReplicaRule>>,
    revision: Option<Sourced<Path>>,
    retention: Option<Sourced<Vec<Path>>>,
    reflection: Option<Sourced<Vec<(String, Path)>>>,
    aggregation: Option<Sourced<Vec<Path>>>,
    health: Option<Sourced<HealthRule>>,
    dependencies: Vec<Sourced<DependencyRule>>,
    components: Option<Sourced<Vec<ComponentRule>>>,
}

fn first_wins<T>(slot: &mut Option<Sourced<T>>, customization: &str, rule: Option<T>) {
    if slot.is_none() {
        if let Some(rule) = rule {
            *slot = Some(Sourced {
                customization: customization.to_string(),
                rule,
            });
        }
    }
}

/// User customizations as an interpreter (the declarative layer of the chain).
#[derive(Debug, Clone, Default)]
pub struct DeclarativeInterpreter {
    kinds: BTreeMap<Gvk, KindRules>,
}

impl DeclarativeInterpreter {
    /// Parses customizations given as JSON values (e.g. read from YAML files).
    pub fn from_values(values: impl IntoIterator<Item = Value>) -> Result<Self, DeclarativeError> {
        let customizations = values
            .into_iter()
            .map(|value| {
                let name = value
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                serde_json::from_value(value).map_err(|e| DeclarativeError::Invalid {
                    customization: name,
                    field: "(object)".to_string(),
                    message: e.to_string(),
                })
            })
            .collect::<Result<Vec<ResourceInterpreterCustomization>, _>>()?;
        Self::from_customizations(customizations)
    }

    /// Builds the interpreter from customizations: refuses Lua, parses every path once, and
    /// merges customizations of the same target in name order.
    pub fn from_customizations(
        mut customizations: Vec<ResourceInterpreterCustomization>,
    ) -> Result<Self, DeclarativeError> {
        customizations.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        let mut kinds: BTreeMap<Gvk, KindRules> = BTreeMap::new();
        for c in &customizations {
            let name = c.metadata.name.as_str();
            let invalid = |field: &str, message: &str| DeclarativeError::Invalid {
                customization: name.to_string(),
                field: field.to_string(),
                message: message.to_string(),
            };
            if !c.api_version.is_empty() && c.api_version != "config.karmada.io/v1alpha1" {
                return Err(invalid("apiVersion", "expected config.karmada.io/v1alpha1"));
            }
            if !c.kind.is_empty() && c.kind != "ResourceInterpreterCustomization" {
                return Err(invalid("kind", "expected ResourceInterpreterCustomization"));
            }
            let target = &c.spec.target;
            if target.api_version.is_empty() || target.kind.is_empty() {
                return Err(invalid("spec.target", "apiVersion and kind are required"));
            }
            let rules = compile(name, c)?;
            let entry = kinds
                .entry(Gvk::new(target.api_version.clone(), target.kind.clone()))
                .or_default();
            first_wins(&mut entry.replica, name, rules.replica);
            first_wins(&mut entry.revision, name, rules.revision);
            first_wins(&mut entry.retention, name, rules.retention);
            first_wins(&mut entry.reflection, name, rules.reflection);
            first_wins(&mut entry.aggregation, name, rules.aggregation);
            first_wins(&mut entry.health, name, rules.health);
            first_wins(&mut entry.components, name, rules.components);
            if let Some(rule) = rules.dependencies {
                entry.dependencies.push(Sourced {
                    customization: name.to_string(),
                    rule,
                });
            }
        }
        Ok(DeclarativeInterpreter { kinds })
    }

    /// The kinds customized, each with the operations enabled for it.
    pub fn targets(&self) -> Vec<(Gvk, Vec<Operation>)> {
        self.kinds
            .keys()
            .map(|gvk| {
                let ops = Operation::ALL
                    .into_iter()
                    .filter(|op| self.handles(gvk, *op))
                    .collect();
                (gvk.clone(), ops)
            })
            .collect()
    }

    fn rules(&self, object: &Value) -> Option<&KindRules> {
        self.kinds.get(&Gvk::of(object))
    }
}

struct Compiled {
    replica: Option<ReplicaRule>,
    revision: Option<Path>,
    retention: Option<Vec<Path>>,
    reflection: Option<Vec<(String, Path)>>,
    aggregation: Option<Vec<Path>>,
    health: Option<HealthRule>,
    dependencies: Option<DependencyRule>,
    components: Option<Vec<ComponentRule>>,
}

fn compile(name: &str, c: &ResourceInterpreterCustomization) -> Result<Compiled, DeclarativeError> {
    let rules = &c.spec.customizations;
    let lua = [
        (
            "retention",
            rules.retention.as_ref().and_then(|r| r.lua_script.as_ref()),
        ),
        (
            "replicaResource",
            rules
                .replica_resource
                .as_ref()
                .and_then(|r| r.lua_script.as_ref()),
        ),
        (
            "componentResource",
            rules
                .component_resource
                .as_ref()
                .and_then(|r| r.lua_script.as_ref()),
        ),
        (
            "replicaRevision",
            rules
                .replica_revision
                .as_ref()
                .and_then(|r| r.lua_script.as_ref()),
        ),
        (
            "statusReflection",
            rules
                .status_reflection
                .as_ref()
                .and_then(|r| r.lua_script.as_ref()),
        ),
        (
            "statusAggregation",
            rules
                .status_aggregation
                .as_ref()
                .and_then(|r| r.lua_script.as_ref()),
        ),
        (
            "healthInterpretation",
            rules
                .health_interpretation
                .as_ref()
                .and_then(|r| r.lua_script.as_ref()),
        ),
        (
            "dependencyInterpretation",
            rules
                .dependency_interpretation
                .as_ref()
                .and_then(|r| r.lua_script.as_ref()),
        ),
    ];
    // An empty script does not enable an operation in Karmada either.
    if let Some((field, _)) = lua
        .iter()
        .find(|(_, script)| script.is_some_and(|s| !s.trim().is_empty()))
    {
        return Err(DeclarativeError::LuaScript {
            customization: name.to_string(),
            field: field.to_string(),
        });
    }
    let at = |op: &str, key: &str| format!("spec.customizations.{op}.{key}");
    let opt =
        |op: &str, key: &str, text: &Option<String>| -> Result<Option<Path>, DeclarativeError> {
            text.as_deref()
                .filter(|t| !t.is_empty())
                .map(|t| Path::parse(name, &at(op, key), t))
                .transpose()
        };

    let replica = match &rules.replica_resource {
        Some(r) => {
            let rule = ReplicaRule {
                replicas: opt("replicaResource", "replicasPath", &r.replicas_path)?,
                pod_template: opt("replicaResource", "podTemplatePath", &r.pod_template_path)?,
                resource_request: opt(
                    "replicaResource",
                    "resourceRequestPath",
                    &r.resource_request_path,
                )?,
            };
            (rule.replicas.is_some()
                || rule.pod_template.is_some()
                || rule.resource_request.is_some())
            .then_some(rule)
        }
        None => None,
    };
    let revision = match rules
        .replica_revision
        .as_ref()
        .and_then(|r| r.replicas_path.as_deref())
    {
        Some(text) if !text.is_empty() => Some(Path::parse_plain(
            name,
            &at("replicaRevision", "replicasPath"),
            text,
        )?),
        _ => None,
    };
    let retention = match &rules.retention {
        Some(r) if !r.retain_fields.is_empty() => Some(
            r.retain_fields
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    Path::parse_plain(name, &at("retention", &format!("retainFields[{i}]")), t)
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        _ => None,
    };
    let reflection = match &rules.status_reflection {
        Some(r) if !r.fields.is_empty() => Some(
            r.fields
                .iter()
                .map(|(key, t)| {
                    Ok((
                        key.clone(),
                        Path::parse(name, &at("statusReflection", &format!("fields.{key}")), t)?,
                    ))
                })
                .collect::<Result<Vec<_>, DeclarativeError>>()?,
        ),
        _ => None,
    };
    let aggregation = match &rules.status_aggregation {
        Some(r) if !r.sum_fields.is_empty() => Some(
            r.sum_fields
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    Path::parse_plain(
                        name,
                        &at("statusAggregation", &format!("sumFields[{i}]")),
                        t,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        _ => None,
    };
    let health = match &rules.health_interpretation {
        Some(r) if !r.conditions.is_empty() || !r.expressions.is_empty() => {
            for (i, c) in r.conditions.iter().enumerate() {
                if c.type_.is_empty() {
                    return Err(DeclarativeError::Invalid {
                        customization: name.to_string(),
                        field: at("healthInterpretation", &format!("conditions[{i}].type")),
                        message: "condition type is empty".to_string(),
                    });
                }
            }
            Some(HealthRule {
                conditions: r.conditions.clone(),
                expressions: r
                    .expressions
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        // The object itself is the only element filtered, as `@`.
                        let filter = format!("$[?{}]", t.trim());
                        Path::parse(
                            name,
                            &at("healthInterpretation", &format!("expressions[{i}]")),
                            &filter,
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            })
        }
        _ => None,
    };
    let dependencies = match &rules.dependency_interpretation {
        Some(r) if !r.pod_template_paths.is_empty() || !r.dependencies.is_empty() => {
            let op = "dependencyInterpretation";
            let pod_templates = r
                .pod_template_paths
                .iter()
                .enumerate()
                .map(|(i, t)| Path::parse(name, &at(op, &format!("podTemplatePaths[{i}]")), t))
                .collect::<Result<Vec<_>, _>>()?;
            let mut named = Vec::new();
            for (i, d) in r.dependencies.iter().enumerate() {
                if d.api_version.is_empty() || d.kind.is_empty() {
                    return Err(DeclarativeError::Invalid {
                        customization: name.to_string(),
                        field: at(op, &format!("dependencies[{i}]")),
                        message: "apiVersion and kind are required".to_string(),
                    });
                }
                let path = Path::parse(
                    name,
                    &at(op, &format!("dependencies[{i}].namePath")),
                    &d.name_path,
                )?;
                named.push((d.api_version.clone(), d.kind.clone(), path));
            }
            Some(DependencyRule {
                pod_templates,
                named,
            })
        }
        _ => None,
    };
    let components = match &rules.component_resource {
        Some(r) if !r.components.is_empty() => {
            let mut seen = BTreeSet::new();
            let mut out = Vec::new();
            for (i, c) in r.components.iter().enumerate() {
                let field = at("componentResource", &format!("components[{i}]"));
                if c.name.is_empty() || !seen.insert(c.name.clone()) {
                    return Err(DeclarativeError::Invalid {
                        customization: name.to_string(),
                        field,
                        message: format!("component name {:?} is empty or repeated", c.name),
                    });
                }
                out.push(ComponentRule {
                    name: c.name.clone(),
                    replicas: Path::parse(
                        name,
                        &format!("{field}.replicasPath"),
                        &c.replicas_path,
                    )?,
                    pod_template: c
                        .pod_template_path
                        .as_deref()
                        .map(|t| Path::parse(name, &format!("{field}.podTemplatePath"), t))
                        .transpose()?,
                });
            }
            Some(out)
        }
        _ => None,
    };
    Ok(Compiled {
        replica,
        revision,
        retention,
        reflection,
        aggregation,
        health,
        dependencies,
        components,
    })
}

fn object_name(object: &Value) -> String {
    let get = |p: &str| object.pointer(p).and_then(Value::as_str).unwrap_or("");
    match get("/metadata/namespace") {
        "" => get("/metadata/name").to_string(),
        ns => format!("{ns}/{}", get("/metadata/name")),
    }
}

fn malformed(
    object: &Value,
    operation: Operation,
    field: &str,
    message: String,
) -> InterpreterError {
    InterpreterError::Malformed {
        operation,
        kind: Gvk::of(object).kind,
        name: object_name(object),
        field: field.to_string(),
        message,
    }
}

fn replica_count(
    object: &Value,
    operation: Operation,
    path: &Path,
) -> Result<i32, InterpreterError> {
    match path.first(object) {
        None => Ok(0),
        Some(value) => value
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                malformed(
                    object,
                    operation,
                    &path.text,
                    format!("expected a replica count, found {value}"),
                )
            }),
    }
}

fn set_plain(target: &mut Value, fields: &[String], value: Value) {
    let Some((last, parents)) = fields.split_last() else {
        return;
    };
    let mut cursor = target;
    for field in parents {
        if !cursor.is_object() {
            *cursor = Value::Object(Map::new());
        }
        let Value::Object(map) = cursor else { return };
        cursor = map
            .entry(field.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if !cursor.is_object() {
        *cursor = Value::Object(Map::new());
    }
    if let Value::Object(map) = cursor {
        map.insert(last.clone(), value);
    }
}

fn remove_plain(target: &mut Value, fields: &[String]) {
    let Some((last, parents)) = fields.split_last() else {
        return;
    };
    let mut cursor = target;
    for field in parents {
        match cursor.get_mut(field.as_str()) {
            Some(next) => cursor = next,
            None => return,
        }
    }
    if let Value::Object(map) = cursor {
        map.shift_remove(last.as_str());
    }
}

fn get_plain<'a>(value: &'a Value, fields: &[String]) -> Option<&'a Value> {
    fields.iter().try_fold(value, |v, f| v.get(f.as_str()))
}

/// Reads one resource list into quantities, Karmada's way: cpu in millicores, everything else
/// in whole units rounded up.
fn read_resources(
    object: &Value,
    operation: Operation,
    field: &str,
    value: Option<&Value>,
) -> Result<ResourceList, InterpreterError> {
    let mut out = ResourceList::new();
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(out);
    };
    let map = value.as_object().ok_or_else(|| {
        malformed(
            object,
            operation,
            field,
            format!("expected a resource list, found {value}"),
        )
    })?;
    for (name, q) in map {
        let text = match q {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => {
                return Err(malformed(
                    object,
                    operation,
                    &format!("{field}.{name}"),
                    format!("expected a quantity, found {other}"),
                ))
            }
        };
        let quantity: Quantity = text.parse().map_err(|e| {
            malformed(
                object,
                operation,
                &format!("{field}.{name}"),
                format!("{e}"),
            )
        })?;
        out.insert(name.clone(), quantity);
    }
    Ok(out)
}

fn is_kept_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage" | "pods")
        || name.contains('/')
        || name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
}

fn karmada_units(name: &str, quantity: &Quantity) -> Quantity {
    let text = if name == "cpu" {
        let milli = quantity.milli_value();
        if milli % 1000 == 0 {
            decimal_si(milli / 1000)
        } else {
            format!("{milli}m")
        }
    } else if name == "memory" || name == "ephemeral-storage" || name.starts_with("hugepages-") {
        binary_si(quantity.value())
    } else {
        decimal_si(quantity.value())
    };
    text.parse().unwrap_or_else(|_| quantity.clone())
}

/// An integer as Kubernetes writes it in DecimalSI (`1k`, `2M`, `1500`).
fn decimal_si(value: i64) -> String {
    const SUFFIXES: [&str; 6] = ["k", "M", "G", "T", "P", "E"];
    let (mut mantissa, mut suffix) = (value, "");
    for next in SUFFIXES {
        if mantissa != 0 && mantissa % 1000 == 0 {
            mantissa /= 1000;
            suffix = next;
        } else {
            break;
        }
    }
    format!("{mantissa}{suffix}")
}

/// An integer as Kubernetes writes it in BinarySI (`256Mi`, `1Gi`, `1000`).
fn binary_si(value: i64) -> String {
    const SUFFIXES: [&str; 6] = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    let (mut mantissa, mut suffix) = (value, "");
    for next in SUFFIXES {
        if mantissa != 0 && mantissa % 1024 == 0 {
            mantissa /= 1024;
            suffix = next;
        } else {
            break;
        }
    }
    format!("{mantissa}{suffix}")
}

/// Karmada's effective per-pod request: limits fill missing requests per container,
/// containers summed, raised to each init container, overhead added, zero entries dropped.
fn pod_request(
    object: &Value,
    operation: Operation,
    field: &str,
    spec: &Value,
) -> Result<ResourceList, InterpreterError> {
    let container = |c: &Value, path: &str| -> Result<ResourceList, InterpreterError> {
        let mut requests = read_resources(
            object,
            operation,
            &format!("{path}.resources.requests"),
            c.pointer("/resources/requests"),
        )?;
        for (name, q) in read_resources(
            object,
            operation,
            &format!("{path}.resources.limits"),
            c.pointer("/resources/limits"),
        )? {
            requests.entry(name).or_insert(q);
        }
        Ok(requests)
    };
    let mut total = ResourceList::new();
    for (i, c) in spec
        .get("containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        for (name, q) in container(c, &format!("{field}.containers[{i}]"))? {
            let q = karmada_units(&name, &q);
            let sum = total.get(&name).map(|t| t.add(&q)).unwrap_or(q);
            total.insert(name, sum);
        }
    }
    for (i, c) in spec
        .get("initContainers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        for (name, q) in container(c, &format!("{field}.initContainers[{i}]"))? {
            let q = karmada_units(&name, &q);
            if total.get(&name).is_none_or(|t| q > *t) {
                total.insert(name, q);
            }
        }
    }
    for (name, q) in read_resources(
        object,
        operation,
        &format!("{field}.overhead"),
        spec.get("overhead"),
    )? {
        let q = karmada_units(&name, &q);
        let sum = total.get(&name).map(|t| t.add(&q)).unwrap_or(q);
        total.insert(name, sum);
    }
    total.retain(|name, q| !q.is_zero() && is_kept_resource(name));
    Ok(total)
}

fn node_claim(
    object: &Value,
    operation: Operation,
    field: &str,
    spec: &Value,
) -> Result<Option<NodeClaim>, InterpreterError> {
    let node_selector = spec.get("nodeSelector").filter(|v| !v.is_null());
    let tolerations = spec.get("tolerations").filter(|v| !v.is_null());
    let affinity = spec
        .pointer("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution")
        .filter(|v| !v.is_null());
    let tolerations: Vec<Toleration> = match tolerations {
        None => Vec::new(),
        Some(t) => serde_json::from_value(t.clone()).map_err(|e| {
            malformed(
                object,
                operation,
                &format!("{field}.tolerations"),
                e.to_string(),
            )
        })?,
    };
    if node_selector.is_none() && tolerations.is_empty() && affinity.is_none() {
        return Ok(None);
    }
    Ok(Some(NodeClaim {
        hard_node_affinity: affinity
            .map(|a| serde_json::from_value::<NodeSelector>(a.clone()))
            .transpose()
            .map_err(|e| {
                malformed(
                    object,
                    operation,
                    &format!("{field}.affinity.nodeAffinity"),
                    e.to_string(),
                )
            })?,
        node_selector: node_selector
            .map(|s| serde_json::from_value(s.clone()))
            .transpose()
            .map_err(|e| {
                malformed(
                    object,
                    operation,
                    &format!("{field}.nodeSelector"),
                    e.to_string(),
                )
            })?
            .unwrap_or_default(),
        tolerations,
    }))
}

fn template_spec<'a>(object: &'a Value, path: &Path) -> (&'a Value, String) {
    let spec = path
        .first(object)
        .and_then(|t| t.get("spec"))
        .unwrap_or(&Value::Null);
    (spec, format!("{}.spec", path.text))
}

fn customization_error(
    rule: &str,
    object: &Value,
    operation: Operation,
    message: String,
) -> InterpreterError {
    InterpreterError::Customization {
        interpreter: rule.to_string(),
        kind: Gvk::of(object).kind,
        operation,
        message,
    }
}

impl ResourceInterpreter for DeclarativeInterpreter {
    fn name(&self) -> &str {
        "declarative"
    }

    fn handles(&self, gvk: &Gvk, operation: Operation) -> bool {
        let Some(rules) = self.kinds.get(gvk) else {
            return false;
        };
        match operation {
            Operation::InterpretReplica => rules.replica.is_some(),
            Operation::ReviseReplica => rules.revision.is_some(),
            Operation::Retain => rules.retention.is_some(),
            Operation::AggregateStatus => rules.aggregation.is_some(),
            Operation::InterpretStatus => rules.reflection.is_some(),
            Operation::InterpretHealth => rules.health.is_some(),
            Operation::InterpretDependency => !rules.dependencies.is_empty(),
            Operation::InterpretComponent => rules.components.is_some(),
        }
    }

    fn interpret_replica(&self, object: &Value) -> Result<ReplicaInterpretation, InterpreterError> {
        let op = Operation::InterpretReplica;
        let Some(Sourced { rule, .. }) = self.rules(object).and_then(|r| r.replica.as_ref()) else {
            return Err(crate::interpreter::unsupported(object, op));
        };
        let replicas = match &rule.replicas {
            Some(path) => replica_count(object, op, path)?,
            None => 0,
        };
        let namespace = object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (mut node_claim_found, mut request) = (None, ResourceList::new());
        if let Some(path) = &rule.pod_template {
            let (spec, field) = template_spec(object, path);
            node_claim_found = node_claim(object, op, &field, spec)?;
            request = pod_request(object, op, &field, spec)?;
        }
        if let Some(path) = &rule.resource_request {
            request = read_resources(object, op, &path.text, path.first(object))?;
            request.retain(|_, q| !q.is_zero());
        }
        let replica_requirements =
            (node_claim_found.is_some() || !request.is_empty()).then(|| ReplicaRequirements {
                node_claim: node_claim_found,
                resource_request: request,
                namespace: namespace.to_string(),
                priority_class_name: String::new(),
            });
        Ok(ReplicaInterpretation {
            replicas,
            replica_requirements,
        })
    }

    fn revise_replica(&self, object: &Value, replicas: i64) -> Result<Value, InterpreterError> {
        let Some(Sourced { rule, .. }) = self.rules(object).and_then(|r| r.revision.as_ref())
        else {
            return Err(crate::interpreter::unsupported(
                object,
                Operation::ReviseReplica,
            ));
        };
        let mut revised = object.clone();
        set_plain(&mut revised, rule.plain(), Value::from(replicas));
        Ok(revised)
    }

    fn retain(&self, desired: &Value, observed: &Value) -> Result<Value, InterpreterError> {
        let Some(Sourced { rule, .. }) = self.rules(desired).and_then(|r| r.retention.as_ref())
        else {
            return Err(crate::interpreter::unsupported(desired, Operation::Retain));
        };
        let mut retained = desired.clone();
        for path in rule {
            match get_plain(observed, path.plain()) {
                Some(value) => set_plain(&mut retained, path.plain(), value.clone()),
                None => remove_plain(&mut retained, path.plain()),
            }
        }
        Ok(retained)
    }

    fn aggregate_status(
        &self,
        object: &Value,
        items: &[AggregatedStatusItem],
    ) -> Result<Value, InterpreterError> {
        let op = Operation::AggregateStatus;
        let Some(Sourced {
            customization,
            rule,
        }) = self.rules(object).and_then(|r| r.aggregation.as_ref())
        else {
            return Err(crate::interpreter::unsupported(object, op));
        };
        let mut status = match object.get("status") {
            Some(Value::Object(map)) => Value::Object(map.clone()),
            _ => Value::Object(Map::new()),
        };
        for path in rule {
            let mut int_total: i64 = 0;
            let mut float_total: f64 = 0.0;
            let mut any_float = false;
            for item in items {
                let Some(value) = item
                    .status
                    .as_ref()
                    .and_then(|s| get_plain(s, path.plain()))
                else {
                    continue;
                };
                if let Some(n) = value.as_i64() {
                    int_total = int_total.checked_add(n).ok_or_else(|| {
                        customization_error(
                            customization,
                            object,
                            op,
                            format!("sum of {} overflows", path.text),
                        )
                    })?;
                } else if let Some(f) = value.as_f64() {
                    any_float = true;
                    float_total += f;
                } else if !value.is_null() {
                    return Err(customization_error(
                        customization,
                        object,
                        op,
                        format!(
                            "cluster {}: status field {} is {value}, not a number",
                            item.cluster_name, path.text
                        ),
                    ));
                }
            }
            let total = if any_float {
                serde_json::Number::from_f64(float_total + int_total as f64)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)
            } else {
                Value::from(int_total)
            };
            set_plain(&mut status, path.plain(), total);
        }
        let mut aggregated = object.clone();
        set_plain(&mut aggregated, &["status".to_string()], status);
        Ok(aggregated)
    }

    fn interpret_status(&self, object: &Value) -> Result<Option<Value>, InterpreterError> {
        let Some(Sourced { rule, .. }) = self.rules(object).and_then(|r| r.reflection.as_ref())
        else {
            return Err(crate::interpreter::unsupported(
                object,
                Operation::InterpretStatus,
            ));
        };
        let reflected: Map<String, Value> = rule
            .iter()
            .filter_map(|(key, path)| path.first(object).map(|v| (key.clone(), v.clone())))
            .collect();
        Ok((!reflected.is_empty()).then_some(Value::Object(reflected)))
    }

    fn interpret_health(&self, object: &Value) -> Result<bool, InterpreterError> {
        let Some(Sourced { rule, .. }) = self.rules(object).and_then(|r| r.health.as_ref()) else {
            return Err(crate::interpreter::unsupported(
                object,
                Operation::InterpretHealth,
            ));
        };
        let conditions = object
            .pointer("/status/conditions")
            .and_then(Value::as_array);
        let condition_holds = |c: &ConditionRule| {
            let want = if c.status.is_empty() {
                "True"
            } else {
                c.status.as_str()
            };
            conditions.into_iter().flatten().any(|found| {
                found.get("type").and_then(Value::as_str) == Some(c.type_.as_str())
                    && found.get("status").and_then(Value::as_str) == Some(want)
            })
        };
        Ok(rule.conditions.iter().all(condition_holds)
            && (rule.expressions.is_empty() || {
                let wrapped = Value::Array(vec![object.clone()]);
                rule.expressions.iter().all(|e| !e.all(&wrapped).is_empty())
            }))
    }

    fn interpret_dependency(
        &self,
        object: &Value,
    ) -> Result<Vec<DependentObjectReference>, InterpreterError> {
        let Some(rules) = self.rules(object).filter(|r| !r.dependencies.is_empty()) else {
            return Err(crate::interpreter::unsupported(
                object,
                Operation::InterpretDependency,
            ));
        };
        let namespace = object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        let mut found: BTreeSet<(String, String, String)> = BTreeSet::new();
        for Sourced { rule, .. } in &rules.dependencies {
            for path in &rule.pod_templates {
                let (spec, _) = template_spec(object, path);
                for (kind, name) in pod_dependencies(spec) {
                    found.insert(("v1".to_string(), kind.to_string(), name));
                }
            }
            for (api_version, kind, path) in &rule.named {
                for value in path.all(object) {
                    if let Some(name) = value.as_str().filter(|n| !n.is_empty()) {
                        found.insert((api_version.clone(), kind.clone(), name.to_string()));
                    }
                }
            }
        }
        Ok(found
            .into_iter()
            .map(|(api_version, kind, name)| DependentObjectReference {
                api_version,
                kind,
                namespace: namespace.to_string(),
                name,
                label_selector: None,
            })
            .collect())
    }

    fn interpret_component(&self, object: &Value) -> Result<Vec<Component>, InterpreterError> {
        let op = Operation::InterpretComponent;
        let Some(Sourced { rule, .. }) = self.rules(object).and_then(|r| r.components.as_ref())
        else {
            return Err(crate::interpreter::unsupported(object, op));
        };
        rule.iter()
            .map(|c| {
                let replicas = replica_count(object, op, &c.replicas)?;
                let replica_requirements = match &c.pod_template {
                    None => None,
                    Some(path) => {
                        let (spec, field) = template_spec(object, path);
                        let claim = node_claim(object, op, &field, spec)?;
                        let request = pod_request(object, op, &field, spec)?;
                        (claim.is_some() || !request.is_empty()).then(|| {
                            ComponentReplicaRequirements {
                                node_claim: claim,
                                resource_request: request,
                                priority_class_name: spec
                                    .get("priorityClassName")
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                                    .to_string(),
                            }
                        })
                    }
                };
                Ok(Component {
                    name: c.name.clone(),
                    replicas,
                    replica_requirements,
                })
            })
            .collect()
    }
}

/// The ConfigMaps, Secrets, PersistentVolumeClaims and ServiceAccount a pod spec refers to.
fn pod_dependencies(spec: &Value) -> BTreeSet<(&'static str, String)> {
    let mut found = BTreeSet::new();
    let mut add = |kind: &'static str, name: Option<&Value>| {
        if let Some(name) = name.and_then(Value::as_str).filter(|n| !n.is_empty()) {
            found.insert((kind, name.to_string()));
        }
    };
    for key in ["containers", "initContainers", "ephemeralContainers"] {
        for c in spec
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for env in c.get("env").and_then(Value::as_array).into_iter().flatten() {
                add("ConfigMap", env.pointer("/valueFrom/configMapKeyRef/name"));
                add("Secret", env.pointer("/valueFrom/secretKeyRef/name"));
            }
            for from in c
                .get("envFrom")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                add("ConfigMap", from.pointer("/configMapRef/name"));
                add("Secret", from.pointer("/secretRef/name"));
            }
        }
    }
    for v in spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        add("ConfigMap", v.pointer("/configMap/name"));
        add("Secret", v.pointer("/secret/secretName"));
        add(
            "PersistentVolumeClaim",
            v.pointer("/persistentVolumeClaim/claimName"),
        );
        for s in v
            .pointer("/projected/sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add("ConfigMap", s.pointer("/configMap/name"));
            add("Secret", s.pointer("/secret/name"));
        }
    }
    for s in spec
        .get("imagePullSecrets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        add("Secret", s.get("name"));
    }
    if spec.get("serviceAccountName").and_then(Value::as_str) != Some("default") {
        add("ServiceAccount", spec.get("serviceAccountName"));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_written_as_kubernetes_writes_them() {
        let cases = [
            ("cpu", "250m", "250m"),
            ("cpu", "2", "2"),
            ("cpu", "1.5", "1500m"),
            ("cpu", "0.0001", "1m"),
            ("memory", "268435456", "256Mi"),
            ("memory", "1G", "1000000000"),
            ("memory", "1536", "1536"),
            ("pods", "1000", "1k"),
            ("nvidia.com/gpu", "2", "2"),
        ];
        for (name, input, want) in cases {
            let q: Quantity = input.parse().expect("quantity");
            assert_eq!(karmada_units(name, &q).as_str(), want, "{name} {input}");
        }
    }

    #[test]
    fn paths_accept_the_short_forms() {
        let value = serde_json::json!({"spec": {"size": 3}});
        for text in [
            "spec.size",
            ".spec.size",
            "$.spec.size",
            "$['spec']['size']",
        ] {
            let path = Path::parse("c", "f", text).expect("parses");
            assert_eq!(path.first(&value), Some(&serde_json::json!(3)), "{text}");
        }
        assert!(Path::parse_plain("c", "f", "spec.size").is_ok());
        assert!(Path::parse_plain("c", "f", "spec.items[0]").is_err());
    }
}
