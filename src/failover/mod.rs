//! Karmada's failover decisions, as pure functions of the objects and the current time:
//!
//! - [`taint_cluster`]: the taints a cluster carries after the ClusterTaintPolicies and the
//!   cluster controller's Ready-condition taints;
//! - [`min_toleration_seconds`] / [`taint_eviction`]: NoExecute taint-based eviction;
//! - [`assess_task`]: when a graceful eviction task ends;
//! - [`evict_cluster`]: Karmada's `GracefulEvictCluster` (cluster out of the result, a
//!   task in);
//! - [`ApplicationHealthTracker`] / [`purge_mode_fields`]: application failover;
//! - [`preserved_label_state`] / [`inject_preserved_state`]: stateful failover injection.
//!
//! Purge modes are read by [`crate::api::PurgeMode`]: `Directly`, `Gracefully` and `Never`;
//! the removed aliases `Immediately` and `Graciously` are read as `Directly` and
//! `Gracefully` and written back under the current names.
//!
//! ```
//! use fedplan::api::{Taint, Toleration};
//! use fedplan::controlplane::Timestamp;
//! use fedplan::failover::min_toleration_seconds;
//!
//! let now = Timestamp::parse("2026-01-01T00:01:00Z").unwrap();
//! let taint = Taint { key: "fail".into(), effect: "NoExecute".into(),
//!                     time_added: Some("2026-01-01T00:00:00Z".into()), ..Default::default() };
//! let tol = Toleration { key: "fail".into(), operator: "Exists".into(),
//!                        effect: "NoExecute".into(), toleration_seconds: Some(300), ..Default::default() };
//! assert_eq!(min_toleration_seconds(&[taint], &[tol], now), 240);
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::api::{
    AggregatedStatusItem, Cluster, ClusterTaintPolicy, GracefulEvictionTask, MatchCondition,
    PurgeMode, ResourceBinding, ResourceHealth, StatePreservation, Taint, Toleration,
};
use crate::controlplane::Timestamp;
use crate::scheduler::filter::tolerates;

/// Errors of the failover decisions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FailoverError {
    /// A `statePreservation` rule's JSONPath is not a supported path.
    #[error(
        "{binding}: failover.{kind}.statePreservation.rules[{index}].jsonPath {path:?}: {message}"
    )]
    InvalidJsonPath {
        /// The binding (`ResourceBinding ns/name`).
        binding: String,
        /// `application` or `cluster`.
        kind: String,
        /// Index of the rule.
        index: usize,
        /// The path as written.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A `statePreservation` rule found no value in the old cluster's status.
    #[error("{binding}: failover.{kind}.statePreservation.rules[{index}].jsonPath {path:?}: no value in the status reported by cluster {cluster}")]
    MissingState {
        /// The binding.
        binding: String,
        /// `application` or `cluster`.
        kind: String,
        /// Index of the rule.
        index: usize,
        /// The path as written.
        path: String,
        /// The cluster being left.
        cluster: String,
    },
}

/// Key of the taint the cluster controller puts on a cluster whose Ready condition is False.
pub const NOT_READY_TAINT: &str = "cluster.karmada.io/not-ready";
/// Key of the taint the cluster controller puts on a cluster whose Ready condition is Unknown.
pub const UNREACHABLE_TAINT: &str = "cluster.karmada.io/unreachable";
/// Eviction reason of taint-based eviction.
pub const REASON_TAINT_UNTOLERATED: &str = "TaintUntolerated";
/// Eviction reason of application failover.
pub const REASON_APPLICATION_FAILURE: &str = "ApplicationFailure";
/// Producer of taint-based eviction tasks.
pub const PRODUCER_TAINT_MANAGER: &str = "TaintManager";
/// Producer of application failover tasks.
pub const PRODUCER_APPLICATION_FAILOVER: &str = "ResourceBindingApplicationFailoverController";
/// Default of `--graceful-eviction-timeout` (10 minutes).
pub const DEFAULT_GRACEFUL_EVICTION_TIMEOUT_SECONDS: i64 = 600;

fn ts(s: &Option<String>) -> Option<Timestamp> {
    s.as_deref().and_then(|t| Timestamp::parse(t).ok())
}

