//! Table-driven tests of policy selection, claims and binding construction.

use serde_json::{json, Value};

use super::*;
use crate::api::{
    ClusterPropagationPolicy, PropagationPolicy, ReplicaRequirements, ResourceBinding,
    TargetCluster,
};
use crate::interpreter::{
    Gvk, InterpreterError, Operation, ReplicaInterpretation, ResourceInterpreter,
};

fn pp(name: &str, ns: &str, spec: Value) -> PropagationPolicy {
    serde_json::from_value(json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
        "metadata": {"name": name, "namespace": ns,
                     "labels": {PP_PERMANENT_ID_LABEL: format!("id-{ns}-{name}")}},
        "spec": spec,
    }))
    .unwrap_or_else(|e| panic!("pp {name}: {e}"))
}

fn cpp(name: &str, spec: Value) -> ClusterPropagationPolicy {
    serde_json::from_value(json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterPropagationPolicy",
        "metadata": {"name": name, "labels": {CPP_PERMANENT_ID_LABEL: format!("id-{name}")}},
        "spec": spec,
    }))
    .unwrap_or_else(|e| panic!("cpp {name}: {e}"))
}

fn deploy(ns: &str, name: &str) -> Value {
    let mut v = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": "nginx"}, "uid": "uid-1", "resourceVersion": "7"},
        "spec": {"replicas": 3}});
    if !ns.is_empty() {
        v["metadata"]["namespace"] = json!(ns);
    }
    v
}

fn sel_all() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment"})
}
fn sel_name(name: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": name})
}
fn sel_label() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "labelSelector": {"matchLabels": {"app": "nginx"}}})
}

fn spec(priority: Option<i32>, selectors: Vec<Value>) -> Value {
    let mut s = json!({"resourceSelectors": selectors});
    if let Some(p) = priority {
        s["priority"] = json!(p);
    }
    s
}

fn chosen(c: Option<ClaimedBy<'_>>) -> Option<String> {
    c.map(|c| format!("{}:{}", c.kind(), c.name()))
}

