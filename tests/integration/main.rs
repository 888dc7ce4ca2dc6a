//! Every integration test in one binary: each module is one former test file. One binary links
//! the crate (and wasmtime) once instead of once per file, which keeps builds small and fast.

#[cfg(feature = "wasm")]
mod plugins_support;
#[cfg(feature = "yaml")]
mod support;

mod api_defaults_idempotent;
mod api_roundtrip;
mod api_validate_cases;
mod api_validate_fixtures;
mod cli_commands;
mod cli_golden;
mod cli_validate;
mod cli_yaml_output;
mod controlplane_scenarios;
mod controlplane_seed;
mod declarative_customizations;
mod failover_scenarios;
mod failover_vectors;
mod interpreter_contract;
mod interpreter_native_vectors;
mod interpreter_rollout;
mod interpreter_thirdparty_vectors;
mod load_fixtures;
mod load_proptest;
mod load_readme;
mod overrides_apply;
mod overrides_props;
mod overrides_vectors;
mod plan_pipeline;
mod plugins_cli;
mod plugins_vectors;
mod policy_matching;
mod policy_proptest;
mod rollout_props;
mod rollout_scenarios;
mod scheduler_assign_props;
mod scheduler_assign_vectors;
mod scheduler_estimator_vectors;
mod scheduler_pipeline;
mod scheduler_pipeline_assign;
mod scheduler_properties;
mod scheduler_vectors;
mod schema_coverage;
mod schema_fixtures;
mod selector_cluster_affinity;
mod selector_proptest;
mod upstream_vectors;
mod wasm_plugins;
