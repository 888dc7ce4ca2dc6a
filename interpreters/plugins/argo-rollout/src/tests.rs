use super::*;
use fedplan_interpreter_sdk::through_lua;

fn rollout(spec: Value) -> Value {
    let mut rollout = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "shop", "namespace": "web"},
        "spec": spec
    });
    through_lua(&mut rollout);
    rollout
}

fn template(image: &str, requests: Value) -> Value {
    json!({
        "metadata": {"labels": {"app": "shop"}},
        "spec": {"containers": [{"name": "main", "image": image,
                                 "resources": {"requests": requests}}]}
    })
}

/// A resource request as the plugin returns it.
type Request = Vec<(String, String)>;

fn request(pairs: &[(&str, &str)]) -> Request {
    pairs
        .iter()
        .map(|(n, q)| (n.to_string(), q.to_string()))
        .collect()
}

/// Each component's name, replicas and request.
fn summary(components: &[Component]) -> Vec<(String, i32, Request)> {
    components
        .iter()
        .map(|c| {
            let request = c
                .requirements
                .as_ref()
                .map_or(Vec::new(), |r| r.resource_request.clone());
            (c.name.clone(), c.replicas, request)
        })
        .collect()
}

#[test]
fn health_follows_the_phase_then_the_pods() {
    let cases = [
        (json!({}), Some(false)),
        (json!({"status": {}}), Some(false)),
        (json!({"status": {"phase": "Healthy"}}), Some(true)),
        (json!({"status": {"phase": "Progressing"}}), Some(true)),
        (json!({"status": {"phase": "Paused"}}), Some(true)),
        (
            json!({"status": {"phase": "Degraded", "availableReplicas": 3}}),
            Some(false),
        ),
        (
            json!({"status": {"phase": "HealthCheckFailed"}}),
            Some(false),
        ),
        (json!({"status": {"phase": "SomethingNew"}}), Some(true)),
        (
            json!({"status": {"phase": "", "availableReplicas": 1}}),
            Some(true),
        ),
        (json!({"status": {"readyReplicas": 2}}), Some(true)),
        (
            json!({"status": {"availableReplicas": 0, "readyReplicas": 0}}),
            Some(false),
        ),
        (
            json!({"status": {"availableReplicas": null, "readyReplicas": 1}}),
            Some(true),
        ),
        (json!({"status": "unknown"}), Some(false)),
        (json!({"status": {"availableReplicas": "2"}}), None),
        (json!({"status": 3}), None),
    ];
    for (mut object, want) in cases {
        through_lua(&mut object);
        assert_eq!(Rollout::interpret_health(&object).ok(), want, "{object}");
    }
}

#[test]
fn components_follow_the_strategy() {
    let stable = template("shop:1", json!({"cpu": "1", "memory": "1Gi"}));
    let next = template("shop:2", json!({"cpu": "2"}));
    let cases = [
        (
            json!({"replicas": 3, "strategy": {"canary": {
                "canaryReplicas": 2, "stableTemplate": stable, "canaryTemplate": next}}}),
            vec![
                (
                    "stable",
                    3,
                    request(&[("cpu", "1"), ("memory", "1073741824")]),
                ),
                ("canary", 2, request(&[("cpu", "2")])),
            ],
        ),
        // The stable template falls back to the root template; counts default to one.
        (
            json!({"template": stable, "strategy": {"canary": {"canaryTemplate": next}}}),
            vec![
                (
                    "stable",
                    1,
                    request(&[("cpu", "1"), ("memory", "1073741824")]),
                ),
                ("canary", 1, request(&[("cpu", "2")])),
            ],
        ),
        // Counts written as strings are read as numbers; unreadable ones default to one.
        (
            json!({"replicas": "4", "strategy": {"canary": {"canaryReplicas": "many"}}}),
            vec![("stable", 4, vec![]), ("canary", 1, vec![])],
        ),
        (
            json!({"replicas": 2, "template": stable,
                   "strategy": {"blueGreen": {"previewTemplate": next}}}),
            vec![
                (
                    "active",
                    2,
                    request(&[("cpu", "1"), ("memory", "1073741824")]),
                ),
                ("preview", 1, request(&[("cpu", "2")])),
            ],
        ),
        // Canary wins over blue-green.
        (
            json!({"strategy": {"canary": {}, "blueGreen": {"previewTemplate": next}}}),
            vec![("stable", 1, vec![]), ("canary", 1, vec![])],
        ),
        (json!({"replicas": 2.5, "template": stable}), vec![]),
        (json!({"strategy": {}}), vec![]),
    ];
    for (spec, want) in cases {
        let object = rollout(spec);
        let found = Rollout::interpret_component(&object).expect("components");
        let want: Vec<(String, i32, Request)> = want
            .into_iter()
            .map(|(name, replicas, request)| (name.to_string(), replicas, request))
            .collect();
        let got = summary(&found);
        assert_eq!(got, want, "{object}");
    }
}

