//! What a pod template asks for: per-replica requirements (InterpretReplica) and the
//! objects it references (InterpretDependency). Shared by the native interpreter and the
//! third-party built-ins, as Karmada's Lua `kube.accuratePodRequirements` and
//! `kube.getPodDependencies` share the native code.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::object::{at, malformed, str_at};
use super::{InterpreterError, Operation};
use crate::api::{
    DependentObjectReference, NodeClaim, NodeSelector, Quantity, ReplicaRequirements, ResourceList,
    Toleration,
};

/// Where the pod spec sits inside the interpreted object, for error paths (e.g.
/// `spec.template.spec`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PodSpecAt<'a> {
    /// The operation reading it.
    pub operation: Operation,
    /// The whole interpreted object (for kind and name in errors).
    pub object: &'a Value,
    /// Dotted path of the pod spec.
    pub path: &'a str,
}

impl PodSpecAt<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> InterpreterError {
        let full = if field.is_empty() {
            self.path.to_string()
        } else {
            format!("{}.{field}", self.path)
        };
        malformed(self.operation, self.object, full, message)
    }
}

/// Per-resource running totals, in the units Karmada keeps (millicores for cpu, whole units
/// for everything else). Names borrow from the object and a pod asks for a handful of
/// resources, so a flat list beats a map and summing allocates nothing per container.
#[derive(Default)]
struct Totals<'a>(Vec<(&'a str, i128)>);

impl<'a> Totals<'a> {
    fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| *n == name)
    }

    fn slot(&mut self, name: &'a str) -> &mut i128 {
        let i = match self.0.iter().position(|(n, _)| *n == name) {
            Some(i) => i,
            None => {
                self.0.push((name, 0));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    fn set(&mut self, name: &'a str, amount: i128) {
        *self.slot(name) = amount;
    }

    fn add(&mut self, other: &Totals<'a>) {
        for &(k, v) in &other.0 {
            *self.slot(k) += v;
        }
    }

    fn max(&mut self, other: &Totals<'a>) {
        for &(k, v) in &other.0 {
            let e = self.slot(k);
            if v > *e {
                *e = v;
            }
        }
    }
}

/// Where a quantity list sits in the pod spec; the path is only built for error messages.
#[derive(Clone, Copy)]
enum ListAt {
    Container {
        list: &'static str,
        index: usize,
        which: &'static str,
    },
    Overhead,
}

impl ListAt {
    fn path(&self) -> String {
        match self {
            ListAt::Container { list, index, which } => {
                format!("{list}[{index}].resources.{which}")
            }
            ListAt::Overhead => "overhead".to_string(),
        }
    }
}

/// Whether Karmada keeps a resource of this name in a replica request: cpu, memory,
/// ephemeral-storage, pods and the "scalar" resources (extended `vendor/x`,
/// `kubernetes.io/`-prefixed, `hugepages-*`, `attachable-volumes-*`).
pub(crate) fn is_kept_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage" | "pods")
        || name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
        || (name.contains('/') && !name.starts_with("requests."))
}

fn is_binary_resource(name: &str) -> bool {
    matches!(name, "memory" | "ephemeral-storage") || name.starts_with("hugepages-")
}

/// Reads one quantity map (`requests`, `limits`, `overhead`) into Karmada's units.
fn read_list<'a>(
    at_: &PodSpecAt<'_>,
    loc: ListAt,
    list: Option<&'a Value>,
    into: &mut Totals<'a>,
    only_missing: bool,
) -> Result<(), InterpreterError> {
    let map = match list {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(at_.err(&loc.path(), "expected a map of resource quantities")),
    };
    for (name, raw) in map {
        if (only_missing && into.contains(name)) || !is_kept_resource(name) {
            // Not used, but still validated: a malformed or negative quantity is an error
            // wherever it is, as when Kubernetes decodes the pod spec.
            if raw.as_str().and_then(fast_nanos).is_none() {
                parse_quantity(at_, loc, name, raw)?;
            }
            continue;
        }
        let nanos = match raw.as_str().and_then(fast_nanos) {
            Some(n) => n,
            None => parse_quantity(at_, loc, name, raw)?.nanos(),
        };
        let amount = if name == "cpu" {
            div_ceil(nanos, 1_000_000)
        } else {
            div_ceil(nanos, 1_000_000_000)
        };
        into.set(name.as_str(), amount);
    }
    Ok(())
}

