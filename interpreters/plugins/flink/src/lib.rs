//! Flink `FlinkDeployment` (`flink.apache.org/v1beta1`): Karmada's built-in customization as a
//! plugin. A deployment is a job manager and task managers whose sizes are Flink resources
//! (`cpu` a number, `memory` read as a Kubernetes quantity, as Karmada reads it).
use fedplan_interpreter_sdk::prelude::*;
use fedplan_interpreter_sdk::quantity;
use fedplan_interpreter_sdk::NodeClaim;

struct FlinkDeployment;

/// The status fields a member reports and aggregation takes from the last reporting member.
const STATUS_FIELDS: &[&str] = &[
    "clusterInfo",
    "error",
    "jobManagerDeploymentStatus",
    "jobStatus",
    "lifecycleState",
    "observedGeneration",
    "reconciliationStatus",
    "taskManager",
];

const RUNNING_STATES: &[&str] = &[
    "RUNNING",
    "FINISHED",
    "FAILED",
    "CANCELED",
    "SUSPENDED",
    "CANCELLING",
    "FAILING",
    "RESTARTING",
];
const STARTING_STATES: &[&str] = &["CREATED", "INITIALIZING", "RECONCILING"];
const IMAGE_OR_CRASH_ERRORS: &[&str] = &["ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff"];

/// One Flink process kind: how many pods and what each asks for.
struct Role {
    name: &'static str,
    replicas: i32,
    cpu_nanos: Option<i128>,
    memory_nanos: Option<i128>,
}

impl Interpreter for FlinkDeployment {
    /// A port of Karmada's Lua customization: values arrive as the script sees them.
    const VALUES_THROUGH_LUA: bool = true;

    fn manifest() -> Vec<Target> {
        use Operation::*;
        vec![
            Target::new("flink.apache.org/v1beta1", "FlinkDeployment").with(&[
                InterpretHealth,
                InterpretComponent,
                InterpretReplica,
                AggregateStatus,
                InterpretStatus,
            ]),
        ]
    }

    /// What the reading operations look at; the host sends only these.
    fn fields(operation: Operation) -> Option<Fields> {
        let sizes = Fields::new().with("metadata.namespace").with_under(
            "spec",
            &[
                "jobManager.replicas",
                "jobManager.resource",
                "taskManager.replicas",
                "taskManager.resource",
                "job.parallelism",
                // Its keys hold dots (`taskmanager.numberOfTaskSlots`): kept whole.
                "flinkConfiguration",
                "podTemplate.spec.nodeSelector",
                "podTemplate.spec.tolerations",
                "podTemplate.spec.priorityClassName",
            ],
        );
        match operation {
            Operation::InterpretReplica | Operation::InterpretComponent => Some(sizes),
            Operation::InterpretHealth => Some(Fields::new().with_under(
                "status",
                &[
                    "jobStatus.state",
                    "jobManagerDeploymentStatus",
                    "lifecycleState",
                    "error",
                ],
            )),
            Operation::InterpretStatus => Some(Fields::new().with_under("status", STATUS_FIELDS)),
            // The last member's fields are written over the status the deployment has, whose
            // other fields stay (and without members it stays as it is).
            Operation::AggregateStatus => Some(Fields::new().with("status")),
            _ => None,
        }
    }

    fn status_fields() -> Option<Fields> {
        Some(Fields::new().with_under("", STATUS_FIELDS))
    }

    fn interpret_health(deployment: &Value) -> Result<bool, PluginError> {
        let Some(state) = get_str(deployment, "status.jobStatus.state") else {
            return Ok(
                get_str(deployment, "status.jobManagerDeploymentStatus") == Some("READY")
                    && get_str(deployment, "status.lifecycleState") == Some("STABLE"),
            );
        };
        if RUNNING_STATES.contains(&state) {
            return Ok(true);
        }
        if STARTING_STATES.contains(&state) {
            let error = get_str(deployment, "status.error").unwrap_or("");
            return Ok(IMAGE_OR_CRASH_ERRORS.iter().any(|e| error.contains(e)));
        }
        Ok(false)
    }

    fn interpret_component(deployment: &Value) -> Result<Vec<Component>, PluginError> {
        let (node_claim, priority_class_name) = placement(deployment)?;
        roles(deployment)?
            .into_iter()
            .map(|role| {
                Ok(Component {
                    name: role.name.to_string(),
                    replicas: role.replicas,
                    requirements: Some(ComponentRequirements {
                        node_claim: node_claim.clone(),
                        resource_request: resource_list(role.cpu_nanos, role.memory_nanos),
                        priority_class_name: priority_class_name.clone(),
                    }),
                })
            })
            .collect()
    }