#[test]
fn select_table() {
    let opts = MatchOptions::default();
    type Case = (
        &'static str,
        Value,
        Vec<PropagationPolicy>,
        Vec<ClusterPropagationPolicy>,
        Option<&'static str>,
    );
    let cases: Vec<Case> = vec![
        ("nothing", deploy("default", "nginx"), vec![], vec![], None),
        (
            "explicit priority first",
            deploy("default", "nginx"),
            vec![
                pp("name", "default", spec(None, vec![sel_name("nginx")])),
                pp("all", "default", spec(Some(1), vec![sel_all()])),
            ],
            vec![],
            Some("PropagationPolicy:all"),
        ),
        (
            "implicit: name > label > all",
            deploy("default", "nginx"),
            vec![
                pp("a", "default", spec(None, vec![sel_all()])),
                pp("b", "default", spec(None, vec![sel_label()])),
                pp("c", "default", spec(None, vec![sel_name("nginx")])),
            ],
            vec![],
            Some("PropagationPolicy:c"),
        ),
        (
            "unset beats -1",
            deploy("default", "nginx"),
            vec![
                pp("a", "default", spec(Some(-1), vec![sel_name("nginx")])),
                pp("b", "default", spec(None, vec![sel_all()])),
            ],
            vec![],
            Some("PropagationPolicy:b"),
        ),
        (
            "smaller name",
            deploy("default", "nginx"),
            vec![
                pp("abc", "default", spec(None, vec![sel_all()])),
                pp("ab", "default", spec(None, vec![sel_all()])),
            ],
            vec![],
            Some("PropagationPolicy:ab"),
        ),
        (
            "PP of another namespace never matches",
            deploy("default", "nginx"),
            vec![pp("a", "other", spec(Some(9), vec![sel_all()]))],
            vec![],
            None,
        ),
        (
            "any PP beats every CPP",
            deploy("default", "nginx"),
            vec![pp("pp", "default", spec(Some(-5), vec![sel_all()]))],
            vec![cpp("cpp", spec(Some(100), vec![sel_name("nginx")]))],
            Some("PropagationPolicy:pp"),
        ),
        (
            "CPP when no PP matches",
            deploy("default", "nginx"),
            vec![pp("pp", "default", spec(None, vec![sel_name("other")]))],
            vec![
                cpp("b", spec(None, vec![sel_all()])),
                cpp("a", spec(None, vec![sel_label()])),
            ],
            Some("ClusterPropagationPolicy:a"),
        ),
        (
            "cluster-scoped template never matches a PP",
            deploy("", "nginx"),
            vec![pp("pp", "", spec(None, vec![sel_all()]))],
            vec![cpp("cpp", spec(None, vec![sel_all()]))],
            Some("ClusterPropagationPolicy:cpp"),
        ),
        (
            "reserved namespace",
            deploy("karmada-system", "nginx"),
            vec![pp("pp", "karmada-system", spec(None, vec![sel_all()]))],
            vec![cpp("cpp", spec(None, vec![sel_all()]))],
            None,
        ),
        (
            "execution namespace",
            deploy("karmada-es-member1", "nginx"),
            vec![],
            vec![cpp("cpp", spec(None, vec![sel_all()]))],
            None,
        ),
        (
            "kube- namespaces skipped by default",
            deploy("kube-system", "nginx"),
            vec![],
            vec![cpp("cpp", spec(None, vec![sel_all()]))],
            None,
        ),
        (
            "kubernetes-dashboard is not kube-*",
            deploy("kubernetes-dashboard", "nginx"),
            vec![],
            vec![cpp("cpp", spec(None, vec![sel_all()]))],
            Some("ClusterPropagationPolicy:cpp"),
        ),
        (
            "empty selector list never matches",
            deploy("default", "nginx"),
            vec![pp("pp", "default", spec(None, vec![]))],
            vec![],
            None,
        ),
    ];
    for (name, template, pps, cpps, want) in cases {
        assert_eq!(
            chosen(select(&template, &pps, &cpps, &opts)),
            want.map(str::to_string),
            "{name}"
        );
    }
}

#[test]
fn deleting_policies_are_skipped() {
    let mut a = pp("a", "default", spec(Some(5), vec![sel_all()]));
    a.metadata.deletion_timestamp = Some("2026-01-01T00:00:00Z".into());
    let b = pp("b", "default", spec(None, vec![sel_all()]));
    let mut c = cpp("c", spec(None, vec![sel_all()]));
    c.metadata.deletion_timestamp = Some("2026-01-01T00:00:00Z".into());
    let t = deploy("default", "nginx");
    let opts = MatchOptions::default();
    let pps = [a.clone(), b];
    assert_eq!(
        chosen(select(&t, &pps, &[], &opts)).as_deref(),
        Some("PropagationPolicy:b")
    );
    assert_eq!(chosen(select(&t, &[a], &[c], &opts)), None);
}

#[test]
fn skipped_namespace_options() {
    let t = deploy("kube-system", "nginx");
    let cpps = [cpp("cpp", spec(None, vec![sel_all()]))];
    let none: [&str; 0] = [];
    let opts = MatchOptions::with_skipped_namespaces(&none).unwrap_or_default();
    assert!(select(&t, &[], &cpps, &opts).is_some());
    let opts = MatchOptions::with_skipped_namespaces(&["team-.*"]).unwrap_or_default();
    assert!(select(&deploy("team-a", "x"), &[], &cpps, &opts).is_none());
    assert!(MatchOptions::with_skipped_namespaces(&["a{2}"]).is_err());
}

#[test]
fn service_account_tokens_are_ignored() {
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
        "metadata": {"name": "s", "namespace": "default"}});
    let cpps = [cpp(
        "cpp",
        spec(None, vec![json!({"apiVersion": "v1", "kind": "Secret"})]),
    )];
    assert_eq!(
        claim(&secret, &[], &cpps, &MatchOptions::default()),
        ClaimDecision::Ignored(IgnoreReason::ServiceAccountToken)
    );
    let mut opaque = secret.clone();
    opaque["type"] = json!("Opaque");
    assert!(select(&opaque, &[], &cpps, &MatchOptions::default()).is_some());
}

