//! Table-driven invalid objects: each must be refused with an error at the expected field.

use fedplan::api::defaults::{default_object, DefaultingContext, PermanentIds};
use fedplan::api::validate::{
    validate_object, FieldErrorType, KarmadaObject, ValidationError, ValidationOptions,
};
use serde_json::{json, Value};

fn pp() -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1",
        "kind": "PropagationPolicy",
        "metadata": {"name": "nginx", "namespace": "default"},
        "spec": {
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"}],
            "placement": {"clusterAffinity": {"clusterNames": ["m1", "m2"]}}
        }
    })
}

fn cpp() -> Value {
    let mut v = pp();
    v["kind"] = json!("ClusterPropagationPolicy");
    v["metadata"] = json!({"name": "nginx"});
    v
}

fn op() -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1",
        "kind": "OverridePolicy",
        "metadata": {"name": "ov", "namespace": "default"},
        "spec": {
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}],
            "overrideRules": [{
                "targetCluster": {"clusterNames": ["m1"]},
                "overriders": {"plaintext": [{"path": "/spec/replicas", "operator": "replace", "value": 2}]}
            }]
        }
    })
}

fn cop() -> Value {
    let mut v = op();
    v["kind"] = json!("ClusterOverridePolicy");
    v["metadata"] = json!({"name": "ov"});
    v
}

fn ctp() -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1",
        "kind": "ClusterTaintPolicy",
        "metadata": {"name": "not-ready"},
        "spec": {
            "addOnConditions": [{"conditionType": "Ready", "operator": "NotIn", "statusValues": ["True"]}],
            "taints": [{"key": "cluster.karmada.io/not-ready", "effect": "NoSchedule"}]
        }
    })
}

fn cluster() -> Value {
    json!({
        "apiVersion": "cluster.karmada.io/v1alpha1",
        "kind": "Cluster",
        "metadata": {"name": "member1"},
        "spec": {"syncMode": "Push", "apiEndpoint": "https://172.18.0.3:6443",
                 "secretRef": {"namespace": "karmada-cluster", "name": "member1"}}
    })
}

fn rb() -> Value {
    json!({
        "apiVersion": "work.karmada.io/v1alpha2",
        "kind": "ResourceBinding",
        "metadata": {"name": "nginx-deployment", "namespace": "default"},
        "spec": {"resource": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"},
                 "clusters": [{"name": "m1", "replicas": 1}]}
    })
}

fn work() -> Value {
    json!({
        "apiVersion": "work.karmada.io/v1alpha1",
        "kind": "Work",
        "metadata": {"name": "nginx-687f7fb96f", "namespace": "karmada-es-m1"},
        "spec": {"workload": {"manifests": [{"apiVersion": "apps/v1", "kind": "Deployment"}]}}
    })
}

fn placement(v: &mut Value) -> &mut Value {
    &mut v["spec"]["placement"]
}

struct Case {
    name: &'static str,
    base: fn() -> Value,
    edit: fn(&mut Value),
    /// Apply defaulting before validating (as the API server would).
    default: bool,
    field: &'static str,
    error_type: FieldErrorType,
}

use FieldErrorType::*;