// ----------------------------------------------------------------------------------------
// Cluster taints
// ----------------------------------------------------------------------------------------

/// Whether every condition test holds on the cluster (ANDed). An empty list never fires;
/// a condition type the cluster lacks fails both `In` and `NotIn`.
pub fn conditions_match(cluster: &Cluster, tests: &[MatchCondition]) -> bool {
    !tests.is_empty()
        && tests.iter().all(|t| {
            let Some(c) = cluster.condition(&t.condition_type) else {
                return false;
            };
            let listed = t.status_values.contains(&c.status);
            match t.operator.as_str() {
                "In" => listed,
                "NotIn" => !listed,
                _ => false,
            }
        })
}

/// The taints of `cluster` after Karmada's ClusterTaintPolicy controller: policies in
/// creationTimestamp order (then name), each targeting the cluster adds its taints (identified
/// by key and effect, `timeAdded = now`) when `addOnConditions` hold, then removes them when
/// `removeOnConditions` hold. Returns `None` when nothing changes.
pub fn apply_taint_policies(
    cluster: &Cluster,
    policies: &[ClusterTaintPolicy],
    now: Timestamp,
) -> Option<Vec<Taint>> {
    let mut ordered: Vec<&ClusterTaintPolicy> = policies.iter().collect();
    ordered.sort_by(|a, b| {
        let ta = ts(&a.metadata.creation_timestamp);
        let tb = ts(&b.metadata.creation_timestamp);
        ta.cmp(&tb)
            .then_with(|| a.metadata.name.cmp(&b.metadata.name))
    });
    let mut taints = cluster.spec.taints.clone();
    for p in ordered {
        if let Some(target) = &p.spec.target_clusters {
            if !crate::selector::cluster_matches(cluster, target) {
                continue;
            }
        }
        if conditions_match(cluster, &p.spec.add_on_conditions) {
            for t in &p.spec.taints {
                if !taints
                    .iter()
                    .any(|x| x.key == t.key && x.effect == t.effect)
                {
                    taints.push(Taint {
                        key: t.key.clone(),
                        value: t.value.clone(),
                        effect: t.effect.clone(),
                        time_added: Some(now.to_string()),
                    });
                }
            }
        }
        if conditions_match(cluster, &p.spec.remove_on_conditions) {
            taints.retain(|x| {
                !p.spec
                    .taints
                    .iter()
                    .any(|t| x.key == t.key && x.effect == t.effect)
            });
        }
    }
    (taints != cluster.spec.taints).then_some(taints)
}

/// The cluster controller's NoSchedule taints from the Ready condition: `not-ready` when
/// False, `unreachable` when Unknown, neither when True (or absent). Returns `None` when
/// nothing changes.
pub fn apply_ready_taints(cluster: &Cluster, now: Timestamp) -> Option<Vec<Taint>> {
    let want = match cluster.condition("Ready").map(|c| c.status.as_str()) {
        Some("False") => Some(NOT_READY_TAINT),
        Some("Unknown") => Some(UNREACHABLE_TAINT),
        _ => None,
    };
    let mut taints = cluster.spec.taints.clone();
    taints.retain(|t| {
        t.effect != "NoSchedule"
            || !(t.key == NOT_READY_TAINT || t.key == UNREACHABLE_TAINT)
            || Some(t.key.as_str()) == want
    });
    if let Some(key) = want {
        if !taints
            .iter()
            .any(|t| t.key == key && t.effect == "NoSchedule")
        {
            taints.push(Taint {
                key: key.into(),
                effect: "NoSchedule".into(),
                time_added: Some(now.to_string()),
                ..Default::default()
            });
        }
    }
    (taints != cluster.spec.taints).then_some(taints)
}

/// Both taint controllers in turn; `None` when nothing changes.
pub fn taint_cluster(
    cluster: &Cluster,
    policies: &[ClusterTaintPolicy],
    now: Timestamp,
) -> Option<Vec<Taint>> {
    let mut c = cluster.clone();
    let mut changed = false;
    if let Some(t) = apply_ready_taints(&c, now) {
        c.spec.taints = t;
        changed = true;
    }
    if let Some(t) = apply_taint_policies(&c, policies, now) {
        c.spec.taints = t;
        changed = true;
    }
    changed.then_some(c.spec.taints)
}

