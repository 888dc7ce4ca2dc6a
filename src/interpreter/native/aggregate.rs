//! Native AggregateStatus: the template's status folded from its members' reflected statuses.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Clock, NativeKind};
use crate::api::AggregatedStatusItem;
use crate::interpreter::generation::native_observed_generation;
use crate::interpreter::object::{
    as_map_mut, at, generation, int_at, lenient_int, set_int, str_at,
};
use crate::interpreter::InterpreterError;

/// A counter summed over members; `always` marks fields Kubernetes serialises even when 0.
struct Counter {
    name: &'static str,
    always: bool,
}

const fn omit(name: &'static str) -> Counter {
    Counter {
        name,
        always: false,
    }
}

const fn always(name: &'static str) -> Counter {
    Counter { name, always: true }
}

const DEPLOYMENT: &[Counter] = &[
    omit("replicas"),
    omit("readyReplicas"),
    omit("updatedReplicas"),
    omit("availableReplicas"),
    omit("unavailableReplicas"),
];
const REPLICA_SET: &[Counter] = &[
    always("replicas"),
    omit("readyReplicas"),
    omit("availableReplicas"),
];
const DAEMON_SET: &[Counter] = &[
    always("currentNumberScheduled"),
    always("numberMisscheduled"),
    always("desiredNumberScheduled"),
    always("numberReady"),
    omit("updatedNumberScheduled"),
    omit("numberAvailable"),
    omit("numberUnavailable"),
];
const STATEFUL_SET: &[Counter] = &[
    always("availableReplicas"),
    omit("currentReplicas"),
    omit("readyReplicas"),
    always("replicas"),
    omit("updatedReplicas"),
];
const PDB: &[Counter] = &[
    always("currentHealthy"),
    always("desiredHealthy"),
    always("expectedPods"),
    always("disruptionsAllowed"),
];
const HPA: &[Counter] = &[omit("currentReplicas"), always("desiredReplicas")];

pub(super) fn aggregate(
    kind: NativeKind,
    obj: &Value,
    items: &[AggregatedStatusItem],
    clock: Clock,
) -> Result<Value, InterpreterError> {
    match kind {
        NativeKind::Deployment => Ok(workload(obj, items, DEPLOYMENT)),
        NativeKind::ReplicaSet => Ok(workload(obj, items, REPLICA_SET)),
        NativeKind::DaemonSet => Ok(workload(obj, items, DAEMON_SET)),
        NativeKind::StatefulSet => Ok(workload(obj, items, STATEFUL_SET)),
        NativeKind::Service => Ok(service(obj, items)),
        NativeKind::Ingress => Ok(replace_status(obj, load_balancer_status(items, false))),
        NativeKind::Job => Ok(job(obj, items, clock)),
        NativeKind::CronJob => Ok(cron_job(obj, items)),
        NativeKind::Pod => Ok(pod(obj, items)),
        NativeKind::PersistentVolume => Ok(pv(obj, items)),
        NativeKind::PersistentVolumeClaim => Ok(pvc(obj, items)),
        NativeKind::PodDisruptionBudget => Ok(pdb(obj, items)),
        NativeKind::HorizontalPodAutoscaler => {
            let mut status = Map::new();
            sum_into(&mut status, items, HPA);
            Ok(replace_status(obj, status))
        }
        _ => Ok(obj.clone()),
    }
}

fn statuses(
    items: &[AggregatedStatusItem],
) -> impl Iterator<Item = (&AggregatedStatusItem, &Map<String, Value>)> {
    items
        .iter()
        .filter_map(|i| i.status.as_ref().and_then(Value::as_object).map(|s| (i, s)))
}

fn replace_status(obj: &Value, status: Map<String, Value>) -> Value {
    let mut out = obj.clone();
    as_map_mut(&mut out).insert("status".into(), Value::Object(status));
    out
}

fn sum_into(status: &mut Map<String, Value>, items: &[AggregatedStatusItem], counters: &[Counter]) {
    for c in counters {
        let total: i64 = statuses(items)
            .map(|(_, s)| s.get(c.name).map(lenient_int).unwrap_or(0))
            .sum();
        set_int(status, c.name, total, !c.always);
    }
}

