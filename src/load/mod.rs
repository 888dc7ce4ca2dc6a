//! Loading Kubernetes and Karmada objects from files, directories and standard input.
//!
//! Inputs are multi-document YAML (feature `yaml`) or JSON (one value, an array, or values
//! one after another). A `List` (or any `…List` kind with `items`) and a top-level array are
//! flattened into their items. Directories are read recursively, sorted by path, keeping
//! `.yaml`, `.yml` and `.json` files; `-` reads standard input.
//!
//! Every document carries its [`Origin`] (file, document number, item index). Loading never
//! stops at the first bad document: the result holds every good document and one
//! [`LoadError`] per bad one, each naming the file, the document, the object when its kind or
//! name is readable, and the field or line at fault. Documents without content (a lone
//! `---`, comments) are skipped and not counted.
//!
//! Three stages, each building on the one before:
//! [`Loader::values`] (parsed JSON, for inputs that are not Kubernetes objects),
//! [`Loader::resources`] (checked [`Resource`]s) and [`Loader::objects`] (Karmada kinds told
//! apart from resource templates and deserialized into their types).
//!
//! ```
//! use fedplan::load::{Loader, Object};
//!
//! let text = r#"
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata: {name: nginx, namespace: default}
//! ---
//! apiVersion: policy.karmada.io/v1alpha1
//! kind: PropagationPolicy
//! metadata: {name: nginx, namespace: default}
//! spec: {resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: nginx}]}
//! "#;
//! let loaded = Loader::new().objects_from_str("app.yaml", text);
//! assert!(loaded.errors.is_empty());
//! assert!(matches!(loaded.items[0].object, Object::Template(_)));
//! assert_eq!(loaded.items[1].origin.to_string(), "app.yaml document 2");
//! ```

// A load error names its document and object in full, so messages never need a second
// look-up; errors are built once per bad document, off the hot path.
#![allow(clippy::result_large_err)]

mod files;
mod kinds;
mod text;

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::resource::{json_type, ObjectRef, Resource, ResourceError};

pub use kinds::{decode, FieldError, KarmadaKind, KarmadaObject, Object, Typed};

use files::Input;
use text::Format;

/// Name used for standard input in messages.
pub const STDIN_NAME: &str = "<stdin>";

/// Where a document came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// The file as named on the command line (entries of a directory joined onto it), or
    /// [`STDIN_NAME`].
    pub file: String,
    /// 1-based number of the document in the file, counting documents with content only.
    /// `0` for errors about the whole file (it could not be read).
    pub document: usize,
    /// 0-based index in the `items` of a `List` (or in a top-level array).
    pub item: Option<usize>,
    /// 1-based line where the document starts, when known.
    pub line: Option<usize>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if self.document > 0 {
            write!(f, " document {}", self.document)?;
        }
        if let Some(item) = self.item {
            write!(f, " items[{item}]")?;
        }
        Ok(())
    }
}

/// `" (Kind namespace/name)"`, or nothing when the object has no readable identity.
struct ObjectLabel<'a>(&'a ObjectRef);

impl fmt::Display for ObjectLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            Ok(())
        } else {
            write!(f, " ({})", self.0)
        }
    }
}

/// `"field: "` for a non-empty field path.
struct FieldPrefix<'a>(&'a str);

impl fmt::Display for FieldPrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            Ok(())
        } else {
            write!(f, "{}: ", self.0)
        }
    }
}

