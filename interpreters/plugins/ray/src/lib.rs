//! Ray `RayCluster`, `RayJob` and `RayService` (`ray.io/v1`): Karmada's built-in
//! customizations as one plugin. All three carry a Ray cluster spec: a head group and
//! worker groups, each with a pod template.
use fedplan_interpreter_sdk::prelude::*;

#[cfg(test)]
mod aggregate_tests;
mod aggregation;
mod cluster;
mod job;
mod lua;
mod quantity_format;
mod service;

struct Ray;

impl Interpreter for Ray {
    /// A port of Karmada's Lua customization: values arrive as the script sees them.
    const VALUES_THROUGH_LUA: bool = true;

    fn manifest() -> Vec<Target> {
        use Operation::*;
        vec![
            Target::new("ray.io/v1", "RayCluster").with(&[
                InterpretComponent,
                InterpretHealth,
                AggregateStatus,
            ]),
            Target::new("ray.io/v1", "RayJob").with(&[
                InterpretComponent,
                InterpretHealth,
                AggregateStatus,
                InterpretDependency,
            ]),
            Target::new("ray.io/v1", "RayService").with(&[
                InterpretReplica,
                ReviseReplica,
                InterpretHealth,
                AggregateStatus,
                InterpretDependency,
            ]),
        ]
    }

    fn interpret_replica(object: &Value) -> Result<ReplicaInterpretation, PluginError> {
        match kind(object)? {
            Kind::Service => service::interpret_replica(object),
            other => Err(unsupported(other, "InterpretReplica")),
        }
    }

    fn revise_replica(object: Value, replicas: i64) -> Result<Value, PluginError> {
        match kind(&object)? {
            Kind::Service => service::revise_replica(object, replicas),
            other => Err(unsupported(other, "ReviseReplica")),
        }
    }

    /// Karmada's scripts return the object untouched when `statusItems` is `nil`. The world
    /// passes a list, so no members arrive as an empty one; Karmada, too, hands a template
    /// without members `nil` (a binding's empty `aggregatedStatus` is omitted from its JSON),
    /// so no members leave the object as it is. Whatever the script did, Karmada writes the
    /// status back as Lua returned it.
    fn aggregate_status(object: Value, items: &[StatusItem]) -> Result<Value, PluginError> {
        let fold: aggregation::Fold = match kind(&object)? {
            Kind::Cluster => cluster::fold_status,
            Kind::Job => job::fold_status,
            Kind::Service => service::fold_status,
        };
        let mut object = if items.is_empty() {
            object
        } else {
            aggregation::aggregate(object, items, fold)?
        };
        lua::status_as_returned(&mut object);
        Ok(object)
    }

    fn interpret_health(object: &Value) -> Result<bool, PluginError> {
        Ok(match kind(object)? {
            Kind::Cluster => cluster::interpret_health(object),
            Kind::Job => job::interpret_health(object),
            Kind::Service => condition_is_true(object, "Ready"),
        })
    }

    fn interpret_dependency(object: &Value) -> Result<Vec<DependentObjectReference>, PluginError> {
        match kind(object)? {
            Kind::Job => Ok(cluster_dependencies(
                object,
                get(object, "spec.rayClusterSpec"),
                get(object, "spec.submitterPodTemplate"),
            )),
            Kind::Service => Ok(cluster_dependencies(
                object,
                get(object, "spec.rayClusterConfig"),
                None,
            )),
            other => Err(unsupported(other, "InterpretDependency")),
        }
    }

    fn interpret_component(object: &Value) -> Result<Vec<Component>, PluginError> {
        match kind(object)? {
            Kind::Cluster => cluster::components(get(object, "spec")),
            Kind::Job => cluster::components(get(object, "spec.rayClusterSpec")),
            other => Err(unsupported(other, "InterpretComponent")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Cluster,
    Job,
    Service,
}

fn kind(object: &Value) -> Result<Kind, PluginError> {
    match get_str(object, "kind") {
        Some("RayCluster") => Ok(Kind::Cluster),
        Some("RayJob") => Ok(Kind::Job),
        Some("RayService") => Ok(Kind::Service),
        other => Err(PluginError::at(
            "kind",
            format!(
                "{} is not a Ray kind this plugin interprets",
                other.unwrap_or("(none)")
            ),
        )),
    }
}

fn unsupported(kind: Kind, operation: &str) -> PluginError {
    PluginError::new(format!("{operation} is not implemented for Ray{kind:?}"))
}

/// The worker groups of a Ray cluster spec.
pub(crate) fn worker_groups(cluster_spec: Option<&Value>) -> &[Value] {
    cluster_spec
        .and_then(|s| s.get("workerGroupSpecs"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// ConfigMaps, Secrets, service accounts and claims of the head, worker and submitter pods.
fn cluster_dependencies(
    object: &Value,
    cluster_spec: Option<&Value>,
    submitter: Option<&Value>,
) -> Vec<DependentObjectReference> {
    let namespace = match namespace_of(object) {
        "" => "default",
        ns => ns,
    };
    let head = cluster_spec.and_then(|s| get(s, "headGroupSpec.template"));
    let workers = worker_groups(cluster_spec)
        .iter()
        .filter_map(|g| g.get("template"));
    let mut found: Vec<DependentObjectReference> = head
        .into_iter()
        .chain(workers)
        .chain(submitter)
        .flat_map(|template| pod_dependencies(template, namespace))
        .collect();
    found.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
    found.dedup();
    found
}

export_plugin!(Ray);

#[cfg(test)]
mod tests {
    use super::*;

    /// Karmada's scripts return every aggregated Ray object without its `spec`, and the
    /// vectors hold them to it. A host that keeps only the returned status would keep the
    /// spec, so AggregateStatus lists no object fields and gets the whole object.
    #[test]
    fn aggregation_drops_the_spec_so_it_takes_the_whole_object() {
        assert_eq!(Ray::fields(Operation::AggregateStatus), None);
        let member = StatusItem {
            cluster_name: "member-1".into(),
            status: Some(json!({
                "conditions": [{"type": "Ready", "status": "True"}],
                "jobDeploymentStatus": "Running"
            })),
            applied: true,
            applied_message: String::new(),
            health: None,
        };
        for kind in ["RayCluster", "RayJob", "RayService"] {
            let object = json!({
                "apiVersion": "ray.io/v1",
                "kind": kind,
                "metadata": {"name": "raycluster-kuberay", "namespace": "ray"},
                "spec": {"headGroupSpec": {"rayStartParams": {}}}
            });
            for members in [1, 2] {
                let items = vec![member.clone(); members];
                let aggregated = Ray::aggregate_status(object.clone(), &items).unwrap();
                assert_eq!(
                    aggregated.get("spec"),
                    None,
                    "{kind} with {members} members"
                );
                assert!(aggregated.get("status").is_some(), "{kind}");
            }
        }
    }
}