#[test]
fn component_requirements_complete_what_the_pod_rules_leave_out() {
    let cases = [
        // Zero and unschedulable requests are dropped by the pod rules, kept as written.
        (
            json!({"spec": {"containers": [
                {"resources": {"requests": {"cpu": "0", "example": "3"}}},
                {"resources": {"requests": {"memory": "0", "example": "4"}}}
            ]}}),
            Some((
                request(&[("cpu", "0"), ("example", "3"), ("memory", "0")]),
                "",
            )),
        ),
        // The priority class joins only pod requirements that exist.
        (
            json!({"spec": {"priorityClassName": "high",
                            "containers": [{"resources": {"requests": {"cpu": "1"}}}]}}),
            Some((request(&[("cpu", "1")]), "high")),
        ),
        (
            json!({"spec": {"priorityClassName": "high", "containers": [{}]}}),
            None,
        ),
        (json!({"spec": {"containers": [{"image": "x"}]}}), None),
        (json!({"metadata": {}}), None),
    ];
    for (template, want) in cases {
        let mut object = rollout(json!({"strategy": {"blueGreen": {"activeTemplate": template}}}));
        through_lua(&mut object);
        let found = Rollout::interpret_component(&object).expect("components");
        let active = found[0]
            .requirements
            .as_ref()
            .map(|r| (r.resource_request.clone(), r.priority_class_name.as_str()));
        let want = want.as_ref().map(|(r, c)| (r.clone(), *c));
        assert_eq!(active, want, "{object}");
    }
}

#[test]
fn a_node_claim_alone_is_a_requirement() {
    let object = rollout(json!({"strategy": {"canary": {"canaryTemplate": {"spec": {
        "nodeSelector": {"disk": "ssd"}, "priorityClassName": "low"}}}}}));
    let found = Rollout::interpret_component(&object).expect("components");
    let canary = found[1].requirements.as_ref().expect("requirements");
    assert_eq!(
        canary.node_claim.as_ref().map(|c| c.node_selector.clone()),
        Some(vec![("disk".to_string(), "ssd".to_string())])
    );
    assert_eq!(canary.priority_class_name, "low");
    assert!(canary.resource_request.is_empty());
}

#[test]
fn malformed_components_are_errors() {
    let cases = [
        json!({"replicas": 2.5, "strategy": {"canary": {}}}),
        json!({"replicas": -1, "strategy": {"blueGreen": {}}}),
        json!({"strategy": {"canary": {"canaryReplicas": 3000000000u64}}}),
        json!({"strategy": 3}),
        json!({"strategy": {"canary": true}}),
        json!({"strategy": {"canary": {"canaryTemplate": {"spec": "none"}}}}),
        json!({"strategy": {"canary": {"canaryTemplate": {"spec": {"containers": 1}}}}}),
    ];
    for spec in cases {
        let object = rollout(spec);
        assert!(Rollout::interpret_component(&object).is_err(), "{object}");
    }
}

