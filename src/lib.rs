//! # fedplan
//!
//! Karmada's multi-cluster decisions as an embeddable Rust library: which policy claims a
//! resource template, which clusters receive it and how many replicas each gets, what each
//! cluster's copy looks like after overrides, how member statuses aggregate back, and an
//! in-memory control plane that runs Karmada's whole loop deterministically.
//!
//! Layers, from the bottom up (nothing imports from a layer above it):
//! - basics: [`api`] (Karmada's API objects with their exact JSON names), [`selector`],
//!   [`resource`] (templates as JSON);
//! - decisions: [`policy`], [`scheduler`], [`overrides`], [`interpreter`], [`failover`],
//!   [`rollout`];
//! - [`controlplane`]: the loop over simulated member clusters.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
#[cfg(feature = "cli")]
pub mod cli;
pub mod controlplane;
pub mod failover;
pub mod interpreter;
pub mod load;
pub mod overrides;
pub mod plan;
pub mod policy;
pub mod render;
pub mod resource;
pub mod rollout;
pub mod scheduler;
pub mod selector;