/// Deployment, ReplicaSet, DaemonSet, StatefulSet: sum the kind's counters in one pass over
/// each member status and standardise observedGeneration; other template status fields are
/// kept.
fn workload(obj: &Value, items: &[AggregatedStatusItem], counters: &[Counter]) -> Value {
    let mut totals = [0i64; 8];
    let template_generation = generation(obj);
    let mut caught_up = 0usize;
    for item in items {
        let Some(status) = item.status.as_ref().and_then(Value::as_object) else {
            continue;
        };
        let (mut gen, mut observed, mut rtg) = (0, 0, 0);
        for (k, v) in status {
            match k.as_str() {
                "generation" => gen = lenient_int(v),
                "observedGeneration" => observed = lenient_int(v),
                "resourceTemplateGeneration" => rtg = lenient_int(v),
                name => {
                    if let Some(i) = counters.iter().position(|c| c.name == name) {
                        totals[i] += lenient_int(v);
                    }
                }
            }
        }
        if observed >= gen && rtg >= template_generation {
            caught_up += 1;
        }
    }
    let observed_generation = if caught_up == items.len() {
        template_generation
    } else {
        int_at(obj, &["status", "observedGeneration"])
    };
    debug_assert_eq!(
        observed_generation,
        native_observed_generation(
            template_generation,
            int_at(obj, &["status", "observedGeneration"]),
            items
        )
    );
    let mut out = obj.clone();
    let status = as_map_mut(as_map_mut(&mut out).entry("status").or_insert(Value::Null));
    for (c, total) in counters.iter().zip(totals) {
        set_int(status, c.name, total, !c.always);
    }
    set_int(status, "observedGeneration", observed_generation, true);
    out
}

fn service(obj: &Value, items: &[AggregatedStatusItem]) -> Value {
    if str_at(obj, &["spec", "type"]) != "LoadBalancer" {
        return obj.clone();
    }
    replace_status(obj, load_balancer_status(items, true))
}

fn load_balancer_status(items: &[AggregatedStatusItem], with_ip_mode: bool) -> Map<String, Value> {
    let mut all = Vec::new();
    for (_, s) in statuses(items) {
        if let Some(ing) = s
            .get("loadBalancer")
            .and_then(|lb| lb.get("ingress"))
            .and_then(Value::as_array)
        {
            all.extend(ing.iter().cloned());
        }
    }
    let ingress = dedupe_and_sort(all, with_ip_mode);
    let mut lb = Map::new();
    if !ingress.is_empty() {
        lb.insert("ingress".into(), Value::Array(ingress));
    }
    let mut status = Map::new();
    status.insert("loadBalancer".into(), Value::Object(lb));
    status
}

/// Karmada's de-duplication and ordering of load-balancer ingress entries (Service variant,
/// keyed on hostname, ip and ipMode): ports of equal entries are unioned; entries with a
/// hostname come first, ordered by hostname, then ip, then ipMode (unset last); ports by
/// port, protocol, then error (unset first).
///
/// ```
/// use fedplan::interpreter::native::dedupe_and_sort_load_balancer_ingress;
/// let v = serde_json::json!([{"hostname": "b"}, {"ip": "1.1.1.1"}, {"hostname": "a"}, {"hostname": "a"}]);
/// let out = dedupe_and_sort_load_balancer_ingress(v.as_array().unwrap().clone());
/// assert_eq!(serde_json::Value::Array(out),
///     serde_json::json!([{"hostname": "a"}, {"hostname": "b"}, {"ip": "1.1.1.1"}]));
/// ```
pub fn dedupe_and_sort_load_balancer_ingress(ingress: Vec<Value>) -> Vec<Value> {
    dedupe_and_sort(ingress, true)
}

