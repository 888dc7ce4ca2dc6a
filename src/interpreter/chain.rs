//! The interpreter chain: Karmada's precedence, per operation and exact kind.
//!
//! For every operation the chain asks, in order, the user customizations (first added
//! wins), then the third-party built-ins, then the native built-ins, and the first layer that
//! [handles](ResourceInterpreter::handles) the operation for the object's group/version/kind
//! answers. A layer's error is returned as is (no fall-through), as in Karmada. A
//! customization that only implements health for `apps/v1 Deployment` overrides health
//! only; aggregation still goes to the native layer.

use std::sync::Arc;

use serde_json::Value;

use super::native::NativeInterpreter;
use super::object::malformed;
use super::thirdparty::ThirdPartyInterpreter;
use super::{
    unsupported, Gvk, InterpreterError, Operation, ReplicaInterpretation, ResourceInterpreter,
};
use crate::api::{AggregatedStatusItem, Component, DependentObjectReference};

/// Karmada's interpreter facade.
///
/// ```
/// use fedplan::interpreter::{chain::InterpreterChain, ResourceInterpreter};
/// let chain = InterpreterChain::default();
/// let cloneset = serde_json::json!({"apiVersion": "apps.kruise.io/v1alpha1", "kind": "CloneSet",
///     "metadata": {"name": "c", "namespace": "ns"},
///     "spec": {"replicas": 4, "template": {"spec": {"containers": [{"name": "a"}]}}}});
/// assert_eq!(chain.interpret_replica(&cloneset).unwrap().replicas, 4);
/// ```
#[derive(Clone)]
pub struct InterpreterChain {
    customizations: Vec<Arc<dyn ResourceInterpreter>>,
    builtins: Vec<Arc<dyn ResourceInterpreter>>,
}

impl Default for InterpreterChain {
    /// Third-party built-ins, then native built-ins, no customizations.
    fn default() -> Self {
        Self::with_builtins(
            ThirdPartyInterpreter::default(),
            NativeInterpreter::default(),
        )
    }
}

impl std::fmt::Debug for InterpreterChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InterpreterChain")
            .field("layers", &self.layer_names())
            .finish()
    }
}

impl InterpreterChain {
    /// A chain over the given built-ins (e.g. a native interpreter with other feature gates).
    pub fn with_builtins(thirdparty: ThirdPartyInterpreter, native: NativeInterpreter) -> Self {
        InterpreterChain {
            customizations: Vec::new(),
            builtins: vec![Arc::new(thirdparty), Arc::new(native)],
        }
    }

    /// A chain with no layers at all (every operation unsupported until layers are pushed).
    pub fn empty() -> Self {
        InterpreterChain {
            customizations: Vec::new(),
            builtins: Vec::new(),
        }
    }

    /// Adds a user customization (WASM plugin, declarative rules, ...). Customizations take
    /// precedence over the built-ins; among customizations the first added wins.
    pub fn push(&mut self, customization: Arc<dyn ResourceInterpreter>) -> &mut Self {
        self.customizations.push(customization);
        self
    }

    /// Builder form of [`push`](Self::push).
    pub fn with(mut self, customization: Arc<dyn ResourceInterpreter>) -> Self {
        self.push(customization);
        self
    }

    /// Names of the layers in the order they are asked.
    pub fn layer_names(&self) -> Vec<String> {
        self.layers().map(|l| l.name().to_string()).collect()
    }

    fn layers(&self) -> impl Iterator<Item = &Arc<dyn ResourceInterpreter>> {
        self.customizations.iter().chain(self.builtins.iter())
    }

    /// The layer answering `operation` for `gvk`, if any.
    pub fn layer_for(&self, gvk: &Gvk, operation: Operation) -> Option<&dyn ResourceInterpreter> {
        self.layers()
            .find(|l| l.handles(gvk, operation))
            .map(|l| l.as_ref())
    }

    fn pick(
        &self,
        object: &Value,
        operation: Operation,
    ) -> Result<&dyn ResourceInterpreter, InterpreterError> {
        let gvk = Gvk::of(object);
        self.layer_for(&gvk, operation)
            .ok_or_else(|| unsupported(object, operation))
    }
}

/// Karmada's validation of dependency results (for every layer): `apiVersion` and `kind`
/// set, and a `name` or a `labelSelector`.
fn validate_dependencies(
    object: &Value,
    deps: &[DependentObjectReference],
) -> Result<(), InterpreterError> {
    for (i, d) in deps.iter().enumerate() {
        let problem = if d.api_version.is_empty() {
            Some("apiVersion is empty")
        } else if d.kind.is_empty() {
            Some("kind is empty")
        } else if d.name.is_empty() && d.label_selector.is_none() {
            Some("neither name nor labelSelector is set")
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(malformed(
                Operation::InterpretDependency,
                object,
                format!("dependencies[{i}]"),
                format!("invalid dependency {}/{}: {p}", d.kind, d.name),
            ));
        }
    }
    Ok(())
}

