//! A health-gated, cluster-by-cluster rollout planner, driven by data on the policy.
//!
//! Karmada rolls a template change out to every scheduled cluster at once; staging it is
//! left to users editing `suspension.dispatchingOnClusters` by hand. This planner does that
//! editing itself. A PropagationPolicy (or ClusterPropagationPolicy) opts in with the
//! annotation [`STRATEGY_ANNOTATION`]:
//!
//! ```yaml
//! metadata:
//!   annotations:
//!     rollout.fedplan.io/strategy: |
//!       {"batches": [["a"], ["b", "c"], ["d", "e"]], "soakSeconds": 60, "onFailure": "Pause"}
//! ```
//!
//! Fields ([`Strategy`]):
//! - `batches`: clusters released together, in order. Scheduled clusters named in no batch
//!   are released with the last batch. Instead of `batches`, `maxUnavailableClusters: N`
//!   releases the scheduled clusters in name order, N at a time.
//! - `soakSeconds` (default 0): how long a batch must stay healthy before the next is
//!   released.
//! - `onFailure`: `Pause` (default) holds every unreleased cluster and sets `"paused": true`
//!   in the annotation; `Rollback` re-applies the template revision that was fully rolled
//!   out before, to every cluster at once.
//! - `paused`: `true` holds the rollout where it is (set by the planner on failure, or by a
//!   user); editing it to `false` resumes.
//!
//! The planner's state is written on the binding as the annotation [`STATUS_ANNOTATION`]
//! ([`RolloutStatus`]), so every step of a simulation shows it. The first revision a
//! binding sees is taken as rolled out; each later move of the template's generation
//! starts a rollout:
//! 1. every scheduled cluster outside the first batch is held (its Work is rendered but not
//!    dispatched, Karmada's `suspension.dispatchingOnClusters`);
//! 2. a batch is done when each released cluster is caught up (its member object's
//!    `resourcetemplate.karmada.io/generation` annotation is the template's generation and
//!    its `status.observedGeneration` equals its `metadata.generation`) and reported
//!    `Healthy`, and has stayed so for `soakSeconds`; then the next batch is released;
//! 3. a released cluster that is caught up and reported `Unhealthy` fails the rollout.
//!
//! ```
//! use fedplan::controlplane::Timestamp;
//! use fedplan::rollout::{plan, ClusterObservation, Phase, Strategy};
//! use std::collections::BTreeMap;
//!
//! let strategy = Strategy::parse(r#"{"batches": [["a"], ["b"]], "soakSeconds": 60}"#).unwrap();
//! let scheduled = vec!["a".to_string(), "b".to_string()];
//! let t0 = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
//! let none = BTreeMap::new();
//! // First sight: revision 1 counts as rolled out.
//! let p = plan(&strategy, None, 1, &scheduled, &none, t0);
//! assert!(p.held.is_empty());
//! // The template moves to generation 2: "b" is held.
//! let p = plan(&strategy, Some(&p.status), 2, &scheduled, &none, t0);
//! assert_eq!(p.held, vec!["b".to_string()]);
//! // "a" caught up and healthy: the soak starts, and after 60 s "b" is released.
//! let healthy = BTreeMap::from([("a".to_string(), ClusterObservation::healthy(true))]);
//! let p = plan(&strategy, Some(&p.status), 2, &scheduled, &healthy, t0);
//! let p = plan(&strategy, Some(&p.status), 2, &scheduled, &healthy, t0.plus(60));
//! assert!(p.held.is_empty());
//! assert_eq!(p.status.phase, Phase::Progressing);
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::ResourceHealth;
use crate::controlplane::Timestamp;

/// The policy annotation holding the [`Strategy`] as JSON.
pub const STRATEGY_ANNOTATION: &str = "rollout.fedplan.io/strategy";
/// The binding annotation holding the [`RolloutStatus`] as JSON.
pub const STATUS_ANNOTATION: &str = "rollout.fedplan.io/status";

/// Errors reading a strategy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RolloutError {
    /// The annotation is not a valid strategy.
    #[error("annotation {STRATEGY_ANNOTATION}: {0}")]
    InvalidStrategy(String),
}

/// What to do when a released cluster fails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OnFailure {
    /// Hold the unreleased clusters and mark the strategy paused.
    #[default]
    Pause,
    /// Re-apply the last fully rolled-out revision everywhere.
    Rollback,
}

/// A rollout strategy (the policy annotation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Strategy {
    /// Clusters released together, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batches: Vec<Vec<String>>,
    /// Release the scheduled clusters N at a time (name order) instead of `batches`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable_clusters: Option<usize>,
    /// Seconds a batch must stay healthy before the next is released.
    #[serde(default)]
    pub soak_seconds: i64,
    /// What a failure does.
    #[serde(default)]
    pub on_failure: OnFailure,
    /// Hold the rollout where it is.
    #[serde(default)]
    pub paused: bool,
}

