//! `apply_overrides` end to end: policy order, rule selection, overrider order, the applied
//! record and the errors.

use fedplan::api::{Cluster, ClusterOverridePolicy, OverridePolicy};
use fedplan::overrides::{
    apply_overrides, OverrideError, OverriderError, OverriderFailure, RuleRef,
    APPLIED_CLUSTER_OVERRIDES_ANNOTATION, APPLIED_OVERRIDES_ANNOTATION,
};
use serde_json::{json, Value};

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "replicas": 2,
            "template": {"spec": {"containers": [
                {"name": "web", "image": "nginx:1.25", "args": ["-v"]},
                {"name": "sidecar", "image": "registry.k8s.io/pause:3.9"}
            ]}}
        }
    })
}

fn cluster(name: &str) -> Cluster {
    serde_json::from_value(
        json!({"metadata": {"name": name, "labels": {"env": "prod"}},
                                  "spec": {"region": "eu"}}),
    )
    .unwrap()
}

fn op(name: &str, namespace: &str, spec: Value) -> OverridePolicy {
    serde_json::from_value(
        json!({"apiVersion": "policy.karmada.io/v1alpha1", "kind": "OverridePolicy",
        "metadata": {"name": name, "namespace": namespace}, "spec": spec}),
    )
    .unwrap()
}

fn cop(name: &str, spec: Value) -> ClusterOverridePolicy {
    serde_json::from_value(
        json!({"apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterOverridePolicy",
        "metadata": {"name": name}, "spec": spec}),
    )
    .unwrap()
}

fn set_replicas(n: i64) -> Value {
    json!({"plaintext": [{"path": "/spec/replicas", "operator": "replace", "value": n}]})
}

fn names<'p>(applied: &fedplan::overrides::AppliedOverrides<'p>) -> Vec<&'p str> {
    applied.items.iter().map(|i| i.policy_name).collect()
}

#[test]
fn namespaced_policies_run_after_cluster_policies_and_win() {
    let cops = [cop(
        "c",
        json!({"overrideRules": [{"overriders": set_replicas(7)}]}),
    )];
    let ops = [op(
        "o",
        "default",
        json!({"overrideRules": [{"overriders": set_replicas(3)}]}),
    )];
    let out = apply_overrides(&deployment(), &cluster("m1"), &ops, &cops).unwrap();
    assert_eq!(out.manifest["spec"]["replicas"], json!(3));
    assert_eq!(names(&out.applied_cluster_overrides), ["c"]);
    assert_eq!(names(&out.applied_overrides), ["o"]);
    let keys: Vec<&str> = out.annotations().iter().map(|(k, _)| *k).collect();
    assert_eq!(
        keys,
        [
            APPLIED_CLUSTER_OVERRIDES_ANNOTATION,
            APPLIED_OVERRIDES_ANNOTATION
        ]
    );
}

#[test]
fn specificity_then_name_decides_order() {
    let by_name = json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}]);
    let by_label = json!([{"apiVersion": "apps/v1", "kind": "Deployment",
                           "labelSelector": {"matchLabels": {"app": "web"}}}]);
    let all_deployments = json!([{"apiVersion": "apps/v1", "kind": "Deployment"}]);
    let ops = [
        op(
            "a-name",
            "default",
            json!({"resourceSelectors": by_name, "overrideRules": [{"overriders": set_replicas(1)}]}),
        ),
        op(
            "b-label",
            "default",
            json!({"resourceSelectors": by_label, "overrideRules": [{"overriders": set_replicas(2)}]}),
        ),
        op(
            "z-all",
            "default",
            json!({"resourceSelectors": all_deployments, "overrideRules": [{"overriders": set_replicas(3)}]}),
        ),
        op(
            "y-empty",
            "default",
            json!({"overrideRules": [{"overriders": set_replicas(4)}]}),
        ),
        op(
            "other-ns",
            "team",
            json!({"overrideRules": [{"overriders": set_replicas(5)}]}),
        ),
        op(
            "no-match",
            "default",
            json!({"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "db"}],
                                          "overrideRules": [{"overriders": set_replicas(6)}]}),
        ),
    ];
    let out = apply_overrides(&deployment(), &cluster("m1"), &ops, &[]).unwrap();
    assert_eq!(
        names(&out.applied_overrides),
        ["y-empty", "z-all", "b-label", "a-name"]
    );
    assert_eq!(out.manifest["spec"]["replicas"], json!(1));
    // The annotation lists them by name, not by application order.
    let annotation: Value =
        serde_json::from_str(&out.applied_overrides.annotation_value().unwrap()).unwrap();
    let listed: Vec<&str> = annotation
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["policyName"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["a-name", "b-label", "y-empty", "z-all"]);
}

