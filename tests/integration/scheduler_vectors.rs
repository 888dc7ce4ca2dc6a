//! Karmada's scheduler unit-test vectors (spread constraints, cluster affinity, taints),
//! read from the shared fixtures.

use std::collections::BTreeMap;

use fedplan::api::{
    Cluster, ClusterAffinity, ClusterSpec, NodeSelectorRequirement, Placement, ResourceBinding,
    ResourceBindingSpec, ResourceBindingStatus, SpreadByField, SpreadConstraint, Taint, Toleration,
};
use fedplan::scheduler::filter::{
    self, cluster_matches, tolerates, ApiEnablementFilter, ClusterAffinityFilter,
    ClusterEvictionFilter, SpreadConstraintFilter, TaintTolerationFilter,
};
use fedplan::scheduler::framework::{FilterPlugin, FilterResult, SchedulingContext};
use fedplan::scheduler::select::{
    self, build_candidates, group_candidates, group_score, select_best_clusters, select_by_region,
    select_groups, sort_candidates, Candidate, Group, GroupValue,
};
use fedplan::selector::{cluster_names_matches, match_zones};
use serde_json::Value;

/// The vector files holding the cases of `name`: the shared fixture and this crate's own
/// transcription of the upstream cases the fixture lacks, in the same format.
fn vector_paths(name: &str) -> [String; 2] {
    let root = env!("CARGO_MANIFEST_DIR");
    [
        format!("{root}/../shared/fixtures/vectors/scheduling/{name}"),
        format!("{root}/tests/vectors/upstream/scheduling/{name}"),
    ]
}

/// Every case of both vector files of `name`. Each case's `id` is prefixed with its file so
/// that a failure names the file and the case.
fn load(name: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for path in vector_paths(name) {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let cases = doc["cases"].as_array().cloned().unwrap_or_default();
        assert!(!cases.is_empty(), "{path}: no cases");
        for mut case in cases {
            let id = format!("{path}: {}", case["id"].as_str().unwrap_or("?"));
            case["id"] = Value::String(id);
            all.push(case);
        }
    }
    all
}

fn de<T: serde::de::DeserializeOwned>(v: &Value, what: &str) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{what}: {e}: {v}"))
}

