//! Argo `Rollout` (`argoproj.io/v1alpha1`): Karmada's built-in customization as a plugin.
//!
//! A rollout runs one of two pod topologies: a canary strategy keeps a stable version at
//! `spec.replicas` beside a canary version, a blue-green strategy keeps an active version at
//! `spec.replicas` beside a preview. Karmada describes each version as a component with its own
//! pod template, so the multi-component scheduler can place them apart.
use std::collections::BTreeSet;

use fedplan_interpreter_sdk::prelude::*;

mod lua;

use lua::{concat_text, dig, field, ipairs, to_num, type_name};

struct Rollout;

/// Phases in which a rollout is unhealthy whatever its pods.
const DEGRADED_PHASES: &[&str] = &["Degraded", "HealthCheckFailed"];

/// The strategy templates each strategy's dependencies are read from, after `spec.template`.
const CANARY_TEMPLATES: &[&str] = &["canaryTemplate", "stableTemplate"];
const BLUE_GREEN_TEMPLATES: &[&str] = &["activeTemplate", "previewTemplate"];

/// What the dependency rules read of a pod template: for `Fields::with_under`.
const DEPENDENCY_FIELDS: &[&str] = &[
    "spec.imagePullSecrets",
    "spec.volumes.configMap",
    "spec.volumes.secret",
    "spec.volumes.persistentVolumeClaim",
    "spec.containers.envFrom",
    "spec.containers.env.valueFrom",
];

impl Interpreter for Rollout {
    /// A port of Karmada's Lua customization: values arrive as the script sees them.
    const VALUES_THROUGH_LUA: bool = true;

    fn manifest() -> Vec<Target> {
        use Operation::*;
        vec![Target::new("argoproj.io/v1alpha1", "Rollout").with(&[
            InterpretHealth,
            InterpretComponent,
            InterpretReplica,
            Retain,
            InterpretDependency,
        ])]
    }

    /// What the reading operations look at; the host sends only these.
    fn fields(operation: Operation) -> Option<Fields> {
        match operation {
            Operation::InterpretHealth => Some(
                Fields::new()
                    .with_under("status", &["phase", "availableReplicas", "readyReplicas"]),
            ),
            Operation::InterpretReplica => Some(
                Fields::new()
                    .with("metadata.namespace")
                    .with("spec.replicas")
                    .with_under("spec.template", POD_REQUIREMENTS_FIELDS),
            ),
            Operation::InterpretComponent => Some(
                Fields::new()
                    .with("spec.replicas")
                    .with("spec.strategy.canary.canaryReplicas")
                    .with_under("spec.template", POD_REQUIREMENTS_FIELDS)
                    .with_under(
                        "spec.strategy.canary.stableTemplate",
                        POD_REQUIREMENTS_FIELDS,
                    )
                    .with_under(
                        "spec.strategy.canary.canaryTemplate",
                        POD_REQUIREMENTS_FIELDS,
                    )
                    .with_under(
                        "spec.strategy.blueGreen.activeTemplate",
                        POD_REQUIREMENTS_FIELDS,
                    )
                    .with_under(
                        "spec.strategy.blueGreen.previewTemplate",
                        POD_REQUIREMENTS_FIELDS,
                    ),
            ),
            Operation::InterpretDependency => {
                let mut fields = Fields::new()
                    .with("metadata.namespace")
                    .with_under("spec.template", DEPENDENCY_FIELDS);
                for (strategy, templates) in [
                    ("canary", CANARY_TEMPLATES),
                    ("blueGreen", BLUE_GREEN_TEMPLATES),
                ] {
                    for template in templates {
                        fields = fields.with_under(
                            &format!("spec.strategy.{strategy}.{template}"),
                            DEPENDENCY_FIELDS,
                        );
                    }
                }
                Some(fields)
            }
            _ => None,
        }
    }

