//! Tests' small corpora: files written to a temporary folder and indexed, with the summary.

use std::path::Path;

use tempfile::TempDir;

/// A corpus on disk and its index; both folders live as long as this does.
pub(crate) struct Indexed {
    /// The documents' folder, kept until the test ends (hits point into it).
    docs: TempDir,
    /// The index's folder.
    pub(crate) index: TempDir,
    /// What indexing them did.
    pub(crate) summary: crate::Summary,
}

impl Indexed {
    pub(crate) fn path(&self) -> &Path {
        self.index.path()
    }

    /// The documents' folder (hits' locations start with it).
    pub(crate) fn docs_path(&self) -> &Path {
        self.docs.path()
    }
}

/// Writes `files` (relative path, content) into a new folder and indexes it.
pub(crate) fn index_files(files: &[(&str, &str)]) -> Indexed {
    let docs = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = docs.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let index = tempfile::tempdir().unwrap();
    let summary = crate::index(
        index.path(),
        &[docs.path().to_path_buf()],
        &crate::IndexOptions::default(),
        &crate::NoProgress,
    )
    .unwrap();
    Indexed { docs, index, summary }
}

/// A Terraform resource block with `settings` plain arguments: long, as a module's real
/// resources are, so that short blocks mentioning it restate a question's words more densely.
pub(crate) fn long_resource(ty: &str, name: &str, settings: usize) -> String {
    let mut block = format!("resource \"{ty}\" \"{name}\" {{\n");
    for i in 0..settings {
        block.push_str(&format!("  setting_{i} = var.setting_{i}\n"));
    }
    block.push_str("}\n");
    block
}