/// Why a file or document could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// A path could not be read (missing, unreadable, a directory that cannot be listed).
    #[error("{path}: {message}")]
    Read {
        /// The path as named.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A file is not valid UTF-8 text.
    #[error("{path}: not UTF-8 text: {message}")]
    Encoding {
        /// The path as named.
        path: String,
        /// Where the first invalid byte is.
        message: String,
    },
    /// A YAML input was given to a build without YAML support.
    #[error("{path}: YAML input needs fedplan built with the `yaml` feature")]
    YamlUnsupported {
        /// The path as named.
        path: String,
    },
    /// A document is not well-formed YAML or JSON.
    #[error("{origin}: {message}")]
    Syntax {
        /// The document.
        origin: Origin,
        /// 1-based line of the error in the file, when known.
        line: Option<usize>,
        /// 1-based column of the error, when known.
        column: Option<usize>,
        /// The parser's message (its line numbers count from the start of the file).
        message: String,
    },
    /// A document (or list item) is not an object.
    #[error("{origin}: expected an object, found {found}")]
    NotAnObject {
        /// The document.
        origin: Origin,
        /// JSON type found.
        found: &'static str,
    },
    /// The metadata every Kubernetes object shares is malformed (missing `kind`, a name
    /// that is not a string, ...).
    #[error("{origin}{}: {error}", ObjectLabel(object))]
    Malformed {
        /// The document.
        origin: Origin,
        /// What could be read of the object's identity.
        object: ObjectRef,
        /// What is wrong.
        #[source]
        error: ResourceError,
    },
    /// A field does not fit its type (wrong JSON type, unknown enum value, a `List` whose
    /// `items` is not an array, ...).
    #[error("{origin}{}: {}{message}", ObjectLabel(object), FieldPrefix(field))]
    Invalid {
        /// The document.
        origin: Origin,
        /// The object's identity.
        object: ObjectRef,
        /// Path of the field, e.g. `spec.placement.replicaScheduling.replicaSchedulingType`;
        /// empty when the object as a whole is at fault.
        field: String,
        /// What is wrong.
        message: String,
    },
}

impl LoadError {
    /// The document the error is about; `None` for errors about a whole file.
    pub fn origin(&self) -> Option<&Origin> {
        match self {
            LoadError::Read { .. }
            | LoadError::Encoding { .. }
            | LoadError::YamlUnsupported { .. } => None,
            LoadError::Syntax { origin, .. }
            | LoadError::NotAnObject { origin, .. }
            | LoadError::Malformed { origin, .. }
            | LoadError::Invalid { origin, .. } => Some(origin),
        }
    }
}

/// Loaded items and the errors met on the way, both in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded<T> {
    /// Everything that loaded.
    pub items: Vec<T>,
    /// One error per file or document that did not.
    pub errors: Vec<LoadError>,
}

impl<T> Default for Loaded<T> {
    fn default() -> Self {
        Loaded {
            items: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl<T> Loaded<T> {
    /// Whether nothing failed.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    fn from_results(results: impl IntoIterator<Item = Result<T, LoadError>>) -> Self {
        let mut loaded = Loaded::default();
        for result in results {
            match result {
                Ok(item) => loaded.items.push(item),
                Err(error) => loaded.errors.push(error),
            }
        }
        loaded
    }
}

/// A parsed document (or list item) that is not checked as a Kubernetes object.
#[derive(Debug, Clone, PartialEq)]
pub struct RawDocument {
    /// Where it came from.
    pub origin: Origin,
    /// Its content.
    pub value: Value,
}

/// A document holding a Kubernetes object whose shared metadata is well-formed.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Where it came from.
    pub origin: Origin,
    /// The object.
    pub resource: Resource,
}

/// A document told apart as a Karmada object or a resource template.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedObject {
    /// Where it came from.
    pub origin: Origin,
    /// The object.
    pub object: Object,
}

/// Reads inputs; see the [module documentation](self).
#[derive(Debug, Clone)]
pub struct Loader {
    require_name: bool,
}

impl Default for Loader {
    fn default() -> Self {
        Loader { require_name: true }
    }
}

impl Loader {
    /// A loader that requires `metadata.name` on every object, as Kubernetes does.
    pub fn new() -> Self {
        Loader::default()
    }

    /// Whether objects without `metadata.name` are errors (the default) or accepted.
    pub fn require_name(mut self, require: bool) -> Self {
        self.require_name = require;
        self
    }

    /// Parses every input into JSON documents, flattening lists.
    ///
    /// `paths` are files, directories or `-` (read from `stdin`).
    pub fn values<P: AsRef<Path>>(&self, paths: &[P], stdin: &mut dyn Read) -> Loaded<RawDocument> {
        Loaded::from_results(read_inputs(paths, stdin))
    }

