//! Argo `Workflow` (`argoproj.io/v1alpha1`): Karmada's built-in customization as a plugin.
//!
//! A workflow's replicas are its `spec.parallelism`; what each replica needs is only where it
//! may run (affinity, node selector, tolerations), since the pods' resources live in the
//! templates and vary per step.
use fedplan_interpreter_sdk::prelude::*;

struct Workflow;

const PARALLELISM: &str = "spec.parallelism";

/// Volume sources that name a Secret, and where the name is inside each.
const SECRET_VOLUME_REFS: &[(&str, &str)] = &[
    ("secret", "secretName"),
    ("azureFile", "secretName"),
    ("cephfs", "secretRef.name"),
    ("cinder", "secretRef.name"),
    ("flexVolume", "secretRef.name"),
    ("rbd", "secretRef.name"),
    ("scaleIO", "secretRef.name"),
    ("iscsi", "secretRef.name"),
    ("storageos", "secretRef.name"),
    ("csi", "nodePublishSecretRef.name"),
];

impl Interpreter for Workflow {
    /// A port of Karmada's Lua customization: values arrive as the script sees them.
    const VALUES_THROUGH_LUA: bool = true;

    fn manifest() -> Vec<Target> {
        use Operation::*;
        vec![Target::new("argoproj.io/v1alpha1", "Workflow").with(&[
            InterpretReplica,
            ReviseReplica,
            InterpretHealth,
            Retain,
            InterpretDependency,
        ])]
    }

    /// What the reading operations look at; the host sends only these.
    fn fields(operation: Operation) -> Option<Fields> {
        let fields = Fields::new().with("metadata.namespace");
        match operation {
            Operation::InterpretReplica => Some(
                fields
                    .with(PARALLELISM)
                    .with_under("spec", &["affinity", "nodeSelector", "tolerations"]),
            ),
            Operation::InterpretHealth => Some(Fields::new().with("status.phase")),
            Operation::InterpretDependency => Some(fields.with_under(
                "spec",
                &[
                    "volumes",
                    "imagePullSecrets",
                    "serviceAccountName",
                    "executor.serviceAccountName",
                    "volumeClaimTemplates.metadata.name",
                ],
            )),
            _ => None,
        }
    }

    fn interpret_replica(workflow: &Value) -> Result<ReplicaInterpretation, PluginError> {
        let replicas = get_replicas(workflow, PARALLELISM, 1)?;
        let mut placement = Map::new();
        for key in ["affinity", "nodeSelector", "tolerations"] {
            if let Some(value) = get(workflow, &format!("spec.{key}")) {
                placement.insert(key.to_string(), value.clone());
            }
        }
        let template = json!({ "spec": placement });
        let requirements = pod_requirements(&template, namespace_of(workflow))?;
        Ok(ReplicaInterpretation {
            replicas,
            requirements,
        })
    }

    fn revise_replica(mut workflow: Value, replicas: i64) -> Result<Value, PluginError> {
        set(&mut workflow, PARALLELISM, json!(replicas))?;
        Ok(workflow)
    }

    /// A member suspends or resumes a workflow and runs it: both stay as the member has them.
    fn retain(mut desired: Value, observed: &Value) -> Result<Value, PluginError> {
        if let Some(suspend) = get(observed, "spec.suspend").filter(|v| !v.is_null()) {
            set(&mut desired, "spec.suspend", suspend.clone())?;
        }
        match get(observed, "status").filter(|v| !v.is_null()) {
            Some(status) => set(&mut desired, "status", status.clone())?,
            None => {
                if let Some(map) = desired.as_object_mut() {
                    map.remove("status");
                }
            }
        }
        Ok(desired)
    }

    fn interpret_health(workflow: &Value) -> Result<bool, PluginError> {
        Ok(match get_str(workflow, "status.phase") {
            None | Some("") | Some("Error") | Some("Failed") => false,
            Some(_) => get(workflow, "status").is_some(),
        })
    }

    fn interpret_dependency(
        workflow: &Value,
    ) -> Result<Vec<DependentObjectReference>, PluginError> {
        let namespace = namespace_of(workflow);
        let spec = get(workflow, "spec").unwrap_or(&Value::Null);
        let mut pod_spec = Map::new();
        for key in ["volumes", "imagePullSecrets", "serviceAccountName"] {
            if let Some(value) = spec.get(key) {
                pod_spec.insert(key.to_string(), value.clone());
            }
        }
        let mut found = pod_dependencies(&json!({ "spec": pod_spec }), namespace);
        let mut extra = Vec::new();
        if let Some(name) = get_str(spec, "executor.serviceAccountName") {
            extra.push(("ServiceAccount", name));
        }
        for claim in array(spec.get("volumeClaimTemplates")) {
            if let Some(name) = get_str(claim, "metadata.name") {
                extra.push(("PersistentVolumeClaim", name));
            }
        }
        for volume in array(spec.get("volumes")) {
            for (source, path) in SECRET_VOLUME_REFS {
                if let Some(name) = volume.get(*source).and_then(|s| get_str(s, path)) {
                    extra.push(("Secret", name));
                }
            }
        }
        for (kind, name) in extra {
            if name.is_empty() || (kind == "ServiceAccount" && name == "default") {
                continue;
            }
            found.push(DependentObjectReference {
                api_version: "v1".to_string(),
                kind: kind.to_string(),
                namespace: namespace.to_string(),
                name: name.to_string(),
                label_selector: None,
            });
        }
        found.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
        found.dedup_by(|a, b| a.kind == b.kind && a.name == b.name);
        Ok(found)
    }
}

fn array(value: Option<&Value>) -> &[Value] {
    value
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

export_plugin!(Workflow);
