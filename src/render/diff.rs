//! What a change would do: the difference between two renders, per cluster and Work.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::api::Work;

/// How one Work differs between two renders.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "change")]
pub enum WorkChange {
    /// The Work exists only in the new render.
    Added {
        /// Work name.
        work: String,
    },
    /// The Work exists only in the old render.
    Removed {
        /// Work name.
        work: String,
    },
    /// The Work exists in both and differs.
    Changed {
        /// Work name.
        work: String,
        /// RFC 6902 patch from the old Work to the new one.
        patch: json_patch::Patch,
    },
}

/// Differences between two renders, keyed by cluster name (sorted), then by Work name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RenderDiff {
    /// Changes per cluster; clusters without changes are absent.
    pub clusters: BTreeMap<String, Vec<WorkChange>>,
}

impl RenderDiff {
    /// True when the renders are identical.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }
}

fn keyed(works: &[Work]) -> BTreeMap<(String, String), Value> {
    works
        .iter()
        .map(|w| {
            let cluster = super::names::cluster_of_execution_space(&w.metadata.namespace)
                .unwrap_or(&w.metadata.namespace)
                .to_string();
            let v = serde_json::to_value(w).unwrap_or(Value::Null);
            ((cluster, w.metadata.name.clone()), v)
        })
        .collect()
}

/// The per-cluster difference from `old` to `new`.
///
/// ```
/// use fedplan::render::diff::diff_renders;
/// assert!(diff_renders(&[], &[]).is_empty());
/// ```
pub fn diff_renders(old: &[Work], new: &[Work]) -> RenderDiff {
    let old = keyed(old);
    let new = keyed(new);
    let mut out = RenderDiff::default();
    for ((cluster, work), before) in &old {
        let change = match new.get(&(cluster.clone(), work.clone())) {
            None => Some(WorkChange::Removed { work: work.clone() }),
            Some(after) if after != before => Some(WorkChange::Changed {
                work: work.clone(),
                patch: json_patch::diff(before, after),
            }),
            Some(_) => None,
        };
        if let Some(c) = change {
            out.clusters.entry(cluster.clone()).or_default().push(c);
        }
    }
    for (cluster, work) in new.keys() {
        if !old.contains_key(&(cluster.clone(), work.clone())) {
            out.clusters
                .entry(cluster.clone())
                .or_default()
                .push(WorkChange::Added { work: work.clone() });
        }
    }
    for changes in out.clusters.values_mut() {
        changes.sort_by(|a, b| work_of(a).cmp(work_of(b)));
    }
    out
}

fn work_of(c: &WorkChange) -> &str {
    match c {
        WorkChange::Added { work }
        | WorkChange::Removed { work }
        | WorkChange::Changed { work, .. } => work,
    }
}
