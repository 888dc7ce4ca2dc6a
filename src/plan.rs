//! Offline decisions over a set of loaded objects: what Karmada's webhooks, resource
//! detector, scheduler and binding controller would do with them on one pass.
//!
//! [`PlanInput::admit`] defaults and validates every Karmada object as the webhooks would;
//! [`schedule`] claims every template for its policy, builds its (Cluster)ResourceBinding
//! (taking an existing binding of the same template as the previous result) and schedules
//! it; [`render()`](fn@render) attaches dependencies and renders the Works of every scheduled binding.
//! Everything is pure: the clock is the existing binding's last schedule time or
//! [`DEFAULT_NOW`], and nothing is invented (a template without `uid` gets none).
//!
//! ```
//! use fedplan::load::Loader;
//! use fedplan::plan::{schedule, PlanInput, PlanOptions};
//!
//! let text = r#"
//! apiVersion: cluster.karmada.io/v1alpha1
//! kind: Cluster
//! metadata: {name: member1}
//! spec: {syncMode: Push}
//! status:
//!   apiEnablements: [{groupVersion: v1, resources: [{name: configmaps, kind: ConfigMap}]}]
//!   conditions: [{type: Ready, status: "True"}]
//! ---
//! apiVersion: policy.karmada.io/v1alpha1
//! kind: PropagationPolicy
//! metadata: {name: pp, namespace: default}
//! spec:
//!   resourceSelectors: [{apiVersion: v1, kind: ConfigMap}]
//!   placement: {clusterAffinity: {clusterNames: [member1]}}
//! ---
//! apiVersion: v1
//! kind: ConfigMap
//! metadata: {name: cm, namespace: default}
//! "#;
//! let loaded = Loader::new().objects_from_str("in.yaml", text);
//! assert!(loaded.errors.is_empty());
//! let input = PlanInput::admit(&loaded.items).unwrap();
//! let plan = schedule(&input, &PlanOptions::default());
//! assert_eq!(plan.bindings.len(), 1);
//! assert_eq!(plan.bindings[0].binding.metadata.name, "cm-configmap");
//! assert_eq!(plan.bindings[0].binding.spec.clusters[0].name, "member1");
//! assert!(!plan.failed());
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::api::defaults::DefaultingContext;
use crate::api::validate::{admit, KarmadaObject, ValidationOptions};
use crate::api::{
    Cluster, ClusterOverridePolicy, ClusterPropagationPolicy, OverridePolicy, PropagationPolicy,
    ResourceBinding, Work,
};
use crate::interpreter::chain::InterpreterChain;
use crate::interpreter::declarative::DeclarativeInterpreter;
use crate::interpreter::ResourceInterpreter;
use crate::load::{LoadError, LoadedObject, Object};
use crate::policy::{self, BindingOptions, ClaimDecision, MatchOptions};
use crate::render::{self, deps, OverrideSet};
use crate::resource::ObjectRef;
use crate::scheduler::{self, diagnosis::Diagnosis, SchedulerOptions, CONDITION_SCHEDULED};

/// The clock used when no existing binding tells the last schedule time.
pub const DEFAULT_NOW: &str = "2026-01-01T00:00:00Z";

/// Every object a plan reads, defaulted and validated.
#[derive(Debug, Default)]
pub struct PlanInput {
    /// Member clusters.
    pub clusters: Vec<Cluster>,
    /// PropagationPolicies.
    pub propagation_policies: Vec<PropagationPolicy>,
    /// ClusterPropagationPolicies.
    pub cluster_propagation_policies: Vec<ClusterPropagationPolicy>,
    /// OverridePolicies.
    pub override_policies: Vec<OverridePolicy>,
    /// ClusterOverridePolicies.
    pub cluster_override_policies: Vec<ClusterOverridePolicy>,
    /// Existing (Cluster)ResourceBindings: previous scheduling results.
    pub bindings: Vec<ResourceBinding>,
    /// Resource templates (any object of a kind that is not a modelled Karmada kind).
    pub templates: Vec<Value>,
    /// ResourceInterpreterCustomizations, as loaded.
    pub customizations: Vec<Value>,
}

