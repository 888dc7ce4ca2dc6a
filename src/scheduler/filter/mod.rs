//! Karmada's in-tree filter plugins, with Karmada's rejection reasons.

use std::borrow::Cow;

use crate::api::{Cluster, SpreadByField, Taint, Toleration};

pub use crate::selector::{cluster_matches, ClusterAffinityMatcher};

use super::framework::{
    FilterPlugin, FilterResult, SchedulingContext, API_ENABLEMENT, CLUSTER_AFFINITY,
    CLUSTER_EVICTION, SPREAD_CONSTRAINT, TAINT_TOLERATION,
};

/// Reason of APIEnablement.
pub const REASON_API_MISSING: &str = "cluster(s) did not have the API resource";
/// Reason of ClusterAffinity.
pub const REASON_AFFINITY: &str =
    "cluster(s) did not match the placement cluster affinity constraint";
/// Reason of ClusterEviction.
pub const REASON_EVICTION: &str = "cluster(s) is in the process of eviction";
/// Reason of SpreadConstraint for a `provider` constraint.
pub const REASON_NO_PROVIDER: &str = "cluster(s) did not have provider property";
/// Reason of SpreadConstraint for a `region` constraint.
pub const REASON_NO_REGION: &str = "cluster(s) did not have region property";
/// Reason of SpreadConstraint for a `zone` constraint (Karmada tests `spec.zones`).
pub const REASON_NO_ZONES: &str = "cluster(s) did not have zones property";

/// APIEnablement: the cluster serves the template's group/version and kind, or it is
/// already a target (a disappearing API never evicts by itself).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiEnablementFilter;

impl FilterPlugin for ApiEnablementFilter {
    fn name(&self) -> &str {
        API_ENABLEMENT
    }

    fn filter(&self, ctx: &SchedulingContext<'_>, cluster: &Cluster) -> FilterResult {
        if ctx.is_target(cluster.name()) {
            return FilterResult::Success;
        }
        let resource = &ctx.spec().resource;
        let enabled = cluster.status.as_ref().is_some_and(|s| {
            s.api_enablements.iter().any(|e| {
                e.group_version == resource.api_version
                    && e.resources.iter().any(|r| r.kind == resource.kind)
            })
        });
        if enabled {
            FilterResult::Success
        } else {
            FilterResult::Unschedulable(Cow::Borrowed(REASON_API_MISSING))
        }
    }

    fn filter_at(
        &self,
        ctx: &SchedulingContext<'_>,
        index: usize,
        cluster: &Cluster,
    ) -> FilterResult {
        match ctx.snapshot_serves_api(index) {
            None => self.filter(ctx, cluster),
            Some(true) => FilterResult::Success,
            Some(false) if ctx.is_target(cluster.name()) => FilterResult::Success,
            Some(false) => FilterResult::Unschedulable(Cow::Borrowed(REASON_API_MISSING)),
        }
    }
}

/// ClusterAffinity: the cluster matches `clusterAffinity`, or the `clusterAffinities` term in
/// use (for workloads, one of its overflow affinities also passes). No exemption for existing
/// targets: changing the affinity moves the workload.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClusterAffinityFilter;

impl FilterPlugin for ClusterAffinityFilter {
    fn name(&self) -> &str {
        CLUSTER_AFFINITY
    }

    fn filter(&self, ctx: &SchedulingContext<'_>, cluster: &Cluster) -> FilterResult {
        let Some(affinity) = &ctx.affinity_matcher else {
            return FilterResult::Success;
        };
        if affinity.matches(cluster)
            || (ctx.is_workload && ctx.overflow_matchers.iter().any(|o| o.matches(cluster)))
        {
            FilterResult::Success
        } else {
            FilterResult::Unschedulable(Cow::Borrowed(REASON_AFFINITY))
        }
    }