fn claimed_by_pp(mut t: Value, ns: &str, name: &str) -> Value {
    t["metadata"]["labels"][PP_PERMANENT_ID_LABEL] = json!(format!("id-{ns}-{name}"));
    t["metadata"]["annotations"] = json!({PP_NAMESPACE_ANNOTATION: ns, PP_NAME_ANNOTATION: name});
    t
}

fn claimed_by_cpp(mut t: Value, name: &str) -> Value {
    t["metadata"]["labels"][CPP_PERMANENT_ID_LABEL] = json!(format!("id-{name}"));
    t["metadata"]["annotations"] = json!({CPP_NAME_ANNOTATION: name});
    t
}

fn preempting(mut v: Value) -> Value {
    v["preemption"] = json!("Always");
    v
}

/// A compact rendering of a decision for table comparison.
fn outcome(d: &ClaimDecision<'_>) -> String {
    match d {
        ClaimDecision::Ignored(_) => "ignored".into(),
        ClaimDecision::Keep(p) => format!("keep {}", p.name()),
        ClaimDecision::Claim { policy, reason } => match reason {
            ClaimReason::Matched => format!("claim {}", policy.name()),
            ClaimReason::Rematched { because, .. } => {
                format!("rematch {} ({because:?})", policy.name())
            }
            ClaimReason::Preempted { from } => {
                format!("preempt {} from {}", policy.name(), from.name)
            }
        },
        ClaimDecision::Release { because, .. } => format!("release ({because:?})"),
        ClaimDecision::Unmatched => "unmatched".into(),
        ClaimDecision::Retry { .. } => "retry".into(),
    }
}