impl PlanInput {
    /// Defaults and validates every Karmada object as Karmada's webhooks do and sorts the
    /// objects by kind. Every problem is returned, naming file, document, object and field.
    pub fn admit(objects: &[LoadedObject]) -> Result<PlanInput, Vec<LoadError>> {
        let ctx = DefaultingContext::default();
        let options = ValidationOptions::default();
        let mut input = PlanInput::default();
        let mut errors = Vec::new();
        for loaded in objects {
            let resource = match &loaded.object {
                Object::Template(resource) => {
                    input
                        .templates
                        .push(with_default_namespace(resource.as_value().clone(), &ctx));
                    continue;
                }
                Object::Karmada(object) => &object.resource,
            };
            if resource.kind() == "ResourceInterpreterCustomization" {
                // Refused rules (a luaScript, an unparsable path) are bad input.
                if let Err(error) =
                    DeclarativeInterpreter::from_values([resource.as_value().clone()])
                {
                    errors.push(LoadError::Invalid {
                        origin: loaded.origin.clone(),
                        object: resource.object_ref(),
                        field: String::new(),
                        message: error.to_string(),
                    });
                }
                input.customizations.push(resource.as_value().clone());
                continue;
            }
            let admission = match admit(resource.as_value(), &ctx, &options) {
                Ok(Some(admission)) => admission,
                // A kind the webhooks do not model stays a template.
                Ok(None) => {
                    input.templates.push(resource.as_value().clone());
                    continue;
                }
                Err(error) => {
                    errors.push(LoadError::Invalid {
                        origin: loaded.origin.clone(),
                        object: resource.object_ref(),
                        field: String::new(),
                        message: error.message,
                    });
                    continue;
                }
            };
            if !admission.errors.is_empty() {
                errors.extend(admission.errors.into_iter().map(|e| LoadError::Invalid {
                    origin: loaded.origin.clone(),
                    object: ObjectRef {
                        api_version: resource.api_version().to_string(),
                        kind: e.kind,
                        namespace: e.namespace,
                        name: e.name,
                    },
                    field: e.field,
                    message: format!("{}: {}", e.error_type, e.message),
                }));
                continue;
            }
            match admission.object {
                KarmadaObject::Cluster(o) => input.clusters.push(*o),
                KarmadaObject::PropagationPolicy(o) => input.propagation_policies.push(*o),
                KarmadaObject::ClusterPropagationPolicy(o) => {
                    input.cluster_propagation_policies.push(*o)
                }
                KarmadaObject::OverridePolicy(o) => input.override_policies.push(*o),
                KarmadaObject::ClusterOverridePolicy(o) => input.cluster_override_policies.push(*o),
                KarmadaObject::ResourceBinding(o) => input.bindings.push(*o),
                // Taint policies and Works play no part in one scheduling pass.
                KarmadaObject::ClusterTaintPolicy(_) | KarmadaObject::Work(_) => {}
            }
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }

    /// The interpreter chain: declarative customizations from the input first, then the
    /// built-ins.
    pub fn interpreter(&self) -> Result<InterpreterChain, PlanError> {
        let mut chain = InterpreterChain::default();
        if !self.customizations.is_empty() {
            let declarative = DeclarativeInterpreter::from_values(self.customizations.clone())
                .map_err(|e| PlanError::Customization(e.to_string()))?;
            chain.push(Arc::new(declarative));
        }
        Ok(chain)
    }

    /// The existing binding of `template`, matched by `spec.resource` (apiVersion, kind,
    /// namespace, name).
    fn existing_binding(&self, template: &Value) -> Option<&ResourceBinding> {
        let at = |p: &str| template.pointer(p).and_then(Value::as_str).unwrap_or("");
        self.bindings.iter().find(|b| {
            let r = &b.spec.resource;
            r.api_version == at("/apiVersion")
                && r.kind == at("/kind")
                && r.namespace == at("/metadata/namespace")
                && r.name == at("/metadata/name")
        })
    }
}

/// Kubernetes kinds that are cluster-scoped. A template of any other kind that names no
/// namespace is put in the default namespace, as `kubectl apply` does.
pub const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

/// Puts a namespaced template that names no namespace in `ctx.default_namespace`.
fn with_default_namespace(mut template: Value, ctx: &DefaultingContext) -> Value {
    let kind = template.get("kind").and_then(Value::as_str).unwrap_or("");
    if CLUSTER_SCOPED_KINDS.contains(&kind) {
        return template;
    }
    if let Some(meta) = template.get_mut("metadata").and_then(Value::as_object_mut) {
        let named = meta
            .get("namespace")
            .and_then(Value::as_str)
            .is_some_and(|ns| !ns.is_empty());
        if !named {
            meta.insert(
                "namespace".to_string(),
                Value::from(ctx.default_namespace.clone()),
            );
        }
    }
    template
}

/// A decision that could not be made, for one template or binding.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// A ResourceInterpreterCustomization of the input was refused.
    #[error("ResourceInterpreterCustomization: {0}")]
    Customization(String),
    /// The claim could not be written or the binding could not be built.
    #[error("{template}: {message}")]
    Binding {
        /// `Kind namespace/name` of the template.
        template: String,
        /// What failed.
        message: String,
    },
    /// Rendering the Works of a binding failed (an override that could not apply, an
    /// interpreter operation that failed); the binding gets no Work.
    #[error("{0}")]
    Render(#[from] render::RenderError),
}

/// How the plan is made.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Keep the scheduler's diagnosis of every binding.
    pub explain: bool,
}

