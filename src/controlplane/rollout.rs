//! The rollout planner on the control plane (see [`crate::rollout`]): runs right after the
//! detector, so a held cluster's Work is already suspended when the binding controller
//! renders the new revision. It writes the binding's `suspension.dispatchingOnClusters`,
//! the status annotation, the strategy's `paused` flag on a failure with `onFailure: Pause`,
//! and on `onFailure: Rollback` re-applies the last fully rolled-out template.
//!
//! The claiming policy must not set `suspension` itself: the detector copies a policy's
//! suspension onto the binding on every pass, which would undo the planner's holds.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::api::{ResourceBinding, ResourceHealth, SuspendClusters, Suspension};
use crate::interpreter::{Gvk, Operation};
use crate::render::RESOURCE_TEMPLATE_GENERATION_ANNOTATION;
use crate::rollout::{self, ClusterObservation, RolloutStatus, Strategy};

use super::{ControlPlane, ObjectKey};

/// The template revision each planned binding last completed, for rollbacks.
#[derive(Debug, Clone, Default)]
pub(super) struct RolloutMemory {
    stable: BTreeMap<(String, String), (i64, Value)>,
}

fn binding_id(b: &ResourceBinding) -> String {
    if b.metadata.namespace.is_empty() {
        format!("ClusterResourceBinding {}", b.metadata.name)
    } else {
        format!(
            "ResourceBinding {}/{}",
            b.metadata.namespace, b.metadata.name
        )
    }
}

/// Where the strategy of the binding's claiming policy lives.
enum PolicyRef {
    Namespaced(String, String),
    Cluster(String),
}

fn claiming_policy(b: &ResourceBinding) -> Option<PolicyRef> {
    let a = &b.metadata.annotations;
    if let (Some(ns), Some(n)) = (
        a.get("propagationpolicy.karmada.io/namespace"),
        a.get("propagationpolicy.karmada.io/name"),
    ) {
        return Some(PolicyRef::Namespaced(ns.clone(), n.clone()));
    }
    a.get("clusterpropagationpolicy.karmada.io/name")
        .map(|n| PolicyRef::Cluster(n.clone()))
}

fn strategy_text(cp: &ControlPlane, p: &PolicyRef) -> Option<String> {
    let annotations = match p {
        PolicyRef::Namespaced(ns, n) => {
            &cp.propagation_policies
                .get(&(ns.clone(), n.clone()))?
                .metadata
                .annotations
        }
        PolicyRef::Cluster(n) => &cp.cluster_propagation_policies.get(n)?.metadata.annotations,
    };
    annotations.get(rollout::STRATEGY_ANNOTATION).cloned()
}

fn set_strategy_text(cp: &mut ControlPlane, p: &PolicyRef, text: String) {
    let annotations = match p {
        PolicyRef::Namespaced(ns, n) => cp
            .propagation_policies
            .get_mut(&(ns.clone(), n.clone()))
            .map(|p| &mut p.metadata.annotations),
        PolicyRef::Cluster(n) => cp
            .cluster_propagation_policies
            .get_mut(n)
            .map(|p| &mut p.metadata.annotations),
    };
    if let Some(a) = annotations {
        a.insert(rollout::STRATEGY_ANNOTATION.into(), text);
    }
    cp.revisions.touch_policies();
}

