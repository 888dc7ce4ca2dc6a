//! When the scheduler reschedules a binding, and when it keeps the previous result.

use crate::api::{Cluster, ClusterAffinityTerm, Placement, ReplicaSchedulingType, ResourceBinding};

/// The binding annotation holding the placement of the last scheduling.
pub const APPLIED_PLACEMENT_ANNOTATION: &str = "policy.karmada.io/applied-placement";

/// Why a binding is (re)scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The placement differs from the applied-placement annotation (or it is missing).
    PlacementChanged,
    /// The assigned replicas no longer match `spec.replicas`.
    ReplicasChanged,
    /// `rescheduleTriggeredAt` is later than `lastScheduledTime` (a Fresh reschedule).
    RescheduleRequested,
    /// Duplicated or non-workload bindings are scheduled on every pass.
    AlwaysScheduled,
    /// A target cluster is being deleted.
    TargetClusterDeleting,
}

/// The first trigger that holds, in Karmada's order, or `None` when the previous result is
/// kept (only `schedulerObservedGeneration` would be bumped).
pub fn reschedule_trigger(binding: &ResourceBinding, clusters: &[Cluster]) -> Option<Trigger> {
    let spec = &binding.spec;
    let default_placement = Placement::default();
    let placement = spec.placement.as_ref().unwrap_or(&default_placement);
    let observed = binding
        .status
        .as_ref()
        .and_then(|s| s.scheduler_observing_affinity_name.as_deref())
        .unwrap_or("");
    let applied = binding
        .metadata
        .annotations
        .get(APPLIED_PLACEMENT_ANNOTATION)
        .map(String::as_str)
        .unwrap_or("");
    if placement_changed(placement, applied, observed) {
        return Some(Trigger::PlacementChanged);
    }
    if replicas_changed(binding) {
        return Some(Trigger::ReplicasChanged);
    }
    if reschedule_requested(binding) {
        return Some(Trigger::RescheduleRequested);
    }
    let duplicated = placement
        .replica_scheduling
        .as_ref()
        .is_none_or(|rs| rs.replica_scheduling_type == Some(ReplicaSchedulingType::Duplicated));
    if !super::framework::is_workload(spec) || duplicated {
        return Some(Trigger::AlwaysScheduled);
    }
    let deleting = spec.clusters.iter().any(|t| {
        clusters
            .iter()
            .any(|c| c.name() == t.name && c.is_deleting())
    });
    if deleting {
        return Some(Trigger::TargetClusterDeleting);
    }
    None
}

/// Karmada's placement comparison against the applied-placement annotation: a missing
/// annotation is a change, an unreadable one is not; otherwise `clusterAffinity`,
/// `clusterTolerations`, `spreadConstraints` and `replicaScheduling` are compared whole and,
/// for `clusterAffinities`, only the term named `observed_affinity`.
pub fn placement_changed(placement: &Placement, applied: &str, observed_affinity: &str) -> bool {
    if applied.is_empty() {
        return true;
    }
    let Ok(applied) = serde_json::from_str::<Placement>(applied) else {
        return false;
    };
    if *placement == applied {
        return false;
    }
    if placement.cluster_affinity != applied.cluster_affinity
        || placement.cluster_tolerations != applied.cluster_tolerations
        || placement.spread_constraints != applied.spread_constraints
        || placement.replica_scheduling != applied.replica_scheduling
    {
        return true;
    }
    if observed_affinity.is_empty() {
        return true;
    }
    let find = |terms: &'_ [ClusterAffinityTerm]| -> Option<ClusterAffinityTerm> {
        terms
            .iter()
            .find(|t| t.affinity_name == observed_affinity)
            .cloned()
    };
    match (
        find(&placement.cluster_affinities),
        find(&applied.cluster_affinities),
    ) {
        (Some(a), Some(b)) => a != b,
        _ => true,
    }
}

/// Whether the assigned replicas disagree with `spec.replicas`: Duplicated compares each
/// entry, Divided the sum; without `replicaScheduling` it never counts.
pub fn replicas_changed(binding: &ResourceBinding) -> bool {
    let spec = &binding.spec;
    let Some(rs) = spec
        .placement
        .as_ref()
        .and_then(|p| p.replica_scheduling.as_ref())
    else {
        return false;
    };
    match rs
        .replica_scheduling_type
        .unwrap_or(ReplicaSchedulingType::Divided)
    {
        ReplicaSchedulingType::Duplicated => {
            spec.clusters.iter().any(|t| t.replicas != spec.replicas)
        }
        ReplicaSchedulingType::Divided => {
            let sum: i64 = spec.clusters.iter().map(|t| i64::from(t.replicas)).sum();
            sum != i64::from(spec.replicas)
        }
    }
}