#[test]
fn claim_table() {
    let gate = MatchOptions {
        preemption: true,
        ..MatchOptions::default()
    };
    let no_gate = MatchOptions::default();
    let t = deploy("default", "nginx");
    let mut deleting = pp("low", "default", spec(Some(1), vec![sel_all()]));
    deleting.metadata.deletion_timestamp = Some("2026-01-01T00:00:00Z".into());
    type Case = (
        &'static str,
        Value,
        Vec<PropagationPolicy>,
        Vec<ClusterPropagationPolicy>,
        &'static MatchOptions,
        &'static str,
    );
    let gate: &'static MatchOptions = Box::leak(Box::new(gate));
    let no_gate: &'static MatchOptions = Box::leak(Box::new(no_gate));
    let cases: Vec<Case> = vec![
        (
            "unclaimed matches",
            t.clone(),
            vec![pp("a", "default", spec(None, vec![sel_all()]))],
            vec![],
            no_gate,
            "claim a",
        ),
        (
            "unclaimed, nothing",
            t.clone(),
            vec![],
            vec![],
            no_gate,
            "unmatched",
        ),
        (
            "sticky: better policy does not take over",
            claimed_by_pp(t.clone(), "default", "low"),
            vec![
                pp("low", "default", spec(Some(1), vec![sel_all()])),
                pp("high", "default", spec(Some(9), vec![sel_name("nginx")])),
            ],
            vec![],
            no_gate,
            "keep low",
        ),
        (
            "preemption needs the gate",
            claimed_by_pp(t.clone(), "default", "low"),
            vec![
                pp("low", "default", spec(Some(1), vec![sel_all()])),
                pp(
                    "high",
                    "default",
                    preempting(spec(Some(9), vec![sel_name("nginx")])),
                ),
            ],
            vec![],
            no_gate,
            "keep low",
        ),
        (
            "PP preempts lower PP",
            claimed_by_pp(t.clone(), "default", "low"),
            vec![
                pp("low", "default", spec(Some(1), vec![sel_all()])),
                pp(
                    "high",
                    "default",
                    preempting(spec(Some(9), vec![sel_name("nginx")])),
                ),
            ],
            vec![],
            gate,
            "preempt high from low",
        ),
        (
            "equal priority does not preempt",
            claimed_by_pp(t.clone(), "default", "low"),
            vec![
                pp("low", "default", spec(Some(9), vec![sel_all()])),
                pp(
                    "high",
                    "default",
                    preempting(spec(Some(9), vec![sel_name("nginx")])),
                ),
            ],
            vec![],
            gate,
            "keep low",
        ),
        (
            "label selectors never preempt",
            claimed_by_pp(t.clone(), "default", "low"),
            vec![
                pp("low", "default", spec(Some(1), vec![sel_all()])),
                pp(
                    "high",
                    "default",
                    preempting(spec(Some(9), vec![sel_label()])),
                ),
            ],
            vec![],
            gate,
            "keep low",
        ),
        (
            "highest preemptor wins",
            claimed_by_pp(t.clone(), "default", "low"),
            vec![
                pp("low", "default", spec(Some(1), vec![sel_all()])),
                pp(
                    "p5",
                    "default",
                    preempting(spec(Some(5), vec![sel_name("nginx")])),
                ),
                pp(
                    "p7",
                    "default",
                    preempting(spec(Some(7), vec![sel_name("nginx")])),
                ),
            ],
            vec![],
            gate,
            "preempt p7 from low",
        ),
        (
            "PP preempts any CPP regardless of priority",
            claimed_by_cpp(t.clone(), "c"),
            vec![pp(
                "p",
                "default",
                preempting(spec(Some(-3), vec![sel_name("nginx")])),
            )],
            vec![cpp("c", spec(Some(100), vec![sel_all()]))],
            gate,
            "preempt p from c",
        ),
        (
            "CPP never preempts a PP",
            claimed_by_pp(t.clone(), "default", "low"),
            vec![pp("low", "default", spec(Some(-10), vec![sel_all()]))],
            vec![cpp(
                "c",
                preempting(spec(Some(100), vec![sel_name("nginx")])),
            )],
            gate,
            "keep low",
        ),
        (
            "CPP preempts lower CPP",
            claimed_by_cpp(t.clone(), "c1"),
            vec![],
            vec![
                cpp("c1", spec(Some(1), vec![sel_all()])),
                cpp("c2", preempting(spec(Some(2), vec![sel_name("nginx")]))),
            ],
            gate,
            "preempt c2 from c1",
        ),
        (
            "CPP does not preempt equal CPP",
            claimed_by_cpp(t.clone(), "c1"),
            vec![],
            vec![
                cpp("c1", spec(Some(2), vec![sel_all()])),
                cpp("c2", preempting(spec(Some(2), vec![sel_name("nginx")]))),
            ],
            gate,
            "keep c1",
        ),
        (
            "PP preemptor of another namespace cannot preempt",
            claimed_by_cpp(t.clone(), "c"),
            vec![pp(
                "p",
                "other",
                preempting(spec(
                    Some(9),
                    vec![
                        json!({"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "other", "name": "nginx"}),
                    ],
                )),
            )],
            vec![cpp("c", spec(None, vec![sel_all()]))],
            gate,
            "keep c",
        ),
        (
            "claimed policy gone: rematch",
            claimed_by_pp(t.clone(), "default", "gone"),
            vec![pp("other", "default", spec(None, vec![sel_all()]))],
            vec![],
            no_gate,
            "rematch other (PolicyNotFound)",
        ),
        (
            "claimed policy gone, nothing else: release",
            claimed_by_pp(t.clone(), "default", "gone"),
            vec![],
            vec![],
            no_gate,
            "release (PolicyNotFound)",
        ),
        (
            "claimed policy no longer matches: rematch to CPP",
            claimed_by_pp(t.clone(), "default", "low"),
            vec![pp("low", "default", spec(None, vec![sel_name("other")]))],
            vec![cpp("c", spec(None, vec![sel_all()]))],
            no_gate,
            "rematch c (SelectorsNoLongerMatch)",
        ),
        (
            "claimed policy being deleted: retry",
            claimed_by_pp(t.clone(), "default", "low"),
            vec![deleting, pp("x", "default", spec(None, vec![sel_all()]))],
            vec![],
            no_gate,
            "retry",
        ),
        (
            "CPP claim is sticky against a new PP",
            claimed_by_cpp(t.clone(), "c"),
            vec![pp("p", "default", spec(Some(100), vec![sel_name("nginx")]))],
            vec![cpp("c", spec(None, vec![sel_all()]))],
            no_gate,
            "keep c",
        ),
        (
            "incomplete PP claim (no id label) is no claim",
            {
                let mut v = claimed_by_pp(t.clone(), "default", "low");
                v["metadata"]["labels"] = json!({"app": "nginx"});
                v
            },
            vec![
                pp("low", "default", spec(None, vec![sel_all()])),
                pp("best", "default", spec(Some(3), vec![sel_all()])),
            ],
            vec![],
            no_gate,
            "claim best",
        ),
        (
            "claimed template in a skipped namespace is ignored",
            claimed_by_pp(deploy("kube-public", "nginx"), "kube-public", "low"),
            vec![],
            vec![],
            no_gate,
            "ignored",
        ),
    ];
    for (name, template, pps, cpps, opts, want) in cases {
        let d = claim(&template, &pps, &cpps, opts);
        assert_eq!(outcome(&d), want, "{name}");
    }
}

#[test]
fn claim_metadata_roundtrip() {
    let p = pp("web", "default", spec(None, vec![sel_all()]));
    let c = cpp("global", spec(None, vec![sel_all()]));
    let mut t = deploy("default", "nginx");
    write_claim(&mut t, ClaimedBy::ClusterPropagationPolicy(&c)).unwrap_or_default();
    let cur = current_claim(&t);
    assert_eq!(
        cur,
        Some(CurrentClaim {
            kind: PolicyKind::ClusterPropagationPolicy,
            namespace: String::new(),
            name: "global".into(),
            permanent_id: "id-global".into(),
        })
    );
    // A PropagationPolicy claim replaces the ClusterPropagationPolicy one.
    write_claim(&mut t, ClaimedBy::PropagationPolicy(&p)).unwrap_or_default();
    assert_eq!(
        t["metadata"]["labels"][PP_PERMANENT_ID_LABEL],
        json!("id-default-web")
    );
    assert!(t["metadata"]["labels"]
        .get(CPP_PERMANENT_ID_LABEL)
        .is_none());
    assert!(t["metadata"]["annotations"]
        .get(CPP_NAME_ANNOTATION)
        .is_none());
    assert_eq!(
        t["metadata"]["annotations"][PP_NAMESPACE_ANNOTATION],
        json!("default")
    );
    assert_eq!(current_claim(&t).map(|c| c.name), Some("web".into()));
    remove_claim(&mut t).unwrap_or_default();
    assert_eq!(current_claim(&t), None);
    assert_eq!(t["metadata"]["labels"], json!({"app": "nginx"}));
    assert!(t["metadata"].get("annotations").is_none());

    let mut bad = json!({"metadata": {"labels": "x"}});
    assert!(matches!(
        write_claim(&mut bad, ClaimedBy::PropagationPolicy(&p)),
        Err(PolicyError::MalformedTemplate { field, .. }) if field == "metadata.labels"
    ));
}

#[test]
fn permanent_id_fallbacks() {
    let mut p = pp("web", "default", spec(None, vec![]));
    assert_eq!(
        ClaimedBy::PropagationPolicy(&p).permanent_id(),
        "id-default-web"
    );
    p.metadata.labels.clear();
    p.metadata.uid = "u-9".into();
    assert_eq!(ClaimedBy::PropagationPolicy(&p).permanent_id(), "u-9");
    p.metadata.uid.clear();
    assert_eq!(
        ClaimedBy::PropagationPolicy(&p).permanent_id(),
        "default.web"
    );
}

#[test]
fn dependent_overrides() {
    let p = pp(
        "web",
        "default",
        json!({"resourceSelectors": [sel_all()], "dependentOverrides": ["a", "b"]}),
    );
    let missing = missing_dependent_overrides(ClaimedBy::PropagationPolicy(&p), |n| n == "a");
    assert_eq!(missing, vec!["b"]);
}

struct FakeInterpreter;

impl ResourceInterpreter for FakeInterpreter {
    fn name(&self) -> &str {
        "fake"
    }
    fn handles(&self, gvk: &Gvk, op: Operation) -> bool {
        gvk.kind == "Deployment" && op == Operation::InterpretReplica
    }
    fn interpret_replica(&self, object: &Value) -> Result<ReplicaInterpretation, InterpreterError> {
        let Some(replicas) = object["spec"]["replicas"].as_i64() else {
            return Err(InterpreterError::Malformed {
                operation: Operation::InterpretReplica,
                kind: "Deployment".into(),
                name: String::new(),
                field: "spec.replicas".into(),
                message: "missing".into(),
            });
        };
        Ok(ReplicaInterpretation {
            replicas: replicas as i32,
            replica_requirements: Some(ReplicaRequirements {
                namespace: "default".into(),
                ..Default::default()
            }),
        })
    }
}

#[test]
fn binding_from_scratch() {
    let p = pp(
        "web",
        "default",
        json!({
            "resourceSelectors": [sel_all()],
            "association": true,
            "schedulerName": "default-scheduler",
            "placement": {"clusterAffinity": {"clusterNames": ["m1"]}},
            "conflictResolution": "Overwrite",
            "preserveResourcesOnDeletion": true,
            "failover": {"application": {"decisionConditions": {"tolerationSeconds": 10}}},
            "suspension": {"dispatching": true},
            "schedulePriority": {"priorityClassSource": "KubePriorityClass", "priorityClassName": "high"},
        }),
    );
    let mut opts = BindingOptions::default();
    opts.priority_classes.insert("high".into(), 1000);
    let rb = build_binding(
        &deploy("default", "web:App"),
        ClaimedBy::PropagationPolicy(&p),
        &FakeInterpreter,
        None,
        &opts,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rb.kind, "ResourceBinding");
    assert_eq!(rb.metadata.name, "web.app-deployment");
    assert_eq!(rb.metadata.namespace, "default");
    assert_eq!(
        rb.metadata
            .labels
            .get(PP_PERMANENT_ID_LABEL)
            .map(String::as_str),
        Some("id-default-web")
    );
    assert_eq!(
        rb.metadata
            .annotations
            .get(PP_NAME_ANNOTATION)
            .map(String::as_str),
        Some("web")
    );
    assert_eq!(rb.metadata.finalizers, vec![BINDING_FINALIZER.to_string()]);
    assert_eq!(rb.metadata.owner_references[0]["uid"], json!("uid-1"));
    assert_eq!(rb.spec.resource.uid, "uid-1");
    assert_eq!(rb.spec.resource.resource_version, "7");
    assert_eq!(rb.spec.resource.name, "web:App");
    assert_eq!(rb.spec.replicas, 3);
    assert!(rb.spec.replica_requirements.is_some());
    assert!(
        rb.spec.propagate_deps,
        "association is the alias of propagateDeps"
    );
    assert_eq!(rb.spec.scheduler_name, "default-scheduler");
    assert_eq!(rb.spec.placement.as_ref(), Some(&p.spec.placement));
    assert_eq!(
        rb.spec.conflict_resolution,
        Some(crate::api::ConflictResolution::Overwrite)
    );
    assert_eq!(rb.spec.preserve_resources_on_deletion, Some(true));
    assert!(rb.spec.failover.is_some());
    assert_eq!(
        rb.spec.suspension.as_ref().and_then(|s| s.dispatching),
        Some(true)
    );
    assert_eq!(
        rb.spec.schedule_priority.as_ref().map(|s| s.priority),
        Some(1000)
    );

    // Unknown PriorityClass is an error naming the policy.
    let err = build_binding(
        &deploy("default", "web"),
        ClaimedBy::PropagationPolicy(&p),
        &FakeInterpreter,
        None,
        &BindingOptions::default(),
    );
    assert!(matches!(
        err,
        Err(PolicyError::PriorityClassNotFound { .. })
    ));
    // With the gate off the priority is not resolved at all.
    let off = BindingOptions {
        priority_based_scheduling: false,
        ..BindingOptions::default()
    };
    let rb = build_binding(
        &deploy("default", "web"),
        ClaimedBy::PropagationPolicy(&p),
        &FakeInterpreter,
        None,
        &off,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(rb.spec.schedule_priority.is_none());
}

#[test]
fn binding_for_non_workload_and_cluster_scope() {
    let c = cpp(
        "global",
        json!({"resourceSelectors": [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole"}]}),
    );
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "system:reader", "uid": "r1"}});
    let rb = build_binding(
        &role,
        ClaimedBy::ClusterPropagationPolicy(&c),
        &FakeInterpreter,
        None,
        &BindingOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rb.kind, "ClusterResourceBinding");
    assert_eq!(rb.metadata.name, "system.reader-clusterrole");
    assert_eq!(rb.metadata.namespace, "");
    assert_eq!(
        rb.metadata.finalizers,
        vec![CLUSTER_BINDING_FINALIZER.to_string()]
    );
    assert_eq!(
        rb.metadata
            .labels
            .get(CPP_PERMANENT_ID_LABEL)
            .map(String::as_str),
        Some("id-global")
    );
    assert_eq!(
        rb.metadata
            .annotations
            .get(CPP_NAME_ANNOTATION)
            .map(String::as_str),
        Some("global")
    );
    assert_eq!(rb.spec.replicas, 0);
    assert!(rb.spec.replica_requirements.is_none());
    assert_eq!(rb.spec.scheduler_name, "");

    // A caller-provided scope wins over the namespace heuristic.
    let forced = BindingOptions {
        cluster_scoped: Some(false),
        ..BindingOptions::default()
    };
    let rb = build_binding(
        &role,
        ClaimedBy::ClusterPropagationPolicy(&c),
        &FakeInterpreter,
        None,
        &forced,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rb.kind, "ResourceBinding");

    let nameless = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}});
    assert!(matches!(
        build_binding(&nameless, ClaimedBy::ClusterPropagationPolicy(&c), &FakeInterpreter, None, &BindingOptions::default()),
        Err(PolicyError::MalformedTemplate { field, .. }) if field == "metadata.name"
    ));
    let mut bad = deploy("default", "x");
    bad["spec"] = json!({});
    assert!(matches!(
        build_binding(
            &bad,
            ClaimedBy::ClusterPropagationPolicy(&c),
            &FakeInterpreter,
            None,
            &BindingOptions::default()
        ),
        Err(PolicyError::Interpreter { .. })
    ));
}