    /// Parses `text`, named `name` in messages, into JSON documents, flattening lists.
    ///
    /// The format follows the name's extension (`.json`, `.yaml`, `.yml`), else the first
    /// character: `{` or `[` is JSON, anything else YAML.
    pub fn values_from_str(&self, name: &str, text: &str) -> Loaded<RawDocument> {
        Loaded::from_results(parse_text(name, text))
    }

    /// Loads every input as Kubernetes objects (see [`Loader::values`]).
    pub fn resources<P: AsRef<Path>>(&self, paths: &[P], stdin: &mut dyn Read) -> Loaded<Document> {
        Loaded::from_results(
            read_inputs(paths, stdin)
                .into_iter()
                .map(|raw| raw.and_then(|raw| self.check(raw))),
        )
    }

    /// Loads `text` as Kubernetes objects (see [`Loader::values_from_str`]).
    pub fn resources_from_str(&self, name: &str, text: &str) -> Loaded<Document> {
        Loaded::from_results(
            parse_text(name, text)
                .into_iter()
                .map(|raw| raw.and_then(|raw| self.check(raw))),
        )
    }

    /// Loads every input and tells Karmada objects from resource templates; Karmada objects
    /// are deserialized into their types, with the field path of any mismatch.
    pub fn objects<P: AsRef<Path>>(
        &self,
        paths: &[P],
        stdin: &mut dyn Read,
    ) -> Loaded<LoadedObject> {
        Loaded::from_results(read_inputs(paths, stdin).into_iter().map(|raw| {
            raw.and_then(|raw| self.check(raw))
                .and_then(kinds::classify)
        }))
    }

    /// Loads `text` and classifies its objects (see [`Loader::objects`]).
    pub fn objects_from_str(&self, name: &str, text: &str) -> Loaded<LoadedObject> {
        Loaded::from_results(parse_text(name, text).into_iter().map(|raw| {
            raw.and_then(|raw| self.check(raw))
                .and_then(kinds::classify)
        }))
    }

    /// Checks and classifies one object that is already JSON (an object nested in another
    /// input, such as the objects of a scenario step), as [`Loader::objects`] does for a
    /// document.
    pub fn object_from_value(
        &self,
        origin: Origin,
        value: Value,
    ) -> Result<LoadedObject, LoadError> {
        self.check(RawDocument { origin, value })
            .and_then(kinds::classify)
    }

    fn check(&self, raw: RawDocument) -> Result<Document, LoadError> {
        let RawDocument { origin, value } = raw;
        if !value.is_object() {
            return Err(LoadError::NotAnObject {
                found: json_type(&value),
                origin,
            });
        }
        let object = ObjectRef::read_lenient(&value);
        let resource = Resource::from_value(value).map_err(|error| LoadError::Malformed {
            origin: origin.clone(),
            object: object.clone(),
            error,
        })?;
        if self.require_name {
            resource
                .require_name()
                .map_err(|error| LoadError::Malformed {
                    origin: origin.clone(),
                    object,
                    error,
                })?;
        }
        Ok(Document { origin, resource })
    }
}

/// Reads and parses every input, in order.
fn read_inputs<P: AsRef<Path>>(
    paths: &[P],
    stdin: &mut dyn Read,
) -> Vec<Result<RawDocument, LoadError>> {
    let mut results = Vec::new();
    for path in paths {
        let mut inputs = Vec::new();
        let mut errors = Vec::new();
        files::expand(path.as_ref(), &mut inputs, &mut errors);
        results.extend(errors.into_iter().map(Err));
        for input in inputs {
            match read_input(&input, stdin) {
                Ok((name, text)) => results.extend(parse_text(&name, &text)),
                Err(error) => results.push(Err(error)),
            }
        }
    }
    results
}

fn read_input(input: &Input, stdin: &mut dyn Read) -> Result<(String, String), LoadError> {
    let (name, bytes) = match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            stdin
                .read_to_end(&mut bytes)
                .map_err(|error| LoadError::Read {
                    path: STDIN_NAME.to_string(),
                    message: error.to_string(),
                })?;
            (STDIN_NAME.to_string(), bytes)
        }
        Input::File(path) => {
            let name = path.display().to_string();
            let bytes = std::fs::read(path).map_err(|error| LoadError::Read {
                path: name.clone(),
                message: error.to_string(),
            })?;
            (name, bytes)
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text)),
        Err(error) => Err(LoadError::Encoding {
            path: name,
            message: error.utf8_error().to_string(),
        }),
    }
}