#[test]
fn rules_by_target_cluster_and_deprecated_pair() {
    let ops = [
        op(
            "rules",
            "default",
            json!({"overrideRules": [
                {"targetCluster": {"clusterNames": ["m2"]}, "overriders": set_replicas(9)},
                {"overriders": {"labelsOverrider": [{"operator": "add", "value": {"all": "yes"}}]}},
                {"targetCluster": {"labelSelector": {"matchLabels": {"env": "prod"}}},
                 "overriders": {"annotationsOverrider": [{"operator": "add", "value": {"prod": "yes"}}]}},
                {"targetCluster": {"fieldSelector": {"matchExpressions": [{"key": "region", "operator": "In", "values": ["us"]}]}},
                 "overriders": set_replicas(8)}
            ]}),
        ),
        op(
            "legacy",
            "default",
            json!({"targetCluster": {"clusterNames": ["m1"]}, "overriders": {
            "argsOverrider": [{"containerName": "web", "operator": "add", "value": ["--legacy"]}]}}),
        ),
        op(
            "legacy-other",
            "default",
            json!({"targetCluster": {"clusterNames": ["m2"]}, "overriders": set_replicas(5)}),
        ),
        op(
            "legacy-ignored",
            "default",
            json!({
            "overrideRules": [{"targetCluster": {"clusterNames": ["m2"]}, "overriders": {}}],
            "overriders": set_replicas(4)}),
        ),
        op("empty", "default", json!({})),
    ];
    let out = apply_overrides(&deployment(), &cluster("m1"), &ops, &[]).unwrap();
    assert_eq!(out.manifest["spec"]["replicas"], json!(2));
    assert_eq!(out.manifest["metadata"]["labels"]["all"], json!("yes"));
    assert_eq!(
        out.manifest["metadata"]["annotations"]["prod"],
        json!("yes")
    );
    assert_eq!(
        out.manifest["spec"]["template"]["spec"]["containers"][0]["args"],
        json!(["-v", "--legacy"])
    );
    // A policy with no rules and no overriders still applies its empty deprecated pair.
    assert_eq!(
        names(&out.applied_overrides),
        ["empty", "legacy", "rules", "rules"]
    );
}

#[test]
fn overriders_run_in_karmada_order_inside_a_rule() {
    // plaintext runs last, so it sees the image the image overrider wrote and the label the
    // labels overrider added.
    let rule = json!({
        "plaintext": [
            {"path": "/metadata/labels/copied", "operator": "add", "value": "x"},
            {"path": "/spec/template/spec/containers/0/image", "operator": "replace", "value": "final:1"}
        ],
        "imageOverrider": [{"component": "Registry", "operator": "add", "value": "r.io"}],
        "labelsOverrider": [{"operator": "replace", "value": {"app": "api"}}],
        "commandOverrider": [{"containerName": "sidecar", "operator": "remove", "value": ["x"]}]
    });
    let ops = [op(
        "p",
        "default",
        json!({"overrideRules": [{"overriders": rule}]}),
    )];
    let out = apply_overrides(&deployment(), &cluster("m1"), &ops, &[]).unwrap();
    let containers = &out.manifest["spec"]["template"]["spec"]["containers"];
    assert_eq!(containers[0]["image"], json!("final:1"));
    assert_eq!(
        containers[1]["image"],
        json!("registry.k8s.ior.io/pause:3.9")
    );
    assert_eq!(containers[1]["command"], json!([]));
    assert_eq!(
        out.manifest["metadata"]["labels"],
        json!({"app": "api", "copied": "x"})
    );
}

#[test]
fn cluster_overrides_change_what_namespaced_policies_match() {
    let cops = [cop(
        "relabel",
        json!({"overrideRules": [{"overriders": {
        "labelsOverrider": [{"operator": "replace", "value": {"app": "api"}}]}}]}),
    )];
    let selector = |app: &str| {
        json!([{"apiVersion": "apps/v1", "kind": "Deployment",
                                       "labelSelector": {"matchLabels": {"app": app}}}])
    };
    let ops = [
        op(
            "for-web",
            "default",
            json!({"resourceSelectors": selector("web"), "overrideRules": [{"overriders": set_replicas(1)}]}),
        ),
        op(
            "for-api",
            "default",
            json!({"resourceSelectors": selector("api"), "overrideRules": [{"overriders": set_replicas(5)}]}),
        ),
    ];
    let out = apply_overrides(&deployment(), &cluster("m1"), &ops, &cops).unwrap();
    assert_eq!(names(&out.applied_overrides), ["for-api"]);
    assert_eq!(out.manifest["spec"]["replicas"], json!(5));
}

#[test]
fn cluster_scoped_objects_only_get_cluster_policies() {
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                      "metadata": {"name": "reader"}});
    let ops = [op(
        "o",
        "",
        json!({"overrideRules": [{"overriders": {
        "labelsOverrider": [{"operator": "add", "value": {"o": "1"}}]}}]}),
    )];
    let cops = [cop(
        "c",
        json!({"overrideRules": [{"overriders": {
        "labelsOverrider": [{"operator": "add", "value": {"c": "1"}}]}}]}),
    )];
    let out = apply_overrides(&role, &cluster("m1"), &ops, &cops).unwrap();
    assert_eq!(out.manifest["metadata"]["labels"], json!({"c": "1"}));
    assert!(out.applied_overrides.is_empty());
    assert_eq!(out.annotations().len(), 1);
}

