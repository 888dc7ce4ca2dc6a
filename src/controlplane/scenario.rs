//! Scenarios: a sequence of steps run through the control plane, with the state printed
//! after each step (`fedplan simulate`).
//!
//! ```yaml
//! config:
//!   featureGates: {Failover: true}
//!   flags: {graceful-eviction-timeout: 600s}
//!   startTime: "2026-01-01T00:00:00Z"
//! steps:
//!   - name: propagate
//!     apply: [ ...objects... ]
//!   - name: inject a failure
//!     member: {cluster: member1, set: [ {apiVersion: apps/v1, kind: Deployment, metadata: {...}, status: {...}} ]}
//!     advance: 300
//!   - name: remove
//!     delete: [ {apiVersion: apps/v1, kind: Deployment, namespace: default, name: nginx} ]
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Config, ControlPlane, ControlPlaneError, Event, ObjectKey, Snapshot, Timestamp};
use crate::api::{ResourceBinding, Work};

/// A scenario file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// Feature gates, flags and start time.
    #[serde(default)]
    pub config: ScenarioConfig,
    /// The steps, run in order.
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// `config` of a scenario.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioConfig {
    /// Feature gates by Karmada name.
    #[serde(default)]
    pub feature_gates: BTreeMap<String, bool>,
    /// Controller flags by Karmada name (values as strings, numbers or booleans).
    #[serde(default)]
    pub flags: BTreeMap<String, Value>,
    /// Start of the virtual clock (RFC 3339).
    #[serde(default)]
    pub start_time: Option<String>,
}

/// One step.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// Step name, echoed in the output.
    #[serde(default)]
    pub name: String,
    /// Objects to create or update.
    #[serde(default)]
    pub apply: Vec<Value>,
    /// Objects to delete.
    #[serde(default)]
    pub delete: Vec<ObjectRef>,
    /// Seconds to move the virtual clock.
    #[serde(default)]
    pub advance: Option<i64>,
    /// Status overwrites in one member cluster.
    #[serde(default)]
    pub member: Option<MemberSet>,
}

/// A reference to an object to delete.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectRef {
    /// API version.
    #[serde(default)]
    pub api_version: String,
    /// Kind.
    pub kind: String,
    /// Namespace.
    #[serde(default)]
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// `member` of a step.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MemberSet {
    /// The member cluster.
    pub cluster: String,
    /// Objects whose `status` replaces the live object's status.
    #[serde(default)]
    pub set: Vec<Value>,
}

/// The state after one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepOutput {
    /// Step name.
    pub name: String,
    /// Virtual time after the step.
    pub time: String,
    /// Templates as stored.
    pub templates: Vec<Value>,
    /// Bindings.
    pub bindings: Vec<ResourceBinding>,
    /// Works.
    pub works: Vec<Work>,
    /// Live objects per member cluster.
    pub members: BTreeMap<String, Vec<Value>>,
    /// Events logged during the step.
    pub events: Vec<Event>,
}

impl Scenario {
    /// Reads a scenario from its JSON form (YAML is converted by the caller).
    pub fn from_value(v: Value) -> Result<Self, ControlPlaneError> {
        serde_json::from_value(v).map_err(|e| ControlPlaneError::Scenario(e.to_string()))
    }

    /// The control plane configuration the scenario asks for.
    pub fn control_plane_config(&self) -> Result<Config, ControlPlaneError> {
        let mut config = Config {
            feature_gates: self.config.feature_gates.clone(),
            ..Config::default()
        };
        for (k, v) in &self.config.flags {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            config.flags.insert(k.clone(), text);
        }
        if let Some(t) = &self.config.start_time {
            config.start_time = Timestamp::parse(t)
                .map_err(|e| ControlPlaneError::Scenario(format!("config.startTime: {e}")))?;
        }
        Ok(config)
    }

    /// Runs every step on `cp`, returning the state after each.
    pub fn run_on(&self, cp: &mut ControlPlane) -> Result<Vec<StepOutput>, ControlPlaneError> {
        let mut out = Vec::with_capacity(self.steps.len());
        for (i, step) in self.steps.iter().enumerate() {
            let mark = cp.events().len();
            let ctx = |e: ControlPlaneError| {
                ControlPlaneError::Scenario(format!("steps[{i}] ({}): {e}", step.name))
            };
            for obj in &step.apply {
                cp.apply(obj.clone()).map_err(ctx)?;
            }
            for r in &step.delete {
                let key = ObjectKey::new(&r.api_version, &r.kind, &r.namespace, &r.name);
                if !cp.delete(&key) {
                    return Err(ctx(ControlPlaneError::Scenario(format!(
                        "delete: no object {key}"
                    ))));
                }
            }
            if let Some(m) = &step.member {
                for obj in &m.set {
                    let key = ObjectKey::of(obj);
                    let status = obj.get("status").cloned().unwrap_or(Value::Null);
                    if key.kind == "Cluster" && key.api_version == "cluster.karmada.io/v1alpha1" {
                        cp.set_cluster_status(&key.name, status).map_err(ctx)?;
                    } else {
                        cp.set_member_status(&m.cluster, &key, status)
                            .map_err(ctx)?;
                    }
                }
            }
            if let Some(s) = step.advance {
                cp.advance(s);
            }
            cp.run_until_quiescent().map_err(ctx)?;
            let Snapshot {
                templates,
                bindings,
                works,
                members,
            } = cp.snapshot();
            out.push(StepOutput {
                name: step.name.clone(),
                time: cp.now().to_string(),
                templates,
                bindings,
                works,
                members,
                events: cp.events().since(mark).to_vec(),
            });
        }
        Ok(out)
    }

    /// Runs the scenario on a fresh control plane with the built-in interpreters.
    pub fn run(&self) -> Result<Vec<StepOutput>, ControlPlaneError> {
        let mut cp = ControlPlane::new(self.control_plane_config()?);
        self.run_on(&mut cp)
    }
}
