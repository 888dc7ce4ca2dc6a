//! What each member cluster's copy of a template looks like: Karmada's OverridePolicies and
//! ClusterOverridePolicies.
//!
//! For one (template, cluster) pair [`apply_overrides`] applies, in order:
//! 1. the matching rules of every ClusterOverridePolicy ([`matching_rules`] gives the order);
//! 2. then, if the object (as it stands after step 1) is namespaced, the matching rules of the
//!    OverridePolicies of its namespace, matched against the object after step 1.
//!
//! Inside one rule the overriders run in Karmada's fixed order: `imageOverrider`,
//! `commandOverrider`, `argsOverrider`, `labelsOverrider`, `annotationsOverrider`,
//! `fieldOverrider`, then `plaintext` (one JSON patch with all its operations). Any failure
//! aborts the whole pair with an [`OverrideError`] naming the policy, rule, overrider and
//! cluster; the template is never returned half overridden.
//!
//! The applied rules are recorded per group ([`AppliedOverrides`]) and rendered as Karmada's
//! Work annotations [`APPLIED_CLUSTER_OVERRIDES_ANNOTATION`] and
//! [`APPLIED_OVERRIDES_ANNOTATION`].
//!
//! # Where fedplan differs from Karmada
//! - YAML documents in `fieldOverrider` are read with YAML 1.2 core rules, so unquoted
//!   `yes`/`no`/`on`/`off`/`y`/`n` stay strings and `017` is decimal, where Karmada's YAML 1.1
//!   reader turns them into booleans and octal. The YAML written back matches Go's writer
//!   (style, quoting, key order, folding), except for keys longer than 128 bytes or spanning
//!   lines, which Go writes as `? ` complex keys.
//! - Floats inside patched JSON documents are written in shortest form, where Go keeps the
//!   document's original digits for untouched values.
//! - Command/args elements that are not strings are an error (Karmada formats them with `%s`);
//!   a container list entry that is not an object is an error (Karmada panics).
//! - Without a predicate the image overrider only checks the container list's types; Karmada
//!   converts the whole workload to its typed form first and fails on any mistyped field.
//! - Patch paths must be well-formed JSON pointers (Karmada's patch library ignores what comes
//!   before the first `/`); label and annotation keys are escaped fully (`~` as well as `/`).

mod applied;
mod command_args;
mod error;
mod field;
#[cfg(feature = "yaml")]
mod goyaml;
mod image;
mod imageparser;
mod labels;
mod patch;
mod pointer;
mod select;

use serde_json::Value;

use crate::api::{Cluster, ClusterOverridePolicy, OverridePolicy, Overriders};

pub use applied::{
    AppliedOverride, AppliedOverrides, APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
    APPLIED_OVERRIDES_ANNOTATION,
};
pub use command_args::{command_args_patches, CommandArgsTarget};
pub use error::{OverrideError, OverriderError, OverriderFailure, PolicyRef, RuleRef};
pub use field::apply_field_overrider;
pub use image::{image_patches, override_image};
pub use imageparser::{split_hostname, ImageParseError, ImageReference};
pub use labels::{apply_label_annotation_overriders, label_annotation_patches, MetadataMap};
pub use patch::PatchOp;
pub use select::{matching_rules, ImplicitPriority, MatchedRule, OverridePolicyObject};

/// A template as one member cluster receives it, and what was applied to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Overridden<'p> {
    /// The overridden manifest.
    pub manifest: Value,
    /// OverridePolicy rules applied, in application order.
    pub applied_overrides: AppliedOverrides<'p>,
    /// ClusterOverridePolicy rules applied, in application order.
    pub applied_cluster_overrides: AppliedOverrides<'p>,
}

impl Overridden<'_> {
    /// The Work annotations Karmada writes for the applied overrides (none when nothing was
    /// applied), cluster overrides first.
    pub fn annotations(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::with_capacity(2);
        if let Some(value) = self.applied_cluster_overrides.annotation_value() {
            out.push((APPLIED_CLUSTER_OVERRIDES_ANNOTATION, value));
        }
        if let Some(value) = self.applied_overrides.annotation_value() {
            out.push((APPLIED_OVERRIDES_ANNOTATION, value));
        }
        out
    }
}