fn cases() -> Vec<Case> {
    vec![
        // ---- PropagationPolicy ----
        Case {
            name: "no resource selectors",
            base: pp,
            default: true,
            field: "spec.resourceSelectors",
            error_type: Required,
            edit: |v| v["spec"]["resourceSelectors"] = json!([]),
        },
        Case {
            name: "selector namespace differs from the policy's",
            base: pp,
            default: true,
            field: "spec.resourceSelectors[0].namespace",
            error_type: Invalid,
            edit: |v| v["spec"]["resourceSelectors"][0]["namespace"] = json!("other"),
        },
        Case {
            name: "clusterAffinity with clusterAffinities",
            base: pp,
            default: true,
            field: "spec.placement",
            error_type: Invalid,
            edit: |v| {
                placement(v)["clusterAffinities"] =
                    json!([{"affinityName": "a", "clusterNames": ["m1"]}])
            },
        },
        Case {
            name: "duplicate affinity names",
            base: pp,
            default: true,
            field: "spec.placement.clusterAffinities[1].affinityName",
            error_type: Duplicate,
            edit: |v| {
                placement(v)
                    .as_object_mut()
                    .unwrap()
                    .remove("clusterAffinity");
                placement(v)["clusterAffinities"] =
                    json!([{"affinityName": "a"}, {"affinityName": "a"}]);
            },
        },
        Case {
            name: "affinity name not a label key",
            base: pp,
            default: true,
            field: "spec.placement.clusterAffinities[0].affinityName",
            error_type: Invalid,
            edit: |v| {
                placement(v)
                    .as_object_mut()
                    .unwrap()
                    .remove("clusterAffinity");
                placement(v)["clusterAffinities"] = json!([{"affinityName": "bad name!"}]);
            },
        },
        Case {
            name: "affinity name over 32 characters",
            base: pp,
            default: true,
            field: "spec.placement.clusterAffinities[0].affinityName",
            error_type: TooLong,
            edit: |v| {
                placement(v)
                    .as_object_mut()
                    .unwrap()
                    .remove("clusterAffinity");
                placement(v)["clusterAffinities"] = json!([{"affinityName": "a".repeat(33)}]);
            },
        },
        Case {
            name: "field selector key outside provider/region/zone",
            base: pp,
            default: true,
            field: "spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].key",
            error_type: NotSupported,
            edit: |v| {
                placement(v)["clusterAffinity"]["fieldSelector"] =
                    json!({"matchExpressions": [{"key": "foo", "operator": "In", "values": ["x"]}]})
            },
        },
        Case {
            name: "field selector operator Exists",
            base: pp,
            default: true,
            field: "spec.placement.clusterAffinity.fieldSelector.matchExpressions[1].operator",
            error_type: NotSupported,
            edit: |v| {
                placement(v)["clusterAffinity"]["fieldSelector"] = json!({"matchExpressions": [
                {"key": "region", "operator": "In", "values": ["x"]}, {"key": "zone", "operator": "Exists"}]})
            },
        },
        Case {
            name: "toleration operator Lt",
            base: pp,
            default: true,
            field: "spec.placement.clusterTolerations[0].operator",
            error_type: NotSupported,
            edit: |v| {
                placement(v)["clusterTolerations"] =
                    json!([{"key": "sla", "operator": "Lt", "value": "900"}])
            },
        },
        Case {
            name: "toleration operator Gt",
            base: cpp,
            default: true,
            field: "spec.placement.clusterTolerations[1].operator",
            error_type: NotSupported,
            edit: |v| {
                placement(v)["clusterTolerations"] =
                    json!([{"operator": "Exists"}, {"key": "sla", "operator": "Gt", "value": "1"}])
            },
        },
        Case {
            name: "spreadByField with spreadByLabel",
            base: pp,
            default: true,
            field: "spec.placement.spreadConstraints[0].spreadByLabel",
            error_type: Invalid,
            edit: |v| {
                placement(v)["spreadConstraints"] =
                    json!([{"spreadByField": "cluster", "spreadByLabel": "net"}])
            },
        },
        Case {
            name: "negative minGroups",
            base: pp,
            default: true,
            field: "spec.placement.spreadConstraints[0].minGroups",
            error_type: Invalid,
            edit: |v| {
                placement(v)["spreadConstraints"] =
                    json!([{"spreadByField": "cluster", "minGroups": -1}])
            },
        },
        Case {
            name: "negative maxGroups",
            base: pp,
            default: true,
            field: "spec.placement.spreadConstraints[0].maxGroups",
            error_type: Invalid,
            edit: |v| {
                placement(v)["spreadConstraints"] =
                    json!([{"spreadByField": "cluster", "maxGroups": -2}])
            },
        },
        Case {
            name: "maxGroups below minGroups",
            base: pp,
            default: true,
            field: "spec.placement.spreadConstraints[1].maxGroups",
            error_type: Invalid,
            edit: |v| {
                placement(v)["spreadConstraints"] = json!([{"spreadByField": "cluster", "minGroups": 1, "maxGroups": 3},
                                                                 {"spreadByField": "region", "minGroups": 3, "maxGroups": 2}])
            },
        },
        Case {
            name: "spreadByField region twice",
            base: pp,
            default: true,
            field: "spec.placement.spreadConstraints[2].spreadByField",
            error_type: Duplicate,
            edit: |v| placement(v)["spreadConstraints"] = json!([{"spreadByField": "region"}, {"spreadByField": "cluster"}, {"spreadByField": "region"}]),
        },
        Case {
            name: "spreadByField without a cluster constraint",
            base: pp,
            default: true,
            field: "spec.placement.spreadConstraints",
            error_type: Invalid,
            edit: |v| {
                placement(v)["spreadConstraints"] =
                    json!([{"spreadByField": "zone", "maxGroups": 2}])
            },
        },
        Case {
            name: "static weight zero",
            base: pp,
            default: true,
            field: "spec.placement.replicaScheduling.weightPreference.staticWeightList[1].weight",
            error_type: Invalid,
            edit: |v| {
                placement(v)["replicaScheduling"] = json!({"replicaSchedulingType": "Divided", "weightPreference": {"staticWeightList": [
                {"targetCluster": {"clusterNames": ["m1"]}, "weight": 2}, {"targetCluster": {"clusterNames": ["m2"]}, "weight": 0}]}})
            },
        },
        Case {
            name: "suspension of everything and of named clusters",
            base: pp,
            default: true,
            field: "spec.suspension",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["suspension"] =
                    json!({"dispatching": true, "dispatchingOnClusters": {"clusterNames": ["m1"]}})
            },
        },
        Case {
            name: "application failover without propagateDeps",
            base: pp,
            default: true,
            field: "spec.propagateDeps",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["failover"] =
                    json!({"application": {"decisionConditions": {"tolerationSeconds": 30}}})
            },
        },
        Case {
            name: "negative failover toleration",
            base: pp,
            default: true,
            field: "spec.failover.application.decisionConditions.tolerationSeconds",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["propagateDeps"] = json!(true);
                v["spec"]["failover"] =
                    json!({"application": {"decisionConditions": {"tolerationSeconds": -1}}});
            },
        },
        Case {
            name: "grace period with purgeMode Directly",
            base: pp,
            default: true,
            field: "spec.failover.application.gracePeriodSeconds",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["propagateDeps"] = json!(true);
                v["spec"]["failover"] = json!({"application": {"decisionConditions": {}, "purgeMode": "Directly", "gracePeriodSeconds": 10}});
            },
        },
        Case {
            name: "grace period zero",
            base: pp,
            default: true,
            field: "spec.failover.application.gracePeriodSeconds",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["propagateDeps"] = json!(true);
                v["spec"]["failover"] = json!({"application": {"decisionConditions": {}, "purgeMode": "Gracefully", "gracePeriodSeconds": 0}});
            },
        },
        Case {
            name: "Gracefully without grace period when not defaulted",
            base: pp,
            default: false,
            field: "spec.failover.application.gracePeriodSeconds",
            error_type: Required,
            edit: |v| {
                v["metadata"]["labels"] = json!({"propagationpolicy.karmada.io/permanent-id": "x"});
                v["spec"]["resourceSelectors"][0]["namespace"] = json!("default");
                v["spec"]["propagateDeps"] = json!(true);
                v["spec"]["failover"] =
                    json!({"application": {"decisionConditions": {}, "purgeMode": "Gracefully"}});
            },
        },
        Case {
            name: "state preservation alias not a label key",
            base: pp,
            default: true,
            field: "spec.failover.application.statePreservation.rules[0].aliasLabelName",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["propagateDeps"] = json!(true);
                v["spec"]["failover"] = json!({"application": {"decisionConditions": {}, "statePreservation": {"rules": [
                            {"aliasLabelName": "-bad", "jsonPath": "{.x}"}]}}});
            },
        },
        Case {
            name: "cluster failover purgeMode Never",
            base: pp,
            default: true,
            field: "spec.failover.cluster.purgeMode",
            error_type: NotSupported,
            edit: |v| v["spec"]["failover"] = json!({"cluster": {"purgeMode": "Never"}}),
        },
        Case {
            name: "preemption Always with an unnamed selector",
            base: pp,
            default: true,
            field: "spec.resourceSelectors[1].name",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["preemption"] = json!("Always");
                v["spec"]["resourceSelectors"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"apiVersion": "v1", "kind": "ConfigMap"}));
            },
        },
        Case {
            name: "overflow tiers with Duplicated replicas",
            base: pp,
            default: true,
            field: "spec.placement.clusterAffinities",
            error_type: Invalid,
            edit: |v| {
                placement(v)
                    .as_object_mut()
                    .unwrap()
                    .remove("clusterAffinity");
                placement(v)["clusterAffinities"] = json!([{"affinityName": "idc", "clusterNames": ["m1"],
                            "overflowAffinities": [{"affinityName": "cloud", "clusterNames": ["m2"]}]}]);
                placement(v)["replicaScheduling"] = json!({"replicaSchedulingType": "Duplicated"});
            },
        },
        Case {
            name: "overflow tiers without an inline affinity",
            base: pp,
            default: true,
            field: "spec.placement.clusterAffinities[0].overflowAffinities",
            error_type: Invalid,
            edit: |v| {
                placement(v)
                    .as_object_mut()
                    .unwrap()
                    .remove("clusterAffinity");
                placement(v)["clusterAffinities"] = json!([{"affinityName": "idc",
                            "overflowAffinities": [{"affinityName": "cloud", "clusterNames": ["m2"]}]}]);
                placement(v)["replicaScheduling"] =
                    json!({"replicaDivisionPreference": "Aggregated"});
            },
        },
        Case {
            name: "overflow tier named like its primary group",
            base: pp,
            default: true,
            field: "spec.placement.clusterAffinities[0].overflowAffinities[1].affinityName",
            error_type: Duplicate,
            edit: |v| {
                placement(v)
                    .as_object_mut()
                    .unwrap()
                    .remove("clusterAffinity");
                placement(v)["clusterAffinities"] = json!([{"affinityName": "idc", "clusterNames": ["m1"],
                            "overflowAffinities": [{"affinityName": "cloud", "clusterNames": ["m2"]}, {"affinityName": "idc", "clusterNames": ["m3"]}]}]);
                placement(v)["replicaScheduling"] = json!({"replicaDivisionPreference": "Weighted", "weightPreference": {"dynamicWeight": "AvailableReplicas"}});
            },
        },
        Case {
            name: "workload affinity and anti-affinity on one key",
            base: pp,
            default: true,
            field: "spec.placement.workloadAffinity",
            error_type: Invalid,
            edit: |v| placement(v)["workloadAffinity"] = json!({"affinity": {"groupByLabelKey": "app.group"}, "antiAffinity": {"groupByLabelKey": "app.group"}}),
        },
        Case {
            name: "workload affinity key not a label key",
            base: pp,
            default: true,
            field: "spec.placement.workloadAffinity.antiAffinity.groupByLabelKey",
            error_type: Invalid,
            edit: |v| {
                placement(v)["workloadAffinity"] =
                    json!({"antiAffinity": {"groupByLabelKey": "INVALID KEY!"}})
            },
        },
        Case {
            name: "schedule priority from an unknown source",
            base: pp,
            default: true,
            field: "spec.schedulePriority.priorityClassSource",
            error_type: NotSupported,
            edit: |v| v["spec"]["schedulePriority"] = json!({"priorityClassSource": "FederatedPriorityClass", "priorityClassName": "high"}),
        },
        // ---- ClusterPropagationPolicy ----
        Case {
            name: "cluster policy without selectors",
            base: cpp,
            default: true,
            field: "spec.resourceSelectors",
            error_type: Required,
            edit: |v| v["spec"]["resourceSelectors"] = json!([]),
        },
        // ---- OverridePolicy ----
        Case {
            name: "override selector namespace differs",
            base: op,
            default: true,
            field: "spec.resourceSelectors[0].namespace",
            error_type: Invalid,
            edit: |v| v["spec"]["resourceSelectors"][0]["namespace"] = json!("kube-system"),
        },
        Case {
            name: "targetCluster with overrideRules",
            base: op,
            default: true,
            field: "spec.targetCluster",
            error_type: Invalid,
            edit: |v| v["spec"]["targetCluster"] = json!({"clusterNames": ["m1"]}),
        },
        Case {
            name: "overriders with overrideRules",
            base: op,
            default: true,
            field: "spec.overriders",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["overriders"] =
                    json!({"labelsOverrider": [{"operator": "add", "value": {"a": "b"}}]})
            },
        },
        Case {
            name: "label key with a tilde",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.labelsOverrider[0].value",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["overrideRules"][0]["overriders"]["labelsOverrider"] =
                    json!([{"operator": "add", "value": {"testannotation~projectId": "c"}}])
            },
        },
        Case {
            name: "label value too long",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.labelsOverrider[0].value",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["overrideRules"][0]["overriders"]["labelsOverrider"] =
                    json!([{"operator": "add", "value": {"ok": "v".repeat(64)}}])
            },
        },
        Case {
            name: "annotation key with a tilde",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.annotationsOverrider[0].value",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["overrideRules"][0]["overriders"]["annotationsOverrider"] =
                    json!([{"operator": "add", "value": {"a~b": "c"}}])
            },
        },
        Case {
            name: "image predicate path without leading slash",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.imageOverrider[0].predicate.path",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["overrideRules"][0]["overriders"]["imageOverrider"] = json!([{"component": "Tag", "operator": "replace", "value": "v2",
                "predicate": {"path": "spec/template/spec/containers/0/image"}}])
            },
        },
        Case {
            name: "command overrider replace",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.commandOverrider[0].operator",
            error_type: NotSupported,
            edit: |v| {
                v["spec"]["overrideRules"][0]["overriders"]["commandOverrider"] =
                    json!([{"containerName": "nginx", "operator": "replace", "value": ["a"]}])
            },
        },
        Case {
            name: "args overrider replace in deprecated overriders",
            base: op,
            default: true,
            field: "spec.overriders.argsOverrider[0].operator",
            error_type: NotSupported,
            edit: |v| {
                v["spec"].as_object_mut().unwrap().remove("overrideRules");
                v["spec"]["overriders"] =
                    json!({"argsOverrider": [{"containerName": "nginx", "operator": "replace"}]});
            },
        },
        Case {
            name: "field overrider with JSON and YAML",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.fieldOverrider[0]",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["overrideRules"][0]["overriders"]["fieldOverrider"] = json!([{"fieldPath": "/data/c",
                "json": [{"subPath": "/a", "operator": "remove"}], "yaml": [{"subPath": "/a", "operator": "remove"}]}])
            },
        },
        Case {
            name: "field overrider with neither JSON nor YAML",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.fieldOverrider[0]",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["overrideRules"][0]["overriders"]["fieldOverrider"] =
                    json!([{"fieldPath": "/data/c"}])
            },
        },
        Case {
            name: "field overrider path without leading slash",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.fieldOverrider[0].fieldPath",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["overrideRules"][0]["overriders"]["fieldOverrider"] = json!([{"fieldPath": "data/c", "yaml": [{"subPath": "/a", "operator": "remove"}]}])
            },
        },
        Case {
            name: "field overrider sub-path without leading slash",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.fieldOverrider[0].json[1].subPath",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["overrideRules"][0]["overriders"]["fieldOverrider"] = json!([{"fieldPath": "/data/c",
                "json": [{"subPath": "/a", "operator": "remove"}, {"subPath": "b", "operator": "remove"}]}])
            },
        },
        Case {
            name: "field overrider add without a value",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.fieldOverrider[0].json[0].value",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["overrideRules"][0]["overriders"]["fieldOverrider"] = json!([{"fieldPath": "/data/c", "json": [{"subPath": "/a", "operator": "add"}]}])
            },
        },
        Case {
            name: "field overrider remove with a value",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.fieldOverrider[0].yaml[0].value",
            error_type: Invalid,
            edit: |v| v["spec"]["overrideRules"][0]["overriders"]["fieldOverrider"] = json!([{"fieldPath": "/data/c", "yaml": [{"subPath": "/a", "operator": "remove", "value": 1}]}]),
        },
        Case {
            name: "plaintext path without leading slash",
            base: op,
            default: true,
            field: "spec.overrideRules[0].overriders.plaintext[0].path",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["overrideRules"][0]["overriders"]["plaintext"][0]["path"] =
                    json!("spec/replicas")
            },
        },
        Case {
            name: "rule target field selector key",
            base: op,
            default: true,
            field: "spec.overrideRules[0].targetCluster.fieldSelector.matchExpressions[0].key",
            error_type: NotSupported,
            edit: |v| v["spec"]["overrideRules"][0]["targetCluster"] = json!({"fieldSelector": {"matchExpressions": [{"key": "name", "operator": "In", "values": ["m1"]}]}}),
        },
        // ---- ClusterOverridePolicy ----
        Case {
            name: "cluster override deprecated target field selector operator",
            base: cop,
            default: true,
            field: "spec.targetCluster.fieldSelector.matchExpressions[0].operator",
            error_type: NotSupported,
            edit: |v| {
                v["spec"].as_object_mut().unwrap().remove("overrideRules");
                v["spec"]["targetCluster"] = json!({"fieldSelector": {"matchExpressions": [{"key": "provider", "operator": "Gt", "values": ["1"]}]}});
            },
        },
        // ---- ClusterTaintPolicy ----
        Case {
            name: "taint policy without taints",
            base: ctp,
            default: true,
            field: "spec.taints",
            error_type: Required,
            edit: |v| v["spec"]["taints"] = json!([]),
        },
        Case {
            name: "taint policy NoExecute without the flag",
            base: ctp,
            default: true,
            field: "spec.taints[0]",
            error_type: Forbidden,
            edit: |v| v["spec"]["taints"][0]["effect"] = json!("NoExecute"),
        },
        Case {
            name: "taint policy duplicate key and effect",
            base: ctp,
            default: true,
            field: "spec.taints[0]",
            error_type: Duplicate,
            edit: |v| v["spec"]["taints"] = json!([{"key": "k", "effect": "NoSchedule", "value": "a"}, {"key": "k", "effect": "NoSchedule", "value": "b"}]),
        },
        // ---- Cluster ----
        Case {
            name: "cluster name over 48 characters",
            base: cluster,
            default: true,
            field: "metadata.name",
            error_type: TooLong,
            edit: |v| v["metadata"]["name"] = json!("c".repeat(49)),
        },
        Case {
            name: "cluster name not a DNS label",
            base: cluster,
            default: true,
            field: "metadata.name",
            error_type: Invalid,
            edit: |v| v["metadata"]["name"] = json!("Member_1"),
        },
        Case {
            name: "unknown sync mode",
            base: cluster,
            default: true,
            field: "spec.syncMode",
            error_type: NotSupported,
            edit: |v| v["spec"]["syncMode"] = json!("Both"),
        },
        Case {
            name: "missing sync mode",
            base: cluster,
            default: true,
            field: "spec.syncMode",
            error_type: Required,
            edit: |v| {
                v["spec"].as_object_mut().unwrap().remove("syncMode");
            },
        },
        Case {
            name: "api endpoint without scheme",
            base: cluster,
            default: true,
            field: "spec.apiEndpoint",
            error_type: Invalid,
            edit: |v| v["spec"]["apiEndpoint"] = json!("172.18.0.3:6443"),
        },
        Case {
            name: "api endpoint with user info",
            base: cluster,
            default: true,
            field: "spec.apiEndpoint",
            error_type: Invalid,
            edit: |v| v["spec"]["apiEndpoint"] = json!("https://admin@172.18.0.3:6443"),
        },
        Case {
            name: "proxy URL scheme",
            base: cluster,
            default: true,
            field: "spec.proxyURL",
            error_type: Invalid,
            edit: |v| v["spec"]["proxyURL"] = json!("ftp://proxy:21"),
        },
        Case {
            name: "secretRef without namespace",
            base: cluster,
            default: true,
            field: "spec.secretRef.namespace",
            error_type: Required,
            edit: |v| v["spec"]["secretRef"] = json!({"name": "member1"}),
        },
        Case {
            name: "cluster taint effect unknown",
            base: cluster,
            default: true,
            field: "spec.taints[0].effect",
            error_type: NotSupported,
            edit: |v| v["spec"]["taints"] = json!([{"key": "k", "effect": "Sometimes"}]),
        },
        Case {
            name: "cluster taints duplicate",
            base: cluster,
            default: true,
            field: "spec.taints[1]",
            error_type: Duplicate,
            edit: |v| v["spec"]["taints"] = json!([{"key": "k", "effect": "NoSchedule"}, {"key": "k", "value": "x", "effect": "NoSchedule"}]),
        },
        Case {
            name: "cluster taint key invalid",
            base: cluster,
            default: true,
            field: "spec.taints[0].key",
            error_type: Invalid,
            edit: |v| v["spec"]["taints"] = json!([{"key": "a b", "effect": "NoSchedule"}]),
        },
        Case {
            name: "resource model of an unsupported resource",
            base: cluster,
            default: true,
            field: "spec.resourceModels.ranges.name",
            error_type: NotSupported,
            edit: |v| v["spec"]["resourceModels"] = json!([{"grade": 0, "ranges": [{"name": "nvidia.com/gpu", "min": "0", "max": "1"}]}]),
        },
        Case {
            name: "resource model intervals not contiguous",
            base: cluster,
            default: false,
            field: "spec.resourceModels",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["resourceModels"] = json!([
                {"grade": 0, "ranges": [{"name": "cpu", "min": "0", "max": "2"}]},
                {"grade": 1, "ranges": [{"name": "cpu", "min": "4", "max": "9223372036854775807"}]}])
            },
        },
        // ---- ResourceBinding, Work ----
        Case {
            name: "eviction task reason with a space",
            base: rb,
            default: true,
            field: "spec.gracefulEvictionTasks[0].reason",
            error_type: Invalid,
            edit: |v| v["spec"]["gracefulEvictionTasks"] = json!([{"fromCluster": "m1", "producer": "TaintManager", "reason": "Taint Untolerated"}]),
        },
        Case {
            name: "binding resource without name",
            base: rb,
            default: true,
            field: "spec.resource.name",
            error_type: Required,
            edit: |v| v["spec"]["resource"]["name"] = json!(""),
        },
        Case {
            name: "binding condition without transition time",
            base: rb,
            default: true,
            field: "status.conditions[0].lastTransitionTime",
            error_type: Required,
            edit: |v| v["status"] = json!({"conditions": [{"type": "Scheduled", "status": "True", "reason": "Success", "message": "ok"}]}),
        },
        Case {
            name: "work manifest not an object",
            base: work,
            default: true,
            field: "spec.workload.manifests[1]",
            error_type: Invalid,
            edit: |v| {
                v["spec"]["workload"]["manifests"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!("kind: ConfigMap"))
            },
        },
    ]
}