// ----------------------------------------------------------------------------------------
// Taint-based eviction
// ----------------------------------------------------------------------------------------

/// Whether every taint is tolerated, and the toleration used for each (first match), as
/// Karmada's `GetMatchingTolerations`; the list is empty unless all are tolerated.
pub fn matching_tolerations(
    taints: &[Taint],
    tolerations: &[Toleration],
) -> (bool, Vec<Toleration>) {
    let mut used = Vec::with_capacity(taints.len());
    for t in taints {
        match tolerations.iter().find(|tol| tolerates(tol, t)) {
            Some(tol) => used.push(tol.clone()),
            None => return (false, Vec::new()),
        }
    }
    (true, used)
}

/// Seconds until eviction, as Karmada's `GetMinTolerationTimeWithCurrentTime`: `-1` to
/// tolerate forever, `0` to evict now, otherwise the smallest remaining time over every
/// (NoExecute taint with `timeAdded`, used toleration with `tolerationSeconds` that
/// tolerates it) pair.
///
/// No taint tolerates forever; taints with no used toleration at all are evicted at once,
/// before any pair is looked at (Karmada checks the two lists in that order).
pub fn min_toleration_seconds(
    no_execute_taints: &[Taint],
    used_tolerations: &[Toleration],
    now: Timestamp,
) -> i64 {
    if no_execute_taints.is_empty() {
        return -1;
    }
    if used_tolerations.is_empty() {
        return 0;
    }
    let mut min: Option<Timestamp> = None;
    for taint in no_execute_taints {
        let Some(added) = ts(&taint.time_added) else {
            continue;
        };
        for tol in used_tolerations {
            let Some(secs) = tol.toleration_seconds else {
                continue;
            };
            if !tolerates(tol, taint) {
                continue;
            }
            // A negative tolerationSeconds moves the trigger before timeAdded, as in Karmada.
            let trigger = added.plus(secs);
            min = Some(min.map_or(trigger, |m| m.min(trigger)));
        }
    }
    match min {
        None => -1,
        Some(t) if t <= now => 0,
        Some(t) => t.0 - now.0,
    }
}

/// What the taint manager decides for one (binding, cluster).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaintDecision {
    /// No NoExecute taint, or all tolerated forever.
    Tolerate,
    /// Evict now; the message says why.
    Evict(String),
    /// Tolerated for this many more seconds.
    RecheckAfter(i64),
}

/// The taint manager's decision for a binding placed on `cluster`, with the tolerations of
/// the placement the binding was last scheduled with (`applied`).
pub fn taint_eviction(cluster: &Cluster, applied: &[Toleration], now: Timestamp) -> TaintDecision {
    let no_execute: Vec<Taint> = cluster
        .spec
        .taints
        .iter()
        .filter(|t| t.effect == "NoExecute")
        .cloned()
        .collect();
    if no_execute.is_empty() {
        return TaintDecision::Tolerate;
    }
    let (all, used) = matching_tolerations(&no_execute, applied);
    if !all {
        let untolerated: Vec<String> = no_execute
            .iter()
            .filter(|t| !applied.iter().any(|tol| tolerates(tol, t)))
            .map(|t| format!("{}:{}", t.key, t.effect))
            .collect();
        return TaintDecision::Evict(format!(
            "cluster {} has untolerated NoExecute taints [{}]",
            cluster.name(),
            untolerated.join(", ")
        ));
    }
    match min_toleration_seconds(&no_execute, &used, now) {
        -1 => TaintDecision::Tolerate,
        0 => TaintDecision::Evict(format!(
            "the toleration of the NoExecute taints of cluster {} has expired",
            cluster.name()
        )),
        s => TaintDecision::RecheckAfter(s),
    }
}

// ----------------------------------------------------------------------------------------
// Graceful eviction tasks
// ----------------------------------------------------------------------------------------

/// The outcome of assessing one graceful eviction task.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskAssessment {
    /// Keep the task (its `creationTimestamp` set when it had none).
    Keep(GracefulEvictionTask),
    /// Remove the task; the reason says why.
    Remove(String),
}

