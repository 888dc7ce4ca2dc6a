//! Karmada's controllers, one pass each, in the order of the loop: cluster status, detector,
//! scheduler, dependencies distributor, binding controller, execution, member controllers,
//! work status, binding status and template status aggregation.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Value};

use crate::api::{
    AggregatedStatusItem, ApiEnablement, ApiResource, Cluster, ClusterStatus, Condition,
    ManifestStatus, ResourceBinding, ResourceHealth, ResourceIdentifier, Work, WorkStatus,
};
use crate::interpreter::object::at;
use crate::interpreter::{Gvk, Operation};
use crate::policy::{self, BindingOptions, ClaimDecision, MatchOptions};
use crate::render::{self, deps, names, OverrideSet};
use crate::scheduler::{self, ScheduleAction, SchedulerOptions};

use super::member::ApplyOutcome;
use super::{ControlPlane, ObjectKey};

const CLAIM_PREFIXES: [&str; 2] = [
    "propagationpolicy.karmada.io/",
    "clusterpropagationpolicy.karmada.io/",
];

/// The claim labels and annotations a template carries.
pub(super) type ClaimMetadata = (Vec<(String, Value)>, Vec<(String, Value)>);

pub(super) fn claim_metadata_of(template: &Value) -> ClaimMetadata {
    let pick = |field: &str| -> Vec<(String, Value)> {
        template
            .pointer(&format!("/metadata/{field}"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| CLAIM_PREFIXES.iter().any(|p| k.starts_with(p)))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    (pick("labels"), pick("annotations"))
}

pub(super) fn restore_claim_metadata(template: &mut Value, claim: &ClaimMetadata) {
    for (field, entries) in [("labels", &claim.0), ("annotations", &claim.1)] {
        if entries.is_empty() {
            continue;
        }
        let Some(meta) = template.get_mut("metadata").and_then(Value::as_object_mut) else {
            continue;
        };
        let map = meta.entry(field).or_insert_with(|| json!({}));
        if let Some(map) = map.as_object_mut() {
            for (k, v) in entries {
                map.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
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

/// The revision of a binding's template (0 when unknown), looked up without copying its key.
fn template_revision(cp: &ControlPlane, b: &ResourceBinding) -> u64 {
    let r = &b.spec.resource;
    let key = super::KeyRef::new(&r.api_version, &r.kind, &r.namespace, &r.name);
    cp.revisions
        .templates
        .get(&key as &dyn super::KeyParts)
        .copied()
        .unwrap_or(0)
}

fn template_key_of(b: &ResourceBinding) -> ObjectKey {
    let r = &b.spec.resource;
    ObjectKey::new(&r.api_version, &r.kind, &r.namespace, &r.name)
}

/// One pass of every controller; true if anything changed.
pub(super) fn run_pass(cp: &mut ControlPlane) -> bool {
    let mut changed = false;
    changed |= cluster_status(cp);
    changed |= super::failover::run(cp);
    changed |= detector(cp);
    changed |= super::rollout::run(cp);
    changed |= schedule(cp);
    changed |= distribute_dependencies(cp);
    changed |= sync_works(cp);
    changed |= execute(cp);
    changed |= reconcile_members(cp);
    changed |= collect_work_status(cp);
    changed |= aggregate_binding_status(cp);
    changed |= aggregate_template_status(cp);
    changed
}

/// The cluster status controller: a simulated member reports itself Ready and serves every
/// API of the templates the control plane holds (on top of what its status already lists).
fn cluster_status(cp: &mut ControlPlane) -> bool {
    let mut served: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for key in cp.templates.keys() {
        served
            .entry(key.api_version.clone())
            .or_default()
            .insert(key.kind.clone());
    }
    let now = cp.now().to_string();
    let mut changed = false;
    for cluster in cp.clusters.values_mut() {
        let before = cluster.status.clone();
        let status = cluster.status.get_or_insert_with(ClusterStatus::default);
        if !status.conditions.iter().any(|c| c.type_ == "Ready") {
            status.conditions.push(Condition {
                type_: "Ready".into(),
                status: "True".into(),
                reason: "ClusterReady".into(),
                message: "cluster is healthy and ready to accept workloads".into(),
                last_transition_time: Some(now.clone()),
                observed_generation: None,
            });
        }
        for (gv, kinds) in &served {
            let entry = match status
                .api_enablements
                .iter_mut()
                .position(|e| &e.group_version == gv)
            {
                Some(i) => &mut status.api_enablements[i],
                None => {
                    status.api_enablements.push(ApiEnablement {
                        group_version: gv.clone(),
                        resources: Vec::new(),
                    });
                    let last = status.api_enablements.len() - 1;
                    &mut status.api_enablements[last]
                }
            };
            for kind in kinds {
                if !entry.resources.iter().any(|r| &r.kind == kind) {
                    entry.resources.push(ApiResource {
                        name: format!("{}s", kind.to_lowercase()),
                        kind: kind.clone(),
                    });
                }
            }
        }
        if cluster.status != before {
            changed = true;
        }
    }
    if changed {
        cp.revisions.touch_env();
    }
    changed
}

fn match_options(cp: &ControlPlane) -> MatchOptions {
    let mut options = MatchOptions {
        preemption: cp.config.gate("PropagationPolicyPreemption"),
        ..MatchOptions::default()
    };
    if let Some(patterns) = cp.config.flags.get("skipped-propagating-namespaces") {
        let list: Vec<&str> = patterns.split(',').filter(|p| !p.is_empty()).collect();
        if let Ok(o) = MatchOptions::with_skipped_namespaces(&list) {
            options.skipped_namespaces = o.skipped_namespaces;
        }
    }
    options
}

/// The resource detector: claims templates for policies and keeps their bindings in step.
fn detector(cp: &mut ControlPlane) -> bool {
    let pps: Vec<_> = cp.propagation_policies.values().cloned().collect();
    let cpps: Vec<_> = cp.cluster_propagation_policies.values().cloned().collect();
    let scope = DetectScope {
        pps: &pps,
        cpps: &cpps,
        options: match_options(cp),
        binding_options: BindingOptions {
            priority_based_scheduling: cp.config.gate("PriorityBasedScheduling"),
            ..BindingOptions::default()
        },
    };
    let mut changed = false;
    let mut live_bindings: BTreeSet<(String, String)> = BTreeSet::new();
    // Same template, same policies: the same claim decision, and the binding found up to
    // date last time still is.
    let mut due: Vec<ObjectKey> = Vec::new();
    for key in cp.templates.keys() {
        let template_revision = cp.revisions.templates.get(key).copied().unwrap_or(0);
        match cp.revisions.detected_idle.get(key) {
            Some((t, p, bkey))
                if *t == template_revision
                    && *p == cp.revisions.policies
                    && cp.bindings.contains_key(bkey) =>
            {
                live_bindings.insert(bkey.clone());
            }
            _ => due.push(key.clone()),
        }
    }
    // Templates are claimed and their bindings built side by side, each template by itself;
    // bindings, revisions and events are written afterwards, in template order. Two
    // templates that would build the same binding are handled one after the other instead.
    let mut binding_keys = BTreeSet::new();
    let distinct = due.iter().all(|k| binding_keys.insert(live_key(k)));
    let weight = due.len() * 16;
    if distinct && super::parallel::worth_splitting(cp.threads, weight) {
        let threads = cp.threads;
        let (templates, reads) = detection_parts(cp);
        let mut wanted = due.iter().peekable();
        let jobs: Vec<(&ObjectKey, &mut Value)> = templates
            .iter_mut()
            .filter(|(k, _)| {
                if wanted.peek() == Some(k) {
                    wanted.next();
                    true
                } else {
                    false
                }
            })
            .collect();
        let detected: Vec<Detected> = super::parallel::map_in_order(
            threads,
            jobs,
            |_| 16,
            |(key, template)| scope.detect(key, template, &reads),
        );
        for (key, d) in due.iter().zip(detected) {
            changed |= record_detected(cp, key, d, &mut live_bindings);
        }
    } else {
        for key in &due {
            let (templates, reads) = detection_parts(cp);
            let Some(template) = templates.get_mut(key) else {
                continue;
            };
            let d = scope.detect(key, template, &reads);
            changed |= record_detected(cp, key, d, &mut live_bindings);
        }
    }
    // Bindings whose template is gone are garbage-collected with it (attached bindings of
    // dependencies are owned by the distributor).
    let stale: Vec<(String, String)> = cp
        .bindings
        .iter()
        .filter(|(k, b)| {
            !live_bindings.contains(*k)
                && b.spec.required_by.is_empty()
                && !cp.templates.contains_key(&template_key_of(b))
        })
        .map(|(k, _)| k.clone())
        .collect();
    for k in stale {
        if let Some(b) = cp.bindings.remove(&k) {
            cp.revisions.bindings_removed = true;
            cp.event(
                "detector",
                "Normal",
                binding_id(&b),
                "BindingDeleted",
                "its template was deleted".into(),
            );
            changed = true;
        }
    }
    changed
}

/// What the detector reads besides the template it handles.
struct DetectScope<'a> {
    pps: &'a [crate::api::PropagationPolicy],
    cpps: &'a [crate::api::ClusterPropagationPolicy],
    options: MatchOptions,
    binding_options: BindingOptions,
}

/// The control plane's state the detector reads while it handles templates.
struct DetectReads<'a> {
    bindings: &'a BTreeMap<(String, String), ResourceBinding>,
    revisions: &'a super::Revisions,
    interpreter: &'a dyn crate::interpreter::ResourceInterpreter,
    propagation_policies: &'a BTreeMap<(String, String), crate::api::PropagationPolicy>,
    cluster_propagation_policies: &'a BTreeMap<String, crate::api::ClusterPropagationPolicy>,
}

/// The templates, which the detector claims where they stand, and what it reads besides.
fn detection_parts(cp: &mut ControlPlane) -> (&mut BTreeMap<ObjectKey, Value>, DetectReads<'_>) {
    let ControlPlane {
        templates,
        bindings,
        revisions,
        interpreter,
        propagation_policies,
        cluster_propagation_policies,
        ..
    } = cp;
    let reads = DetectReads {
        bindings,
        revisions,
        interpreter: &**interpreter,
        propagation_policies,
        cluster_propagation_policies,
    };
    (templates, reads)
}

/// What the detector found for one template.
enum Detected {
    /// No policy claims it (its claim was removed when `released`).
    Unclaimed { released: bool },
    /// Its binding was built from this template revision and policy version already.
    UpToDate,
    /// Writing the claim failed.
    ClaimFailed(String),
    /// The binding built from the claimed template (`claimed`: the claim was written now),
    /// or why it could not be built.
    Built {
        claimed: bool,
        claimed_by: String,
        version: String,
        binding: Result<Box<ResourceBinding>, String>,
    },
}

impl DetectScope<'_> {
    /// Claims `template` for the policy that selects it and builds its binding.
    fn detect(&self, key: &ObjectKey, template: &mut Value, reads: &DetectReads<'_>) -> Detected {
        let decision = policy::claim(template, self.pps, self.cpps, &self.options);
        let chosen = match decision {
            ClaimDecision::Claim { policy: p, .. } | ClaimDecision::Keep(p) => Some(p),
            ClaimDecision::Release { .. } => {
                let mut t = template.clone();
                let released = policy::remove_claim(&mut t).is_ok() && &t != template;
                if released {
                    *template = t;
                }
                return Detected::Unclaimed { released };
            }
            _ => None,
        };
        let Some(p) = chosen else {
            return Detected::Unclaimed { released: false };
        };
        let version = format!(
            "{}/{}/{}/{}",
            p.kind(),
            p.namespace(),
            p.name(),
            policy_version(
                reads.propagation_policies,
                reads.cluster_propagation_policies,
                p
            )
        );
        let template_revision = reads.revisions.templates.get(key).copied().unwrap_or(0);
        let bkey = live_key(key);
        if reads
            .revisions
            .detected
            .get(key)
            .map(|(r, v)| (*r, v.as_str()))
            == Some((template_revision, version.as_str()))
            && reads.bindings.contains_key(&bkey)
        {
            return Detected::UpToDate;
        }
        // The claim lives in the metadata only: the template is claimed where it stands and
        // its metadata put back when that fails or changes nothing (so that not even the key
        // order moves).
        let metadata = template.get("metadata").cloned();
        let claim = policy::write_claim(template, p);
        let claimed = claim.is_ok() && template.get("metadata") != metadata.as_ref();
        if !claimed {
            if let Some(object) = template.as_object_mut() {
                super::put_or_remove(object, "metadata", metadata);
            }
        }
        if let Err(e) = claim {
            return Detected::ClaimFailed(e.to_string());
        }
        let binding = policy::build_binding(
            template,
            p,
            reads.interpreter,
            reads.bindings.get(&bkey),
            &self.binding_options,
        )
        .map(Box::new)
        .map_err(|e| e.to_string());
        Detected::Built {
            claimed,
            claimed_by: format!("claimed by {} {}", p.kind(), p.name()),
            version,
            binding,
        }
    }
}

/// Writes what the detector found for one template: its revision, events, and binding.
/// True if anything changed.
fn record_detected(
    cp: &mut ControlPlane,
    key: &ObjectKey,
    detected: Detected,
    live_bindings: &mut BTreeSet<(String, String)>,
) -> bool {
    let bkey = live_key(key);
    let (claimed, claimed_by, version, built) = match detected {
        Detected::Unclaimed { released } => {
            if released {
                cp.revisions.touch_template(key);
                cp.event(
                    "detector",
                    "Normal",
                    key.to_string(),
                    "ClaimRemoved",
                    "the claiming policy no longer selects this template".into(),
                );
            }
            if cp.bindings.contains_key(&bkey) {
                live_bindings.insert(bkey);
            }
            return released;
        }
        Detected::UpToDate => {
            let revision = cp.revisions.templates.get(key).copied().unwrap_or(0);
            cp.revisions
                .detected_idle
                .insert(key.clone(), (revision, cp.revisions.policies, bkey.clone()));
            live_bindings.insert(bkey);
            return false;
        }
        Detected::ClaimFailed(message) => {
            cp.event(
                "detector",
                "Warning",
                key.to_string(),
                "ClaimFailed",
                message,
            );
            return false;
        }
        Detected::Built {
            claimed,
            claimed_by,
            version,
            binding,
        } => (claimed, claimed_by, version, binding),
    };
    let mut changed = false;
    if claimed {
        cp.revisions.touch_template(key);
        cp.event(
            "detector",
            "Normal",
            key.to_string(),
            "ApplyPolicySucceed",
            claimed_by,
        );
        changed = true;
    }
    let fp = (
        cp.revisions.templates.get(key).copied().unwrap_or(0),
        version,
    );
    match built {
        Ok(mut b) => {
            cp.revisions.detected.insert(key.clone(), fp);
            live_bindings.insert(bkey.clone());
            let old = cp.bindings.get(&bkey);
            b.metadata.generation = match old {
                Some(o) if o.spec == b.spec => o.metadata.generation,
                Some(o) => Some(o.metadata.generation.unwrap_or(1) + 1),
                None => Some(1),
            };
            if old.map(|o| &o.metadata) != Some(&b.metadata)
                || old.map(|o| &o.spec) != Some(&b.spec)
            {
                let created = old.is_none();
                cp.revisions.touch_binding(&bkey);
                let id = binding_id(&b);
                match cp.bindings.get_mut(&bkey) {
                    Some(o) => {
                        // The status stays with the binding.
                        b.status = o.status.take();
                        *o = *b;
                    }
                    None => {
                        cp.bindings.insert(bkey, *b);
                    }
                }
                if created {
                    cp.event(
                        "detector",
                        "Normal",
                        id,
                        "CreateBindingSucceed",
                        format!("binding created for {key}"),
                    );
                }
                changed = true;
            }
        }
        Err(message) => {
            cp.event(
                "detector",
                "Warning",
                key.to_string(),
                "ApplyPolicyFailed",
                message,
            );
            if cp.bindings.contains_key(&bkey) {
                live_bindings.insert(bkey);
            }
        }
    }
    changed
}

/// The stored version of a claiming policy (its resourceVersion), so that a policy change
/// refreshes the bindings it claims.
fn policy_version(
    propagation_policies: &BTreeMap<(String, String), crate::api::PropagationPolicy>,
    cluster_propagation_policies: &BTreeMap<String, crate::api::ClusterPropagationPolicy>,
    p: policy::ClaimedBy<'_>,
) -> String {
    match p {
        policy::ClaimedBy::PropagationPolicy(pp) => propagation_policies
            .get(&(pp.metadata.namespace.clone(), pp.metadata.name.clone()))
            .map(|x| x.metadata.resource_version.clone()),
        policy::ClaimedBy::ClusterPropagationPolicy(cpp) => cluster_propagation_policies
            .get(&cpp.metadata.name)
            .map(|x| x.metadata.resource_version.clone()),
    }
    .unwrap_or_default()
}

fn live_key(key: &ObjectKey) -> (String, String) {
    (
        key.namespace.clone(),
        policy::binding_name(&key.kind, &key.name),
    )
}

fn scheduler_options(cp: &ControlPlane) -> SchedulerOptions {
    SchedulerOptions {
        enable_empty_workload_propagation: cp
            .config
            .flag_bool("enable-empty-workload-propagation", false),
        ..SchedulerOptions::default()
    }
}

/// The scheduler: bindings in queue order (priority, then key).
fn schedule(cp: &mut ControlPlane) -> bool {
    let options = scheduler_options(cp);
    let now = cp.now().to_string();
    let now_seconds = cp.now().0;
    let mut order: Vec<(i32, (String, String))> = cp
        .bindings
        .iter()
        .filter(|(_, b)| b.spec.placement.is_some())
        .map(|(k, b)| {
            let prio = b.spec.schedule_priority.as_ref().map_or(0, |p| p.priority);
            (-prio, k.clone())
        })
        .collect();
    order.sort();
    // The scheduler is a function of the binding, the clusters and the options; a binding it
    // left alone is left alone again until one of them (or the clock) moves.
    let due: Vec<((String, String), &ResourceBinding)> = order
        .into_iter()
        .filter_map(|(_, key)| {
            let binding = cp.bindings.get(&key)?;
            let binding_revision = cp.revisions.bindings.get(&key).copied().unwrap_or(0);
            let seen = cp.revisions.scheduled.get(&key).is_some_and(|seen| {
                seen.binding == binding_revision
                    && seen.env == cp.revisions.env
                    && seen.now == now_seconds
                    && seen.same_status(binding.status.as_ref())
            });
            (!seen).then_some((key, binding))
        })
        .collect();
    if due.is_empty() {
        return false;
    }
    // Bindings are scheduled independently of one another over the same clusters, so they
    // are scheduled side by side; results are written back in priority order.
    let clusters: Vec<Cluster> = cp.clusters.values().cloned().collect();
    let snapshot = scheduler::ClusterSnapshot::new(&clusters);
    let decided: Vec<(
        (String, String),
        super::SchedulerInputs,
        Option<ResourceBinding>,
    )> = super::parallel::map_in_order(
        cp.threads,
        due,
        |_| clusters.len().max(1),
        |(key, binding)| {
            let inputs = super::SchedulerInputs {
                binding: cp.revisions.bindings.get(&key).copied().unwrap_or(0),
                env: cp.revisions.env,
                now: now_seconds,
                status: super::SchedulerInputs::status_of(binding.status.as_ref()),
            };
            let outcome = scheduler::schedule_prepared(binding, &snapshot, &options);
            if matches!(
                outcome.action,
                ScheduleAction::Kept | ScheduleAction::Suspended
            ) {
                return (key, inputs, None);
            }
            let mut updated = binding.clone();
            outcome.apply_to(&mut updated, &now);
            let moved = (&updated != binding).then_some(updated);
            (key, inputs, moved)
        },
    );
    let mut changed = false;
    for (key, inputs, updated) in decided {
        let (Some(updated), Some(binding)) = (updated, cp.bindings.get(&key)) else {
            cp.revisions.scheduled.insert(key, inputs);
            continue;
        };
        cp.revisions.scheduled.remove(&key);
        let previous = binding.spec.clusters.clone();
        let spec_moved = updated.spec != binding.spec || updated.metadata != binding.metadata;
        let id = binding_id(&updated);
        if let Some(cond) = updated
            .status
            .as_ref()
            .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Scheduled"))
        {
            let (type_, reason) = if cond.status == "True" {
                ("Normal", "ScheduleBindingSucceed")
            } else {
                ("Warning", "ScheduleBindingFailed")
            };
            if previous != updated.spec.clusters || cond.status != "True" {
                let placed: Vec<String> = updated
                    .spec
                    .clusters
                    .iter()
                    .map(|c| format!("{}:{}", c.name, c.replicas))
                    .collect();
                let message = format!("{} [{}]", cond.message, placed.join(", "));
                cp.event("scheduler", type_, id, reason, message);
            }
        }
        if spec_moved {
            cp.revisions.touch_binding(&key);
        }
        cp.bindings.insert(key, updated);
        changed = true;
    }
    changed
}

/// The dependencies distributor: attached bindings carry a workload's dependencies to the
/// workload's clusters.
fn distribute_dependencies(cp: &mut ControlPlane) -> bool {
    if !cp.config.gate("PropagateDeps") {
        return false;
    }
    let any_required = cp.bindings.values().any(|b| !b.spec.required_by.is_empty());
    let any_parent = cp
        .bindings
        .values()
        .any(|b| b.spec.propagate_deps && !b.spec.clusters.is_empty());
    if !any_required && !any_parent {
        return false;
    }
    let templates: Vec<Value> = cp.templates.values().cloned().collect();
    let mut wanted: BTreeMap<(String, String), (ResourceBinding, Value)> = BTreeMap::new();
    // (parent namespace, parent name, dependency) pairs found this pass, resolved once.
    let mut required: BTreeSet<(String, String, ObjectKey)> = BTreeSet::new();
    let mut snapshots: BTreeMap<(String, String), Vec<crate::api::BindingSnapshot>> =
        BTreeMap::new();
    let parents: Vec<ResourceBinding> = cp
        .bindings
        .values()
        .filter(|b| b.spec.propagate_deps && !b.spec.clusters.is_empty())
        .cloned()
        .collect();
    for parent in &parents {
        let Some(template) = cp.templates.get(&template_key_of(parent)).cloned() else {
            continue;
        };
        match deps::resolve_dependencies(parent, &template, &templates, cp.interpreter.as_ref()) {
            Ok(found) => {
                for obj in found {
                    required.insert((
                        parent.metadata.namespace.clone(),
                        parent.metadata.name.clone(),
                        ObjectKey::of(obj),
                    ));
                    let attached = deps::attached_binding(parent, obj);
                    let key = (
                        attached.metadata.namespace.clone(),
                        attached.metadata.name.clone(),
                    );
                    snapshots
                        .entry(key.clone())
                        .or_default()
                        .push(deps::snapshot_of(parent));
                    wanted.entry(key).or_insert((attached, obj.clone()));
                }
            }
            Err(e) => cp.event(
                "dependencies-distributor",
                "Warning",
                binding_id(parent),
                "GetDependenciesFailed",
                e.to_string(),
            ),
        }
    }
    let mut changed = false;
    // Refresh or create attached bindings.
    for (key, (attached, _)) in wanted {
        let snaps = snapshots.remove(&key).unwrap_or_default();
        let updated = match cp.bindings.get(&key) {
            Some(existing) => {
                let mut b = existing.clone();
                b.spec.required_by.retain(|s| {
                    parents
                        .iter()
                        .any(|p| p.metadata.namespace == s.namespace && p.metadata.name == s.name)
                });
                for s in snaps {
                    deps::merge_required_by(&mut b, s);
                }
                for (k, v) in &attached.metadata.labels {
                    b.metadata.labels.insert(k.clone(), v.clone());
                }
                b
            }
            None => {
                let mut b = attached;
                b.spec.required_by.clear();
                for s in snaps {
                    deps::merge_required_by(&mut b, s);
                }
                b.metadata.generation = Some(1);
                cp.event(
                    "dependencies-distributor",
                    "Normal",
                    binding_id(&b),
                    "CreateAttachedBinding",
                    format!(
                        "required by {}",
                        b.spec
                            .required_by
                            .iter()
                            .map(|s| format!("{}/{}", s.namespace, s.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                b
            }
        };
        if cp.bindings.get(&key) != Some(&updated) {
            cp.revisions.touch_binding(&key);
            cp.bindings.insert(key, updated);
            changed = true;
        }
    }
    // Drop requiredBy snapshots of parents that no longer require the object.
    let keys: Vec<(String, String)> = cp.bindings.keys().cloned().collect();
    for key in keys {
        let Some(b) = cp.bindings.get(&key) else {
            continue;
        };
        if b.spec.required_by.is_empty() {
            continue;
        }
        let still: Vec<_> = b
            .spec
            .required_by
            .iter()
            .filter(|s| {
                required.contains(&(s.namespace.clone(), s.name.clone(), template_key_of(b)))
            })
            .cloned()
            .collect();
        if still.len() != b.spec.required_by.len() {
            let mut nb = b.clone();
            nb.spec.required_by = still;
            cp.revisions.touch_binding(&key);
            if nb.spec.required_by.is_empty() && nb.spec.placement.is_none() {
                cp.bindings.remove(&key);
                cp.revisions.bindings_removed = true;
            } else {
                cp.bindings.insert(key, nb);
            }
            changed = true;
        }
    }
    changed
}

/// Renders the Works of the bindings in `stale` (in key order) and stores them: a changed
/// Work is updated where it stands, new Works are created (and logged) in key order once
/// every binding is rendered. When two bindings render the same Work, the later one wins.
fn render_stale_bindings(
    cp: &mut ControlPlane,
    stale: &BTreeSet<(String, String)>,
    kept_owners: &mut BTreeSet<String>,
) -> bool {
    let clusters: Vec<Cluster> = cp.clusters.values().cloned().collect();
    let ops: Vec<_> = cp.override_policies.values().cloned().collect();
    let cops: Vec<_> = cp.cluster_override_policies.values().cloned().collect();
    // Work keys more than one stale binding renders: held back until every binding is
    // rendered, so that the last one wins.
    let shared_keys: BTreeSet<(String, String)> = {
        let mut seen = BTreeSet::new();
        let mut shared = BTreeSet::new();
        for (_, keys) in stale.iter().filter_map(|k| cp.revisions.work_keys.get(k)) {
            for wkey in keys {
                if !seen.insert(wkey) {
                    shared.insert(wkey.clone());
                }
            }
        }
        shared
    };
    let now = cp.now().to_string();
    let ControlPlane {
        config,
        interpreter,
        bindings,
        templates,
        works,
        revisions,
        events,
        threads,
        ..
    } = cp;
    let stale_bindings: Vec<(&(String, String), &ResourceBinding)> = stale
        .iter()
        .filter_map(|k| Some((k, bindings.get(k)?)))
        .collect();
    let scope = RenderScope {
        config,
        interpreter: interpreter.as_ref(),
        templates,
        clusters: &clusters,
        overrides: OverrideSet {
            override_policies: &ops,
            cluster_override_policies: &cops,
        },
        shared_keys: &shared_keys,
    };
    // Each binding owns its Works (shared keys aside), so bindings render side by side, each
    // updating its own stored Works where they stand; everything else is written afterwards,
    // in binding order.
    let total_targets: usize = stale_bindings
        .iter()
        .map(|(_, b)| b.spec.clusters.len().max(1))
        .sum();
    let renders: Vec<BindingRender> = if super::parallel::worth_splitting(*threads, total_targets) {
        let mut jobs: Vec<(&ResourceBinding, OwnWorks<'_>)> = stale_bindings
            .iter()
            .map(|(_, b)| (*b, Vec::new()))
            .collect();
        let owner_of: HashMap<&(String, String), usize> = stale_bindings
            .iter()
            .enumerate()
            .filter_map(|(i, (k, _))| Some((i, &revisions.work_keys.get(*k)?.1)))
            .flat_map(|(i, keys)| keys.iter().map(move |k| (k, i)))
            .filter(|(k, _)| !shared_keys.contains(*k))
            .collect();
        for (key, work) in works.iter_mut() {
            if let Some(&i) = owner_of.get(key) {
                jobs[i].1.push((key, work));
            }
        }
        super::parallel::map_in_order(
            *threads,
            jobs,
            |(b, _)| b.spec.clusters.len().max(1),
            |(b, mut slots)| scope.render(b, &mut slots),
        )
    } else {
        stale_bindings
            .iter()
            .map(|(_, b)| scope.render(b, works))
            .collect()
    };

    let mut held: BTreeMap<(String, String), Work> = BTreeMap::new();
    let mut created: BTreeMap<(String, String), Work> = BTreeMap::new();
    let mut changed = false;
    for ((_, b), render) in stale_bindings.iter().zip(renders) {
        let owner = binding_id(b);
        let bkey = (b.metadata.namespace.clone(), b.metadata.name.clone());
        let tkey = template_key_of(b);
        if !templates.contains_key(&tkey) {
            continue;
        }
        match render {
            Ok(stored) => {
                for (key, outcome) in stored {
                    let mut pending = Pending {
                        works,
                        revisions,
                        created: &mut created,
                        held: &mut held,
                    };
                    changed |= pending.settle(key, outcome);
                }
                let fp = (
                    revisions.bindings.get(&bkey).copied().unwrap_or(0),
                    revisions.templates.get(&tkey).copied().unwrap_or(0),
                    revisions.env,
                );
                revisions.rendered.insert(bkey, fp);
                // Clusters being evicted gracefully keep their Work until the task ends.
                for task in &b.spec.graceful_eviction_tasks {
                    if task.purge_mode != Some(crate::api::PurgeMode::Directly) {
                        kept_owners.insert(format!("{owner}@{}", task.from_cluster));
                    }
                }
            }
            Err(e) => {
                // Keep the binding's existing Works; report why they were not refreshed.
                kept_owners.insert(owner.clone());
                events.push(super::Event {
                    time: now.clone(),
                    type_: "Warning".into(),
                    source: "binding-controller".into(),
                    object: owner,
                    reason: "SyncWorkFailed".into(),
                    message: e.to_string(),
                });
            }
        }
    }
    for (key, w) in std::mem::take(&mut held) {
        let mut pending = Pending {
            works,
            revisions,
            created: &mut created,
            held: &mut held,
        };
        changed |= pending.settle(key, Stored::New(w));
    }
    for (key, work) in created.iter_mut() {
        work.metadata.generation = Some(1);
        work.metadata.creation_timestamp = Some(now.clone());
        events.push(super::Event {
            time: now.clone(),
            type_: "Normal".into(),
            source: "binding-controller".into(),
            object: format!("Work {}/{}", key.0, key.1),
            reason: "WorkCreated".into(),
            message: format!(
                "dispatching {} to {}",
                describe_manifest(work),
                names::cluster_of_execution_space(&key.0).unwrap_or(&key.0)
            ),
        });
        revisions.touch_work(key);
        changed = true;
    }
    // Many new Works (a fleet being populated) are merged in one ordered walk; a few are
    // inserted one by one.
    if created.len() * 8 >= works.len() {
        works.append(&mut created);
    } else {
        works.extend(created);
    }
    changed
}

/// What storing one rendered Work did.
enum Stored {
    /// The stored Work already matched.
    Unchanged,
    /// The stored Work took the new spec, labels and annotations where it stands.
    Updated,
    /// There was no stored Work: the new one waits to be stored.
    New(Work),
    /// Several stale bindings render this key: it is stored after all of them.
    Held(Work),
}

/// The stored Works one binding's render may update, by key.
type OwnWorks<'a> = Vec<(&'a (String, String), &'a mut Work)>;

/// Where rendered Works go once their bindings are rendered.
struct Pending<'a> {
    works: &'a mut BTreeMap<(String, String), Work>,
    revisions: &'a mut super::Revisions,
    created: &'a mut BTreeMap<(String, String), Work>,
    held: &'a mut BTreeMap<(String, String), Work>,
}

impl Pending<'_> {
    /// Records what storing one rendered Work found: an updated Work's revision moves, a
    /// new one waits to be created, a shared one is held until every binding is rendered. A
    /// new Work whose key was not handed to its render may still meet a stored Work. True
    /// if a stored Work changed.
    fn settle(&mut self, key: (String, String), outcome: Stored) -> bool {
        match outcome {
            Stored::Unchanged => false,
            Stored::Updated => {
                self.revisions.touch_work(&key);
                true
            }
            Stored::New(w) => match self.works.get_mut(&key) {
                Some(existing) => {
                    let outcome = store_work(Some(existing), w);
                    self.settle(key, outcome)
                }
                None => {
                    self.created.insert(key, w);
                    false
                }
            },
            Stored::Held(w) => {
                self.held.insert(key, w);
                false
            }
        }
    }
}

/// A binding's rendered Works by key, or why it could not be rendered.
type BindingRender = Result<Vec<((String, String), Stored)>, render::RenderError>;

/// The stored Works a binding's render may update.
trait WorkSlots {
    /// The stored Work under `key`, if this render may update it.
    fn slot(&mut self, key: &(String, String)) -> Option<&mut Work>;
}

impl WorkSlots for BTreeMap<(String, String), Work> {
    fn slot(&mut self, key: &(String, String)) -> Option<&mut Work> {
        self.get_mut(key)
    }
}

impl WorkSlots for OwnWorks<'_> {
    fn slot(&mut self, key: &(String, String)) -> Option<&mut Work> {
        self.iter_mut()
            .find(|(k, _)| *k == key)
            .map(|(_, work)| &mut **work)
    }
}

/// What every binding's render reads.
struct RenderScope<'a> {
    config: &'a super::Config,
    interpreter: &'a dyn crate::interpreter::ResourceInterpreter,
    templates: &'a BTreeMap<ObjectKey, Value>,
    clusters: &'a [Cluster],
    overrides: OverrideSet<'a>,
    shared_keys: &'a BTreeSet<(String, String)>,
}

impl RenderScope<'_> {
    /// Renders one binding's Works, updating the stored ones `slots` holds where they stand.
    fn render(&self, b: &ResourceBinding, slots: &mut impl WorkSlots) -> BindingRender {
        let mut stored = Vec::new();
        let Some(template) = self.templates.get(&template_key_of(b)) else {
            return Ok(stored);
        };
        if super::failover::injects_preserved_state(self.config, b) {
            // Stateful failover rewrites the rendered manifests: render them whole.
            let mut rendered =
                render::render_works(b, template, self.clusters, self.overrides, self.interpreter)?;
            super::failover::inject_preserved_state(self.config, b, &mut rendered);
            for w in rendered {
                let key = (w.metadata.namespace.clone(), w.metadata.name.clone());
                let outcome = if self.shared_keys.contains(&key) {
                    Stored::Held(w)
                } else {
                    store_work(slots.slot(&key), w)
                };
                stored.push((key, outcome));
            }
        } else {
            render::render_works_each(
                b,
                template,
                self.clusters,
                self.overrides,
                self.interpreter,
                |mut w, manifest| {
                    let key = (w.metadata.namespace.clone(), w.metadata.name.clone());
                    let outcome = if self.shared_keys.contains(&key) {
                        w.spec.workload.manifests = vec![manifest.into_owned()];
                        Stored::Held(w)
                    } else {
                        store_rendered(slots.slot(&key), w, manifest)
                    };
                    stored.push((key, outcome));
                },
            )?;
        }
        Ok(stored)
    }
}

/// Stores a rendered Work: an existing Work that differs takes the new spec and the new
/// labels and annotations (its others stay); without one, the Work is new.
fn store_work(existing: Option<&mut Work>, mut work: Work) -> Stored {
    let Some(old) = existing else {
        return Stored::New(work);
    };
    if same_work_spec(&old.spec, &work.spec) && same_work_metadata(old, &work) {
        return Stored::Unchanged;
    }
    old.metadata.labels.append(&mut work.metadata.labels);
    old.metadata
        .annotations
        .append(&mut work.metadata.annotations);
    old.spec = work.spec;
    Stored::Updated
}

/// [`store_work`] for a Work handed over without its manifest: an existing Work's manifest
/// is overwritten where it stands rather than replaced.
fn store_rendered(
    existing: Option<&mut Work>,
    mut work: Work,
    manifest: render::Manifest<'_>,
) -> Stored {
    let old = match existing {
        Some(old) if old.spec.workload.manifests.len() == 1 => old,
        other => {
            work.spec.workload.manifests = vec![manifest.into_owned()];
            return store_work(other, work);
        }
    };
    let same = old.spec.suspend_dispatching == work.spec.suspend_dispatching
        && old.spec.preserve_resources_on_deletion == work.spec.preserve_resources_on_deletion
        && old
            .spec
            .workload
            .manifests
            .first()
            .is_some_and(|m| super::json_eq(m, manifest.get()))
        && same_work_metadata(old, &work);
    if same {
        return Stored::Unchanged;
    }
    old.metadata.labels.append(&mut work.metadata.labels);
    old.metadata
        .annotations
        .append(&mut work.metadata.annotations);
    old.spec.suspend_dispatching = work.spec.suspend_dispatching;
    old.spec.preserve_resources_on_deletion = work.spec.preserve_resources_on_deletion;
    if let Some(slot) = old.spec.workload.manifests.first_mut() {
        match manifest {
            render::Manifest::Owned(v) => *slot = v,
            render::Manifest::Shared(v) => super::overwrite_json(slot, v),
        }
    }
    Stored::Updated
}

/// Whether the rendered Work's labels and annotations are all on the stored one already.
fn same_work_metadata(old: &Work, work: &Work) -> bool {
    work.metadata
        .labels
        .iter()
        .all(|(k, v)| old.metadata.labels.get(k) == Some(v))
        && work
            .metadata
            .annotations
            .iter()
            .all(|(k, v)| old.metadata.annotations.get(k) == Some(v))
}

/// `a == b` for Work specs, comparing manifests with [`super::json_eq`].
fn same_work_spec(a: &crate::api::WorkSpec, b: &crate::api::WorkSpec) -> bool {
    a.suspend_dispatching == b.suspend_dispatching
        && a.preserve_resources_on_deletion == b.preserve_resources_on_deletion
        && a.workload.manifests.len() == b.workload.manifests.len()
        && a.workload
            .manifests
            .iter()
            .zip(&b.workload.manifests)
            .all(|(x, y)| super::json_eq(x, y))
}

/// The keys of the Works a binding's targets receive (execution space, Work name).
fn work_keys_of(b: &ResourceBinding) -> Vec<(String, String)> {
    let name = names::work_name(
        &b.spec.resource.kind,
        &b.spec.resource.name,
        &b.spec.resource.namespace,
    );
    render::target_clusters(b)
        .into_iter()
        .map(|t| (names::execution_space(&t.name), name.clone()))
        .collect()
}

/// Brings every binding's cached Work keys up to its current revision.
fn refresh_work_keys(cp: &mut ControlPlane) {
    let super::Revisions {
        bindings: binding_revisions,
        work_keys,
        ..
    } = &mut cp.revisions;
    for (key, b) in &cp.bindings {
        let rev = binding_revisions.get(key).copied().unwrap_or(0);
        match work_keys.get_mut(key) {
            Some((r, _)) if *r == rev => {}
            Some(slot) => *slot = (rev, work_keys_of(b)),
            None => {
                work_keys.insert(key.clone(), (rev, work_keys_of(b)));
            }
        }
    }
}

/// The binding controller: renders each binding's Works and removes orphans.
fn sync_works(cp: &mut ControlPlane) -> bool {
    let mut stale: BTreeSet<(String, String)> = BTreeSet::new();
    for (key, b) in &cp.bindings {
        let fp = (
            cp.revisions.bindings.get(key).copied().unwrap_or(0),
            template_revision(cp, b),
            cp.revisions.env,
        );
        if cp.revisions.rendered.get(key) != Some(&fp) {
            stale.insert(key.clone());
        }
    }
    // With nothing re-rendered and no binding gone, every Work still belongs to a binding
    // whose owner is kept below: there is nothing to render and no orphan to look for.
    if stale.is_empty() && !cp.revisions.bindings_removed {
        return false;
    }
    cp.revisions.bindings_removed = false;
    // Failed renders of bindings rendered earlier keep their Works (see below).
    let mut kept_owners: BTreeSet<String> = cp
        .bindings
        .iter()
        .filter(|(key, _)| !stale.contains(*key))
        .map(|(_, b)| binding_id(b))
        .collect();
    let mut changed = false;
    if !stale.is_empty() {
        refresh_work_keys(cp);
        changed |= render_stale_bindings(cp, &stale, &mut kept_owners);
    }
    // Orphans: Works of a binding (by its annotations) no longer rendered for that cluster.
    refresh_work_keys(cp);
    let mut desired_keys: Vec<&(String, String)> = cp
        .bindings
        .keys()
        .filter_map(|k| cp.revisions.work_keys.get(k))
        .flat_map(|(_, keys)| keys)
        .collect();
    desired_keys.sort_unstable();
    let mut desired = desired_keys.into_iter().peekable();
    let orphans: Vec<(String, String)> = cp
        .works
        .iter()
        .filter(|(k, w)| {
            // Both are in key order: one walk finds every Work no binding wants.
            while desired.next_if(|d| *d < *k).is_some() {}
            if desired.peek() == Some(k) {
                return false;
            }
            let owner = work_owner(w);
            let cluster = names::cluster_of_execution_space(&k.0).unwrap_or("");
            !kept_owners.contains(&owner) && !kept_owners.contains(&format!("{owner}@{cluster}"))
        })
        .map(|(k, _)| k.clone())
        .collect();
    for key in orphans {
        if let Some(work) = cp.works.remove(&key) {
            cp.revisions.forget_work(&key);
            delete_work_objects(cp, &work);
            changed = true;
        }
    }
    changed
}

fn work_owner(w: &Work) -> String {
    let a = &w.metadata.annotations;
    match (
        a.get(render::RESOURCE_BINDING_NAMESPACE_ANNOTATION),
        a.get(render::RESOURCE_BINDING_NAME_ANNOTATION),
        a.get(render::CLUSTER_RESOURCE_BINDING_ANNOTATION),
    ) {
        (Some(ns), Some(n), _) => format!("ResourceBinding {ns}/{n}"),
        (_, _, Some(n)) => format!("ClusterResourceBinding {n}"),
        _ => String::new(),
    }
}

fn describe_manifest(w: &Work) -> String {
    w.spec
        .workload
        .manifests
        .first()
        .map(|m| super::KeyRef::of(m).to_string())
        .unwrap_or_default()
}

fn delete_work_objects(cp: &mut ControlPlane, work: &Work) {
    let cluster = names::cluster_of_execution_space(&work.metadata.namespace)
        .unwrap_or("")
        .to_string();
    let preserve = work.spec.preserve_resources_on_deletion.unwrap_or(false);
    let mut removed = Vec::new();
    if !preserve {
        if let Some(member) = cp.members.get_mut(&cluster) {
            for m in &work.spec.workload.manifests {
                let key = ObjectKey::of(m);
                if member.delete(&key) {
                    removed.push(key.to_string());
                }
            }
        }
    }
    cp.event(
        "execution-controller",
        "Normal",
        format!("Work {}/{}", work.metadata.namespace, work.metadata.name),
        "WorkDeleted",
        if preserve {
            format!(
                "kept {} in {cluster} (preserveResourcesOnDeletion)",
                describe_manifest(work)
            )
        } else {
            format!("removed {} from {cluster}", removed.join(", "))
        },
    );
}

fn set_condition(conditions: &mut Vec<Condition>, cond: Condition) -> bool {
    match conditions.iter_mut().find(|c| c.type_ == cond.type_) {
        Some(old)
            if old.status == cond.status
                && old.reason == cond.reason
                && old.message == cond.message =>
        {
            false
        }
        Some(old) => {
            *old = cond;
            true
        }
        None => {
            conditions.push(cond);
            true
        }
    }
}

/// What the execution controller did with one Work in its member cluster, before the
/// Work's status and the shared bookkeeping are written.
enum Dispatch {
    /// Dispatching is suspended: nothing was applied.
    Suspended,
    /// The manifests were applied (or failed to be).
    Applied {
        ok: bool,
        message: String,
        any_change: bool,
        /// `SyncSucceed` messages, one per manifest created or updated.
        synced: Vec<String>,
    },
}

/// Applies one Work's manifests to its member cluster (`None` when the cluster is not a
/// member).
fn dispatch(
    work: &Work,
    cluster: &str,
    mut member: Option<&mut super::MemberCluster>,
    interpreter: &dyn crate::interpreter::ResourceInterpreter,
    now: super::Timestamp,
) -> Dispatch {
    if work.spec.suspend_dispatching.unwrap_or(false) {
        return Dispatch::Suspended;
    }
    let mut ok = true;
    let mut message = String::from("Manifest has been successfully applied");
    let mut any_change = false;
    let mut synced = Vec::new();
    for manifest in &work.spec.workload.manifests {
        let Some(member) = member.as_deref_mut() else {
            ok = false;
            message = format!("cluster {cluster} is not a member");
            break;
        };
        let okey = super::KeyRef::of(manifest);
        let spare = member.take_spare();
        let desired = match member.get_with_version(okey) {
            Some((live, _)) => {
                let managed = at(live, &["metadata", "labels"])
                    .and_then(|l| l.get(render::MANAGED_BY_KARMADA_LABEL))
                    .is_some();
                let conflict = at(manifest, &["metadata", "annotations"])
                    .and_then(|a| a.get(render::CONFLICT_RESOLUTION_ANNOTATION))
                    .and_then(Value::as_str)
                    .unwrap_or("abort");
                if !managed && conflict != "overwrite" {
                    ok = false;
                    message = format!(
                        "{okey} already exists in {cluster} and is not managed by Karmada (conflictResolution: Abort)"
                    );
                    continue;
                }
                let gvk = Gvk::of(manifest);
                let copy = super::member::copy_into(spare, manifest);
                let retained = crate::interpreter::retention::retain_generic_owned(copy, live);
                if interpreter.handles(&gvk, Operation::Retain) {
                    match interpreter.retain_owned(retained, live) {
                        Ok(v) => v,
                        Err(e) => {
                            ok = false;
                            message = e.to_string();
                            continue;
                        }
                    }
                } else {
                    retained
                }
            }
            None => super::member::copy_into(spare, manifest),
        };
        let outcome = member.apply_owned(okey, desired, now);
        if outcome != ApplyOutcome::Unchanged {
            any_change = true;
            let verb = if outcome == ApplyOutcome::Created {
                "created"
            } else {
                "updated"
            };
            synced.push(format!("{verb} {okey} in {cluster}"));
        }
    }
    Dispatch::Applied {
        ok,
        message,
        any_change,
        synced,
    }
}

/// The execution controller: applies each Work's manifests to its member cluster, unless
/// dispatching is suspended. Member clusters are independent, so they are handled side by
/// side, each Work's status with them; events and bookkeeping are then written in Work order.
fn execute(cp: &mut ControlPlane) -> bool {
    let now = cp.now();
    let now_text = now.to_string();
    let ControlPlane {
        works,
        members,
        revisions,
        interpreter,
        events,
        threads,
        ..
    } = cp;
    // One job per execution space, in key order; each job applies its Works and settles
    // their statuses, since a Work belongs to exactly one execution space.
    let mut by_cluster: BTreeMap<&str, &mut super::MemberCluster> = members
        .iter_mut()
        .map(|(name, member)| (name.as_str(), member))
        .collect();
    type ExecuteJob<'a> = (
        &'a str,
        Option<&'a mut super::MemberCluster>,
        Vec<(&'a (String, String), &'a mut Work, u64)>,
    );
    let mut jobs: Vec<ExecuteJob<'_>> = Vec::new();
    // Member objects leave only with their Work, so an applied revision stays applied: only
    // Works whose revision moved since (or that failed) are applied again. Both sets are
    // walked in key order, side by side.
    let mut settled: Vec<(String, String)> = Vec::new();
    let mut unapplied = revisions.unapplied.iter().peekable();
    let mut space: Option<&str> = None;
    let first = revisions.unapplied.first().cloned();
    let last = revisions.unapplied.last().cloned();
    if let (Some(first), Some(last)) = (first, last) {
        for (key, work) in works.range_mut(first..=last) {
            while let Some(gone) = unapplied.next_if(|u| *u < key) {
                settled.push(gone.clone());
            }
            if unapplied.next_if(|u| *u == key).is_none() {
                continue;
            }
            let rev = revisions.works.get(key).copied().unwrap_or(0);
            if revisions.applied.get(key) == Some(&rev) {
                settled.push(key.clone());
                continue;
            }
            if space != Some(key.0.as_str()) {
                space = Some(key.0.as_str());
                let cluster = names::cluster_of_execution_space(&key.0).unwrap_or("");
                jobs.push((cluster, by_cluster.remove(cluster), Vec::new()));
            }
            if let Some((_, _, list)) = jobs.last_mut() {
                list.push((key, work, rev));
            }
        }
    }
    settled.extend(unapplied.cloned());
    for key in &settled {
        revisions.unapplied.remove(key);
    }
    if jobs.is_empty() {
        return false;
    }
    let interpreter = interpreter.as_ref();
    let now_text = now_text.as_str();
    let executed: Vec<(&(String, String), u64, Executed)> = super::parallel::map_in_order(
        *threads,
        jobs,
        |(_, _, list)| list.len(),
        |(cluster, mut member, list)| {
            list.into_iter()
                .map(|(key, work, rev)| {
                    let outcome = dispatch(work, cluster, member.as_deref_mut(), interpreter, now);
                    (
                        key,
                        rev,
                        settle_dispatch(key, work, cluster, outcome, now_text),
                    )
                })
                .collect::<Vec<_>>()
        },
    )
    .into_iter()
    .flatten()
    .collect();

    let mut changed = false;
    for (key, rev, done) in executed {
        for event in done.events {
            events.push(event);
        }
        if done.applied {
            revisions.applied.insert(key.clone(), rev);
            revisions.unapplied.remove(key);
        }
        if done.conditions_moved {
            revisions.touch_work_conditions(key);
        }
        changed |= done.changed;
    }
    changed
}

/// What dispatching one Work leaves for the shared bookkeeping, written in Work order.
struct Executed {
    events: Vec<super::Event>,
    /// The current revision is applied.
    applied: bool,
    /// The Work's `Applied` or `Dispatching` condition moved.
    conditions_moved: bool,
    changed: bool,
}

/// Writes the outcome of dispatching a Work into its status; the events to log and what
/// the shared bookkeeping must record.
fn settle_dispatch(
    key: &(String, String),
    work: &mut Work,
    cluster: &str,
    outcome: Dispatch,
    now: &str,
) -> Executed {
    let event = |type_: &str, reason: &str, message: String| super::Event {
        time: now.to_string(),
        type_: type_.to_string(),
        source: "execution-controller".to_string(),
        object: format!("Work {}/{}", key.0, key.1),
        reason: reason.to_string(),
        message,
    };
    let mut done = Executed {
        events: Vec::new(),
        applied: false,
        conditions_moved: false,
        changed: false,
    };
    let had_status = work.status.is_some();
    let status = work.status.get_or_insert_with(WorkStatus::default);
    let (ok, message, any_change, synced) = match outcome {
        Dispatch::Suspended => {
            let cond = Condition {
                type_: "Dispatching".into(),
                status: "False".into(),
                reason: "SuspendDispatching".into(),
                message: "Work dispatching is in a suspended state.".into(),
                last_transition_time: Some(now.to_string()),
                observed_generation: None,
            };
            if set_condition(&mut status.conditions, cond) {
                done.events.push(event(
                    "Normal",
                    "WorkDispatchingSuspended",
                    format!("dispatching to {cluster} is suspended"),
                ));
                done.conditions_moved = true;
                done.changed = true;
            } else if !had_status {
                work.status = None;
            }
            return done;
        }
        Dispatch::Applied {
            ok,
            message,
            any_change,
            synced,
        } => (ok, message, any_change, synced),
    };
    for m in synced {
        done.events.push(event("Normal", "SyncSucceed", m));
    }
    let mut cond_changed = set_condition(
        &mut status.conditions,
        Condition {
            type_: "Applied".into(),
            status: if ok { "True" } else { "False" }.into(),
            reason: if ok {
                "AppliedSuccessful"
            } else {
                "AppliedFailed"
            }
            .into(),
            message: message.clone(),
            last_transition_time: Some(now.to_string()),
            observed_generation: None,
        },
    );
    cond_changed |= status.conditions.iter().any(|c| c.type_ == "Dispatching");
    status.conditions.retain(|c| c.type_ != "Dispatching");
    done.applied = ok;
    if cond_changed {
        if !ok {
            done.events.push(event("Warning", "SyncFailed", message));
        }
        done.conditions_moved = true;
    } else if !had_status {
        work.status = None;
    }
    done.changed = cond_changed || any_change;
    done
}

/// The member clusters' workload controllers, side by side.
fn reconcile_members(cp: &mut ControlPlane) -> bool {
    for (name, member) in cp.members.iter_mut() {
        if let Some(c) = cp.clusters.get(name) {
            if let Some(n) = c.status.as_ref().and_then(|s| s.node_summary.as_ref()) {
                member.ready_nodes = n.ready_num as i64;
            }
        }
    }
    let members: Vec<&mut super::MemberCluster> = cp.members.values_mut().collect();
    super::parallel::map_in_order(
        cp.threads,
        members,
        |m| m.pending_reconciles(),
        |m| m.reconcile(),
    )
    .into_iter()
    .fold(false, |changed, c| changed | c)
}

/// The status a Work's manifests reflect, computed from the member objects.
fn manifest_statuses(
    lives: &[(super::KeyRef<'_>, Option<(&Value, u64)>)],
    interpreter: &dyn crate::interpreter::ResourceInterpreter,
) -> Vec<ManifestStatus> {
    let mut statuses = Vec::new();
    for (ordinal, (okey, live)) in lives.iter().enumerate() {
        let Some((live, _)) = *live else {
            continue;
        };
        let [api_version, kind, namespace, name] = okey.into_parts();
        let gvk = Gvk::of(live);
        let status = if interpreter.handles(&gvk, Operation::InterpretStatus) {
            interpreter.interpret_status(live).ok().flatten()
        } else {
            None
        };
        let health = if interpreter.handles(&gvk, Operation::InterpretHealth) {
            match interpreter.interpret_health(live) {
                Ok(true) => ResourceHealth::Healthy,
                Ok(false) => ResourceHealth::Unhealthy,
                Err(_) => ResourceHealth::Unknown,
            }
        } else {
            ResourceHealth::Healthy
        };
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        statuses.push(ManifestStatus {
            identifier: ResourceIdentifier {
                ordinal: ordinal as i32,
                group,
                version,
                kind: kind.to_string(),
                resource: format!("{}s", kind.to_lowercase()),
                namespace: namespace.to_string(),
                name: name.to_string(),
            },
            status,
            health: Some(health),
        });
    }
    statuses
}

/// What the work status controller found for one Work: the fingerprint of what it read, and
/// whether the Work's manifest statuses changed.
type Collected = ((u64, bool, Vec<u64>), bool);

/// The work status controller: reflects each applied manifest's status and health. Each
/// execution space is read and its Works updated on its own (side by side); the shared
/// bookkeeping is then written in Work order.
fn collect_work_status(cp: &mut ControlPlane) -> bool {
    let ControlPlane {
        works,
        members,
        revisions,
        interpreter,
        threads,
        ..
    } = cp;
    // An execution space is skipped when none of its Works moved and its member cluster did
    // not change: no fingerprint below can have moved.
    // Each space's Works are updated in place by its job (a Work lies in one space).
    let mut spaces: Vec<Vec<(&(String, String), &mut Work)>> = Vec::new();
    let mut space: Option<(&str, bool)> = None;
    for (key, work) in works.iter_mut() {
        let skip = match space {
            Some((s, skip)) if s == key.0 => skip,
            _ => {
                let cluster = names::cluster_of_execution_space(&key.0).unwrap_or("");
                let changes = members.get(cluster).map(|m| m.changes());
                let skip = !revisions.status_dirty.contains(&key.0)
                    && changes.is_some()
                    && revisions.member_seen.get(&key.0).copied() == changes;
                if let Some(c) = changes {
                    match revisions.member_seen.get_mut(&key.0) {
                        Some(seen) => *seen = c,
                        None => {
                            revisions.member_seen.insert(key.0.clone(), c);
                        }
                    }
                }
                if !skip {
                    spaces.push(Vec::new());
                }
                space = Some((&key.0, skip));
                skip
            }
        };
        if !skip {
            if let Some(list) = spaces.last_mut() {
                list.push((key, work));
            }
        }
    }
    revisions.status_dirty.clear();
    let interpreter = interpreter.as_ref();
    let seen_revisions = &*revisions;
    let members = &*members;
    let found: Vec<(&(String, String), Collected)> =
        super::parallel::map_in_order(*threads, spaces, Vec::len, |list| {
            // The resourceVersions of the member objects found, as Karmada's informer would
            // see them change.
            let mut member_versions: Vec<u64> = Vec::new();
            let mut out = Vec::new();
            for (key, work) in list {
                let cluster = names::cluster_of_execution_space(&key.0).unwrap_or("");
                let member = members.get(cluster);
                let rev = seen_revisions.works.get(key).copied().unwrap_or(0);
                let applied = work.status.as_ref().is_some_and(|s| {
                    s.conditions
                        .iter()
                        .any(|c| c.type_ == "Applied" && c.status == "True")
                });
                // Each manifest's identity and live object, looked up once.
                let lives: Vec<(super::KeyRef<'_>, Option<(&Value, u64)>)> = work
                    .spec
                    .workload
                    .manifests
                    .iter()
                    .map(|m| {
                        let okey = super::KeyRef::of(m);
                        (okey, member.and_then(|c| c.get_with_version(okey)))
                    })
                    .collect();
                member_versions.clear();
                member_versions.extend(lives.iter().filter_map(|(_, live)| live.map(|(_, rv)| rv)));
                let seen = seen_revisions.collected.get(key);
                if seen.is_some_and(|(r, a, v)| *r == rev && *a == applied && *v == member_versions)
                {
                    continue;
                }
                let statuses = if applied {
                    manifest_statuses(&lives, interpreter)
                } else {
                    Vec::new()
                };
                let current = work
                    .status
                    .as_ref()
                    .map_or(&[][..], |s| &s.manifest_statuses[..]);
                let update = current != &statuses[..];
                if update {
                    work.status
                        .get_or_insert_with(WorkStatus::default)
                        .manifest_statuses = statuses;
                }
                out.push((key, ((rev, applied, member_versions.clone()), update)));
            }
            out
        })
        .into_iter()
        .flatten()
        .collect();

    let mut changed = false;
    for (key, (fingerprint, updated)) in found {
        match revisions.collected.get_mut(key) {
            Some(seen) => *seen = fingerprint,
            None => {
                revisions.collected.insert(key.clone(), fingerprint);
            }
        }
        if updated {
            revisions.touch_work_status(key);
            changed = true;
        }
    }
    changed
}

/// The binding status controller: one aggregated item per target cluster.
fn aggregate_binding_status(cp: &mut ControlPlane) -> bool {
    let ControlPlane {
        bindings,
        works,
        revisions,
        threads,
        ..
    } = cp;
    let super::Revisions {
        bindings: binding_revisions,
        work_keys,
        work_status,
        aggregated,
        binding_status,
        counter,
        ..
    } = revisions;
    // Each binding's status is its own: bindings are handled side by side and the
    // bookkeeping is written afterwards, in binding order.
    let jobs: Vec<(&(String, String), &mut ResourceBinding)> = bindings.iter_mut().collect();
    let outcomes: Vec<AggregateOutcome> = super::parallel::map_in_order(
        *threads,
        jobs,
        |(_, b)| b.spec.clusters.len().max(1),
        |(key, b)| {
            let rev = binding_revisions.get(key).copied().unwrap_or(0);
            let keys: Cow<'_, [(String, String)]> = match work_keys.get(key) {
                Some((r, keys)) if *r == rev => Cow::Borrowed(keys),
                _ => Cow::Owned(work_keys_of(b)),
            };
            let statuses: Vec<u64> = keys
                .iter()
                .map(|wkey| work_status.get(wkey).copied().unwrap_or(0))
                .collect();
            let seen = aggregated
                .get(key)
                .is_some_and(|(r, seen)| *r == rev && *seen == statuses);
            let status_moved = !seen && aggregate_into(b, &keys, works);
            AggregateOutcome {
                rev,
                keys: match keys {
                    Cow::Owned(keys) => Some(keys),
                    Cow::Borrowed(_) => None,
                },
                statuses: (!seen).then_some(statuses),
                status_moved,
            }
        },
    );
    let mut changed = false;
    for ((key, _), outcome) in bindings.iter().zip(outcomes) {
        if let Some(keys) = outcome.keys {
            work_keys.insert(key.clone(), (outcome.rev, keys));
        }
        if let Some(statuses) = outcome.statuses {
            aggregated.insert(key.clone(), (outcome.rev, statuses));
        }
        if outcome.status_moved {
            *counter += 1;
            match binding_status.get_mut(key) {
                Some(r) => *r = *counter,
                None => {
                    binding_status.insert(key.clone(), *counter);
                }
            }
            changed = true;
        }
    }
    changed
}

/// What aggregating one binding's Work statuses found.
struct AggregateOutcome {
    /// The binding revision.
    rev: u64,
    /// The binding's Work keys, when they had to be computed again.
    keys: Option<Vec<(String, String)>>,
    /// The Work status revisions aggregated, when they moved.
    statuses: Option<Vec<u64>>,
    /// Whether the binding's `aggregatedStatus` changed.
    status_moved: bool,
}

/// Writes the statuses of the Works under `keys` (one per target, in target order) into
/// the binding's `aggregatedStatus`; true if it changed.
fn aggregate_into(
    b: &mut ResourceBinding,
    keys: &[(String, String)],
    works: &BTreeMap<(String, String), Work>,
) -> bool {
    let targets = render::target_clusters(b);
    let mut items = Vec::new();
    // The keys were computed from these targets, in this order.
    for (t, wkey) in targets.iter().zip(keys) {
        let Some(work) = works.get(wkey) else {
            continue;
        };
        let ws = work.status.as_ref();
        let applied_cond = ws.and_then(|s| s.conditions.iter().find(|c| c.type_ == "Applied"));
        let Some(applied_cond) = applied_cond else {
            // Not dispatched yet (e.g. suspended before its first apply): no item.
            if ws.is_some_and(|s| s.conditions.iter().any(|c| c.type_ == "Dispatching")) {
                items.push(AggregatedStatusItem {
                    cluster_name: t.name.clone(),
                    ..Default::default()
                });
            }
            continue;
        };
        let manifest = ws.and_then(|s| s.manifest_statuses.first());
        items.push(AggregatedStatusItem {
            cluster_name: t.name.clone(),
            status: manifest.and_then(|m| m.status.clone()),
            applied: applied_cond.status == "True",
            applied_message: if applied_cond.status == "True" {
                String::new()
            } else {
                applied_cond.message.clone()
            },
            health: Some(
                manifest
                    .and_then(|m| m.health)
                    .unwrap_or(ResourceHealth::Unknown),
            ),
        });
    }
    let current = b
        .status
        .as_ref()
        .map_or(&[][..], |s| &s.aggregated_status[..]);
    if current == &items[..] {
        return false;
    }
    b.status
        .get_or_insert_with(Default::default)
        .aggregated_status = items;
    true
}

/// The resource template status controller: AggregateStatus onto the template.
fn aggregate_template_status(cp: &mut ControlPlane) -> bool {
    // The interpreter calls read only: they run side by side, and their results are written
    // to the templates afterwards, in binding order.
    let due: Vec<(ObjectKey, (u64, u64), &ResourceBinding, &Value)> = cp
        .bindings
        .iter()
        .filter_map(|(bkey, b)| {
            let tkey = template_key_of(b);
            let fp = (
                cp.revisions.binding_status.get(bkey).copied().unwrap_or(0),
                cp.revisions.templates.get(&tkey).copied().unwrap_or(0),
            );
            if cp.revisions.template_status.get(&tkey) == Some(&fp) {
                return None;
            }
            let template = cp.templates.get(&tkey)?;
            Some((tkey, fp, b, template))
        })
        .collect();
    if due.is_empty() {
        return false;
    }
    let interpreter = cp.interpreter.as_ref();
    let aggregated: Vec<(ObjectKey, (u64, u64), Option<AggregatedTemplateStatus>)> =
        super::parallel::map_in_order(
            cp.threads,
            due,
            |(_, _, b, _)| b.spec.clusters.len().max(1),
            |(tkey, fp, b, template)| {
                let gvk = Gvk::of(template);
                if !interpreter.handles(&gvk, Operation::AggregateStatus) {
                    return (tkey, fp, None);
                }
                let items = b
                    .status
                    .as_ref()
                    .map_or(&[][..], |s| &s.aggregated_status[..]);
                let status = interpreter
                    .aggregate_status(template, items)
                    .map(|mut new| new.as_object_mut().and_then(|o| o.remove("status")))
                    .map_err(|e| e.to_string());
                (tkey, fp, Some(status))
            },
        );
    let mut changed = false;
    for (tkey, fp, status) in aggregated {
        let Some(status) = status else {
            continue;
        };
        cp.revisions.template_status.insert(tkey.clone(), fp);
        let new_status = match status {
            Ok(new_status) => new_status,
            Err(message) => {
                cp.event(
                    "status-aggregator",
                    "Warning",
                    tkey.to_string(),
                    "AggregateStatusFailed",
                    message,
                );
                continue;
            }
        };
        let Some(t) = cp.templates.get_mut(&tkey) else {
            continue;
        };
        if t.get("status") == new_status.as_ref() {
            continue;
        }
        let old_og = at(t, &["status", "observedGeneration"]).cloned();
        if let Some(obj) = t.as_object_mut() {
            super::put_or_remove(obj, "status", new_status);
        }
        let new_og = at(t, &["status", "observedGeneration"]).cloned();
        if old_og != new_og {
            let og = new_og.unwrap_or(Value::Null);
            let generation = at(t, &["metadata", "generation"])
                .cloned()
                .unwrap_or(Value::Null);
            cp.event(
                "status-aggregator",
                "Normal",
                tkey.to_string(),
                "AggregateStatusSucceed",
                format!("status.observedGeneration is now {og} (generation {generation})"),
            );
        }
        changed = true;
    }
    changed
}

/// A template's new `status` as its interpreter aggregated it (`None`: no status), or why
/// aggregation failed.
type AggregatedTemplateStatus = Result<Option<Value>, String>;