/// One binding and what scheduling made of it.
#[derive(Debug, Clone)]
pub struct PlannedBinding {
    /// The binding after scheduling.
    pub binding: ResourceBinding,
    /// Its template, with the claim metadata written.
    pub template: Value,
    /// The diagnosis (with [`PlanOptions::explain`], when the algorithm ran).
    pub diagnosis: Option<Diagnosis>,
}

impl PlannedBinding {
    /// The `Scheduled` condition's status is `False`: the binding could not be scheduled.
    pub fn unschedulable(&self) -> bool {
        self.binding.status.as_ref().is_some_and(|s| {
            s.conditions
                .iter()
                .any(|c| c.type_ == CONDITION_SCHEDULED && c.status == "False")
        })
    }
}

/// The result of [`schedule`].
#[derive(Debug, Default)]
pub struct Plan {
    /// One binding per claimed template, sorted by namespace and name.
    pub bindings: Vec<PlannedBinding>,
    /// Templates no policy claims (`Kind namespace/name` and why).
    pub unclaimed: Vec<String>,
    /// Templates whose binding could not be built.
    pub errors: Vec<PlanError>,
}

impl Plan {
    /// Whether any decision failed: a binding that could not be built or scheduled.
    pub fn failed(&self) -> bool {
        !self.errors.is_empty() || self.bindings.iter().any(PlannedBinding::unschedulable)
    }
}

fn describe(template: &Value) -> String {
    let at = |p: &str| template.pointer(p).and_then(Value::as_str).unwrap_or("");
    let ns = at("/metadata/namespace");
    let name = at("/metadata/name");
    if ns.is_empty() {
        format!("{} {name}", at("/kind"))
    } else {
        format!("{} {ns}/{name}", at("/kind"))
    }
}

/// Claims, builds and schedules the binding of every template in `input`.
pub fn schedule(input: &PlanInput, options: &PlanOptions) -> Plan {
    let mut plan = Plan::default();
    let interpreter = match input.interpreter() {
        Ok(chain) => chain,
        Err(error) => {
            plan.errors.push(error);
            return plan;
        }
    };
    let scheduler_options = SchedulerOptions {
        diagnose: options.explain,
        ..SchedulerOptions::default()
    };
    for template in &input.templates {
        let decision = policy::claim(
            template,
            &input.propagation_policies,
            &input.cluster_propagation_policies,
            &MatchOptions::default(),
        );
        let chosen = match decision {
            ClaimDecision::Claim { policy, .. } | ClaimDecision::Keep(policy) => policy,
            other => {
                plan.unclaimed.push(format!(
                    "{}: {}",
                    describe(template),
                    unclaimed_reason(&other)
                ));
                continue;
            }
        };
        let mut claimed = template.clone();
        let fail = |message: String| PlanError::Binding {
            template: describe(template),
            message,
        };
        if let Err(error) = policy::write_claim(&mut claimed, chosen) {
            plan.errors.push(fail(error.to_string()));
            continue;
        }
        let existing = input.existing_binding(template);
        let mut binding = match policy::build_binding(
            &claimed,
            chosen,
            &interpreter,
            existing,
            &BindingOptions::default(),
        ) {
            Ok(binding) => binding,
            Err(error) => {
                plan.errors.push(fail(error.to_string()));
                continue;
            }
        };
        binding.metadata.generation = match existing {
            Some(old) if old.spec == binding.spec => old.metadata.generation,
            Some(old) => Some(old.metadata.generation.unwrap_or(1) + 1),
            None => Some(1),
        };
        let now = existing
            .and_then(|b| b.status.as_ref())
            .and_then(|s| s.last_scheduled_time.clone())
            .unwrap_or_else(|| DEFAULT_NOW.to_string());
        let outcome = scheduler::schedule(&binding, &input.clusters, &scheduler_options);
        outcome.apply_to(&mut binding, &now);
        plan.bindings.push(PlannedBinding {
            binding,
            template: claimed,
            diagnosis: outcome.diagnosis,
        });
    }
    sort_bindings(&mut plan.bindings);
    plan
}

