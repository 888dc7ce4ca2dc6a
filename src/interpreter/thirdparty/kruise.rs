//! OpenKruise built-ins: CloneSet, Advanced DaemonSet (`apps.kruise.io/v1alpha1`), Advanced
//! StatefulSet (`apps.kruise.io/v1beta1`), UnitedDeployment, BroadcastJob, AdvancedCronJob
//! and SidecarSet.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{init_lua_status, reference, reflect_fields};
use crate::api::{AggregatedStatusItem, DependentObjectReference};
use crate::interpreter::generation::lua_observed_generation;
use crate::interpreter::object::{as_map_mut, at, lenient_int, malformed, str_at, strict_int};
use crate::interpreter::podspec::{pod_references, requirements, PodSpecAt};
use crate::interpreter::{InterpreterError, Operation, ReplicaInterpretation};

/// An OpenKruise kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KruiseKind {
    /// `apps.kruise.io/v1alpha1` CloneSet.
    CloneSet,
    /// `apps.kruise.io/v1alpha1` DaemonSet (Advanced DaemonSet).
    DaemonSet,
    /// `apps.kruise.io/v1beta1` StatefulSet (Advanced StatefulSet).
    StatefulSet,
    /// `apps.kruise.io/v1alpha1` UnitedDeployment.
    UnitedDeployment,
    /// `apps.kruise.io/v1alpha1` BroadcastJob.
    BroadcastJob,
    /// `apps.kruise.io/v1alpha1` AdvancedCronJob.
    AdvancedCronJob,
    /// `apps.kruise.io/v1alpha1` SidecarSet.
    SidecarSet,
}

const CLONESET_COUNTERS: &[&str] = &[
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "updatedReadyReplicas",
    "expectedUpdatedReplicas",
];
const DAEMONSET_COUNTERS: &[&str] = &[
    "currentNumberScheduled",
    "numberMisscheduled",
    "desiredNumberScheduled",
    "numberReady",
    "updatedNumberScheduled",
    "numberAvailable",
    "numberUnavailable",
];
const STATEFULSET_COUNTERS: &[&str] = &[
    "replicas",
    "readyReplicas",
    "currentReplicas",
    "updatedReplicas",
    "availableReplicas",
    "updatedReadyReplicas",
];
const UNITED_COUNTERS: &[&str] = &[
    "replicas",
    "readyReplicas",
    "updatedReplicas",
    "availableReplicas",
    "unavailableReplicas",
];
const SIDECARSET_COUNTERS: &[&str] = &["matchedPods", "updatedPods", "readyPods"];

impl KruiseKind {
    /// The Kruise kind of an exact group/version/kind.
    pub fn of(api_version: &str, kind: &str) -> Option<KruiseKind> {
        use KruiseKind::*;
        Some(match (api_version, kind) {
            ("apps.kruise.io/v1alpha1", "CloneSet") => CloneSet,
            ("apps.kruise.io/v1alpha1", "DaemonSet") => DaemonSet,
            ("apps.kruise.io/v1beta1", "StatefulSet") => StatefulSet,
            ("apps.kruise.io/v1alpha1", "UnitedDeployment") => UnitedDeployment,
            ("apps.kruise.io/v1alpha1", "BroadcastJob") => BroadcastJob,
            ("apps.kruise.io/v1alpha1", "AdvancedCronJob") => AdvancedCronJob,
            ("apps.kruise.io/v1alpha1", "SidecarSet") => SidecarSet,
            _ => return None,
        })
    }

    pub(crate) fn handles(self, op: Operation) -> bool {
        use KruiseKind::*;
        use Operation::*;
        match self {
            CloneSet | StatefulSet | UnitedDeployment => matches!(
                op,
                InterpretReplica
                    | ReviseReplica
                    | AggregateStatus
                    | InterpretStatus
                    | InterpretHealth
                    | InterpretDependency
            ),
            DaemonSet => matches!(
                op,
                AggregateStatus | InterpretStatus | InterpretHealth | InterpretDependency
            ),
            BroadcastJob => matches!(
                op,
                InterpretReplica
                    | ReviseReplica
                    | InterpretHealth
                    | AggregateStatus
                    | Retain
                    | InterpretStatus
                    | InterpretDependency
            ),
            AdvancedCronJob => matches!(op, AggregateStatus | InterpretDependency),
            SidecarSet => matches!(
                op,
                InterpretStatus
                    | InterpretReplica
                    | AggregateStatus
                    | Retain
                    | InterpretHealth
                    | InterpretDependency
            ),
        }
    }

