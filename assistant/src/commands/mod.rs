//! One module per subcommand.

pub mod cluster;
pub mod index;
pub mod search;
