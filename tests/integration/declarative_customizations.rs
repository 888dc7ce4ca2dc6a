//! Declarative (JSONPath) customizations: a made-up CRD through every operation, Karmada's
//! merge order, and refusal of Lua customizations (including Karmada's documentation
//! examples).
#![cfg(feature = "yaml")]

use fedplan::api::{AggregatedStatusItem, ResourceInterpreterCustomization};
use fedplan::interpreter::declarative::{DeclarativeError, DeclarativeInterpreter};
use fedplan::interpreter::{Gvk, InterpreterError, Operation, ResourceInterpreter};
use serde_json::{json, Value};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/interpreters/declarative");
const DOCS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/karmada/docs-examples"
);

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn example(name: &str) -> Value {
    yaml(&format!("{EXAMPLES}/{name}"))
}

fn widget_interpreter() -> DeclarativeInterpreter {
    DeclarativeInterpreter::from_values([example("widget-customization.yaml")])
        .expect("valid customization")
}

#[test]
fn the_customization_round_trips_through_the_api_type() {
    let value = example("widget-customization.yaml");
    let typed: ResourceInterpreterCustomization =
        serde_json::from_value(value.clone()).expect("parses");
    assert_eq!(serde_json::to_value(&typed).expect("serializes"), value);
}

#[test]
fn every_operation_of_the_made_up_crd() {
    let interpreter = widget_interpreter();
    let gvk = Gvk::new("apps.example.io/v1alpha1", "Widget");
    for op in Operation::ALL {
        assert!(interpreter.handles(&gvk, op), "{op} enabled");
    }
    assert!(!interpreter.handles(
        &Gvk::new("apps/v1", "Deployment"),
        Operation::InterpretReplica
    ));

    let widget = example("widget.yaml");
    let observed = example("widget-observed.yaml");

    let replicas = interpreter.interpret_replica(&widget).expect("replicas");
    assert_eq!(
        serde_json::to_value(&replicas).expect("json"),
        json!({"replicas": 3, "replicaRequirements": {
            "nodeClaim": {"nodeSelector": {"zone": "a"}},
            "resourceRequest": {"cpu": "250m", "memory": "256Mi"},
            "namespace": "web"
        }})
    );

    let revised = interpreter.revise_replica(&widget, 5).expect("revise");
    assert_eq!(revised["spec"]["size"], 5);
    assert_eq!(
        revised["spec"]["workers"], widget["spec"]["workers"],
        "nothing else changes"
    );

    let retained = interpreter.retain(&widget, &observed).expect("retain");
    assert_eq!(retained["spec"]["paused"], true, "member's value kept");
    assert_eq!(retained["spec"]["size"], 3);

    let reflected = interpreter.interpret_status(&observed).expect("reflect");
    assert_eq!(
        reflected,
        Some(
            json!({"readyReplicas": 2, "replicas": 3, "conditions": [{"type": "Ready", "status": "True"}]})
        )
    );
    assert_eq!(
        interpreter.interpret_status(&widget).expect("reflect"),
        None,
        "nothing to reflect"
    );

    let items: Vec<AggregatedStatusItem> =
        serde_json::from_value(example("widget-status.yaml")).expect("status items");
    let aggregated = interpreter
        .aggregate_status(&widget, &items)
        .expect("aggregate");
    assert_eq!(
        aggregated["status"],
        json!({"readyReplicas": 2, "replicas": 3})
    );
    assert_eq!(aggregated["spec"], widget["spec"]);

    assert!(interpreter.interpret_health(&observed).expect("health"));
    let mut not_ready = observed.clone();
    not_ready["status"]["readyReplicas"] = json!(0);
    assert!(
        !interpreter.interpret_health(&not_ready).expect("health"),
        "expression fails"
    );
    let mut scaling = observed.clone();
    scaling["spec"]["size"] = json!(4);
    assert!(
        !interpreter.interpret_health(&scaling).expect("health"),
        "replicas != size"
    );
    let mut no_condition = observed.clone();
    no_condition["status"]["conditions"][0]["status"] = json!("False");
    assert!(
        !interpreter.interpret_health(&no_condition).expect("health"),
        "condition fails"
    );

    let deps = interpreter
        .interpret_dependency(&widget)
        .expect("dependencies");
    let deps: Vec<(&str, &str, &str)> = deps
        .iter()
        .map(|d| (d.kind.as_str(), d.name.as_str(), d.namespace.as_str()))
        .collect();
    assert_eq!(
        deps,
        vec![
            ("ConfigMap", "shop-config", "web"),
            ("ConfigMap", "shop-flags", "web"),
            ("Secret", "shop-secret", "web")
        ]
    );

    let components = interpreter
        .interpret_component(&widget)
        .expect("components");
    assert_eq!(
        serde_json::to_value(&components).expect("json"),
        json!([
            {"name": "frontend", "replicas": 3, "replicaRequirements": {
                "nodeClaim": {"nodeSelector": {"zone": "a"}},
                "resourceRequest": {"cpu": "250m", "memory": "256Mi"}}},
            {"name": "workers", "replicas": 2, "replicaRequirements": {"resourceRequest": {"cpu": "1"}}}
        ])
    );
}

