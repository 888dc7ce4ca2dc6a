//! Telling Karmada objects from resource templates, and deserializing Karmada objects into
//! their types with the path of any field that does not fit.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Document, LoadError, LoadedObject};
use crate::api;
use crate::resource::Resource;

/// The Karmada kinds fedplan models, each at the API version it models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KarmadaKind {
    /// `cluster.karmada.io/v1alpha1` Cluster.
    Cluster,
    /// `policy.karmada.io/v1alpha1` PropagationPolicy.
    PropagationPolicy,
    /// `policy.karmada.io/v1alpha1` ClusterPropagationPolicy.
    ClusterPropagationPolicy,
    /// `policy.karmada.io/v1alpha1` OverridePolicy.
    OverridePolicy,
    /// `policy.karmada.io/v1alpha1` ClusterOverridePolicy.
    ClusterOverridePolicy,
    /// `policy.karmada.io/v1alpha1` ClusterTaintPolicy.
    ClusterTaintPolicy,
    /// `work.karmada.io/v1alpha2` ResourceBinding.
    ResourceBinding,
    /// `work.karmada.io/v1alpha2` ClusterResourceBinding.
    ClusterResourceBinding,
    /// `work.karmada.io/v1alpha1` Work.
    Work,
    /// `config.karmada.io/v1alpha1` ResourceInterpreterCustomization.
    ResourceInterpreterCustomization,
}

impl KarmadaKind {
    /// Every modelled kind.
    pub const ALL: [KarmadaKind; 10] = [
        KarmadaKind::Cluster,
        KarmadaKind::PropagationPolicy,
        KarmadaKind::ClusterPropagationPolicy,
        KarmadaKind::OverridePolicy,
        KarmadaKind::ClusterOverridePolicy,
        KarmadaKind::ClusterTaintPolicy,
        KarmadaKind::ResourceBinding,
        KarmadaKind::ClusterResourceBinding,
        KarmadaKind::Work,
        KarmadaKind::ResourceInterpreterCustomization,
    ];

    /// The kind's name, e.g. `PropagationPolicy`.
    pub fn kind(self) -> &'static str {
        match self {
            KarmadaKind::Cluster => "Cluster",
            KarmadaKind::PropagationPolicy => "PropagationPolicy",
            KarmadaKind::ClusterPropagationPolicy => "ClusterPropagationPolicy",
            KarmadaKind::OverridePolicy => "OverridePolicy",
            KarmadaKind::ClusterOverridePolicy => "ClusterOverridePolicy",
            KarmadaKind::ClusterTaintPolicy => "ClusterTaintPolicy",
            KarmadaKind::ResourceBinding => "ResourceBinding",
            KarmadaKind::ClusterResourceBinding => "ClusterResourceBinding",
            KarmadaKind::Work => "Work",
            KarmadaKind::ResourceInterpreterCustomization => "ResourceInterpreterCustomization",
        }
    }

    /// The `apiVersion` fedplan models for the kind.
    pub fn api_version(self) -> &'static str {
        match self {
            KarmadaKind::Cluster => "cluster.karmada.io/v1alpha1",
            KarmadaKind::PropagationPolicy
            | KarmadaKind::ClusterPropagationPolicy
            | KarmadaKind::OverridePolicy
            | KarmadaKind::ClusterOverridePolicy
            | KarmadaKind::ClusterTaintPolicy => "policy.karmada.io/v1alpha1",
            KarmadaKind::ResourceBinding | KarmadaKind::ClusterResourceBinding => {
                "work.karmada.io/v1alpha2"
            }
            KarmadaKind::Work => "work.karmada.io/v1alpha1",
            KarmadaKind::ResourceInterpreterCustomization => "config.karmada.io/v1alpha1",
        }
    }

    /// Whether objects of the kind live in a namespace.
    pub fn is_namespaced(self) -> bool {
        matches!(
            self,
            KarmadaKind::PropagationPolicy
                | KarmadaKind::OverridePolicy
                | KarmadaKind::ResourceBinding
                | KarmadaKind::Work
        )
    }

    /// The modelled kind with exactly this `apiVersion` and `kind`.
    pub fn of(api_version: &str, kind: &str) -> Option<KarmadaKind> {
        KarmadaKind::ALL
            .into_iter()
            .find(|k| k.kind() == kind && k.api_version() == api_version)
    }

    /// A modelled kind with this `kind` in the same API group but another version, e.g.
    /// `work.karmada.io/v1alpha1` ResourceBinding. Such objects load as templates; this lets
    /// messages point out the likely mistake.
    pub fn other_version_of(api_version: &str, kind: &str) -> Option<KarmadaKind> {
        let group = |v: &str| {
            v.rsplit_once('/')
                .map(|(g, _)| g.to_string())
                .unwrap_or_default()
        };
        KarmadaKind::ALL.into_iter().find(|k| {
            k.kind() == kind
                && k.api_version() != api_version
                && group(k.api_version()) == group(api_version)
        })
    }
}

