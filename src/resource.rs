//! Resource templates and member objects as JSON: a thin, checked wrapper over
//! [`serde_json::Value`].
//!
//! Karmada propagates objects of any kind, so fedplan keeps templates as JSON and reads only
//! the metadata every Kubernetes object shares. [`Resource::from_value`] checks that shared
//! part once (an object with string `apiVersion` and `kind`, and, where present, metadata
//! fields of the right JSON types), so the accessors afterwards never fail.
//!
//! ```
//! use fedplan::resource::Resource;
//! use serde_json::json;
//!
//! let deployment = Resource::from_value(json!({
//!     "apiVersion": "apps/v1",
//!     "kind": "Deployment",
//!     "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}},
//!     "spec": {"replicas": 2}
//! }))?;
//! assert_eq!(deployment.group(), "apps");
//! assert_eq!(deployment.label("app"), Some("nginx"));
//! assert_eq!(deployment.object_ref().to_string(), "Deployment default/nginx");
//! # Ok::<(), fedplan::resource::ResourceError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Errors for objects whose shared Kubernetes part is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceError {
    /// The value is not a JSON object (a scalar or a list where an object was expected).
    #[error("expected an object, found {found}")]
    NotAnObject {
        /// JSON type that was found (`string`, `array`, ...).
        found: &'static str,
    },
    /// A field every object needs is absent or empty.
    #[error("{field}: required field is missing")]
    MissingField {
        /// Path of the field, e.g. `metadata.name`.
        field: String,
    },
    /// A field has the wrong JSON type.
    #[error("{field}: expected {expected}, found {found}")]
    WrongType {
        /// Path of the field, e.g. `metadata.labels.app`.
        field: String,
        /// The JSON type Kubernetes requires.
        expected: &'static str,
        /// The JSON type that was found.
        found: &'static str,
    },
}

/// Identity of an object: kind, namespace and name, with its `apiVersion`.
///
/// Displays as `Kind namespace/name` (or `Kind name` for cluster-scoped objects), the form
/// used in every fedplan message.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// `apiVersion`, e.g. `apps/v1`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// Kind, e.g. `Deployment`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Namespace; empty for cluster-scoped objects.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

impl ObjectRef {
    /// The identity fields that can be read from `value`, however malformed the rest is.
    ///
    /// Fields that are absent or not strings are left empty; this never fails, so error
    /// messages can name whatever part of an object is readable.
    pub fn read_lenient(value: &Value) -> Self {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
        let metadata = value.get("metadata");
        ObjectRef {
            api_version: text(value.get("apiVersion")),
            kind: text(value.get("kind")),
            namespace: text(metadata.and_then(|m| m.get("namespace"))),
            name: text(metadata.and_then(|m| m.get("name"))),
        }
    }

    /// Whether nothing identifying could be read.
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty() && self.namespace.is_empty() && self.name.is_empty()
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.kind.is_empty() {
            "object"
        } else {
            self.kind.as_str()
        };
        match (self.namespace.is_empty(), self.name.is_empty()) {
            (_, true) if self.namespace.is_empty() => write!(f, "{kind} <unnamed>"),
            (false, true) => write!(f, "{kind} {}/<unnamed>", self.namespace),
            (true, false) => write!(f, "{kind} {}", self.name),
            _ => write!(f, "{kind} {}/{}", self.namespace, self.name),
        }
    }
}

/// A Kubernetes object of any kind, held as JSON, whose shared metadata has been checked.
///
/// Serializes as the plain object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Resource {
    value: Value,
}

/// JSON type name of a value, for messages.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check_string(object: &Map<String, Value>, key: &str, path: &str) -> Result<(), ResourceError> {
    match object.get(key) {
        None | Some(Value::Null) | Some(Value::String(_)) => Ok(()),
        Some(other) => Err(ResourceError::WrongType {
            field: path.to_string(),
            expected: "string",
            found: json_type(other),
        }),
    }
}

fn check_string_map(
    object: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<(), ResourceError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(map)) => {
            for (k, v) in map {
                if !v.is_string() {
                    return Err(ResourceError::WrongType {
                        field: format!("{path}.{k}"),
                        expected: "string",
                        found: json_type(v),
                    });
                }
            }
            Ok(())
        }
        Some(other) => Err(ResourceError::WrongType {
            field: path.to_string(),
            expected: "object",
            found: json_type(other),
        }),
    }
}

fn required_string(object: &Map<String, Value>, key: &str) -> Result<(), ResourceError> {
    match object.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(()),
        None | Some(Value::Null) | Some(Value::String(_)) => Err(ResourceError::MissingField {
            field: key.to_string(),
        }),
        Some(other) => Err(ResourceError::WrongType {
            field: key.to_string(),
            expected: "string",
            found: json_type(other),
        }),
    }
}