/// Parses one input's text into its documents and errors, in document order.
fn parse_text(name: &str, text: &str) -> Vec<Result<RawDocument, LoadError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (documents, syntax_errors) = match Format::detect(name, text) {
        Format::Json => {
            let json = text::parse_json(text);
            // `{a: 1}` starts like JSON but is YAML flow syntax.
            #[cfg(feature = "yaml")]
            if !json.1.is_empty() && !name.to_ascii_lowercase().ends_with(".json") {
                let yaml = text::parse_yaml(text);
                if yaml.1.is_empty() {
                    return flatten(name, yaml.0);
                }
            }
            json
        }
        Format::Yaml => {
            #[cfg(feature = "yaml")]
            {
                text::parse_yaml(text)
            }
            #[cfg(not(feature = "yaml"))]
            {
                if !text::split_yaml(text).is_empty() {
                    return vec![Err(LoadError::YamlUnsupported {
                        path: name.to_string(),
                    })];
                }
                (Vec::new(), Vec::new())
            }
        }
    };
    let mut results = flatten(name, documents);
    results.extend(syntax_errors.into_iter().map(|e| {
        Err(LoadError::Syntax {
            origin: Origin {
                file: name.to_string(),
                document: e.document,
                item: None,
                line: e.line,
            },
            line: e.line,
            column: e.column,
            message: e.message,
        })
    }));
    // Stable: items of one document keep their order.
    results.sort_by_key(|result| match result {
        Ok(raw) => raw.origin.document,
        Err(error) => error.origin().map(|o| o.document).unwrap_or(0),
    });
    results
}

/// Whether `value` is a list object whose `items` are to be flattened: kind `List`, or any
/// kind ending in `List` that has an `items` field.
fn is_list(value: &serde_json::Map<String, Value>) -> bool {
    match value.get("kind").and_then(Value::as_str) {
        Some("List") => true,
        Some(kind) => kind.ends_with("List") && value.get("items").is_some(),
        None => false,
    }
}

/// Turns parsed documents into raw documents: lists and arrays become their items, empty
/// documents disappear.
fn flatten(
    name: &str,
    documents: Vec<text::ParsedDocument>,
) -> Vec<Result<RawDocument, LoadError>> {
    let mut results = Vec::new();
    for parsed in documents {
        let origin = Origin {
            file: name.to_string(),
            document: parsed.document,
            item: None,
            line: Some(parsed.line),
        };
        match parsed.value {
            Value::Null => {}
            Value::Array(items) => {
                push_items(&origin, items, None, &mut results);
            }
            Value::Object(mut list) if is_list(&list) => {
                let list_kind = list
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("List")
                    .to_string();
                // Items of a typed list (`DeploymentList`) may leave out their kind.
                let defaults = (list_kind != "List").then(|| {
                    (
                        list.get("apiVersion").cloned(),
                        list_kind.trim_end_matches("List").to_string(),
                    )
                });
                match list.remove("items") {
                    None | Some(Value::Null) => {}
                    Some(Value::Array(items)) => push_items(&origin, items, defaults, &mut results),
                    Some(other) => results.push(Err(LoadError::Invalid {
                        origin,
                        object: ObjectRef::read_lenient(&Value::Object(list)),
                        field: "items".to_string(),
                        message: format!("expected an array, found {}", json_type(&other)),
                    })),
                }
            }
            value => results.push(Ok(RawDocument { origin, value })),
        }
    }
    results
}

