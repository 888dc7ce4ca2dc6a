//! Karmada's override-manager and image-parser unit tests, transcribed as vector files, run
//! against `fedplan::overrides`: the shared fixture files and this repository's
//! `tests/vectors/upstream/` files (the upstream cases the fixture lacks) go through the same
//! checks. Every case of every file is run; none is skipped.

use fedplan::api::{
    Cluster, ClusterOverridePolicy, CommandArgsOverrider, ImageOverrider, LabelAnnotationOverrider,
    OverridePolicy, Overriders,
};
use fedplan::overrides::{
    apply_label_annotation_overriders, apply_overrides, command_args_patches, image_patches,
    matching_rules, split_hostname, AppliedOverrides, CommandArgsTarget, ImageReference,
    MatchedRule, MetadataMap,
};
use serde_json::{json, Value};

/// Where the vector files live: Karmada's transcribed fixture, then the upstream cases the
/// fixture lacks (same format, kept in this repository).
const VECTOR_DIRS: [&str; 2] = [
    "../shared/fixtures/vectors/interpreter",
    "tests/vectors/upstream/interpreter",
];

/// One vector case, labelled with the file it came from.
struct Case {
    /// `<path> :: <upstream case> / <description>`, for failure messages.
    name: String,
    case: Value,
}

/// Every case of `file` from both vector directories; each directory must hold the file and
/// the file must have cases.
fn vectors(file: &str) -> Vec<Case> {
    let mut out = Vec::new();
    for dir in VECTOR_DIRS {
        let path = format!("{}/{dir}/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let cases = doc["cases"].as_array().cloned().unwrap_or_default();
        assert!(!cases.is_empty(), "{path} has no cases");
        out.extend(cases.into_iter().map(|case| Case {
            name: format!("{dir}/{file} :: {}", label(&case)),
            case,
        }));
    }
    out
}

fn label(case: &Value) -> String {
    format!(
        "{} / {}",
        case["source"]["case"].as_str().unwrap_or(""),
        case["description"].as_str().unwrap_or("")
    )
}

fn from<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

/// Whether a vector expects an error.
fn expects_error(expected: &Value) -> bool {
    ["error", "err", "wantErr"].iter().any(|k| {
        expected
            .get(*k)
            .is_some_and(|v| !v.is_null() && *v != json!(false))
    })
}

fn patches_json<T: serde::Serialize>(patches: &[T]) -> Value {
    serde_json::to_value(patches).unwrap()
}

#[test]
fn imageparser_vectors() {
    for Case { name, case } in vectors("imageparser.json") {
        let input = &case["input"];
        let expected = &case["expected"];
        match case["kind"].as_str().unwrap_or("") {
            "parse" => {
                let parsed = ImageReference::parse(input["image"].as_str().unwrap());
                if expects_error(expected) {
                    assert!(parsed.is_err(), "{name}: expected an error, got {parsed:?}");
                    continue;
                }
                let image = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(image.hostname(), expected["hostname"], "{name}");
                assert_eq!(image.repository(), expected["repository"], "{name}");
                assert_eq!(image.tag(), expected["tag"], "{name}");
                assert_eq!(image.digest(), expected["digest"], "{name}");
                assert_eq!(image.to_string(), expected["string"], "{name}");
            }
            "splitHostname" => {
                let (host, repo) = split_hostname(input["name"].as_str().unwrap());
                assert_eq!(host, expected["hostname"], "{name}");
                assert_eq!(repo, expected["repository"], "{name}");
            }
            "sequence" => {
                let mut image = ImageReference::parse(input["image"].as_str().unwrap())
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                let ops = input["ops"].as_array().unwrap();
                let strings = expected["strings"].as_array().unwrap();
                assert_eq!(ops.len(), strings.len(), "{name}");
                for (op, want) in ops.iter().zip(strings) {
                    let arg = op.get(1).and_then(Value::as_str).unwrap_or("");
                    match op[0].as_str().unwrap() {
                        "setHostname" => image.set_hostname(arg),
                        "removeHostname" => image.remove_hostname(),
                        "setRepository" => image.set_repository(arg),
                        "removeRepository" => image.remove_repository(),
                        "setTag" => image.set_tag(arg),
                        "removeTag" => image.remove_tag(),
                        "setDigest" => image.set_digest(arg),
                        "removeDigest" => image.remove_digest(),
                        "setTagOrDigest" => image.set_tag_or_digest(arg),
                        "removeTagOrDigest" => image.remove_tag_or_digest(),
                        other => panic!("{name}: unknown operation {other}"),
                    }
                    assert_eq!(image.to_string(), *want, "{name}: after {op}");
                }
            }
            other => panic!("{name}: unknown kind {other}"),
        }
    }
}

#[test]
fn image_overrider_vectors() {
    for Case { name, case } in vectors("image_overrider.json") {
        let overrider: ImageOverrider = from(&case["input"]["imageOverrider"]);
        let got = image_patches(&case["input"]["object"], &overrider);
        if expects_error(&case["expected"]) {
            assert!(got.is_err(), "{name}: expected an error, got {got:?}");
            continue;
        }
        let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = case["expected"]["patches"].clone();
        let expected = if expected.is_null() {
            json!([])
        } else {
            expected
        };
        assert_eq!(patches_json(&got), expected, "{name}");
    }
}

#[test]
fn command_args_overrider_vectors() {
    for Case { name, case } in vectors("command_args_overrider.json") {
        let input = &case["input"];
        let target = match input["target"].as_str().unwrap() {
            "command" => CommandArgsTarget::Command,
            "args" => CommandArgsTarget::Args,
            other => panic!("{name}: unknown target {other}"),
        };
        let overrider: CommandArgsOverrider = from(&input["overrider"]);
        let got = command_args_patches(target, &input["object"], &overrider);
        if expects_error(&case["expected"]) {
            assert!(got.is_err(), "{name}: expected an error, got {got:?}");
            continue;
        }
        let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = case["expected"]["patches"].clone();
        let expected = if expected.is_null() {
            json!([])
        } else {
            expected
        };
        assert_eq!(patches_json(&got), expected, "{name}");
    }
}

#[test]
fn label_annotation_overrider_vectors() {
    for Case { name, case } in vectors("label_annotation_overrider.json") {
        let input = &case["input"];
        let (map, field) = match input["field"].as_str().unwrap() {
            "labels" => (MetadataMap::Labels, "labels"),
            "annotations" => (MetadataMap::Annotations, "annotations"),
            other => panic!("{name}: unknown field {other}"),
        };
        let mut metadata = json!({"name": "test"});
        if !input["current"].is_null() {
            metadata[field] = input["current"].clone();
        }
        let mut object = json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata});
        let overriders: Vec<LabelAnnotationOverrider> = from(&input["overriders"]);
        apply_label_annotation_overriders(&mut object, map, &overriders)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = object["metadata"]
            .get(field)
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(got, case["expected"]["result"], "{name}");
    }
}

