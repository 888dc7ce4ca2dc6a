//! `SparkApplication` (`sparkoperator.k8s.io/v1beta2`): Karmada's built-in customization as a
//! plugin. A Spark application is a driver and executors whose memory is written in Java
//! notation (`512m`, `1g`) and grows by Spark's memory overhead.
use fedplan_interpreter_sdk::prelude::*;
use fedplan_interpreter_sdk::quantity;

struct SparkApplication;

const MIB: f64 = 1024.0 * 1024.0;
const MIN_OVERHEAD_BYTES: f64 = 384.0 * MIB;
const JVM_OVERHEAD_FACTOR: f64 = 0.10;
const NON_JVM_OVERHEAD_FACTOR: f64 = 0.40;

/// The fields a member reports.
const REFLECTED: &[&str] = &[
    "applicationState",
    "driverInfo",
    "executorState",
    "sparkApplicationId",
    "lastSubmissionAttemptTime",
    "submissionAttempts",
    "executionAttempts",
    "submissionID",
    "terminationTime",
];

/// Application states from best to worst; states on one level are equally bad.
const STATE_ORDER: &[&[&str]] = &[
    &["UNKNOWN", ""],
    &["SUBMITTED", "PENDING_RERUN"],
    &["COMPLETED"],
    &["SUSPENDING", "SUSPENDED"],
    &["RUNNING", "RESUMING", "SUCCEEDING"],
    &["INVALIDATING"],
    &["FAILING", "FAILED", "SUBMISSION_FAILED"],
];

impl Interpreter for SparkApplication {
    /// A port of Karmada's Lua customization: values arrive as the script sees them.
    const VALUES_THROUGH_LUA: bool = true;

    fn manifest() -> Vec<Target> {
        use Operation::*;
        vec![
            Target::new("sparkoperator.k8s.io/v1beta2", "SparkApplication").with(&[
                InterpretHealth,
                InterpretComponent,
                AggregateStatus,
                InterpretStatus,
            ]),
        ]
    }

    /// Only a failed application is unhealthy; one that reports no state yet is not healthy.
    /// What the status-reading operations look at; the host sends only these.
    fn fields(operation: Operation) -> Option<Fields> {
        match operation {
            Operation::InterpretHealth => Some(Fields::new().with("status.applicationState.state")),
            Operation::InterpretStatus => Some(Fields::new().with_under("status", REFLECTED)),
            // One member's status is taken whole and several are folded, but without members
            // the application keeps the status it has, so that is sent too; its spec is not.
            Operation::AggregateStatus => Some(Fields::new().with("status")),
            _ => None,
        }
    }

    fn interpret_health(app: &Value) -> Result<bool, PluginError> {
        Ok(match get_str(app, "status.applicationState.state") {
            None => false,
            Some(state) => state != "FAILED",
        })
    }

