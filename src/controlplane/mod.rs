//! An in-memory Karmada control plane: a deterministic store, Karmada's controllers, and
//! simulated member clusters, driven step by step on a virtual clock.
//!
//! ```
//! use fedplan::controlplane::{Config, ControlPlane};
//! use serde_json::json;
//!
//! let mut cp = ControlPlane::new(Config::default());
//! for name in ["a", "b"] {
//!     cp.apply(json!({"apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
//!                     "metadata": {"name": name}, "spec": {"syncMode": "Push"}})).unwrap();
//! }
//! cp.apply(json!({"apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
//!     "metadata": {"name": "web", "namespace": "default"},
//!     "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}],
//!              "placement": {"clusterAffinity": {"clusterNames": ["a", "b"]}}}})).unwrap();
//! cp.apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
//!     "metadata": {"name": "web", "namespace": "default"},
//!     "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1"}]}}}})).unwrap();
//! cp.run_until_quiescent().unwrap();
//! assert_eq!(cp.member("a").unwrap().len(), 1);
//! assert_eq!(cp.member("b").unwrap().len(), 1);
//! ```

pub mod clock;
mod controllers;
pub mod events;
mod failover;
pub mod member;
mod parallel;
mod rollout;
pub mod scenario;
pub mod synthetic;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};

use crate::api::{
    Cluster, ClusterOverridePolicy, ClusterPropagationPolicy, ClusterTaintPolicy, OverridePolicy,
    PropagationPolicy, ResourceBinding, Work,
};
use crate::interpreter::chain::InterpreterChain;
use crate::interpreter::ResourceInterpreter;

pub use clock::{Clock, Timestamp};
pub use events::{Event, EventLog};
pub use member::MemberCluster;

/// Identifies an object: apiVersion, kind, namespace, name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectKey {
    /// API version.
    pub api_version: String,
    /// Kind.
    pub kind: String,
    /// Namespace (empty for cluster-scoped objects).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectKey {
    /// A key from its parts.
    pub fn new(
        api_version: impl Into<String>,
        kind: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        ObjectKey {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// The key of a JSON object.
    pub fn of(v: &Value) -> Self {
        KeyRef::of(v).to_key()
    }
}

/// The four parts of an object's identity, owned ([`ObjectKey`]) or borrowed ([`KeyRef`]), so
/// that maps keyed by [`ObjectKey`] can be searched without allocating.
pub(crate) trait KeyParts {
    /// apiVersion, kind, namespace, name.
    fn parts(&self) -> [&str; 4];
}

impl KeyParts for ObjectKey {
    fn parts(&self) -> [&str; 4] {
        [&self.api_version, &self.kind, &self.namespace, &self.name]
    }
}

/// A borrowed [`ObjectKey`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyRef<'a>([&'a str; 4]);

impl<'a> KeyRef<'a> {
    /// A key from its parts.
    pub(crate) fn new(
        api_version: &'a str,
        kind: &'a str,
        namespace: &'a str,
        name: &'a str,
    ) -> Self {
        KeyRef([api_version, kind, namespace, name])
    }

    /// The identity of a JSON object (missing parts are empty, as in [`ObjectKey::of`]).
    pub(crate) fn of(v: &'a Value) -> Self {
        let s = |x: Option<&'a Value>| x.and_then(Value::as_str).unwrap_or("");
        let meta = v.get("metadata");
        KeyRef([
            s(v.get("apiVersion")),
            s(v.get("kind")),
            s(meta.and_then(|m| m.get("namespace"))),
            s(meta.and_then(|m| m.get("name"))),
        ])
    }

    /// apiVersion, kind, namespace, name.
    pub(crate) fn into_parts(self) -> [&'a str; 4] {
        self.0
    }

    /// The owned key.
    pub(crate) fn to_key(self) -> ObjectKey {
        let [api_version, kind, namespace, name] = self.0;
        ObjectKey::new(api_version, kind, namespace, name)
    }
}

impl KeyParts for KeyRef<'_> {
    fn parts(&self) -> [&str; 4] {
        self.0
    }
}

impl<'a> std::borrow::Borrow<dyn KeyParts + 'a> for ObjectKey {
    fn borrow(&self) -> &(dyn KeyParts + 'a) {
        self
    }
}

// Ordered exactly as the derived `Ord` of `ObjectKey` (field by field), as `Borrow` requires.
impl PartialEq for dyn KeyParts + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn KeyParts + '_ {}

impl PartialOrd for dyn KeyParts + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for dyn KeyParts + '_ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts().cmp(&other.parts())
    }
}

/// `a == b` for JSON values, faster when both list their keys in the same order (as the
/// sorted manifests the control plane renders do): keys are then paired by position instead
/// of looked up by hash. Falls back to the order-insensitive comparison where orders differ.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() {
                return false;
            }
            let same_order = x.keys().zip(y.keys()).all(|(p, q)| p == q);
            if same_order {
                x.values().zip(y.values()).all(|(p, q)| json_eq(p, q))
            } else {
                x == y
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        _ => a == b,
    }
}

