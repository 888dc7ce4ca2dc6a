//! Job completions in Divided scheduling: Karmada's binding controller splits a Job's
//! `spec.completions` across the target clusters in proportion to the replicas each cluster
//! was assigned (after ReviseReplica has set `spec.parallelism`), and only when the template
//! sets `completions`.

use serde_json::Value;

use crate::interpreter::object::{as_map_mut, malformed, strict_int};
use crate::interpreter::{InterpreterError, Operation};

/// The completions each target cluster runs, or `None` when the Job does not set
/// `spec.completions`. `targets` are `(cluster, assigned replicas)` as scheduled.
///
/// Shares follow Karmada's weighted dispenser: clusters ordered by weight (descending), then
/// name; each gets `floor(weight × completions / Σweight)` and the remainder goes one by one
/// to the clusters in that order.
///
/// ```
/// use fedplan::interpreter::native::divide_job_completions;
/// let job = serde_json::json!({"apiVersion": "batch/v1", "kind": "Job",
///     "spec": {"completions": 10, "parallelism": 4}});
/// let shares = divide_job_completions(&job, &[("a".into(), 1), ("b".into(), 3)]).unwrap();
/// assert_eq!(shares, Some(vec![("b".to_string(), 8), ("a".to_string(), 2)]));
/// ```
pub fn divide_job_completions(
    job: &Value,
    targets: &[(String, i32)],
) -> Result<Option<Vec<(String, i64)>>, InterpreterError> {
    let op = Operation::ReviseReplica;
    let Some(completions) = strict_int(op, job, &["spec", "completions"])? else {
        return Ok(None);
    };
    if completions < 0 {
        return Err(malformed(
            op,
            job,
            "spec.completions",
            format!("negative value {completions}"),
        ));
    }
    let mut weighted: Vec<(&str, i64)> = targets
        .iter()
        .map(|(name, replicas)| (name.as_str(), i64::from(*replicas).max(0)))
        .collect();
    let sum: i64 = weighted.iter().map(|(_, w)| w).sum();
    if sum == 0 {
        return Ok(Some(Vec::new()));
    }
    weighted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let mut shares: Vec<(String, i64)> = weighted
        .iter()
        .map(|(name, w)| {
            let share = (i128::from(*w) * i128::from(completions) / i128::from(sum)) as i64;
            ((*name).to_string(), share)
        })
        .collect();
    let mut remain = completions - shares.iter().map(|(_, s)| s).sum::<i64>();
    for share in shares.iter_mut() {
        if remain == 0 {
            break;
        }
        share.1 += 1;
        remain -= 1;
    }
    Ok(Some(shares))
}

/// `job` with `spec.completions` set to `completions` (only when the field exists, as
/// Karmada only rewrites an existing field).
pub fn revise_job_completions(job: &Value, completions: i64) -> Value {
    let mut out = job.clone();
    if let Some(spec) = out.get_mut("spec") {
        let spec = as_map_mut(spec);
        if spec.get("completions").is_some_and(|v| !v.is_null()) {
            spec.insert("completions".into(), Value::from(completions));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn completions_follow_assigned_replicas() {
        let job = json!({"spec": {"completions": 7}});
        let t = |v: &[(&str, i32)]| {
            v.iter()
                .map(|(n, r)| (n.to_string(), *r))
                .collect::<Vec<_>>()
        };
        type Case = (Vec<(String, i32)>, Vec<(&'static str, i64)>);
        let cases: Vec<Case> = vec![
            (t(&[("a", 1), ("b", 1)]), vec![("a", 4), ("b", 3)]),
            (t(&[("a", 2), ("b", 5)]), vec![("b", 5), ("a", 2)]),
            (t(&[("x", 0), ("y", 3)]), vec![("y", 7), ("x", 0)]),
        ];
        for (targets, want) in cases {
            let got = divide_job_completions(&job, &targets).unwrap().unwrap();
            let want: Vec<(String, i64)> =
                want.into_iter().map(|(n, s)| (n.to_string(), s)).collect();
            assert_eq!(got, want);
            assert_eq!(got.iter().map(|(_, s)| s).sum::<i64>(), 7);
        }
        assert_eq!(
            divide_job_completions(&json!({"spec": {}}), &t(&[("a", 1)])).unwrap(),
            None
        );
        assert_eq!(revise_job_completions(&job, 3)["spec"]["completions"], 3);
        assert_eq!(
            revise_job_completions(&json!({"spec": {}}), 3),
            json!({"spec": {}})
        );
    }
}
