//! What the three Ray aggregation scripts share: with status items they drop the `spec`;
//! with exactly one item its status becomes the object's status; with any other number they
//! fold the members into the status the object already has, so the fields a script does
//! not write keep their values, and a field it writes as `nil` goes.
use fedplan_interpreter_sdk::prelude::*;

use crate::lua;

/// A member's status as the scripts read it.
pub struct Member<'a> {
    cluster: &'a str,
    /// `None`: a status without fields Lua can index (a string or a list).
    status: Option<&'a Map<String, Value>>,
}

impl<'a> Member<'a> {
    /// Field `key`, unless absent or `null` (Lua `nil`).
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        lua::non_nil(self.status.and_then(|fields| fields.get(key)))
    }

    /// The error a script raises on field `key` of this member.
    pub fn error(&self, key: &str, message: impl std::fmt::Display) -> PluginError {
        PluginError::at(
            format!("status.{key}"),
            format!("{message}, in the status of cluster {}", self.cluster),
        )
    }
}

/// The fields an aggregation writes into the status, as Lua assignments.
pub struct Status(Map<String, Value>);

impl Status {
    /// `status.key = value`; `None` is Lua `nil`: the field goes.
    pub fn put(&mut self, key: &str, value: Option<Value>) {
        match value {
            Some(value) => self.0.insert(key.to_string(), value),
            None => self.0.remove(key),
        };
    }
}

/// How a kind folds several members (or none) into the status.
pub type Fold = fn(&mut Status, &[Member]) -> Result<(), PluginError>;

/// AggregateStatus of a Ray object with status items (Lua `statusItems ~= nil`).
pub fn aggregate(
    mut object: Value,
    items: &[StatusItem],
    fold: Fold,
) -> Result<Value, PluginError> {
    let map = object
        .as_object_mut()
        .ok_or_else(|| PluginError::new("the object is not a map"))?;
    map.remove("spec");
    if let [only] = items {
        match lua::non_nil(only.status.as_ref()) {
            Some(status) => map.insert("status".to_string(), status.clone()),
            None => map.remove("status"),
        };
        return Ok(object);
    }
    let members = items
        .iter()
        .filter_map(|item| member(item).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    let mut status = Status(match map.remove("status") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(fields)) => fields,
        // Lua cannot tell an empty list from an empty map.
        Some(Value::Array(items)) if items.is_empty() => Map::new(),
        Some(other) => {
            return Err(PluginError::at(
                "status",
                format!(
                    "attempt to index a {} value: the status is not a map",
                    lua::type_name(&other)
                ),
            ))
        }
    });
    fold(&mut status, &members)?;
    map.insert("status".to_string(), Value::Object(status.0));
    Ok(object)
}

/// The status of `item` as a member the scripts read, `None` when it has none.
fn member(item: &StatusItem) -> Result<Option<Member<'_>>, PluginError> {
    let Some(status) = lua::non_nil(item.status.as_ref()) else {
        return Ok(None);
    };
    if !lua::indexable(status) {
        return Err(PluginError::at(
            "status",
            format!(
                "attempt to index a {} value, the status of cluster {}",
                lua::type_name(status),
                item.cluster_name
            ),
        ));
    }
    Ok(Some(Member {
        cluster: &item.cluster_name,
        status: status.as_object(),
    }))
}

/// The members' values of `key`, in member order, `nil`s left out.
pub fn values<'a>(
    members: &'a [Member<'a>],
    key: &'a str,
) -> impl Iterator<Item = (&'a Member<'a>, &'a Value)> {
    members
        .iter()
        .filter_map(move |m| m.get(key).map(|v| (m, v)))
}

/// `total = total + member.key` over the members that have `key`, from 0.
pub fn sum(members: &[Member], key: &str) -> Result<Value, PluginError> {
    let mut total = 0.0;
    for (member, value) in values(members, key) {
        total = lua::add(total, value).map_err(|e| member.error(key, e))?;
    }
    lua::number_value(total).map_err(|e| PluginError::at(format!("status.{key}"), e))
}