    /// Unhealthy without a status or in a degraded phase; without a phase, healthy once some
    /// pods are available or ready; in any other phase (a progressing or paused rollout
    /// included), healthy.
    fn interpret_health(rollout: &Value) -> Result<bool, PluginError> {
        let Some(status) = field(rollout, "status", "status")? else {
            return Ok(false);
        };
        match field(status, "phase", "status.phase")? {
            None => {}
            Some(Value::String(phase)) if phase.is_empty() => {}
            Some(Value::String(phase)) => return Ok(!DEGRADED_PHASES.contains(&phase.as_str())),
            Some(_) => return Ok(true),
        }
        for counter in ["availableReplicas", "readyReplicas"] {
            let path = format!("status.{counter}");
            match field(status, counter, &path)? {
                None => {}
                Some(Value::Number(n)) if n.as_f64().is_some_and(|n| n > 0.0) => return Ok(true),
                Some(Value::Number(_)) => {}
                Some(other) => {
                    return Err(PluginError::at(
                        path,
                        format!("attempt to compare number with {}", type_name(other)),
                    ))
                }
            }
        }
        Ok(false)
    }

    /// `stable` (at `spec.replicas`, default 1) and `canary` (at `canaryReplicas`, default 1)
    /// for a canary strategy; `active` (at `spec.replicas`) and `preview` (always 1) for a
    /// blue-green one; none without a strategy. The stable and active templates fall back to
    /// `spec.template`.
    fn interpret_component(rollout: &Value) -> Result<Vec<Component>, PluginError> {
        let Some(strategy) = dig(rollout, &["spec", "strategy"], "spec.strategy")? else {
            return Ok(Vec::new());
        };
        // Read only once a strategy has components: Karmada converts the count with them.
        let replicas = || {
            whole_replicas(
                to_num(dig(rollout, &["spec", "replicas"], "spec.replicas")?, 1.0),
                "spec.replicas",
            )
        };
        let root_template = || dig(rollout, &["spec", "template"], "spec.template");
        if let Some(canary) = field(strategy, "canary", "spec.strategy.canary")? {
            let at = |key: &str| format!("spec.strategy.canary.{key}");
            let canary_replicas = whole_replicas(
                to_num(field(canary, "canaryReplicas", &at("canaryReplicas"))?, 1.0),
                &at("canaryReplicas"),
            )?;
            let stable = match field(canary, "stableTemplate", &at("stableTemplate"))? {
                Some(template) => Some(template),
                None => root_template()?,
            };
            let canary_template = field(canary, "canaryTemplate", &at("canaryTemplate"))?;
            return Ok(vec![
                component("stable", replicas()?, stable)?,
                component("canary", canary_replicas, canary_template)?,
            ]);
        }
        if let Some(blue_green) = field(strategy, "blueGreen", "spec.strategy.blueGreen")? {
            let at = |key: &str| format!("spec.strategy.blueGreen.{key}");
            let active = match field(blue_green, "activeTemplate", &at("activeTemplate"))? {
                Some(template) => Some(template),
                None => root_template()?,
            };
            let preview = field(blue_green, "previewTemplate", &at("previewTemplate"))?;
            return Ok(vec![
                component("active", replicas()?, active)?,
                // The rollout controller sizes the preview; Karmada counts one pod.
                component("preview", 1, preview)?,
            ]);
        }
        Ok(Vec::new())
    }

