//! Karmada's native built-in interpreter (`pkg/resourceinterpreter/default/native`): the
//! Kubernetes kinds Karmada understands without customization, matched on their exact
//! group/version/kind.
//!
//! | Kind | Replica | Revise | Retain | Aggregate | Reflect | Health | Dependencies |
//! |---|---|---|---|---|---|---|---|
//! | apps/v1 Deployment | ✔ | ✔ | replicas if labelled | ✔ | ✔ | ✔ | pod template |
//! | apps/v1 ReplicaSet | ✔ | ✔ | | ✔ | ✔ | ✔ | pod template |
//! | apps/v1 StatefulSet | ✔ | ✔ | | ✔ | ✔ | ✔ | pod template minus claim templates |
//! | apps/v1 DaemonSet | | | | ✔ | ✔ | ✔ | pod template |
//! | batch/v1 Job | ✔ | ✔ | ✔ | ✔ | ✔ | | pod template |
//! | batch/v1 CronJob | | | | ✔ | whole | | job pod template |
//! | v1 Pod | ✔ | | ✔ | ✔ | whole | ✔ | pod spec |
//! | v1 Service | | | ✔ | LB only | LB only | ✔ | |
//! | v1 ServiceAccount | | | ✔ | | whole | | |
//! | v1 Secret | | | ✔ | | whole | | |
//! | v1 PersistentVolumeClaim | | | ✔ | ✔ | whole | ✔ | |
//! | v1 PersistentVolume | | | ✔ | ✔ | whole | | |
//! | networking.k8s.io/v1 Ingress | | | | ✔ | whole | ✔ | TLS secrets |
//! | policy/v1 PodDisruptionBudget | | | | ✔ | ✔ | ✔ | |
//! | autoscaling/v2 HorizontalPodAutoscaler | | | | ✔ | ✔ | | |
//! | multicluster.x-k8s.io/v1alpha1 ServiceImport | | | | | whole | | derived Service + EndpointSlices |
//! | anything else | | | | | whole `.status` | | |

mod aggregate;
mod job;
mod reflect;
mod retain;

use serde_json::Value;

use super::object::{at, int_at, malformed, root_map, str_at, strict_int};
use super::podspec::{pod_references, requirements, PodSpecAt};
use super::{Gvk, InterpreterError, Operation, ReplicaInterpretation, ResourceInterpreter};
use crate::api::{AggregatedStatusItem, DependentObjectReference, LabelSelector};

pub use aggregate::{
    dedupe_and_sort_ingress_load_balancer_ingress, dedupe_and_sort_load_balancer_ingress,
};
pub use job::{divide_job_completions, revise_job_completions};
pub use retain::RETAIN_REPLICAS_LABEL;

/// The kinds the native interpreter knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NativeKind {
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
    Pod,
    Service,
    ServiceAccount,
    Secret,
    PersistentVolumeClaim,
    PersistentVolume,
    Ingress,
    PodDisruptionBudget,
    HorizontalPodAutoscaler,
    ServiceImport,
    Other,
}

impl NativeKind {
    pub(crate) fn of(api_version: &str, kind: &str) -> NativeKind {
        use NativeKind::*;
        match (api_version, kind) {
            ("apps/v1", "Deployment") => Deployment,
            ("apps/v1", "ReplicaSet") => ReplicaSet,
            ("apps/v1", "StatefulSet") => StatefulSet,
            ("apps/v1", "DaemonSet") => DaemonSet,
            ("batch/v1", "Job") => Job,
            ("batch/v1", "CronJob") => CronJob,
            ("v1", "Pod") => Pod,
            ("v1", "Service") => Service,
            ("v1", "ServiceAccount") => ServiceAccount,
            ("v1", "Secret") => Secret,
            ("v1", "PersistentVolumeClaim") => PersistentVolumeClaim,
            ("v1", "PersistentVolume") => PersistentVolume,
            ("networking.k8s.io/v1", "Ingress") => Ingress,
            ("policy/v1", "PodDisruptionBudget") => PodDisruptionBudget,
            ("autoscaling/v2", "HorizontalPodAutoscaler") => HorizontalPodAutoscaler,
            ("multicluster.x-k8s.io/v1alpha1", "ServiceImport") => ServiceImport,
            _ => Other,
        }
    }

    fn of_object(obj: &Value) -> NativeKind {
        NativeKind::of(str_at(obj, &["apiVersion"]), str_at(obj, &["kind"]))
    }

