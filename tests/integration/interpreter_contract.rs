//! The library side of `fedplan interpret`: output shapes of [`run_operation`], typed errors
//! for malformed objects, and invariants checked with proptest.

use fedplan::api::AggregatedStatusItem;
use fedplan::interpreter::{
    chain::InterpreterChain, run_operation, InterpreterError, Operation, ResourceInterpreter,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn deployment(replicas: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "prod", "generation": 2},
        "spec": {"replicas": replicas, "template": {"spec": {"containers": [
            {"name": "c", "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}}]}}}
    })
}

fn item(cluster: &str, status: Value) -> AggregatedStatusItem {
    AggregatedStatusItem {
        cluster_name: cluster.into(),
        status: Some(status),
        applied: true,
        ..Default::default()
    }
}

#[test]
fn output_shapes() {
    let chain = InterpreterChain::default();
    let d = deployment(json!(3));
    let run = |op, desired: Option<&Value>, observed: Option<&Value>, items, n| {
        run_operation(&chain, op, desired, observed, items, n).expect("operation succeeds")
    };
    let replica = run(Operation::InterpretReplica, Some(&d), None, None, None);
    assert_eq!(
        replica,
        json!({"replicas": 3, "replicaRequirements": {"resourceRequest": {"cpu": "250m", "memory": "64Mi"}}})
    );
    let revised = run(Operation::ReviseReplica, Some(&d), None, None, Some(1));
    assert_eq!(revised["spec"]["replicas"], 1);

    let mut member = d.clone();
    member["metadata"]["annotations"] = json!({"resourcetemplate.karmada.io/generation": "2"});
    member["status"] = json!({"replicas": 3, "observedGeneration": 2, "availableReplicas": 3, "updatedReplicas": 3});
    let status = run(Operation::InterpretStatus, None, Some(&member), None, None);
    assert_eq!(
        status,
        json!({"replicas": 3, "updatedReplicas": 3, "availableReplicas": 3, "observedGeneration": 2,
               "generation": 2, "resourceTemplateGeneration": 2})
    );
    let health = run(Operation::InterpretHealth, None, Some(&member), None, None);
    assert_eq!(health, json!({"healthy": true}));
    // No layer interprets ConfigMap health: Karmada reports it healthy.
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    assert_eq!(
        run(Operation::InterpretHealth, Some(&cm), None, None, None),
        json!({"healthy": true})
    );
    assert_eq!(
        run(Operation::InterpretStatus, Some(&cm), None, None, None),
        Value::Null
    );

    let items = [item("m1", status.clone()), item("m2", status)];
    let aggregated = run(
        Operation::AggregateStatus,
        Some(&d),
        None,
        Some(&items),
        None,
    );
    assert_eq!(
        aggregated["status"],
        json!({"replicas": 6, "updatedReplicas": 6, "availableReplicas": 6, "observedGeneration": 2})
    );

    let deps = run(Operation::InterpretDependency, Some(&d), None, None, None);
    assert_eq!(deps, json!({"dependencies": []}));

    let mut observed = d.clone();
    observed["metadata"]["resourceVersion"] = json!("42");
    let retained = run(Operation::Retain, Some(&d), Some(&observed), None, None);
    assert_eq!(retained["metadata"]["resourceVersion"], "42");
}

#[test]
fn components_are_unsupported_without_a_customization() {
    let chain = InterpreterChain::default();
    let d = deployment(json!(1));
    let err = run_operation(
        &chain,
        Operation::InterpretComponent,
        Some(&d),
        None,
        None,
        None,
    );
    assert!(matches!(err, Err(InterpreterError::Unsupported { .. })));
}

#[test]
fn missing_inputs_are_typed_errors() {
    let chain = InterpreterChain::default();
    let d = deployment(json!(1));
    let cases = [
        (Operation::ReviseReplica, Some(&d), None),
        (Operation::Retain, Some(&d), None),
        (Operation::InterpretReplica, None, None),
        (Operation::InterpretHealth, None, None),
    ];
    for (op, desired, observed) in cases {
        let r = run_operation(&chain, op, desired, observed, None, None);
        assert!(
            matches!(r, Err(InterpreterError::MissingInput { operation, .. }) if operation == op),
            "{op}: {r:?}"
        );
    }
}

#[test]
fn malformed_objects_are_typed_errors() {
    let chain = InterpreterChain::default();
    struct Case {
        name: &'static str,
        op: Operation,
        object: Value,
        observed: Option<Value>,
        field: &'static str,
    }
    let mut negative = deployment(json!(1));
    negative["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] =
        json!({"nvidia.com/gpu": "-2"});
    let mut bad_quantity = deployment(json!(1));
    bad_quantity["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] =
        json!("lots");
    let mut no_template = deployment(json!(1));
    no_template["spec"]
        .as_object_mut()
        .unwrap()
        .remove("template");
    let mut retain_replicas = deployment(json!(1));
    retain_replicas["metadata"]["labels"] =
        json!({"resourcetemplate.karmada.io/retain-replicas": "true"});
    let mut no_annotation = deployment(json!(1));
    no_annotation["status"] = json!({"replicas": 1});
    let cases = [
        Case {
            name: "replicas of the wrong type",
            op: Operation::InterpretReplica,
            object: deployment(json!("three")),
            observed: None,
            field: "spec.replicas",
        },
        Case {
            name: "negative quantity",
            op: Operation::InterpretReplica,
            object: negative,
            observed: None,
            field: "spec.template.spec.containers[0].resources.limits.nvidia.com/gpu",
        },
        Case {
            name: "unparsable quantity",
            op: Operation::InterpretReplica,
            object: bad_quantity,
            observed: None,
            field: "spec.template.spec.containers[0].resources.requests.cpu",
        },
        Case {
            name: "missing template",
            op: Operation::InterpretReplica,
            object: no_template,
            observed: None,
            field: "spec.template",
        },
        Case {
            name: "CloneSet replicas of the wrong type",
            op: Operation::InterpretReplica,
            object: json!({"apiVersion": "apps.kruise.io/v1alpha1", "kind": "CloneSet",
                "metadata": {"name": "web", "namespace": "prod"},
                "spec": {"replicas": [1], "template": {}}}),
            observed: None,
            field: "spec.replicas",
        },
        Case {
            name: "retain-replicas without member replicas",
            op: Operation::Retain,
            object: retain_replicas,
            observed: Some(json!({"metadata": {"name": "web"}, "spec": {}})),
            field: "spec.replicas",
        },
        Case {
            name: "member without the template-generation annotation",
            op: Operation::InterpretStatus,
            object: no_annotation,
            observed: None,
            field: "metadata.annotations",
        },
    ];
    for c in cases {
        let r = run_operation(
            &chain,
            c.op,
            Some(&c.object),
            c.observed.as_ref(),
            None,
            None,
        );
        match r {
            Err(InterpreterError::Malformed {
                operation,
                name,
                field,
                ..
            }) => {
                assert_eq!(operation, c.op, "{}", c.name);
                assert_eq!(name, "prod/web", "{}", c.name);
                assert_eq!(field, c.field, "{}", c.name);
            }
            other => panic!("{}: expected a typed error, got {other:?}", c.name),
        }
    }
    // Not an object at all.
    let r = chain.interpret_replica(&json!(["not", "an", "object"]));
    assert!(r.is_err());
}

fn workload(kind: usize, replicas: i64) -> Value {
    let (api_version, k) = [
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "ReplicaSet"),
        ("apps.kruise.io/v1alpha1", "CloneSet"),
        ("apps.kruise.io/v1beta1", "StatefulSet"),
        ("apps.kruise.io/v1alpha1", "UnitedDeployment"),
    ][kind];
    json!({"apiVersion": api_version, "kind": k, "metadata": {"name": "w", "namespace": "ns"},
        "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "c"}]}}}})
}

proptest! {
    #[test]
    fn revise_then_interpret_returns_the_revised_count(
        kind in 0usize..6, start in 0i64..1000, revised in 0i64..100_000,
    ) {
        let chain = InterpreterChain::default();
        let obj = workload(kind, start);
        let out = chain.revise_replica(&obj, revised).unwrap();
        prop_assert_eq!(i64::from(chain.interpret_replica(&out).unwrap().replicas), revised);
    }

    #[test]
    fn aggregate_of_identical_members_is_n_times_one(
        n in 1usize..40,
        replicas in 0i64..50, ready in 0i64..50, updated in 0i64..50, available in 0i64..50,
        kind in 0usize..2,
    ) {
        let chain = InterpreterChain::default();
        let template = match kind {
            0 => workload(0, 1),
            _ => workload(3, 1),
        };
        let status = json!({"replicas": replicas, "readyReplicas": ready,
            "updatedReplicas": updated, "availableReplicas": available});
        let one = chain.aggregate_status(&template, &[item("m", status.clone())]).unwrap();
        let items: Vec<_> = (0..n).map(|i| item(&format!("m{i}"), status.clone())).collect();
        let many = chain.aggregate_status(&template, &items).unwrap();
        for k in ["replicas", "readyReplicas", "updatedReplicas", "availableReplicas"] {
            let single = one["status"].get(k).and_then(Value::as_i64).unwrap_or(0);
            let total = many["status"].get(k).and_then(Value::as_i64).unwrap_or(0);
            prop_assert_eq!(total, single * n as i64, "{}", k);
        }
    }

    #[test]
    fn member_order_does_not_change_counters_or_generation(
        gens in proptest::collection::vec((0i64..4, 0i64..4, 0i64..4), 1..8),
        template_gen in 0i64..4,
    ) {
        let chain = InterpreterChain::default();
        let mut template = workload(0, 1);
        template["metadata"]["generation"] = json!(template_gen);
        let items: Vec<_> = gens.iter().enumerate().map(|(i, (g, o, r))| item(&format!("m{i}"),
            json!({"replicas": 1, "generation": g, "observedGeneration": o, "resourceTemplateGeneration": r}))).collect();
        let mut reversed = items.clone();
        reversed.reverse();
        prop_assert_eq!(
            chain.aggregate_status(&template, &items).unwrap(),
            chain.aggregate_status(&template, &reversed).unwrap()
        );
    }
}
