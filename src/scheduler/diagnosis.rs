//! A structured account of one scheduling decision, and a plain-text table of it.
//!
//! The JSON shape is the `status.schedulingDiagnosis` contract of `fedplan schedule
//! --explain`: `{clusters: [{name, feasible, filteredBy: {plugin, reason}?, scores: {PLUGIN:
//! n}, availableReplicas?, assignedReplicas?}], affinityName?, groups?: [...], message}`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// Plugin name used in `filteredBy` for a cluster skipped because it is being deleted.
pub const DELETING: &str = "ClusterDeleting";

/// The diagnosis of one scheduling decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnosis {
    /// Every cluster given to the scheduler, in name order.
    pub clusters: Vec<ClusterDiagnosis>,
    /// The `clusterAffinities` term the decision was made with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity_name: Option<String>,
    /// Topology groups built for spread constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupDiagnosis>,
    /// The Scheduled condition's message.
    pub message: String,
}

/// What happened to one cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterDiagnosis {
    /// Cluster name.
    pub name: String,
    /// Whether every filter passed.
    pub feasible: bool,
    /// The first filter (in plugin order) that rejected the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filtered_by: Option<FilteredBy>,
    /// Score per score plugin (feasible clusters only).
    #[serde(default)]
    pub scores: BTreeMap<String, i64>,
    /// The estimator's answer, before the replicas already held there are added back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_replicas: Option<i64>,
    /// Replicas in the result (0 for a selected cluster of a non-workload); absent when the
    /// cluster is not in the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_replicas: Option<i64>,
}

/// The rejecting filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilteredBy {
    /// Plugin name.
    pub plugin: String,
    /// The plugin's reason.
    pub reason: String,
}

/// One topology group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupDiagnosis {
    /// `region`, `zone` or `provider`.
    pub field: String,
    /// Group name.
    pub name: String,
    /// Group score.
    pub score: i64,
    /// Sum of the members' available replicas (including replicas already held).
    pub available_replicas: i64,
    /// Member clusters, in scheduler order.
    pub clusters: Vec<String>,
}

impl Diagnosis {
    /// A fixed-column plain-text table of the decision, for terminals.
    ///
    /// ```
    /// use fedplan::scheduler::diagnosis::{ClusterDiagnosis, Diagnosis};
    /// let d = Diagnosis {
    ///     clusters: vec![ClusterDiagnosis { name: "m1".into(), feasible: true, ..Default::default() }],
    ///     message: "Binding has been scheduled successfully.".into(),
    ///     ..Default::default()
    /// };
    /// assert!(d.render_table().starts_with("CLUSTER"));
    /// ```
    pub fn render_table(&self) -> String {
        let dash = |v: Option<i64>| v.map_or_else(|| "-".to_string(), |n| n.to_string());
        let header = [
            "CLUSTER",
            "FEASIBLE",
            "SCORE",
            "AVAILABLE",
            "ASSIGNED",
            "FILTERED BY",
        ];
        let rows: Vec<[String; 6]> = self
            .clusters
            .iter()
            .map(|c| {
                [
                    c.name.clone(),
                    if c.feasible { "yes" } else { "no" }.to_string(),
                    if c.feasible {
                        c.scores.values().sum::<i64>().to_string()
                    } else {
                        "-".to_string()
                    },
                    dash(c.available_replicas),
                    dash(c.assigned_replicas),
                    c.filtered_by.as_ref().map_or_else(
                        || "-".to_string(),
                        |f| format!("{}: {}", f.plugin, f.reason),
                    ),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for r in &rows {
            for (w, cell) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: &[&str]| {
            let mut l = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                if i + 1 == cells.len() {
                    l.push_str(cell);
                } else {
                    let _ = write!(l, "{cell:<w$}  ");
                }
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        line(&header);
        for r in &rows {
            let cells: Vec<&str> = r.iter().map(String::as_str).collect();
            line(&cells);
        }
        if let Some(a) = &self.affinity_name {
            let _ = writeln!(out, "affinity: {a}");
        }
        for g in &self.groups {
            let _ = writeln!(
                out,
                "group {}={}: score {}, available {}, clusters {}",
                g.field,
                g.name,
                g.score,
                g.available_replicas,
                g.clusters.join(",")
            );
        }
        let _ = writeln!(out, "message: {}", self.message);
        out
    }
}