    fn handles(self, op: Operation) -> bool {
        use NativeKind::*;
        use Operation::*;
        match op {
            InterpretReplica => matches!(self, Deployment | ReplicaSet | StatefulSet | Job | Pod),
            ReviseReplica => matches!(self, Deployment | ReplicaSet | StatefulSet | Job),
            Retain => matches!(
                self,
                Deployment
                    | Pod
                    | Service
                    | ServiceAccount
                    | Secret
                    | PersistentVolumeClaim
                    | PersistentVolume
                    | Job
            ),
            AggregateStatus => matches!(
                self,
                Deployment
                    | ReplicaSet
                    | StatefulSet
                    | DaemonSet
                    | Job
                    | CronJob
                    | Pod
                    | Service
                    | PersistentVolumeClaim
                    | PersistentVolume
                    | Ingress
                    | PodDisruptionBudget
                    | HorizontalPodAutoscaler
            ),
            InterpretStatus => true,
            InterpretHealth => matches!(
                self,
                Deployment
                    | ReplicaSet
                    | StatefulSet
                    | DaemonSet
                    | Pod
                    | Service
                    | PersistentVolumeClaim
                    | Ingress
                    | PodDisruptionBudget
            ),
            InterpretDependency => matches!(
                self,
                Deployment
                    | ReplicaSet
                    | StatefulSet
                    | DaemonSet
                    | Job
                    | CronJob
                    | Pod
                    | Ingress
                    | ServiceImport
            ),
            InterpretComponent => false,
        }
    }
}

/// A clock giving "now" as an RFC 3339 UTC timestamp, for the conditions some aggregators
/// stamp (Job).
pub type Clock = fn() -> String;

/// The current system time as RFC 3339 (`2026-01-01T00:00:00Z`).
pub fn system_clock() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    format_rfc3339(secs)
}

/// Seconds since the Unix epoch as an RFC 3339 UTC timestamp.
pub fn format_rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Karmada's native interpreter.
///
/// ```
/// use fedplan::interpreter::{native::NativeInterpreter, ResourceInterpreter};
/// let d = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
///     "spec": {"replicas": 3, "template": {"spec": {"containers": [
///         {"name": "a", "resources": {"requests": {"cpu": "250m"}}}]}}}});
/// let r = NativeInterpreter::default().interpret_replica(&d).unwrap();
/// assert_eq!(r.replicas, 3);
/// assert_eq!(r.replica_requirements.unwrap().resource_request["cpu"].milli_value(), 250);
/// ```
#[derive(Debug, Clone)]
pub struct NativeInterpreter {
    /// Karmada's `ResourceQuotaEstimate` feature gate: copy the pod template's
    /// `priorityClassName` into the replica requirements. Off by default, as in Karmada.
    pub resource_quota_estimate: bool,
    /// Source of "now" for conditions stamped during aggregation.
    pub clock: Clock,
}

impl Default for NativeInterpreter {
    fn default() -> Self {
        NativeInterpreter {
            resource_quota_estimate: false,
            clock: system_clock,
        }
    }
}

impl NativeInterpreter {
    /// A native interpreter with Karmada's default feature gates.
    pub fn new() -> Self {
        Self::default()
    }

    fn check(&self, obj: &Value, op: Operation) -> Result<NativeKind, InterpreterError> {
        root_map(op, obj)?;
        let kind = NativeKind::of_object(obj);
        if kind.handles(op) {
            Ok(kind)
        } else {
            Err(super::unsupported(obj, op))
        }
    }
}

/// The pod template of a workload (`spec.template`, required), with its path.
fn pod_template<'a>(
    op: Operation,
    obj: &'a Value,
    path: &[&'static str],
) -> Result<&'a Value, InterpreterError> {
    match at(obj, path) {
        Some(t @ Value::Object(_)) => Ok(t),
        None | Some(Value::Null) => Err(malformed(op, obj, path.join("."), "missing pod template")),
        Some(_) => Err(malformed(
            op,
            obj,
            path.join("."),
            "expected a pod template object",
        )),
    }
}

fn non_negative(
    op: Operation,
    obj: &Value,
    path: &[&str],
) -> Result<Option<i64>, InterpreterError> {
    match strict_int(op, obj, path)? {
        Some(n) if n < 0 => Err(malformed(
            op,
            obj,
            path.join("."),
            format!("negative value {n}"),
        )),
        other => Ok(other),
    }
}

fn to_i32(op: Operation, obj: &Value, path: &str, n: i64) -> Result<i32, InterpreterError> {
    i32::try_from(n).map_err(|_| malformed(op, obj, path, format!("{n} does not fit in int32")))
}

