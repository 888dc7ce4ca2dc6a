//! observedGeneration standardisation (Karmada v1.11+): the template's
//! `status.observedGeneration` becomes its `metadata.generation` only once **every** target
//! cluster has been updated from the latest template *and* its own controller has observed
//! that update; until then the previous value is kept.
//!
//! The member data comes from the status items: reflection copies the member's
//! `metadata.generation` into `generation` and the
//! [`resourcetemplate.karmada.io/generation`](super::object::TEMPLATE_GENERATION_ANNOTATION)
//! annotation into `resourceTemplateGeneration`, next to the member's own
//! `observedGeneration`. The denominator is the whole item list, so a cluster whose status has
//! not arrived yet holds the value back; an empty list advances at once.

use serde_json::{Map, Value};

use super::object::{at, lenient_int, TEMPLATE_GENERATION_ANNOTATION};
use crate::api::AggregatedStatusItem;

/// Generation fields of one reflected status item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberGenerations {
    /// The member object's own `metadata.generation`.
    pub generation: i64,
    /// The member controller's `status.observedGeneration`.
    pub observed_generation: i64,
    /// The template generation the member manifest was rendered from.
    pub resource_template_generation: i64,
}

impl MemberGenerations {
    /// Reads the three fields from a reflected status (missing fields read as 0).
    pub fn of(status: &Value) -> Self {
        let get = |k: &str| status.get(k).map(lenient_int).unwrap_or(0);
        MemberGenerations {
            generation: get("generation"),
            observed_generation: get("observedGeneration"),
            resource_template_generation: get("resourceTemplateGeneration"),
        }
    }
}

/// Karmada's native (Go) rule for Deployment, ReplicaSet, DaemonSet and (as documented)
/// StatefulSet: a member counts when `observedGeneration >= generation` and
/// `resourceTemplateGeneration >= template_generation`; items without status never count.
pub fn native_observed_generation(
    template_generation: i64,
    previous: i64,
    items: &[AggregatedStatusItem],
) -> i64 {
    let caught_up = items
        .iter()
        .filter(|item| {
            item.status.as_ref().is_some_and(|s| {
                let m = MemberGenerations::of(s);
                m.observed_generation >= m.generation
                    && m.resource_template_generation >= template_generation
            })
        })
        .count();
    if caught_up == items.len() {
        template_generation
    } else {
        previous
    }
}

/// Karmada's Lua rule for the third-party kinds: a member counts when
/// `resourceTemplateGeneration == template_generation` and `generation == observedGeneration`
/// (equality both times), missing fields reading as 0. An item without status reads as all
/// zeros when `count_statusless` (most scripts; it then counts only for a generation-0
/// template) and is never counted otherwise (UnitedDeployment).
pub fn lua_observed_generation(
    template_generation: i64,
    previous: i64,
    items: &[AggregatedStatusItem],
    count_statusless: bool,
) -> i64 {
    let caught_up = items
        .iter()
        .filter(|item| {
            if item.status.is_none() && !count_statusless {
                return false;
            }
            let empty = Value::Null;
            let status = item.status.as_ref().unwrap_or(&empty);
            let m = MemberGenerations::of(status);
            m.resource_template_generation == template_generation
                && m.generation == m.observed_generation
        })
        .count();
    if caught_up == items.len() {
        template_generation
    } else {
        previous
    }
}

/// Adds the generation keys to a reflected status: `generation` from the member's
/// `metadata.generation` and `resourceTemplateGeneration` from the annotation, both omitted
/// when zero/absent (Go `omitempty`). Returns an error message when `strict` and the
/// annotation is missing or not an integer (native Deployment, ReplicaSet, DaemonSet,
/// StatefulSet).
pub(crate) fn add_generation_keys(
    member: &Value,
    status: &mut Map<String, Value>,
    strict: bool,
) -> Result<(), String> {
    let generation = at(member, &["metadata", "generation"])
        .map(lenient_int)
        .unwrap_or(0);
    let annotation = at(
        member,
        &["metadata", "annotations", TEMPLATE_GENERATION_ANNOTATION],
    );
    let template_generation = match annotation.and_then(Value::as_str) {
        Some(s) => match s.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) if strict => {
                return Err(format!(
                    "annotation {TEMPLATE_GENERATION_ANNOTATION} is {s:?}, not an integer"
                ))
            }
            Err(_) => None,
        },
        None if strict => {
            return Err(format!(
                "annotation {TEMPLATE_GENERATION_ANNOTATION} is missing"
            ))
        }
        None => None,
    };
    if generation != 0 {
        status.insert("generation".into(), Value::from(generation));
    }
    if let Some(g) = template_generation {
        if g != 0 || !strict {
            status.insert("resourceTemplateGeneration".into(), Value::from(g));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(status: Option<Value>) -> AggregatedStatusItem {
        AggregatedStatusItem {
            cluster_name: "m".into(),
            status,
            applied: true,
            ..Default::default()
        }
    }

    #[test]
    fn native_uses_greater_or_equal_and_blocks_on_missing_status() {
        let s = |g: i64, o: i64, r: i64| {
            item(Some(
                json!({"generation": g, "observedGeneration": o, "resourceTemplateGeneration": r}),
            ))
        };
        let cases: Vec<(&str, Vec<AggregatedStatusItem>, i64)> = vec![
            ("all caught up", vec![s(7, 7, 3), s(4, 5, 3)], 3),
            ("member ahead of template", vec![s(1, 1, 4)], 3),
            ("member lagging", vec![s(5, 4, 3)], 2),
            ("stale manifest", vec![s(5, 5, 2)], 2),
            ("missing status", vec![s(5, 5, 3), item(None)], 2),
            ("empty list", vec![], 3),
        ];
        for (name, items, want) in cases {
            assert_eq!(native_observed_generation(3, 2, &items), want, "{name}");
        }
    }

    #[test]
    fn lua_uses_equality() {
        let s = |g: i64, o: i64, r: i64| {
            item(Some(
                json!({"generation": g, "observedGeneration": o, "resourceTemplateGeneration": r}),
            ))
        };
        assert_eq!(lua_observed_generation(2, 1, &[s(1, 1, 2)], true), 2);
        assert_eq!(lua_observed_generation(2, 1, &[s(1, 1, 3)], true), 1);
        assert_eq!(lua_observed_generation(2, 1, &[s(2, 3, 2)], true), 1);
        assert_eq!(lua_observed_generation(2, 1, &[item(None)], true), 1);
        assert_eq!(lua_observed_generation(0, 1, &[item(None)], true), 0);
        assert_eq!(lua_observed_generation(0, 1, &[item(None)], false), 1);
        assert_eq!(lua_observed_generation(2, 1, &[], true), 2);
    }
}