    /// All pods of the deployment, each sized for the larger of the two roles.
    fn interpret_replica(deployment: &Value) -> Result<ReplicaInterpretation, PluginError> {
        let roles = roles(deployment)?;
        let replicas = roles
            .iter()
            .map(|r| r.replicas)
            .fold(0i32, i32::saturating_add);
        let cpu = roles.iter().filter_map(|r| r.cpu_nanos).max();
        let memory = roles.iter().filter_map(|r| r.memory_nanos).max();
        let (node_claim, priority_class_name) = placement(deployment)?;
        Ok(ReplicaInterpretation {
            replicas,
            requirements: Some(ReplicaRequirements {
                node_claim,
                resource_request: resource_list(cpu, memory),
                namespace: namespace_of(deployment).to_string(),
                priority_class_name,
            }),
        })
    }

    fn aggregate_status(mut deployment: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
        let Some(last) = items.iter().rev().find_map(|i| i.status.as_ref()) else {
            return Ok(deployment);
        };
        let mut status = get(&deployment, "status")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for field in STATUS_FIELDS {
            match last.get(*field).filter(|v| !v.is_null()) {
                Some(value) => status.insert(field.to_string(), value.clone()),
                None => status.remove(*field),
            };
        }
        let mut status = Value::Object(status);
        as_lua_returns(&mut status);
        set(&mut deployment, "status", status)?;
        Ok(deployment)
    }

    fn interpret_status(deployment: &Value) -> Result<Option<Value>, PluginError> {
        let mut reflected = Map::new();
        if let Some(status) = get(deployment, "status").and_then(Value::as_object) {
            for field in STATUS_FIELDS {
                if let Some(value) = status.get(*field).filter(|v| !v.is_null()) {
                    reflected.insert(field.to_string(), value.clone());
                }
            }
        }
        let mut reflected = Value::Object(reflected);
        as_lua_returns(&mut reflected);
        Ok(Some(reflected))
    }
}

fn roles(deployment: &Value) -> Result<Vec<Role>, PluginError> {
    let job_manager = Role {
        name: "jobmanager",
        replicas: get_replicas(deployment, "spec.jobManager.replicas", 1)?,
        cpu_nanos: cpu(deployment, "spec.jobManager.resource.cpu")?,
        memory_nanos: memory(deployment, "spec.jobManager.resource.memory")?,
    };
    let task_managers = match get_i64(deployment, "spec.taskManager.replicas")? {
        Some(_) => get_replicas(deployment, "spec.taskManager.replicas", 1)?,
        None => replicas_for_parallelism(deployment)?,
    };
    let task_manager = Role {
        name: "taskmanager",
        replicas: task_managers,
        cpu_nanos: cpu(deployment, "spec.taskManager.resource.cpu")?,
        memory_nanos: memory(deployment, "spec.taskManager.resource.memory")?,
    };
    Ok(vec![job_manager, task_manager])
}

/// Task managers enough to give the job its parallelism in task slots; one without both.
fn replicas_for_parallelism(deployment: &Value) -> Result<i32, PluginError> {
    let parallelism = number(deployment, "spec.job.parallelism")?;
    let slots = get(deployment, "spec.flinkConfiguration")
        .and_then(|c| c.get("taskmanager.numberOfTaskSlots"))
        .map(|v| match v {
            Value::String(s) => s.trim().parse::<f64>().ok(),
            other => other.as_f64(),
        });
    let slots = match slots {
        None => None,
        Some(None) => {
            return Err(PluginError::at(
                "spec.flinkConfiguration[taskmanager.numberOfTaskSlots]",
                "taskmanager.numberOfTaskSlots is not a number",
            ))
        }
        Some(Some(n)) => Some(n),
    };
    match (parallelism, slots) {
        (Some(p), Some(s)) if s > 0.0 && p > 0.0 => {
            let replicas = (p / s).ceil();
            if replicas > f64::from(i32::MAX) {
                return Err(PluginError::at(
                    "spec.job.parallelism",
                    "too many task managers",
                ));
            }
            Ok(replicas as i32)
        }
        _ => Ok(1),
    }
}

fn number(object: &Value, path: &str) -> Result<Option<f64>, PluginError> {
    match get(object, path) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_f64()
            .map(Some)
            .ok_or_else(|| PluginError::at(path, format!("expected a number, found {value}"))),
    }
}

