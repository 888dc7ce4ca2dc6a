//! Defaulting is idempotent and keeps every value the user set, for generated objects.

use fedplan::api::defaults::{default_object, DefaultingContext};
use fedplan::api::validate::KarmadaObject;
use proptest::prelude::*;
use serde_json::{json, Value};

fn opt<T: Clone + std::fmt::Debug + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![Just(None), s.prop_map(Some)].boxed()
}

fn selector() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            Just("apps/v1"),
            Just("v1"),
            Just("multicluster.x-k8s.io/v1alpha1")
        ],
        prop_oneof![Just("Deployment"), Just("ServiceImport"), Just("ConfigMap")],
        opt(prop_oneof![
            Just("default".to_string()),
            Just("other".to_string())
        ]),
        opt(Just("name".to_string())),
    )
        .prop_map(|(api, kind, ns, name)| {
            let mut s = json!({"apiVersion": api, "kind": kind});
            if let Some(ns) = ns {
                s["namespace"] = json!(ns);
            }
            if let Some(name) = name {
                s["name"] = json!(name);
            }
            s
        })
}

fn spread() -> impl Strategy<Value = Value> {
    (
        opt(prop_oneof![
            Just("cluster"),
            Just("region"),
            Just("zone"),
            Just("provider")
        ]),
        opt(Just("net")),
        -1i32..4,
        -1i32..4,
    )
        .prop_map(|(field, label, min, max)| {
            let mut c = json!({"minGroups": min, "maxGroups": max});
            if let Some(f) = field {
                c["spreadByField"] = json!(f);
            }
            if let Some(l) = label {
                c["spreadByLabel"] = json!(l);
            }
            c
        })
}

fn replica_scheduling() -> impl Strategy<Value = Option<Value>> {
    opt((
        opt(prop_oneof![Just("Duplicated"), Just("Divided")]),
        opt(prop_oneof![Just("Aggregated"), Just("Weighted")]),
        any::<bool>(),
    )
        .prop_map(|(ty, pref, dynamic)| {
            let mut rs = json!({});
            if let Some(t) = ty {
                rs["replicaSchedulingType"] = json!(t);
            }
            if let Some(p) = pref {
                rs["replicaDivisionPreference"] = json!(p);
            }
            if dynamic {
                rs["weightPreference"] = json!({"dynamicWeight": "AvailableReplicas"});
            }
            rs
        }))
}

fn failover() -> impl Strategy<Value = Option<Value>> {
    opt((
        opt(prop_oneof![
            Just("Directly"),
            Just("Gracefully"),
            Just("Never"),
            Just("Graciously")
        ]),
        opt(-5i32..700),
        opt(-5i32..700),
        any::<bool>(),
    )
        .prop_map(|(mode, grace, toleration, cluster)| {
            let mut app = json!({"decisionConditions": {}});
            if let Some(m) = mode {
                app["purgeMode"] = json!(m);
            }
            if let Some(g) = grace {
                app["gracePeriodSeconds"] = json!(g);
            }
            if let Some(t) = toleration {
                app["decisionConditions"]["tolerationSeconds"] = json!(t);
            }
            let mut f = json!({"application": app});
            if cluster {
                f["cluster"] = json!({});
            }
            f
        }))
}

fn policy() -> impl Strategy<Value = Value> {
    (
        prop_oneof![Just("PropagationPolicy"), Just("ClusterPropagationPolicy")],
        opt(Just("team".to_string())),
        prop::collection::vec(selector(), 0..3),
        prop::collection::vec(spread(), 0..3),
        replica_scheduling(),
        failover(),
        opt(-3i32..3),
        any::<bool>(),
    )
        .prop_map(|(kind, ns, selectors, spreads, rs, failover, priority, deps)| {
            let mut p = json!({
                "apiVersion": "policy.karmada.io/v1alpha1",
                "kind": kind,
                "metadata": {"name": "p"},
                "spec": {"resourceSelectors": selectors, "placement": {"spreadConstraints": spreads},
                         "propagateDeps": deps}
            });
            if let Some(ns) = ns {
                p["metadata"]["namespace"] = json!(ns);
            }
            if let Some(rs) = rs {
                p["spec"]["placement"]["replicaScheduling"] = rs;
            }
            if let Some(f) = failover {
                p["spec"]["failover"] = f;
            }
            if let Some(pr) = priority {
                p["spec"]["priority"] = json!(pr);
            }
            p
        })
}

/// Every scalar the input sets, by JSON pointer (null and false count as unset).
fn set_scalars(v: &Value, prefix: String, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, c)| set_scalars(c, format!("{prefix}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| set_scalars(c, format!("{prefix}/{i}"), out)),
        Value::Null | Value::Bool(false) => {}
        Value::Number(n) if n.as_i64() == Some(0) => {}
        other => out.push((prefix, other.clone())),
    }
}

proptest! {
    #[test]
    fn defaulting_is_idempotent_and_keeps_set_values(doc in policy()) {
        let mut object = KarmadaObject::from_value(&doc).unwrap().unwrap();
        let ctx = DefaultingContext::default();
        default_object(&mut object, &ctx);
        let once = object.clone();
        default_object(&mut object, &ctx);
        prop_assert_eq!(&once, &object);

        let after = once.to_value().unwrap();
        let mut scalars = Vec::new();
        set_scalars(&doc, String::new(), &mut scalars);
        for (pointer, value) in scalars {
            // The deprecated purge-mode alias is read under its current name.
            let expected = if value == json!("Graciously") { json!("Gracefully") } else { value };
            prop_assert_eq!(after.pointer(&pointer), Some(&expected), "{}", pointer);
        }
    }
}