impl ResourceInterpreter for InterpreterChain {
    fn name(&self) -> &str {
        "chain"
    }

    fn handles(&self, gvk: &Gvk, operation: Operation) -> bool {
        self.layer_for(gvk, operation).is_some()
    }

    fn interpret_replica(&self, object: &Value) -> Result<ReplicaInterpretation, InterpreterError> {
        self.pick(object, Operation::InterpretReplica)?
            .interpret_replica(object)
    }

    fn revise_replica(&self, object: &Value, replicas: i64) -> Result<Value, InterpreterError> {
        self.pick(object, Operation::ReviseReplica)?
            .revise_replica(object, replicas)
    }

    fn retain(&self, desired: &Value, observed: &Value) -> Result<Value, InterpreterError> {
        self.pick(desired, Operation::Retain)?
            .retain(desired, observed)
    }

    fn retain_owned(&self, desired: Value, observed: &Value) -> Result<Value, InterpreterError> {
        self.pick(&desired, Operation::Retain)?
            .retain_owned(desired, observed)
    }

    fn aggregate_status(
        &self,
        object: &Value,
        items: &[AggregatedStatusItem],
    ) -> Result<Value, InterpreterError> {
        self.aggregate_status_items(object, Some(items))
    }

    fn aggregate_status_items(
        &self,
        object: &Value,
        items: Option<&[AggregatedStatusItem]>,
    ) -> Result<Value, InterpreterError> {
        self.pick(object, Operation::AggregateStatus)?
            .aggregate_status_items(object, items)
    }

    fn interpret_status(&self, object: &Value) -> Result<Option<Value>, InterpreterError> {
        self.pick(object, Operation::InterpretStatus)?
            .interpret_status(object)
    }

    fn interpret_health(&self, object: &Value) -> Result<bool, InterpreterError> {
        self.pick(object, Operation::InterpretHealth)?
            .interpret_health(object)
    }

    fn interpret_dependency(
        &self,
        object: &Value,
    ) -> Result<Vec<DependentObjectReference>, InterpreterError> {
        let deps = self
            .pick(object, Operation::InterpretDependency)?
            .interpret_dependency(object)?;
        validate_dependencies(object, &deps)?;
        Ok(deps)
    }

    fn interpret_component(&self, object: &Value) -> Result<Vec<Component>, InterpreterError> {
        self.pick(object, Operation::InterpretComponent)?
            .interpret_component(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A customization that reports every Deployment unhealthy and nothing else.
    struct AlwaysUnhealthy(&'static str);

    impl ResourceInterpreter for AlwaysUnhealthy {
        fn name(&self) -> &str {
            self.0
        }
        fn handles(&self, gvk: &Gvk, operation: Operation) -> bool {
            gvk.kind == "Deployment" && operation == Operation::InterpretHealth
        }
        fn interpret_health(&self, _object: &Value) -> Result<bool, InterpreterError> {
            Ok(self.0 == "second")
        }
    }

    fn healthy_deployment() -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"generation": 1},
            "spec": {"replicas": 1, "template": {"spec": {}}},
            "status": {"observedGeneration": 1, "updatedReplicas": 1, "availableReplicas": 1, "replicas": 1}})
    }

    #[test]
    fn customizations_override_per_operation_first_added_wins() {
        let chain = InterpreterChain::default()
            .with(Arc::new(AlwaysUnhealthy("first")))
            .with(Arc::new(AlwaysUnhealthy("second")));
        let d = healthy_deployment();
        assert!(!chain.interpret_health(&d).unwrap());
        assert!(NativeInterpreter::default().interpret_health(&d).unwrap());
        // Other operations still reach the native layer.
        assert_eq!(chain.interpret_replica(&d).unwrap().replicas, 1);
        assert_eq!(
            chain.layer_names(),
            vec!["first", "second", "thirdparty", "native"]
        );
    }

    #[test]
    fn unsupported_when_no_layer_handles() {
        let chain = InterpreterChain::default();
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap"});
        assert!(matches!(
            chain.interpret_replica(&cm),
            Err(InterpreterError::Unsupported { .. })
        ));
        // Reflection always has the whole-status fallback.
        assert_eq!(chain.interpret_status(&cm).unwrap(), None);
    }

    #[test]
    fn invalid_dependencies_fail_validation() {
        let chain = InterpreterChain::default();
        let ing = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "i", "namespace": "ns"}, "spec": {"tls": [{"secretName": ""}]}});
        assert!(matches!(
            chain.interpret_dependency(&ing),
            Err(InterpreterError::Malformed { .. })
        ));
    }
}