/// Splits a vector's mixed policy list into the two kinds.
fn split_policies(policies: &Value) -> (Vec<OverridePolicy>, Vec<ClusterOverridePolicy>) {
    let mut ops = Vec::new();
    let mut cops = Vec::new();
    for p in policies.as_array().unwrap() {
        match p["kind"].as_str().unwrap_or("OverridePolicy") {
            "ClusterOverridePolicy" => cops.push(from(p)),
            _ => ops.push(from(p)),
        }
    }
    (ops, cops)
}

fn cluster_of(v: &Value) -> Cluster {
    match v {
        Value::String(name) => from(&json!({"metadata": {"name": name}})),
        Value::Object(c) if c.contains_key("metadata") => from(v),
        Value::Object(c) => from(&json!({
            "metadata": {
                "name": c.get("name").cloned().unwrap_or(Value::Null),
                "labels": c.get("labels").cloned().unwrap_or(Value::Null)
            },
            "spec": c.get("spec").cloned().unwrap_or(json!({}))
        })),
        other => panic!("unexpected cluster {other}"),
    }
}

fn normalized(overriders: &Value) -> Value {
    serde_json::to_value(from::<Overriders>(overriders)).unwrap()
}

fn applied_json(applied: &AppliedOverrides) -> Value {
    if applied.is_empty() {
        return Value::Null;
    }
    serde_json::to_value(applied.sorted_items()).unwrap()
}

fn normalized_applied(expected: &Value) -> Value {
    match expected {
        Value::Array(items) if !items.is_empty() => Value::Array(
            items
                .iter()
                .map(|i| json!({"policyName": i["policyName"], "overriders": normalized(&i["overriders"])}))
                .collect(),
        ),
        _ => Value::Null,
    }
}

#[test]
fn override_manager_vectors() {
    for Case { name, case } in vectors("override_manager.json") {
        let input = &case["input"];
        let expected = &case["expected"];
        let (ops, cops) = split_policies(&input["policies"]);
        let cluster = cluster_of(&input["cluster"]);

        if let Some(ordered) = expected.get("orderedOverriders") {
            let resource = &input["resource"];
            let mut rules: Vec<MatchedRule<'_>> = matching_rules(&cops, resource, &cluster);
            rules.extend(matching_rules(&ops, resource, &cluster));
            let got: Vec<Value> = rules
                .iter()
                .map(|r| json!({"policy": r.name, "overriders": serde_json::to_value(r.overriders).unwrap()}))
                .collect();
            let want: Vec<Value> = ordered
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|o| json!({"policy": o["policy"], "overriders": normalized(&o["overriders"])}))
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(got, want, "{name}");
            continue;
        }

        let result = apply_overrides(&input["object"], &cluster, &ops, &cops);
        if expects_error(expected) {
            assert!(result.is_err(), "{name}: expected an error");
            continue;
        }
        let out = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected_fields = expected.as_object().unwrap();
        for (key, want) in expected_fields {
            match key.as_str() {
                "appliedOverrides" => {
                    assert_eq!(
                        applied_json(&out.applied_overrides),
                        normalized_applied(want),
                        "{name}"
                    )
                }
                "appliedClusterOverrides" => assert_eq!(
                    applied_json(&out.applied_cluster_overrides),
                    normalized_applied(want),
                    "{name}"
                ),
                "labels" | "annotations" => {
                    assert_eq!(
                        out.manifest["metadata"][key.as_str()],
                        *want,
                        "{name}: {key}"
                    )
                }
                "manifest" | "object" => assert_eq!(out.manifest, *want, "{name}"),
                _ => assert_eq!(out.manifest[key.as_str()], *want, "{name}: {key}"),
            }
        }
    }
}