fn observe(
    cp: &ControlPlane,
    b: &ResourceBinding,
    key: &ObjectKey,
    generation: i64,
) -> BTreeMap<String, ClusterObservation> {
    let health: BTreeMap<&str, ResourceHealth> = b
        .status
        .as_ref()
        .map(|s| {
            s.aggregated_status
                .iter()
                .map(|i| (i.cluster_name.as_str(), i.health.unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for t in &b.spec.clusters {
        let live = cp.members.get(&t.name).and_then(|m| m.get(key));
        let caught_up = live.is_some_and(|o| {
            let template_generation = o
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(RESOURCE_TEMPLATE_GENERATION_ANNOTATION))
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<i64>().ok());
            let member_generation = o.pointer("/metadata/generation").and_then(Value::as_i64);
            let observed = o
                .pointer("/status/observedGeneration")
                .and_then(Value::as_i64);
            template_generation == Some(generation)
                && member_generation.is_some()
                && observed == member_generation
        });
        // The live object's health as the work status controller will report it, so a
        // status change is seen in the pass it happens rather than one pass later.
        let live_health = live.and_then(|o| {
            let gvk = Gvk::of(o);
            cp.interpreter
                .handles(&gvk, Operation::InterpretHealth)
                .then(|| match cp.interpreter.interpret_health(o) {
                    Ok(true) => ResourceHealth::Healthy,
                    Ok(false) => ResourceHealth::Unhealthy,
                    Err(_) => ResourceHealth::Unknown,
                })
        });
        out.insert(
            t.name.clone(),
            ClusterObservation {
                caught_up,
                health: live_health
                    .or_else(|| health.get(t.name.as_str()).copied())
                    .unwrap_or_default(),
            },
        );
    }
    out
}

fn with_held(suspension: Option<Suspension>, held: &[String]) -> Option<Suspension> {
    let mut s = suspension.unwrap_or_default();
    s.dispatching_on_clusters = (!held.is_empty()).then(|| SuspendClusters {
        cluster_names: held.to_vec(),
    });
    (s != Suspension::default()).then_some(s)
}

/// One pass of the planner over every binding whose policy carries a strategy.
pub(super) fn run(cp: &mut ControlPlane) -> bool {
    let now = cp.now();
    let keys: Vec<(String, String)> = cp.bindings.keys().cloned().collect();
    let mut changed = false;
    for key in keys {
        let Some(b) = cp.bindings.get(&key) else {
            continue;
        };
        let Some(policy) = claiming_policy(b) else {
            continue;
        };
        let Some(text) = strategy_text(cp, &policy) else {
            continue;
        };
        let id = binding_id(b);
        let strategy = match Strategy::parse(&text) {
            Ok(s) => s,
            Err(e) => {
                let message = e.to_string();
                let last = b.metadata.annotations.get(rollout::STATUS_ANNOTATION);
                let note = json!({"error": message}).to_string();
                if last != Some(&note) {
                    let mut nb = b.clone();
                    nb.metadata
                        .annotations
                        .insert(rollout::STATUS_ANNOTATION.into(), note);
                    cp.revisions.touch_binding(&key);
                    cp.bindings.insert(key, nb);
                    cp.event(
                        "rollout-planner",
                        "Warning",
                        id,
                        "RolloutStrategyInvalid",
                        message,
                    );
                    changed = true;
                }
                continue;
            }
        };
        let r = &b.spec.resource;
        let tkey = ObjectKey::new(&r.api_version, &r.kind, &r.namespace, &r.name);
        let Some(template) = cp.templates.get(&tkey) else {
            continue;
        };
        let generation = template
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let status: Option<RolloutStatus> = b
            .metadata
            .annotations
            .get(rollout::STATUS_ANNOTATION)
            .and_then(|s| serde_json::from_str(s).ok());
        let scheduled: Vec<String> = b.spec.clusters.iter().map(|t| t.name.clone()).collect();
        let observed = observe(cp, b, &tkey, generation);
        let plan = rollout::plan(
            &strategy,
            status.as_ref(),
            generation,
            &scheduled,
            &observed,
            now,
        );
        if plan.status.phase == rollout::Phase::Completed
            && cp.rollouts.stable.get(&key).map(|(g, _)| *g) != Some(plan.status.revision)
        {
            cp.rollouts
                .stable
                .insert(key.clone(), (plan.status.revision, template.clone()));
        }
        let mut nb = b.clone();
        let status_text = serde_json::to_string(&plan.status).unwrap_or_default();
        nb.metadata
            .annotations
            .insert(rollout::STATUS_ANNOTATION.into(), status_text);
        nb.spec.suspension = with_held(nb.spec.suspension.clone(), &plan.held);
        if nb.spec != b.spec {
            nb.metadata.generation = Some(nb.metadata.generation.unwrap_or(1) + 1);
        }
        if &nb != b {
            cp.revisions.touch_binding(&key);
            cp.bindings.insert(key.clone(), nb);
            changed = true;
        }
        for (reason, message) in plan.events {
            let type_ = if reason == "RolloutPaused" || reason == "RolloutRolledBack" {
                "Warning"
            } else {
                "Normal"
            };
            cp.event("rollout-planner", type_, id.clone(), &reason, message);
        }
        if plan.pause_strategy {
            let mut paused = strategy.clone();
            paused.paused = true;
            if let Ok(text) = serde_json::to_string(&paused) {
                set_strategy_text(cp, &policy, text);
            }
            changed = true;
        }
        if plan.rollback {
            changed |= roll_back(cp, &key, &tkey, &id);
        }
    }
    changed
}

/// Re-applies the last fully rolled-out template; the planner then takes the new
/// generation as rolled back and releases every cluster.
fn roll_back(cp: &mut ControlPlane, key: &(String, String), tkey: &ObjectKey, id: &str) -> bool {
    let Some((revision, stable)) = cp.rollouts.stable.get(key).cloned() else {
        cp.event(
            "rollout-planner",
            "Warning",
            id.to_string(),
            "RolloutRollbackFailed",
            "no fully rolled-out revision is known".into(),
        );
        return false;
    };
    let mut restored = stable;
    if let Some(o) = restored.as_object_mut() {
        o.remove("status");
    }
    if let Err(e) = cp.apply(restored) {
        cp.event(
            "rollout-planner",
            "Warning",
            id.to_string(),
            "RolloutRollbackFailed",
            e.to_string(),
        );
        return false;
    }
    let generation = cp
        .templates
        .get(tkey)
        .and_then(|t| t.pointer("/metadata/generation"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    cp.revisions.touch_binding(key);
    if let Some(b) = cp.bindings.get_mut(key) {
        let status = b
            .metadata
            .annotations
            .get(rollout::STATUS_ANNOTATION)
            .and_then(|s| serde_json::from_str::<RolloutStatus>(s).ok());
        if let Some(mut st) = status {
            st.revision = generation;
            st.stable_revision = Some(generation);
            st.released = b.spec.clusters.iter().map(|t| t.name.clone()).collect();
            if let Ok(text) = serde_json::to_string(&st) {
                b.metadata
                    .annotations
                    .insert(rollout::STATUS_ANNOTATION.into(), text);
            }
        }
    }
    cp.event(
        "rollout-planner",
        "Normal",
        id.to_string(),
        "RolloutRollbackApplied",
        format!("{tkey} restored to the spec of generation {revision} as generation {generation}"),
    );
    true
}
