//! The fields an operation reads.
//!
//! Most of a Kubernetes object is of no interest to a given operation: InterpretReplica of a
//! training job reads the replica count and a few fields of one pod template, not the
//! container commands, environment, volumes or the other templates. Serializing all of it,
//! and parsing it again into a `serde_json::Value` in the plugin, is most of the cost of a
//! call. A plugin that lists the fields it reads
//! ([`Interpreter::fields`](crate::Interpreter::fields)) tells the host (the world's
//! `fields` interface), which then sends an object holding those fields, exactly as they
//! were, and nothing else. [`Fields::parse`] cuts JSON text down the same way, for checking
//! the lists in a plugin's tests ([`fields_suffice`](crate::fields_suffice)).

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Number, Value};

/// A set of dotted paths into a JSON object (`spec.replicas`, `spec.template.spec`).
///
/// A path keeps the whole value it ends at. Lists are kept element by element: a segment
/// after a list applies to every element, so `spec.containers.resources` keeps the
/// `resources` of every container (write no index). Objects on the way to a kept field stay
/// objects holding only the kept fields; a value on the way that is not an object or a list
/// is kept as it is, so a plugin still sees, and can report, a field of the wrong type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    whole: bool,
    /// Few per node, so a list: comparing a key against each is cheaper in a plugin than
    /// the ordered comparisons of a map (mostly a length check).
    children: Vec<(String, Fields)>,
}

impl Fields {
    /// No fields yet; add them with [`Fields::with`].
    pub fn new() -> Self {
        Fields::default()
    }

    /// These fields and the one at `path`.
    pub fn with(mut self, path: &str) -> Self {
        self.insert(path);
        self
    }

    /// These fields and each of `paths` (relative to `prefix`): e.g. the fields a helper
    /// reads of a pod template, under where the template is.
    pub fn with_under(mut self, prefix: &str, paths: &[&str]) -> Self {
        let node = self.node(prefix);
        for path in paths {
            if node.whole {
                break;
            }
            node.node(path).keep_whole();
        }
        self
    }

    fn insert(&mut self, path: &str) {
        self.node(path).keep_whole();
    }

    /// The node at `path`, created if missing. Below a node kept whole it is a scratch node
    /// that parsing never reads: the whole value wins.
    fn node(&mut self, path: &str) -> &mut Fields {
        let mut node = self;
        for segment in path.split('.').filter(|s| !s.is_empty()) {
            let index = match node.children.iter().position(|(key, _)| key == segment) {
                Some(index) => index,
                None => {
                    node.children.push((segment.to_string(), Fields::default()));
                    node.children.len() - 1
                }
            };
            node = &mut node.children[index].1;
        }
        node
    }

    fn keep_whole(&mut self) {
        self.whole = true;
        self.children.clear();
    }

    /// The kept fields as dotted paths, in the order they were added: what the plugin
    /// tells the host (the `fields` interface), which then sends only these. `None` when
    /// the whole value is kept.
    ///
    /// The object the host builds from the paths holds at least what [`Fields::parse`]
    /// keeps (a node listed with no field below it is sent whole), and cut down by these
    /// fields it gives the same value as the whole.
    pub fn paths(&self) -> Option<Vec<String>> {
        if self.whole {
            return None;
        }
        let mut paths = Vec::new();
        self.collect_paths(&mut String::new(), &mut paths);
        Some(paths)
    }

    fn collect_paths(&self, prefix: &mut String, paths: &mut Vec<String>) {
        for (key, child) in &self.children {
            let length = prefix.len();
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(key);
            if child.whole || child.children.is_empty() {
                paths.push(prefix.clone());
            } else {
                child.collect_paths(prefix, paths);
            }
            prefix.truncate(length);
        }
    }

    /// Parses `json`, keeping only these fields. Errors are those of `serde_json::from_str`
    /// on the same text.
    pub fn parse(&self, json: &str) -> Result<Value, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let value = Projection(self).deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(value)
    }
}

/// Deserializes a value keeping only the fields of a [`Fields`] node.
struct Projection<'f>(&'f Fields);

impl<'de> DeserializeSeed<'de> for Projection<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if self.0.whole {
            Value::deserialize(deserializer)
        } else {
            deserializer.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for Projection<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Projection(self.0))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut kept = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let wanted = key.as_str();
            match self.0.children.iter().find(|(name, _)| name == wanted) {
                Some((_, child)) => {
                    let value = map.next_value_seed(Projection(child))?;
                    kept.insert(key.into_string(), value);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(kept))
    }
}