impl ResourceInterpreter for NativeInterpreter {
    fn name(&self) -> &str {
        "native"
    }

    fn handles(&self, gvk: &Gvk, operation: Operation) -> bool {
        NativeKind::of(&gvk.api_version, &gvk.kind).handles(operation)
    }

    fn interpret_replica(&self, obj: &Value) -> Result<ReplicaInterpretation, InterpreterError> {
        let op = Operation::InterpretReplica;
        let kind = self.check(obj, op)?;
        let (replicas, spec, spec_path) = match kind {
            NativeKind::Pod => (1, at(obj, &["spec"]), "spec"),
            NativeKind::Job => {
                let parallelism = non_negative(op, obj, &["spec", "parallelism"])?.unwrap_or(0);
                let completions = non_negative(op, obj, &["spec", "completions"])?;
                let n = completions.map_or(parallelism, |c| parallelism.min(c));
                let t = pod_template(op, obj, &["spec", "template"])?;
                (
                    to_i32(op, obj, "spec.parallelism", n)?,
                    t.get("spec"),
                    "spec.template.spec",
                )
            }
            _ => {
                let n = non_negative(op, obj, &["spec", "replicas"])?.unwrap_or(0);
                let t = pod_template(op, obj, &["spec", "template"])?;
                (
                    to_i32(op, obj, "spec.replicas", n)?,
                    t.get("spec"),
                    "spec.template.spec",
                )
            }
        };
        let at_ = PodSpecAt {
            operation: op,
            object: obj,
            path: spec_path,
        };
        Ok(ReplicaInterpretation {
            replicas,
            replica_requirements: requirements(&at_, spec, self.resource_quota_estimate)?,
        })
    }

    fn revise_replica(&self, obj: &Value, replicas: i64) -> Result<Value, InterpreterError> {
        let op = Operation::ReviseReplica;
        let kind = self.check(obj, op)?;
        let field = if kind == NativeKind::Job {
            "parallelism"
        } else {
            "replicas"
        };
        if replicas < 0 || replicas > i64::from(i32::MAX) {
            return Err(malformed(
                op,
                obj,
                format!("spec.{field}"),
                format!("desired replicas {replicas} out of range"),
            ));
        }
        // Only an existing field is rewritten (Karmada's behaviour).
        strict_int(op, obj, &["spec", field])?;
        let mut out = obj.clone();
        if let Some(slot) = out
            .get_mut("spec")
            .and_then(Value::as_object_mut)
            .and_then(|s| s.get_mut(field))
        {
            if !slot.is_null() {
                *slot = Value::from(replicas);
            }
        }
        Ok(out)
    }

    fn retain(&self, desired: &Value, observed: &Value) -> Result<Value, InterpreterError> {
        let kind = self.check(desired, Operation::Retain)?;
        retain::retain(kind, desired, observed)
    }

    fn retain_owned(&self, desired: Value, observed: &Value) -> Result<Value, InterpreterError> {
        let kind = self.check(&desired, Operation::Retain)?;
        retain::retain_owned(kind, desired, observed)
    }

    fn aggregate_status(
        &self,
        obj: &Value,
        items: &[AggregatedStatusItem],
    ) -> Result<Value, InterpreterError> {
        self.aggregate_status_items(obj, Some(items))
    }

    fn aggregate_status_items(
        &self,
        obj: &Value,
        items: Option<&[AggregatedStatusItem]>,
    ) -> Result<Value, InterpreterError> {
        let kind = self.check(obj, Operation::AggregateStatus)?;
        match items {
            // A Pod that has not been propagated anywhere keeps its status.
            None if kind == NativeKind::Pod => Ok(obj.clone()),
            _ => aggregate::aggregate(kind, obj, items.unwrap_or(&[]), self.clock),
        }
    }

    fn interpret_status(&self, obj: &Value) -> Result<Option<Value>, InterpreterError> {
        let kind = self.check(obj, Operation::InterpretStatus)?;
        reflect::reflect(kind, obj)
    }

    fn interpret_health(&self, obj: &Value) -> Result<bool, InterpreterError> {
        let kind = self.check(obj, Operation::InterpretHealth)?;
        Ok(health(kind, obj))
    }

