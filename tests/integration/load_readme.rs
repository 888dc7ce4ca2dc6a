//! The library example of README.md, kept compiling and true.
#![cfg(feature = "yaml")]

use fedplan::load::{Loader, Object};

#[test]
fn readme_library_example() {
    let quickstart = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart");
    let loaded = Loader::new().objects(&[quickstart], &mut std::io::empty());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let mut templates = Vec::new();
    for item in &loaded.items {
        if let Object::Template(template) = &item.object {
            templates.push(format!(
                "{}: template {}",
                item.origin,
                template.object_ref()
            ));
        }
    }
    assert_eq!(templates.len(), 1);
    assert!(templates[0].ends_with("deployment.yaml document 1: template Deployment default/nginx"));
    assert_eq!(loaded.items.len(), 5);
}