/// Assesses a graceful eviction task as Karmada's graceful-eviction controller does:
/// stamp it on first sight, honour `suppressDeletion`, remove it after
/// `gracePeriodSeconds` (or `default_timeout_seconds`), or once the scheduler observed the
/// binding's generation and every scheduled cluster reports `Healthy`.
pub fn assess_task(
    task: &GracefulEvictionTask,
    scheduled: &[String],
    observed: &[AggregatedStatusItem],
    has_scheduled: bool,
    default_timeout_seconds: i64,
    now: Timestamp,
) -> TaskAssessment {
    let Some(created) = ts(&task.creation_timestamp) else {
        let mut t = task.clone();
        t.creation_timestamp = Some(now.to_string());
        return TaskAssessment::Keep(t);
    };
    match task.suppress_deletion {
        Some(true) => return TaskAssessment::Keep(task.clone()),
        Some(false) => return TaskAssessment::Remove("suppressDeletion is false".into()),
        None => {}
    }
    let timeout = task
        .grace_period_seconds
        .map(i64::from)
        .unwrap_or(default_timeout_seconds);
    // Karmada removes the task once now is strictly after the deadline.
    if created.plus(timeout) < now {
        return TaskAssessment::Remove(format!("the grace period of {timeout}s has passed"));
    }
    let all_healthy = scheduled.iter().all(|c| {
        observed
            .iter()
            .any(|i| i.cluster_name == *c && i.health == Some(ResourceHealth::Healthy))
    });
    if has_scheduled && all_healthy {
        let list = scheduled.join(", ");
        return TaskAssessment::Remove(format!("the workload is healthy on [{list}]"));
    }
    TaskAssessment::Keep(task.clone())
}

/// The earliest deadline among tasks without `suppressDeletion`, for requeueing.
pub fn next_task_deadline(
    tasks: &[GracefulEvictionTask],
    default_timeout_seconds: i64,
) -> Option<Timestamp> {
    tasks
        .iter()
        .filter(|t| t.suppress_deletion.is_none())
        .filter_map(|t| {
            let created = ts(&t.creation_timestamp)?;
            Some(
                created.plus(
                    t.grace_period_seconds
                        .map(i64::from)
                        .unwrap_or(default_timeout_seconds),
                ),
            )
        })
        .min()
}

/// Extra fields of an eviction task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvictionTaskOptions {
    /// Purge mode.
    pub purge_mode: Option<PurgeMode>,
    /// Why (`TaintUntolerated`, `ApplicationFailure`).
    pub reason: String,
    /// Details.
    pub message: String,
    /// Producer.
    pub producer: String,
    /// Grace period overriding the controller default.
    pub grace_period_seconds: Option<i32>,
    /// Keep the old copy forever.
    pub suppress_deletion: Option<bool>,
    /// State for the new placement.
    pub preserved_label_state: BTreeMap<String, String>,
    /// The clusters before the failover.
    pub clusters_before_failover: Vec<String>,
}

/// Karmada's `GracefulEvictCluster`: removes `cluster` from `spec.clusters` and, unless a
/// task for it already exists, appends a task (with the evicted replicas when > 0). Bumps
/// the binding's generation when the spec changes. Returns whether it changed.
pub fn evict_cluster(
    binding: &mut ResourceBinding,
    cluster: &str,
    options: EvictionTaskOptions,
) -> bool {
    let before = binding.spec.clone();
    let replicas = binding
        .spec
        .clusters
        .iter()
        .find(|t| t.name == cluster)
        .map(|t| t.replicas)
        .unwrap_or(0);
    binding.spec.clusters.retain(|t| t.name != cluster);
    if !binding
        .spec
        .graceful_eviction_tasks
        .iter()
        .any(|t| t.from_cluster == cluster)
    {
        binding
            .spec
            .graceful_eviction_tasks
            .push(GracefulEvictionTask {
                from_cluster: cluster.to_string(),
                purge_mode: options.purge_mode,
                replicas: (replicas > 0).then_some(replicas),
                reason: options.reason,
                message: options.message,
                producer: options.producer,
                grace_period_seconds: options.grace_period_seconds,
                suppress_deletion: options.suppress_deletion,
                preserved_label_state: options.preserved_label_state,
                clusters_before_failover: options.clusters_before_failover,
                creation_timestamp: None,
            });
    }
    let changed = binding.spec != before;
    if changed {
        binding.metadata.generation = Some(binding.metadata.generation.unwrap_or(1) + 1);
    }
    changed
}

