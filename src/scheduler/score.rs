//! Karmada's in-tree score plugins.

use crate::api::Cluster;

use super::framework::{SchedulingContext, ScorePlugin, CLUSTER_AFFINITY, CLUSTER_LOCALITY};

/// The highest score a plugin gives.
pub const MAX_CLUSTER_SCORE: i64 = 100;

/// ClusterLocality: 100 for a cluster already in `spec.clusters`, else 0. This is what makes
/// previous targets sort first and selection sticky.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClusterLocalityScore;

impl ScorePlugin for ClusterLocalityScore {
    fn name(&self) -> &str {
        CLUSTER_LOCALITY
    }

    fn score(&self, ctx: &SchedulingContext<'_>, cluster: &Cluster) -> Result<i64, String> {
        Ok(if ctx.is_target(cluster.name()) {
            MAX_CLUSTER_SCORE
        } else {
            0
        })
    }
}

/// ClusterAffinity's score: always 0, as in Karmada.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClusterAffinityScore;

impl ScorePlugin for ClusterAffinityScore {
    fn name(&self) -> &str {
        CLUSTER_AFFINITY
    }

    fn score(&self, _ctx: &SchedulingContext<'_>, _cluster: &Cluster) -> Result<i64, String> {
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ResourceBinding, TargetCluster};

    #[test]
    fn locality() {
        let mut b = ResourceBinding::default();
        b.spec.clusters = vec![TargetCluster {
            name: "a".into(),
            replicas: 2,
            components: vec![],
        }];
        let ctx = SchedulingContext::new(&b, None);
        let mut a = Cluster::default();
        a.metadata.name = "a".into();
        let mut z = Cluster::default();
        z.metadata.name = "z".into();
        assert_eq!(ClusterLocalityScore.score(&ctx, &a), Ok(100));
        assert_eq!(ClusterLocalityScore.score(&ctx, &z), Ok(0));
        assert_eq!(ClusterAffinityScore.score(&ctx, &a), Ok(0));
    }
}
