//! Capacity estimation: how many more replicas of a workload each cluster can hold.
//!
//! Interface only for now; the general estimator lands with the replica assignment work.

use std::sync::Arc;

use crate::api::{Cluster, ReplicaRequirements, ResourceBindingSpec};

/// The answer of an estimator that has no opinion on a cluster.
pub const UNAUTHENTIC_REPLICA: i32 = -1;

/// Estimates the maximum number of replicas each cluster can still hold.
///
/// Several estimators combine by minimum, ignoring [`UNAUTHENTIC_REPLICA`] answers, as in
/// Karmada.
pub trait Estimator: Send + Sync {
    /// A name for diagnoses.
    fn name(&self) -> &str;

    /// One answer per cluster, in the order given: the replicas that still fit, or
    /// [`UNAUTHENTIC_REPLICA`].
    fn max_available_replicas(
        &self,
        clusters: &[&Cluster],
        requirements: Option<&ReplicaRequirements>,
    ) -> Vec<i32>;
}

/// The replicas a cluster can still hold, as combined from the estimators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailableReplicas {
    /// Cluster name.
    pub name: String,
    /// Replicas that fit (`i32::MAX` for non-workloads).
    pub replicas: i32,
}

/// The combined estimate for each cluster (in the order given) for the workload of `spec`.
pub fn calculate_available_replicas(
    clusters: &[&Cluster],
    spec: &ResourceBindingSpec,
    estimators: &[Arc<dyn Estimator>],
) -> Vec<AvailableReplicas> {
    let _ = (spec, estimators);
    clusters
        .iter()
        .map(|c| AvailableReplicas {
            name: c.name().to_string(),
            replicas: i32::MAX,
        })
        .collect()
}