    fn filter_at(
        &self,
        ctx: &SchedulingContext<'_>,
        index: usize,
        cluster: &Cluster,
    ) -> FilterResult {
        let Some(matched) = ctx.affinity_matches_at(index, cluster) else {
            return FilterResult::Success;
        };
        if matched || (ctx.is_workload && ctx.overflow_position_at(index, cluster).is_some()) {
            FilterResult::Success
        } else {
            FilterResult::Unschedulable(Cow::Borrowed(REASON_AFFINITY))
        }
    }
}

/// SpreadConstraint: for each spread constraint by provider, region or zone the cluster has
/// that property.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpreadConstraintFilter;

impl FilterPlugin for SpreadConstraintFilter {
    fn name(&self) -> &str {
        SPREAD_CONSTRAINT
    }

    fn filter(&self, ctx: &SchedulingContext<'_>, cluster: &Cluster) -> FilterResult {
        for sc in &ctx.placement.spread_constraints {
            let missing = match sc.spread_by_field {
                Some(SpreadByField::Provider) if cluster.spec.provider.is_empty() => {
                    REASON_NO_PROVIDER
                }
                Some(SpreadByField::Region) if cluster.spec.region.is_empty() => REASON_NO_REGION,
                // The deprecated `zone` counts: the Cluster API's mutation moves it into `zones`.
                Some(SpreadByField::Zone)
                    if cluster.spec.zones.is_empty() && cluster.spec.zone.is_empty() =>
                {
                    REASON_NO_ZONES
                }
                _ => continue,
            };
            return FilterResult::Unschedulable(Cow::Borrowed(missing));
        }
        FilterResult::Success
    }
}

/// TaintToleration: every `NoSchedule`/`NoExecute` taint is tolerated by the placement's
/// `clusterTolerations`, or the cluster is already a target (eviction is the taint manager's
/// job).
#[derive(Debug, Clone, Copy, Default)]
pub struct TaintTolerationFilter;

impl FilterPlugin for TaintTolerationFilter {
    fn name(&self) -> &str {
        TAINT_TOLERATION
    }

    fn filter(&self, ctx: &SchedulingContext<'_>, cluster: &Cluster) -> FilterResult {
        if ctx.is_target(cluster.name()) {
            return FilterResult::Success;
        }
        let tolerations = &ctx.placement.cluster_tolerations;
        let untolerated = cluster.spec.taints.iter().find(|t| {
            (t.effect == "NoSchedule" || t.effect == "NoExecute")
                && !tolerations.iter().any(|tol| tolerates(tol, t))
        });
        match untolerated {
            None => FilterResult::Success,
            Some(_) if !ctx.explain => {
                FilterResult::Unschedulable(Cow::Borrowed("cluster(s) had untolerated taint"))
            }
            Some(t) => FilterResult::Unschedulable(Cow::Owned(format!(
                "cluster(s) had untolerated taint {{{}}}",
                taint_to_string(t)
            ))),
        }
    }

    fn filter_at(
        &self,
        ctx: &SchedulingContext<'_>,
        index: usize,
        cluster: &Cluster,
    ) -> FilterResult {
        match ctx.snapshot() {
            Some(s) if !s.has_hard_taints(index) => FilterResult::Success,
            _ => self.filter(ctx, cluster),
        }
    }
}

/// Kubernetes' `Taint.ToString`: `key=value:Effect`, or `key:Effect` without a value.
pub fn taint_to_string(t: &Taint) -> String {
    if t.value.is_empty() {
        format!("{}:{}", t.key, t.effect)
    } else {
        format!("{}={}:{}", t.key, t.value, t.effect)
    }
}

/// Kubernetes' `Toleration.ToleratesTaint`: effect empty or equal, key empty or equal, then
/// `Exists` tolerates any value and empty/`Equal` needs the same value. Other operators
/// (`Lt`, `Gt`) tolerate nothing.
pub fn tolerates(tol: &Toleration, taint: &Taint) -> bool {
    if !tol.effect.is_empty() && tol.effect != taint.effect {
        return false;
    }
    if !tol.key.is_empty() && tol.key != taint.key {
        return false;
    }
    match tol.operator.as_str() {
        "Exists" => true,
        "" | "Equal" => tol.value == taint.value,
        _ => false,
    }
}