/// An object key, borrowed from the text when it has no escapes (skipped fields then cost
/// no allocation).
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }

    fn into_string(self) -> String {
        match self {
            Key::Borrowed(s) => s.to_string(),
            Key::Owned(s) => s,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object() -> Value {
        json!({
            "apiVersion": "v1", "kind": "Job",
            "metadata": {"name": "a", "namespace": "ns", "labels": {"x": "y"}},
            "spec": {
                "replicas": 3,
                "template": {"spec": {
                    "containers": [
                        {"name": "a", "image": "i", "resources": {"requests": {"cpu": "1"}}},
                        {"name": "b", "env": [{"name": "E", "value": "v"}]}
                    ],
                    "nodeSelector": "not an object"
                }},
                "esc\"aped": {"k": 1}
            }
        })
    }

    #[test]
    fn keeps_exactly_the_listed_fields() {
        let text = object().to_string();
        let cases: Vec<(Fields, Value)> = vec![
            (Fields::new(), json!({})),
            (Fields::new().with(""), object()),
            (
                Fields::new()
                    .with("metadata.namespace")
                    .with("spec.replicas"),
                json!({"metadata": {"namespace": "ns"}, "spec": {"replicas": 3}}),
            ),
            (
                Fields::new().with_under(
                    "spec.template.spec",
                    &["containers.resources", "nodeSelector"],
                ),
                json!({"spec": {"template": {"spec": {
                    "containers": [{"resources": {"requests": {"cpu": "1"}}}, {}],
                    "nodeSelector": "not an object"
                }}}}),
            ),
            (
                Fields::new().with("metadata").with("metadata.name"),
                json!({"metadata": {"name": "a", "namespace": "ns", "labels": {"x": "y"}}}),
            ),
            (
                Fields::new().with("metadata.name").with("metadata"),
                json!({"metadata": {"name": "a", "namespace": "ns", "labels": {"x": "y"}}}),
            ),
            (
                Fields::new().with("spec.esc\"aped.k"),
                json!({"spec": {"esc\"aped": {"k": 1}}}),
            ),
            (Fields::new().with("kind.deeper"), json!({"kind": "Job"})),
            (Fields::new().with("missing.path"), json!({})),
        ];
        for (fields, want) in cases {
            assert_eq!(fields.parse(&text).unwrap(), want, "{fields:?}");
        }
    }

    #[test]
    fn paths_rebuild_the_same_fields() {
        let text = object().to_string();
        let cases = [
            Fields::new(),
            Fields::new()
                .with("metadata.namespace")
                .with("spec.replicas"),
            Fields::new().with_under(
                "spec.template.spec",
                &["containers.resources", "nodeSelector"],
            ),
            Fields::new().with("metadata").with("metadata.name"),
            Fields::new().with("spec.esc\"aped.k").with("kind.deeper"),
            Fields::new().with_under("spec.template", &[]).with("kind"),
        ];
        for fields in cases {
            let paths = fields.paths().expect("not whole");
            let sent = paths
                .iter()
                .fold(Fields::new(), |sent, path| sent.with(path))
                .parse(&text)
                .unwrap();
            assert_eq!(
                fields.parse(&sent.to_string()).unwrap(),
                fields.parse(&text).unwrap(),
                "{paths:?}"
            );
        }
        assert_eq!(Fields::new().with("").paths(), None);
        assert_eq!(
            Fields::new().with("a.b").with("c").paths(),
            Some(vec!["a.b".to_string(), "c".to_string()])
        );
    }

    #[test]
    fn invalid_json_anywhere_is_an_error() {
        let fields = Fields::new().with("spec.replicas");
        for text in [
            r#"{"spec": {"replicas": 1}, "other": [1, 2"#,
            r#"{"spec": {"replicas": 1}, "other": tru}"#,
            r#"{"spec": {"replicas": 1}} trailing"#,
            "",
        ] {
            assert!(fields.parse(text).is_err(), "{text}");
            assert!(serde_json::from_str::<Value>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn scalars_and_lists_at_the_top_are_kept() {
        let fields = Fields::new().with("a");
        assert_eq!(
            fields.parse("[{\"a\": 1, \"b\": 2}, 3]").unwrap(),
            json!([{"a": 1}, 3])
        );
        assert_eq!(fields.parse("\"s\"").unwrap(), json!("s"));
        assert_eq!(fields.parse("1.5").unwrap(), json!(1.5));
        assert_eq!(fields.parse("null").unwrap(), Value::Null);
    }
}
