//! Flux built-ins: HelmRelease (`helm.toolkit.fluxcd.io`), Kustomization
//! (`kustomize.toolkit.fluxcd.io/v1`), GitRepository (`source.toolkit.fluxcd.io/v1`) and
//! Bucket, HelmChart, HelmRepository, OCIRepository (`source.toolkit.fluxcd.io/v1beta2`).
//!
//! Common to all: Retain keeps the member's `spec.suspend`; aggregation merges conditions
//! (each member message becomes `<cluster>=<message>`, conditions with equal type, status
//! and reason are joined with `", "`, in order of first appearance) and standardises
//! observedGeneration with the Lua rule; reflection adds the generation keys.

use serde_json::{Map, Value};

use super::{init_lua_status, reference, reflect_fields};
use crate::api::{AggregatedStatusItem, DependentObjectReference};
use crate::interpreter::generation::lua_observed_generation;
use crate::interpreter::object::{as_map_mut, at, lenient_int, str_at};
use crate::interpreter::Operation;

/// A Flux kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FluxKind {
    /// `helm.toolkit.fluxcd.io/v2beta1` (and `v2beta2`, `v2`) HelmRelease.
    HelmRelease,
    /// `kustomize.toolkit.fluxcd.io/v1` Kustomization.
    Kustomization,
    /// `source.toolkit.fluxcd.io/v1` GitRepository.
    GitRepository,
    /// `source.toolkit.fluxcd.io/v1beta2` Bucket.
    Bucket,
    /// `source.toolkit.fluxcd.io/v1beta2` HelmChart.
    HelmChart,
    /// `source.toolkit.fluxcd.io/v1beta2` HelmRepository.
    HelmRepository,
    /// `source.toolkit.fluxcd.io/v1beta2` OCIRepository.
    OciRepository,
}

impl FluxKind {
    /// The Flux kind of an exact group/version/kind.
    pub fn of(api_version: &str, kind: &str) -> Option<FluxKind> {
        use FluxKind::*;
        Some(match (api_version, kind) {
            (
                "helm.toolkit.fluxcd.io/v2beta1"
                | "helm.toolkit.fluxcd.io/v2beta2"
                | "helm.toolkit.fluxcd.io/v2",
                "HelmRelease",
            ) => HelmRelease,
            ("kustomize.toolkit.fluxcd.io/v1", "Kustomization") => Kustomization,
            ("source.toolkit.fluxcd.io/v1", "GitRepository") => GitRepository,
            ("source.toolkit.fluxcd.io/v1beta2", "Bucket") => Bucket,
            ("source.toolkit.fluxcd.io/v1beta2", "HelmChart") => HelmChart,
            ("source.toolkit.fluxcd.io/v1beta2", "HelmRepository") => HelmRepository,
            ("source.toolkit.fluxcd.io/v1beta2", "OCIRepository") => OciRepository,
            _ => return None,
        })
    }

    pub(crate) fn handles(self, op: Operation) -> bool {
        matches!(
            op,
            Operation::InterpretHealth
                | Operation::AggregateStatus
                | Operation::Retain
                | Operation::InterpretStatus
                | Operation::InterpretDependency
        )
    }

