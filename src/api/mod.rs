//! Karmada's API objects as serde types, with Karmada's exact JSON field names.
//!
//! Fields fedplan does not model are kept in `extra` maps so that a round trip is lossless.

pub mod binding;
pub mod customization;
pub mod meta;
pub mod quantity;

pub use binding::*;
pub use customization::*;
pub use meta::*;
pub use quantity::{Quantity, QuantityError, ResourceList};