/// Makes `dst` equal to `src`, keys in the same order, reusing `dst`'s allocations where the
/// two have the same shape (a re-rendered manifest differs from the previous one in a few
/// values only).
pub(crate) fn overwrite_json(dst: &mut Value, src: &Value) {
    match (dst, src) {
        (Value::Object(d), Value::Object(s))
            if d.len() == s.len() && d.keys().zip(s.keys()).all(|(a, b)| a == b) =>
        {
            for (dv, sv) in d.values_mut().zip(s.values()) {
                overwrite_json(dv, sv);
            }
        }
        (Value::Array(d), Value::Array(s)) if d.len() == s.len() => {
            for (dv, sv) in d.iter_mut().zip(s) {
                overwrite_json(dv, sv);
            }
        }
        (Value::String(d), Value::String(s)) => {
            if d != s {
                s.clone_into(d);
            }
        }
        (d, s) => *d = s.clone(),
    }
}

/// Sets `object[key]` to `value`, or removes the key when there is none.
pub(crate) fn put_or_remove(
    object: &mut serde_json::Map<String, Value>,
    key: &str,
    value: Option<Value>,
) {
    match value {
        Some(v) => {
            object.insert(key.into(), v);
        }
        None => {
            object.remove(key);
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        KeyRef(self.parts()).fmt(f)
    }
}

impl fmt::Display for KeyRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [_, kind, namespace, name] = self.0;
        if namespace.is_empty() {
            write!(f, "{kind} {name}")
        } else {
            write!(f, "{kind} {namespace}/{name}")
        }
    }
}

/// Errors of the control plane.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControlPlaneError {
    /// An applied object is not a valid object of its kind.
    #[error("{object}: {message}")]
    InvalidObject {
        /// The object.
        object: String,
        /// What is wrong (with the field path).
        message: String,
    },
    /// The controllers kept changing state without settling.
    #[error("the control plane did not settle after {0} passes")]
    NotQuiescent(usize),
    /// A scenario is malformed.
    #[error("scenario: {0}")]
    Scenario(String),
}

/// Feature gates and controller flags, by their Karmada names, with Karmada's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Feature gates that differ from Karmada's defaults (e.g. `Failover: true`).
    pub feature_gates: BTreeMap<String, bool>,
    /// Controller flags (e.g. `enable-no-execute-taint-eviction: "true"`,
    /// `graceful-eviction-timeout: "600s"`).
    pub flags: BTreeMap<String, String>,
    /// Where the virtual clock starts.
    pub start_time: Timestamp,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            feature_gates: BTreeMap::new(),
            flags: BTreeMap::new(),
            start_time: Timestamp::parse(clock::DEFAULT_START).unwrap_or_default(),
        }
    }
}

/// Karmada's feature-gate defaults at the digested release.
const DEFAULT_GATES: &[(&str, bool)] = &[
    ("Failover", false),
    ("GracefulEviction", true),
    ("PropagateDeps", true),
    ("CustomizedClusterResourceModeling", true),
    ("PropagationPolicyPreemption", false),
    ("PriorityBasedScheduling", true),
    ("StatefulFailoverInjection", false),
    ("MultiplePodTemplatesScheduling", false),
    ("WorkloadAffinity", false),
];

impl Config {
    /// Whether a feature gate is on (Karmada's default when not set).
    pub fn gate(&self, name: &str) -> bool {
        self.feature_gates.get(name).copied().unwrap_or_else(|| {
            DEFAULT_GATES
                .iter()
                .find(|(n, _)| *n == name)
                .is_some_and(|(_, on)| *on)
        })
    }

    /// A boolean flag (`true`/`false`), `default` when not set.
    pub fn flag_bool(&self, name: &str, default: bool) -> bool {
        self.flags.get(name).map(|v| v == "true").unwrap_or(default)
    }

    /// A duration flag in seconds (`600s`, `10m`, `1h`, or a plain number of seconds).
    pub fn flag_seconds(&self, name: &str, default: i64) -> i64 {
        self.flags
            .get(name)
            .and_then(|v| parse_duration(v))
            .unwrap_or(default)
    }
}

/// Parses a Go-style duration made of whole units (`90s`, `10m`, `1h30m`) or plain seconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    let mut total = 0i64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: i64 = num.parse().ok()?;
        num.clear();
        total += match c {
            's' => n,
            'm' => n * 60,
            'h' => n * 3600,
            _ => return None,
        };
    }
    num.is_empty().then_some(total)
}

/// The state of the control plane at one moment, as `fedplan simulate` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Resource templates as stored (status aggregated, generation as Kubernetes counts it).
    pub templates: Vec<Value>,
    /// Bindings.
    pub bindings: Vec<ResourceBinding>,
    /// Works.
    pub works: Vec<Work>,
    /// Live objects per member cluster.
    pub members: BTreeMap<String, Vec<Value>>,
}

