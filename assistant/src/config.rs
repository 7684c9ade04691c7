//! Where things are: the index directory and the bundled demo workspace.
//!
//! Precedence follows DESIGN §7: flag, then environment, then the config file, then defaults.

use std::path::{Path, PathBuf};

use crate::config_file::Source;

/// The index directory: `--index`, else `$SLEUTH_INDEX`, else the config file's `index`, else
/// `$XDG_DATA_HOME/sleuth/index`
/// (`~/.local/share/sleuth/index` when XDG_DATA_HOME is unset). The second value tells whether
/// the location is the default one (only then may search build the demo index on its own).
pub fn index_dir(flag: Option<&Path>) -> (PathBuf, bool) {
    let (dir, source) = index_location(flag);
    (dir, source == Source::Default)
}

/// The index directory and where that choice came from (`sleuth config` shows it).
pub fn index_location(flag: Option<&Path>) -> (PathBuf, Source) {
    if let Some(p) = flag {
        return (p.to_path_buf(), Source::Flag);
    }
    if let Some(p) = std::env::var_os("SLEUTH_INDEX").filter(|v| !v.is_empty()) {
        return (PathBuf::from(p), Source::Environment);
    }
    if let Some(p) = &crate::config_file::get().index {
        return (p.clone(), Source::File);
    }
    (data_dir().join("index"), Source::Default)
}

/// `$XDG_DATA_HOME/sleuth`, else `~/.local/share/sleuth`, else `./.sleuth`.
pub fn data_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(p).join("sleuth");
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => PathBuf::from(home).join(".local/share/sleuth"),
        None => PathBuf::from(".sleuth"),
    }
}

/// The bundled demo workspace: `$SLEUTH_DEMO`, else `docs-index/` of the source tree this
/// binary was built from (so `cargo run` works from any directory).
pub fn demo_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("SLEUTH_DEMO").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("docs-index");
    dir.canonicalize().unwrap_or(dir)
}

/// The parts of the demo workspace that hold documents (the cluster snapshot and graphs are
/// for other commands).
pub fn demo_document_dirs() -> Vec<PathBuf> {
    let root = demo_dir();
    ["confluence", "notion", "terraform"].iter().map(|d| root.join(d)).filter(|p| p.exists()).collect()
}
