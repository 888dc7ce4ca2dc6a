//! Every Karmada object in the fixtures, after defaulting and serializing, satisfies the
//! openAPIV3Schema of its CRD.
#![cfg(feature = "yaml")]

use crate::support;

use fedplan::api::defaults::{default_object, DefaultingContext};
use fedplan::api::validate::KarmadaObject;
use serde_json::json;
use support::schema::{karmada_crds, karmada_crds_lenient};

/// Documentation fragments that omit what the CRD requires.
const FRAGMENTS: &[&str] = &[
    "docs-examples/docs-userguide-failover-application-failover--1.yaml#0",
    "docs-examples/docs-userguide-failover-application-failover--3.yaml#0",
    "docs-examples/docs-userguide-failover-cluster-taint-management--2.yaml#0",
];

/// Fixtures whose text (before decoding) the current CRDs refuse, with the reason.
const INVALID_AS_WRITTEN: &[(&str, &str)] = &[
    (
        "docs-examples/docs-userguide-failover-application-failover--7.yaml#0",
        "purgeMode Immediately, an alias removed in July 2026 (read as Directly)",
    ),
    (
        "docs-examples/docs-userguide-scheduling-override-policy--5.yaml#0",
        "documentation fragment: `overriders:` left empty (null)",
    ),
    (
        "docs-examples/docs-userguide-scheduling-override-policy--7.yaml#0",
        "documentation fragment: `overriders:` left empty (null)",
    ),
];

#[test]
fn defaulted_fixture_objects_satisfy_their_crd_schema() {
    let ctx = DefaultingContext::default();
    let schemas = karmada_crds();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (label, doc) in support::fixture_documents() {
        let Some(mut object) = KarmadaObject::from_value(&doc).unwrap() else {
            continue;
        };
        default_object(&mut object, &ctx);
        let value = object.to_value().unwrap();
        let api = value["apiVersion"].as_str().unwrap_or_default();
        let kind = value["kind"].as_str().unwrap_or_default();
        if kind == "Cluster" {
            // Cluster is served by Karmada's aggregated API server, not a CRD.
            assert!(!schemas.has_schema(api, kind));
            continue;
        }
        checked += 1;
        match (
            schemas.validate(&value),
            FRAGMENTS.contains(&label.as_str()),
        ) {
            (Ok(()), false) | (Err(_), true) => {}
            (Err(problems), false) => failures.push(format!("{label}: {problems:?}")),
            (Ok(()), true) => failures.push(format!("{label}: listed as a fragment but valid")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 50, "only {checked} objects checked");
}

#[test]
fn fixture_objects_as_written_satisfy_their_crd_schema() {
    let schemas = karmada_crds();
    let mut failures = Vec::new();
    for (label, doc) in support::fixture_documents() {
        let api = doc["apiVersion"].as_str().unwrap_or_default();
        let kind = doc["kind"].as_str().unwrap_or_default();
        if !schemas.has_schema(api, kind) {
            continue;
        }
        let known = FRAGMENTS.contains(&label.as_str())
            || INVALID_AS_WRITTEN.iter().any(|(l, _)| *l == label);
        match (schemas.validate(&doc), known) {
            (Ok(()), false) | (Err(_), true) => {}
            (Err(problems), false) => failures.push(format!("{label}: {problems:?}")),
            (Ok(()), true) => failures.push(format!("{label}: listed as invalid but valid")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn base_policy() -> serde_json::Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1",
        "kind": "PropagationPolicy",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}],
            "placement": {
                "replicaScheduling": {
                    "replicaSchedulingType": "Divided",
                    "replicaDivisionPreference": "Weighted",
                    "weightPreference": {"staticWeightList": [
                        {"targetCluster": {"clusterNames": ["m1"]}, "weight": 1}
                    ]}
                }
            }
        }
    })
}

