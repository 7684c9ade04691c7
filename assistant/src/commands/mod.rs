//! One module per subcommand.

pub mod ask;
pub mod changes;
pub mod cluster;
pub mod config;
pub mod graph;
pub mod index;
pub mod search;