#[test]
fn replicas_are_the_root_template_s() {
    let stable = template("shop:1", json!({"cpu": "250m"}));
    let cases = [
        (
            json!({"replicas": 3, "template": stable}),
            Some((3, request(&[("cpu", "250m")]))),
        ),
        (
            json!({"template": stable}),
            Some((1, request(&[("cpu", "250m")]))),
        ),
        (
            json!({"replicas": "2", "template": stable}),
            Some((2, request(&[("cpu", "250m")]))),
        ),
        (
            json!({"replicas": 2.7, "template": {"metadata": {}}}),
            Some((2, vec![])),
        ),
        (json!({"replicas": 2, "template": []}), Some((2, vec![]))),
        (json!({"replicas": 2}), None),
        (json!({"replicas": -3, "template": stable}), None),
        (json!({"template": "x"}), None),
        (json!({"template": [{"spec": {}}]}), None),
        (json!({"template": {"spec": 1}}), None),
    ];
    for (spec, want) in cases {
        let object = rollout(spec);
        let found = Rollout::interpret_replica(&object).ok().map(|r| {
            let request = r.requirements.as_ref().map(|q| q.resource_request.clone());
            if let Some(requirements) = &r.requirements {
                assert_eq!(requirements.namespace, "web");
            }
            (r.replicas, request.unwrap_or_default())
        });
        assert_eq!(found, want, "{object}");
    }
}

#[test]
fn retain_keeps_the_member_pause_and_selector() {
    let desired = rollout(json!({"replicas": 3, "paused": false,
                                 "selector": {"matchLabels": {"app": "a"}}}));
    let cases = [
        (
            rollout(json!({"paused": true, "selector": {"matchLabels": {"app": "b"}}})),
            Some(json!({"replicas": 3, "paused": true, "selector": {"matchLabels": {"app": "b"}}})),
        ),
        (
            rollout(json!({"replicas": 9})),
            Some(
                json!({"replicas": 3, "paused": false, "selector": {"matchLabels": {"app": "a"}}}),
            ),
        ),
        (
            json!({"kind": "Rollout"}),
            Some(
                json!({"replicas": 3, "paused": false, "selector": {"matchLabels": {"app": "a"}}}),
            ),
        ),
        (rollout(json!(7)), None),
    ];
    for (observed, want) in cases {
        let retained = Rollout::retain(desired.clone(), &observed).ok();
        assert_eq!(retained.map(|r| r["spec"].clone()), want, "{observed}");
    }
    // A desired rollout without spec cannot take the member's values.
    let bare = json!({"kind": "Rollout", "metadata": {"name": "shop"}});
    assert!(Rollout::retain(bare, &rollout(json!({"paused": true}))).is_err());
}

