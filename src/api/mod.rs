//! Karmada's API objects as serde types, with Karmada's exact JSON field names.
//!
//! Fields fedplan does not model are kept in `extra` maps so that a round trip is lossless.
//! Optional fields are skipped when empty, as Go's `omitempty` does.

pub mod binding;
pub mod cluster;
pub mod customization;
pub mod defaults;
pub mod meta;
pub mod override_policy;
pub mod policy;
pub mod quantity;
pub mod taint_policy;
pub mod validate;
pub mod work;

pub use binding::*;
pub use cluster::*;
pub use customization::*;
pub use meta::*;
pub use override_policy::*;
pub use policy::*;
pub use quantity::{Quantity, QuantityError, ResourceList};
pub use taint_policy::*;
pub use work::*;
