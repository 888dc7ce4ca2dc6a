//! A rollout across three member clusters, walked for a Deployment (native rule), a CloneSet
//! and a HelmRelease (Lua rule): the template's aggregated observedGeneration stays at the old
//! generation while any member lags (manifest not yet updated, member controller not caught
//! up, annotation missing, status not yet reflected) and moves to the new one once all have
//! caught up.

use fedplan::api::AggregatedStatusItem;
use fedplan::interpreter::{
    chain::InterpreterChain, ResourceInterpreter, TEMPLATE_GENERATION_ANNOTATION,
};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug)]
enum Member {
    /// Manifest rendered from template generation `rtg` (None: annotation missing); the member
    /// object is at generation `gen` and its controller observed `observed`.
    At {
        rtg: Option<i64>,
        gen: i64,
        observed: i64,
    },
    /// The member's status has not been reflected yet.
    NoStatus,
}

use Member::{At, NoStatus};

const fn at(rtg: i64, gen: i64, observed: i64) -> Member {
    At {
        rtg: Some(rtg),
        gen,
        observed,
    }
}

struct Kind {
    api_version: &'static str,
    kind: &'static str,
    /// Status fields of a healthy member besides observedGeneration.
    status: fn() -> Value,
}

const KINDS: [Kind; 3] = [
    Kind {
        api_version: "apps/v1",
        kind: "Deployment",
        status: || json!({"replicas": 2, "readyReplicas": 2, "updatedReplicas": 2, "availableReplicas": 2}),
    },
    Kind {
        api_version: "apps.kruise.io/v1alpha1",
        kind: "CloneSet",
        status: || json!({"replicas": 2, "readyReplicas": 2, "updatedReplicas": 2, "availableReplicas": 2}),
    },
    Kind {
        api_version: "helm.toolkit.fluxcd.io/v2beta1",
        kind: "HelmRelease",
        status: || json!({"conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "message": "ok"}]}),
    },
];

fn template(kind: &Kind, generation: i64, observed_generation: i64) -> Value {
    json!({
        "apiVersion": kind.api_version, "kind": kind.kind,
        "metadata": {"name": "app", "namespace": "ns", "generation": generation},
        "spec": {"replicas": 6, "template": {"spec": {"containers": [{"name": "c"}]}}},
        "status": {"observedGeneration": observed_generation}
    })
}

/// The member object as the member cluster holds it.
fn member_object(kind: &Kind, rtg: Option<i64>, gen: i64, observed: i64) -> Value {
    let mut status = (kind.status)();
    status["observedGeneration"] = json!(observed);
    let mut obj = json!({
        "apiVersion": kind.api_version, "kind": kind.kind,
        "metadata": {"name": "app", "namespace": "ns", "generation": gen},
        "spec": {"replicas": 2},
        "status": status
    });
    if let Some(rtg) = rtg {
        obj["metadata"]["annotations"] = json!({TEMPLATE_GENERATION_ANNOTATION: rtg.to_string()});
    }
    obj
}

/// The status items the work-status controller would collect: reflection through the chain;
/// a member whose reflection fails contributes an item without status, as in Karmada.
fn status_items(
    chain: &InterpreterChain,
    kind: &Kind,
    members: &[Member],
) -> Vec<AggregatedStatusItem> {
    members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let status = match *m {
                NoStatus => None,
                At { rtg, gen, observed } => chain
                    .interpret_status(&member_object(kind, rtg, gen, observed))
                    .ok()
                    .flatten(),
            };
            AggregatedStatusItem {
                cluster_name: format!("member{}", i + 1),
                status,
                applied: true,
                ..Default::default()
            }
        })
        .collect()
}

struct Step {
    name: &'static str,
    /// Template generation at this step.
    generation: i64,
    members: [Member; 3],
    /// Expected aggregated observedGeneration per kind (Deployment, CloneSet, HelmRelease).
    expect: [i64; 3],
}

#[test]
fn observed_generation_through_a_rollout() {
    // Native uses >= and compares the member against its own generation, Lua kinds use ==,
    // so member generations are chosen where the rules agree unless the step says otherwise.
    let steps = [
        Step {
            name: "all members on generation 1",
            generation: 1,
            members: [at(1, 1, 1), at(1, 1, 1), at(1, 1, 1)],
            expect: [1, 1, 1],
        },
        Step {
            name: "template bumped, no member updated yet",
            generation: 2,
            members: [at(1, 1, 1), at(1, 1, 1), at(1, 1, 1)],
            expect: [1, 1, 1],
        },
        Step {
            name: "member1 updated and observed; member2 updated but its controller lags",
            generation: 2,
            members: [at(2, 2, 2), at(2, 2, 1), at(1, 1, 1)],
            expect: [1, 1, 1],
        },
        Step {
            name: "member3 manifest lost its annotation",
            generation: 2,
            members: [
                at(2, 2, 2),
                at(2, 2, 2),
                At {
                    rtg: None,
                    gen: 2,
                    observed: 2,
                },
            ],
            expect: [1, 1, 1],
        },
        Step {
            name: "member3 status not reflected yet",
            generation: 2,
            members: [at(2, 2, 2), at(2, 2, 2), NoStatus],
            expect: [1, 1, 1],
        },
        Step {
            name: "all members caught up",
            generation: 2,
            members: [at(2, 2, 2), at(2, 2, 2), at(2, 2, 2)],
            expect: [2, 2, 2],
        },
        Step {
            name: "member generations differ from the template's (independent counters)",
            generation: 3,
            members: [at(3, 7, 7), at(3, 4, 4), at(3, 3, 3)],
            expect: [3, 3, 3],
        },
    ];
    let chain = InterpreterChain::default();
    for (k, kind) in KINDS.iter().enumerate() {
        let mut previous = 1;
        for step in &steps {
            let items = status_items(&chain, kind, &step.members);
            let out = chain
                .aggregate_status(&template(kind, step.generation, previous), &items)
                .unwrap_or_else(|e| panic!("{} / {}: {e}", kind.kind, step.name));
            let got = out["status"]["observedGeneration"].as_i64().unwrap_or(0);
            assert_eq!(got, step.expect[k], "{} / {}", kind.kind, step.name);
            previous = got;
        }
    }
}

#[test]
fn deployment_counters_follow_members() {
    let chain = InterpreterChain::default();
    let kind = &KINDS[0];
    let items = status_items(&chain, kind, &[at(1, 1, 1), at(1, 1, 1), NoStatus]);
    let out = chain
        .aggregate_status(&template(kind, 1, 0), &items)
        .expect("aggregates");
    assert_eq!(out["status"]["replicas"], 4);
    assert_eq!(
        out["status"].get("observedGeneration"),
        None,
        "0 is omitted"
    );
}
