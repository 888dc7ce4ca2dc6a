//! Declarative customizations (placeholder while being written).
