//! Defaulting of Karmada objects as the API server (CRD `default`s, kubectl's namespace)
//! and Karmada's mutating admission webhooks do it on create.
//!
//! Every function fills only what is empty, so applying it twice changes nothing the
//! second time. Values Karmada generates at random (permanent ids) or from the clock
//! (`timeAdded`) come from the [`DefaultingContext`], so the result is deterministic.
//!
//! What each kind gets:
//! - PropagationPolicy: `metadata.namespace` (kubectl's `default`); every empty
//!   `resourceSelectors[].namespace` set to the policy's namespace; the
//!   `propagationpolicy.karmada.io/permanent-id` label and the
//!   `karmada.io/propagation-policy-controller` finalizer; and the shared spec defaults below.
//! - ClusterPropagationPolicy: the `clusterpropagationpolicy.karmada.io/permanent-id` label,
//!   the `karmada.io/cluster-propagation-policy-controller` finalizer and the spec defaults.
//! - Shared spec defaults: `priority` 0, `preemption` Never, `conflictResolution` Abort,
//!   `schedulerName` default-scheduler, `propagateDeps` forced on for a
//!   `multicluster.x-k8s.io/v1alpha1` ServiceImport selector, spread constraints without
//!   `spreadByField`/`spreadByLabel` become `spreadByField: cluster` and `minGroups` 0
//!   becomes 1, a present `replicaScheduling` gets `replicaSchedulingType` Divided and,
//!   when Divided, `replicaDivisionPreference` Weighted; `failover.application` gets
//!   `decisionConditions.tolerationSeconds` 300, `purgeMode` Gracefully and, for Gracefully,
//!   `gracePeriodSeconds` 600; `failover.cluster.purgeMode` Gracefully.
//! - OverridePolicy: `metadata.namespace` and empty selector namespaces, as for a
//!   PropagationPolicy. ClusterOverridePolicy and ClusterTaintPolicy: nothing (Karmada has
//!   no mutating webhook and their CRDs no defaults).
//! - Cluster: a deprecated `zone` moves into an empty `zones`; NoExecute taints without
//!   `timeAdded` get `now`; resource models are standardized (sorted by grade, first `min`
//!   0, last `max` MaxInt64) or, when absent and the `CustomizedClusterResourceModeling`
//!   gate is on, set to Karmada's nine default grades.
//! - (Cluster)ResourceBinding: the permanent-id label and the CRD defaults
//!   (`conflictResolution`, the failover defaults, `replicaSchedulingType`).
//! - Work: the `work.karmada.io/permanent-id` label. (The Work webhook also prunes
//!   manifests and labels them; that is the rendering step's job.)
//!
//! ```
//! use fedplan::api::defaults::{default_propagation_policy, DefaultingContext};
//! use fedplan::api::*;
//!
//! let mut pp: PropagationPolicy = serde_json::from_value(serde_json::json!({
//!     "metadata": {"name": "nginx"},
//!     "spec": {
//!         "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}],
//!         "placement": {"replicaScheduling": {}, "spreadConstraints": [{"maxGroups": 2}]}
//!     }
//! })).unwrap();
//! default_propagation_policy(&mut pp, &DefaultingContext::default());
//! assert_eq!(pp.spec.resource_selectors[0].namespace, "default");
//! let rs = pp.spec.placement.replica_scheduling.as_ref().unwrap();
//! assert_eq!(rs.replica_division_preference, Some(ReplicaDivisionPreference::Weighted));
//! assert_eq!(pp.spec.placement.spread_constraints[0].min_groups, 1);
//! ```