/// A Cluster from a vector's `{name, spec}` (scheduler-internal form) or API form.
fn cluster_of(v: &Value) -> Cluster {
    if v.get("metadata").is_some() {
        // The vectors show only the relevant fields; `resources[].name` is required by the
        // API schema but irrelevant here.
        let mut v = v.clone();
        if let Some(ens) = v
            .pointer_mut("/status/apiEnablements")
            .and_then(Value::as_array_mut)
        {
            for en in ens {
                if let Some(rs) = en.get_mut("resources").and_then(Value::as_array_mut) {
                    for r in rs.iter_mut().filter_map(Value::as_object_mut) {
                        r.entry("name").or_insert(Value::String(String::new()));
                    }
                }
            }
        }
        return de(&v, "cluster");
    }
    let mut c = Cluster::default();
    c.metadata.name = v["name"].as_str().unwrap_or_default().to_string();
    if let Some(spec) = v.get("spec") {
        c.spec = de::<ClusterSpec>(spec, "cluster spec");
    }
    c
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// Candidate details `{name, score, availableReplicas, cluster?}` owned by the test.
struct Detail {
    cluster: Cluster,
    score: i64,
    available: i64,
}

fn details(v: &Value) -> Vec<Detail> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    let mut cluster = d.get("cluster").map(cluster_of).unwrap_or_default();
                    if cluster.metadata.name.is_empty() {
                        cluster.metadata.name = d["name"].as_str().unwrap_or_default().into();
                    }
                    Detail {
                        cluster,
                        score: int(&d["score"]),
                        available: int(&d["availableReplicas"]),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn candidates(ds: &[Detail]) -> Vec<Candidate<'_>> {
    ds.iter()
        .map(|d| Candidate {
            cluster: &d.cluster,
            score: d.score,
            allocatable_replicas: d.available,
            available_replicas: d.available,
            overflow_order: 0,
        })
        .collect()
}

fn selected_names(cands: &[Candidate<'_>], idx: &[usize]) -> Vec<String> {
    idx.iter().map(|&i| cands[i].name().to_string()).collect()
}

fn check_selection(id: &str, got: Result<Vec<String>, String>, expected: &Value) {
    if let Some(err) = expected.get("error").and_then(Value::as_str) {
        assert_eq!(got, Err(err.to_string()), "{id}");
        return;
    }
    let mut want = names(&expected["clusters"]);
    let mut got = got.unwrap_or_else(|e| panic!("{id}: unexpected error {e}"));
    if expected["orderInsensitive"].as_bool() == Some(true) {
        want.sort();
        got.sort();
    }
    assert_eq!(got, want, "{id}");
}

/// Cases whose function belongs to another part of the library, with the reason.
const ELSEWHERE: &[(&str, &str)] = &[
    (
        "GetMinTolerationTimeWithCurrentTime",
        "NoExecute toleration timing belongs to the taint manager (failover), not to scheduling",
    ),
    (
        "assessSingleTask",
        "graceful-eviction task assessment belongs to the graceful-eviction controller (failover)",
    ),
];

fn skip(function: &str) -> bool {
    ELSEWHERE.iter().any(|(f, _)| *f == function)
}

#[test]
fn spread_constraint_vectors() {
    let cases = load("spread_constraints.json");
    assert!(!cases.is_empty());
    for case in &cases {
        let id = case["id"].as_str().unwrap_or("?");
        let input = &case["input"];
        let expected = &case["expected"];
        match case["function"].as_str().unwrap_or("") {
            "SelectBestClusters" => {
                let placement: Placement = de(&input["placement"], id);
                let ds = details(&input["clusters"]);
                // The input is already in scheduler order: no re-sorting.
                let cands = candidates(&ds);
                let spec = ResourceBindingSpec {
                    replicas: int(&input["needReplicas"]) as i32,
                    placement: Some(placement.clone()),
                    ..Default::default()
                };
                let groups = group_candidates(&cands, &spec, &placement);
                let got = select_best_clusters(&cands, &groups, &placement, spec.replicas)
                    .map(|idx| selected_names(&cands, &idx))
                    .map_err(|e| e.to_string());
                check_selection(id, got, expected);
            }
            "selectBestClustersByRegion" => {
                let constraints: Vec<SpreadConstraint> = de(&input["spreadConstraints"], id);
                let find = |f| {
                    constraints
                        .iter()
                        .rev()
                        .find(|c| c.spread_by_field == Some(f))
                };
                let region = find(SpreadByField::Region).unwrap_or_else(|| panic!("{id}"));
                let mut all = Vec::new();
                let mut groups = Vec::new();
                let regions = input["regions"].as_object().cloned().unwrap_or_default();
                for (name, r) in &regions {
                    let ds = details(&r["clusters"]);
                    let start = all.len();
                    all.extend(ds);
                    groups.push(Group {
                        field: SpreadByField::Region,
                        name: name.clone(),
                        score: int(&r["score"]),
                        available_replicas: 0,
                        members: (start..all.len()).collect(),
                    });
                }
                let cands = candidates(&all);
                let refs: Vec<&Group> = groups.iter().collect();
                let got = select_by_region(&cands, &refs, region, find(SpreadByField::Cluster))
                    .map(|idx| selected_names(&cands, &idx))
                    .map_err(|e| e.to_string());
                check_selection(id, got, expected);
            }
            "selectGroups" => {
                let groups: Vec<GroupValue> = input["groups"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|g| GroupValue {
                                name: g["name"].as_str().unwrap_or_default().into(),
                                value: int(&g["value"]),
                                weight: int(&g["weight"]),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let got = select_groups(
                    &groups,
                    int(&input["minConstraint"]) as i32,
                    int(&input["maxConstraint"]) as i32,
                    int(&input["target"]),
                );
                let want = expected["groups"]
                    .as_array()
                    .map(|_| names(&expected["groups"]));
                assert_eq!(got, want, "{id}");
            }
            "calcGroupScore" => {
                let spec: ResourceBindingSpec = de(&input["bindingSpec"], id);
                let min_groups = int(&input["minGroups"]) as i32;
                let score_of = |key: &str| {
                    let ds = details(&input[key]);
                    let cands = candidates(&ds);
                    let refs: Vec<&Candidate<'_>> = cands.iter().collect();
                    group_score(&refs, &spec, min_groups)
                };
                let s1 = score_of("clusters1");
                assert_eq!(s1, int(&expected["derivedScore1"]), "{id} score1");
                if input.get("clusters2").is_some() {
                    let s2 = score_of("clusters2");
                    assert_eq!(s2, int(&expected["derivedScore2"]), "{id} score2");
                    if let Some(wins) = expected["group1Wins"].as_bool() {
                        assert_eq!(s1 >= s2, wins, "{id} winner");
                    }
                }
            }
            "GroupClustersWithScore" => {
                let placement: Placement = de(&input["placement"], id);
                let avail = int(&input["availableReplicasPerCluster"]);
                let mut ds: Vec<Detail> = input["clustersScore"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|cs| Detail {
                                cluster: cluster_of(&cs["cluster"]),
                                score: int(&cs["score"]),
                                available: avail,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                ds.reverse(); // the grouping must not depend on the input order
                let mut cands = candidates(&ds);
                sort_candidates(&mut cands);
                let spec = ResourceBindingSpec {
                    placement: Some(placement.clone()),
                    ..Default::default()
                };
                let groups = group_candidates(&cands, &spec, &placement);
                let order: Vec<String> = cands.iter().map(|c| c.name().to_string()).collect();
                assert_eq!(order, names(&expected["clusterOrder"]), "{id}");
                let count = |f| groups.iter().filter(|g| g.field == f).count() as i64;
                assert_eq!(
                    count(SpreadByField::Zone),
                    int(&expected["zoneCount"]),
                    "{id}"
                );
                assert_eq!(
                    count(SpreadByField::Region),
                    int(&expected["regionCount"]),
                    "{id}"
                );
                assert_eq!(
                    count(SpreadByField::Provider),
                    int(&expected["providerCount"]),
                    "{id}"
                );
            }
            "sortClusters" => {
                let mut ds = details(&input["clusters"]);
                if input["compareAvailableReplicas"].as_bool() == Some(false) {
                    // Without that comparator Karmada's order ignores the available
                    // replicas, which is the scheduler's order when they are all equal.
                    ds.iter_mut().for_each(|d| d.available = 0);
                }
                ds.reverse();
                let mut cands = candidates(&ds);
                sort_candidates(&mut cands);
                let order: Vec<String> = cands.iter().map(|c| c.name().to_string()).collect();
                assert_eq!(order, names(&expected["order"]), "{id}");
            }
            "SelectClusters" => {
                let placement: Placement = de(&input["placement"], id);
                let mut binding = ResourceBinding {
                    spec: de(&input["bindingSpec"], id),
                    status: Some(de::<ResourceBindingStatus>(&input["bindingStatus"], id)),
                    ..Default::default()
                };
                binding.spec.placement = Some(placement.clone());
                let owned: Vec<(Cluster, i64)> = input["clustersScore"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|cs| (cluster_of(&cs["cluster"]), int(&cs["score"])))
                            .collect()
                    })
                    .unwrap_or_default();
                let feasible: Vec<&Cluster> = owned.iter().map(|(c, _)| c).collect();
                let scores: Vec<i64> = owned.iter().map(|(_, s)| *s).collect();
                let ctx = SchedulingContext::observed(&binding);
                let mut cands = build_candidates(&ctx, &feasible, &scores, &[]);
                sort_candidates(&mut cands);
                let groups = group_candidates(&cands, &binding.spec, &placement);
                let got = select_best_clusters(&cands, &groups, &placement, binding.spec.replicas)
                    .map(|idx| selected_names(&cands, &idx))
                    .map_err(|e| e.to_string());
                check_selection(id, got, expected);
            }
            other => panic!("{id}: no runner for function {other}"),
        }
    }
}

fn expect_filter(id: &str, got: FilterResult, expected: &Value) {
    match expected["code"].as_str() {
        Some("Success") => assert!(got.is_success(), "{id}: {got:?}"),
        Some("Unschedulable") => {
            assert!(
                matches!(got, FilterResult::Unschedulable(_)),
                "{id}: {got:?}"
            );
            if let Some(reason) = expected["reason"].as_str() {
                assert_eq!(got.reason(), Some(reason), "{id}");
            }
        }
        other => panic!("{id}: unknown code {other:?}"),
    }
}

fn binding_from(input: &Value, id: &str) -> ResourceBinding {
    let mut b = ResourceBinding::default();
    if let Some(spec) = input.get("bindingSpec") {
        b.spec = de(spec, id);
    }
    if let Some(status) = input.get("bindingStatus") {
        b.status = Some(de(status, id));
    }
    b
}

#[test]
fn cluster_affinity_vectors() {
    let cases = load("cluster_affinity.json");
    assert!(!cases.is_empty());
    for case in &cases {
        let id = case["id"].as_str().unwrap_or("?");
        let input = &case["input"];
        let expected = &case["expected"];
        match case["function"].as_str().unwrap_or("") {
            "ClusterMatches" => {
                let c = cluster_of(&input["cluster"]);
                let a: ClusterAffinity = de(&input["affinity"], id);
                assert_eq!(
                    cluster_matches(&c, &a),
                    expected["match"].as_bool().unwrap_or(false),
                    "{id}"
                );
            }
            "matchZones" => {
                let req: NodeSelectorRequirement = de(&input["requirement"], id);
                let zones = names(&input["zones"]);
                assert_eq!(
                    match_zones(&req, &zones),
                    expected["match"].as_bool().unwrap_or(false),
                    "{id}"
                );
            }
            "ClusterAffinity.Filter" => {
                let b = binding_from(input, id);
                let c = cluster_of(&input["cluster"]);
                let got = ClusterAffinityFilter.filter(&SchedulingContext::observed(&b), &c);
                expect_filter(id, got, expected);
            }
            "APIEnablement.Filter" => {
                let b = binding_from(input, id);
                let c = cluster_of(&input["cluster"]);
                let got = ApiEnablementFilter.filter(&SchedulingContext::observed(&b), &c);
                expect_filter(id, got, expected);
            }
            "SpreadConstraint.Filter" => {
                let b = binding_from(input, id);
                let c = cluster_of(&input["cluster"]);
                let got = SpreadConstraintFilter.filter(&SchedulingContext::observed(&b), &c);
                expect_filter(id, got, expected);
            }
            "ClusterEviction.Filter" => {
                let b = binding_from(input, id);
                let c = cluster_of(&input["cluster"]);
                let got = ClusterEvictionFilter.filter(&SchedulingContext::observed(&b), &c);
                expect_filter(id, got, expected);
            }
            "ClusterNamesMatches" => {
                let c = cluster_of(&input["cluster"]);
                let names = names(&input["clusterNames"]);
                assert_eq!(
                    cluster_names_matches(&c, &names),
                    expected["match"].as_bool().unwrap_or(false),
                    "{id}"
                );
            }
            f if skip(f) => {}
            other => panic!("{id}: no runner for function {other}"),
        }
    }
}

#[test]
fn taint_toleration_vectors() {
    let cases = load("taint_toleration.json");
    assert!(!cases.is_empty());
    let mut ran = BTreeMap::<String, usize>::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap_or("?");
        let input = &case["input"];
        let expected = &case["expected"];
        let function = case["function"].as_str().unwrap_or("");
        match function {
            "TaintToleration.Filter" => {
                let b = binding_from(input, id);
                let c = cluster_of(&input["cluster"]);
                let got = TaintTolerationFilter.filter(&SchedulingContext::observed(&b), &c);
                expect_filter(id, got, expected);
            }
            "GetMatchingTolerations" => {
                let taints: Vec<Taint> = de(&input["taints"], id);
                let tols: Vec<Toleration> = de(&input["tolerations"], id);
                let used: Vec<Option<&Toleration>> = taints
                    .iter()
                    .map(|t| tols.iter().find(|tol| tolerates(tol, t)))
                    .collect();
                let all = used.iter().all(Option::is_some);
                assert_eq!(
                    all,
                    expected["allTolerated"].as_bool().unwrap_or(false),
                    "{id}"
                );
                let used: Vec<Toleration> = if all {
                    used.into_iter().flatten().cloned().collect()
                } else {
                    Vec::new()
                };
                let want: Vec<Toleration> = de(&expected["usedTolerations"], id);
                assert_eq!(used, want, "{id}");
            }
            f if skip(f) => continue,
            other => panic!("{id}: no runner for function {other}"),
        }
        *ran.entry(function.to_string()).or_default() += 1;
    }
    assert!(ran.contains_key("TaintToleration.Filter"));
    // Keep the helper modules linked so the public paths used above stay exported.
    let _ = (filter::REASON_AFFINITY, select::topology_ignored);
}