/// ClusterEviction: the cluster is not being left by a graceful eviction task.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClusterEvictionFilter;

impl FilterPlugin for ClusterEvictionFilter {
    fn name(&self) -> &str {
        CLUSTER_EVICTION
    }

    fn filter(&self, ctx: &SchedulingContext<'_>, cluster: &Cluster) -> FilterResult {
        if ctx.is_evicting(cluster.name()) {
            FilterResult::Unschedulable(Cow::Borrowed(REASON_EVICTION))
        } else {
            FilterResult::Success
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{
        ApiEnablement, ApiResource, ClusterAffinity, ClusterStatus, GracefulEvictionTask,
        Placement, ResourceBinding, SpreadConstraint, TargetCluster,
    };

    fn binding(placement: Placement) -> ResourceBinding {
        let mut b = ResourceBinding::default();
        b.spec.resource.api_version = "apps/v1".into();
        b.spec.resource.kind = "Deployment".into();
        b.spec.placement = Some(placement);
        b
    }

    fn cluster(name: &str) -> Cluster {
        let mut c = Cluster::default();
        c.metadata.name = name.into();
        c
    }

    fn taint(key: &str, value: &str, effect: &str) -> Taint {
        Taint {
            key: key.into(),
            value: value.into(),
            effect: effect.into(),
            time_added: None,
        }
    }

    #[test]
    fn taint_filter_table() {
        let tol = |key: &str, op: &str, value: &str, effect: &str| Toleration {
            key: key.into(),
            operator: op.into(),
            value: value.into(),
            effect: effect.into(),
            toleration_seconds: None,
        };
        type Case<'a> = (&'a str, Vec<Taint>, Vec<Toleration>, Option<&'a str>);
        let cases: Vec<Case<'_>> = vec![
            ("no taints", vec![], vec![], None),
            (
                "untolerated NoSchedule",
                vec![taint("k", "v", "NoSchedule")],
                vec![],
                Some("cluster(s) had untolerated taint {k=v:NoSchedule}"),
            ),
            (
                "untolerated NoExecute without value",
                vec![taint("k", "", "NoExecute")],
                vec![],
                Some("cluster(s) had untolerated taint {k:NoExecute}"),
            ),
            (
                "PreferNoSchedule ignored",
                vec![taint("k", "v", "PreferNoSchedule")],
                vec![],
                None,
            ),
            (
                "Exists with empty key tolerates all",
                vec![taint("k", "v", "NoSchedule")],
                vec![tol("", "Exists", "", "")],
                None,
            ),
            (
                "Equal with other value",
                vec![taint("k", "v", "NoSchedule")],
                vec![tol("k", "Equal", "w", "NoSchedule")],
                Some("cluster(s) had untolerated taint {k=v:NoSchedule}"),
            ),
            (
                "effect mismatch",
                vec![taint("k", "v", "NoExecute")],
                vec![tol("k", "Exists", "", "NoSchedule")],
                Some("cluster(s) had untolerated taint {k=v:NoExecute}"),
            ),
            (
                "Gt never tolerates",
                vec![taint("k", "1", "NoSchedule")],
                vec![tol("k", "Gt", "0", "NoSchedule")],
                Some("cluster(s) had untolerated taint {k=1:NoSchedule}"),
            ),
        ];
        for (name, taints, tols, want) in cases {
            let b = binding(Placement {
                cluster_tolerations: tols,
                ..Default::default()
            });
            let mut c = cluster("c1");
            c.spec.taints = taints;
            let ctx = SchedulingContext::new(&b, None);
            assert_eq!(
                TaintTolerationFilter.filter(&ctx, &c).reason(),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn existing_targets_exempt_from_taints_and_api_but_not_affinity() {
        let mut b = binding(Placement {
            cluster_affinity: Some(ClusterAffinity {
                cluster_names: vec!["other".into()],
                ..Default::default()
            }),
            ..Default::default()
        });
        b.spec.clusters = vec![TargetCluster {
            name: "c1".into(),
            replicas: 1,
            components: vec![],
        }];
        let mut c = cluster("c1");
        c.spec.taints = vec![taint("k", "v", "NoSchedule")];
        let ctx = SchedulingContext::new(&b, None);
        assert!(TaintTolerationFilter.filter(&ctx, &c).is_success());
        assert!(ApiEnablementFilter.filter(&ctx, &c).is_success());
        assert_eq!(
            ClusterAffinityFilter.filter(&ctx, &c).reason(),
            Some(REASON_AFFINITY)
        );
    }

    #[test]
    fn api_enablement() {
        let b = binding(Placement::default());
        let ctx = SchedulingContext::new(&b, None);
        let mut c = cluster("c1");
        assert_eq!(
            ApiEnablementFilter.filter(&ctx, &c).reason(),
            Some(REASON_API_MISSING)
        );
        c.status = Some(ClusterStatus {
            api_enablements: vec![ApiEnablement {
                group_version: "apps/v1".into(),
                resources: vec![ApiResource {
                    name: "deployments".into(),
                    kind: "Deployment".into(),
                }],
            }],
            ..Default::default()
        });
        assert!(ApiEnablementFilter.filter(&ctx, &c).is_success());
    }

    #[test]
    fn spread_filter_reasons() {
        let by = |field| {
            binding(Placement {
                spread_constraints: vec![SpreadConstraint {
                    spread_by_field: Some(field),
                    ..Default::default()
                }],
                ..Default::default()
            })
        };
        let mut with_zone = cluster("c");
        with_zone.spec.zone = "z".into();
        let mut with_zones = cluster("c");
        with_zones.spec.zones = vec!["z".into()];
        let mut with_all = cluster("c");
        with_all.spec.provider = "p".into();
        with_all.spec.region = "r".into();
        // (field, cluster, reason or None for success)
        let cases = [
            (
                SpreadByField::Provider,
                cluster("c"),
                Some(REASON_NO_PROVIDER),
            ),
            (SpreadByField::Region, cluster("c"), Some(REASON_NO_REGION)),
            (SpreadByField::Zone, cluster("c"), Some(REASON_NO_ZONES)),
            (SpreadByField::Zone, with_zones, None),
            (SpreadByField::Zone, with_zone, None),
            (SpreadByField::Provider, with_all.clone(), None),
            (SpreadByField::Region, with_all, None),
            (SpreadByField::Cluster, cluster("c"), None),
        ];
        for (field, c, want) in cases {
            let b = by(field);
            let ctx = SchedulingContext::new(&b, None);
            assert_eq!(
                SpreadConstraintFilter.filter(&ctx, &c).reason(),
                want,
                "{field:?}"
            );
        }
    }

    #[test]
    fn spread_and_eviction() {
        let mut b = binding(Placement {
            spread_constraints: vec![SpreadConstraint {
                spread_by_field: Some(SpreadByField::Region),
                ..Default::default()
            }],
            ..Default::default()
        });
        b.spec.graceful_eviction_tasks = vec![GracefulEvictionTask {
            from_cluster: "c1".into(),
            ..Default::default()
        }];
        let ctx = SchedulingContext::new(&b, None);
        let mut c = cluster("c1");
        assert_eq!(
            SpreadConstraintFilter.filter(&ctx, &c).reason(),
            Some("cluster(s) did not have region property")
        );
        c.spec.region = "r".into();
        assert!(SpreadConstraintFilter.filter(&ctx, &c).is_success());
        assert_eq!(
            ClusterEvictionFilter.filter(&ctx, &c).reason(),
            Some(REASON_EVICTION)
        );
        assert!(ClusterEvictionFilter
            .filter(&ctx, &cluster("c2"))
            .is_success());
    }
}