impl fmt::Display for KarmadaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind())
    }
}

/// A Karmada object deserialized into its type.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    /// A member cluster.
    Cluster(Box<api::Cluster>),
    /// A PropagationPolicy.
    PropagationPolicy(Box<api::PropagationPolicy>),
    /// A ClusterPropagationPolicy.
    ClusterPropagationPolicy(Box<api::ClusterPropagationPolicy>),
    /// An OverridePolicy.
    OverridePolicy(Box<api::OverridePolicy>),
    /// A ClusterOverridePolicy.
    ClusterOverridePolicy(Box<api::ClusterOverridePolicy>),
    /// A ClusterTaintPolicy.
    ClusterTaintPolicy(Box<api::ClusterTaintPolicy>),
    /// A ResourceBinding.
    ResourceBinding(Box<api::ResourceBinding>),
    /// A ClusterResourceBinding.
    ClusterResourceBinding(Box<api::ClusterResourceBinding>),
    /// A Work.
    Work(Box<api::Work>),
    /// A ResourceInterpreterCustomization, kept as JSON.
    ResourceInterpreterCustomization(Box<Value>),
}

impl Typed {
    /// Deserializes `value`, an object of `kind`, into its type.
    pub fn decode(kind: KarmadaKind, value: &Value) -> Result<Typed, FieldError> {
        Ok(match kind {
            KarmadaKind::Cluster => Typed::Cluster(decode(value)?),
            KarmadaKind::PropagationPolicy => Typed::PropagationPolicy(decode(value)?),
            KarmadaKind::ClusterPropagationPolicy => {
                Typed::ClusterPropagationPolicy(decode(value)?)
            }
            KarmadaKind::OverridePolicy => Typed::OverridePolicy(decode(value)?),
            KarmadaKind::ClusterOverridePolicy => Typed::ClusterOverridePolicy(decode(value)?),
            KarmadaKind::ClusterTaintPolicy => Typed::ClusterTaintPolicy(decode(value)?),
            KarmadaKind::ResourceBinding => Typed::ResourceBinding(decode(value)?),
            KarmadaKind::ClusterResourceBinding => Typed::ClusterResourceBinding(decode(value)?),
            KarmadaKind::Work => Typed::Work(decode(value)?),
            KarmadaKind::ResourceInterpreterCustomization => {
                check_object_fields(value, &["spec"])?;
                Typed::ResourceInterpreterCustomization(Box::new(value.clone()))
            }
        })
    }

    /// The object as JSON, in Karmada's serialization (empty optional fields left out).
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        match self {
            Typed::Cluster(o) => serde_json::to_value(o),
            Typed::PropagationPolicy(o) => serde_json::to_value(o),
            Typed::ClusterPropagationPolicy(o) => serde_json::to_value(o),
            Typed::OverridePolicy(o) => serde_json::to_value(o),
            Typed::ClusterOverridePolicy(o) => serde_json::to_value(o),
            Typed::ClusterTaintPolicy(o) => serde_json::to_value(o),
            Typed::ResourceBinding(o) => serde_json::to_value(o),
            Typed::ClusterResourceBinding(o) => serde_json::to_value(o),
            Typed::Work(o) => serde_json::to_value(o),
            Typed::ResourceInterpreterCustomization(o) => Ok((**o).clone()),
        }
    }
}

/// Fails when one of `fields` is present but not an object.
fn check_object_fields(value: &Value, fields: &[&str]) -> Result<(), FieldError> {
    for field in fields {
        match value.get(field) {
            None | Some(Value::Null) | Some(Value::Object(_)) => {}
            Some(other) => {
                return Err(FieldError {
                    path: (*field).to_string(),
                    message: format!(
                        "invalid type: {}, expected a struct",
                        crate::resource::json_type(other)
                    ),
                })
            }
        }
    }
    Ok(())
}