fn run(case: &Case, options: &ValidationOptions) -> Vec<ValidationError> {
    let mut doc = (case.base)();
    (case.edit)(&mut doc);
    let mut object = KarmadaObject::from_value(&doc)
        .unwrap_or_else(|e| panic!("{}: {e}", case.name))
        .unwrap_or_else(|| panic!("{}: not a Karmada object", case.name));
    if case.default {
        default_object(&mut object, &DefaultingContext::default());
    }
    validate_object(&object, options)
}

#[test]
fn invalid_objects_are_refused_at_the_expected_field() {
    let cases = cases();
    assert!(cases.len() >= 30);
    let options = ValidationOptions::default();
    let mut failures = Vec::new();
    for case in &cases {
        let errors = run(case, &options);
        let hit = errors
            .iter()
            .any(|e| e.field == case.field && e.error_type == case.error_type);
        if !hit {
            failures.push(format!(
                "{}: expected {:?} at {}, got {:#?}",
                case.name, case.error_type, case.field, errors
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bases_are_valid() {
    let options = ValidationOptions::default();
    for base in [pp, cpp, op, cop, ctp, cluster, rb, work] {
        let doc = base();
        let mut object = KarmadaObject::from_value(&doc).unwrap().unwrap();
        default_object(&mut object, &DefaultingContext::default());
        assert_eq!(validate_object(&object, &options), vec![], "{doc}");
    }
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let mut doc = pp();
    doc["spec"]["placement"]["spreadConstraints"] = json!([
        {"spreadByField": "region", "spreadByLabel": "x", "minGroups": -1, "maxGroups": -1}
    ]);
    doc["spec"]["suspension"] =
        json!({"dispatching": true, "dispatchingOnClusters": {"clusterNames": ["m1"]}});
    let mut object = KarmadaObject::from_value(&doc).unwrap().unwrap();
    default_object(&mut object, &DefaultingContext::default());
    let fields: Vec<String> = validate_object(&object, &ValidationOptions::default())
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        [
            "spec.placement.spreadConstraints[0].spreadByLabel",
            "spec.placement.spreadConstraints[0].minGroups",
            "spec.placement.spreadConstraints[0].maxGroups",
            "spec.placement.spreadConstraints",
            "spec.suspension",
        ]
    );
}

#[test]
fn errors_name_the_object() {
    let mut doc = op();
    doc["spec"]["resourceSelectors"][0]["namespace"] = json!("other");
    let object = KarmadaObject::from_value(&doc).unwrap().unwrap();
    let errors = validate_object(&object, &ValidationOptions::default());
    let e = &errors[0];
    assert_eq!(
        (e.kind.as_str(), e.namespace.as_str(), e.name.as_str()),
        ("OverridePolicy", "default", "ov")
    );
    assert_eq!(
        e.to_string(),
        "OverridePolicy default/ov: spec.resourceSelectors[0].namespace: Invalid value: \"other\": namespace of resource selector must be equal to the namespace of the policy"
    );
}

#[test]
fn missing_permanent_id_is_refused_when_defaulting_skips_it() {
    let ctx = DefaultingContext {
        permanent_ids: PermanentIds::Skip,
        ..Default::default()
    };
    for (base, label) in [
        (
            pp as fn() -> Value,
            "propagationpolicy.karmada.io/permanent-id",
        ),
        (cpp, "clusterpropagationpolicy.karmada.io/permanent-id"),
    ] {
        let mut object = KarmadaObject::from_value(&base()).unwrap().unwrap();
        default_object(&mut object, &ctx);
        let errors = validate_object(&object, &ValidationOptions::default());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "metadata.labels");
        assert!(errors[0].message.contains(label));
    }
}

#[test]
fn options_switch_karmada_quirks() {
    // Deprecated overriders holding only field overriders slip past Karmada's co-existence
    // check; the option closes the gap.
    let mut doc = op();
    doc["spec"]["overriders"] = json!({"fieldOverrider": [{"fieldPath": "/data/c", "yaml": [{"subPath": "/a", "operator": "remove"}]}]});
    let mut object = KarmadaObject::from_value(&doc).unwrap().unwrap();
    default_object(&mut object, &DefaultingContext::default());
    assert_eq!(
        validate_object(&object, &ValidationOptions::default()),
        vec![]
    );
    let strict = ValidationOptions {
        reject_deprecated_field_overriders: true,
        ..Default::default()
    };
    let fields: Vec<String> = validate_object(&object, &strict)
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["spec.overriders"]);

    // Kubernetes' toleration rules only on request.
    let mut doc = pp();
    doc["spec"]["placement"]["clusterTolerations"] =
        json!([{"effect": "NoSchedule"}, {"key": "k", "operator": "Exists", "value": "v"}]);
    let mut object = KarmadaObject::from_value(&doc).unwrap().unwrap();
    default_object(&mut object, &DefaultingContext::default());
    assert_eq!(
        validate_object(&object, &ValidationOptions::default()),
        vec![]
    );
    let strict = ValidationOptions {
        kubernetes_toleration_rules: true,
        ..Default::default()
    };
    let fields: Vec<String> = validate_object(&object, &strict)
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        [
            "spec.placement.clusterTolerations[0].operator",
            "spec.placement.clusterTolerations[1].value"
        ]
    );
}

#[test]
fn policy_updates_keep_scheduler_and_permanent_id() {
    use fedplan::api::validate::validate_propagation_policy_update;
    use fedplan::api::PropagationPolicy;
    let mut old: PropagationPolicy = serde_json::from_value(pp()).unwrap();
    fedplan::api::defaults::default_propagation_policy(&mut old, &DefaultingContext::default());
    let mut new = old.clone();
    assert_eq!(
        validate_propagation_policy_update(
            "PropagationPolicy",
            &new.metadata,
            &new.spec,
            &old.metadata,
            &old.spec
        ),
        vec![]
    );
    new.spec.scheduler_name = Some("other-scheduler".into());
    new.metadata.labels.insert(
        "propagationpolicy.karmada.io/permanent-id".into(),
        "changed".into(),
    );
    let fields: Vec<String> = validate_propagation_policy_update(
        "PropagationPolicy",
        &new.metadata,
        &new.spec,
        &old.metadata,
        &old.spec,
    )
    .into_iter()
    .map(|e| e.field)
    .collect();
    assert_eq!(fields, ["spec.schedulerName", "metadata.labels"]);
}