/// Applies every matching (Cluster)OverridePolicy rule to `template` for `cluster`.
///
/// `ops` may hold OverridePolicies of any namespace; only those of the template's namespace
/// are considered, as Karmada lists them.
///
/// ```
/// use fedplan::api::{Cluster, OverridePolicy};
/// use fedplan::overrides::apply_overrides;
/// use serde_json::json;
///
/// let template = json!({"apiVersion": "apps/v1", "kind": "Deployment",
///     "metadata": {"name": "web", "namespace": "default"},
///     "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}});
/// let policy: OverridePolicy = serde_json::from_value(json!({
///     "metadata": {"name": "mirror", "namespace": "default"},
///     "spec": {"overrideRules": [{"targetCluster": {"clusterNames": ["m1"]},
///         "overriders": {"imageOverrider": [
///             {"component": "Registry", "operator": "replace", "value": "mirror.example"}]}}]}
/// })).unwrap();
/// let cluster: Cluster = serde_json::from_value(json!({"metadata": {"name": "m1"}})).unwrap();
///
/// let ops = [policy];
/// let out = apply_overrides(&template, &cluster, &ops, &[]).unwrap();
/// assert_eq!(out.manifest["spec"]["template"]["spec"]["containers"][0]["image"],
///            json!("mirror.example/nginx:1.25"));
/// assert_eq!(out.applied_overrides.items[0].policy_name, "mirror");
/// ```
pub fn apply_overrides<'p>(
    template: &Value,
    cluster: &Cluster,
    ops: &'p [OverridePolicy],
    cops: &'p [ClusterOverridePolicy],
) -> Result<Overridden<'p>, OverrideError> {
    if !template.is_object() {
        return Err(OverrideError::TemplateNotObject);
    }
    let mut manifest = template.clone();
    let applied = apply_overrides_in_place(&mut manifest, cluster, ops, cops)?;
    Ok(Overridden {
        manifest,
        applied_overrides: applied.applied_overrides,
        applied_cluster_overrides: applied.applied_cluster_overrides,
    })
}

/// The rules [`apply_overrides_in_place`] applied.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedRules<'p> {
    /// OverridePolicy rules applied, in application order.
    pub applied_overrides: AppliedOverrides<'p>,
    /// ClusterOverridePolicy rules applied, in application order.
    pub applied_cluster_overrides: AppliedOverrides<'p>,
}

/// [`apply_overrides`] on a manifest the caller already owns (typically its own copy of the
/// template), so the template is not copied a second time.
///
/// On error `manifest` may be partly overridden and should be dropped; [`apply_overrides`]
/// gives the all-or-nothing form.
///
/// ```
/// use fedplan::api::{Cluster, ClusterOverridePolicy, OverridePolicy};
/// use fedplan::overrides::apply_overrides_in_place;
/// use serde_json::json;
///
/// let mut manifest = json!({"apiVersion": "v1", "kind": "ConfigMap",
///     "metadata": {"name": "conf", "namespace": "default"}, "data": {"level": "info"}});
/// let policy: ClusterOverridePolicy = serde_json::from_value(json!({
///     "metadata": {"name": "debug"},
///     "spec": {"overrideRules": [{"overriders": {"plaintext": [
///         {"path": "/data/level", "operator": "replace", "value": "debug"}]}}]}
/// })).unwrap();
/// let cluster: Cluster = serde_json::from_value(json!({"metadata": {"name": "m1"}})).unwrap();
///
/// let cops = [policy];
/// let ops: [OverridePolicy; 0] = [];
/// let applied = apply_overrides_in_place(&mut manifest, &cluster, &ops, &cops).unwrap();
/// assert_eq!(manifest["data"]["level"], json!("debug"));
/// assert_eq!(applied.applied_cluster_overrides.items[0].policy_name, "debug");
/// assert!(applied.applied_overrides.items.is_empty());
/// ```
pub fn apply_overrides_in_place<'p>(
    manifest: &mut Value,
    cluster: &Cluster,
    ops: &'p [OverridePolicy],
    cops: &'p [ClusterOverridePolicy],
) -> Result<AppliedRules<'p>, OverrideError> {
    if !manifest.is_object() {
        return Err(OverrideError::TemplateNotObject);
    }
    let applied_cluster_overrides = apply_group(manifest, cluster, cops)?;
    let applied_overrides = apply_group(manifest, cluster, ops)?;
    Ok(AppliedRules {
        applied_overrides,
        applied_cluster_overrides,
    })
}