/// A Karmada object of a modelled kind: its type and the object as it was loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct KarmadaObject {
    /// Its kind.
    pub kind: KarmadaKind,
    /// The object deserialized into its type.
    pub typed: Typed,
    /// The object as loaded (every field, as written).
    pub resource: Resource,
}

/// A loaded object: a Karmada object, or a resource template (any other kind).
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// An object of a Karmada kind fedplan models.
    Karmada(KarmadaObject),
    /// Anything else: a resource template Karmada may propagate (Deployment, a CRD, a
    /// Karmada kind fedplan does not model, ...).
    Template(Resource),
}

impl Object {
    /// The object as a [`Resource`], whatever its kind.
    pub fn resource(&self) -> &Resource {
        match self {
            Object::Karmada(object) => &object.resource,
            Object::Template(resource) => resource,
        }
    }
}

/// A value that does not fit a type, with the path of the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct FieldError {
    /// Path of the field, e.g. `spec.placement.replicaScheduling.replicaSchedulingType` or
    /// `spec.resourceSelectors[0].kind`; empty when the value as a whole does not fit.
    pub path: String,
    /// What is wrong (serde's message: unknown variant, invalid type, missing field, ...).
    pub message: String,
}

/// Deserializes `value` into `T`, reporting the path of the first field that does not fit.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Spec { replicas: i32 }
/// #[derive(serde::Deserialize)]
/// struct Object { spec: Spec }
///
/// let error = fedplan::load::decode::<Object>(&serde_json::json!({"spec": {"replicas": "2"}}))
///     .err()
///     .unwrap();
/// assert_eq!(error.path, "spec.replicas");
/// ```
pub fn decode<T: DeserializeOwned>(value: &Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        FieldError {
            path: if path == "." { String::new() } else { path },
            message: error.into_inner().to_string(),
        }
    })
}

/// Classifies a loaded document: objects of a modelled Karmada kind are deserialized into
/// their type; everything else is a template.
pub(crate) fn classify(document: Document) -> Result<LoadedObject, LoadError> {
    let Document { origin, resource } = document;
    let object = match KarmadaKind::of(resource.api_version(), resource.kind()) {
        None => Object::Template(resource),
        Some(kind) => match Typed::decode(kind, resource.as_value()) {
            Ok(typed) => Object::Karmada(KarmadaObject {
                kind,
                typed,
                resource,
            }),
            Err(error) => {
                return Err(LoadError::Invalid {
                    origin,
                    object: resource.object_ref(),
                    field: error.path,
                    message: error.message,
                })
            }
        },
    };
    Ok(LoadedObject { origin, object })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_by_exact_api_version() {
        for kind in KarmadaKind::ALL {
            assert_eq!(KarmadaKind::of(kind.api_version(), kind.kind()), Some(kind));
        }
        assert_eq!(KarmadaKind::of("apps/v1", "Deployment"), None);
        assert_eq!(
            KarmadaKind::of("work.karmada.io/v1alpha1", "ResourceBinding"),
            None
        );
        assert_eq!(
            KarmadaKind::other_version_of("work.karmada.io/v1alpha1", "ResourceBinding"),
            Some(KarmadaKind::ResourceBinding)
        );
        assert_eq!(
            KarmadaKind::other_version_of("policy.karmada.io/v1alpha1", "FederatedResourceQuota"),
            None
        );
        assert_eq!(
            KarmadaKind::other_version_of("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
            None
        );
    }

    #[test]
    fn decode_reports_paths() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        struct Item {
            kind: String,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        struct Spec {
            resource_selectors: Vec<Item>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Obj {
            spec: Spec,
        }
        let cases = [
            (
                serde_json::json!({"spec": {"resourceSelectors": [{"kind": "A"}, {"kind": 1}]}}),
                "spec.resourceSelectors[1].kind",
            ),
            (serde_json::json!({}), ""),
            (serde_json::json!({"spec": {}}), "spec"),
        ];
        for (value, path) in cases {
            let error = decode::<Obj>(&value).expect_err("must fail");
            assert_eq!(error.path, path, "{error}");
        }
    }
}