    fn interpret_dependency(
        &self,
        obj: &Value,
    ) -> Result<Vec<DependentObjectReference>, InterpreterError> {
        let kind = self.check(obj, Operation::InterpretDependency)?;
        let namespace = str_at(obj, &["metadata", "namespace"]);
        let empty = Value::Null;
        match kind {
            NativeKind::Pod => {
                Ok(pod_references(at(obj, &["spec"]).unwrap_or(&empty)).into_references(namespace))
            }
            NativeKind::CronJob => Ok(pod_references(
                at(obj, &["spec", "jobTemplate", "spec", "template", "spec"]).unwrap_or(&empty),
            )
            .into_references(namespace)),
            NativeKind::StatefulSet => {
                let mut refs =
                    pod_references(at(obj, &["spec", "template", "spec"]).unwrap_or(&empty));
                if let Some(vcts) =
                    at(obj, &["spec", "volumeClaimTemplates"]).and_then(Value::as_array)
                {
                    for t in vcts {
                        refs.pvcs.remove(str_at(t, &["metadata", "name"]));
                    }
                }
                Ok(refs.into_references(namespace))
            }
            NativeKind::Ingress => Ok(at(obj, &["spec", "tls"])
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .map(|tls| DependentObjectReference {
                    api_version: "v1".into(),
                    kind: "Secret".into(),
                    namespace: namespace.to_string(),
                    name: str_at(tls, &["secretName"]).to_string(),
                    label_selector: None,
                })
                .collect()),
            NativeKind::ServiceImport => {
                let derived = format!("derived-{}", str_at(obj, &["metadata", "name"]));
                let mut selector = LabelSelector::default();
                selector
                    .match_labels
                    .insert("kubernetes.io/service-name".into(), derived.clone());
                Ok(vec![
                    DependentObjectReference {
                        api_version: "v1".into(),
                        kind: "Service".into(),
                        namespace: namespace.to_string(),
                        name: derived,
                        label_selector: None,
                    },
                    DependentObjectReference {
                        api_version: "discovery.k8s.io/v1".into(),
                        kind: "EndpointSlice".into(),
                        namespace: namespace.to_string(),
                        name: String::new(),
                        label_selector: Some(selector),
                    },
                ])
            }
            _ => Ok(
                pod_references(at(obj, &["spec", "template", "spec"]).unwrap_or(&empty))
                    .into_references(namespace),
            ),
        }
    }
}

fn has_condition(obj: &Value, type_: &str, status: &str) -> bool {
    at(obj, &["status", "conditions"])
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| str_at(c, &["type"]) == type_ && str_at(c, &["status"]) == status)
        })
}

fn lb_has_address(obj: &Value) -> bool {
    at(obj, &["status", "loadBalancer", "ingress"])
        .and_then(Value::as_array)
        .is_some_and(|ing| {
            ing.iter()
                .any(|i| !str_at(i, &["ip"]).is_empty() || !str_at(i, &["hostname"]).is_empty())
        })
}