impl Resource {
    /// Checks the shared part of `value` and wraps it.
    ///
    /// Requires an object with non-empty string `apiVersion` and `kind`; `metadata`, when
    /// present, must be an object whose `name`, `namespace`, `uid` are strings, `labels` and
    /// `annotations` maps of strings and `generation` an integer. The name may be empty:
    /// use [`Resource::require_name`] where Kubernetes requires one.
    pub fn from_value(value: Value) -> Result<Self, ResourceError> {
        let object = value.as_object().ok_or(ResourceError::NotAnObject {
            found: json_type(&value),
        })?;
        required_string(object, "apiVersion")?;
        required_string(object, "kind")?;
        match object.get("metadata") {
            None | Some(Value::Null) => {}
            Some(Value::Object(metadata)) => {
                for key in [
                    "name",
                    "namespace",
                    "uid",
                    "generateName",
                    "resourceVersion",
                ] {
                    check_string(metadata, key, &format!("metadata.{key}"))?;
                }
                check_string_map(metadata, "labels", "metadata.labels")?;
                check_string_map(metadata, "annotations", "metadata.annotations")?;
                match metadata.get("generation") {
                    None | Some(Value::Null) => {}
                    Some(Value::Number(n)) if n.is_i64() => {}
                    Some(other) => {
                        return Err(ResourceError::WrongType {
                            field: "metadata.generation".to_string(),
                            expected: "integer",
                            found: json_type(other),
                        })
                    }
                }
            }
            Some(other) => {
                return Err(ResourceError::WrongType {
                    field: "metadata".to_string(),
                    expected: "object",
                    found: json_type(other),
                })
            }
        }
        Ok(Resource { value })
    }

    /// Fails with [`ResourceError::MissingField`] when `metadata.name` is absent or empty.
    pub fn require_name(&self) -> Result<(), ResourceError> {
        if self.name().is_empty() {
            Err(ResourceError::MissingField {
                field: "metadata.name".to_string(),
            })
        } else {
            Ok(())
        }
    }

    fn str_field(&self, key: &str) -> &str {
        self.value.get(key).and_then(Value::as_str).unwrap_or("")
    }

    fn metadata_str(&self, key: &str) -> &str {
        self.metadata()
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    fn metadata(&self) -> Option<&Map<String, Value>> {
        self.value.get("metadata").and_then(Value::as_object)
    }

    fn metadata_map(&self, key: &str) -> BTreeMap<&str, &str> {
        self.metadata()
            .and_then(|m| m.get(key))
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `apiVersion`, e.g. `apps/v1` or `v1`.
    pub fn api_version(&self) -> &str {
        self.str_field("apiVersion")
    }

    /// API group: the part of `apiVersion` before `/`, empty for the core group.
    pub fn group(&self) -> &str {
        self.api_version()
            .rsplit_once('/')
            .map(|(group, _)| group)
            .unwrap_or("")
    }

    /// API version without the group, e.g. `v1`.
    pub fn version(&self) -> &str {
        let api_version = self.api_version();
        api_version
            .rsplit_once('/')
            .map(|(_, version)| version)
            .unwrap_or(api_version)
    }

    /// Kind, e.g. `Deployment`.
    pub fn kind(&self) -> &str {
        self.str_field("kind")
    }

    /// `metadata.namespace`, empty when absent.
    pub fn namespace(&self) -> &str {
        self.metadata_str("namespace")
    }

    /// `metadata.name`, empty when absent.
    pub fn name(&self) -> &str {
        self.metadata_str("name")
    }

    /// `metadata.uid`, empty when absent.
    pub fn uid(&self) -> &str {
        self.metadata_str("uid")
    }

    /// `metadata.generation`, if set.
    pub fn generation(&self) -> Option<i64> {
        self.metadata()
            .and_then(|m| m.get("generation"))
            .and_then(Value::as_i64)
    }

    /// `metadata.labels`, sorted by key.
    pub fn labels(&self) -> BTreeMap<&str, &str> {
        self.metadata_map("labels")
    }

    /// One label's value.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.metadata()
            .and_then(|m| m.get("labels"))
            .and_then(|l| l.get(key))
            .and_then(Value::as_str)
    }

    /// `metadata.annotations`, sorted by key.
    pub fn annotations(&self) -> BTreeMap<&str, &str> {
        self.metadata_map("annotations")
    }

    /// One annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata()
            .and_then(|m| m.get("annotations"))
            .and_then(|l| l.get(key))
            .and_then(Value::as_str)
    }