/// The Ingress variant of [`dedupe_and_sort_load_balancer_ingress`]: Ingress load-balancer
/// entries have no `ipMode`, so they are keyed on hostname and ip only (an `ipMode` given
/// anyway is dropped).
///
/// ```
/// use fedplan::interpreter::native::dedupe_and_sort_ingress_load_balancer_ingress;
/// let v = serde_json::json!([{"ip": "1.1.1.1"}, {"hostname": "a"}, {"ip": "1.1.1.1"}]);
/// let out = dedupe_and_sort_ingress_load_balancer_ingress(v.as_array().unwrap().clone());
/// assert_eq!(serde_json::Value::Array(out),
///     serde_json::json!([{"hostname": "a"}, {"ip": "1.1.1.1"}]));
/// ```
pub fn dedupe_and_sort_ingress_load_balancer_ingress(ingress: Vec<Value>) -> Vec<Value> {
    dedupe_and_sort(ingress, false)
}

type IngressKey = (bool, String, String, Option<String>);

fn opt_str(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn dedupe_and_sort(ingress: Vec<Value>, with_ip_mode: bool) -> Vec<Value> {
    // Key order gives Karmada's sort: hostname set first (false < true), hostname, ip,
    // ipMode with unset last.
    let mut groups: BTreeMap<IngressKey, (Value, Vec<Value>)> = BTreeMap::new();
    for entry in ingress {
        let hostname = str_at(&entry, &["hostname"]).to_string();
        let ip = str_at(&entry, &["ip"]).to_string();
        let ip_mode = if with_ip_mode {
            opt_str(&entry, "ipMode")
        } else {
            None
        };
        let key = (hostname.is_empty(), hostname, ip, ip_mode);
        let ports: Vec<Value> = entry
            .get("ports")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let slot = groups
            .entry(key)
            .or_insert_with(|| (Value::Null, Vec::new()));
        slot.0 = entry;
        for p in ports {
            if !slot.1.contains(&p) {
                slot.1.push(p);
            }
        }
    }
    groups
        .into_iter()
        .map(|(key, (mut entry, mut ports))| {
            ports.sort_by(port_order);
            let m = as_map_mut(&mut entry);
            if !with_ip_mode {
                m.remove("ipMode");
            }
            let _ = key;
            if ports.is_empty() {
                m.remove("ports");
            } else {
                m.insert("ports".into(), Value::Array(ports));
            }
            entry
        })
        .collect()
}

fn port_order(a: &Value, b: &Value) -> Ordering {
    let port = |v: &Value| v.get("port").map(lenient_int).unwrap_or(0);
    port(a)
        .cmp(&port(b))
        .then_with(|| str_at(a, &["protocol"]).cmp(str_at(b, &["protocol"])))
        .then_with(|| opt_str(a, "error").cmp(&opt_str(b, "error")))
}

fn has_true_condition<'a>(status: &'a Value, types: &[&str]) -> Option<&'a str> {
    status
        .get("conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| types.contains(&str_at(c, &["type"])) && str_at(c, &["status"]) == "True")
        .map(|c| str_at(c, &["type"]))
}

fn job_condition(type_: &str, reason: &str, message: String, now: &str) -> Value {
    let mut c = Map::new();
    c.insert("type".into(), type_.into());
    c.insert("status".into(), "True".into());
    c.insert("lastProbeTime".into(), now.into());
    c.insert("lastTransitionTime".into(), now.into());
    c.insert("reason".into(), reason.into());
    c.insert("message".into(), message.into());
    Value::Object(c)
}

