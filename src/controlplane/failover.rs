//! Karmada's failover controllers on the virtual clock: cluster taints (cluster controller
//! and ClusterTaintPolicy controller), the taint manager (NoExecute eviction), application
//! failover and the graceful-eviction controller. The decisions are in
//! [`crate::failover`]; this module reads and writes the store and logs every decision.
//!
//! Gates and flags, by Karmada name: `Failover` (taint manager, application failover and
//! graceful eviction), `GracefulEviction` (graceful eviction tasks; `Gracefully` purge mode
//! of application failover), `StatefulFailoverInjection` (preserved state),
//! `enable-no-execute-taint-eviction` (default false), `enable-taint-manager` (default
//! true), `no-execute-taint-eviction-purge-mode` (default `Gracefully`) and
//! `graceful-eviction-timeout` (default 10m).

use std::collections::{BTreeMap, BTreeSet};

use crate::api::{ClusterTaintPolicy, Placement, ResourceBinding, Toleration, Work};
use crate::failover::{
    self, ApplicationHealthTracker, EvictionTaskOptions, TaintDecision, TaskAssessment,
};
use crate::interpreter::{Gvk, Operation};
use crate::render::names;
use crate::scheduler::APPLIED_PLACEMENT_ANNOTATION;

use super::{ControlPlane, ObjectKey};

