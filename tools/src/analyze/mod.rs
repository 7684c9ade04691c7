//! Analyzers.