/// The in-memory control plane.
pub struct ControlPlane {
    config: Config,
    clock: Clock,
    interpreter: Arc<dyn ResourceInterpreter>,
    resource_version: u64,
    templates: BTreeMap<ObjectKey, Value>,
    propagation_policies: BTreeMap<(String, String), PropagationPolicy>,
    cluster_propagation_policies: BTreeMap<String, ClusterPropagationPolicy>,
    override_policies: BTreeMap<(String, String), OverridePolicy>,
    cluster_override_policies: BTreeMap<String, ClusterOverridePolicy>,
    taint_policies: BTreeMap<String, ClusterTaintPolicy>,
    clusters: BTreeMap<String, Cluster>,
    bindings: BTreeMap<(String, String), ResourceBinding>,
    works: BTreeMap<(String, String), Work>,
    members: BTreeMap<String, MemberCluster>,
    events: EventLog,
    revisions: Revisions,
    failover: failover::FailoverMemory,
    rollouts: rollout::RolloutMemory,
    threads: usize,
}

/// Change counters that let the controllers skip work whose inputs did not move, as
/// Karmada's informers only enqueue changed objects.
#[derive(Debug, Default)]
pub(crate) struct Revisions {
    counter: u64,
    /// Clusters and override policies (everything a render reads besides its binding).
    pub(crate) env: u64,
    pub(crate) templates: BTreeMap<ObjectKey, u64>,
    pub(crate) bindings: BTreeMap<(String, String), u64>,
    pub(crate) works: WorkTable<u64>,
    /// (binding, template, env) revisions each binding was last rendered at.
    pub(crate) rendered: BTreeMap<(String, String), (u64, u64, u64)>,
    /// Work revision last applied to the member cluster.
    pub(crate) applied: WorkTable<u64>,
    /// (work revision, applied, member resourceVersions) last reflected into the Work status.
    pub(crate) collected: WorkTable<(u64, bool, Vec<u64>)>,
    /// Revision of each Work's status.
    pub(crate) work_status: WorkTable<u64>,
    /// Template revision and claiming policy version each binding was last built from.
    pub(crate) detected: BTreeMap<ObjectKey, (u64, String)>,
    /// Work status revisions each binding's aggregated status was last computed from.
    pub(crate) aggregated: BTreeMap<(String, String), (u64, Vec<u64>)>,
    /// Revision of each binding's aggregated status.
    pub(crate) binding_status: BTreeMap<(String, String), u64>,
    /// (binding status, template) revisions each template status was last aggregated from.
    pub(crate) template_status: BTreeMap<ObjectKey, (u64, u64)>,
    /// Works whose current revision has not been applied to their member cluster yet.
    pub(crate) unapplied: BTreeSet<(String, String)>,
    /// Execution spaces with a Work whose revision or `Applied` condition moved since the
    /// work status controller last looked.
    pub(crate) status_dirty: BTreeSet<String>,
    /// [`MemberCluster::changes`] of each member when the work status controller last looked.
    pub(crate) member_seen: BTreeMap<String, u64>,
    /// A binding was removed since the binding controller last looked for orphaned Works.
    pub(crate) bindings_removed: bool,
    /// Moves whenever a PropagationPolicy or ClusterPropagationPolicy changes.
    pub(crate) policies: u64,
    /// (template, policies revisions, binding key) at which the detector last found a
    /// template's binding up to date.
    pub(crate) detected_idle: BTreeMap<ObjectKey, (u64, u64, (String, String))>,
    /// What the scheduler last saw of each binding it left unchanged.
    pub(crate) scheduled: BTreeMap<(String, String), SchedulerInputs>,
    /// The Work keys of each binding, with the binding revision they were computed at.
    pub(crate) work_keys: BTreeMap<(String, String), BindingWorkKeys>,
}

/// Per-Work bookkeeping by (execution space, Work name), looked up several times per Work and
/// pass. The keys are the control plane's own and the order is never read, so a fast hasher
/// with a fixed seed does (the standard one spends more time hashing than the lookups save).
pub(crate) type WorkTable<V> = HashMap<(String, String), V, foldhash::fast::FixedState>;

/// A binding's Work keys (namespace, name) and the binding revision they were computed at.
pub(crate) type BindingWorkKeys = (u64, Vec<(String, String)>);

/// The inputs of one scheduling decision: binding and environment revisions, the virtual
/// time, and the binding status without `aggregatedStatus` (which the binding status
/// controller writes and the scheduler does not read).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SchedulerInputs {
    pub(crate) binding: u64,
    pub(crate) env: u64,
    pub(crate) now: i64,
    pub(crate) status: Option<crate::api::ResourceBindingStatus>,
}

impl SchedulerInputs {
    /// Whether `status` equals the one seen, `aggregatedStatus` aside.
    pub(crate) fn same_status(&self, status: Option<&crate::api::ResourceBindingStatus>) -> bool {
        match (&self.status, status) {
            (None, None) => true,
            (Some(seen), Some(now)) => {
                // Every field is named, so that a new one cannot be forgotten here.
                let crate::api::ResourceBindingStatus {
                    scheduler_observed_generation,
                    scheduler_observing_affinity_name,
                    last_scheduled_time,
                    conditions,
                    aggregated_status: _,
                    extra,
                } = now;
                seen.scheduler_observed_generation == *scheduler_observed_generation
                    && seen.scheduler_observing_affinity_name == *scheduler_observing_affinity_name
                    && seen.last_scheduled_time == *last_scheduled_time
                    && seen.conditions == *conditions
                    && seen.extra == *extra
            }
            _ => false,
        }
    }

