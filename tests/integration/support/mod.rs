//! Shared helpers of the integration tests: reading the Karmada fixtures and checking
//! objects against the openAPIV3Schema of Karmada's CRDs.
//!
//! Use from a test file with `mod support;`, then for instance:
//!
//! ```ignore
//! let schemas = support::schema::karmada_crds();
//! if let Err(problems) = schemas.validate(&serde_json::to_value(&binding).unwrap()) {
//!     panic!("binding violates its CRD: {problems:#?}");
//! }
//! ```
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// `shared/fixtures/karmada` next to the crate.
pub fn karmada_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/karmada")
}

/// Every `.yaml`/`.yml` file under `dir`, sorted, recursively.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect_yaml(dir, &mut out);
    out
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("cannot read {}", dir.display());
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect_yaml(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// The documents of a YAML file, as JSON values, skipping empty documents.
pub fn yaml_documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml_ng::Deserializer::from_str(&text)
        .enumerate()
        .filter_map(|(i, doc)| {
            let v = <Value as serde::Deserialize>::deserialize(doc)
                .unwrap_or_else(|e| panic!("{} document {i}: {e}", path.display()));
            (!v.is_null()).then_some(v)
        })
        .collect()
}

/// Every document of every YAML file under the Karmada fixtures, labelled
/// `file#index`.
pub fn fixture_documents() -> Vec<(String, Value)> {
    let root = karmada_fixtures();
    let mut out = Vec::new();
    for file in yaml_files(&root) {
        let label = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (i, doc) in yaml_documents(&file).into_iter().enumerate() {
            out.push((format!("{label}#{i}"), doc));
        }
    }
    out
}

/// Checking objects against CRD schemas.
pub mod schema {
    use std::collections::BTreeMap;
    use std::sync::OnceLock;

    use serde_json::{json, Map, Value};

    use super::{karmada_fixtures, yaml_documents, yaml_files};

    /// Compiled CRD schemas, by (apiVersion, kind).
    pub struct CrdSchemas {
        validators: BTreeMap<(String, String), jsonschema::Validator>,
    }