#[test]
fn dependencies_come_from_every_template_of_the_strategy() {
    let uses = |cm: &str, secret: &str| {
        json!({"spec": {
            "imagePullSecrets": [{"name": "registry"}, {"name": ""}],
            "volumes": [
                {"name": "c", "configMap": {"name": cm}},
                {"name": "s", "secret": {"secretName": secret}},
                {"name": "d", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "e", "emptyDir": {}}
            ],
            "initContainers": [{"envFrom": [{"configMapRef": {"name": "init-only"}}]}],
            "containers": [{
                "envFrom": [{"secretRef": {"name": "env-secret"}}],
                "env": [
                    {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "env-cm", "key": "a"}}},
                    {"name": "B", "value": "b"}
                ]
            }]
        }})
    };
    let refs = |object: &Value| -> Option<Vec<String>> {
        Rollout::interpret_dependency(object).ok().map(|found| {
            found
                .iter()
                .map(|d| format!("{} {}/{}", d.kind, d.namespace, d.name))
                .collect()
        })
    };
    let canary = rollout(json!({
        "template": uses("root-cm", "root-secret"),
        "strategy": {
            "canary": {"canaryTemplate": uses("canary-cm", "root-secret")},
            "blueGreen": {"previewTemplate": uses("ignored", "ignored")}
        }
    }));
    assert_eq!(
        refs(&canary),
        Some(
            [
                "ConfigMap web/canary-cm",
                "ConfigMap web/env-cm",
                "ConfigMap web/root-cm",
                "PersistentVolumeClaim web/data",
                "Secret web/env-secret",
                "Secret web/registry",
                "Secret web/root-secret",
            ]
            .map(String::from)
            .to_vec()
        )
    );
    let cases = [
        // Without a namespace the rollout's dependencies are in `default`.
        (
            json!({"metadata": {"name": "a"}, "spec": {"strategy": {"blueGreen": {
                "activeTemplate": {"spec": {"volumes": [{"secret": {"secretName": "s"}}]}}}}}}),
            Some(vec!["Secret default/s".to_string()]),
        ),
        // An empty namespace leaves each key two parts: Karmada's script drops them.
        (
            json!({"metadata": {"namespace": ""}, "spec": {"template": {"spec": {
                "volumes": [{"secret": {"secretName": "s"}}]}}}}),
            Some(vec![]),
        ),
        (json!({"metadata": {}}), Some(vec![])),
        (
            json!({"metadata": {}, "spec": {"template": {"metadata": {}}}}),
            Some(vec![]),
        ),
        // A referenced volume source without a name cannot be joined into a key.
        (
            json!({"metadata": {}, "spec": {"template": {"spec": {
                "volumes": [{"configMap": {"optional": true}}]}}}}),
            None,
        ),
        (json!({"spec": {}}), None),
        (
            json!({"metadata": {}, "spec": {"template": {"spec": {"containers": "c"}}}}),
            None,
        ),
    ];
    for (mut object, want) in cases {
        through_lua(&mut object);
        assert_eq!(refs(&object), want, "{object}");
    }
}

#[test]
fn declared_fields_suffice() {
    let full = |phase: Value| {
        let mut spec = template("shop:1", json!({"cpu": "1", "memory": "1Gi"}));
        spec["spec"]["volumes"] = json!([{"name": "c", "configMap": {"name": "cm"}}]);
        spec["spec"]["imagePullSecrets"] = json!([{"name": "pull"}]);
        spec["spec"]["nodeSelector"] = json!({"disk": "ssd"});
        spec["spec"]["priorityClassName"] = json!("high");
        spec["spec"]["containers"][0]["env"] =
            json!([{"name": "A", "valueFrom": {"secretKeyRef": {"name": "sk", "key": "k"}}}]);
        let mut object = rollout(json!({
            "replicas": 4,
            "selector": {"matchLabels": {"app": "shop"}},
            "template": spec,
            "strategy": {
                "canary": {"canaryReplicas": 1, "canaryTemplate": spec,
                           "steps": [{"setWeight": 20}, {"pause": {}}]},
                "blueGreen": {"activeTemplate": spec}
            }
        }));
        object["status"] = json!({"phase": phase, "availableReplicas": 2,
                                  "conditions": [{"type": "Available", "status": "True"}]});
        object
    };
    let objects = [
        full(json!("Healthy")),
        full(json!("")),
        full(json!("Degraded")),
        rollout(
            json!({"strategy": {"blueGreen": {"previewTemplate": {"spec": {
            "containers": [{"resources": {"requests": {"example": "1"}}}]}}}}}),
        ),
        rollout(json!({"template": {"metadata": {"labels": {"a": "b"}}},
                       "strategy": {"canary": {"analysis": {}}}})),
        rollout(json!({"strategy": {"canary": {"canaryTemplate": {"spec": "bad"}}}})),
        json!({"kind": "Rollout", "status": "pending"}),
        json!({"kind": "Rollout", "status": {"readyReplicas": "x"}}),
    ];
    for object in &objects {
        assert_eq!(fields_suffice::<Rollout>(object, &[]), Ok(()), "{object}");
    }
}