    fn replica_field(self) -> &'static str {
        if self == KruiseKind::BroadcastJob {
            "parallelism"
        } else {
            "replicas"
        }
    }

    pub(crate) fn interpret_replica(
        self,
        obj: &Value,
    ) -> Result<ReplicaInterpretation, InterpreterError> {
        let op = Operation::InterpretReplica;
        if self == KruiseKind::SidecarSet {
            return Ok(ReplicaInterpretation::default());
        }
        let field = self.replica_field();
        let replicas = match (strict_int(op, obj, &["spec", field])?, self) {
            (Some(n), _) => n,
            (None, KruiseKind::BroadcastJob) => 1,
            (None, _) => {
                return Err(malformed(
                    op,
                    obj,
                    format!("spec.{field}"),
                    "missing replica count",
                ))
            }
        };
        if replicas < 0 {
            return Err(malformed(
                op,
                obj,
                format!("spec.{field}"),
                format!("negative value {replicas}"),
            ));
        }
        let replicas = i32::try_from(replicas).map_err(|_| {
            malformed(
                op,
                obj,
                format!("spec.{field}"),
                format!("{replicas} does not fit in int32"),
            )
        })?;
        let template = match at(obj, &["spec", "template"]) {
            Some(t @ Value::Object(_)) => t,
            Some(Value::Null) | None => {
                return Err(malformed(op, obj, "spec.template", "missing pod template"))
            }
            Some(_) => {
                return Err(malformed(
                    op,
                    obj,
                    "spec.template",
                    "expected a pod template object",
                ))
            }
        };
        let at_ = PodSpecAt {
            operation: op,
            object: obj,
            path: "spec.template.spec",
        };
        Ok(ReplicaInterpretation {
            replicas,
            replica_requirements: requirements(&at_, template.get("spec"), false)?,
        })
    }

    pub(crate) fn revise_replica(
        self,
        obj: &Value,
        replicas: i64,
    ) -> Result<Value, InterpreterError> {
        let field = self.replica_field();
        if !(0..=i64::from(i32::MAX)).contains(&replicas) {
            return Err(malformed(
                Operation::ReviseReplica,
                obj,
                format!("spec.{field}"),
                format!("desired replicas {replicas} out of range"),
            ));
        }
        let mut out = obj.clone();
        as_map_mut(as_map_mut(&mut out).entry("spec").or_insert(Value::Null))
            .insert(field.into(), Value::from(replicas));
        Ok(out)
    }

    pub(crate) fn retain(self, desired: &Value, observed: &Value) -> Value {
        let mut out = desired.clone();
        if self == KruiseKind::BroadcastJob {
            if let Some(labels) =
                at(observed, &["spec", "template", "metadata", "labels"]).filter(|v| !v.is_null())
            {
                let spec = as_map_mut(as_map_mut(&mut out).entry("spec").or_insert(Value::Null));
                let template = as_map_mut(spec.entry("template").or_insert(Value::Null));
                as_map_mut(template.entry("metadata").or_insert(Value::Null))
                    .insert("labels".into(), labels.clone());
            }
        }
        out
    }

    pub(crate) fn reflect_status(self, obj: &Value) -> Value {
        use KruiseKind::*;
        match self {
            CloneSet => reflect_fields(
                obj,
                &[
                    "replicas",
                    "updatedReplicas",
                    "readyReplicas",
                    "availableReplicas",
                    "updatedReadyReplicas",
                    "expectedUpdatedReplicas",
                    "updateRevision",
                    "currentRevision",
                    "observedGeneration",
                    "labelSelector",
                ],
            ),
            DaemonSet => reflect_fields(
                obj,
                &[
                    "observedGeneration",
                    "currentNumberScheduled",
                    "numberMisscheduled",
                    "desiredNumberScheduled",
                    "numberReady",
                    "updatedNumberScheduled",
                    "numberAvailable",
                    "numberUnavailable",
                    "daemonSetHash",
                ],
            ),
            StatefulSet => reflect_fields(
                obj,
                &[
                    "replicas",
                    "readyReplicas",
                    "currentReplicas",
                    "updatedReplicas",
                    "availableReplicas",
                    "updateRevision",
                    "currentRevision",
                    "updatedReadyReplicas",
                    "observedGeneration",
                ],
            ),
            UnitedDeployment => reflect_fields(
                obj,
                &[
                    "replicas",
                    "updatedReplicas",
                    "readyReplicas",
                    "availableReplicas",
                    "unavailableReplicas",
                    "observedGeneration",
                    "conditions",
                ],
            ),
            BroadcastJob => {
                // No generation keys for BroadcastJob.
                let Some(status) = obj.get("status").filter(|s| !s.is_null()) else {
                    return Value::Object(Map::new());
                };
                let mut out = Map::new();
                for k in [
                    "conditions",
                    "startTime",
                    "completionTime",
                    "active",
                    "succeeded",
                    "failed",
                    "desired",
                    "phase",
                ] {
                    if let Some(v) = status.get(k).filter(|v| !v.is_null()) {
                        out.insert(k.into(), v.clone());
                    }
                }
                Value::Object(out)
            }
            SidecarSet => {
                let Some(status) = obj.get("status").filter(|s| !s.is_null()) else {
                    return Value::Object(Map::new());
                };
                let mut out = Map::new();
                for k in SIDECARSET_COUNTERS {
                    let n = status.get(*k).map(lenient_int).unwrap_or(0);
                    out.insert((*k).into(), Value::from(n));
                }
                Value::Object(out)
            }
            // Not reflected by a customization: the native whole-status fallback.
            AdvancedCronJob => obj
                .get("status")
                .cloned()
                .unwrap_or(Value::Object(Map::new())),
        }
    }

    pub(crate) fn interpret_health(self, obj: &Value) -> Result<bool, InterpreterError> {
        let status = obj.get("status").filter(|s| !s.is_null());
        let n = |k: &str| int_or_zero(status, k);
        use KruiseKind::*;
        if matches!(self, CloneSet | StatefulSet | DaemonSet) && status.is_none() {
            return Err(malformed(
                Operation::InterpretHealth,
                obj,
                "status",
                "the member object has no status",
            ));
        }
        let generation_observed = || {
            status
                .and_then(|s| s.get("observedGeneration"))
                .map(lenient_int)
                == at(obj, &["metadata", "generation"]).map(lenient_int)
        };
        let spec_replicas = at(obj, &["spec", "replicas"])
            .filter(|v| !v.is_null())
            .map(lenient_int);
        Ok(match self {
            CloneSet | StatefulSet => {
                generation_observed()
                    && spec_replicas.is_none_or(|r| n("updatedReplicas") >= r)
                    && n("availableReplicas") >= n("updatedReplicas")
            }
            UnitedDeployment => {
                status.is_some()
                    && obj.get("metadata").is_some()
                    && obj.get("spec").is_some()
                    && generation_observed()
                    && spec_replicas.is_none_or(|r| n("updatedReplicas") >= r)
                    && n("availableReplicas") >= n("updatedReplicas")
            }
            DaemonSet => {
                generation_observed()
                    && n("updatedNumberScheduled") >= n("desiredNumberScheduled")
                    && n("numberAvailable") >= n("updatedNumberScheduled")
            }
            BroadcastJob => {
                !(n("desired") == 0
                    || n("failed") != 0
                    || (n("succeeded") == 0 && n("active") == 0))
            }
            SidecarSet => {
                status.is_some() && (n("matchedPods") == 0 || n("updatedPods") == n("matchedPods"))
            }
            AdvancedCronJob => true,
        })
    }

    pub(crate) fn dependencies(self, obj: &Value) -> Vec<DependentObjectReference> {
        let mut namespace = str_at(obj, &["metadata", "namespace"]);
        if namespace.is_empty() {
            // `kube.getPodDependencies` defaults a nil namespace to "default".
            namespace = "default";
        }
        let template = match self {
            KruiseKind::SidecarSet => return sidecarset_dependencies(obj),
            KruiseKind::AdvancedCronJob => at(
                obj,
                &[
                    "spec",
                    "template",
                    "broadcastJobTemplate",
                    "spec",
                    "template",
                ],
            )
            .or_else(|| {
                at(
                    obj,
                    &["spec", "template", "jobTemplate", "spec", "template"],
                )
            }),
            _ => at(obj, &["spec", "template"]),
        };
        let spec = template.and_then(|t| t.get("spec")).unwrap_or(&Value::Null);
        pod_references(spec).into_references(namespace)
    }

    pub(crate) fn aggregate_status(
        self,
        obj: &Value,
        items: Option<&[AggregatedStatusItem]>,
    ) -> Result<Value, InterpreterError> {
        use KruiseKind::*;
        match self {
            CloneSet => Ok(workload(
                obj,
                items,
                &WorkloadStatus {
                    counters: CLONESET_COUNTERS,
                    strings: &["updateRevision", "currentRevision", "labelSelector"],
                    strings_when_unpropagated: false,
                    hash: None,
                },
            )),
            StatefulSet => Ok(workload(
                obj,
                items,
                &WorkloadStatus {
                    counters: STATEFULSET_COUNTERS,
                    strings: &["updateRevision", "currentRevision"],
                    strings_when_unpropagated: true,
                    hash: None,
                },
            )),
            DaemonSet => Ok(workload(
                obj,
                items,
                &WorkloadStatus {
                    counters: DAEMONSET_COUNTERS,
                    strings: &[],
                    strings_when_unpropagated: true,
                    hash: Some("daemonSetHash"),
                },
            )),
            UnitedDeployment => Ok(united_deployment(obj, items)),
            BroadcastJob => Ok(broadcast_job(obj, items)),
            AdvancedCronJob => Ok(advanced_cron_job(obj, items)),
            SidecarSet => Ok(sidecarset(obj, items.unwrap_or(&[]))),
        }
    }
}