    fn reflected_fields(self) -> &'static [&'static str] {
        use FluxKind::*;
        match self {
            HelmRelease => &[
                "conditions",
                "observedGeneration",
                "lastAttemptedRevision",
                "lastAppliedRevision",
                "lastAttemptedValuesChecksum",
                "helmChart",
                "lastReleaseRevision",
                "failures",
                "upgradeFailures",
                "installFailures",
            ],
            Kustomization => &[
                "conditions",
                "lastAppliedRevision",
                "lastAttemptedRevision",
                "observedGeneration",
            ],
            GitRepository => &[
                "artifact",
                "conditions",
                "observedGeneration",
                "observedIgnore",
                "observedRecurseSubmodules",
            ],
            Bucket => &[
                "artifact",
                "conditions",
                "observedGeneration",
                "observedIgnore",
                "url",
            ],
            HelmRepository => &["artifact", "conditions", "observedGeneration", "url"],
            OciRepository => &[
                "artifact",
                "conditions",
                "observedGeneration",
                "observedIgnore",
                "observedLayerSelector",
                "url",
            ],
            // Karmada's HelmChart reflection reads an undefined variable for
            // observedGeneration, so the member's value never reaches the status item.
            HelmChart => &[
                "artifact",
                "conditions",
                "observedChartName",
                "observedSourceArtifactRevision",
                "url",
            ],
        }
    }

    pub(crate) fn reflect_status(self, obj: &Value) -> Value {
        reflect_fields(obj, self.reflected_fields())
    }

    pub(crate) fn interpret_health(self, obj: &Value) -> bool {
        let reasons: &[&str] = match self {
            FluxKind::HelmRelease | FluxKind::Kustomization => &["ReconciliationSucceeded"],
            FluxKind::HelmChart => &["Succeeded", "ChartPullSucceeded"],
            _ => &["Succeeded"],
        };
        at(obj, &["status", "conditions"])
            .and_then(Value::as_array)
            .is_some_and(|cs| {
                cs.iter().any(|c| {
                    str_at(c, &["type"]) == "Ready"
                        && str_at(c, &["status"]) == "True"
                        && reasons.contains(&str_at(c, &["reason"]))
                })
            })
    }

    pub(crate) fn dependencies(self, obj: &Value) -> Vec<DependentObjectReference> {
        let mut out = Vec::new();
        let mut push = |kind: &str, path: &[&str]| {
            let name = str_at(obj, path);
            if !name.is_empty() {
                out.push(reference(obj, kind, name));
            }
        };
        use FluxKind::*;
        match self {
            HelmRelease => {
                push(
                    "Secret",
                    &["spec", "chart", "spec", "verify", "secretRef", "name"],
                );
                push("Secret", &["spec", "kubeConfig", "secretRef", "name"]);
                push("ServiceAccount", &["spec", "serviceAccountName"]);
                for v in at(obj, &["spec", "valuesFrom"])
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    let name = str_at(v, &["name"]);
                    match str_at(v, &["kind"]) {
                        "Secret" if !name.is_empty() => out.push(reference(obj, "Secret", name)),
                        "ConfigMap" if !name.is_empty() => {
                            out.push(reference(obj, "ConfigMap", name))
                        }
                        _ => {}
                    }
                }
            }
            Kustomization => {
                push("Secret", &["spec", "decryption", "secretRef", "name"]);
                push("Secret", &["spec", "kubeConfig", "secretRef", "name"]);
                push("ServiceAccount", &["spec", "serviceAccountName"]);
            }
            GitRepository => {
                push("Secret", &["spec", "secretRef", "name"]);
                push("Secret", &["spec", "verify", "secretRef", "name"]);
            }
            Bucket | HelmRepository => push("Secret", &["spec", "secretRef", "name"]),
            OciRepository => {
                push("Secret", &["spec", "secretRef", "name"]);
                push("Secret", &["spec", "verify", "secretRef", "name"]);
                push("Secret", &["spec", "certSecretRef", "name"]);
                push("ServiceAccount", &["spec", "serviceAccountName"]);
            }
            HelmChart => push("Secret", &["spec", "verify", "secretRef", "name"]),
        }
        out
    }

    pub(crate) fn aggregate_status(
        self,
        obj: &Value,
        items: Option<&[AggregatedStatusItem]>,
    ) -> Value {
        let mut out = obj.clone();
        let (generation, status) = init_lua_status(&mut out);
        let previous = status
            .get("observedGeneration")
            .map(lenient_int)
            .unwrap_or(0);
        let Some(items) = items else {
            self.initialise(generation, status);
            return out;
        };
        let observed = lua_observed_generation(generation, previous, items, true);
        status.insert("observedGeneration".into(), Value::from(observed));
        status.insert("conditions".into(), Value::Array(merge_conditions(items)));
        let member = |i: &AggregatedStatusItem, k: &str| -> Option<Value> {
            i.status
                .as_ref()
                .and_then(|s| s.get(k))
                .filter(|v| !v.is_null())
                .cloned()
        };
        // The last member value that is a non-empty string (or, for `reset`, any value).
        let last = |start: Option<Value>, k: &str, non_empty: bool| -> Option<Value> {
            items.iter().fold(start, |acc, i| match member(i, k) {
                Some(Value::String(s)) if non_empty && s.is_empty() => acc,
                Some(v) => Some(v),
                None => acc,
            })
        };
        let set = |status: &mut Map<String, Value>, k: &str, v: Option<Value>| match v {
            Some(v) => {
                status.insert(k.to_string(), v);
            }
            None => {
                status.remove(k);
            }
        };
        let empty = || Some(Value::String(String::new()));
        use FluxKind::*;
        match self {
            HelmRelease => {
                for k in [
                    "lastAttemptedRevision",
                    "lastAppliedRevision",
                    "lastAttemptedValuesChecksum",
                    "helmChart",
                ] {
                    let v = last(status.get(k).cloned(), k, true);
                    set(status, k, v);
                }
                let v = last(
                    status.get("lastReleaseRevision").cloned(),
                    "lastReleaseRevision",
                    false,
                );
                set(status, "lastReleaseRevision", v);
                for k in ["failures", "upgradeFailures", "installFailures"] {
                    // The member counters summed; see "Deviations from Karmada".
                    let reported: Vec<i64> = items
                        .iter()
                        .filter_map(|i| member(i, k))
                        .map(|v| lenient_int(&v))
                        .collect();
                    if status.contains_key(k) || !reported.is_empty() {
                        status.insert(k.into(), Value::from(reported.iter().sum::<i64>()));
                    }
                }
            }
            Kustomization => {
                for k in ["lastAttemptedRevision", "lastAppliedRevision"] {
                    let v = last(status.get(k).cloned(), k, true);
                    set(status, k, v);
                }
            }
            GitRepository => {
                let v = last(None, "artifact", false);
                set(
                    status,
                    "artifact",
                    v.or_else(|| Some(Value::Object(Map::new()))),
                );
            }
            Bucket | HelmRepository | OciRepository => {
                let v = last(None, "artifact", false);
                set(
                    status,
                    "artifact",
                    v.or_else(|| Some(Value::Object(Map::new()))),
                );
                let v = last(empty(), "url", true);
                set(status, "url", v);
            }
            HelmChart => {
                let v = last(None, "artifact", false);
                set(
                    status,
                    "artifact",
                    v.or_else(|| Some(Value::Object(Map::new()))),
                );
                for k in ["observedChartName", "observedSourceArtifactRevision", "url"] {
                    let v = last(empty(), k, true);
                    set(status, k, v);
                }
            }
        }
        out
    }

    /// The status of a template not propagated anywhere yet (`statusItems == nil`).
    fn initialise(self, generation: i64, status: &mut Map<String, Value>) {
        status.insert("observedGeneration".into(), Value::from(generation));
        let strings: &[&str] = match self {
            FluxKind::HelmRelease => &[
                "lastAttemptedRevision",
                "lastAppliedRevision",
                "lastAttemptedValuesChecksum",
                "helmChart",
                "lastReleaseRevision",
            ],
            FluxKind::Kustomization => &["lastAttemptedRevision", "lastAppliedRevision"],
            FluxKind::GitRepository => &[],
            FluxKind::Bucket | FluxKind::HelmRepository | FluxKind::OciRepository => &["url"],
            FluxKind::HelmChart => &["observedChartName", "observedSourceArtifactRevision", "url"],
        };
        for k in strings {
            status.insert((*k).into(), Value::String(String::new()));
        }
        if self == FluxKind::HelmRelease {
            for k in ["failures", "upgradeFailures", "installFailures"] {
                status.insert(k.into(), Value::from(0));
            }
        }
        status.remove("conditions");
        if self != FluxKind::HelmRelease && self != FluxKind::Kustomization {
            status.remove("artifact");
        }
    }
}