impl Strategy {
    /// Reads a strategy from the annotation's JSON, checking it.
    pub fn parse(text: &str) -> Result<Self, RolloutError> {
        let s: Strategy =
            serde_json::from_str(text).map_err(|e| RolloutError::InvalidStrategy(e.to_string()))?;
        match (&s.batches.is_empty(), s.max_unavailable_clusters) {
            (false, Some(_)) => Err(RolloutError::InvalidStrategy(
                "batches and maxUnavailableClusters are exclusive".into(),
            )),
            (true, None) => Err(RolloutError::InvalidStrategy(
                "one of batches or maxUnavailableClusters is required".into(),
            )),
            (_, Some(0)) => Err(RolloutError::InvalidStrategy(
                "maxUnavailableClusters must be at least 1".into(),
            )),
            _ if s.soak_seconds < 0 => Err(RolloutError::InvalidStrategy(
                "soakSeconds must not be negative".into(),
            )),
            _ => Ok(s),
        }
    }

    /// The batches for the scheduled clusters: named batches restricted to scheduled
    /// clusters (empty ones dropped), the unnamed rest appended to the last; or chunks of
    /// `maxUnavailableClusters` in name order.
    pub fn batches_for(&self, scheduled: &[String]) -> Vec<Vec<String>> {
        let mut sorted: Vec<String> = scheduled.to_vec();
        sorted.sort();
        sorted.dedup();
        if let Some(n) = self.max_unavailable_clusters {
            return sorted.chunks(n.max(1)).map(<[String]>::to_vec).collect();
        }
        let mut out: Vec<Vec<String>> = self
            .batches
            .iter()
            .map(|b| {
                b.iter()
                    .filter(|c| sorted.contains(c))
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .filter(|b: &Vec<String>| !b.is_empty())
            .collect();
        let rest: Vec<String> = sorted
            .iter()
            .filter(|c| !self.batches.iter().flatten().any(|n| n == *c))
            .cloned()
            .collect();
        if !rest.is_empty() {
            match out.last_mut() {
                Some(last) => last.extend(rest),
                None => out.push(rest),
            }
        }
        out
    }
}

/// Where a rollout stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Every scheduled cluster runs `revision`.
    #[default]
    Completed,
    /// Batches are being released.
    Progressing,
    /// Held after a failure or by the user.
    Paused,
    /// The failed revision was replaced by the last good one everywhere.
    RolledBack,
}

/// The planner's state (the binding annotation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutStatus {
    /// The template generation being (or last) rolled out.
    pub revision: i64,
    /// The last generation that reached every cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stable_revision: Option<i64>,
    /// Phase.
    pub phase: Phase,
    /// Index of the last released batch.
    #[serde(default)]
    pub batch: usize,
    /// Clusters released for `revision`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub released: Vec<String>,
    /// Since when every released cluster has been caught up and healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthy_since: Option<String>,
    /// Why the rollout stands where it does.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// What the control plane observed of one cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterObservation {
    /// The member object runs the current template generation and its controller has
    /// observed its spec.
    pub caught_up: bool,
    /// The health the binding reports for the cluster.
    pub health: ResourceHealth,
}

impl ClusterObservation {
    /// A healthy cluster, caught up or not.
    pub fn healthy(caught_up: bool) -> Self {
        ClusterObservation {
            caught_up,
            health: ResourceHealth::Healthy,
        }
    }
}

/// A planner decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The new state.
    pub status: RolloutStatus,
    /// Clusters whose dispatching must be suspended (sorted).
    pub held: Vec<String>,
    /// Decisions to log: (reason, message).
    pub events: Vec<(String, String)>,
    /// The strategy must be marked paused (a failure with `onFailure: Pause`).
    pub pause_strategy: bool,
    /// The template must go back to `status.stable_revision` (a failure with
    /// `onFailure: Rollback`).
    pub rollback: bool,
}

fn held_of(scheduled: &[String], released: &[String]) -> Vec<String> {
    let mut held: Vec<String> = scheduled
        .iter()
        .filter(|c| !released.contains(c))
        .cloned()
        .collect();
    held.sort();
    held.dedup();
    held
}

