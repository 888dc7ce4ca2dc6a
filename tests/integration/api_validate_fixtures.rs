//! Every Karmada object in the fixtures is admitted after defaulting, and defaulting is
//! idempotent on them.
#![cfg(feature = "yaml")]

use crate::support;

use fedplan::api::defaults::{default_object, DefaultingContext};
use fedplan::api::validate::{validate_object, KarmadaObject, ValidationOptions};

/// Fixture documents Karmada itself would refuse, with the reason.
const KNOWN_INVALID: &[(&str, &str)] = &[
    (
        "docs-examples/docs-userguide-failover-application-failover--1.yaml#0",
        "documentation fragment: no resourceSelectors, and application failover without propagateDeps",
    ),
    (
        "docs-examples/docs-userguide-failover-application-failover--3.yaml#0",
        "documentation fragment: no resourceSelectors, and application failover without propagateDeps",
    ),
    (
        "docs-examples/docs-userguide-failover-application-failover--7.yaml#0",
        "application failover without propagateDeps: true",
    ),
    (
        "docs-examples/docs-userguide-failover-cluster-taint-management--2.yaml#0",
        "documentation fragment: no taints (the CRD requires at least one)",
    ),
    (
        "docs-examples/docs-userguide-failover-cluster-taint-management--4.yaml#0",
        "NoExecute taint, admitted only with --allow-no-execute-taint-policy",
    ),
    (
        "docs-examples/docs-userguide-scheduling-propagation-policy--25.yaml#0",
        "preemption: Always with a resource selector that has no name",
    ),
];

fn karmada_objects() -> Vec<(String, KarmadaObject)> {
    support::fixture_documents()
        .into_iter()
        .filter_map(|(label, doc)| {
            KarmadaObject::from_value(&doc)
                .unwrap_or_else(|e| panic!("{label}: {e}"))
                .map(|o| (label, o))
        })
        .collect()
}

#[test]
fn fixture_objects_validate_after_defaulting() {
    let ctx = DefaultingContext::default();
    let options = ValidationOptions::default();
    let objects = karmada_objects();
    assert!(objects.len() > 50, "only {} Karmada objects", objects.len());
    let mut failures = Vec::new();
    for (label, mut object) in objects {
        default_object(&mut object, &ctx);
        let errors = validate_object(&object, &options);
        let known = KNOWN_INVALID.iter().find(|(l, _)| *l == label);
        match (errors.is_empty(), known) {
            (true, None) | (false, Some(_)) => {}
            (false, None) => failures.push(format!(
                "{label}: {}",
                errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            (true, Some((_, why))) => {
                failures.push(format!("{label} listed as invalid ({why}) but validates"))
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn defaulting_fixture_objects_is_idempotent() {
    let ctx = DefaultingContext::default();
    for (label, mut object) in karmada_objects() {
        default_object(&mut object, &ctx);
        let once = object.clone();
        default_object(&mut object, &ctx);
        assert_eq!(
            once, object,
            "{label}: second defaulting changed the object"
        );
    }
}

#[test]
fn defaulting_then_serializing_round_trips() {
    let ctx = DefaultingContext::default();
    for (label, mut object) in karmada_objects() {
        default_object(&mut object, &ctx);
        let value = object.to_value().unwrap();
        let back = KarmadaObject::from_value(&value)
            .unwrap_or_else(|e| panic!("{label}: {e}"))
            .unwrap_or_else(|| panic!("{label}: no longer a Karmada object"));
        assert_eq!(back, object, "{label}");
    }
}

#[test]
fn no_execute_taint_policy_is_admitted_with_the_webhook_flag() {
    let options = ValidationOptions {
        allow_no_execute_taint_policy: true,
        ..Default::default()
    };
    let (_, object) = karmada_objects()
        .into_iter()
        .find(|(l, _)| {
            l == "docs-examples/docs-userguide-failover-cluster-taint-management--4.yaml#0"
        })
        .expect("fixture present");
    assert_eq!(validate_object(&object, &options), vec![]);
}