fn cpu(object: &Value, path: &str) -> Result<Option<i128>, PluginError> {
    match get(object, path) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => quantity::parse_nanos(text)
            .map(Some)
            .ok_or_else(|| PluginError::at(path, format!("{text:?} is not a quantity"))),
        Some(_) => Ok(number(object, path)?.map(|n| (n * 1e9).round() as i128)),
    }
}

/// Flink writes memory like `2048m`; Karmada reads it as a Kubernetes quantity (2.048).
fn memory(object: &Value, path: &str) -> Result<Option<i128>, PluginError> {
    cpu(object, path)
}

fn resource_list(cpu: Option<i128>, memory: Option<i128>) -> Vec<(String, String)> {
    let mut list = Vec::new();
    if let Some(cpu) = cpu {
        list.push(("cpu".to_string(), quantity::format(cpu)));
    }
    if let Some(memory) = memory {
        list.push(("memory".to_string(), quantity::format(memory)));
    }
    list
}

/// Node claim and priority class of `spec.podTemplate.spec`.
fn placement(deployment: &Value) -> Result<(Option<NodeClaim>, String), PluginError> {
    let spec = get(deployment, "spec.podTemplate.spec").unwrap_or(&Value::Null);
    let mut placement = Map::new();
    for key in ["nodeSelector", "tolerations"] {
        if let Some(value) = spec.get(key) {
            placement.insert(key.to_string(), value.clone());
        }
    }
    let claim = pod_requirements(&json!({ "spec": placement }), "")?.and_then(|r| r.node_claim);
    let priority = get_str(spec, "priorityClassName").unwrap_or("").to_string();
    Ok((claim, priority))
}

export_plugin!(FlinkDeployment);

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(status: Option<Value>) -> Value {
        let mut deployment = json!({
            "apiVersion": "flink.apache.org/v1beta1",
            "kind": "FlinkDeployment",
            "metadata": {"name": "basic-example", "namespace": "streaming", "generation": 5},
            "spec": {
                "image": "flink:1.17",
                "flinkVersion": "v1_17",
                "flinkConfiguration": {"taskmanager.numberOfTaskSlots": "2"},
                "serviceAccount": "flink",
                "jobManager": {"replicas": 1, "resource": {"cpu": 1, "memory": "2048m"}},
                "taskManager": {"resource": {"cpu": 2, "memory": "4096m"}},
                "podTemplate": {"spec": {
                    "nodeSelector": {"pool": "stream"},
                    "priorityClassName": "high"
                }},
                "job": {
                    "jarURI": "local:///opt/flink/examples/streaming/StateMachineExample.jar",
                    "parallelism": 5,
                    "upgradeMode": "stateless"
                }
            }
        });
        if let Some(status) = status {
            deployment["status"] = status;
        }
        deployment
    }

    fn member(state: &str, lifecycle: &str, generation: i64, error: Option<&str>) -> Value {
        let mut status = json!({
            "clusterInfo": {"flink-version": "1.17.1", "total-cpu": "5.0"},
            "jobManagerDeploymentStatus": "READY",
            "jobStatus": {"jobName": "State machine job", "state": state,
                          "startTime": "1714557600000"},
            "lifecycleState": lifecycle,
            "observedGeneration": generation,
            "reconciliationStatus": {"state": "DEPLOYED"},
            "taskManager": {"replicas": 3, "labelSelector": "component=taskmanager"}
        });
        if let Some(error) = error {
            status["error"] = json!(error);
        }
        status
    }

    #[test]
    fn declared_fields_suffice() {
        let stable = member("RUNNING", "STABLE", 5, None);
        let starting = member("INITIALIZING", "DEPLOYED", 4, Some("ImagePullBackOff"));
        let sparse = json!({"jobManagerDeploymentStatus": "DEPLOYING"});
        let member_sets: [&[Value]; 5] = [
            &[],
            std::slice::from_ref(&stable),
            &[stable.clone(), starting.clone()],
            &[starting.clone(), stable.clone(), sparse.clone()],
            &[stable.clone(), json!({})],
        ];
        let mut aggregated = member("RUNNING", "STABLE", 4, Some("none"));
        // A field the members do not report stays as it is.
        aggregated["notReported"] = json!({"kept": true});
        for status in [None, Some(aggregated)] {
            let deployment = deployment(status);
            for statuses in member_sets {
                assert_eq!(
                    fields_suffice::<FlinkDeployment>(&deployment, statuses),
                    Ok(()),
                    "{} members",
                    statuses.len()
                );
            }
        }
    }
}
