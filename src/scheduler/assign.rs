//! Replica assignment: how many replicas each selected cluster gets.
//!
//! Interface only for now; the division algorithms land with the replica assignment work.

use std::sync::Arc;

use crate::api::{Cluster, ResourceBindingSpec, TargetCluster};

use super::estimator::Estimator;

/// Options beyond Karmada's behaviour; the defaults are Karmada's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DivisionOptions {
    /// No cluster loses replicas when the total grows (Karmada issue 6735).
    pub stable_scale_up: bool,
    /// Every cluster with weight > 0 keeps at least one replica when there are enough
    /// replicas (Karmada issue 6424).
    pub min_one_per_weighted_cluster: bool,
}

/// Why replicas could not be assigned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignError {
    /// The placement's strategy combination is not one Karmada supports.
    #[error("unsupported replica scheduling strategy")]
    UnsupportedStrategy,
    /// The clusters cannot hold the replicas.
    #[error(
        "clusters available replicas {available} are not enough to schedule {wanted} replicas"
    )]
    InsufficientReplicas {
        /// Replicas that fit.
        available: i64,
        /// Replicas wanted.
        wanted: i64,
    },
}

/// Assigns `spec.replicas` over the selected `clusters` according to `spec.placement`,
/// starting from the previous result in `spec.clusters`.
pub fn assign_replicas(
    clusters: &[&Cluster],
    spec: &ResourceBindingSpec,
    estimators: &[Arc<dyn Estimator>],
    options: &DivisionOptions,
) -> Result<Vec<TargetCluster>, AssignError> {
    let _ = (estimators, options);
    let _ = spec;
    Ok(clusters
        .iter()
        .map(|c| TargetCluster {
            name: c.name().to_string(),
            replicas: 0,
            components: Vec::new(),
        })
        .collect())
}