/// Every member's `key` list, concatenated (`table.insert` over `ipairs`).
pub fn concatenated(members: &[Member], key: &str) -> Result<Value, PluginError> {
    let mut all = Vec::new();
    for (member, value) in values(members, key) {
        all.extend(
            lua::ipairs(value)
                .map_err(|e| member.error(key, e))?
                .cloned(),
        );
    }
    Ok(Value::Array(all))
}

/// The greatest `key` by Lua's `>`, starting from `start` (`None`: the first member's value
/// is taken as it is).
pub fn greatest(
    members: &[Member],
    key: &str,
    start: Option<Value>,
) -> Result<Option<Value>, PluginError> {
    let mut best = start;
    for (member, value) in values(members, key) {
        let greater = match &best {
            None => true,
            Some(best) => lua::less(best, value).map_err(|e| member.error(key, e))?,
        };
        if greater {
            best = Some(value.clone());
        }
    }
    Ok(best)
}

/// The first member's `key`, if any member has one.
pub fn first(members: &[Member], key: &str) -> Option<Value> {
    values(members, key).next().map(|(_, v)| v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{cluster, job, service};

    /// Karmada's scripts given an empty `statusItems` table (not `nil`) fold no members into
    /// the stored status. The world cannot pass that (no members arrive as `nil` would), but
    /// the folds give it.
    #[test]
    fn no_members_as_an_empty_lua_table() {
        let stored = json!({
            "conditions": [{"type": "Ready", "status": "True"}],
            "lastUpdateTime": "2024-01-01T00:00:00Z",
            "head": {"podIP": "10.0.0.9"},
            "state": "ready",
            "jobStatus": "RUNNING",
            "jobDeploymentStatus": "Running",
            "reason": "stored",
            "activeServiceStatus": {"rayClusterName": "stored"},
            "observedGeneration": 5
        });
        let cases: [(&str, Fold, Value); 3] = [
            (
                "RayCluster",
                cluster::fold_status,
                json!({
                    "readyWorkerReplicas": 0,
                    "availableWorkerReplicas": 0,
                    "desiredWorkerReplicas": 0,
                    "maxWorkerReplicas": 0,
                    "minWorkerReplicas": 0,
                    "desiredCPU": "0",
                    "desiredMemory": "0",
                    "desiredGPU": "0",
                    "desiredTPU": "0",
                    "jobStatus": "RUNNING",
                    "jobDeploymentStatus": "Running",
                    "reason": "stored",
                    "activeServiceStatus": {"rayClusterName": "stored"},
                    "observedGeneration": 5
                }),
            ),
            (
                "RayJob",
                job::fold_status,
                json!({
                    "conditions": [{"type": "Ready", "status": "True"}],
                    "lastUpdateTime": "2024-01-01T00:00:00Z",
                    "head": {"podIP": "10.0.0.9"},
                    "state": "ready",
                    "activeServiceStatus": {"rayClusterName": "stored"},
                    "observedGeneration": 5
                }),
            ),
            (
                "RayService",
                service::fold_status,
                json!({
                    "numServeEndpoints": 0,
                    "observedGeneration": 0,
                    "serviceStatus": "Running",
                    "head": {"podIP": "10.0.0.9"},
                    "state": "ready",
                    "jobStatus": "RUNNING",
                    "jobDeploymentStatus": "Running",
                    "reason": "stored",
                    "activeServiceStatus": {"rayClusterName": "stored"}
                }),
            ),
        ];
        for (kind, fold, want) in cases {
            let object = json!({"kind": kind, "spec": {"a": 1}, "status": stored.clone()});
            let mut got = aggregate(object, &[], fold).unwrap();
            lua::status_as_returned(&mut got);
            assert_eq!(got, json!({"kind": kind, "status": want}), "{kind}");
        }
    }

    #[test]
    fn a_stored_status_that_is_no_map_cannot_take_fields() {
        let items = [StatusItem {
            cluster_name: "member1".into(),
            status: Some(json!({"jobStatus": "RUNNING"})),
            applied: true,
            applied_message: String::new(),
            health: None,
        }];
        for (stored, ok) in [(json!("x"), false), (json!([1]), false), (json!([]), true)] {
            let object = json!({"kind": "RayJob", "status": stored});
            let items = [items[0].clone(), items[0].clone()];
            assert_eq!(
                aggregate(object, &items, job::fold_status).is_ok(),
                ok,
                "{stored}"
            );
        }
    }
}