    /// `spec.replicas` (default 1, a fraction cut off) of pods like `spec.template`, which
    /// must be there: Karmada's script hands it to `accuratePodRequirements` unchecked.
    fn interpret_replica(rollout: &Value) -> Result<ReplicaInterpretation, PluginError> {
        let wanted = to_num(dig(rollout, &["spec", "replicas"], "spec.replicas")?, 1.0);
        let replicas = Some(wanted.trunc())
            .filter(|n| (0.0..=f64::from(i32::MAX)).contains(n))
            .map(|n| n as i32)
            .ok_or_else(|| {
                PluginError::at("spec.replicas", format!("{wanted} is not a replica count"))
            })?;
        let requirements = match dig(rollout, &["spec", "template"], "spec.template")? {
            Some(template @ Value::Object(_)) => {
                if let Some(spec) = template.get("spec") {
                    check_pod_spec(spec, "spec.template.spec")?;
                }
                pod_requirements(template, namespace_of(rollout))?
            }
            // A table that is an empty list converts to an empty pod template, a longer one
            // to none.
            Some(Value::Array(items)) if items.is_empty() => None,
            Some(Value::Array(_)) => {
                return Err(PluginError::at(
                    "spec.template",
                    "cannot convert a list to a pod template",
                ))
            }
            other => {
                return Err(PluginError::at(
                    "spec.template",
                    format!(
                        "bad argument #1 to accuratePodRequirements (table expected, got {})",
                        other.map_or("nil", type_name)
                    ),
                ))
            }
        };
        Ok(ReplicaInterpretation {
            replicas,
            requirements,
        })
    }

    /// The member's `spec.paused` (so propagation does not resume or promote a rollout) and
    /// `spec.selector` (which the rollout controller manages) are kept.
    fn retain(mut desired: Value, observed: &Value) -> Result<Value, PluginError> {
        let Some(observed_spec) = field(observed, "spec", "spec")? else {
            return Ok(desired);
        };
        for key in ["paused", "selector"] {
            let path = format!("spec.{key}");
            if let Some(value) = field(observed_spec, key, &path)? {
                let spec = desired
                    .get_mut("spec")
                    .and_then(Value::as_object_mut)
                    .ok_or_else(|| {
                        PluginError::at("spec", "the desired rollout has no spec to set")
                    })?;
                spec.insert(key.to_string(), value.clone());
            }
        }
        Ok(desired)
    }

    /// The ConfigMaps, Secrets and claims the containers (not the init containers) and
    /// volumes of `spec.template` and of the strategy's templates use, and the image pull
    /// Secrets, in `metadata.namespace` (`default` when it is not set).
    fn interpret_dependency(rollout: &Value) -> Result<Vec<DependentObjectReference>, PluginError> {
        let metadata = field(rollout, "metadata", "metadata")?.ok_or_else(|| {
            PluginError::at("metadata", "attempt to index a nil value (metadata)")
        })?;
        // Joined into a key only when there is one: a namespace Lua cannot join fails then.
        let namespace = match field(metadata, "namespace", "metadata.namespace")? {
            None | Some(Value::Bool(false)) => Ok("default".to_string()),
            Some(value) => concat_text(value, "metadata.namespace"),
        };
        let Some(spec) = field(rollout, "spec", "spec")? else {
            return Ok(Vec::new());
        };
        let mut found = Dependencies::default();
        found.add_template(field(spec, "template", "spec.template")?, "spec.template")?;
        if let Some(strategy) = field(spec, "strategy", "spec.strategy")? {
            let chosen = match field(strategy, "canary", "spec.strategy.canary")? {
                Some(canary) => Some(("canary", canary, CANARY_TEMPLATES)),
                None => field(strategy, "blueGreen", "spec.strategy.blueGreen")?
                    .map(|blue_green| ("blueGreen", blue_green, BLUE_GREEN_TEMPLATES)),
            };
            if let Some((name, strategy, templates)) = chosen {
                for template in templates {
                    let path = format!("spec.strategy.{name}.{template}");
                    found.add_template(field(strategy, template, &path)?, &path)?;
                }
            }
        }
        if found.keys.is_empty() {
            return Ok(Vec::new());
        }
        Ok(found.references(&namespace?))
    }
}

/// A component's replica count: a whole number from 0 to 2^31-1, as Karmada decodes it.
fn whole_replicas(n: f64, path: &str) -> Result<i32, PluginError> {
    fedplan_interpreter_sdk::lua_integer(n)
        .and_then(|n| i32::try_from(n).ok())
        .filter(|n| *n >= 0)
        .ok_or_else(|| PluginError::at(path, format!("{n} is not a replica count")))
}