/// What the failover controllers remember between passes (Karmada keeps the same in memory).
#[derive(Debug, Clone, Default)]
pub(super) struct FailoverMemory {
    /// When each (binding, cluster) was first seen Unhealthy.
    application: ApplicationHealthTracker,
    /// The last waiting decision logged per (binding, cluster), so a decision is logged
    /// once rather than on every pass.
    logged: BTreeMap<(String, String), String>,
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

/// Runs the failover controllers once (before the detector); true if anything changed.
pub(super) fn run(cp: &mut ControlPlane) -> bool {
    let mut changed = taint_clusters(cp);
    changed |= taint_manager(cp);
    changed |= application_failover(cp);
    changed |= graceful_eviction(cp);
    changed
}

/// The cluster controller's Ready taints and the ClusterTaintPolicy controller.
fn taint_clusters(cp: &mut ControlPlane) -> bool {
    let policies: Vec<ClusterTaintPolicy> = cp.taint_policies.values().cloned().collect();
    let now = cp.now();
    let names: Vec<String> = cp.clusters.keys().cloned().collect();
    let mut changed = false;
    for name in names {
        let Some(cluster) = cp.clusters.get(&name) else {
            continue;
        };
        let Some(taints) = failover::taint_cluster(cluster, &policies, now) else {
            continue;
        };
        let describe = |ts: &[crate::api::Taint]| -> BTreeSet<String> {
            ts.iter()
                .map(|t| format!("{}:{}", t.key, t.effect))
                .collect()
        };
        let before = describe(&cluster.spec.taints);
        let after = describe(&taints);
        let added: Vec<String> = after.difference(&before).cloned().collect();
        let removed: Vec<String> = before.difference(&after).cloned().collect();
        let conditions: Vec<String> = cluster
            .status
            .as_ref()
            .map(|s| {
                s.conditions
                    .iter()
                    .map(|c| format!("{}={}", c.type_, c.status))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(c) = cp.clusters.get_mut(&name) {
            c.spec.taints = taints;
        }
        cp.revisions.touch_env();
        let object = format!("Cluster {name}");
        let why = format!("conditions [{}]", conditions.join(", "));
        if !added.is_empty() {
            cp.event(
                "cluster-taint-controller",
                "Normal",
                object.clone(),
                "TaintClusterSucceed",
                format!("added taints [{}] for {why}", added.join(", ")),
            );
        }
        if !removed.is_empty() {
            cp.event(
                "cluster-taint-controller",
                "Normal",
                object,
                "UntaintClusterSucceed",
                format!("removed taints [{}] for {why}", removed.join(", ")),
            );
        }
        changed = true;
    }
    changed
}

fn applied_tolerations(b: &ResourceBinding) -> Vec<Toleration> {
    b.metadata
        .annotations
        .get(APPLIED_PLACEMENT_ANNOTATION)
        .and_then(|s| serde_json::from_str::<Placement>(s).ok())
        .map(|p| p.cluster_tolerations)
        .unwrap_or_default()
}

fn log_once(cp: &mut ControlPlane, key: (String, String), reason: &str, message: String) {
    if cp.failover.logged.get(&key).map(String::as_str) == Some(message.as_str()) {
        return;
    }
    cp.failover.logged.insert(key.clone(), message.clone());
    cp.event("taint-manager", "Normal", key.0, reason, message);
}

/// The taint manager: NoExecute taint-based eviction.
fn taint_manager(cp: &mut ControlPlane) -> bool {
    if !cp.config.gate("Failover")
        || !cp.config.flag_bool("enable-taint-manager", true)
        || !cp
            .config
            .flag_bool("enable-no-execute-taint-eviction", false)
    {
        return false;
    }
    let now = cp.now();
    let purge_flag = cp
        .config
        .flags
        .get("no-execute-taint-eviction-purge-mode")
        .cloned();
    let stateful = cp.config.gate("StatefulFailoverInjection");
    let keys: Vec<(String, String)> = cp.bindings.keys().cloned().collect();
    let mut changed = false;
    for key in keys {
        let Some(binding) = cp.bindings.get(&key) else {
            continue;
        };
        let id = binding_id(binding);
        let tolerations = applied_tolerations(binding);
        let targets: Vec<String> = binding
            .spec
            .clusters
            .iter()
            .map(|t| t.name.clone())
            .collect();
        for cluster_name in targets {
            let Some(cluster) = cp.clusters.get(&cluster_name) else {
                continue;
            };
            let decision = failover::taint_eviction(cluster, &tolerations, now);
            let log_key = (id.clone(), cluster_name.clone());
            match decision {
                TaintDecision::Tolerate => {
                    cp.failover.logged.remove(&log_key);
                }
                TaintDecision::RecheckAfter(secs) => {
                    let at = now.plus(secs);
                    log_once(
                        cp,
                        log_key,
                        "TaintEvictionScheduled",
                        format!("NoExecute taints of cluster {cluster_name} are tolerated until {at}; eviction then"),
                    );
                }
                TaintDecision::Evict(message) => {
                    let Some(b) = cp.bindings.get(&key) else {
                        continue;
                    };
                    let mut nb = b.clone();
                    let mode = failover::taint_eviction_purge_mode(&nb, purge_flag.as_deref());
                    let preservation = nb
                        .spec
                        .failover
                        .as_ref()
                        .and_then(|f| f.cluster.as_ref())
                        .and_then(|c| c.state_preservation.clone());
                    let mut options = EvictionTaskOptions {
                        purge_mode: Some(mode),
                        reason: failover::REASON_TAINT_UNTOLERATED.into(),
                        message: message.clone(),
                        producer: failover::PRODUCER_TAINT_MANAGER.into(),
                        ..Default::default()
                    };
                    if let (true, Some(p)) = (stateful, preservation) {
                        match preserved_state(&nb, "cluster", &p, &cluster_name) {
                            Ok(state) => {
                                options.preserved_label_state = state;
                                options.clusters_before_failover =
                                    nb.spec.clusters.iter().map(|t| t.name.clone()).collect();
                            }
                            Err(e) => {
                                cp.event(
                                    "taint-manager",
                                    "Warning",
                                    id.clone(),
                                    "EvictWorkloadFromClusterFailed",
                                    e.to_string(),
                                );
                                continue;
                            }
                        }
                    }
                    if failover::evict_cluster(&mut nb, &cluster_name, options) {
                        cp.failover.logged.remove(&log_key);
                        cp.event(
                            "taint-manager",
                            "Normal",
                            id.clone(),
                            "EvictWorkloadFromClusterSucceed",
                            format!("evicted from cluster {cluster_name} (reason {}, purgeMode {mode:?}): {message}", failover::REASON_TAINT_UNTOLERATED),
                        );
                        cp.revisions.touch_binding(&key);
                        cp.bindings.insert(key.clone(), nb);
                        changed = true;
                    }
                }
            }
        }
    }
    changed
}

fn preserved_state(
    b: &ResourceBinding,
    kind: &str,
    p: &crate::api::StatePreservation,
    cluster: &str,
) -> Result<BTreeMap<String, String>, failover::FailoverError> {
    let status = b
        .status
        .as_ref()
        .and_then(|s| {
            s.aggregated_status
                .iter()
                .find(|i| i.cluster_name == cluster)
        })
        .and_then(|i| i.status.as_ref());
    failover::preserved_label_state(&binding_id(b), kind, p, cluster, status)
}

/// Application failover: a workload Unhealthy in a cluster for longer than
/// `decisionConditions.tolerationSeconds` is evicted from it.
fn application_failover(cp: &mut ControlPlane) -> bool {
    if !cp.config.gate("Failover") {
        return false;
    }
    let now = cp.now();
    let graceful_gate = cp.config.gate("GracefulEviction");
    let stateful = cp.config.gate("StatefulFailoverInjection");
    let keys: Vec<(String, String)> = cp.bindings.keys().cloned().collect();
    let mut changed = false;
    for key in keys {
        let Some(binding) = cp.bindings.get(&key) else {
            continue;
        };
        let Some(app) = binding
            .spec
            .failover
            .as_ref()
            .and_then(|f| f.application.clone())
        else {
            continue;
        };
        let items = binding
            .status
            .as_ref()
            .map(|s| s.aggregated_status.clone())
            .unwrap_or_default();
        let gvk = Gvk {
            api_version: binding.spec.resource.api_version.clone(),
            kind: binding.spec.resource.kind.clone(),
        };
        if items.is_empty()
            || !binding.spec.propagate_deps
            || !cp.interpreter.handles(&gvk, Operation::InterpretHealth)
        {
            continue;
        }
        let id = binding_id(binding);
        let evicting: BTreeSet<String> = binding
            .spec
            .graceful_eviction_tasks
            .iter()
            .map(|t| t.from_cluster.clone())
            .collect();
        let toleration = i64::from(app.decision_conditions.toleration_seconds.unwrap_or(300));
        let before: Vec<Option<crate::controlplane::Timestamp>> = items
            .iter()
            .map(|i| cp.failover.application.first_seen(&id, &i.cluster_name))
            .collect();
        let due = cp
            .failover
            .application
            .observe(&id, &items, &evicting, toleration, now);
        for (item, was) in items.iter().zip(before) {
            let is = cp.failover.application.first_seen(&id, &item.cluster_name);
            if was.is_none() {
                if let Some(first) = is {
                    cp.event(
                        "application-failover",
                        "Warning",
                        id.clone(),
                        "ApplicationUnhealthy",
                        format!(
                            "unhealthy in cluster {}; failover once unhealthy for longer than {toleration}s (after {})",
                            item.cluster_name,
                            first.plus(toleration)
                        ),
                    );
                }
            } else if is.is_none() && !due.contains(&item.cluster_name) {
                cp.event(
                    "application-failover",
                    "Normal",
                    id.clone(),
                    "ApplicationRecovered",
                    format!("no longer unhealthy in cluster {}", item.cluster_name),
                );
            }
        }
        for cluster_name in due {
            let Some(b) = cp.bindings.get(&key) else {
                continue;
            };
            let mut nb = b.clone();
            let mode = app.purge_mode.unwrap_or(crate::api::PurgeMode::Gracefully);
            if mode == crate::api::PurgeMode::Gracefully && !graceful_gate {
                cp.event(
                    "application-failover",
                    "Warning",
                    id.clone(),
                    "EvictWorkloadFromClusterFailed",
                    "the GracefulEviction feature gate must be on for purgeMode Gracefully".into(),
                );
                continue;
            }
            let (grace, suppress) = failover::purge_mode_fields(mode, app.grace_period_seconds);
            let first = cp.failover.application.first_seen(&id, &cluster_name);
            let message = format!(
                "unhealthy in cluster {cluster_name} since {} for longer than tolerationSeconds {toleration}",
                first.map(|t| t.to_string()).unwrap_or_default()
            );
            let mut options = EvictionTaskOptions {
                purge_mode: Some(mode),
                reason: failover::REASON_APPLICATION_FAILURE.into(),
                message: message.clone(),
                producer: failover::PRODUCER_APPLICATION_FAILOVER.into(),
                grace_period_seconds: grace,
                suppress_deletion: suppress,
                ..Default::default()
            };
            if let (true, Some(p)) = (stateful, app.state_preservation.as_ref()) {
                match preserved_state(&nb, "application", p, &cluster_name) {
                    Ok(state) => {
                        options.preserved_label_state = state;
                        options.clusters_before_failover =
                            nb.spec.clusters.iter().map(|t| t.name.clone()).collect();
                    }
                    Err(e) => {
                        cp.event(
                            "application-failover",
                            "Warning",
                            id.clone(),
                            "EvictWorkloadFromClusterFailed",
                            e.to_string(),
                        );
                        continue;
                    }
                }
            }
            if failover::evict_cluster(&mut nb, &cluster_name, options) {
                cp.failover.application.forget(&id, &cluster_name);
                cp.event(
                    "application-failover",
                    "Normal",
                    id.clone(),
                    "EvictWorkloadFromClusterSucceed",
                    format!(
                        "evicted from cluster {cluster_name} (reason {}, purgeMode {mode:?}): {message}",
                        failover::REASON_APPLICATION_FAILURE
                    ),
                );
                cp.revisions.touch_binding(&key);
                cp.bindings.insert(key.clone(), nb);
                changed = true;
            }
        }
    }
    changed
}

/// The graceful-eviction controller: stamps, keeps or removes each eviction task.
fn graceful_eviction(cp: &mut ControlPlane) -> bool {
    if !cp.config.gate("Failover") || !cp.config.gate("GracefulEviction") {
        return false;
    }
    let now = cp.now();
    let timeout = cp.config.flag_seconds(
        "graceful-eviction-timeout",
        failover::DEFAULT_GRACEFUL_EVICTION_TIMEOUT_SECONDS,
    );
    let keys: Vec<(String, String)> = cp.bindings.keys().cloned().collect();
    let mut changed = false;
    for key in keys {
        let Some(b) = cp.bindings.get(&key) else {
            continue;
        };
        if b.spec.graceful_eviction_tasks.is_empty() {
            continue;
        }
        let scheduled: Vec<String> = b.spec.clusters.iter().map(|t| t.name.clone()).collect();
        let status = b.status.clone().unwrap_or_default();
        let has_scheduled = status.scheduler_observed_generation.is_some()
            && status.scheduler_observed_generation == b.metadata.generation;
        let mut kept = Vec::new();
        let mut removed = Vec::new();
        for task in &b.spec.graceful_eviction_tasks {
            match failover::assess_task(
                task,
                &scheduled,
                &status.aggregated_status,
                has_scheduled,
                timeout,
                now,
            ) {
                TaskAssessment::Keep(t) => kept.push(t),
                TaskAssessment::Remove(why) => removed.push((task.from_cluster.clone(), why)),
            }
        }
        if kept == b.spec.graceful_eviction_tasks {
            continue;
        }
        let id = binding_id(b);
        let mut nb = b.clone();
        nb.spec.graceful_eviction_tasks = kept;
        nb.metadata.generation = Some(nb.metadata.generation.unwrap_or(1) + 1);
        if has_scheduled {
            // The scheduler has nothing to redo for a task removal; it observes the new
            // generation, as Karmada's scheduler does on its next look at the binding.
            if let Some(s) = nb.status.as_mut() {
                s.scheduler_observed_generation = nb.metadata.generation;
            }
        }
        cp.revisions.touch_binding(&key);
        cp.bindings.insert(key, nb);
        for (cluster, why) in removed {
            cp.event(
                "graceful-eviction-controller",
                "Normal",
                id.clone(),
                "GracefulEvictionTaskRemoved",
                format!("eviction from cluster {cluster} ends: {why}"),
            );
        }
        changed = true;
    }
    changed
}

/// Stateful failover injection for the binding controller: merges the last eviction task's
/// preserved labels into the manifest of each Work for a cluster new since the failover.
pub(super) fn inject_preserved_state(
    config: &super::Config,
    binding: &ResourceBinding,
    works: &mut [Work],
) {
    if !config.gate("StatefulFailoverInjection") || binding.spec.graceful_eviction_tasks.is_empty()
    {
        return;
    }
    let clusters_len = binding.spec.clusters.len();
    let template = ObjectKey::new(
        &binding.spec.resource.api_version,
        &binding.spec.resource.kind,
        &binding.spec.resource.namespace,
        &binding.spec.resource.name,
    );
    for work in works.iter_mut() {
        let Some(cluster) = names::cluster_of_execution_space(&work.metadata.namespace) else {
            continue;
        };
        if !binding.spec.clusters.iter().any(|t| t.name == cluster) {
            continue;
        }
        let cluster = cluster.to_string();
        for manifest in work.spec.workload.manifests.iter_mut() {
            if ObjectKey::of(manifest) == template {
                failover::inject_preserved_state(binding, &cluster, clusters_len, manifest);
            }
        }
    }
}
