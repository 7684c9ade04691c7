//! Troubleshoot support bundles (`support-bundle-*.tar.gz`, or unpacked).
//!
//! ```text
//! <root>/cluster-info/cluster_version.json
//! <root>/cluster-resources/{nodes,namespaces,pvs,storage-classes,clusterroles,clusterRoleBindings}.json
//! <root>/cluster-resources/<folder>/<namespace>.json     pods, deployments, ingress, pvcs, …
//! <root>/cluster-resources/pods/logs/<ns>/<pod>/<container>[-previous].log
//! ```
//!
//! Folder names are the bundle's own (`ingress`, `pvcs`, `network-policy`); per-namespace files
//! hold a List or a bare array. Lists the bundle collects that sleuth does not model (limit
//! ranges, CRDs, `auth-cani-list`) are passed over quietly.

use std::path::{Path, PathBuf};

use super::{add_file, shown};
use crate::data::{ClusterData, LogKey, LogText, Problem};
use crate::error::{Error, Result};
use crate::kind::Kind;

const RESOURCES: &str = "cluster-resources";

/// What a bundle collects that sleuth has no use for.
const IGNORED: &[&str] = &[
    "auth-cani-list",
    "custom-resource-definitions",
    "custom-resources",
    "groups",
    "resources",
    "limitranges",
    "image-pull-secrets",
];

/// The bundle root under `dir` (the directory holding `cluster-resources/`), if any.
pub fn find_root(dir: &Path) -> Option<PathBuf> {
    if dir.join(RESOURCES).is_dir() {
        return Some(dir.to_path_buf());
    }
    std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).find(|p| p.join(RESOURCES).is_dir())
}

/// Unpack a `.tar.gz` bundle to a temporary directory and read it.
pub fn load_archive(path: &Path) -> Result<ClusterData> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let tmp = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    // `unpack` refuses entries that would escape the directory; links are not followed.
    archive.unpack(tmp.path()).map_err(|e| Error::NotASnapshot {
        path: path.to_path_buf(),
        reason: format!("cannot unpack the archive: {e}"),
    })?;
    let root = find_root(tmp.path()).ok_or_else(|| Error::NotASnapshot {
        path: path.to_path_buf(),
        reason: format!("the archive holds no {RESOURCES}/ folder"),
    })?;
    let mut data = load_dir(&root)?;
    data.info.source = format!("support bundle {}", path.display());
    Ok(data)
}

/// Read an unpacked bundle.
pub fn load_dir(root: &Path) -> Result<ClusterData> {
    let mut data = ClusterData::default();
    data.info.source = format!("support bundle in {}", root.display());
    let version = root.join("cluster-info/cluster_version.json");
    if let Ok(text) = std::fs::read_to_string(&version) {
        data.info.server_version = serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| {
            v.get("string")
                .or_else(|| v.pointer("/info/gitVersion"))
                .and_then(|s| s.as_str())
                .map(String::from)
        });
    }
    let resources = root.join(RESOURCES);
    let mut entries: Vec<_> = std::fs::read_dir(&resources)
        .map_err(|e| Error::io(&resources, e))?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut namespaces = std::collections::BTreeSet::new();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let stem =
            name.strip_suffix(".json").or_else(|| name.strip_suffix(".yaml")).unwrap_or(&name).to_string();
        if IGNORED.contains(&stem.as_str()) {
            continue;
        }
        let kind = Kind::ALL
            .iter()
            .copied()
            .find(|k| k.info().bundle == Some(stem.as_str()))
            .or_else(|| stem.parse().ok());
        let Some(kind) = kind else {
            data.problems.push(Problem {
                path: shown(root, &path),
                line: None,
                reason: format!("unknown kind {stem:?}; ignored"),
            });
            continue;
        };
        if path.is_dir() {
            let mut files: Vec<_> =
                std::fs::read_dir(&path).into_iter().flatten().flatten().map(|e| e.path()).collect();
            files.sort();
            for file in files.iter().filter(|f| f.is_file()) {
                if let Some(ns) = file.file_stem().and_then(|s| s.to_str()) {
                    namespaces.insert(ns.to_string());
                }
                add_file(&mut data, kind, file, &shown(root, file));
            }
            // An empty folder still says the kind was collected.
            data.captured.insert(kind);
        } else {
            add_file(&mut data, kind, &path, &shown(root, &path));
        }
    }
    read_logs(root, &resources.join("pods/logs"), &mut data);
    data.info.namespaces = namespaces.into_iter().collect();
    Ok(data)
}

fn read_logs(root: &Path, logs: &Path, data: &mut ClusterData) {
    for entry in
        walkdir::WalkDir::new(logs).min_depth(3).max_depth(3).sort_by_file_name().into_iter().flatten()
    {
        let path = entry.path();
        let parts: Vec<String> = path
            .strip_prefix(logs)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let [ns, pod, file] = parts.as_slice() else { continue };
        let Some(stem) = file.strip_suffix(".log") else { continue };
        let (container, previous) = match stem.strip_suffix("-previous") {
            Some(c) => (c, true),
            None => (stem, false),
        };
        match std::fs::read(path) {
            Ok(bytes) => data.insert_log(
                LogKey {
                    namespace: ns.clone(),
                    pod: pod.clone(),
                    container: container.to_string(),
                    previous,
                },
                LogText::Text(String::from_utf8_lossy(&bytes).into_owned()),
            ),
            Err(e) => {
                data.problems.push(Problem { path: shown(root, path), line: None, reason: e.to_string() });
            }
        }
    }
}