    /// The status as remembered: without `aggregatedStatus`.
    pub(crate) fn status_of(
        status: Option<&crate::api::ResourceBindingStatus>,
    ) -> Option<crate::api::ResourceBindingStatus> {
        status.map(|s| crate::api::ResourceBindingStatus {
            scheduler_observed_generation: s.scheduler_observed_generation,
            scheduler_observing_affinity_name: s.scheduler_observing_affinity_name.clone(),
            last_scheduled_time: s.last_scheduled_time.clone(),
            conditions: s.conditions.clone(),
            aggregated_status: Vec::new(),
            extra: s.extra.clone(),
        })
    }
}

/// Sets `map[key] = value`, copying the key only when it is new.
fn set_revision<K: Ord + Clone>(map: &mut BTreeMap<K, u64>, key: &K, value: u64) {
    match map.get_mut(key) {
        Some(slot) => *slot = value,
        None => {
            map.insert(key.clone(), value);
        }
    }
}

/// [`set_revision`] for the per-Work maps, which are only ever looked up, never walked: a
/// hash map keeps lookups among tens of thousands of Works cheap, and no output depends on
/// its order.
fn set_work_revision(map: &mut WorkTable<u64>, key: &(String, String), value: u64) {
    match map.get_mut(key) {
        Some(slot) => *slot = value,
        None => {
            map.insert(key.clone(), value);
        }
    }
}

impl Revisions {
    pub(crate) fn bump(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    pub(crate) fn touch_template(&mut self, key: &ObjectKey) {
        let r = self.bump();
        set_revision(&mut self.templates, key, r);
    }

    pub(crate) fn touch_binding(&mut self, key: &(String, String)) {
        let r = self.bump();
        set_revision(&mut self.bindings, key, r);
    }

    pub(crate) fn touch_work(&mut self, key: &(String, String)) {
        let r = self.bump();
        set_work_revision(&mut self.works, key, r);
        if !self.unapplied.contains(key) {
            self.unapplied.insert(key.clone());
        }
        self.mark_status_dirty(&key.0);
    }

    pub(crate) fn touch_work_status(&mut self, key: &(String, String)) {
        let r = self.bump();
        set_work_revision(&mut self.work_status, key, r);
    }

    /// The Work's `Applied` condition moved: its status must be collected again.
    pub(crate) fn touch_work_conditions(&mut self, key: &(String, String)) {
        self.touch_work_status(key);
        self.mark_status_dirty(&key.0);
    }

    fn mark_status_dirty(&mut self, execution_space: &str) {
        if !self.status_dirty.contains(execution_space) {
            self.status_dirty.insert(execution_space.to_string());
        }
    }

    /// Forgets a removed Work.
    pub(crate) fn forget_work(&mut self, key: &(String, String)) {
        self.works.remove(key);
        self.applied.remove(key);
        self.collected.remove(key);
        self.unapplied.remove(key);
    }

    pub(crate) fn touch_env(&mut self) {
        self.env = self.bump();
    }

    pub(crate) fn touch_policies(&mut self) {
        self.policies = self.bump();
    }
}

impl fmt::Debug for ControlPlane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ControlPlane")
            .field("now", &self.clock.now().to_string())
            .field("templates", &self.templates.len())
            .field("bindings", &self.bindings.len())
            .field("works", &self.works.len())
            .field("members", &self.members.len())
            .finish()
    }
}

const MAX_PASSES: usize = 64;

impl ControlPlane {
    /// A control plane with the built-in interpreters.
    pub fn new(config: Config) -> Self {
        Self::with_interpreter(config, Arc::new(InterpreterChain::default()))
    }

    /// A control plane using `interpreter` (e.g. a chain with plugins).
    pub fn with_interpreter(config: Config, interpreter: Arc<dyn ResourceInterpreter>) -> Self {
        ControlPlane {
            clock: Clock::new(config.start_time),
            config,
            interpreter,
            resource_version: 0,
            templates: BTreeMap::new(),
            propagation_policies: BTreeMap::new(),
            cluster_propagation_policies: BTreeMap::new(),
            override_policies: BTreeMap::new(),
            cluster_override_policies: BTreeMap::new(),
            taint_policies: BTreeMap::new(),
            clusters: BTreeMap::new(),
            bindings: BTreeMap::new(),
            works: BTreeMap::new(),
            members: BTreeMap::new(),
            events: EventLog::default(),
            revisions: Revisions::default(),
            failover: failover::FailoverMemory::default(),
            rollouts: rollout::RolloutMemory::default(),
            threads: parallel::default_threads(),
        }
    }

    /// How many threads the controllers may use for work that is independent: templates in
    /// the detector, bindings in the scheduler, the binding controller and status
    /// aggregation, member clusters in execution and status collection (1: none; by default
    /// the available cores, at most 8). The results, events included, are the same whatever
    /// the number.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The current virtual time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Moves the virtual clock forward (controllers run on the next step).
    pub fn advance(&mut self, seconds: i64) {
        self.clock.advance(seconds);
    }