/// A pod spec Karmada can convert for `accuratePodRequirements`: a table.
fn check_pod_spec(spec: &Value, path: &str) -> Result<(), PluginError> {
    match spec {
        Value::Object(_) | Value::Array(_) => Ok(()),
        other => Err(PluginError::at(
            path,
            format!("cannot convert a {} value to a pod spec", type_name(other)),
        )),
    }
}

fn component(
    name: &str,
    replicas: i32,
    template: Option<&Value>,
) -> Result<Component, PluginError> {
    Ok(Component {
        name: name.to_string(),
        replicas,
        requirements: template_requirements(template, name)?,
    })
}

/// What each pod of a component's template asks for: Karmada's pod requirements (node claim,
/// effective request, and then the template's priority class), completed by every container
/// request they leave out (zero or not schedulable), as the container writes it. Nothing
/// without a template or a `spec` in it, or when all of that is empty.
fn template_requirements(
    template: Option<&Value>,
    component: &str,
) -> Result<Option<ComponentRequirements>, PluginError> {
    let path = format!("component {component}: template.spec");
    let Some(template) = template else {
        return Ok(None);
    };
    let Some(spec) = field(template, "spec", &path)? else {
        return Ok(None);
    };
    let mut requirements = ComponentRequirements {
        node_claim: None,
        resource_request: Vec::new(),
        priority_class_name: String::new(),
    };
    let mut asks_for_something = false;
    check_pod_spec(spec, &path)?;
    if let Some(accurate) = component_requirements(template)? {
        asks_for_something = true;
        requirements.node_claim = accurate.node_claim;
        requirements.resource_request = accurate.resource_request;
        match field(spec, "priorityClassName", &path)? {
            None => {}
            Some(Value::String(class)) if class.is_empty() => {}
            Some(Value::String(class)) => requirements.priority_class_name = class.clone(),
            Some(other) => {
                return Err(PluginError::at(
                    format!("{path}.priorityClassName"),
                    format!("expected a string, found {other}"),
                ))
            }
        }
    }
    if let Some(containers) = field(spec, "containers", &path)? {
        let containers_path = format!("{path}.containers");
        for container in ipairs(containers, &containers_path)? {
            let resources = field(container, "resources", &containers_path)?;
            let requests = match resources {
                Some(resources) => field(resources, "requests", &containers_path)?,
                None => None,
            };
            let Some(requests) = requests else { continue };
            let entries = match requests {
                Value::Object(map) => map,
                Value::Array(items) if items.is_empty() => continue,
                other => {
                    return Err(PluginError::at(
                        format!("{containers_path}.resources.requests"),
                        format!("bad argument #1 to pairs (table expected, got {other})"),
                    ))
                }
            };
            for (name, quantity) in entries {
                if requirements.resource_request.iter().any(|(n, _)| n == name) {
                    continue;
                }
                // Valid quantities: the pod requirements above read them all.
                let quantity = match quantity {
                    Value::String(text) => text.clone(),
                    Value::Number(n) => n.to_string(),
                    other => other.to_string(),
                };
                requirements.resource_request.push((name.clone(), quantity));
                asks_for_something = true;
            }
        }
    }
    requirements.resource_request.sort();
    Ok(asks_for_something.then_some(requirements))
}

/// The dependencies found so far, keyed as Karmada's script keys them:
/// `Kind:namespace:name`, read back as the first three non-empty `:`-separated parts.
#[derive(Default)]
struct Dependencies {
    keys: BTreeSet<String>,
}

impl Dependencies {
    fn add(&mut self, kind: &str, name: &Value, path: &str) -> Result<(), PluginError> {
        let name = concat_text(name, path)?;
        // The namespace joins in `references`; keep the kind and name.
        self.keys.insert(format!("{kind}\u{0}{name}"));
        Ok(())
    }