#[test]
fn lua_customizations_are_refused_pointing_to_the_sdk() {
    let err = DeclarativeInterpreter::from_values([example("lua-customization.yaml")]).unwrap_err();
    assert_eq!(
        err,
        DeclarativeError::LuaScript {
            customization: "widget-lua".into(),
            field: "replicaResource".into()
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("interpreters/sdk") && message.contains("plugin"),
        "{message}"
    );
}

#[test]
fn karmada_documentation_examples_parse_and_are_refused() {
    let mut seen = 0;
    let mut entries: Vec<_> = std::fs::read_dir(DOCS)
        .expect("docs examples")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("read");
        if !text.contains("kind: ResourceInterpreterCustomization") {
            continue;
        }
        for doc in serde_yaml_ng::Deserializer::from_str(&text) {
            let value: Value = serde::Deserialize::deserialize(doc).expect("yaml");
            if value["kind"] != "ResourceInterpreterCustomization" {
                continue;
            }
            let typed: ResourceInterpreterCustomization = serde_json::from_value(value.clone())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!typed.spec.target.kind.is_empty());
            let err = DeclarativeInterpreter::from_customizations(vec![typed]).unwrap_err();
            assert!(
                matches!(err, DeclarativeError::LuaScript { .. }),
                "{}: {err:?}",
                path.display()
            );
            seen += 1;
        }
    }
    assert!(
        seen >= 2,
        "found {seen} Lua customizations in the documentation examples"
    );
}

fn customization(name: &str, customizations: Value) -> Value {
    json!({
        "apiVersion": "config.karmada.io/v1alpha1",
        "kind": "ResourceInterpreterCustomization",
        "metadata": {"name": name},
        "spec": {"target": {"apiVersion": "apps.example.io/v1alpha1", "kind": "Widget"}, "customizations": customizations}
    })
}

#[test]
fn first_customization_by_name_wins_and_dependencies_are_merged() {
    let interpreter = DeclarativeInterpreter::from_values([
        customization("b", json!({
            "replicaResource": {"replicasPath": "spec.workers.size"},
            "dependencyInterpretation": {"dependencies": [{"apiVersion": "v1", "kind": "Secret", "namePath": "spec.secret"}]}
        })),
        customization("a", json!({
            "replicaResource": {"replicasPath": "spec.size"},
            "healthInterpretation": {},
            "dependencyInterpretation": {"dependencies": [{"apiVersion": "v1", "kind": "ConfigMap", "namePath": "spec.configRefs[*].name"}]}
        })),
    ])
    .expect("valid");
    let mut widget = example("widget.yaml");
    widget["spec"]["secret"] = json!("token");
    assert_eq!(
        interpreter
            .interpret_replica(&widget)
            .expect("replicas")
            .replicas,
        3,
        "a wins over b"
    );
    let gvk = Gvk::of(&widget);
    assert!(
        !interpreter.handles(&gvk, Operation::InterpretHealth),
        "an empty rule enables nothing"
    );
    let kinds: Vec<String> = interpreter
        .interpret_dependency(&widget)
        .expect("deps")
        .into_iter()
        .map(|d| format!("{}/{}", d.kind, d.name))
        .collect();
    assert_eq!(
        kinds,
        vec![
            "ConfigMap/shop-config",
            "ConfigMap/shop-flags",
            "Secret/token"
        ]
    );
}

#[test]
fn invalid_rules_are_typed_errors() {
    let cases = [
        (
            json!({"replicaResource": {"replicasPath": "$.spec[?"}}),
            "spec.customizations.replicaResource.replicasPath",
        ),
        (
            json!({"replicaRevision": {"replicasPath": "spec.items[*].size"}}),
            "spec.customizations.replicaRevision.replicasPath",
        ),
        (
            json!({"statusAggregation": {"sumFields": ["ready", "$..x"]}}),
            "spec.customizations.statusAggregation.sumFields[1]",
        ),
        (
            json!({"healthInterpretation": {"conditions": [{"type": ""}]}}),
            "spec.customizations.healthInterpretation.conditions[0].type",
        ),
    ];
    for (rules, want_field) in cases {
        let err =
            DeclarativeInterpreter::from_values([customization("bad", rules.clone())]).unwrap_err();
        let field = match &err {
            DeclarativeError::InvalidPath {
                field,
                customization,
                ..
            }
            | DeclarativeError::Invalid {
                field,
                customization,
                ..
            } => {
                assert_eq!(customization, "bad");
                field.clone()
            }
            other => panic!("{rules}: {other:?}"),
        };
        assert_eq!(field, want_field, "{rules}");
    }
    let no_target = json!({"metadata": {"name": "x"}, "spec": {"target": {"apiVersion": "", "kind": ""}, "customizations": {}}});
    assert!(DeclarativeInterpreter::from_values([no_target]).is_err());
}

#[test]
fn malformed_objects_are_typed_errors() {
    let interpreter = widget_interpreter();
    let mut widget = example("widget.yaml");
    widget["spec"]["size"] = json!("three");
    match interpreter.interpret_replica(&widget).unwrap_err() {
        InterpreterError::Malformed {
            kind, name, field, ..
        } => {
            assert_eq!(
                (kind.as_str(), name.as_str(), field.as_str()),
                ("Widget", "web/shop", "spec.size")
            );
        }
        other => panic!("{other:?}"),
    }
    let mut widget = example("widget.yaml");
    widget["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] =
        json!("lots");
    assert!(matches!(
        interpreter.interpret_replica(&widget),
        Err(InterpreterError::Malformed { .. })
    ));
    let items = vec![AggregatedStatusItem {
        cluster_name: "m1".into(),
        status: Some(json!({"readyReplicas": "two"})),
        ..Default::default()
    }];
    match interpreter
        .aggregate_status(&example("widget.yaml"), &items)
        .unwrap_err()
    {
        InterpreterError::Customization {
            interpreter,
            message,
            ..
        } => {
            assert_eq!(interpreter, "widget");
            assert!(message.contains("m1"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
