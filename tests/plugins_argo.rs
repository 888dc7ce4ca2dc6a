//! The Argo Workflow plugin against Karmada's testdata, through the compiled component.
#![cfg(feature = "wasm")]

mod plugins_support;

#[test]
fn workflow_vectors() {
    plugins_support::run_vectors("argoproj.io/v1alpha1/Workflow.json", &[]);
}