    fn next_rv(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    /// Creates or updates an object, as `kubectl apply` would: Karmada kinds are stored
    /// typed; anything else is a resource template whose generation moves when its spec
    /// changes. Status written by the control plane is kept.
    pub fn apply(&mut self, object: Value) -> Result<(), ControlPlaneError> {
        let key = ObjectKey::of(&object);
        let invalid = |message: String| ControlPlaneError::InvalidObject {
            object: key.to_string(),
            message,
        };
        if key.name.is_empty() {
            return Err(invalid("metadata.name: required".into()));
        }
        if key.kind.is_empty() || key.api_version.is_empty() {
            return Err(invalid("apiVersion and kind are required".into()));
        }
        let now = self.now().to_string();
        // Karmada's webhooks default and validate every Karmada object on admission.
        let ctx = crate::api::defaults::DefaultingContext {
            now: now.clone(),
            customized_cluster_resource_modeling: self
                .config
                .gate("CustomizedClusterResourceModeling"),
            ..Default::default()
        };
        let object = match crate::api::validate::admit(
            &object,
            &ctx,
            &crate::api::validate::ValidationOptions {
                allow_no_execute_taint_policy: self
                    .config
                    .flag_bool("allow-no-execute-taint-policy", false),
                ..Default::default()
            },
        ) {
            Err(e) => return Err(invalid(e.to_string())),
            Ok(Some(admission)) if !admission.errors.is_empty() => {
                let problems: Vec<String> =
                    admission.errors.iter().map(|e| e.to_string()).collect();
                return Err(invalid(problems.join("; ")));
            }
            Ok(Some(admission)) => admission.object.to_value().unwrap_or(object),
            Ok(None) => object,
        };
        let rv = self.next_rv();
        let ns_name = (key.namespace.clone(), key.name.clone());
        macro_rules! store_typed {
            ($map:expr, $k:expr, $ty:ty) => {{
                let mut obj: $ty =
                    serde_json::from_value(object.clone()).map_err(|e| invalid(e.to_string()))?;
                let old = $map.get(&$k);
                let generation = match old {
                    Some(o) if o.spec == obj.spec => o.metadata.generation,
                    Some(o) => Some(o.metadata.generation.unwrap_or(1) + 1),
                    None => Some(1),
                };
                obj.metadata.generation = generation;
                obj.metadata.resource_version = rv;
                if obj.metadata.creation_timestamp.is_none() {
                    obj.metadata.creation_timestamp = old
                        .and_then(|o| o.metadata.creation_timestamp.clone())
                        .or(Some(now.clone()));
                }
                $map.insert($k, obj);
            }};
        }
        match (key.api_version.as_str(), key.kind.as_str()) {
            ("policy.karmada.io/v1alpha1", "PropagationPolicy") => {
                store_typed!(self.propagation_policies, ns_name, PropagationPolicy);
                self.revisions.touch_policies();
            }
            ("policy.karmada.io/v1alpha1", "ClusterPropagationPolicy") => {
                store_typed!(
                    self.cluster_propagation_policies,
                    key.name.clone(),
                    ClusterPropagationPolicy
                );
                self.revisions.touch_policies();
            }
            ("policy.karmada.io/v1alpha1", "OverridePolicy") => {
                store_typed!(self.override_policies, ns_name, OverridePolicy);
                self.revisions.touch_env();
            }
            ("policy.karmada.io/v1alpha1", "ClusterOverridePolicy") => {
                store_typed!(
                    self.cluster_override_policies,
                    key.name.clone(),
                    ClusterOverridePolicy
                );
                self.revisions.touch_env();
            }
            ("policy.karmada.io/v1alpha1", "ClusterTaintPolicy") => {
                store_typed!(self.taint_policies, key.name.clone(), ClusterTaintPolicy)
            }
            ("cluster.karmada.io/v1alpha1", "Cluster") => {
                let mut cluster: Cluster =
                    serde_json::from_value(object).map_err(|e| invalid(e.to_string()))?;
                let old = self.clusters.get(&key.name);
                if cluster.status.is_none() {
                    cluster.status = old.and_then(|o| o.status.clone());
                }
                cluster.metadata.resource_version = rv;
                cluster.metadata.creation_timestamp = old
                    .and_then(|o| o.metadata.creation_timestamp.clone())
                    .or(Some(now));
                if !self.members.contains_key(&key.name) {
                    self.members
                        .insert(key.name.clone(), MemberCluster::new(key.name.clone()));
                    self.revisions
                        .member_seen
                        .remove(&crate::render::names::execution_space(&key.name));
                }
                self.clusters.insert(key.name.clone(), cluster);
                self.revisions.touch_env();
            }
            ("work.karmada.io/v1alpha2", _) | ("work.karmada.io/v1alpha1", "Work") => {
                return Err(invalid(
                    "bindings and Works are written by the control plane, not applied".into(),
                ));
            }
            _ => {
                let mut obj = object;
                let old = self.templates.get(&key);
                let generation = match old {
                    Some(o) if member::same_spec(o, &obj) => o
                        .pointer("/metadata/generation")
                        .and_then(Value::as_i64)
                        .unwrap_or(1),
                    Some(o) => {
                        o.pointer("/metadata/generation")
                            .and_then(Value::as_i64)
                            .unwrap_or(1)
                            + 1
                    }
                    None => 1,
                };
                let status = old.and_then(|o| o.get("status").cloned());
                let uid = old
                    .and_then(|o| o.pointer("/metadata/uid").cloned())
                    .or_else(|| obj.pointer("/metadata/uid").cloned())
                    .unwrap_or_else(|| {
                        json!(crate::render::names::permanent_id(&format!("uid/{key}")))
                    });
                let created = old
                    .and_then(|o| o.pointer("/metadata/creationTimestamp").cloned())
                    .unwrap_or_else(|| json!(now));
                // The control plane's own claim metadata survives a user's re-apply.
                let claim = old.map(controllers::claim_metadata_of);
                let Some(o) = obj.as_object_mut() else {
                    return Err(invalid("not a JSON object".into()));
                };
                put_or_remove(o, "status", status);
                let meta = o.entry("metadata").or_insert_with(|| json!({}));
                if let Some(meta) = meta.as_object_mut() {
                    meta.insert("generation".into(), json!(generation));
                    meta.insert("resourceVersion".into(), json!(rv));
                    meta.insert("uid".into(), uid);
                    meta.insert("creationTimestamp".into(), created);
                }
                if let Some(claim) = claim {
                    controllers::restore_claim_metadata(&mut obj, &claim);
                }
                self.revisions.touch_template(&key);
                self.templates.insert(key, obj);
            }
        }
        Ok(())
    }

    /// Deletes an object by key. Deleting a template removes its binding, Works and member
    /// objects (unless `preserveResourcesOnDeletion`); deleting a Cluster removes it from
    /// scheduling. Returns whether the object existed.
    pub fn delete(&mut self, key: &ObjectKey) -> bool {
        self.revisions.touch_env();
        self.revisions.touch_policies();
        self.revisions.templates.remove(key);
        let ns_name = (key.namespace.clone(), key.name.clone());
        match (key.api_version.as_str(), key.kind.as_str()) {
            ("policy.karmada.io/v1alpha1", "PropagationPolicy") => {
                self.propagation_policies.remove(&ns_name).is_some()
            }
            ("policy.karmada.io/v1alpha1", "ClusterPropagationPolicy") => self
                .cluster_propagation_policies
                .remove(&key.name)
                .is_some(),
            ("policy.karmada.io/v1alpha1", "OverridePolicy") => {
                self.override_policies.remove(&ns_name).is_some()
            }
            ("policy.karmada.io/v1alpha1", "ClusterOverridePolicy") => {
                self.cluster_override_policies.remove(&key.name).is_some()
            }
            ("policy.karmada.io/v1alpha1", "ClusterTaintPolicy") => {
                self.taint_policies.remove(&key.name).is_some()
            }
            ("cluster.karmada.io/v1alpha1", "Cluster") => {
                let existed = self.clusters.remove(&key.name).is_some();
                self.members.remove(&key.name);
                self.revisions
                    .member_seen
                    .remove(&crate::render::names::execution_space(&key.name));
                existed
            }
            _ => self.templates.remove(key).is_some(),
        }
    }

    /// Overwrites the status of an object in one member cluster (to inject a failure or a
    /// lag). The simulated controllers keep it until the object's spec changes.
    pub fn set_member_status(
        &mut self,
        cluster: &str,
        key: &ObjectKey,
        status: Value,
    ) -> Result<(), ControlPlaneError> {
        let member = self
            .members
            .get_mut(cluster)
            .ok_or_else(|| ControlPlaneError::Scenario(format!("no member cluster {cluster:?}")))?;
        if member.set_status(key, status) {
            Ok(())
        } else {
            Err(ControlPlaneError::Scenario(format!(
                "member cluster {cluster:?} has no object {key}"
            )))
        }
    }

    /// Overwrites a Cluster's status (conditions, resource summary, ...).
    pub fn set_cluster_status(
        &mut self,
        cluster: &str,
        status: Value,
    ) -> Result<(), ControlPlaneError> {
        let c = self
            .clusters
            .get_mut(cluster)
            .ok_or_else(|| ControlPlaneError::Scenario(format!("no Cluster {cluster:?}")))?;
        c.status =
            Some(serde_json::from_value(status).map_err(|e| {
                ControlPlaneError::Scenario(format!("Cluster {cluster} status: {e}"))
            })?);
        self.revisions.touch_env();
        Ok(())
    }

    /// Runs every controller once; returns whether anything changed.
    pub fn step(&mut self) -> bool {
        controllers::run_pass(self)
    }

    /// Runs the controllers until nothing changes.
    pub fn run_until_quiescent(&mut self) -> Result<usize, ControlPlaneError> {
        for pass in 1..=MAX_PASSES {
            if !self.step() {
                return Ok(pass);
            }
        }
        Err(ControlPlaneError::NotQuiescent(MAX_PASSES))
    }

    /// A resource template by key.
    pub fn template(&self, key: &ObjectKey) -> Option<&Value> {
        self.templates.get(key)
    }

    /// A binding by namespace and name.
    pub fn binding(&self, namespace: &str, name: &str) -> Option<&ResourceBinding> {
        self.bindings
            .get(&(namespace.to_string(), name.to_string()))
    }

    /// All Works, ordered by namespace and name.
    pub fn works(&self) -> impl Iterator<Item = &Work> {
        self.works.values()
    }

    /// A member cluster.
    pub fn member(&self, cluster: &str) -> Option<&MemberCluster> {
        self.members.get(cluster)
    }

    /// The event log.
    pub fn events(&self) -> &EventLog {
        &self.events
    }

    /// The whole state, ordered.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            templates: self.templates.values().cloned().collect(),
            bindings: self.bindings.values().cloned().collect(),
            works: self.works.values().cloned().collect(),
            members: self
                .members
                .iter()
                .map(|(n, m)| (n.clone(), m.objects().map(|(_, v)| v.clone()).collect()))
                .collect(),
        }
    }

    fn event(&mut self, source: &str, type_: &str, object: String, reason: &str, message: String) {
        self.events.push(Event {
            time: self.now().to_string(),
            type_: type_.to_string(),
            source: source.to_string(),
            object,
            reason: reason.to_string(),
            message,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key_part() -> impl Strategy<Value = String> {
        prop_oneof![Just(String::new()), "[a-c/]{0,3}"]
    }

    proptest! {
        /// Maps keyed by `ObjectKey` are searched with borrowed keys: both orders must agree.
        #[test]
        fn borrowed_keys_order_as_owned_keys(
            a in (key_part(), key_part(), key_part(), key_part()),
            b in (key_part(), key_part(), key_part(), key_part()),
        ) {
            let ka = ObjectKey::new(a.0, a.1, a.2, a.3);
            let kb = ObjectKey::new(b.0, b.1, b.2, b.3);
            let ra = KeyRef(ka.parts());
            let rb = KeyRef(kb.parts());
            prop_assert_eq!(
                (&ra as &dyn KeyParts).cmp(&rb as &dyn KeyParts),
                ka.cmp(&kb)
            );
        }
    }

    #[test]
    fn borrowed_lookup_finds_owned_keys() {
        let mut map = BTreeMap::new();
        for (i, name) in ["a", "b", "c"].iter().enumerate() {
            map.insert(ObjectKey::new("apps/v1", "Deployment", "ns", *name), i);
        }
        let manifest = json!({"apiVersion": "apps/v1", "kind": "Deployment",
                              "metadata": {"namespace": "ns", "name": "b"}});
        let key = KeyRef::of(&manifest);
        assert_eq!(map.get(&key as &dyn KeyParts), Some(&1));
        assert_eq!(key.to_key(), ObjectKey::of(&manifest));
        assert_eq!(key.to_string(), "Deployment ns/b");
        let missing = json!({"kind": "Deployment", "metadata": {"name": "b"}});
        assert_eq!(map.get(&KeyRef::of(&missing) as &dyn KeyParts), None);
    }

    fn fleet(clusters: usize, deployments: usize) -> ControlPlane {
        let mut cp = ControlPlane::new(Config::default());
        for c in synthetic::clusters(clusters) {
            cp.apply(c).unwrap();
        }
        cp.apply(synthetic::divided_policy("default")).unwrap();
        for i in 0..deployments {
            cp.apply(synthetic::deployment("default", i, 4, "app:v1"))
                .unwrap();
        }
        cp.run_until_quiescent().unwrap();
        cp
    }

    /// A quiet control plane skips the objects that did not move; a member status written
    /// afterwards must still reach the Work, the binding and the template.
    #[test]
    fn a_late_member_status_change_is_collected() {
        let mut cp = fleet(3, 4);
        assert_eq!(cp.run_until_quiescent().unwrap(), 1);
        let work = cp.works().next().unwrap().clone();
        let cluster = names_of_work(&work);
        let key = ObjectKey::of(&work.spec.workload.manifests[0]);
        cp.set_member_status(
            &cluster,
            &key,
            json!({"observedGeneration": 1, "replicas": 2, "readyReplicas": 0,
                   "availableReplicas": 0, "updatedReplicas": 2}),
        )
        .unwrap();
        cp.run_until_quiescent().unwrap();
        let after = cp
            .works()
            .find(|w| {
                w.metadata.name == work.metadata.name
                    && w.metadata.namespace == work.metadata.namespace
            })
            .unwrap();
        let status = after.status.as_ref().unwrap().manifest_statuses[0]
            .status
            .as_ref()
            .unwrap();
        // Zero counters are left out of the reflected status, as Go's omitempty does.
        assert_eq!(status["replicas"], json!(2));
        assert!(status.get("readyReplicas").is_none());
        let binding = cp
            .binding(
                "default",
                &crate::policy::binding_name(&key.kind, &key.name),
            )
            .unwrap();
        let item = binding
            .status
            .as_ref()
            .unwrap()
            .aggregated_status
            .iter()
            .find(|i| i.cluster_name == cluster)
            .unwrap();
        assert_eq!(item.status.as_ref().unwrap()["replicas"], json!(2));
        let items = &binding.status.as_ref().unwrap().aggregated_status;
        let sum = |field: &str| -> i64 {
            items
                .iter()
                .filter_map(|i| i.status.as_ref()?.get(field)?.as_i64())
                .sum()
        };
        let template = cp.template(&key).unwrap();
        assert_eq!(template["status"]["replicas"], json!(sum("replicas")));
        assert_eq!(
            template["status"]["readyReplicas"],
            json!(sum("readyReplicas"))
        );
    }

    /// Removing a Cluster and adding it back empties and refills its execution space.
    #[test]
    fn a_cluster_removed_and_added_back_is_seen_again() {
        let mut cp = fleet(2, 2);
        let cluster = synthetic::clusters(2).remove(0);
        let name = cluster["metadata"]["name"].as_str().unwrap().to_string();
        let before = cp.snapshot();
        assert!(cp.delete(&ObjectKey::of(&cluster)));
        cp.run_until_quiescent().unwrap();
        assert!(cp.member(&name).is_none());
        cp.apply(cluster).unwrap();
        cp.run_until_quiescent().unwrap();
        let after = cp.snapshot();
        assert_eq!(
            before
                .works
                .iter()
                .map(|w| &w.metadata.name)
                .collect::<Vec<_>>(),
            after
                .works
                .iter()
                .map(|w| &w.metadata.name)
                .collect::<Vec<_>>()
        );
        for w in &after.works {
            assert!(w.status.is_some(), "{} has a status", w.metadata.name);
        }
    }

    /// Member clusters handled side by side give the same state and the same events, in
    /// the same order, as one after the other.
    #[test]
    fn threads_do_not_change_the_outcome() {
        let run = |threads: usize| {
            let mut cp = ControlPlane::new(Config::default());
            cp.set_threads(threads);
            for c in synthetic::clusters(12) {
                cp.apply(c).unwrap();
            }
            cp.apply(synthetic::divided_policy("default")).unwrap();
            for i in 0..80 {
                cp.apply(synthetic::deployment("default", i, 25, "app:v1"))
                    .unwrap();
            }
            cp.run_until_quiescent().unwrap();
            let first = serde_json::to_string(&cp.snapshot()).unwrap();
            for i in 0..80 {
                cp.apply(synthetic::deployment(
                    "default",
                    i,
                    20 + (i % 7) as i64,
                    "app:v2",
                ))
                .unwrap();
            }
            cp.run_until_quiescent().unwrap();
            let second = serde_json::to_string(&cp.snapshot()).unwrap();
            (first, second, cp.events().all().to_vec())
        };
        let one = run(1);
        assert!(
            one.0.len() > 100_000,
            "enough Works to be spread over threads"
        );
        assert_eq!(one, run(4));
    }

    fn names_of_work(work: &Work) -> String {
        crate::render::names::cluster_of_execution_space(&work.metadata.namespace)
            .unwrap()
            .to_string()
    }

    #[test]
    fn json_eq_agrees_with_eq() {
        let cases = [
            (
                json!({"a": 1, "b": [1, {"c": "x"}]}),
                json!({"a": 1, "b": [1, {"c": "x"}]}),
            ),
            (json!({"a": 1, "b": 2}), json!({"b": 2, "a": 1})),
            (json!({"a": 1, "b": 2}), json!({"b": 2, "a": 3})),
            (
                json!({"a": {"x": 1, "y": 2}}),
                json!({"a": {"y": 2, "x": 1}}),
            ),
            (json!({"a": 1}), json!({"a": 1, "b": 2})),
            (json!([1, 2]), json!([2, 1])),
            (json!("s"), json!("t")),
            (json!(null), json!({})),
            (json!(1.0), json!(1)),
        ];
        for (a, b) in &cases {
            assert_eq!(json_eq(a, b), a == b, "{a} vs {b}");
            assert_eq!(json_eq(b, a), b == a, "{b} vs {a}");
        }
    }

    #[test]
    fn overwrite_json_leaves_an_exact_copy() {
        let cases = [
            (
                json!({"a": "long string", "b": [1, 2]}),
                json!({"a": "x", "b": [1, 3]}),
            ),
            (json!({"a": 1, "b": 2}), json!({"b": 2, "a": 1})),
            (json!({"a": {"x": 1}}), json!({"a": {"x": 1, "y": [true]}})),
            (json!([1, 2, 3]), json!([1])),
            (json!({"a": 1}), json!("text")),
            (json!(null), json!({"z": null})),
        ];
        for (dst, src) in cases {
            let mut d = dst.clone();
            overwrite_json(&mut d, &src);
            assert_eq!(d, src);
            // Same keys in the same order: the serialized forms match byte for byte.
            assert_eq!(d.to_string(), src.to_string());
        }
    }
}