    /// `owner.key.name` when it is set and not empty: a missing name is an error, since
    /// Karmada's script joins it into the key unchecked.
    fn add_named(
        &mut self,
        kind: &str,
        owner: &Value,
        key: &str,
        name_key: &str,
        path: &str,
    ) -> Result<(), PluginError> {
        let Some(reference) = field(owner, key, path)? else {
            return Ok(());
        };
        let at = format!("{path}.{key}.{name_key}");
        match field(reference, name_key, &at)? {
            Some(Value::String(name)) if name.is_empty() => Ok(()),
            Some(name) => self.add(kind, name, &at),
            None => Err(PluginError::at(at, "attempt to concatenate a nil value")),
        }
    }

    fn add_template(&mut self, template: Option<&Value>, path: &str) -> Result<(), PluginError> {
        let Some(template) = template else {
            return Ok(());
        };
        let Some(spec) = field(template, "spec", path)? else {
            return Ok(());
        };
        let path = format!("{path}.spec");
        if let Some(secrets) = field(spec, "imagePullSecrets", &path)? {
            let at = format!("{path}.imagePullSecrets");
            for secret in ipairs(secrets, &at)? {
                match field(secret, "name", &at)? {
                    None => {}
                    Some(Value::String(name)) if name.is_empty() => {}
                    Some(name) => self.add("Secret", name, &at)?,
                }
            }
        }
        if let Some(volumes) = field(spec, "volumes", &path)? {
            let at = format!("{path}.volumes");
            for volume in ipairs(volumes, &at)? {
                self.add_named("ConfigMap", volume, "configMap", "name", &at)?;
                self.add_named("Secret", volume, "secret", "secretName", &at)?;
                self.add_named(
                    "PersistentVolumeClaim",
                    volume,
                    "persistentVolumeClaim",
                    "claimName",
                    &at,
                )?;
            }
        }
        let containers = match field(spec, "containers", &path)? {
            None | Some(Value::Bool(false)) => return Ok(()),
            Some(containers) => containers,
        };
        let at = format!("{path}.containers");
        for container in ipairs(containers, &at)? {
            if let Some(sources) = field(container, "envFrom", &at)? {
                let at = format!("{at}.envFrom");
                for source in ipairs(sources, &at)? {
                    self.add_named("ConfigMap", source, "configMapRef", "name", &at)?;
                    self.add_named("Secret", source, "secretRef", "name", &at)?;
                }
            }
            if let Some(variables) = field(container, "env", &at)? {
                let at = format!("{at}.env");
                for variable in ipairs(variables, &at)? {
                    let Some(from) = field(variable, "valueFrom", &at)? else {
                        continue;
                    };
                    let at = format!("{at}.valueFrom");
                    self.add_named("ConfigMap", from, "configMapKeyRef", "name", &at)?;
                    self.add_named("Secret", from, "secretKeyRef", "name", &at)?;
                }
            }
        }
        Ok(())
    }

    /// The references in `namespace`. A part left empty (an empty namespace) shifts the
    /// others, and a key with fewer than three parts is dropped, as Karmada's script splits
    /// its keys.
    fn references(&self, namespace: &str) -> Vec<DependentObjectReference> {
        let mut found: Vec<DependentObjectReference> = self
            .keys
            .iter()
            .filter_map(|key| {
                let (kind, name) = key.split_once('\u{0}')?;
                let joined = format!("{kind}:{namespace}:{name}");
                let mut parts = joined.split(':').filter(|part| !part.is_empty());
                let (kind, namespace, name) = (parts.next()?, parts.next()?, parts.next()?);
                Some(DependentObjectReference {
                    api_version: "v1".to_string(),
                    kind: kind.to_string(),
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                    label_selector: None,
                })
            })
            .collect();
        found.sort_by(|a, b| {
            (&a.kind, &a.namespace, &a.name).cmp(&(&b.kind, &b.namespace, &b.name))
        });
        found
    }
}

export_plugin!(Rollout);

#[cfg(test)]
mod tests;