fn int_or_zero(status: Option<&Value>, key: &str) -> i64 {
    status
        .and_then(|s| s.get(key))
        .map(lenient_int)
        .unwrap_or(0)
}

fn member_sum(items: &[AggregatedStatusItem], key: &str) -> i64 {
    items
        .iter()
        .map(|i| int_or_zero(i.status.as_ref(), key))
        .sum()
}

/// The last member value of `key` that is set and not the empty string.
fn last_non_empty<'a>(items: &'a [AggregatedStatusItem], key: &str) -> Option<&'a Value> {
    items
        .iter()
        .filter_map(|i| i.status.as_ref().and_then(|s| s.get(key)))
        .rfind(|v| !v.is_null() && v.as_str() != Some(""))
}

/// The aggregated status fields of a workload kind.
struct WorkloadStatus {
    /// Summed over the members.
    counters: &'static [&'static str],
    /// The last non-empty member value, else `""`.
    strings: &'static [&'static str],
    /// Whether a template propagated nowhere yet (`statusItems == nil`) gets the string
    /// fields too: CloneSet's script then writes only the counters and observedGeneration.
    strings_when_unpropagated: bool,
    /// The last non-empty member value, else the number 0.
    hash: Option<&'static str>,
}

/// CloneSet, Advanced StatefulSet and Advanced DaemonSet: counters summed, string fields the
/// last non-empty member value (else `""`), the DaemonSet hash the last non-empty value
/// (else the number 0), observedGeneration by the Lua rule.
fn workload(obj: &Value, items: Option<&[AggregatedStatusItem]>, shape: &WorkloadStatus) -> Value {
    let WorkloadStatus {
        counters,
        strings,
        strings_when_unpropagated,
        hash,
    } = *shape;
    let strings = if items.is_none() && !strings_when_unpropagated {
        &[]
    } else {
        strings
    };
    let mut out = obj.clone();
    let (generation, status) = init_lua_status(&mut out);
    let previous = status
        .get("observedGeneration")
        .map(lenient_int)
        .unwrap_or(0);
    let items_or_empty = items.unwrap_or(&[]);
    let observed = match items {
        None => generation,
        Some(items) => lua_observed_generation(generation, previous, items, true),
    };
    status.insert("observedGeneration".into(), Value::from(observed));
    for c in counters {
        status.insert((*c).into(), Value::from(member_sum(items_or_empty, c)));
    }
    for s in strings {
        let v = last_non_empty(items_or_empty, s)
            .cloned()
            .unwrap_or(Value::String(String::new()));
        status.insert((*s).into(), v);
    }
    if let Some(h) = hash {
        let v = last_non_empty(items_or_empty, h)
            .cloned()
            .unwrap_or(Value::from(0));
        status.insert(h.into(), v);
    }
    out
}

