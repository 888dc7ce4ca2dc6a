//! The scheduler: filter plugins, score plugins, cluster selection with spread constraints,
//! replica assignment and capacity estimation, with a diagnosis of every decision.

pub mod assign;
pub mod estimator;