/// The purge mode of taint-based eviction: `failover.cluster.purgeMode` when
/// `failover.cluster` is set (`Gracefully` when empty there), else the flag
/// `--no-execute-taint-eviction-purge-mode` (only `Directly` is recognised; otherwise
/// `Gracefully`).
pub fn taint_eviction_purge_mode(binding: &ResourceBinding, flag: Option<&str>) -> PurgeMode {
    if let Some(c) = binding
        .spec
        .failover
        .as_ref()
        .and_then(|f| f.cluster.as_ref())
    {
        return c.purge_mode.unwrap_or(PurgeMode::Gracefully);
    }
    match flag {
        Some("Directly") => PurgeMode::Directly,
        _ => PurgeMode::Gracefully,
    }
}

/// The task fields application failover derives from the policy's purge mode:
/// `Gracefully` copies `gracePeriodSeconds`, `Never` sets `suppressDeletion: true`,
/// `Directly` adds nothing.
pub fn purge_mode_fields(
    mode: PurgeMode,
    grace_period_seconds: Option<i32>,
) -> (Option<i32>, Option<bool>) {
    match mode {
        PurgeMode::Gracefully => (grace_period_seconds, None),
        PurgeMode::Never => (None, Some(true)),
        PurgeMode::Directly => (None, None),
    }
}

// ----------------------------------------------------------------------------------------
// Application failover
// ----------------------------------------------------------------------------------------

/// Application failover's memory of when each (binding, cluster) was first seen Unhealthy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationHealthTracker {
    first_unhealthy: BTreeMap<(String, String), Timestamp>,
}

impl ApplicationHealthTracker {
    /// Observes a binding's aggregated status and returns the clusters whose unhealth has
    /// lasted strictly longer than `toleration_seconds`. Clusters already in an eviction
    /// task are skipped; Healthy or Unknown clears the record; a first Unhealthy sight
    /// records the time (so even a toleration of 0 needs a second observation).
    pub fn observe(
        &mut self,
        binding_id: &str,
        items: &[AggregatedStatusItem],
        evicting: &BTreeSet<String>,
        toleration_seconds: i64,
        now: Timestamp,
    ) -> Vec<String> {
        let mut due = Vec::new();
        let seen: BTreeSet<&str> = items.iter().map(|i| i.cluster_name.as_str()).collect();
        self.first_unhealthy
            .retain(|(b, c), _| b != binding_id || seen.contains(c.as_str()));
        for item in items {
            let key = (binding_id.to_string(), item.cluster_name.clone());
            if evicting.contains(&item.cluster_name) {
                continue;
            }
            if item.health != Some(ResourceHealth::Unhealthy) {
                self.first_unhealthy.remove(&key);
                continue;
            }
            match self.first_unhealthy.get(&key) {
                None => {
                    self.first_unhealthy.insert(key, now);
                }
                Some(first) => {
                    // Karmada evicts once "now" is strictly after first-seen + toleration;
                    // on the virtual clock a second observation at the same instant stands
                    // for the later real-time event that triggers a toleration of 0.
                    if now > first.plus(toleration_seconds) || toleration_seconds == 0 {
                        due.push(item.cluster_name.clone());
                    }
                }
            }
        }
        due
    }

    /// Forgets a (binding, cluster) (after its eviction).
    pub fn forget(&mut self, binding_id: &str, cluster: &str) {
        self.first_unhealthy
            .remove(&(binding_id.to_string(), cluster.to_string()));
    }

    /// The earliest time a recorded cluster becomes due, for the control plane's clock.
    pub fn first_seen(&self, binding_id: &str, cluster: &str) -> Option<Timestamp> {
        self.first_unhealthy
            .get(&(binding_id.to_string(), cluster.to_string()))
            .copied()
    }
}

// ----------------------------------------------------------------------------------------
// Stateful failover
// ----------------------------------------------------------------------------------------