#[test]
fn no_policies_leave_the_template_alone() {
    let out = apply_overrides(&deployment(), &cluster("m1"), &[], &[]).unwrap();
    assert_eq!(out.manifest, deployment());
    assert!(out.annotations().is_empty());
}

#[test]
fn broken_overrides_are_typed_errors_naming_policy_rule_and_cluster() {
    let configmap = json!({"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": "cfg", "namespace": "default"},
                           "data": {"bad.yaml": "a: [", "n": "x"}});
    let cases: Vec<(Value, Value, &str)> = vec![
        (
            deployment(),
            json!({"plaintext": [{"path": "/spec/missing/x", "operator": "add", "value": 1}]}),
            "patch",
        ),
        (
            deployment(),
            json!({"plaintext": [{"path": "/spec/replicas", "operator": "remove"},
                                             {"path": "/spec/replicas", "operator": "remove"}]}),
            "patch",
        ),
        (
            deployment(),
            json!({"plaintext": [{"path": "/kind", "operator": "remove"}]}),
            "kind",
        ),
        (
            deployment(),
            json!({"imageOverrider": [{"predicate": {"path": "/spec/replicas"},
                                                  "component": "Tag", "operator": "remove"}]}),
            "type",
        ),
        (
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
                "spec": {"containers": [{"name": "c", "image": "Nginx:1"}]}}),
            json!({"imageOverrider": [{"component": "Tag", "operator": "remove"}]}),
            "image",
        ),
        (
            configmap.clone(),
            json!({"fieldOverrider": [{"fieldPath": "/data/bad.yaml",
                                                      "yaml": [{"subPath": "/a", "operator": "remove"}]}]}),
            "yaml",
        ),
        (
            configmap.clone(),
            json!({"fieldOverrider": [{"fieldPath": "/data/none",
                                                      "json": [{"subPath": "/a", "operator": "remove"}]}]}),
            "missing",
        ),
    ];
    for (template, overriders, what) in cases {
        let ops = [op(
            "broken",
            "default",
            json!({"overrideRules": [
                {"targetCluster": {"clusterNames": ["m2"]}, "overriders": {}},
                {"overriders": overriders}
            ]}),
        )];
        let err = apply_overrides(&template, &cluster("m1"), &ops, &[]).unwrap_err();
        let OverrideError::Overrider(failure) = &err else {
            panic!("{what}: unexpected {err:?}");
        };
        let OverriderFailure {
            policy,
            rule,
            cluster,
            source,
            ..
        } = failure.as_ref();
        assert_eq!(policy.kind, "OverridePolicy", "{what}");
        assert_eq!(policy.namespace, "default", "{what}");
        assert_eq!(policy.name, "broken", "{what}");
        assert_eq!(*rule, RuleRef::Index(1), "{what}");
        assert_eq!(cluster, "m1", "{what}");
        let kind_ok = match what {
            "patch" => matches!(source, OverriderError::Patch { .. }),
            "kind" => matches!(source, OverriderError::MissingKind),
            "type" => matches!(source, OverriderError::WrongType { .. }),
            "image" => matches!(source, OverriderError::InvalidImage { .. }),
            "yaml" => matches!(source, OverriderError::InvalidYamlDocument { .. }),
            "missing" => matches!(source, OverriderError::MissingPath { .. }),
            _ => false,
        };
        assert!(kind_ok, "{what}: {source:?}");
        let message = err.to_string();
        assert!(
            message.contains("OverridePolicy default/broken"),
            "{message}"
        );
        assert!(message.contains("spec.overrideRules[1]"), "{message}");
        assert!(message.contains("cluster m1"), "{message}");
    }
}

#[test]
fn a_later_failure_discards_earlier_overrides() {
    let cops = [cop(
        "ok",
        json!({"overrideRules": [{"overriders": set_replicas(9)}]}),
    )];
    let ops = [op(
        "bad",
        "default",
        json!({"overriders": {
        "plaintext": [{"path": "/nope/x", "operator": "replace", "value": 1}]}}),
    )];
    let template = deployment();
    let err = apply_overrides(&template, &cluster("m1"), &ops, &cops).unwrap_err();
    assert!(
        matches!(&err, OverrideError::Overrider(f) if f.rule == RuleRef::Deprecated),
        "{err:?}"
    );
    assert_eq!(template, deployment());
}

#[test]
fn template_must_be_an_object() {
    assert_eq!(
        apply_overrides(&json!([1]), &cluster("m1"), &[], &[]),
        Err(OverrideError::TemplateNotObject)
    );
}