/// One planning step for a binding: `generation` is the template's, `scheduled` the
/// binding's clusters, `observed` what each cluster reports.
pub fn plan(
    strategy: &Strategy,
    status: Option<&RolloutStatus>,
    generation: i64,
    scheduled: &[String],
    observed: &BTreeMap<String, ClusterObservation>,
    now: Timestamp,
) -> Plan {
    let mut events = Vec::new();
    let done = |status: RolloutStatus, events| Plan {
        status,
        held: Vec::new(),
        events,
        pause_strategy: false,
        rollback: false,
    };
    let Some(prev) = status else {
        return done(
            RolloutStatus {
                revision: generation,
                stable_revision: Some(generation),
                phase: Phase::Completed,
                ..Default::default()
            },
            events,
        );
    };
    let batches = strategy.batches_for(scheduled);
    let mut st = prev.clone();
    if generation != prev.revision {
        // A new revision: the stable one is the last that completed.
        let stable = match prev.phase {
            Phase::Completed | Phase::RolledBack => Some(prev.revision),
            _ => prev.stable_revision,
        };
        let first = batches.first().cloned().unwrap_or_default();
        st = RolloutStatus {
            revision: generation,
            stable_revision: stable,
            phase: Phase::Progressing,
            batch: 0,
            released: first.clone(),
            healthy_since: None,
            message: format!("batch 1/{} released", batches.len()),
        };
        events.push((
            "RolloutStarted".into(),
            format!(
                "generation {generation}: batch 1/{} [{}] released, [{}] held",
                batches.len(),
                first.join(", "),
                held_of(scheduled, &first).join(", ")
            ),
        ));
    }
    if matches!(st.phase, Phase::Completed | Phase::RolledBack) {
        return done(st, events);
    }
    // The user's pause flag wins; clearing it resumes a paused rollout.
    if strategy.paused {
        if st.phase != Phase::Paused {
            st.phase = Phase::Paused;
            st.message = "paused by the strategy annotation".into();
            events.push(("RolloutPaused".into(), st.message.clone()));
        }
        let held = held_of(scheduled, &st.released);
        return Plan {
            status: st,
            held,
            events,
            pause_strategy: false,
            rollback: false,
        };
    }
    if st.phase == Phase::Paused {
        st.phase = Phase::Progressing;
        st.healthy_since = None;
        st.message = format!("batch {}/{} resumed", st.batch + 1, batches.len());
        events.push(("RolloutResumed".into(), st.message.clone()));
    }
    let failed: Vec<String> = st
        .released
        .iter()
        .filter(|c| {
            observed
                .get(*c)
                .is_some_and(|o| o.caught_up && o.health == ResourceHealth::Unhealthy)
        })
        .cloned()
        .collect();
    if !failed.is_empty() {
        st.healthy_since = None;
        match strategy.on_failure {
            OnFailure::Pause => {
                st.phase = Phase::Paused;
                st.message = format!("paused: unhealthy in [{}]", failed.join(", "));
                events.push(("RolloutPaused".into(), st.message.clone()));
                let held = held_of(scheduled, &st.released);
                return Plan {
                    status: st,
                    held,
                    events,
                    pause_strategy: true,
                    rollback: false,
                };
            }
            OnFailure::Rollback => {
                st.message = format!(
                    "rolling back to generation {}: unhealthy in [{}]",
                    st.stable_revision
                        .map(|r| r.to_string())
                        .unwrap_or_default(),
                    failed.join(", ")
                );
                st.phase = Phase::RolledBack;
                events.push(("RolloutRolledBack".into(), st.message.clone()));
                return Plan {
                    status: st,
                    held: Vec::new(),
                    events,
                    pause_strategy: false,
                    rollback: true,
                };
            }
        }
    }
    let ready = st.released.iter().all(|c| {
        observed
            .get(c)
            .is_some_and(|o| o.caught_up && o.health == ResourceHealth::Healthy)
    });
    if !ready {
        st.healthy_since = None;
    } else {
        let since = st
            .healthy_since
            .as_deref()
            .and_then(|t| Timestamp::parse(t).ok())
            .unwrap_or(now);
        st.healthy_since = Some(since.to_string());
        if now.0 - since.0 >= strategy.soak_seconds {
            // Released clusters no longer scheduled do not block; newly scheduled ones
            // join the batch they belong to.
            let next = st.batch + 1;
            if next < batches.len() {
                let batch = batches.get(next).cloned().unwrap_or_default();
                st.batch = next;
                st.released.extend(batch.iter().cloned());
                st.healthy_since = None;
                st.message = format!("batch {}/{} released", next + 1, batches.len());
                events.push((
                    "RolloutBatchReleased".into(),
                    format!(
                        "generation {}: batch {}/{} [{}] released after [{}] soaked {}s",
                        st.revision,
                        next + 1,
                        batches.len(),
                        batch.join(", "),
                        batches
                            .get(next - 1)
                            .map(|b| b.join(", "))
                            .unwrap_or_default(),
                        strategy.soak_seconds
                    ),
                ));
            } else if held_of(scheduled, &st.released).is_empty() {
                st.phase = Phase::Completed;
                st.stable_revision = Some(st.revision);
                st.healthy_since = None;
                st.message = String::new();
                events.push((
                    "RolloutCompleted".into(),
                    format!("generation {} runs healthy on every cluster", st.revision),
                ));
            }
        }
    }
    // Clusters scheduled in the meantime are released with the batch that names them.
    let mut released_all: Vec<String> = batches
        .iter()
        .take(st.batch + 1)
        .flatten()
        .cloned()
        .collect();
    for c in &st.released {
        if !released_all.contains(c) {
            released_all.push(c.clone());
        }
    }
    st.released = released_all;
    let held = if st.phase == Phase::Completed {
        Vec::new()
    } else {
        held_of(scheduled, &st.released)
    };
    Plan {
        status: st,
        held,
        events,
        pause_strategy: false,
        rollback: false,
    }
}

#[cfg(test)]
mod tests;