fn united_deployment(obj: &Value, items: Option<&[AggregatedStatusItem]>) -> Value {
    let mut out = obj.clone();
    let (generation, status) = init_lua_status(&mut out);
    let previous = status
        .get("observedGeneration")
        .map(lenient_int)
        .unwrap_or(0);
    let Some(items) = items else {
        status.insert("observedGeneration".into(), Value::from(generation));
        for c in UNITED_COUNTERS {
            status.insert((*c).into(), Value::from(0));
        }
        return out;
    };
    for c in UNITED_COUNTERS {
        status.insert((*c).into(), Value::from(member_sum(items, c)));
    }
    let observed = lua_observed_generation(generation, previous, items, false);
    status.insert("observedGeneration".into(), Value::from(observed));
    // Merged by type, the last cluster winning; ordered by type for a stable output.
    let mut by_type: std::collections::BTreeMap<String, Value> = Default::default();
    for item in items {
        for c in item
            .status
            .as_ref()
            .and_then(|s| s.get("conditions"))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            by_type.insert(str_at(c, &["type"]).to_string(), c.clone());
        }
    }
    if !by_type.is_empty() {
        status.insert(
            "conditions".into(),
            Value::Array(by_type.into_values().collect()),
        );
    }
    out
}

fn broadcast_job(obj: &Value, items: Option<&[AggregatedStatusItem]>) -> Value {
    let Some(items) = items else {
        return obj.clone();
    };
    let mut out = obj.clone();
    let status = as_map_mut(as_map_mut(&mut out).entry("status").or_insert(Value::Null));
    let mut phase = Value::String(String::new());
    // Karmada's script keeps the finished type of the previous member when a member reports
    // none (the variable is not reset per member).
    let mut finished = "";
    let mut successful = 0usize;
    let mut failed_clusters = Vec::new();
    for item in items {
        if let Some(p) = item
            .status
            .as_ref()
            .and_then(|s| s.get("phase"))
            .filter(|v| !v.is_null())
        {
            phase = p.clone();
        }
        if let Some(conds) = item
            .status
            .as_ref()
            .and_then(|s| s.get("conditions"))
            .and_then(Value::as_array)
        {
            if let Some(c) = conds.iter().find(|c| {
                matches!(str_at(c, &["type"]), "Complete" | "Failed")
                    && str_at(c, &["status"]) == "True"
            }) {
                finished = if str_at(c, &["type"]) == "Complete" {
                    "Complete"
                } else {
                    "Failed"
                };
            }
        }
        match finished {
            "Complete" => successful += 1,
            "Failed" => failed_clusters.push(item.cluster_name.as_str()),
            _ => {}
        }
    }
    let mut conditions = Vec::new();
    if !failed_clusters.is_empty() {
        conditions.push(simple_condition(
            "Failed",
            "JobFailed",
            &format!(
                "Job executed failed in member clusters: {}",
                failed_clusters.join(", ")
            ),
        ));
    }
    if successful > 0 && successful == items.len() {
        conditions.push(simple_condition("Completed", "Completed", "Job completed"));
    }
    for k in ["active", "succeeded", "failed", "desired"] {
        status.insert(k.into(), Value::from(member_sum(items, k)));
    }
    status.insert("phase".into(), phase);
    status.insert("conditions".into(), Value::Array(conditions));
    out
}