fn job(obj: &Value, items: &[AggregatedStatusItem], clock: Clock) -> Value {
    if obj
        .get("status")
        .is_some_and(|s| has_true_condition(s, &["Complete", "Failed"]).is_some())
    {
        return obj.clone();
    }
    let (mut active, mut succeeded, mut failed) = (0, 0, 0);
    let mut failed_clusters = Vec::new();
    let (mut complete, mut criteria_met) = (0usize, 0usize);
    let (mut start_times, mut completion_times) = (Vec::new(), Vec::new());
    for (item, s) in statuses(items) {
        let status = item.status.as_ref().unwrap_or(&Value::Null);
        active += s.get("active").map(lenient_int).unwrap_or(0);
        succeeded += s.get("succeeded").map(lenient_int).unwrap_or(0);
        failed += s.get("failed").map(lenient_int).unwrap_or(0);
        match has_true_condition(status, &["Complete", "Failed"]) {
            Some("Complete") => complete += 1,
            Some(_) => failed_clusters.push(item.cluster_name.as_str()),
            None => {}
        }
        if has_true_condition(status, &["SuccessCriteriaMet"]).is_some() {
            criteria_met += 1;
        }
        if let Some(t) = s.get("startTime").and_then(Value::as_str) {
            start_times.push(t);
        }
        if let Some(t) = s.get("completionTime").and_then(Value::as_str) {
            completion_times.push(t);
        }
    }
    let now = clock();
    let mut conditions = Vec::new();
    if !failed_clusters.is_empty() {
        conditions.push(job_condition(
            "Failed",
            "JobFailed",
            format!(
                "Job executed failed in member clusters {}",
                failed_clusters.join(",")
            ),
            &now,
        ));
    }
    if !items.is_empty() && complete == items.len() {
        conditions.push(job_condition(
            "Complete",
            "Completed",
            "Job completed".into(),
            &now,
        ));
    }
    if !items.is_empty() && criteria_met == items.len() {
        conditions.push(job_condition(
            "SuccessCriteriaMet",
            "CompletionsReached",
            "All member clusters have met success criteria".into(),
            &now,
        ));
    }
    let mut status = Map::new();
    set_int(&mut status, "active", active, true);
    set_int(&mut status, "succeeded", succeeded, true);
    set_int(&mut status, "failed", failed, true);
    if !conditions.is_empty() {
        status.insert("conditions".into(), Value::Array(conditions));
    }
    // RFC 3339 UTC timestamps order lexically.
    let start = at(obj, &["status", "startTime"])
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            (!items.is_empty() && start_times.len() == items.len())
                .then(|| start_times.iter().min().map(|s| s.to_string()))
                .flatten()
        });
    if let Some(t) = start {
        status.insert("startTime".into(), t.into());
    }
    if !items.is_empty() && completion_times.len() == items.len() {
        if let Some(t) = completion_times.iter().max() {
            status.insert("completionTime".into(), (*t).into());
        }
    }
    replace_status(obj, status)
}

fn cron_job(obj: &Value, items: &[AggregatedStatusItem]) -> Value {
    let mut active = Vec::new();
    let (mut last_schedule, mut last_success): (Option<&str>, Option<&str>) = (None, None);
    for (_, s) in statuses(items) {
        if let Some(a) = s.get("active").and_then(Value::as_array) {
            active.extend(a.iter().cloned());
        }
        if let Some(t) = s.get("lastScheduleTime").and_then(Value::as_str) {
            last_schedule = Some(last_schedule.map_or(t, |cur| cur.max(t)));
        }
        if let Some(t) = s.get("lastSuccessfulTime").and_then(Value::as_str) {
            last_success = Some(last_success.map_or(t, |cur| cur.max(t)));
        }
    }
    let mut out = obj.clone();
    let status = as_map_mut(as_map_mut(&mut out).entry("status").or_insert(Value::Null));
    if active.is_empty() {
        status.remove("active");
    } else {
        status.insert("active".into(), Value::Array(active));
    }
    for (k, v) in [
        ("lastScheduleTime", last_schedule),
        ("lastSuccessfulTime", last_success),
    ] {
        match v {
            Some(t) => status.insert(k.into(), t.into()),
            None => status.remove(k),
        };
    }
    out
}