fn push_items(
    origin: &Origin,
    items: Vec<Value>,
    defaults: Option<(Option<Value>, String)>,
    out: &mut Vec<Result<RawDocument, LoadError>>,
) {
    for (index, mut value) in items.into_iter().enumerate() {
        if let (Some((api_version, kind)), Value::Object(object)) = (&defaults, &mut value) {
            if let Some(api_version) = api_version {
                object
                    .entry("apiVersion")
                    .or_insert_with(|| api_version.clone());
            }
            object
                .entry("kind")
                .or_insert_with(|| Value::String(kind.clone()));
        }
        out.push(Ok(RawDocument {
            origin: Origin {
                item: Some(index),
                ..origin.clone()
            },
            value,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "yaml")]
    fn summary(loaded: &Loaded<Document>) -> Vec<String> {
        loaded
            .items
            .iter()
            .map(|d| format!("{} {}", d.origin, d.resource.object_ref()))
            .chain(loaded.errors.iter().map(|e| format!("error: {e}")))
            .collect()
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn inputs_flatten_into_documents() {
        let cm = |name: &str| {
            format!("{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\"}}}}")
        };
        let cases: Vec<(&str, String, Vec<&str>)> = vec![
            ("one.json", cm("a"), vec!["one.json document 1 ConfigMap a"]),
            (
                "array.json",
                format!("[{}, {}]", cm("a"), cm("b")),
                vec!["array.json document 1 items[0] ConfigMap a", "array.json document 1 items[1] ConfigMap b"],
            ),
            (
                "stream.json",
                format!("{}\n{}", cm("a"), cm("b")),
                vec!["stream.json document 1 ConfigMap a", "stream.json document 2 ConfigMap b"],
            ),
            (
                "list.yaml",
                "apiVersion: v1\nkind: List\nitems: []\n---\napiVersion: apps/v1\nkind: DeploymentList\nitems:\n- metadata: {name: d}\n".to_string(),
                vec!["list.yaml document 2 items[0] Deployment d"],
            ),
            (
                "empty.yaml",
                "# nothing\n---\n---\nnull\n...\n".to_string(),
                vec![],
            ),
            (
                "stdin",
                "{apiVersion: v1, kind: ConfigMap, metadata: {name: flow}}".to_string(),
                vec!["stdin document 1 ConfigMap flow"],
            ),
            (
                "errors.yaml",
                "apiVersion: v1\nkind: List\nitems:\n- 3\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: ok}}\n---\n[\n---\napiVersion: v1\nkind: Pod\n".to_string(),
                vec![
                    "errors.yaml document 1 items[1] ConfigMap ok",
                    "error: errors.yaml document 1 items[0]: expected an object, found number",
                    "error: errors.yaml document 2: did not find expected node content at line 8 column 1, while parsing a flow node",
                    "error: errors.yaml document 3 (Pod <unnamed>): metadata.name: required field is missing",
                ],
            ),
        ];
        for (name, text, expected) in cases {
            let loaded = Loader::new().resources_from_str(name, &text);
            assert_eq!(summary(&loaded), expected, "{name}");
        }
    }

    #[cfg(not(feature = "yaml"))]
    #[test]
    fn without_yaml_json_loads_and_yaml_is_refused() {
        let json = "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}]";
        let loaded = Loader::new().resources_from_str("a.json", json);
        assert!(loaded.is_ok());
        assert_eq!(loaded.items.len(), 1);
        let loaded = Loader::new().resources_from_str("b.yaml", "apiVersion: v1\nkind: Pod\n");
        assert_eq!(
            loaded.errors,
            vec![LoadError::YamlUnsupported {
                path: "b.yaml".into()
            }]
        );
        let loaded = Loader::new().resources_from_str("c.yaml", "# only a comment\n---\n");
        assert!(loaded.is_ok() && loaded.items.is_empty());
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn names_can_be_optional() {
        let loaded = Loader::new()
            .require_name(false)
            .resources_from_str("x.yaml", "apiVersion: v1\nkind: Pod\n");
        assert!(loaded.is_ok());
        assert_eq!(loaded.items.len(), 1);
    }

    #[test]
    fn origin_display() {
        let origin = Origin {
            file: "a.yaml".into(),
            document: 2,
            item: Some(0),
            line: Some(7),
        };
        assert_eq!(origin.to_string(), "a.yaml document 2 items[0]");
        let whole_file = Origin {
            file: "a.yaml".into(),
            ..Origin::default()
        };
        assert_eq!(whole_file.to_string(), "a.yaml");
    }
}