fn simple_condition(type_: &str, reason: &str, message: &str) -> Value {
    let mut c = Map::new();
    c.insert("type".into(), type_.into());
    c.insert("status".into(), "True".into());
    c.insert("reason".into(), reason.into());
    c.insert("message".into(), message.into());
    Value::Object(c)
}

fn advanced_cron_job(obj: &Value, items: Option<&[AggregatedStatusItem]>) -> Value {
    let Some(items) = items else {
        return obj.clone();
    };
    let mut out = obj.clone();
    let status = as_map_mut(as_map_mut(&mut out).entry("status").or_insert(Value::Null));
    let mut active = Vec::new();
    let mut type_ = Value::String(String::new());
    let mut last_schedule = Value::Object(Map::new());
    for s in items.iter().filter_map(|i| i.status.as_ref()) {
        if let Some(a) = s.get("active").and_then(Value::as_array) {
            active.extend(a.iter().cloned());
        }
        if let Some(t) = s.get("type").filter(|v| !v.is_null()) {
            type_ = t.clone();
        }
        if let Some(t) = s.get("lastScheduleTime").filter(|v| !v.is_null()) {
            last_schedule = t.clone();
        }
    }
    status.insert("active".into(), Value::Array(active));
    status.insert("type".into(), type_);
    status.insert("lastScheduleTime".into(), last_schedule);
    out
}