/// Evaluates a kubectl-style JSONPath of `statePreservation` (`{.a.b[0].c}` or `.a.b`) on
/// a status object; the value as a label string (strings as they are, other scalars as
/// JSON). Errors name the problem.
pub fn eval_json_path<'a>(path: &str, root: &'a Value) -> Result<Option<&'a Value>, String> {
    let mut p = path.trim();
    if let Some(inner) = p.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        p = inner.trim();
    }
    let Some(rest) = p.strip_prefix('.') else {
        return Err("expected a path starting with '.'".into());
    };
    let mut cur = root;
    if rest.is_empty() {
        return Ok(Some(cur));
    }
    for segment in rest.split('.') {
        let (name, indexes) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if !name.is_empty() {
            match cur.get(name) {
                Some(v) => cur = v,
                None => return Ok(None),
            }
        } else if indexes.is_empty() {
            return Err("empty path segment".into());
        }
        let mut idx = indexes;
        while !idx.is_empty() {
            let Some(close) = idx.find(']') else {
                return Err("unclosed '['".into());
            };
            let n: usize = idx
                .get(1..close)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("unsupported index {:?}", &idx[..=close]))?;
            match cur.get(n) {
                Some(v) => cur = v,
                None => return Ok(None),
            }
            idx = &idx[close + 1..];
            if !idx.is_empty() && !idx.starts_with('[') {
                return Err(format!("unexpected {idx:?}"));
            }
        }
    }
    Ok(Some(cur))
}

/// Builds `preservedLabelState` from the status the failing cluster reported: one label per
/// rule, the value found by its JSONPath. A missing value or a bad path is an error (and
/// Karmada then does not evict).
pub fn preserved_label_state(
    binding_id: &str,
    kind: &str,
    preservation: &StatePreservation,
    cluster: &str,
    status: Option<&Value>,
) -> Result<BTreeMap<String, String>, FailoverError> {
    let empty = Value::Null;
    let status = status.unwrap_or(&empty);
    let mut out = BTreeMap::new();
    for (index, rule) in preservation.rules.iter().enumerate() {
        let found = eval_json_path(&rule.json_path, status).map_err(|message| {
            FailoverError::InvalidJsonPath {
                binding: binding_id.into(),
                kind: kind.into(),
                index,
                path: rule.json_path.clone(),
                message,
            }
        })?;
        let value = match found {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => {
                return Err(FailoverError::MissingState {
                    binding: binding_id.into(),
                    kind: kind.into(),
                    index,
                    path: rule.json_path.clone(),
                    cluster: cluster.into(),
                })
            }
            Some(other) => other.to_string(),
        };
        out.insert(rule.alias_label_name.clone(), value);
    }
    Ok(out)
}

/// Karmada's injection of preserved state into a workload bound for `target`: only when
/// the binding has a single target cluster, its last eviction task purges `Directly`, and
/// `target` is not among that task's `clustersBeforeFailover`; the task's
/// `preservedLabelState` is merged into the manifest's labels. Returns whether it changed.
pub fn inject_preserved_state(
    binding: &ResourceBinding,
    target: &str,
    clusters_len: usize,
    manifest: &mut Value,
) -> bool {
    if clusters_len > 1 {
        return false;
    }
    let Some(task) = binding.spec.graceful_eviction_tasks.last() else {
        return false;
    };
    if task.purge_mode != Some(PurgeMode::Directly)
        || task.clusters_before_failover.iter().any(|c| c == target)
        || task.preserved_label_state.is_empty()
    {
        return false;
    }
    let Some(meta) = manifest
        .as_object_mut()
        .map(|o| {
            o.entry("metadata")
                .or_insert_with(|| Value::Object(Default::default()))
        })
        .and_then(Value::as_object_mut)
    else {
        return false;
    };
    let labels = meta
        .entry("labels")
        .or_insert_with(|| Value::Object(Default::default()));
    let Some(labels) = labels.as_object_mut() else {
        return false;
    };
    let mut changed = false;
    for (k, v) in &task.preserved_label_state {
        if labels.get(k).and_then(Value::as_str) != Some(v.as_str()) {
            labels.insert(k.clone(), Value::String(v.clone()));
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests;