fn div_ceil(a: i128, b: i128) -> i128 {
    a / b + i128::from(a % b > 0)
}

/// The nano-unit value of the common quantity forms (`250m`, `2`, `128Mi`, `1k`) without
/// allocating; `None` sends anything else to the full parser.
fn fast_nanos(s: &str) -> Option<i128> {
    let digits_end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    if digits_end == 0 || digits_end > 18 {
        return None;
    }
    let (digits, suffix) = s.split_at(digits_end);
    let n: i128 = digits.parse().ok()?;
    const NANO: i128 = 1_000_000_000;
    let factor = match suffix {
        "" => NANO,
        "m" => 1_000_000,
        "k" => NANO * 1_000,
        "M" => NANO * 1_000_000,
        "G" => NANO * 1_000_000_000,
        "Ki" => NANO << 10,
        "Mi" => NANO << 20,
        "Gi" => NANO << 30,
        "Ti" => NANO << 40,
        _ => return None,
    };
    n.checked_mul(factor)
}

fn parse_quantity(
    at_: &PodSpecAt<'_>,
    loc: ListAt,
    name: &str,
    raw: &Value,
) -> Result<Quantity, InterpreterError> {
    let field = || format!("{}.{name}", loc.path());
    let q: Quantity = match raw {
        Value::String(s) => s.parse(),
        Value::Number(n) => n.to_string().parse(),
        _ => return Err(at_.err(&field(), "expected a quantity string or number")),
    }
    .map_err(|e: crate::api::QuantityError| at_.err(&field(), e.to_string()))?;
    if q.is_negative() {
        return Err(at_.err(&field(), format!("negative quantity {q}")));
    }
    Ok(q)
}

/// The effective request of one container, into `into` (cleared first): requests, plus
/// limits for resources without a request.
fn container_request<'a>(
    at_: &PodSpecAt<'_>,
    list: &'static str,
    index: usize,
    container: &'a Value,
    into: &mut Totals<'a>,
) -> Result<(), InterpreterError> {
    into.0.clear();
    let resources = container.get("resources");
    let loc = |which| ListAt::Container { list, index, which };
    read_list(
        at_,
        loc("requests"),
        resources.and_then(|r| r.get("requests")),
        into,
        false,
    )?;
    read_list(
        at_,
        loc("limits"),
        resources.and_then(|r| r.get("limits")),
        into,
        true,
    )
}

fn containers<'a>(
    at_: &PodSpecAt<'_>,
    spec: &'a Map<String, Value>,
    key: &str,
) -> Result<&'a [Value], InterpreterError> {
    match spec.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a.as_slice()),
        Some(_) => Err(at_.err(key, "expected a list of containers")),
    }
}

/// The effective per-pod request: the sum over containers, raised per resource to each init
/// container's request, plus the pod overhead; zero entries dropped.
pub(crate) fn pod_request(
    at_: &PodSpecAt<'_>,
    spec: &Map<String, Value>,
) -> Result<ResourceList, InterpreterError> {
    let mut total = Totals::default();
    let mut one = Totals::default();
    for (i, c) in containers(at_, spec, "containers")?.iter().enumerate() {
        container_request(at_, "containers", i, c, &mut one)?;
        total.add(&one);
    }
    for (i, c) in containers(at_, spec, "initContainers")?.iter().enumerate() {
        container_request(at_, "initContainers", i, c, &mut one)?;
        total.max(&one);
    }
    one.0.clear();
    read_list(at_, ListAt::Overhead, spec.get("overhead"), &mut one, false)?;
    total.add(&one);
    let mut out = ResourceList::new();
    for (name, amount) in total.0 {
        if amount <= 0 {
            continue;
        }
        out.insert(name.to_string(), format_quantity(name, amount));
    }
    Ok(out)
}