fn pod(obj: &Value, items: &[AggregatedStatusItem]) -> Value {
    let mut phases = Vec::with_capacity(items.len());
    let mut containers = Vec::new();
    let mut init_containers = Vec::new();
    for item in items {
        let Some(s) = item.status.as_ref().and_then(Value::as_object) else {
            phases.push("Pending");
            continue;
        };
        phases.push(s.get("phase").and_then(Value::as_str).unwrap_or(""));
        for (key, into) in [
            ("containerStatuses", &mut containers),
            ("initContainerStatuses", &mut init_containers),
        ] {
            for c in s
                .get(key)
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                let mut kept = Map::new();
                kept.insert(
                    "ready".into(),
                    c.get("ready").cloned().unwrap_or(Value::Bool(false)),
                );
                kept.insert(
                    "state".into(),
                    c.get("state")
                        .cloned()
                        .unwrap_or_else(|| Value::Object(Map::new())),
                );
                into.push(Value::Object(kept));
            }
        }
    }
    let phase = if phases.contains(&"Failed") {
        "Failed"
    } else if phases.contains(&"Pending") {
        "Pending"
    } else if phases.contains(&"Running") {
        "Running"
    } else {
        "Succeeded"
    };
    let mut status = Map::new();
    status.insert("phase".into(), phase.into());
    if !containers.is_empty() {
        status.insert("containerStatuses".into(), Value::Array(containers));
    }
    if !init_containers.is_empty() {
        status.insert(
            "initContainerStatuses".into(),
            Value::Array(init_containers),
        );
    }
    replace_status(obj, status)
}

fn pv(obj: &Value, items: &[AggregatedStatusItem]) -> Value {
    const PRIORITY: [&str; 5] = ["Failed", "Pending", "Available", "Bound", "Released"];
    let mut best: Option<usize> = None;
    for item in items {
        let phase = match item.status.as_ref() {
            Some(s) => str_at(s, &["phase"]),
            None => "Pending",
        };
        if let Some(rank) = PRIORITY.iter().position(|p| *p == phase) {
            best = Some(best.map_or(rank, |b| b.min(rank)));
        }
    }
    let mut status = Map::new();
    if let Some(rank) = best {
        status.insert("phase".into(), PRIORITY[rank].into());
    }
    replace_status(obj, status)
}

fn pvc(obj: &Value, items: &[AggregatedStatusItem]) -> Value {
    let mut phase = "Bound";
    for (_, s) in statuses(items) {
        let p = s.get("phase").and_then(Value::as_str).unwrap_or("");
        if p == "Lost" {
            phase = "Lost";
            break;
        }
        if p != "Bound" {
            phase = p;
        }
    }
    let mut status = Map::new();
    if !phase.is_empty() {
        status.insert("phase".into(), phase.into());
    }
    replace_status(obj, status)
}