#[test]
fn binding_update_preserves_scheduling_state() {
    let p = pp(
        "web",
        "default",
        json!({"resourceSelectors": [sel_all()], "placement": {"clusterAffinity": {"clusterNames": ["m2"]}}}),
    );
    let mut existing: ResourceBinding = serde_json::from_value(json!({
        "apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding",
        "metadata": {"name": "nginx-deployment", "namespace": "default",
            "labels": {"team": "a", CPP_PERMANENT_ID_LABEL: "old"},
            "annotations": {CPP_NAME_ANNOTATION: "old", "policy.karmada.io/applied-placement": "{}"},
            "finalizers": ["keep.me", BINDING_FINALIZER]},
        "spec": {
            "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default", "name": "nginx"},
            "replicas": 1,
            "clusters": [{"name": "m1", "replicas": 1}],
            "gracefulEvictionTasks": [{"fromCluster": "m0", "reason": "TaintUntolerated", "producer": "x"}],
            "rescheduleTriggeredAt": "2026-01-01T00:00:00Z",
            "suspension": {"dispatching": true, "scheduling": true},
            "schedulePriority": {"priority": 5}
        },
        "status": {"schedulerObservedGeneration": 4}
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let rb = build_binding(
        &deploy("default", "nginx"),
        ClaimedBy::PropagationPolicy(&p),
        &FakeInterpreter,
        Some(&existing),
        &BindingOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rb.spec.clusters,
        vec![TargetCluster {
            name: "m1".into(),
            replicas: 1,
            components: vec![]
        }]
    );
    assert_eq!(rb.spec.graceful_eviction_tasks.len(), 1);
    assert_eq!(
        rb.spec.reschedule_triggered_at.as_deref(),
        Some("2026-01-01T00:00:00Z")
    );
    assert_eq!(rb.status, existing.status);
    assert_eq!(rb.spec.replicas, 3);
    assert_eq!(rb.spec.placement.as_ref(), Some(&p.spec.placement));
    assert!(rb.spec.schedule_priority.is_none());
    assert_eq!(
        rb.metadata.labels.get("team").map(String::as_str),
        Some("a")
    );
    assert!(!rb.metadata.labels.contains_key(CPP_PERMANENT_ID_LABEL));
    assert!(!rb.metadata.annotations.contains_key(CPP_NAME_ANNOTATION));
    assert!(rb
        .metadata
        .annotations
        .contains_key("policy.karmada.io/applied-placement"));
    assert_eq!(
        rb.metadata.finalizers,
        vec!["keep.me".to_string(), BINDING_FINALIZER.to_string()]
    );
    // [quirk] The policy has no suspension: the binding's dispatching stays.
    assert_eq!(
        rb.spec.suspension.as_ref().and_then(|s| s.dispatching),
        Some(true)
    );
    // The better behaviour on request: dispatching cleared, scheduling kept.
    let opts = BindingOptions {
        clear_dispatching_without_policy_suspension: true,
        ..BindingOptions::default()
    };
    let rb = build_binding(
        &deploy("default", "nginx"),
        ClaimedBy::PropagationPolicy(&p),
        &FakeInterpreter,
        Some(&existing),
        &opts,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let s = rb.spec.suspension.unwrap_or_default();
    assert_eq!((s.dispatching, s.scheduling), (None, Some(true)));
    // The policy's suspension replaces dispatching fields and keeps scheduling.
    let p2 = pp(
        "web",
        "default",
        json!({"resourceSelectors": [sel_all()],
        "suspension": {"dispatchingOnClusters": {"clusterNames": ["m1"]}}}),
    );
    existing.spec.suspension = Some(crate::api::Suspension {
        dispatching: Some(true),
        dispatching_on_clusters: None,
        scheduling: Some(true),
    });
    let rb = build_binding(
        &deploy("default", "nginx"),
        ClaimedBy::PropagationPolicy(&p2),
        &FakeInterpreter,
        Some(&existing),
        &BindingOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let s = rb.spec.suspension.unwrap_or_default();
    assert_eq!(s.dispatching, None);
    assert_eq!(s.scheduling, Some(true));
    assert_eq!(
        s.dispatching_on_clusters.map(|c| c.cluster_names),
        Some(vec!["m1".to_string()])
    );
}

#[test]
fn binding_names() {
    for (kind, name, want) in [
        ("Deployment", "nginx", "nginx-deployment"),
        (
            "ClusterRole",
            "system:aggregate-to-admin",
            "system.aggregate-to-admin-clusterrole",
        ),
        ("ConfigMap", "My-CM", "my-cm-configmap"),
    ] {
        assert_eq!(binding_name(kind, name), want);
    }
}

#[test]
fn lazy_activation() {
    let eager = pp("e", "default", json!({"resourceSelectors": [sel_all()]}));
    let lazy = pp(
        "l",
        "default",
        json!({"resourceSelectors": [sel_all()], "activationPreference": "Lazy"}),
    );
    for (p, by_karmada, want) in [
        (&eager, true, true),
        (&eager, false, true),
        (&lazy, true, false),
        (&lazy, false, true),
    ] {
        assert_eq!(
            refreshes_binding(ClaimedBy::PropagationPolicy(p), by_karmada),
            want,
            "{} {by_karmada}",
            p.metadata.name
        );
    }
}