/// Flux condition merging: member messages prefixed with `<cluster>=`, conditions with the
/// same type, status and reason joined with `", "`; other fields from the first occurrence.
pub(crate) fn merge_conditions(items: &[AggregatedStatusItem]) -> Vec<Value> {
    let mut merged: Vec<Value> = Vec::new();
    for item in items {
        let Some(conds) = item
            .status
            .as_ref()
            .and_then(|s| s.get("conditions"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        for c in conds {
            let message = format!("{}={}", item.cluster_name, str_at(c, &["message"]));
            let same = |m: &Value| {
                ["type", "status", "reason"]
                    .iter()
                    .all(|k| str_at(m, &[k]) == str_at(c, &[k]))
            };
            if let Some(existing) = merged.iter_mut().find(|m| same(m)) {
                let joined = format!("{}, {message}", str_at(existing, &["message"]));
                as_map_mut(existing).insert("message".into(), joined.into());
            } else {
                let mut c = c.clone();
                as_map_mut(&mut c).insert("message".into(), message.into());
                merged.push(c);
            }
        }
    }
    merged
}

/// Retain for every Flux kind: the member's `spec.suspend`, when it sets one.
pub(crate) fn retain_suspend(desired: &Value, observed: &Value) -> Value {
    let mut out = desired.clone();
    if let Some(s) = at(observed, &["spec", "suspend"]).filter(|v| !v.is_null()) {
        as_map_mut(as_map_mut(&mut out).entry("spec").or_insert(Value::Null))
            .insert("suspend".into(), s.clone());
    }
    out
}