/// A quantity written as Kubernetes writes Karmada's computed values: cpu in DecimalSI
/// millicores, memory-like resources in BinarySI, everything else in DecimalSI. The text is
/// only produced when the quantity is written out.
fn format_quantity(name: &str, amount: i128) -> Quantity {
    let amount64 = i64::try_from(amount).unwrap_or(i64::MAX);
    let fallback = || {
        if name == "cpu" {
            Quantity::from_milli(amount64)
        } else {
            Quantity::from_units(amount64)
        }
    };
    if name == "cpu" {
        if amount % 1_000_000 != 0 {
            return if amount % 1000 == 0 {
                Quantity::from_units(amount64 / 1000)
            } else {
                Quantity::from_milli(amount64)
            };
        }
        Quantity::decimal_si_units(amount / 1000).unwrap_or_else(fallback)
    } else if is_binary_resource(name) {
        if amount % 1024 != 0 {
            return Quantity::from_units(amount64);
        }
        Quantity::binary_si_units(amount).unwrap_or_else(fallback)
    } else {
        if amount % 1000 != 0 {
            return Quantity::from_units(amount64);
        }
        Quantity::decimal_si_units(amount).unwrap_or_else(fallback)
    }
}

/// The node claim of a pod spec; `None` when it has no nodeSelector (an empty one counts),
/// no tolerations and no required node affinity.
pub(crate) fn node_claim(
    at_: &PodSpecAt<'_>,
    spec: &Map<String, Value>,
) -> Result<Option<NodeClaim>, InterpreterError> {
    let node_selector = match spec.get("nodeSelector") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            BTreeMap::<String, String>::deserialize(v)
                .map_err(|e| at_.err("nodeSelector", e.to_string()))?,
        ),
    };
    let tolerations = match spec.get("tolerations") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => {
            Vec::<Toleration>::deserialize(v).map_err(|e| at_.err("tolerations", e.to_string()))?
        }
    };
    let hard = match spec
        .get("affinity")
        .and_then(|a| a.get("nodeAffinity"))
        .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
    {
        None | Some(Value::Null) => None,
        Some(v) => Some(NodeSelector::deserialize(v).map_err(|e| {
            at_.err(
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution",
                e.to_string(),
            )
        })?),
    };
    if node_selector.is_none() && tolerations.is_empty() && hard.is_none() {
        return Ok(None);
    }
    Ok(Some(NodeClaim {
        hard_node_affinity: hard,
        node_selector: node_selector.unwrap_or_default(),
        tolerations,
    }))
}