#[test]
fn schema_check_reports_violations_with_paths() {
    let schemas = karmada_crds();
    assert_eq!(schemas.validate(&base_policy()), Ok(()));
    let cases: &[(&str, serde_json::Value, &str)] = &[
        (
            "/spec/placement/replicaScheduling/weightPreference/staticWeightList/0/weight",
            json!(0),
            "spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight",
        ),
        (
            "/spec/resourceSelectors",
            json!([]),
            "spec.resourceSelectors",
        ),
        (
            "/spec/conflictResolution",
            json!("Replace"),
            "spec.conflictResolution",
        ),
        ("/spec/priority", json!(4294967296i64), "spec.priority"),
        (
            "/spec/placement/clusterAffinities",
            json!([{"affinityName": ""}]),
            "spec.placement.clusterAffinities[0].affinityName",
        ),
        ("/spec/unknownField", json!(true), "spec"),
        (
            "/spec/resourceSelectors/0/kind",
            json!(7),
            "spec.resourceSelectors[0].kind",
        ),
    ];
    for (pointer, value, path) in cases {
        let mut doc = base_policy();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        doc.pointer_mut(parent).unwrap()[key] = value.clone();
        let problems = schemas.validate(&doc).expect_err(pointer);
        assert!(
            problems.iter().any(|p| p.starts_with(&format!("{path}: "))),
            "{pointer}: expected a problem at {path}, got {problems:?}"
        );
    }
}

#[test]
fn schema_check_covers_bindings_and_works() {
    let schemas = karmada_crds();
    let binding = json!({
        "apiVersion": "work.karmada.io/v1alpha2",
        "kind": "ResourceBinding",
        "metadata": {"name": "nginx-deployment", "namespace": "default"},
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"},
            "clusters": [{"name": "m1", "replicas": 2}],
            "replicaRequirements": {"resourceRequest": {"cpu": "500m", "memory": 1024}}
        },
        "status": {"conditions": [{"type": "Scheduled", "status": "True", "reason": "Success",
                                   "message": "ok", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}
    });
    assert_eq!(schemas.validate(&binding), Ok(()));
    let mut bad = binding.clone();
    bad["spec"]["replicaRequirements"]["resourceRequest"]["cpu"] = json!("lots");
    bad["status"]["conditions"][0]["lastTransitionTime"] = json!("yesterday");
    bad["spec"]["clusters"][0]
        .as_object_mut()
        .unwrap()
        .remove("name");
    let problems = schemas.validate(&bad).unwrap_err();
    for path in [
        "spec.replicaRequirements.resourceRequest.cpu",
        "status.conditions[0].lastTransitionTime",
        "spec.clusters[0]",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(&format!("{path}: "))),
            "expected {path} in {problems:?}"
        );
    }
    let work = json!({
        "apiVersion": "work.karmada.io/v1alpha1",
        "kind": "Work",
        "metadata": {"name": "w", "namespace": "karmada-es-m1"},
        "spec": {"workload": {"manifests": [{"apiVersion": "v1", "kind": "ConfigMap", "anything": {"goes": 1}}]}}
    });
    assert_eq!(schemas.validate(&work), Ok(()));
    let mut bad_work = work.clone();
    bad_work["spec"]["workload"]["manifests"] = json!(["not an object"]);
    assert!(schemas.validate(&bad_work).is_err());
}

#[test]
fn lenient_schemas_ignore_undeclared_fields_only() {
    let mut doc = base_policy();
    doc["status"] = json!({"schedulingDiagnosis": {"message": "ours"}});
    assert!(karmada_crds().validate(&doc).is_err());
    assert_eq!(karmada_crds_lenient().validate(&doc), Ok(()));
    doc["spec"]["priority"] = json!("high");
    let problems = karmada_crds_lenient().validate(&doc).unwrap_err();
    assert!(
        problems.iter().any(|p| p.starts_with("spec.priority: ")),
        "{problems:?}"
    );
}
