//! Every Karmada fixture (CRDs, samples, examples, documentation blocks) loads without error.
#![cfg(feature = "yaml")]

use std::path::PathBuf;

use fedplan::load::{KarmadaKind, Loader, Object};

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/fixtures/karmada"
    ))
}

#[test]
fn every_fixture_loads() {
    let root = fixtures();
    let loaded = Loader::new().objects(&[&root], &mut std::io::empty());
    let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // 100 files, several with more than one document.
    assert!(loaded.items.len() >= 100, "{}", loaded.items.len());
}

#[test]
fn each_fixture_file_loads_on_its_own() {
    let mut files = Vec::new();
    let mut stack = vec![fixtures()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 100);
    for file in files {
        let loaded = Loader::new().objects(&[&file], &mut std::io::empty());
        assert!(loaded.is_ok(), "{}: {:?}", file.display(), loaded.errors);
        assert!(!loaded.items.is_empty(), "{} has no object", file.display());
        for item in &loaded.items {
            assert!(item
                .origin
                .file
                .ends_with(file.file_name().unwrap().to_str().unwrap()));
            assert!(item.origin.document >= 1);
        }
    }
}

#[test]
fn crds_are_templates_and_policies_are_karmada_objects() {
    let root = fixtures();
    let loaded = Loader::new().objects(&[root.join("crds")], &mut std::io::empty());
    assert!(loaded.is_ok());
    assert_eq!(loaded.items.len(), 9);
    for item in &loaded.items {
        assert!(
            matches!(&item.object, Object::Template(r) if r.kind() == "CustomResourceDefinition")
        );
    }
    let loaded = Loader::new().objects(&[root.join("samples/nginx")], &mut std::io::empty());
    let kinds: Vec<Option<KarmadaKind>> = loaded
        .items
        .iter()
        .map(|item| match &item.object {
            Object::Karmada(object) => Some(object.kind),
            Object::Template(_) => None,
        })
        .collect();
    assert_eq!(
        kinds,
        [
            None,
            Some(KarmadaKind::OverridePolicy),
            Some(KarmadaKind::PropagationPolicy)
        ]
    );
}

#[test]
fn directories_are_read_sorted_by_path() {
    let root = fixtures().join("samples");
    let loaded = Loader::new().resources(&[&root], &mut std::io::empty());
    let files: Vec<&str> = loaded
        .items
        .iter()
        .map(|d| d.origin.file.as_str())
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert!(files.first().unwrap().ends_with("guestbook/guestbook.yaml"));
}
