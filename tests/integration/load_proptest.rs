//! The loader never panics, whatever it is given, and keeps what it loads intact.
#![cfg(feature = "yaml")]

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use fedplan::load::Loader;

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "v1",
            "apps/v1",
            "policy.karmada.io/v1alpha1",
            "PropagationPolicy",
            "List",
            "Divided",
            "---",
            "...",
            "yes",
            "null",
            "0x1F",
            "1e3",
            "~",
            "",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z]{1,6}", inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Objects shaped like Karmada objects, with arbitrary values where the spec goes.
fn arb_karmada_like() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec![
            ("policy.karmada.io/v1alpha1", "PropagationPolicy"),
            ("policy.karmada.io/v1alpha1", "ClusterPropagationPolicy"),
            ("policy.karmada.io/v1alpha1", "OverridePolicy"),
            ("policy.karmada.io/v1alpha1", "ClusterOverridePolicy"),
            ("policy.karmada.io/v1alpha1", "ClusterTaintPolicy"),
            ("cluster.karmada.io/v1alpha1", "Cluster"),
            ("work.karmada.io/v1alpha2", "ResourceBinding"),
            ("work.karmada.io/v1alpha2", "ClusterResourceBinding"),
            ("work.karmada.io/v1alpha1", "Work"),
            (
                "config.karmada.io/v1alpha1",
                "ResourceInterpreterCustomization",
            ),
            ("v1", "List"),
            ("apps/v1", "Deployment"),
        ]),
        arb_json(),
        arb_json(),
        arb_json(),
    )
        .prop_map(|((api_version, kind), metadata, spec, status)| {
            json!({"apiVersion": api_version, "kind": kind, "metadata": metadata,
                   "spec": spec, "status": status, "items": [spec]})
        })
}

fn name_objects(values: &[Value]) -> Vec<Value> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": format!("cm-{i}")}, "data": {"v": v.to_string()}})
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>(), name in prop::sample::select(vec!["a.yaml", "a.json", "<stdin>", "a.txt"])) {
        let loaded = Loader::new().objects_from_str(name, &text);
        for error in &loaded.errors {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn yaml_like_strings_never_panic(lines in prop::collection::vec(prop::sample::select(vec![
        "---", "...", "%YAML 1.2", "a: 1", "  b: [", "kind: List", "items:", "- 1", "  - a: b",
        "apiVersion: v1", "metadata: {name: x}", "kind: ConfigMap", "# c", "", "? x", ": y",
        "&a {x: 1}", "<<: *a", "*b", "--- |", "  text", "\t", "{\"a\": 1}", "[1, 2",
    ]), 0..24)) {
        let text = lines.join("\n");
        let _ = Loader::new().objects_from_str("doc.yaml", &text);
        let _ = Loader::new().objects_from_str("doc", &text);
    }

    #[test]
    fn arbitrary_json_values_never_panic(value in arb_json()) {
        let json_text = value.to_string();
        let _ = Loader::new().objects_from_str("v.json", &json_text);
        let yaml_text = serde_yaml_ng::to_string(&value).unwrap_or_default();
        let _ = Loader::new().objects_from_str("v.yaml", &yaml_text);
        let _ = Loader::new().require_name(false).values_from_str("v.yaml", &yaml_text);
    }

    #[test]
    fn karmada_like_objects_never_panic_and_errors_name_the_document(value in arb_karmada_like()) {
        for (name, text) in [
            ("k.json", value.to_string()),
            ("k.yaml", serde_yaml_ng::to_string(&value).unwrap_or_default()),
        ] {
            let loaded = Loader::new().objects_from_str(name, &text);
            for error in &loaded.errors {
                let origin = error.origin().expect("document errors carry their origin");
                prop_assert_eq!(origin.file.as_str(), name);
                prop_assert!(origin.document >= 1);
                let prefix = format!("{name} document ");
                prop_assert!(error.to_string().starts_with(&prefix));
            }
        }
    }

    #[test]
    fn objects_round_trip_through_yaml_and_json(values in prop::collection::vec(arb_json(), 1..5)) {
        let objects = name_objects(&values);
        let yaml: Vec<String> = objects
            .iter()
            .map(|o| serde_yaml_ng::to_string(o).expect("yaml"))
            .collect();
        let loaded = Loader::new().resources_from_str("all.yaml", &yaml.join("---\n"));
        prop_assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let got: Vec<Value> = loaded.items.iter().map(|d| d.resource.as_value().clone()).collect();
        prop_assert_eq!(&got, &objects);
        let documents: Vec<usize> = loaded.items.iter().map(|d| d.origin.document).collect();
        prop_assert_eq!(documents, (1..=objects.len()).collect::<Vec<_>>());

        // A JSON array and a List flatten to the same items, with their indices.
        let array = Value::Array(objects.clone()).to_string();
        let list = json!({"apiVersion": "v1", "kind": "List", "items": objects}).to_string();
        for text in [array, list] {
            let loaded = Loader::new().resources_from_str("all.json", &text);
            prop_assert!(loaded.errors.is_empty());
            let got: Vec<Value> = loaded.items.iter().map(|d| d.resource.as_value().clone()).collect();
            prop_assert_eq!(&got, &objects);
            let indices: Vec<Option<usize>> = loaded.items.iter().map(|d| d.origin.item).collect();
            prop_assert_eq!(indices, (0..objects.len()).map(Some).collect::<Vec<_>>());
        }

        // Concatenated JSON: one document per value.
        let concatenated: Vec<String> = objects.iter().map(Value::to_string).collect();
        let loaded = Loader::new().resources_from_str("all.json", &concatenated.join("\n"));
        prop_assert_eq!(loaded.items.len(), objects.len());
    }
}
