//! Invariants of the overrides module.

use std::collections::BTreeMap;

use fedplan::api::{Cluster, LabelAnnotationOverrider, OverridePolicy, OverriderOperator};
use fedplan::overrides::{
    apply_label_annotation_overriders, apply_overrides, ImageReference, MetadataMap,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn path_component() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,6}((\\.|_|__|-{1,2})[a-z0-9]{1,6}){0,2}"
}

fn hostname() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("localhost".to_owned()),
        "[a-z0-9]{1,8}(\\.[a-z0-9]{1,8}){1,2}",
        "[a-z0-9]{1,8}\\.[a-z]{2,4}:[0-9]{2,5}",
    ]
}

fn tag_or_digest() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        Just((String::new(), String::new())),
        "[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}".prop_map(|t| (t, String::new())),
        "[a-f0-9]{64}".prop_map(|hex| (String::new(), format!("sha256:{hex}"))),
        "[a-f0-9]{128}".prop_map(|hex| (String::new(), format!("sha512:{hex}"))),
    ]
}

fn labels() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("[a-z]{1,4}(/[a-z]{1,3})?", "[a-z0-9]{0,4}", 0..5)
}

proptest! {
    /// A valid reference parses into parts that print back to the same string.
    #[test]
    fn image_parse_round_trips(
        host in hostname(),
        repo in prop::collection::vec(path_component(), 1..4),
        (tag, digest) in tag_or_digest(),
    ) {
        let repository = repo.join("/");
        let mut image = if host.is_empty() { repository.clone() } else { format!("{host}/{repository}") };
        if !tag.is_empty() {
            image = format!("{image}:{tag}");
        } else if !digest.is_empty() {
            image = format!("{image}@{digest}");
        }
        let parsed = ImageReference::parse(&image).unwrap();
        prop_assert_eq!(parsed.to_string(), image.clone());
        prop_assert_eq!(parsed.tag(), tag.as_str());
        prop_assert_eq!(parsed.digest(), digest.as_str());
        if host.is_empty() {
            prop_assert_eq!(parsed.full_repository(), repository);
        } else {
            prop_assert_eq!(parsed.hostname(), host.as_str());
            prop_assert_eq!(parsed.repository(), repository.as_str());
        }
    }

    /// Adding labels and then removing the same keys restores labels that did not have them.
    #[test]
    fn label_add_then_remove_restores(current in labels(), added in labels()) {
        let current: BTreeMap<String, String> = current
            .into_iter()
            .filter(|(k, _)| !added.contains_key(k))
            .collect();
        let mut object = json!({"kind": "Pod", "metadata": {"name": "p", "labels": current}});
        let original = object.clone();
        let overriders = [
            LabelAnnotationOverrider { operator: OverriderOperator::Add, value: added.clone() },
            LabelAnnotationOverrider { operator: OverriderOperator::Remove, value: added },
        ];
        apply_label_annotation_overriders(&mut object, MetadataMap::Labels, &overriders).unwrap();
        prop_assert_eq!(object, original);
    }

    /// Applying the same policies twice gives byte-identical results.
    #[test]
    fn apply_is_deterministic(replicas in 0i64..100, labels in labels(), cluster_name in "m[0-9]") {
        let template = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "web", "image": "nginx"}]}}}});
        let policies: Vec<OverridePolicy> = serde_json::from_value(json!([
            {"metadata": {"name": "b", "namespace": "default"}, "spec": {"overrideRules": [
                {"targetCluster": {"clusterNames": ["m1", "m2"]},
                 "overriders": {"plaintext": [{"path": "/spec/replicas", "operator": "replace", "value": replicas}]}}]}},
            {"metadata": {"name": "a", "namespace": "default"}, "spec": {"overrideRules": [
                {"overriders": {"labelsOverrider": [{"operator": "add", "value": labels}],
                                "imageOverrider": [{"component": "Registry", "operator": "add", "value": "r.io"}]}}]}}
        ])).unwrap();
        let cluster: Cluster = serde_json::from_value(json!({"metadata": {"name": cluster_name}})).unwrap();
        let first = apply_overrides(&template, &cluster, &policies, &[]).unwrap();
        let second = apply_overrides(&template, &cluster, &policies, &[]).unwrap();
        prop_assert_eq!(serde_json::to_string(&first.manifest).unwrap(), serde_json::to_string(&second.manifest).unwrap());
        prop_assert_eq!(first.annotations(), second.annotations());
        let image: &Value = &first.manifest["spec"]["template"]["spec"]["containers"][0]["image"];
        prop_assert_eq!(image, &json!("r.io/nginx"));
    }
}