fn sidecarset(obj: &Value, items: &[AggregatedStatusItem]) -> Value {
    let mut status = Map::new();
    for k in SIDECARSET_COUNTERS {
        status.insert((*k).into(), Value::from(member_sum(items, k)));
    }
    // Karmada's script returns a fresh object with only these four fields.
    let mut out = Map::new();
    out.insert("apiVersion".into(), "apps.kruise.io/v1alpha1".into());
    out.insert("kind".into(), "SidecarSet".into());
    if let Some(meta) = obj.get("metadata") {
        out.insert("metadata".into(), meta.clone());
    }
    out.insert("status".into(), Value::Object(status));
    Value::Object(out)
}

fn sidecarset_dependencies(obj: &Value) -> Vec<DependentObjectReference> {
    let mut config_maps = BTreeSet::new();
    let mut secrets = BTreeSet::new();
    let arr = |v: Option<&Value>| -> Vec<Value> {
        v.and_then(Value::as_array).cloned().unwrap_or_default()
    };
    for c in arr(at(obj, &["spec", "containers"])) {
        for e in arr(c.get("env")) {
            config_maps.insert(str_at(&e, &["valueFrom", "configMapKeyRef", "name"]).to_string());
            secrets.insert(str_at(&e, &["valueFrom", "secretKeyRef", "name"]).to_string());
        }
        for e in arr(c.get("envFrom")) {
            config_maps.insert(str_at(&e, &["configMapRef", "name"]).to_string());
            secrets.insert(str_at(&e, &["secretRef", "name"]).to_string());
        }
    }
    for v in arr(at(obj, &["spec", "volumes"])) {
        config_maps.insert(str_at(&v, &["configMap", "name"]).to_string());
        secrets.insert(str_at(&v, &["secret", "secretName"]).to_string());
        for s in arr(at(&v, &["projected", "sources"])) {
            config_maps.insert(str_at(&s, &["configMap", "name"]).to_string());
            secrets.insert(str_at(&s, &["secret", "name"]).to_string());
        }
    }
    config_maps
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| reference(obj, "ConfigMap", n))
        .chain(
            secrets
                .iter()
                .filter(|n| !n.is_empty())
                .map(|n| reference(obj, "Secret", n)),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn member(status: Value) -> AggregatedStatusItem {
        serde_json::from_value(json!({"clusterName": "m1", "status": status})).unwrap()
    }

    /// Which string fields an aggregated workload status carries, by kind and by whether the
    /// template is propagated (`statusItems` nil) or not.
    #[test]
    fn unpropagated_workloads_get_the_string_fields_their_script_writes() {
        let cases: [(&str, &str, bool, &[&str]); 6] = [
            ("apps.kruise.io/v1alpha1", "CloneSet", false, &[]),
            (
                "apps.kruise.io/v1alpha1",
                "CloneSet",
                true,
                &["updateRevision", "currentRevision", "labelSelector"],
            ),
            (
                "apps.kruise.io/v1beta1",
                "StatefulSet",
                false,
                &["updateRevision", "currentRevision"],
            ),
            (
                "apps.kruise.io/v1beta1",
                "StatefulSet",
                true,
                &["updateRevision", "currentRevision"],
            ),
            (
                "apps.kruise.io/v1alpha1",
                "DaemonSet",
                false,
                &["daemonSetHash"],
            ),
            (
                "apps.kruise.io/v1alpha1",
                "DaemonSet",
                true,
                &["daemonSetHash"],
            ),
        ];
        for (api_version, kind, propagated, want) in cases {
            let obj = json!({"apiVersion": api_version, "kind": kind,
                "metadata": {"name": "s", "generation": 2}});
            let items = [member(json!({"replicas": 1}))];
            let items = propagated.then_some(&items[..]);
            let k = KruiseKind::of(api_version, kind).unwrap();
            let out = k.aggregate_status(&obj, items).unwrap();
            let status = out["status"].as_object().unwrap();
            let present: BTreeSet<&str> = [
                "updateRevision",
                "currentRevision",
                "labelSelector",
                "daemonSetHash",
            ]
            .into_iter()
            .filter(|k| status.contains_key(*k))
            .collect();
            let want: BTreeSet<&str> = want.iter().copied().collect();
            assert_eq!(present, want, "{kind} propagated={propagated}");
            if !propagated {
                assert_eq!(status["observedGeneration"], json!(2), "{kind}");
            }
        }
    }
}