/// Whether a Fresh reschedule is requested: `rescheduleTriggeredAt` and `lastScheduledTime`
/// are both set and the first is strictly later. Unreadable timestamps request nothing.
pub fn reschedule_requested(binding: &ResourceBinding) -> bool {
    let Some(triggered) = binding.spec.reschedule_triggered_at.as_deref() else {
        return false;
    };
    let Some(last) = binding
        .status
        .as_ref()
        .and_then(|s| s.last_scheduled_time.as_deref())
    else {
        return false;
    };
    match (parse_rfc3339(triggered), parse_rfc3339(last)) {
        (Some(t), Some(l)) => t > l,
        _ => false,
    }
}

/// Parses an RFC 3339 timestamp into (seconds since the epoch, nanoseconds), UTC.
pub fn parse_rfc3339(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let frac = s.get(start..i)?;
        if frac.is_empty() {
            return None;
        }
        let mut padded: String = frac.chars().take(9).collect();
        while padded.len() < 9 {
            padded.push('0');
        }
        nanos = padded.parse().ok()?;
    }
    let offset = match s.get(i..)? {
        "Z" | "z" => 0,
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) && &tz[3..4] == ":" => {
            let h: i64 = tz.get(1..3)?.parse().ok()?;
            let m: i64 = tz.get(4..6)?.parse().ok()?;
            let off = h * 3600 + m * 60;
            if tz.starts_with('-') {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    // Days from civil date (proleptic Gregorian).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + hour * 3600 + min * 60 + sec - offset, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{
        ClusterAffinity, ReplicaDivisionPreference, ReplicaSchedulingStrategy,
        ResourceBindingStatus, TargetCluster,
    };

    #[test]
    fn timestamps() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some((0, 0)));
        assert_eq!(
            parse_rfc3339("2026-01-01T00:00:00.5Z").map(|t| t.1),
            Some(500_000_000)
        );
        assert!(parse_rfc3339("2026-01-01T00:00:01Z") > parse_rfc3339("2026-01-01T00:00:00.999Z"));
        assert_eq!(parse_rfc3339("garbage"), None);
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
    }

    fn divided_binding() -> ResourceBinding {
        let mut b = ResourceBinding::default();
        let placement = Placement {
            replica_scheduling: Some(ReplicaSchedulingStrategy {
                replica_scheduling_type: Some(ReplicaSchedulingType::Divided),
                replica_division_preference: Some(ReplicaDivisionPreference::Aggregated),
                weight_preference: None,
            }),
            ..Default::default()
        };
        b.metadata.annotations.insert(
            APPLIED_PLACEMENT_ANNOTATION.into(),
            serde_json::to_string(&placement).unwrap_or_default(),
        );
        b.spec.placement = Some(placement);
        b.spec.replicas = 3;
        b.spec.clusters = vec![TargetCluster {
            name: "a".into(),
            replicas: 3,
            components: vec![],
        }];
        b
    }

    #[test]
    fn triggers_table() {
        let base = divided_binding();
        let mut deleting = Cluster::default();
        deleting.metadata.name = "a".into();
        deleting.metadata.deletion_timestamp = Some("2026-01-01T00:00:00Z".into());

        assert_eq!(
            reschedule_trigger(&base, &[]),
            None,
            "steady divided is kept"
        );

        let mut b = base.clone();
        b.metadata.annotations.clear();
        assert_eq!(reschedule_trigger(&b, &[]), Some(Trigger::PlacementChanged));

        let mut b = base.clone();
        if let Some(p) = b.spec.placement.as_mut() {
            p.cluster_affinity = Some(ClusterAffinity::default());
        }
        assert_eq!(reschedule_trigger(&b, &[]), Some(Trigger::PlacementChanged));

        let mut b = base.clone();
        b.spec.replicas = 4;
        assert_eq!(reschedule_trigger(&b, &[]), Some(Trigger::ReplicasChanged));

        let mut b = base.clone();
        b.spec.reschedule_triggered_at = Some("2026-01-02T00:00:00Z".into());
        b.status = Some(ResourceBindingStatus {
            last_scheduled_time: Some("2026-01-01T00:00:00Z".into()),
            ..Default::default()
        });
        assert_eq!(
            reschedule_trigger(&b, &[]),
            Some(Trigger::RescheduleRequested)
        );
        b.spec.reschedule_triggered_at = Some("2025-12-31T00:00:00Z".into());
        assert_eq!(reschedule_trigger(&b, &[]), None);

        assert_eq!(
            reschedule_trigger(&base, &[deleting]),
            Some(Trigger::TargetClusterDeleting)
        );

        let mut b = base.clone();
        b.spec.replicas = 0;
        b.spec.clusters.clear();
        assert_eq!(reschedule_trigger(&b, &[]), Some(Trigger::AlwaysScheduled));
    }
}