use super::binding::ResourceBinding;
use super::cluster::{Cluster, ResourceModel, ResourceModelRange};
use super::meta::ObjectMeta;
use super::override_policy::{ClusterOverridePolicy, OverridePolicy};
use super::policy::{
    ClusterPropagationPolicy, ConflictResolution, FailoverBehavior, Placement, PreemptionPolicy,
    PropagationPolicy, PropagationSpec, PurgeMode, ReplicaDivisionPreference,
    ReplicaSchedulingType, ResourceSelector, SpreadByField,
};
use super::quantity::Quantity;
use super::taint_policy::ClusterTaintPolicy;
use super::validate::{
    KarmadaObject, CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
    CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL, PROPAGATION_POLICY_PERMANENT_ID_LABEL,
    RESOURCE_BINDING_PERMANENT_ID_LABEL, WORK_PERMANENT_ID_LABEL,
};
use super::work::Work;

/// Finalizer the PropagationPolicy webhook adds on create.
pub const PROPAGATION_POLICY_FINALIZER: &str = "karmada.io/propagation-policy-controller";
/// Finalizer the ClusterPropagationPolicy webhook adds on create.
pub const CLUSTER_PROPAGATION_POLICY_FINALIZER: &str =
    "karmada.io/cluster-propagation-policy-controller";
/// The scheduler a policy names when it names none.
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";
/// `failover.application.decisionConditions.tolerationSeconds` when unset.
pub const DEFAULT_APPLICATION_TOLERATION_SECONDS: i32 = 300;
/// `failover.application.gracePeriodSeconds` for Gracefully when unset.
pub const DEFAULT_GRACE_PERIOD_SECONDS: i32 = 600;

/// How permanent-id labels are produced.
#[derive(Debug, Clone, Copy)]
pub enum PermanentIds {
    /// A UUID-shaped id derived from the label, namespace and name (deterministic, so
    /// defaulting the same object twice or on two machines gives the same id).
    Derived,
    /// Ids from a caller-supplied function of (label, namespace, name).
    Custom(fn(&str, &str, &str) -> String),
    /// Leave the labels alone (validation of policies then reports them missing, as
    /// Karmada's validating webhook would).
    Skip,
}

/// The inputs of defaulting that Karmada takes from the request, the clock or a random
/// source.
#[derive(Debug, Clone)]
pub struct DefaultingContext {
    /// Current time (RFC 3339), stamped as `timeAdded` on NoExecute cluster taints.
    pub now: String,
    /// Namespace of namespaced objects that name none (kubectl's current namespace).
    pub default_namespace: String,
    /// How permanent-id labels are produced.
    pub permanent_ids: PermanentIds,
    /// Karmada's `CustomizedClusterResourceModeling` gate (default on): a Cluster without
    /// resource models gets Karmada's default grades.
    pub customized_cluster_resource_modeling: bool,
}

impl Default for DefaultingContext {
    /// `now` is the start of 2026 (the control plane's default clock start).
    fn default() -> Self {
        DefaultingContext {
            now: "2026-01-01T00:00:00Z".to_string(),
            default_namespace: "default".to_string(),
            permanent_ids: PermanentIds::Derived,
            customized_cluster_resource_modeling: true,
        }
    }
}

impl DefaultingContext {
    /// The default context with the given clock reading.
    pub fn at(now: impl Into<String>) -> Self {
        DefaultingContext {
            now: now.into(),
            ..Default::default()
        }
    }

    fn stamp_permanent_id(&self, meta: &mut ObjectMeta, label: &str) {
        if meta.labels.contains_key(label) {
            return;
        }
        let id = match self.permanent_ids {
            PermanentIds::Derived => derived_permanent_id(label, &meta.namespace, &meta.name),
            PermanentIds::Custom(f) => f(label, &meta.namespace, &meta.name),
            PermanentIds::Skip => return,
        };
        meta.labels.insert(label.to_string(), id);
    }

    fn fill_namespace(&self, meta: &mut ObjectMeta) {
        if meta.namespace.is_empty() {
            meta.namespace = self.default_namespace.clone();
        }
    }
}