fn pdb(obj: &Value, items: &[AggregatedStatusItem]) -> Value {
    let mut status = Map::new();
    sum_into(&mut status, items, PDB);
    let mut disrupted = Map::new();
    for (item, s) in statuses(items) {
        if let Some(pods) = s.get("disruptedPods").and_then(Value::as_object) {
            for (pod, t) in pods {
                disrupted.insert(format!("{}/{pod}", item.cluster_name), t.clone());
            }
        }
    }
    if !disrupted.is_empty() {
        status.insert("disruptedPods".into(), Value::Object(disrupted));
    }
    replace_status(obj, status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(cluster: &str, status: Option<Value>) -> AggregatedStatusItem {
        AggregatedStatusItem {
            cluster_name: cluster.into(),
            status,
            applied: true,
            ..Default::default()
        }
    }

    fn now() -> String {
        "2026-01-01T00:00:00Z".into()
    }

    #[test]
    fn some_kinds_keep_unaggregated_status_fields_others_replace_the_status() {
        // (kind, member status, keeps the template's other status fields)
        let cases = [
            (NativeKind::Deployment, json!({"replicas": 1}), true),
            (NativeKind::ReplicaSet, json!({"replicas": 1}), true),
            (NativeKind::StatefulSet, json!({"replicas": 1}), true),
            (NativeKind::DaemonSet, json!({"numberReady": 1}), true),
            (
                NativeKind::CronJob,
                json!({"lastScheduleTime": "2026-01-01T00:00:00Z"}),
                true,
            ),
            (NativeKind::Job, json!({"succeeded": 1}), false),
            (NativeKind::Pod, json!({"phase": "Running"}), false),
            (
                NativeKind::PersistentVolume,
                json!({"phase": "Bound"}),
                false,
            ),
            (
                NativeKind::PersistentVolumeClaim,
                json!({"phase": "Bound"}),
                false,
            ),
            (
                NativeKind::PodDisruptionBudget,
                json!({"currentHealthy": 1}),
                false,
            ),
            (
                NativeKind::HorizontalPodAutoscaler,
                json!({"desiredReplicas": 1}),
                false,
            ),
            (NativeKind::Ingress, json!({"loadBalancer": {}}), false),
        ];
        for (kind, member, keeps) in cases {
            let template = json!({"status": {"conditions": [{"type": "X", "status": "True"}], "observedGeneration": 0}});
            let out = aggregate(kind, &template, &[item("m1", Some(member))], now).unwrap();
            assert_eq!(
                out["status"].get("conditions").is_some(),
                keeps,
                "{kind:?}: {}",
                out["status"]
            );
        }
        // A LoadBalancer Service's status is replaced too; other Services are left alone.
        let lb = json!({"spec": {"type": "LoadBalancer"}, "status": {"conditions": []}});
        let out = aggregate(NativeKind::Service, &lb, &[], now).unwrap();
        assert_eq!(out["status"], json!({"loadBalancer": {}}));
        let cluster_ip = json!({"spec": {"type": "ClusterIP"}, "status": {"conditions": []}});
        assert_eq!(
            aggregate(NativeKind::Service, &cluster_ip, &[], now).unwrap(),
            cluster_ip
        );
    }

    #[test]
    fn a_member_without_status_counts_differently_per_kind() {
        let phase = |kind, members: Vec<Option<&str>>| {
            let items: Vec<_> = members
                .into_iter()
                .enumerate()
                .map(|(i, p)| item(&format!("m{i}"), p.map(|p| json!({"phase": p}))))
                .collect();
            let out = aggregate(kind, &json!({}), &items, now).unwrap();
            out["status"]["phase"].as_str().map(str::to_string)
        };
        // (kind, member phases (None = no status yet), aggregated phase)
        let cases = [
            (
                NativeKind::Pod,
                vec![Some("Running"), None],
                Some("Pending"),
            ),
            (
                NativeKind::Pod,
                vec![Some("Running"), Some("Succeeded")],
                Some("Running"),
            ),
            (
                NativeKind::Pod,
                vec![Some("Succeeded"), Some("Succeeded")],
                Some("Succeeded"),
            ),
            (
                NativeKind::Pod,
                vec![Some("Pending"), Some("Failed")],
                Some("Failed"),
            ),
            (
                NativeKind::PersistentVolume,
                vec![Some("Bound"), None],
                Some("Pending"),
            ),
            (
                NativeKind::PersistentVolume,
                vec![Some("Released"), Some("Available")],
                Some("Available"),
            ),
            (
                NativeKind::PersistentVolumeClaim,
                vec![Some("Bound"), None],
                Some("Bound"),
            ),
            (
                NativeKind::PersistentVolumeClaim,
                vec![Some("Pending"), Some("Lost"), Some("Bound")],
                Some("Lost"),
            ),
            (
                NativeKind::PersistentVolumeClaim,
                vec![Some("Pending"), Some("Bound")],
                Some("Pending"),
            ),
        ];
        for (kind, members, want) in cases {
            let shown = format!("{kind:?} {members:?}");
            assert_eq!(phase(kind, members).as_deref(), want, "{shown}");
        }
    }

    #[test]
    fn job_aggregation_stops_once_the_template_finished() {
        for finished in ["Complete", "Failed"] {
            let template = json!({"status": {"succeeded": 1, "conditions": [{"type": finished, "status": "True"}]}});
            let items = [item("m1", Some(json!({"succeeded": 5, "active": 2})))];
            assert_eq!(
                aggregate(NativeKind::Job, &template, &items, now).unwrap(),
                template
            );
        }
        // A condition that is not True does not stop it.
        let template = json!({"status": {"conditions": [{"type": "Complete", "status": "False"}]}});
        let items = [item("m1", Some(json!({"succeeded": 5})))];
        let out = aggregate(NativeKind::Job, &template, &items, now).unwrap();
        assert_eq!(out["status"]["succeeded"], 5);
    }
}