/// Karmada's per-replica requirements of a pod spec (`None` when neither a node claim nor a
/// resource request exists). `priorityClassName` is copied only when
/// `with_priority_class` (Karmada's `ResourceQuotaEstimate` feature gate).
pub(crate) fn requirements(
    at_: &PodSpecAt<'_>,
    spec: Option<&Value>,
    with_priority_class: bool,
) -> Result<Option<ReplicaRequirements>, InterpreterError> {
    let empty = Map::new();
    let spec = match spec {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return Err(at_.err("", "expected a pod spec object")),
    };
    let node_claim = node_claim(at_, spec)?;
    let resource_request = pod_request(at_, spec)?;
    if node_claim.is_none() && resource_request.is_empty() {
        return Ok(None);
    }
    let priority_class_name = if with_priority_class {
        spec.get("priorityClassName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    } else {
        String::new()
    };
    Ok(Some(ReplicaRequirements {
        node_claim,
        resource_request,
        namespace: String::new(),
        priority_class_name,
    }))
}

/// Names referenced by a pod spec, per kind, each set sorted and de-duplicated.
#[derive(Debug, Default)]
pub(crate) struct PodReferences {
    pub config_maps: BTreeSet<String>,
    pub secrets: BTreeSet<String>,
    pub service_accounts: BTreeSet<String>,
    pub pvcs: BTreeSet<String>,
}

impl PodReferences {
    /// Karmada's order: ConfigMaps, Secrets, ServiceAccounts, PVCs.
    pub(crate) fn into_references(self, namespace: &str) -> Vec<DependentObjectReference> {
        let mk = |kind: &str, name: String| DependentObjectReference {
            api_version: "v1".to_string(),
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name,
            label_selector: None,
        };
        let mut out = Vec::with_capacity(
            self.config_maps.len()
                + self.secrets.len()
                + self.service_accounts.len()
                + self.pvcs.len(),
        );
        out.extend(self.config_maps.into_iter().map(|n| mk("ConfigMap", n)));
        out.extend(self.secrets.into_iter().map(|n| mk("Secret", n)));
        out.extend(
            self.service_accounts
                .into_iter()
                .map(|n| mk("ServiceAccount", n)),
        );
        out.extend(
            self.pvcs
                .into_iter()
                .map(|n| mk("PersistentVolumeClaim", n)),
        );
        out
    }
}

fn insert_name(set: &mut BTreeSet<String>, name: &str) {
    if !name.is_empty() {
        set.insert(name.to_string());
    }
}

fn array(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The secret a volume references, looking only at its first set source in Karmada's order.
fn volume_secret(volume: &Map<String, Value>) -> Vec<&str> {
    const SOURCES: [&str; 11] = [
        "azureFile",
        "cephfs",
        "cinder",
        "flexVolume",
        "projected",
        "rbd",
        "secret",
        "scaleIO",
        "iscsi",
        "storageos",
        "csi",
    ];
    let Some((source, value)) = SOURCES
        .iter()
        .find_map(|s| volume.get(*s).filter(|v| !v.is_null()).map(|v| (*s, v)))
    else {
        return Vec::new();
    };
    match source {
        "azureFile" => vec![str_at(value, &["secretName"])],
        "secret" => vec![str_at(value, &["secretName"])],
        "csi" => vec![str_at(value, &["nodePublishSecretRef", "name"])],
        "projected" => array(value.get("sources"))
            .iter()
            .map(|s| str_at(s, &["secret", "name"]))
            .collect(),
        _ => vec![str_at(value, &["secretRef", "name"])],
    }
}

/// Everything a pod spec references (ConfigMaps, Secrets, the ServiceAccount unless
/// `default`, PVCs).
pub(crate) fn pod_references(spec: &Value) -> PodReferences {
    let mut refs = PodReferences::default();
    for s in array(spec.get("imagePullSecrets")) {
        insert_name(&mut refs.secrets, str_at(s, &["name"]));
    }
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        for c in array(spec.get(key)) {
            for env_from in array(c.get("envFrom")) {
                insert_name(
                    &mut refs.config_maps,
                    str_at(env_from, &["configMapRef", "name"]),
                );
                insert_name(&mut refs.secrets, str_at(env_from, &["secretRef", "name"]));
            }
            for env in array(c.get("env")) {
                insert_name(
                    &mut refs.config_maps,
                    str_at(env, &["valueFrom", "configMapKeyRef", "name"]),
                );
                insert_name(
                    &mut refs.secrets,
                    str_at(env, &["valueFrom", "secretKeyRef", "name"]),
                );
            }
        }
    }
    for v in array(spec.get("volumes")) {
        let Some(volume) = v.as_object() else {
            continue;
        };
        insert_name(&mut refs.config_maps, str_at(v, &["configMap", "name"]));
        for s in array(at(v, &["projected", "sources"])) {
            insert_name(&mut refs.config_maps, str_at(s, &["configMap", "name"]));
        }
        for name in volume_secret(volume) {
            insert_name(&mut refs.secrets, name);
        }
        insert_name(
            &mut refs.pvcs,
            str_at(v, &["persistentVolumeClaim", "claimName"]),
        );
    }
    let sa = str_at(spec, &["serviceAccountName"]);
    if sa != "default" {
        insert_name(&mut refs.service_accounts, sa);
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req(spec: Value) -> Option<ReplicaRequirements> {
        let obj = json!({"kind": "Pod"});
        let at_ = PodSpecAt {
            operation: Operation::InterpretReplica,
            object: &obj,
            path: "spec",
        };
        requirements(&at_, Some(&spec), false).unwrap()
    }

    fn q(s: &str) -> Quantity {
        s.parse().unwrap()
    }

    #[test]
    fn requests_follow_karmadas_rules() {
        struct Case {
            name: &'static str,
            spec: Value,
            expect: &'static [(&'static str, &'static str)],
        }
        let cases = [
            Case {
                name: "limits fill missing requests",
                spec: json!({"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}}}]}),
                expect: &[("cpu", "500m"), ("memory", "1Gi")],
            },
            Case {
                name: "containers summed, init containers maxed, overhead added",
                spec: json!({
                    "containers": [{"resources": {"requests": {"cpu": "1"}}}, {"resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}],
                    "initContainers": [{"resources": {"requests": {"cpu": "3"}}}, {"resources": {"requests": {"memory": "512Mi"}}}],
                    "overhead": {"cpu": "100m"}
                }),
                expect: &[("cpu", "3100m"), ("memory", "1Gi")],
            },
            Case {
                name: "only kept resource names",
                spec: json!({"containers": [{"resources": {"requests": {"storage": "1", "nvidia.com/gpu": "2", "hugepages-2Mi": "4Mi", "pods": "1"}}}]}),
                expect: &[
                    ("hugepages-2Mi", "4Mi"),
                    ("nvidia.com/gpu", "2"),
                    ("pods", "1"),
                ],
            },
            Case {
                name: "zero entries dropped",
                spec: json!({"containers": [{"resources": {"requests": {"cpu": "0", "memory": "1"}}}]}),
                expect: &[("memory", "1")],
            },
        ];
        for c in cases {
            let got = req(c.spec).map(|r| r.resource_request).unwrap_or_default();
            let want: ResourceList = c
                .expect
                .iter()
                .map(|(k, v)| (k.to_string(), q(v)))
                .collect();
            assert_eq!(got, want, "{}", c.name);
        }
    }

    #[test]
    fn nothing_set_gives_no_requirements() {
        assert_eq!(req(json!({"containers": [{"name": "a"}]})), None);
        let empty_selector = req(json!({"nodeSelector": {}})).unwrap();
        assert_eq!(empty_selector.node_claim, Some(NodeClaim::default()));
    }

    #[test]
    fn negative_quantity_is_typed_error() {
        let obj = json!({"kind": "Deployment", "metadata": {"name": "d", "namespace": "ns"}});
        let at_ = PodSpecAt {
            operation: Operation::InterpretReplica,
            object: &obj,
            path: "spec.template.spec",
        };
        let spec = json!({"containers": [{"resources": {"requests": {"cpu": "-1"}}}]});
        let err = requirements(&at_, Some(&spec), false).unwrap_err();
        match err {
            InterpreterError::Malformed { field, name, .. } => {
                assert_eq!(
                    field,
                    "spec.template.spec.containers[0].resources.requests.cpu"
                );
                assert_eq!(name, "ns/d");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn quantities_formatted_like_kubernetes() {
        assert_eq!(format_quantity("memory", 1 << 30).as_str(), "1Gi");
        assert_eq!(format_quantity("memory", 1500).as_str(), "1500");
        assert_eq!(format_quantity("cpu", 1500).as_str(), "1500m");
        assert_eq!(format_quantity("cpu", 2000).as_str(), "2");
        assert_eq!(format_quantity("pods", 1000).as_str(), "1k");
    }

    #[test]
    fn references_in_karmada_order() {
        let spec = json!({
            "serviceAccountName": "default",
            "imagePullSecrets": [{"name": "pull"}],
            "containers": [{"envFrom": [{"configMapRef": {"name": "cm"}}], "env": [{"valueFrom": {"secretKeyRef": {"name": "s"}}}]}],
            "volumes": [
                {"name": "a", "projected": {"sources": [{"secret": {"name": "ps"}}, {"configMap": {"name": "pcm"}}]}},
                {"name": "b", "persistentVolumeClaim": {"claimName": "pvc"}},
                {"name": "c", "csi": {"nodePublishSecretRef": {"name": "csi"}}}
            ]
        });
        let refs = pod_references(&spec).into_references("ns");
        let got: Vec<(String, String)> = refs.into_iter().map(|r| (r.kind, r.name)).collect();
        let want = [
            ("ConfigMap", "cm"),
            ("ConfigMap", "pcm"),
            ("Secret", "csi"),
            ("Secret", "ps"),
            ("Secret", "pull"),
            ("Secret", "s"),
            ("PersistentVolumeClaim", "pvc"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, n)| (k.to_string(), n.to_string()))
            .collect();
        assert_eq!(got, want);
    }
}