/// A UUID-shaped id (version nibble 5) from two FNV-1a hashes of label, namespace and
/// name.
pub fn derived_permanent_id(label: &str, namespace: &str, name: &str) -> String {
    fn fnv1a(seed: u64, parts: &[&str]) -> u64 {
        let mut h = seed;
        for part in parts {
            for b in part.bytes().chain(std::iter::once(0)) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    }
    let hi = fnv1a(0xcbf2_9ce4_8422_2325, &[label, namespace, name]);
    let lo = fnv1a(0x84222325_cbf29ce4, &[name, namespace, label]);
    let bytes: Vec<u8> = hi
        .to_be_bytes()
        .into_iter()
        .chain(lo.to_be_bytes())
        .collect();
    let hex: String = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| match i {
            6 => format!("{:02x}", (b & 0x0f) | 0x50),
            8 => format!("{:02x}", (b & 0x3f) | 0x80),
            _ => format!("{b:02x}"),
        })
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn add_finalizer(meta: &mut ObjectMeta, finalizer: &str) {
    if !meta.finalizers.iter().any(|f| f == finalizer) {
        meta.finalizers.push(finalizer.to_string());
    }
}

/// Defaults a PropagationPolicy (see the module documentation for the list).
pub fn default_propagation_policy(policy: &mut PropagationPolicy, ctx: &DefaultingContext) {
    ctx.fill_namespace(&mut policy.metadata);
    fill_selector_namespaces(
        &mut policy.spec.resource_selectors,
        &policy.metadata.namespace,
    );
    default_propagation_spec(&mut policy.spec);
    ctx.stamp_permanent_id(&mut policy.metadata, PROPAGATION_POLICY_PERMANENT_ID_LABEL);
    add_finalizer(&mut policy.metadata, PROPAGATION_POLICY_FINALIZER);
}

/// Defaults a ClusterPropagationPolicy (see the module documentation for the list).
pub fn default_cluster_propagation_policy(
    policy: &mut ClusterPropagationPolicy,
    ctx: &DefaultingContext,
) {
    default_propagation_spec(&mut policy.spec);
    ctx.stamp_permanent_id(
        &mut policy.metadata,
        CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
    );
    add_finalizer(&mut policy.metadata, CLUSTER_PROPAGATION_POLICY_FINALIZER);
}

fn fill_selector_namespaces(selectors: &mut [ResourceSelector], namespace: &str) {
    for s in selectors.iter_mut().filter(|s| s.namespace.is_empty()) {
        s.namespace = namespace.to_string();
    }
}

fn is_service_import(s: &ResourceSelector) -> bool {
    s.kind == "ServiceImport" && s.api_version == "multicluster.x-k8s.io/v1alpha1"
}

fn default_propagation_spec(spec: &mut PropagationSpec) {
    spec.priority.get_or_insert(0);
    spec.preemption.get_or_insert(PreemptionPolicy::Never);
    spec.conflict_resolution
        .get_or_insert(ConflictResolution::Abort);
    spec.scheduler_name
        .get_or_insert_with(|| DEFAULT_SCHEDULER_NAME.to_string());
    if spec.resource_selectors.iter().any(is_service_import) {
        spec.propagate_deps = true;
    }
    default_placement(&mut spec.placement);
    if let Some(failover) = &mut spec.failover {
        default_failover(failover, true);
    }
}

/// The CRD and webhook defaults of a placement.
fn default_placement(placement: &mut Placement) {
    for c in &mut placement.spread_constraints {
        if c.spread_by_field.is_none() && c.spread_by_label.is_empty() {
            c.spread_by_field = Some(SpreadByField::Cluster);
        }
        if c.min_groups == 0 {
            c.min_groups = 1;
        }
    }
    default_placement_crd(placement);
    if let Some(rs) = &mut placement.replica_scheduling {
        if rs.replica_scheduling_type == Some(ReplicaSchedulingType::Divided) {
            rs.replica_division_preference
                .get_or_insert(ReplicaDivisionPreference::Weighted);
        }
    }
}

/// The CRD defaults of a placement only (what a binding's copy gets from its schema).
fn default_placement_crd(placement: &mut Placement) {
    if let Some(rs) = &mut placement.replica_scheduling {
        rs.replica_scheduling_type
            .get_or_insert(ReplicaSchedulingType::Divided);
    }
}

/// CRD defaults of `failover`, plus (for policies) the webhook's grace period.
fn default_failover(failover: &mut FailoverBehavior, webhook: bool) {
    if let Some(app) = &mut failover.application {
        app.decision_conditions
            .toleration_seconds
            .get_or_insert(DEFAULT_APPLICATION_TOLERATION_SECONDS);
        let mode = *app.purge_mode.get_or_insert(PurgeMode::Gracefully);
        if webhook && mode == PurgeMode::Gracefully {
            app.grace_period_seconds
                .get_or_insert(DEFAULT_GRACE_PERIOD_SECONDS);
        }
    }
    if let Some(cluster) = &mut failover.cluster {
        cluster.purge_mode.get_or_insert(PurgeMode::Gracefully);
    }
}

/// Defaults an OverridePolicy: its namespace and its selectors' namespaces.
pub fn default_override_policy(policy: &mut OverridePolicy, ctx: &DefaultingContext) {
    ctx.fill_namespace(&mut policy.metadata);
    fill_selector_namespaces(
        &mut policy.spec.resource_selectors,
        &policy.metadata.namespace,
    );
}

/// Defaults a ClusterOverridePolicy: Karmada has no mutating webhook for it and its CRD no
/// defaults, so nothing changes.
pub fn default_cluster_override_policy(
    _policy: &mut ClusterOverridePolicy,
    _ctx: &DefaultingContext,
) {
}

/// Defaults a ClusterTaintPolicy: Karmada has no mutating webhook for it and its CRD no
/// defaults, so nothing changes.
pub fn default_cluster_taint_policy(_policy: &mut ClusterTaintPolicy, _ctx: &DefaultingContext) {}

/// Defaults a Cluster as Karmada's Cluster API does on create.
pub fn default_cluster(cluster: &mut Cluster, ctx: &DefaultingContext) {
    let spec = &mut cluster.spec;
    if !spec.zone.is_empty() && spec.zones.is_empty() {
        spec.zones.push(std::mem::take(&mut spec.zone));
    }
    for taint in &mut spec.taints {
        if taint.effect == "NoExecute" && taint.time_added.is_none() {
            taint.time_added = Some(ctx.now.clone());
        }
    }
    if spec.resource_models.is_empty() {
        if ctx.customized_cluster_resource_modeling {
            spec.resource_models = default_resource_models();
        }
    } else {
        standardize_resource_models(&mut spec.resource_models);
    }
}

/// Sorts the models by grade, sets the first grade's minimums to 0 and the last grade's
/// maximums to MaxInt64.
pub fn standardize_resource_models(models: &mut [ResourceModel]) {
    models.sort_by_key(|m| m.grade);
    if let Some(first) = models.first_mut() {
        for r in &mut first.ranges {
            r.min = Quantity::from_units(0);
        }
    }
    if let Some(last) = models.last_mut() {
        for r in &mut last.ranges {
            r.max = Quantity::from_units(i64::MAX);
        }
    }
}

/// Karmada's nine default resource-model grades (cpu 0,1,2,4,…,128 cores; memory
/// 0,4,16,32,…,1024 GiB lower bounds).
pub fn default_resource_models() -> Vec<ResourceModel> {
    const GIB: i64 = 1024 * 1024 * 1024;
    let cpu_bounds: [i64; 9] = [0, 1, 2, 4, 8, 16, 32, 64, 128];
    let memory_bounds: [i64; 9] = [0, 4, 16, 32, 64, 128, 256, 512, 1024];
    (0..9)
        .map(|grade| {
            let upper = |bounds: &[i64; 9], scale: i64| {
                bounds.get(grade + 1).map_or(i64::MAX, |b| b * scale)
            };
            ResourceModel {
                grade: grade as u32,
                ranges: vec![
                    ResourceModelRange {
                        name: "cpu".to_string(),
                        min: Quantity::from_units(cpu_bounds[grade]),
                        max: Quantity::from_units(upper(&cpu_bounds, 1)),
                    },
                    ResourceModelRange {
                        name: "memory".to_string(),
                        min: Quantity::from_units(memory_bounds[grade] * GIB),
                        max: Quantity::from_units(upper(&memory_bounds, GIB)),
                    },
                ],
            }
        })
        .collect()
}

/// Defaults a (Cluster)ResourceBinding: the permanent-id label and its CRD defaults.
pub fn default_resource_binding(binding: &mut ResourceBinding, ctx: &DefaultingContext) {
    let cluster_scoped = binding.kind == "ClusterResourceBinding";
    if cluster_scoped {
        ctx.stamp_permanent_id(
            &mut binding.metadata,
            CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL,
        );
    } else {
        ctx.fill_namespace(&mut binding.metadata);
        ctx.stamp_permanent_id(&mut binding.metadata, RESOURCE_BINDING_PERMANENT_ID_LABEL);
    }
    let spec = &mut binding.spec;
    spec.conflict_resolution
        .get_or_insert(ConflictResolution::Abort);
    if let Some(placement) = &mut spec.placement {
        default_placement_crd(placement);
    }
    if let Some(failover) = &mut spec.failover {
        default_failover(failover, false);
    }
}

/// Defaults a Work: its namespace and the permanent-id label.
pub fn default_work(work: &mut Work, ctx: &DefaultingContext) {
    ctx.fill_namespace(&mut work.metadata);
    ctx.stamp_permanent_id(&mut work.metadata, WORK_PERMANENT_ID_LABEL);
}

/// Defaults any [`KarmadaObject`] with the function for its kind.
pub fn default_object(object: &mut KarmadaObject, ctx: &DefaultingContext) {
    match object {
        KarmadaObject::Cluster(o) => default_cluster(o, ctx),
        KarmadaObject::PropagationPolicy(o) => default_propagation_policy(o, ctx),
        KarmadaObject::ClusterPropagationPolicy(o) => default_cluster_propagation_policy(o, ctx),
        KarmadaObject::OverridePolicy(o) => default_override_policy(o, ctx),
        KarmadaObject::ClusterOverridePolicy(o) => default_cluster_override_policy(o, ctx),
        KarmadaObject::ClusterTaintPolicy(o) => default_cluster_taint_policy(o, ctx),
        KarmadaObject::ResourceBinding(o) => default_resource_binding(o, ctx),
        KarmadaObject::Work(o) => default_work(o, ctx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn pp(spec: Value) -> PropagationPolicy {
        serde_json::from_value(json!({
            "apiVersion": "policy.karmada.io/v1alpha1",
            "kind": "PropagationPolicy",
            "metadata": {"name": "p", "namespace": "ns"},
            "spec": spec,
        }))
        .unwrap()
    }

    /// (description, spec in, JSON pointer into the defaulted spec, expected value)
    #[test]
    fn propagation_policy_defaults() {
        let selector = json!([{"apiVersion": "apps/v1", "kind": "Deployment"}]);
        let cases: Vec<(&str, Value, &str, Value)> = vec![
            (
                "selector namespace filled",
                json!({"resourceSelectors": selector}),
                "/resourceSelectors/0/namespace",
                json!("ns"),
            ),
            (
                "explicit selector namespace kept",
                json!({"resourceSelectors": [{"apiVersion": "v1", "kind": "Pod", "namespace": "x"}]}),
                "/resourceSelectors/0/namespace",
                json!("x"),
            ),
            (
                "priority 0",
                json!({"resourceSelectors": selector}),
                "/priority",
                json!(0),
            ),
            (
                "priority kept",
                json!({"resourceSelectors": selector, "priority": 7}),
                "/priority",
                json!(7),
            ),
            (
                "preemption Never",
                json!({"resourceSelectors": selector}),
                "/preemption",
                json!("Never"),
            ),
            (
                "conflictResolution Abort",
                json!({"resourceSelectors": selector}),
                "/conflictResolution",
                json!("Abort"),
            ),
            (
                "schedulerName",
                json!({"resourceSelectors": selector}),
                "/schedulerName",
                json!("default-scheduler"),
            ),
            (
                "spreadByField cluster",
                json!({"resourceSelectors": selector, "placement": {"spreadConstraints": [{"maxGroups": 3}]}}),
                "/placement/spreadConstraints/0/spreadByField",
                json!("cluster"),
            ),
            (
                "spreadByLabel left alone",
                json!({"resourceSelectors": selector, "placement": {"spreadConstraints": [{"spreadByLabel": "net"}]}}),
                "/placement/spreadConstraints/0/spreadByField",
                Value::Null,
            ),
            (
                "minGroups 1",
                json!({"resourceSelectors": selector, "placement": {"spreadConstraints": [{"spreadByField": "region"}]}}),
                "/placement/spreadConstraints/0/minGroups",
                json!(1),
            ),
            (
                "negative minGroups kept",
                json!({"resourceSelectors": selector, "placement": {"spreadConstraints": [{"spreadByField": "region", "minGroups": -1}]}}),
                "/placement/spreadConstraints/0/minGroups",
                json!(-1),
            ),
            (
                "present replicaScheduling is Divided",
                json!({"resourceSelectors": selector, "placement": {"replicaScheduling": {}}}),
                "/placement/replicaScheduling/replicaSchedulingType",
                json!("Divided"),
            ),
            (
                "Divided gets Weighted",
                json!({"resourceSelectors": selector, "placement": {"replicaScheduling": {"replicaSchedulingType": "Divided"}}}),
                "/placement/replicaScheduling/replicaDivisionPreference",
                json!("Weighted"),
            ),
            (
                "Aggregated kept",
                json!({"resourceSelectors": selector, "placement": {"replicaScheduling": {"replicaDivisionPreference": "Aggregated"}}}),
                "/placement/replicaScheduling/replicaDivisionPreference",
                json!("Aggregated"),
            ),
            (
                "Duplicated gets no preference",
                json!({"resourceSelectors": selector, "placement": {"replicaScheduling": {"replicaSchedulingType": "Duplicated"}}}),
                "/placement/replicaScheduling/replicaDivisionPreference",
                Value::Null,
            ),
            (
                "absent replicaScheduling stays absent",
                json!({"resourceSelectors": selector}),
                "/placement/replicaScheduling",
                Value::Null,
            ),
            (
                "ServiceImport forces propagateDeps",
                json!({"resourceSelectors": [{"apiVersion": "multicluster.x-k8s.io/v1alpha1", "kind": "ServiceImport"}]}),
                "/propagateDeps",
                json!(true),
            ),
            (
                "other ServiceImport group does not",
                json!({"resourceSelectors": [{"apiVersion": "example.io/v1", "kind": "ServiceImport"}]}),
                "/propagateDeps",
                Value::Null,
            ),
            (
                "toleration 300",
                json!({"resourceSelectors": selector, "failover": {"application": {"decisionConditions": {}}}}),
                "/failover/application/decisionConditions/tolerationSeconds",
                json!(300),
            ),
            (
                "purgeMode Gracefully",
                json!({"resourceSelectors": selector, "failover": {"application": {"decisionConditions": {}}}}),
                "/failover/application/purgeMode",
                json!("Gracefully"),
            ),
            (
                "grace period 600",
                json!({"resourceSelectors": selector, "failover": {"application": {"decisionConditions": {}}}}),
                "/failover/application/gracePeriodSeconds",
                json!(600),
            ),
            (
                "no grace period for Directly",
                json!({"resourceSelectors": selector, "failover": {"application": {"decisionConditions": {}, "purgeMode": "Directly"}}}),
                "/failover/application/gracePeriodSeconds",
                Value::Null,
            ),
            (
                "deprecated Graciously gets grace period",
                json!({"resourceSelectors": selector, "failover": {"application": {"decisionConditions": {}, "purgeMode": "Graciously"}}}),
                "/failover/application/gracePeriodSeconds",
                json!(600),
            ),
            (
                "cluster failover purgeMode",
                json!({"resourceSelectors": selector, "failover": {"cluster": {}}}),
                "/failover/cluster/purgeMode",
                json!("Gracefully"),
            ),
        ];
        for (what, spec, pointer, expected) in cases {
            let mut policy = pp(spec);
            default_propagation_policy(&mut policy, &DefaultingContext::default());
            let spec = serde_json::to_value(&policy.spec).unwrap();
            let got = spec.pointer(pointer).cloned().unwrap_or(Value::Null);
            assert_eq!(got, expected, "{what}");
        }
    }

    #[test]
    fn policy_metadata_defaults() {
        let mut policy: PropagationPolicy = serde_json::from_value(json!({
            "metadata": {"name": "p"},
            "spec": {"resourceSelectors": [{"apiVersion": "v1", "kind": "ConfigMap"}]}
        }))
        .unwrap();
        default_propagation_policy(&mut policy, &DefaultingContext::default());
        assert_eq!(policy.metadata.namespace, "default");
        assert_eq!(policy.spec.resource_selectors[0].namespace, "default");
        assert_eq!(policy.metadata.finalizers, [PROPAGATION_POLICY_FINALIZER]);
        let id = &policy.metadata.labels[PROPAGATION_POLICY_PERMANENT_ID_LABEL];
        assert_eq!(
            id,
            &derived_permanent_id(PROPAGATION_POLICY_PERMANENT_ID_LABEL, "default", "p")
        );
        // An existing id is kept.
        policy
            .metadata
            .labels
            .insert(PROPAGATION_POLICY_PERMANENT_ID_LABEL.into(), "mine".into());
        default_propagation_policy(&mut policy, &DefaultingContext::default());
        assert_eq!(
            policy.metadata.labels[PROPAGATION_POLICY_PERMANENT_ID_LABEL],
            "mine"
        );
        assert_eq!(policy.metadata.finalizers.len(), 1);
    }

    #[test]
    fn derived_ids_look_like_uuids_and_differ() {
        let a = derived_permanent_id("l", "ns", "a");
        let b = derived_permanent_id("l", "ns", "b");
        assert_ne!(a, b);
        assert_eq!(a, derived_permanent_id("l", "ns", "a"));
        let parts: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert_eq!(&a[14..15], "5");
    }

    #[test]
    fn custom_and_skipped_ids() {
        fn fixed(_: &str, ns: &str, name: &str) -> String {
            format!("{ns}.{name}")
        }
        let mut policy: ClusterPropagationPolicy = serde_json::from_value(json!({
            "metadata": {"name": "c"},
            "spec": {"resourceSelectors": [{"apiVersion": "v1", "kind": "Namespace"}]}
        }))
        .unwrap();
        let mut skipped = policy.clone();
        let ctx = DefaultingContext {
            permanent_ids: PermanentIds::Custom(fixed),
            ..Default::default()
        };
        default_cluster_propagation_policy(&mut policy, &ctx);
        assert_eq!(
            policy.metadata.labels[CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL],
            ".c"
        );
        assert_eq!(
            policy.metadata.namespace, "",
            "cluster-scoped objects get no namespace"
        );
        assert_eq!(
            policy.spec.resource_selectors[0].namespace, "",
            "CPP selectors stay open"
        );
        let ctx = DefaultingContext {
            permanent_ids: PermanentIds::Skip,
            ..Default::default()
        };
        default_cluster_propagation_policy(&mut skipped, &ctx);
        assert!(skipped.metadata.labels.is_empty());
    }

    #[test]
    fn cluster_defaults() {
        let mut cluster: Cluster = serde_json::from_value(json!({
            "metadata": {"name": "m1"},
            "spec": {
                "zone": "z1",
                "taints": [
                    {"key": "a", "effect": "NoExecute"},
                    {"key": "b", "effect": "NoSchedule"},
                    {"key": "c", "effect": "NoExecute", "timeAdded": "2025-05-05T00:00:00Z"}
                ],
                "resourceModels": [
                    {"grade": 1, "ranges": [{"name": "cpu", "min": "2", "max": "4"}]},
                    {"grade": 0, "ranges": [{"name": "cpu", "min": "1", "max": "2"}]}
                ]
            }
        }))
        .unwrap();
        default_cluster(&mut cluster, &DefaultingContext::at("2026-03-04T05:06:07Z"));
        assert_eq!(cluster.spec.zones, ["z1"]);
        assert_eq!(cluster.spec.zone, "");
        let added: Vec<Option<&str>> = cluster
            .spec
            .taints
            .iter()
            .map(|t| t.time_added.as_deref())
            .collect();
        assert_eq!(
            added,
            [
                Some("2026-03-04T05:06:07Z"),
                None,
                Some("2025-05-05T00:00:00Z")
            ]
        );
        let models = &cluster.spec.resource_models;
        assert_eq!(models[0].grade, 0);
        assert!(models[0].ranges[0].min.is_zero());
        assert_eq!(models[1].ranges[0].max, Quantity::from_units(i64::MAX));

        // Zones win over the deprecated zone.
        let mut both: Cluster = serde_json::from_value(json!({
            "metadata": {"name": "m2"}, "spec": {"zone": "old", "zones": ["a", "b"]}
        }))
        .unwrap();
        default_cluster(&mut both, &DefaultingContext::default());
        assert_eq!((both.spec.zone.as_str(), both.spec.zones.len()), ("old", 2));
        assert_eq!(both.spec.resource_models.len(), 9, "default models set");
        let without_gate = DefaultingContext {
            customized_cluster_resource_modeling: false,
            ..Default::default()
        };
        let mut plain: Cluster =
            serde_json::from_value(json!({"metadata": {"name": "m3"}})).unwrap();
        default_cluster(&mut plain, &without_gate);
        assert!(plain.spec.resource_models.is_empty());
    }

    #[test]
    fn default_models_are_contiguous() {
        let models = default_resource_models();
        for pair in models.windows(2) {
            for (a, b) in pair[0].ranges.iter().zip(&pair[1].ranges) {
                assert_eq!(a.max, b.min);
            }
        }
        assert_eq!(
            models[8].ranges[1].min,
            Quantity::from_units(1024 * 1024 * 1024 * 1024)
        );
    }

    #[test]
    fn binding_defaults() {
        let mut rb: ResourceBinding = serde_json::from_value(json!({
            "kind": "ClusterResourceBinding",
            "metadata": {"name": "ns-namespace"},
            "spec": {
                "resource": {"apiVersion": "v1", "kind": "Namespace", "name": "ns"},
                "placement": {"replicaScheduling": {}},
                "failover": {"application": {"decisionConditions": {}}}
            }
        }))
        .unwrap();
        default_resource_binding(&mut rb, &DefaultingContext::default());
        assert_eq!(rb.metadata.namespace, "");
        assert!(rb
            .metadata
            .labels
            .contains_key(CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL));
        assert_eq!(rb.spec.conflict_resolution, Some(ConflictResolution::Abort));
        let placement = rb.spec.placement.as_ref().unwrap();
        let rs = placement.replica_scheduling.as_ref().unwrap();
        assert_eq!(
            rs.replica_scheduling_type,
            Some(ReplicaSchedulingType::Divided)
        );
        assert_eq!(
            rs.replica_division_preference, None,
            "no webhook default on bindings"
        );
        let app = rb
            .spec
            .failover
            .as_ref()
            .unwrap()
            .application
            .as_ref()
            .unwrap();
        assert_eq!(app.decision_conditions.toleration_seconds, Some(300));
        assert_eq!(
            app.grace_period_seconds, None,
            "no webhook default on bindings"
        );
    }
}
