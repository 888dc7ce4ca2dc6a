//! `plan`: claim, bind, schedule and render over loaded objects, end to end in the library.
#![cfg(feature = "yaml")]

use fedplan::load::Loader;
use fedplan::plan::{render, schedule, PlanInput, PlanOptions};

const CLUSTERS: &str = include_str!("../../examples/three-clusters/clusters.yaml");

fn input(text: &str) -> PlanInput {
    let loaded = Loader::new().objects_from_str("in.yaml", &format!("{CLUSTERS}\n---\n{text}"));
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    PlanInput::admit(&loaded.items).expect("valid input")
}

const APP: &str = "apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web, namespace: default}
spec:
  propagateDeps: true
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
  placement:
    clusterAffinity: {clusterNames: [member1, member2]}
    replicaScheduling: {replicaSchedulingType: Duplicated}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, uid: d-1}
spec:
  replicas: 2
  template:
    spec:
      containers: [{name: web, image: nginx, envFrom: [{configMapRef: {name: web-config}}]}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: default, uid: c-1}
data: {a: b}
";

#[test]
fn dependencies_get_attached_bindings_and_works_in_the_parent_clusters() {
    let input = input(APP);
    let plan = schedule(&input, &PlanOptions::default());
    assert!(!plan.failed(), "{:?}", plan.errors);
    // The ConfigMap is not claimed by any policy.
    assert_eq!(plan.unclaimed.len(), 1, "{:?}", plan.unclaimed);
    let rendered = render(&input, plan);
    assert!(rendered.errors.is_empty(), "{:?}", rendered.errors);
    let names: Vec<&str> = rendered
        .bindings
        .iter()
        .map(|b| b.binding.metadata.name.as_str())
        .collect();
    assert_eq!(names, ["web-config-configmap", "web-deployment"]);
    let attached = &rendered.bindings[0].binding;
    assert_eq!(attached.spec.required_by.len(), 1);
    assert_eq!(attached.spec.required_by[0].name, "web-deployment");
    let mut works: Vec<(String, String)> = rendered
        .works
        .iter()
        .map(|w| {
            (
                w.metadata.namespace.clone(),
                w.spec.workload.manifests[0]["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    works.sort();
    assert_eq!(
        works,
        [
            ("karmada-es-member1".to_string(), "ConfigMap".to_string()),
            ("karmada-es-member1".to_string(), "Deployment".to_string()),
            ("karmada-es-member2".to_string(), "ConfigMap".to_string()),
            ("karmada-es-member2".to_string(), "Deployment".to_string()),
        ]
    );
}

#[test]
fn same_input_gives_the_same_plan() {
    let first = render(&input(APP), schedule(&input(APP), &PlanOptions::default()));
    let second = render(&input(APP), schedule(&input(APP), &PlanOptions::default()));
    let text = |r: &fedplan::plan::Rendered| {
        serde_json::to_string(&(
            r.bindings.iter().map(|b| &b.binding).collect::<Vec<_>>(),
            &r.works,
        ))
        .expect("serialize")
    };
    assert_eq!(text(&first), text(&second));
}

#[test]
fn invalid_objects_are_rejected_with_their_field() {
    let loaded = Loader::new().objects_from_str(
        "bad.yaml",
        "apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: p, namespace: default}\nspec:\n  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]\n  placement:\n    clusterAffinity: {clusterNames: [a]}\n    clusterAffinities: [{affinityName: x, clusterNames: [a]}]\n",
    );
    let errors = PlanInput::admit(&loaded.items).expect_err("conflicting fields");
    let text = errors[0].to_string();
    assert!(text.contains("bad.yaml document 1"), "{text}");
    assert!(text.contains("spec.placement"), "{text}");
}