/// Applies the matching rules of one group of policies; the rules are chosen against the
/// object as it is before any of them runs.
fn apply_group<'p, P: OverridePolicyObject>(
    manifest: &mut Value,
    cluster: &Cluster,
    policies: &'p [P],
) -> Result<AppliedOverrides<'p>, OverrideError> {
    let rules = matching_rules(policies, manifest, cluster);
    let mut applied = AppliedOverrides {
        items: Vec::with_capacity(rules.len()),
    };
    for rule in rules {
        apply_rule(manifest, rule.overriders).map_err(|(overrider, source)| {
            OverrideError::Overrider(Box::new(OverriderFailure {
                policy: rule.policy_ref(),
                rule: rule.rule,
                overrider,
                cluster: cluster.metadata.name.clone(),
                object: describe(manifest),
                source,
            }))
        })?;
        applied.items.push(AppliedOverride {
            policy_name: rule.name,
            overriders: rule.overriders,
        });
    }
    Ok(applied)
}

/// Applies one rule's overriders in Karmada's order; on error names the failing overrider.
fn apply_rule(
    manifest: &mut Value,
    overriders: &Overriders,
) -> Result<(), (String, OverriderError)> {
    for (i, o) in overriders.image_overrider.iter().enumerate() {
        image::apply_image_overrider(manifest, o).map_err(at("imageOverrider", i))?;
        patch::ensure_kind(manifest).map_err(at("imageOverrider", i))?;
    }
    let command_args = [
        (
            CommandArgsTarget::Command,
            "commandOverrider",
            &overriders.command_overrider,
        ),
        (
            CommandArgsTarget::Args,
            "argsOverrider",
            &overriders.args_overrider,
        ),
    ];
    for (target, name, list) in command_args {
        for (i, o) in list.iter().enumerate() {
            let patches = command_args_patches(target, manifest, o).map_err(at(name, i))?;
            patch_object(manifest, patches).map_err(at(name, i))?;
        }
    }
    let metadata_maps = [
        (
            MetadataMap::Labels,
            "labelsOverrider",
            &overriders.labels_overrider,
        ),
        (
            MetadataMap::Annotations,
            "annotationsOverrider",
            &overriders.annotations_overrider,
        ),
    ];
    for (map, name, list) in metadata_maps {
        for (i, o) in list.iter().enumerate() {
            let patches = label_annotation_patches(manifest, map, o);
            if !patches.is_empty() {
                patch_object(manifest, patches).map_err(at(name, i))?;
            }
        }
    }
    for (i, o) in overriders.field_overrider.iter().enumerate() {
        apply_field_overrider(manifest, o).map_err(at("fieldOverrider", i))?;
    }
    // All plaintext operations form one patch, applied in order, after which Karmada re-reads
    // the object even when the list is empty.
    for (i, p) in overriders.plaintext.iter().enumerate() {
        patch::apply_operation(manifest, p.operator, &p.path, p.value.as_ref())
            .map_err(at("plaintext", i))?;
    }
    patch::ensure_kind(manifest).map_err(|e| ("plaintext".to_owned(), e))
}

/// Applies patches to the object and re-checks it the way Karmada re-reads it.
fn patch_object(manifest: &mut Value, patches: Vec<PatchOp>) -> Result<(), OverriderError> {
    patch::apply_patch(manifest, patches)?;
    patch::ensure_kind(manifest)
}

/// Names the overrider entry `name[i]` in an error.
fn at(name: &'static str, i: usize) -> impl Fn(OverriderError) -> (String, OverriderError) {
    move |e| (format!("{name}[{i}]"), e)
}

/// `kind namespace/name` of an object, for errors.
fn describe(object: &Value) -> String {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
    let metadata = object.get("metadata");
    let kind = text(object.get("kind"));
    let namespace = text(metadata.and_then(|m| m.get("namespace")));
    let name = text(metadata.and_then(|m| m.get("name")));
    if namespace.is_empty() {
        format!("{kind} {name}")
    } else {
        format!("{kind} {namespace}/{name}")
    }
}
