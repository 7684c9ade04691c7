//! Reading (and, for sleuth's own layout, writing) cluster snapshots.
//!
//! [`load`] detects the layout and hands every list to [`ClusterData`]:
//! - sleuth's own (`snapshot.json` + `resources/<kind>.json` + `logs/`), see [`own`];
//! - `kubectl cluster-info dump`, both `--output-directory` and stdout forms, see [`dump`];
//! - a troubleshoot support bundle, unpacked or as its `.tar.gz`, see [`bundle`].
//!
//! A bad file (truncated JSON, unknown kind, an item that does not parse) becomes a
//! [`Problem`] with its path and line; the rest still loads. A kind with no
//! file at all is simply not captured, so rules that need it say "cannot verify".

pub mod bundle;
pub mod dump;
pub mod own;

use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::data::{ClusterData, Problem};
use crate::error::{Error, Result};
use crate::kind::Kind;

/// Load a snapshot from a directory (any layout) or a single file (dump stdout, bundle archive).
pub fn load(path: &Path) -> Result<ClusterData> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let mut data = if meta.is_file() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            bundle::load_archive(path)?
        } else {
            dump::load_stdout(path)?
        }
    } else if path.join(own::INFO_FILE).is_file() {
        own::load(path)?
    } else if let Some(root) = bundle::find_root(path) {
        bundle::load_dir(&root)?
    } else if dump::looks_like(path) {
        dump::load_dir(path)?
    } else {
        return Err(Error::NotASnapshot {
            path: path.to_path_buf(),
            reason: format!(
                "expected {} (sleuth snapshot), cluster-resources/ (support bundle) or nodes.json and namespace folders (kubectl cluster-info dump)",
                own::INFO_FILE
            ),
        });
    };
    data.finish();
    Ok(data)
}

/// Items of one list file: a `…List` object, a bare array, or a single object.
pub(crate) struct ListFile {
    /// The text the raw items borrow from (JSON, converted from YAML when needed).
    text: String,
}

#[derive(Deserialize)]
struct ListShape<'a> {
    #[serde(borrow)]
    items: Option<Vec<&'a RawValue>>,
    kind: Option<String>,
    metadata: Option<&'a RawValue>,
}

impl ListFile {
    /// Read a `.json` or `.yaml` file; a parse failure is a [`Problem`] with the line.
    pub(crate) fn read(path: &Path, shown: &str) -> std::result::Result<ListFile, Problem> {
        let bytes = std::fs::read(path).map_err(|e| Problem {
            path: shown.to_string(),
            line: None,
            reason: e.to_string(),
        })?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let text = if name.ends_with(".yaml") || name.ends_with(".yml") {
            let value: serde_json::Value = serde_yaml_ng::from_slice(&bytes).map_err(|e| Problem {
                path: shown.to_string(),
                line: e.location().map(|l| l.line()),
                reason: format!("not valid YAML: {e}"),
            })?;
            value.to_string()
        } else {
            String::from_utf8(bytes).map_err(|e| Problem {
                path: shown.to_string(),
                line: None,
                reason: format!("not UTF-8 text: {e}"),
            })?
        };
        Ok(ListFile { text })
    }

    /// From text already in memory (a document of a dump's stdout).
    pub(crate) fn from_text(text: String) -> ListFile {
        ListFile { text }
    }

    /// The raw items and the `kind` of the list, if it says.
    pub(crate) fn items(
        &self,
        shown: &str,
    ) -> std::result::Result<(Vec<&RawValue>, Option<String>), Problem> {
        let problem = |e: serde_json::Error| Problem {
            path: shown.to_string(),
            line: Some(e.line()),
            reason: if e.is_eof() {
                "truncated JSON: the file ends in the middle of a value; skipped".to_string()
            } else {
                format!("not valid JSON: {e}; skipped")
            },
        };
        let trimmed = self.text.trim_start();
        if trimmed.starts_with('[') {
            return serde_json::from_str::<Vec<&RawValue>>(&self.text).map(|v| (v, None)).map_err(problem);
        }
        let shape: ListShape<'_> = serde_json::from_str(&self.text).map_err(problem)?;
        match (shape.items, shape.metadata) {
            (Some(items), _) => Ok((items, shape.kind)),
            // A single object rather than a list.
            (None, Some(_)) => {
                let whole: &RawValue = serde_json::from_str(&self.text).map_err(problem)?;
                Ok((vec![whole], shape.kind))
            }
            (None, None) => Err(Problem {
                path: shown.to_string(),
                line: None,
                reason: "no items and no object; skipped".to_string(),
            }),
        }
    }
}

/// Add one list file of `kind` to `data`, recording problems.
pub(crate) fn add_file(data: &mut ClusterData, kind: Kind, path: &Path, shown: &str) {
    match ListFile::read(path, shown) {
        Ok(file) => match file.items(shown) {
            Ok((items, _)) => data.insert_raw(kind, &items, shown),
            Err(p) => data.problems.push(p),
        },
        Err(p) => data.problems.push(p),
    }
}

/// The kind a list's `kind` field (`PodList`) names.
pub(crate) fn kind_of_list(list_kind: &str) -> Option<Kind> {
    let singular = list_kind.strip_suffix("List")?;
    Kind::ALL.iter().copied().find(|k| {
        k.info().kind == singular && !matches!(k, Kind::EventV1 | Kind::PodMetrics | Kind::NodeMetrics)
    })
}

/// Path relative to the snapshot root, for messages.
pub(crate) fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}