    /// The schemas of every CRD in `shared/fixtures/karmada/crds`, strict (unknown fields
    /// are errors, as with kubectl's default `--validate=strict`). Compiled once.
    pub fn karmada_crds() -> &'static CrdSchemas {
        static SCHEMAS: OnceLock<CrdSchemas> = OnceLock::new();
        SCHEMAS.get_or_init(|| CrdSchemas::load_dir(&karmada_fixtures().join("crds"), true))
    }

    /// As [`karmada_crds`], but lenient: undeclared fields are ignored (the API server
    /// would prune them), e.g. for bindings carrying fedplan's own
    /// `status.schedulingDiagnosis`.
    pub fn karmada_crds_lenient() -> &'static CrdSchemas {
        static SCHEMAS: OnceLock<CrdSchemas> = OnceLock::new();
        SCHEMAS.get_or_init(|| CrdSchemas::load_dir(&karmada_fixtures().join("crds"), false))
    }

    impl CrdSchemas {
        /// Loads every CustomResourceDefinition in `dir`. With `strict`, an object property
        /// the schema does not declare is an error (unless the schema preserves unknown
        /// fields); otherwise it is ignored, as the API server's pruning would drop it.
        pub fn load_dir(dir: &std::path::Path, strict: bool) -> CrdSchemas {
            let mut validators = BTreeMap::new();
            for file in yaml_files(dir) {
                for crd in yaml_documents(&file) {
                    if crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
                        continue;
                    }
                    let group = crd["spec"]["group"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    let kind = crd["spec"]["names"]["kind"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    let versions = crd["spec"]["versions"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    for version in versions {
                        let name = version["name"].as_str().unwrap_or_default();
                        let openapi = &version["schema"]["openAPIV3Schema"];
                        let schema = openapi_to_json_schema(openapi, strict);
                        let validator = jsonschema::draft4::options()
                            .should_validate_formats(true)
                            .build(&schema)
                            .unwrap_or_else(|e| {
                                panic!("{}: {group}/{name} {kind}: {e}", file.display())
                            });
                        validators.insert((format!("{group}/{name}"), kind.clone()), validator);
                    }
                }
            }
            CrdSchemas { validators }
        }

        /// Whether a CRD schema is known for this apiVersion and kind.
        pub fn has_schema(&self, api_version: &str, kind: &str) -> bool {
            self.validators
                .contains_key(&(api_version.to_string(), kind.to_string()))
        }

        /// Checks `object` against the schema of its apiVersion/kind. `Err` lists every
        /// violation as `path: message` (path dotted, e.g. `spec.clusters[0].name`), or says
        /// that no schema is known for the kind.
        pub fn validate(&self, object: &Value) -> Result<(), Vec<String>> {
            let api = object
                .get("apiVersion")
                .and_then(Value::as_str)
                .unwrap_or("");
            let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
            let Some(validator) = self.validators.get(&(api.to_string(), kind.to_string())) else {
                return Err(vec![format!("no CRD schema for {api} {kind}")]);
            };
            let problems: Vec<String> = validator
                .iter_errors(object)
                .map(|e| format!("{}: {e}", pointer_to_path(&e.instance_path().to_string())))
                .collect();
            if problems.is_empty() {
                Ok(())
            } else {
                Err(problems)
            }
        }
    }

    /// `/spec/clusters/0/name` → `spec.clusters[0].name`.
    pub fn pointer_to_path(pointer: &str) -> String {
        let mut out = String::new();
        for segment in pointer.split('/').skip(1) {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                out.push_str(&format!("[{segment}]"));
            } else {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&segment);
            }
        }
        if out.is_empty() {
            "<root>".to_string()
        } else {
            out
        }
    }

    /// Converts a CRD's OpenAPI v3 (structural) schema to a JSON Schema (draft 4):
    /// `nullable` becomes a `null` type, `x-kubernetes-int-or-string` an integer-or-string
    /// union, `format: int32/int64` integer bounds; other `x-kubernetes-*` keys,
    /// descriptions and defaults are dropped. With `strict`, objects with declared
    /// properties reject undeclared ones unless `x-kubernetes-preserve-unknown-fields`.
    pub fn openapi_to_json_schema(schema: &Value, strict: bool) -> Value {
        let Value::Object(map) = schema else {
            return schema.clone();
        };
        let flag = |k: &str| map.get(k).and_then(Value::as_bool).unwrap_or(false);
        let preserve = flag("x-kubernetes-preserve-unknown-fields");
        let int_or_string = flag("x-kubernetes-int-or-string");
        let nullable = flag("nullable");
        let mut out = Map::new();
        for (key, value) in map {
            match key.as_str() {
                k if k.starts_with("x-kubernetes-") => {}
                "description" | "nullable" | "default" | "example" | "externalDocs" => {}
                "properties" => {
                    let props: Map<String, Value> = value
                        .as_object()
                        .map(|p| {
                            p.iter()
                                .map(|(k, v)| (k.clone(), openapi_to_json_schema(v, strict)))
                                .collect()
                        })
                        .unwrap_or_default();
                    out.insert(key.clone(), Value::Object(props));
                }
                "items" | "not" => {
                    out.insert(key.clone(), openapi_to_json_schema(value, strict));
                }
                "additionalProperties" => {
                    let converted = if value.is_object() {
                        openapi_to_json_schema(value, strict)
                    } else {
                        value.clone()
                    };
                    out.insert(key.clone(), converted);
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let list = value
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|s| openapi_to_json_schema(s, strict))
                                .collect()
                        })
                        .unwrap_or_default();
                    out.insert(key.clone(), Value::Array(list));
                }
                "format" => match value.as_str() {
                    Some("int32") => {
                        out.insert("minimum".into(), json!(i32::MIN));
                        out.insert("maximum".into(), json!(i32::MAX));
                    }
                    Some("int64") => {
                        out.insert("minimum".into(), json!(i64::MIN));
                        out.insert("maximum".into(), json!(i64::MAX));
                    }
                    Some("date-time") => {
                        out.insert(key.clone(), value.clone());
                    }
                    _ => {}
                },
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        // Explicit minimum/maximum of the CRD win over the format's bounds.
        for bound in ["minimum", "maximum"] {
            if let Some(v) = map.get(bound) {
                out.insert(bound.into(), v.clone());
            }
        }
        if int_or_string {
            out.remove("type");
            out.entry("anyOf")
                .or_insert_with(|| json!([{"type": "integer"}, {"type": "string"}]));
        }
        if nullable {
            if let Some(Value::String(t)) = out.get("type").cloned() {
                out.insert("type".into(), json!([t, "null"]));
            }
            if let Some(Value::Array(values)) = out.get_mut("enum") {
                values.push(Value::Null);
            }
        }
        if strict
            && !preserve
            && out.contains_key("properties")
            && !out.contains_key("additionalProperties")
        {
            out.insert("additionalProperties".into(), Value::Bool(false));
        }
        Value::Object(out)
    }
}