fn sort_bindings(bindings: &mut [PlannedBinding]) {
    bindings.sort_by(|a, b| {
        let key = |p: &PlannedBinding| {
            (
                p.binding.metadata.namespace.clone(),
                p.binding.metadata.name.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
}

fn unclaimed_reason(decision: &ClaimDecision<'_>) -> String {
    match decision {
        ClaimDecision::Ignored(reason) => format!("ignored: {reason:?}"),
        ClaimDecision::Unmatched => "no propagation policy selects it".to_string(),
        ClaimDecision::Release { because, .. } => {
            format!("released by its policy ({because:?}), no other policy selects it")
        }
        ClaimDecision::Retry { reason, .. } => format!("claim pending ({reason:?})"),
        ClaimDecision::Claim { .. } | ClaimDecision::Keep(_) => "claimed".to_string(),
    }
}

/// The result of [`render()`](fn@render).
#[derive(Debug, Default)]
pub struct Rendered {
    /// The bindings (those of the plan, then attached dependency bindings), sorted by
    /// namespace and name.
    pub bindings: Vec<PlannedBinding>,
    /// The Works, sorted by namespace and name.
    pub works: Vec<Work>,
    /// Bindings whose Works could not be rendered (they have no Work).
    pub errors: Vec<PlanError>,
}

/// Renders the Works of every binding of `plan`: attaches the dependencies of
/// `propagateDeps` bindings found among the input templates (with `requiredBy`), then
/// applies ReviseReplica and the override policies per target cluster.
pub fn render(input: &PlanInput, plan: Plan) -> Rendered {
    let mut out = Rendered {
        errors: plan.errors,
        ..Rendered::default()
    };
    let interpreter = match input.interpreter() {
        Ok(chain) => chain,
        Err(error) => {
            out.errors.push(error);
            return out;
        }
    };
    let mut bindings = plan.bindings;
    attach_dependencies(input, &mut bindings, &interpreter, &mut out.errors);
    sort_bindings(&mut bindings);
    let overrides = OverrideSet {
        override_policies: &input.override_policies,
        cluster_override_policies: &input.cluster_override_policies,
    };
    let mut works = BTreeMap::new();
    for planned in &bindings {
        match render::render_works(
            &planned.binding,
            &planned.template,
            &input.clusters,
            overrides,
            &interpreter,
        ) {
            Ok(rendered) => {
                for work in rendered {
                    works.insert(
                        (work.metadata.namespace.clone(), work.metadata.name.clone()),
                        work,
                    );
                }
            }
            Err(error) => out.errors.push(PlanError::Render(error)),
        }
    }
    out.bindings = bindings;
    out.works = works.into_values().collect();
    out
}

/// Adds the attached bindings of dependencies (or merges `requiredBy` into the binding a
/// dependency already has), as Karmada's dependencies distributor does.
fn attach_dependencies(
    input: &PlanInput,
    bindings: &mut Vec<PlannedBinding>,
    interpreter: &dyn ResourceInterpreter,
    errors: &mut Vec<PlanError>,
) {
    let parents: Vec<(ResourceBinding, Value)> = bindings
        .iter()
        .filter(|p| p.binding.spec.propagate_deps && !p.binding.spec.clusters.is_empty())
        .map(|p| (p.binding.clone(), p.template.clone()))
        .collect();
    for (parent, template) in &parents {
        let found =
            match deps::resolve_dependencies(parent, template, &input.templates, interpreter) {
                Ok(found) => found,
                Err(error) => {
                    errors.push(PlanError::Render(error));
                    continue;
                }
            };
        for object in found {
            let attached = deps::attached_binding(parent, object);
            let snapshot = deps::snapshot_of(parent);
            match bindings.iter_mut().find(|p| {
                p.binding.metadata.namespace == attached.metadata.namespace
                    && p.binding.metadata.name == attached.metadata.name
            }) {
                Some(existing) => deps::merge_required_by(&mut existing.binding, snapshot),
                None => {
                    let mut binding = attached;
                    deps::merge_required_by(&mut binding, snapshot);
                    bindings.push(PlannedBinding {
                        binding,
                        template: object.clone(),
                        diagnosis: None,
                    });
                }
            }
        }
    }
}