    fn interpret_component(app: &Value) -> Result<Vec<Component>, PluginError> {
        let language = get_str(app, "spec.type")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PluginError::at("spec.type", "is required"))?;
        let executors = executor_count(app)?;
        Ok(vec![
            Component {
                name: "driver".to_string(),
                replicas: 1,
                requirements: Some(role_requirements(app, "driver", language)?),
            },
            Component {
                name: "executor".to_string(),
                replicas: executors,
                requirements: Some(role_requirements(app, "executor", language)?),
            },
        ])
    }

    fn aggregate_status(mut app: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
        match items {
            [] => return Ok(app),
            [only] => {
                match &only.status {
                    Some(status) => set(&mut app, "status", status.clone())?,
                    None => {
                        if let Some(map) = app.as_object_mut() {
                            map.remove("status");
                        }
                    }
                }
                return Ok(app);
            }
            _ => {}
        }
        let statuses: Vec<&Value> = items.iter().filter_map(|i| i.status.as_ref()).collect();
        let mut status = Map::new();
        let rank = |state: &str| {
            STATE_ORDER
                .iter()
                .position(|l| l.contains(&state))
                .unwrap_or(0)
        };
        let worst = statuses
            .iter()
            .filter_map(|s| get(s, "applicationState").filter(|v| v.is_object()))
            .fold(None::<&Value>, |worst, state| {
                let r = rank(get_str(state, "state").unwrap_or(""));
                match worst {
                    Some(w) if rank(get_str(w, "state").unwrap_or("")) >= r => worst,
                    _ => Some(state),
                }
            });
        if let Some(state) = worst {
            status.insert("applicationState".into(), state.clone());
        }
        for counter in ["executionAttempts", "submissionAttempts"] {
            let total: i64 = statuses
                .iter()
                .filter_map(|s| s.get(counter).and_then(Value::as_i64))
                .sum();
            status.insert(counter.into(), json!(total));
        }
        for time in ["lastSubmissionAttemptTime", "terminationTime"] {
            let latest = statuses
                .iter()
                .filter_map(|s| get_str(s, time))
                .max()
                .unwrap_or("");
            status.insert(time.into(), json!(latest));
        }
        let mut executors = Map::new();
        for s in &statuses {
            if let Some(map) = s.get("executorState").and_then(Value::as_object) {
                executors.extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        status.insert("executorState".into(), Value::Object(executors));
        let mut status = Value::Object(status);
        as_lua_returns(&mut status);
        set(&mut app, "status", status)?;
        Ok(app)
    }

    fn interpret_status(app: &Value) -> Result<Option<Value>, PluginError> {
        let status = get(app, "status").unwrap_or(&Value::Null);
        let reflected: Map<String, Value> = REFLECTED
            .iter()
            .filter_map(|key| {
                status
                    .get(*key)
                    .filter(|v| !v.is_null())
                    .map(|v| (key.to_string(), v.clone()))
            })
            .collect();
        let mut reflected = Value::Object(reflected);
        as_lua_returns(&mut reflected);
        Ok(Some(reflected))
    }
}

/// Executors: `instances` (1 by default), or with dynamic allocation the most of
/// `instances`, `initialExecutors` and `minExecutors`.
fn executor_count(app: &Value) -> Result<i32, PluginError> {
    let instances = get_replicas(app, "spec.executor.instances", 1)?;
    if get(app, "spec.dynamicAllocation.enabled").and_then(Value::as_bool) != Some(true) {
        return Ok(instances);
    }
    let initial = get_replicas(app, "spec.dynamicAllocation.initialExecutors", 0)?;
    let minimum = get_replicas(app, "spec.dynamicAllocation.minExecutors", 0)?;
    Ok(instances.max(initial).max(minimum))
}

fn role_requirements(
    app: &Value,
    role: &str,
    language: &str,
) -> Result<ComponentRequirements, PluginError> {
    let spec = get(app, &format!("spec.{role}")).unwrap_or(&Value::Null);
    let mut resources = Vec::new();
    let cores = match spec.get("cores") {
        None | Some(Value::Null) => 1.0,
        Some(v) => v.as_f64().ok_or_else(|| {
            PluginError::at(
                format!("spec.{role}.cores"),
                format!("expected a number, found {v}"),
            )
        })?,
    };
    resources.push((
        "cpu".to_string(),
        quantity::format((cores * 1e9).round() as i128),
    ));
    resources.push(("memory".to_string(), memory_request(app, role, language)?));
    if let Some(gpu) = spec.get("gpu").filter(|g| !g.is_null()) {
        let name = get_str(gpu, "name").filter(|n| !n.is_empty());
        let amount = gpu.get("quantity").and_then(Value::as_i64);
        if let (Some(name), Some(amount)) = (name, amount) {
            resources.push((name.to_string(), amount.to_string()));
        }
    }
    let mut placement = Map::new();
    for key in ["nodeSelector", "tolerations"] {
        if let Some(value) = spec.get(key) {
            placement.insert(key.to_string(), value.clone());
        }
    }
    if let Some(required) = get(
        spec,
        "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution",
    ) {
        placement.insert(
            "affinity".to_string(),
            json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": required}}),
        );
    }
    let node_claim =
        pod_requirements(&json!({ "spec": placement }), "")?.and_then(|r| r.node_claim);
    let priority_class_name = get_str(spec, "priorityClassName")
        .or_else(|| get_str(app, "spec.batchSchedulerOptions.priorityClassName"))
        .unwrap_or("")
        .to_string();
    Ok(ComponentRequirements {
        node_claim,
        resource_request: resources,
        priority_class_name,
    })
}

/// Memory plus Spark's overhead: `memoryOverhead` when set, else the larger of the overhead
/// factor's share of the memory and 384 MiB.
fn memory_request(app: &Value, role: &str, language: &str) -> Result<String, PluginError> {
    let path = format!("spec.{role}.memory");
    let text = get_str(app, &path).unwrap_or("1g");
    let (memory, unit) = java_bytes(text)
        .ok_or_else(|| PluginError::at(&path, format!("{text:?} is not a JVM memory size")))?;
    let overhead_path = format!("spec.{role}.memoryOverhead");
    let overhead = match get_str(app, &overhead_path) {
        Some(text) => {
            java_bytes(text)
                .ok_or_else(|| {
                    PluginError::at(&overhead_path, format!("{text:?} is not a JVM memory size"))
                })?
                .0
        }
        None => {
            let default_factor = match language {
                "Java" | "Scala" => JVM_OVERHEAD_FACTOR,
                _ => NON_JVM_OVERHEAD_FACTOR,
            };
            let factor = match get(app, "spec.memoryOverheadFactor") {
                Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
                Some(v) => v.as_f64(),
                None => None,
            }
            .unwrap_or(default_factor);
            (factor * memory).max(MIN_OVERHEAD_BYTES)
        }
    };
    let total = memory + overhead;
    Ok(match unit {
        JavaUnit::Tera => format!("{:.6}Gi", total / (MIB * 1024.0)),
        JavaUnit::Giga => format!("{:.6}Mi", total / MIB),
        JavaUnit::Mega => format!("{:.6}Ki", total / 1024.0),
        JavaUnit::Kilo | JavaUnit::Byte => format!("{}", total.round() as i128),
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum JavaUnit {
    Byte,
    Kilo,
    Mega,
    Giga,
    Tera,
}

/// Bytes of a JVM memory size (`512m`, `1g`, `2048k`, `1073741824`) and its unit.
fn java_bytes(text: &str) -> Option<(f64, JavaUnit)> {
    let text = text.trim().to_ascii_lowercase();
    let text = text.strip_suffix('b').unwrap_or(&text);
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let (unit, scale) = match suffix {
        "" => (JavaUnit::Byte, 1.0),
        "k" => (JavaUnit::Kilo, 1024.0),
        "m" => (JavaUnit::Mega, MIB),
        "g" => (JavaUnit::Giga, MIB * 1024.0),
        "t" => (JavaUnit::Tera, MIB * MIB),
        _ => return None,
    };
    Some((number * scale, unit))
}

export_plugin!(SparkApplication);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_with_overhead() {
        let cases = [
            (json!({"spec": {"type": "Java"}}), "1408.000000Mi"),
            (
                json!({"spec": {"type": "Python", "driver": {"memory": "4g"}}}),
                "5734.400000Mi",
            ),
            (
                json!({"spec": {"type": "Scala", "driver": {"memory": "512m", "memoryOverhead": "128m"}}}),
                "655360.000000Ki",
            ),
        ];
        for (app, want) in cases {
            let language = get_str(&app, "spec.type").unwrap();
            assert_eq!(memory_request(&app, "driver", language).unwrap(), want);
        }
        assert_eq!(java_bytes("2x"), None);
    }

    fn application(status: Option<Value>) -> Value {
        let mut app = json!({
            "apiVersion": "sparkoperator.k8s.io/v1beta2",
            "kind": "SparkApplication",
            "metadata": {"name": "spark-pi", "namespace": "analytics", "generation": 3},
            "spec": {
                "type": "Scala",
                "mode": "cluster",
                "image": "spark:3.5.1",
                "mainClass": "org.apache.spark.examples.SparkPi",
                "mainApplicationFile": "local:///opt/spark/examples/jars/spark-examples.jar",
                "sparkVersion": "3.5.1",
                "driver": {"cores": 1, "memory": "512m", "serviceAccount": "spark"},
                "executor": {"cores": 2, "instances": 2, "memory": "1g",
                             "nodeSelector": {"pool": "batch"}},
                "dynamicAllocation": {"enabled": true, "initialExecutors": 3, "minExecutors": 1}
            }
        });
        if let Some(status) = status {
            app["status"] = status;
        }
        app
    }

    fn member(state: &str, executors: &[(&str, &str)], attempts: i64, time: &str) -> Value {
        let executor_state: Map<String, Value> = executors
            .iter()
            .map(|(pod, state)| (pod.to_string(), json!(state)))
            .collect();
        json!({
            "applicationState": {"state": state, "errorMessage": ""},
            "driverInfo": {"podName": "spark-pi-driver", "webUIPort": 4040},
            "executorState": executor_state,
            "sparkApplicationId": "spark-7f3c",
            "submissionID": "5d1e",
            "submissionAttempts": attempts,
            "executionAttempts": attempts,
            "lastSubmissionAttemptTime": time,
            "terminationTime": time
        })
    }

    #[test]
    fn declared_fields_suffice() {
        let running = member(
            "RUNNING",
            &[("spark-pi-exec-1", "RUNNING")],
            1,
            "2024-05-01T10:00:00Z",
        );
        let failed = member(
            "FAILED",
            &[("spark-pi-exec-2", "FAILED")],
            2,
            "2024-05-01T11:00:00Z",
        );
        let completed = member(
            "COMPLETED",
            &[("spark-pi-exec-3", "COMPLETED")],
            1,
            "2024-05-01T09:00:00Z",
        );
        let member_sets: [&[Value]; 5] = [
            &[],
            std::slice::from_ref(&failed),
            &[running.clone(), completed.clone()],
            &[running.clone(), failed.clone(), completed.clone()],
            &[json!({}), running.clone()],
        ];
        let aggregated = member(
            "RUNNING",
            &[("spark-pi-exec-1", "RUNNING")],
            4,
            "2024-04-30T08:00:00Z",
        );
        for status in [None, Some(aggregated)] {
            let app = application(status);
            for statuses in member_sets {
                assert_eq!(
                    fields_suffice::<SparkApplication>(&app, statuses),
                    Ok(()),
                    "{} members",
                    statuses.len()
                );
            }
        }
    }
}
