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
                InterpretComponent,
                InterpretReplica,
                ReviseReplica,
                InterpretHealth,
                AggregateStatus,
                InterpretDependency,
            ]),
        ]
    }

    /// InterpretComponent reads the kind and the head and worker groups of the cluster spec
    /// each kind carries; the other operations get the whole object.
    fn fields(operation: Operation) -> Option<Fields> {
        match operation {
            Operation::InterpretComponent => Some(
                Kind::ALL
                    .iter()
                    .fold(Fields::new().with("kind"), |fields, kind| {
                        cluster::component_fields(fields, kind.cluster_spec())
                    }),
            ),
            _ => None,
        }
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
                get(object, Kind::Job.cluster_spec()),
                get(object, "spec.submitterPodTemplate"),
            )),
            Kind::Service => Ok(cluster_dependencies(
                object,
                get(object, Kind::Service.cluster_spec()),
                None,
            )),
            other => Err(unsupported(other, "InterpretDependency")),
        }
    }

    fn interpret_component(object: &Value) -> Result<Vec<Component>, PluginError> {
        let kind = kind(object)?;
        cluster::components(get(object, kind.cluster_spec()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Cluster,
    Job,
    Service,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Cluster, Kind::Job, Kind::Service];

    /// Where the kind holds its Ray cluster spec.
    fn cluster_spec(self) -> &'static str {
        match self {
            Kind::Cluster => "spec",
            Kind::Job => "spec.rayClusterSpec",
            Kind::Service => "spec.rayClusterConfig",
        }
    }
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

    fn pod(cpu: &str) -> Value {
        json!({
            "metadata": {"labels": {"app": "ray"}},
            "spec": {
                "containers": [{
                    "name": "ray",
                    "image": "rayproject/ray:2.9.0",
                    "resources": {"requests": {"cpu": cpu, "memory": "1Gi"}}
                }],
                "nodeSelector": {"pool": "ray"},
                "priorityClassName": "high"
            }
        })
    }

    /// A cluster spec with a head, a named group, an unnamed one and one without template.
    fn cluster_spec() -> Value {
        json!({
            "rayVersion": "2.9.0",
            "headGroupSpec": {"rayStartParams": {"num-cpus": "0"}, "template": pod("2")},
            "workerGroupSpecs": [
                {"groupName": "small", "replicas": 3, "minReplicas": 1, "template": pod("1")},
                {"groupName": "", "replicas": 2, "template": pod("500m")},
                {"rayStartParams": {}}
            ]
        })
    }

    fn object(kind: &str, cluster_spec: Value) -> Value {
        let spec = match kind {
            "RayCluster" => cluster_spec,
            "RayJob" => json!({"entrypoint": "python job.py", "rayClusterSpec": cluster_spec}),
            _ => json!({"serveConfigV2": "applications: []", "rayClusterConfig": cluster_spec}),
        };
        json!({
            "apiVersion": "ray.io/v1",
            "kind": kind,
            "metadata": {"name": "ray", "namespace": "ml"},
            "spec": spec,
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}
        })
    }

    fn names_and_replicas(components: &[Component]) -> Vec<(&str, i32, bool)> {
        components
            .iter()
            .map(|c| (c.name.as_str(), c.replicas, c.requirements.is_some()))
            .collect()
    }

    /// Every kind reads its own cluster spec by the same rules: the head only with a
    /// template, unnamed groups numbered by position, no template no requirements.
    #[test]
    fn components_of_each_kind() {
        for kind in ["RayCluster", "RayJob", "RayService"] {
            let components = Ray::interpret_component(&object(kind, cluster_spec())).unwrap();
            assert_eq!(
                names_and_replicas(&components),
                [
                    ("ray-head", 1, true),
                    ("small", 3, true),
                    ("worker-2", 2, true),
                    ("worker-3", 0, false)
                ],
                "{kind}"
            );
            let headless = json!({"headGroupSpec": {"rayStartParams": {}}, "workerGroupSpecs": []});
            let components = Ray::interpret_component(&object(kind, headless)).unwrap();
            assert!(components.is_empty(), "{kind}: a head without template");
        }
        let head = Ray::interpret_component(&object("RayService", cluster_spec())).unwrap();
        let requirements = head[0].requirements.as_ref().unwrap();
        let cpu = requirements
            .resource_request
            .iter()
            .find(|(name, _)| name == "cpu");
        assert_eq!(cpu.map(|(_, quantity)| quantity.as_str()), Some("2"));
        assert_eq!(requirements.priority_class_name, "high");
        for spec in [json!({}), json!({"rayClusterConfig": null})] {
            let service = json!({"kind": "RayService", "spec": spec});
            assert_eq!(
                Ray::interpret_component(&service).unwrap(),
                vec![],
                "{service}"
            );
        }
    }

    #[test]
    fn declared_fields_suffice() {
        let statuses = [json!({"conditions": [{"type": "Ready", "status": "True"}]})];
        let mut bare_head = cluster_spec();
        bare_head["headGroupSpec"]["template"] = json!({"metadata": {"name": "head"}});
        for kind in ["RayCluster", "RayJob", "RayService"] {
            for spec in [
                cluster_spec(),
                bare_head.clone(),
                json!({"workerGroupSpecs": {}}),
            ] {
                let object = object(kind, spec);
                assert_eq!(
                    fields_suffice::<Ray>(&object, &statuses),
                    Ok(()),
                    "{object}"
                );
            }
        }
    }
}
