//! sleuth's own snapshot layout, written by `sleuth snapshot -o DIR`:
//!
//! ```text
//! DIR/snapshot.json                       format, capture time, context, server version,
//!                                         namespaces, counts, what could not be read and why
//! DIR/resources/<kind>.json               one List per captured kind (`pods.json`,
//!                                         `events.events.k8s.io.json`, …), all namespaces
//! DIR/logs/<ns>/<pod>/<container>.log     current container log (bounded tail)
//! DIR/logs/<ns>/<pod>/<container>.previous.log
//! ```
//!
//! A kind without a file was not captured; one listed under `unreadable` could not be read.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::data::{CaptureInfo, ClusterData, LogKey, LogText};
use crate::error::{Error, Result};
use crate::kind::Kind;

/// The file that marks a directory as a sleuth snapshot.
pub const INFO_FILE: &str = "snapshot.json";
/// The `format` value of [`INFO_FILE`].
pub const FORMAT: &str = "sleuth-snapshot/v1";

#[derive(Serialize, Deserialize)]
struct Info {
    format: String,
    #[serde(flatten)]
    capture: CaptureInfo,
    #[serde(default)]
    counts: BTreeMap<String, usize>,
    #[serde(default)]
    unreadable: BTreeMap<String, String>,
    #[serde(default)]
    logs_unavailable: Vec<UnavailableLog>,
    #[serde(default)]
    problems: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct UnavailableLog {
    #[serde(flatten)]
    key: LogKey,
    reason: String,
}

/// Read a sleuth snapshot directory.
pub fn load(root: &Path) -> Result<ClusterData> {
    let info_path = root.join(INFO_FILE);
    let text = std::fs::read_to_string(&info_path).map_err(|e| Error::io(&info_path, e))?;
    let info: Info = serde_json::from_str(&text).map_err(|e| Error::NotASnapshot {
        path: info_path.clone(),
        reason: format!("line {}: {e}", e.line()),
    })?;
    if info.format != FORMAT {
        return Err(Error::NotASnapshot {
            path: info_path,
            reason: format!("format {:?} is not {FORMAT:?}; this sleuth cannot read it", info.format),
        });
    }
    let mut data = ClusterData { info: info.capture, ..ClusterData::default() };
    for (name, reason) in info.unreadable {
        match name.parse::<Kind>() {
            Ok(kind) => data.mark_unreadable(kind, reason),
            Err(_) => data
                .problems
                .push(problem(INFO_FILE, format!("unknown kind {name:?} under unreadable; ignored"))),
        }
    }
    let resources = root.join("resources");
    if let Ok(entries) = std::fs::read_dir(&resources) {
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let shown = super::shown(root, &path);
            let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let Some(stem) = file.strip_suffix(".json").or_else(|| file.strip_suffix(".yaml")) else {
                data.problems.push(problem(&shown, "not a .json or .yaml list; ignored".to_string()));
                continue;
            };
            match Kind::ALL.iter().copied().find(|k| k.name() == stem) {
                Some(kind) => super::add_file(&mut data, kind, &path, &shown),
                None => data.problems.push(problem(&shown, format!("unknown kind {stem:?}; ignored"))),
            }
        }
    } else {
        data.problems.push(problem("resources/", "missing: no objects in this snapshot".to_string()));
    }
    read_logs(root, &mut data);
    for u in info.logs_unavailable {
        data.insert_log(u.key, LogText::Unavailable(u.reason));
    }
    Ok(data)
}

fn problem(path: &str, reason: String) -> crate::data::Problem {
    crate::data::Problem { path: path.to_string(), line: None, reason }
}

fn read_logs(root: &Path, data: &mut ClusterData) {
    let logs = root.join("logs");
    for entry in
        walkdir::WalkDir::new(&logs).min_depth(3).max_depth(3).sort_by_file_name().into_iter().flatten()
    {
        let path = entry.path();
        let rel: Vec<String> = path
            .strip_prefix(&logs)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let [ns, pod, file] = rel.as_slice() else { continue };
        let (container, previous) = match file.strip_suffix(".previous.log") {
            Some(c) => (c, true),
            None => match file.strip_suffix(".log") {
                Some(c) => (c, false),
                None => continue,
            },
        };
        let key =
            LogKey { namespace: ns.clone(), pod: pod.clone(), container: container.to_string(), previous };
        match std::fs::read(path) {
            Ok(bytes) => data.insert_log(key, LogText::Text(String::from_utf8_lossy(&bytes).into_owned())),
            Err(e) => data.problems.push(problem(&super::shown(root, path), e.to_string())),
        }
    }
}

/// Write `data` as a sleuth snapshot into `dir` (created if needed).
pub fn write(data: &ClusterData, dir: &Path) -> Result<()> {
    let io = |p: &Path, e| Error::io(p, e);
    let resources = dir.join("resources");
    std::fs::create_dir_all(&resources).map_err(|e| io(&resources, e))?;
    let mut counts = BTreeMap::new();
    for &kind in &data.captured {
        let items = data.objects.json_items(kind, None);
        counts.insert(kind.name(), items.len());
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
        let path = resources.join(format!("{}.json", kind.name()));
        let file = std::fs::File::create(&path).map_err(|e| io(&path, e))?;
        serde_json::to_writer_pretty(std::io::BufWriter::new(file), &list)
            .map_err(|e| io(&path, std::io::Error::other(e)))?;
    }
    let mut logs_unavailable = Vec::new();
    for (key, text) in &data.logs {
        match text {
            LogText::Text(t) => {
                let folder = dir.join("logs").join(&key.namespace).join(&key.pod);
                std::fs::create_dir_all(&folder).map_err(|e| io(&folder, e))?;
                let suffix = if key.previous { "previous.log" } else { "log" };
                let path = folder.join(format!("{}.{suffix}", key.container));
                std::fs::write(&path, t).map_err(|e| io(&path, e))?;
            }
            LogText::Unavailable(reason) => {
                logs_unavailable.push(UnavailableLog { key: key.clone(), reason: reason.clone() });
            }
        }
    }
    let info = Info {
        format: FORMAT.to_string(),
        capture: data.info.clone(),
        counts,
        unreadable: data.unreadable.iter().map(|(k, r)| (k.name(), r.clone())).collect(),
        logs_unavailable,
        problems: data.problems.iter().map(ToString::to_string).collect(),
    };
    let path = dir.join(INFO_FILE);
    let text = serde_json::to_string_pretty(&info).map_err(|e| io(&path, std::io::Error::other(e)))?;
    std::fs::write(&path, text + "\n").map_err(|e| io(&path, e))
}