    /// The object's identity.
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            api_version: self.api_version().to_string(),
            kind: self.kind().to_string(),
            namespace: self.namespace().to_string(),
            name: self.name().to_string(),
        }
    }

    /// The object as JSON.
    pub fn as_value(&self) -> &Value {
        &self.value
    }

    /// The object as JSON, consuming the wrapper.
    pub fn into_value(self) -> Value {
        self.value
    }

    fn metadata_mut(&mut self) -> &mut Map<String, Value> {
        let metadata = as_object_mut(&mut self.value)
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        as_object_mut(metadata)
    }

    fn metadata_entry_map(&mut self, key: &str) -> &mut Map<String, Value> {
        let entry = self
            .metadata_mut()
            .entry(key)
            .or_insert_with(|| Value::Object(Map::new()));
        as_object_mut(entry)
    }

    /// Sets `metadata.namespace`.
    pub fn set_namespace(&mut self, namespace: &str) {
        self.metadata_mut().insert(
            "namespace".to_string(),
            Value::String(namespace.to_string()),
        );
    }

    /// Sets one label.
    pub fn set_label(&mut self, key: &str, value: &str) {
        self.metadata_entry_map("labels")
            .insert(key.to_string(), Value::String(value.to_string()));
    }

    /// Sets one annotation.
    pub fn set_annotation(&mut self, key: &str, value: &str) {
        self.metadata_entry_map("annotations")
            .insert(key.to_string(), Value::String(value.to_string()));
    }
}

/// `value` as a mutable object, replacing it by an empty object when it is anything else.
fn as_object_mut(value: &mut Value) -> &mut Map<String, Value> {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    match value {
        Value::Object(map) => map,
        _ => unreachable!("the value was made an object above"),
    }
}

impl TryFrom<Value> for Resource {
    type Error = ResourceError;
    fn try_from(value: Value) -> Result<Self, Self::Error> {
        Resource::from_value(value)
    }
}

impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Resource::from_value(value).map_err(serde::de::Error::custom)
    }
}

impl From<Resource> for Value {
    fn from(resource: Resource) -> Self {
        resource.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn malformed_objects_give_typed_errors() {
        let cases: Vec<(Value, ResourceError)> = vec![
            (json!([1]), ResourceError::NotAnObject { found: "array" }),
            (
                json!({"kind": "Deployment"}),
                ResourceError::MissingField {
                    field: "apiVersion".into(),
                },
            ),
            (
                json!({"apiVersion": "v1", "kind": ""}),
                ResourceError::MissingField {
                    field: "kind".into(),
                },
            ),
            (
                json!({"apiVersion": 1, "kind": "Pod"}),
                ResourceError::WrongType {
                    field: "apiVersion".into(),
                    expected: "string",
                    found: "number",
                },
            ),
            (
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": "x"}),
                ResourceError::WrongType {
                    field: "metadata".into(),
                    expected: "object",
                    found: "string",
                },
            ),
            (
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": 3}}),
                ResourceError::WrongType {
                    field: "metadata.name".into(),
                    expected: "string",
                    found: "number",
                },
            ),
            (
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"a": 1}}}),
                ResourceError::WrongType {
                    field: "metadata.labels.a".into(),
                    expected: "string",
                    found: "number",
                },
            ),
            (
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"annotations": []}}),
                ResourceError::WrongType {
                    field: "metadata.annotations".into(),
                    expected: "object",
                    found: "array",
                },
            ),
            (
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"generation": "2"}}),
                ResourceError::WrongType {
                    field: "metadata.generation".into(),
                    expected: "integer",
                    found: "string",
                },
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(
                Resource::from_value(value.clone()),
                Err(expected),
                "{value}"
            );
        }
    }

    #[test]
    fn accessors_read_metadata() {
        let r = Resource::from_value(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cm", "uid": "u-1", "generation": 3,
                         "annotations": {"b": "2", "a": "1"}}
        }))
        .unwrap();
        assert_eq!(r.group(), "");
        assert_eq!(r.version(), "v1");
        assert_eq!(r.namespace(), "");
        assert_eq!(r.uid(), "u-1");
        assert_eq!(r.generation(), Some(3));
        assert_eq!(
            r.annotations().into_iter().collect::<Vec<_>>(),
            [("a", "1"), ("b", "2")]
        );
        assert!(r.labels().is_empty());
        assert_eq!(r.require_name(), Ok(()));
        assert_eq!(r.object_ref().to_string(), "ConfigMap cm");
    }

    #[test]
    fn setters_create_missing_metadata() {
        let mut r = Resource::from_value(json!({"apiVersion": "v1", "kind": "Pod"})).unwrap();
        assert!(r.require_name().is_err());
        r.set_namespace("ns");
        r.set_label("app", "web");
        r.set_annotation("note", "x");
        assert_eq!(r.namespace(), "ns");
        assert_eq!(r.label("app"), Some("web"));
        assert_eq!(r.annotation("note"), Some("x"));
    }

    #[test]
    fn object_ref_display() {
        let cases = [
            (
                json!({"kind": "Pod", "metadata": {"name": "p", "namespace": "n"}}),
                "Pod n/p",
            ),
            (
                json!({"kind": "Cluster", "metadata": {"name": "m1"}}),
                "Cluster m1",
            ),
            (json!({"kind": "Pod"}), "Pod <unnamed>"),
            (
                json!({"metadata": {"namespace": "n"}}),
                "object n/<unnamed>",
            ),
            (json!(42), "object <unnamed>"),
        ];
        for (value, expected) in cases {
            assert_eq!(ObjectRef::read_lenient(&value).to_string(), expected);
        }
    }
}
