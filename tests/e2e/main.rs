//! End-to-end tests: the real `sleuth` binary, real files, a real index on disk.
//! One test binary (as ripgrep does), one module per area.

mod abuse;
mod bad_input;
mod changes;
mod chat;
mod cluster;
mod cluster_scenarios;
mod config;
mod graph;
mod index;
mod live;
mod llm;
mod mcp;
mod scenarios;
mod search;
mod serve;