fn health(kind: NativeKind, obj: &Value) -> bool {
    let status = |k: &str| int_at(obj, &["status", k]);
    let generation_observed =
        || status("observedGeneration") == int_at(obj, &["metadata", "generation"]);
    let spec_replicas = at(obj, &["spec", "replicas"]).filter(|v| !v.is_null());
    match kind {
        NativeKind::Deployment => {
            generation_observed()
                && spec_replicas
                    .is_none_or(|r| status("updatedReplicas") >= super::object::lenient_int(r))
                && status("availableReplicas") >= status("updatedReplicas")
        }
        NativeKind::StatefulSet => {
            generation_observed()
                && spec_replicas.is_none_or(|r| {
                    let replicas = super::object::lenient_int(r);
                    // A partitioned rolling update only updates the pods with an ordinal at or
                    // above the partition, so it is done once those are; every pod, updated or
                    // not, still has to be available (as `kubectl rollout status` judges it).
                    let partition = at(
                        obj,
                        &["spec", "updateStrategy", "rollingUpdate", "partition"],
                    )
                    .filter(|p| !p.is_null())
                    .map_or(0, super::object::lenient_int);
                    status("updatedReplicas") >= replicas - partition
                        && status("availableReplicas") >= replicas
                })
                && status("availableReplicas") >= status("updatedReplicas")
        }
        NativeKind::ReplicaSet => {
            generation_observed()
                && spec_replicas
                    .is_none_or(|r| status("availableReplicas") >= super::object::lenient_int(r))
        }
        NativeKind::DaemonSet => {
            generation_observed()
                && status("updatedNumberScheduled") >= status("desiredNumberScheduled")
                && status("numberAvailable") >= status("updatedNumberScheduled")
        }
        NativeKind::Service => {
            str_at(obj, &["spec", "type"]) != "LoadBalancer" || lb_has_address(obj)
        }
        NativeKind::Ingress => lb_has_address(obj),
        NativeKind::PersistentVolumeClaim => str_at(obj, &["status", "phase"]) == "Bound",
        NativeKind::Pod => match str_at(obj, &["status", "phase"]) {
            "Succeeded" => true,
            "Running" => has_condition(obj, "Ready", "True"),
            _ => false,
        },
        NativeKind::PodDisruptionBudget => status("currentHealthy") >= status("desiredHealthy"),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc3339_formatting() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(951_782_400 + 3661), "2000-02-29T01:01:01Z");
    }

    #[test]
    fn malformed_objects_give_typed_errors() {
        let n = NativeInterpreter::default();
        let cases = [
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "ns"}, "spec": {"replicas": "3", "template": {}}}),
                "spec.replicas",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "ns"}, "spec": {"replicas": -1, "template": {}}}),
                "spec.replicas",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "ns"}, "spec": {"replicas": 2}}),
                "spec.template",
            ),
            (
                json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "d", "namespace": "ns"}, "spec": {"parallelism": 1.5, "template": {}}}),
                "spec.parallelism",
            ),
        ];
        for (obj, want_field) in cases {
            match n.interpret_replica(&obj) {
                Err(InterpreterError::Malformed {
                    operation,
                    kind,
                    name,
                    field,
                    ..
                }) => {
                    assert_eq!(operation, Operation::InterpretReplica);
                    assert_eq!(name, "ns/d");
                    assert!(kind == "Deployment" || kind == "Job");
                    assert_eq!(field, want_field);
                }
                other => panic!("{want_field}: unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn job_replicas_capped_by_completions() {
        let n = NativeInterpreter::default();
        let job = |p: Value, c: Value| json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {"parallelism": p, "completions": c, "template": {"spec": {}}}});
        assert_eq!(
            n.interpret_replica(&job(json!(5), json!(3)))
                .unwrap()
                .replicas,
            3
        );
        assert_eq!(
            n.interpret_replica(&job(json!(2), json!(3)))
                .unwrap()
                .replicas,
            2
        );
        assert_eq!(
            n.interpret_replica(&job(json!(4), Value::Null))
                .unwrap()
                .replicas,
            4
        );
    }

    #[test]
    fn statefulset_health_honours_the_rolling_update_partition() {
        let sts = |partition: Option<i64>, updated: i64, available: i64| {
            let mut spec = json!({"replicas": 3});
            if let Some(p) = partition {
                spec["updateStrategy"] =
                    json!({"type": "RollingUpdate", "rollingUpdate": {"partition": p}});
            }
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"generation": 1},
                "spec": spec, "status": {"observedGeneration": 1,
                "updatedReplicas": updated, "availableReplicas": available}})
        };
        let cases = [
            ("no partition, all updated and available", None, 3, 3, true),
            ("no partition, one updated", None, 1, 3, false),
            (
                "no partition, fewer available than updated",
                None,
                3,
                1,
                false,
            ),
            ("pods above the partition updated", Some(2), 1, 3, true),
            ("partition 1 needs two updated pods", Some(1), 1, 3, false),
            ("old pods below the partition down", Some(2), 1, 1, false),
            (
                "partition covering every pod, all down",
                Some(3),
                0,
                0,
                false,
            ),
            ("partition covering every pod, all up", Some(3), 0, 3, true),
        ];
        for (name, partition, updated, available, want) in cases {
            assert_eq!(
                health(NativeKind::StatefulSet, &sts(partition, updated, available)),
                want,
                "{name}"
            );
        }
        // A Deployment has no partition: the same numbers are judged without it.
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"generation": 1},
            "spec": {"replicas": 3, "updateStrategy": {"rollingUpdate": {"partition": 2}}},
            "status": {"observedGeneration": 1, "updatedReplicas": 1, "availableReplicas": 3}});
        assert!(!health(NativeKind::Deployment, &d));
    }

    #[test]
    fn revise_only_existing_field() {
        let n = NativeInterpreter::default();
        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {"parallelism": 1, "completions": 6}});
        let out = n.revise_replica(&job, 4).unwrap();
        assert_eq!(out["spec"]["parallelism"], 4);
        assert_eq!(out["spec"]["completions"], 6);
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {}});
        assert_eq!(n.revise_replica(&d, 4).unwrap(), d);
    }
}
