//! `kubectl cluster-info dump`, with `--output-directory` and on stdout.
//!
//! ```text
//! DIR/nodes.json
//! DIR/<namespace>/{events,services,daemonsets,deployments,replicasets,pods}.json
//! DIR/<namespace>/replication-controllers.json     (read, not used)
//! DIR/<namespace>/<pod>/logs.txt                   every container between START/END markers
//! ```
//!
//! A dump holds only some kinds and only some namespaces; everything else is "not in snapshot".
//! The stdout form is the same lists as consecutive JSON documents interleaved with the log
//! sections; a streaming deserializer reads the documents between the markers.

use std::path::Path;

use serde_json::value::RawValue;

use super::{ListFile, add_file, kind_of_list, shown};
use crate::data::{ClusterData, LogKey, LogText, Problem};
use crate::error::{Error, Result};
use crate::kind::Kind;

/// Lists a dump writes that sleuth reads but does not model.
const IGNORED: &[&str] = &["replication-controllers"];

/// Whether a directory looks like an `--output-directory` dump.
pub fn looks_like(dir: &Path) -> bool {
    let has = |d: &Path, stem: &str| {
        d.join(format!("{stem}.json")).is_file() || d.join(format!("{stem}.yaml")).is_file()
    };
    has(dir, "nodes")
        || std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| e.path().is_dir() && (has(&e.path(), "pods") || has(&e.path(), "events")))
}

fn stem_kind(stem: &str) -> Option<Kind> {
    Kind::ALL.iter().copied().find(|k| k.info().dump == Some(stem)).or_else(|| stem.parse().ok())
}

/// Read an `--output-directory` dump.
pub fn load_dir(root: &Path) -> Result<ClusterData> {
    let mut data = ClusterData::default();
    data.info.source = format!("kubectl cluster-info dump in {}", root.display());
    let mut entries: Vec<_> =
        std::fs::read_dir(root).map_err(|e| Error::io(root, e))?.flatten().map(|e| e.path()).collect();
    entries.sort();
    let mut namespaces = Vec::new();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if path.is_dir() {
            namespaces.push(name);
            read_namespace(root, &path, &mut data);
        } else {
            read_list(root, &path, &mut data);
        }
    }
    data.info.namespaces = namespaces;
    Ok(data)
}

fn read_list(root: &Path, path: &Path, data: &mut ClusterData) {
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let Some(stem) = [".json", ".yaml", ".txt"].iter().find_map(|ext| file.strip_suffix(ext)) else { return };
    let shown = shown(root, path);
    if IGNORED.contains(&stem) {
        return;
    }
    if file.ends_with(".txt") {
        data.problems.push(Problem {
            path: shown,
            line: None,
            reason: "dumped with -o other than json/yaml; cannot be read".into(),
        });
        return;
    }
    match stem_kind(stem) {
        Some(kind) => add_file(data, kind, path, &shown),
        None => data.problems.push(Problem {
            path: shown,
            line: None,
            reason: format!("unknown kind {stem:?}; ignored"),
        }),
    }
}

fn read_namespace(root: &Path, dir: &Path, data: &mut ClusterData) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            let logs = path.join("logs.txt");
            if logs.is_file() {
                match std::fs::read(&logs) {
                    Ok(bytes) => {
                        parse_logs(&String::from_utf8_lossy(&bytes), data);
                    }
                    Err(e) => data.problems.push(Problem {
                        path: shown(root, &logs),
                        line: None,
                        reason: e.to_string(),
                    }),
                }
            }
        } else {
            read_list(root, &path, data);
        }
    }
}

/// `==== START logs for container C of pod NS/POD ====` → (C, NS, POD).
fn marker<'a>(line: &'a str, word: &str) -> Option<(&'a str, &'a str, &'a str)> {
    let rest =
        line.trim_end().strip_prefix("==== ")?.strip_prefix(word)?.strip_prefix(" logs for container ")?;
    let rest = rest.strip_suffix(" ====")?;
    let (container, pod) = rest.split_once(" of pod ")?;
    let (ns, pod) = pod.split_once('/')?;
    Some((container, ns, pod))
}

/// Whether a log section is the error line kubectl writes instead of logs.
fn log_error(text: &str) -> Option<&str> {
    let t = text.trim();
    (!t.contains('\n') && (t.starts_with("Create log request error") || t.starts_with("Request log error")))
        .then_some(t)
}

/// Parse text holding log sections (a `logs.txt`, or a dump's stdout); returns the text
/// outside the sections, in order.
fn parse_logs(text: &str, data: &mut ClusterData) -> String {
    let mut outside = String::new();
    let mut current: Option<(LogKey, String)> = None;
    for line in text.split_inclusive('\n') {
        if let Some((c, ns, pod)) = marker(line, "START") {
            let key = LogKey { namespace: ns.into(), pod: pod.into(), container: c.into(), previous: false };
            current = Some((key, String::new()));
        } else if marker(line, "END").is_some() {
            if let Some((key, body)) = current.take() {
                let text = match log_error(&body) {
                    Some(e) => LogText::Unavailable(e.to_string()),
                    None => LogText::Text(body),
                };
                data.insert_log(key, text);
            }
        } else if let Some((_, body)) = &mut current {
            body.push_str(line);
        } else {
            outside.push_str(line);
        }
    }
    // A section cut off by the end of the file still holds useful lines.
    if let Some((key, body)) = current {
        data.insert_log(key, LogText::Text(body));
    }
    outside
}

/// Read the stdout form from a file.
pub fn load_stdout(path: &Path) -> Result<ClusterData> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let shown = path.display().to_string();
    let text = String::from_utf8_lossy(&bytes);
    let mut data = ClusterData::default();
    data.info.source = format!("kubectl cluster-info dump output in {shown}");
    let json = parse_logs(&text, &mut data);
    if !json.trim_start().starts_with('{') {
        return Err(Error::NotASnapshot {
            path: path.to_path_buf(),
            reason: "expected the JSON output of `kubectl cluster-info dump` (or a .tar.gz support bundle)"
                .into(),
        });
    }
    let mut namespaces: Vec<String> = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(&json).into_iter::<Box<RawValue>>();
    loop {
        let doc = match stream.next() {
            None => break,
            Some(Ok(doc)) => doc,
            Some(Err(e)) => {
                let line = json[..stream.byte_offset()].lines().count().max(1);
                let reason = if e.is_eof() {
                    "truncated JSON: the output ends in the middle of a list"
                } else {
                    "not valid JSON"
                };
                data.problems.push(Problem {
                    path: shown.clone(),
                    line: Some(line),
                    reason: format!("{reason}: {e}; the rest is skipped"),
                });
                break;
            }
        };
        let file = ListFile::from_text(doc.get().to_string());
        match file.items(&shown) {
            Ok((items, Some(list_kind))) => match kind_of_list(&list_kind) {
                Some(kind) => {
                    for ns in items.iter().filter_map(|i| namespace_of(i)) {
                        if !namespaces.contains(&ns) {
                            namespaces.push(ns);
                        }
                    }
                    data.insert_raw(kind, &items, &shown);
                }
                None if list_kind == "ReplicationControllerList" => {}
                None => data.problems.push(Problem {
                    path: shown.clone(),
                    line: None,
                    reason: format!("unknown list kind {list_kind:?}; ignored"),
                }),
            },
            Ok((_, None)) => data.problems.push(Problem {
                path: shown.clone(),
                line: None,
                reason: "a document without a kind; ignored".into(),
            }),
            Err(p) => data.problems.push(p),
        }
    }
    namespaces.sort();
    data.info.namespaces = namespaces;
    Ok(data)
}

fn namespace_of(item: &RawValue) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct M {
        metadata: Option<N>,
    }
    #[derive(serde::Deserialize)]
    struct N {
        namespace: Option<String>,
    }
    serde_json::from_str::<M>(item.get()).ok()?.metadata?.namespace
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sections_are_split_by_container_and_errors_recognised() {
        let mut data = ClusterData::default();
        let text = "==== START logs for container app of pod shop/web-1 ====\nline 1\nline 2\n==== END logs for container app of pod shop/web-1 ====\n\
                    ==== START logs for container init of pod shop/web-1 ====\nRequest log error: the server rejected our request (get pods web-1)\n==== END logs for container init of pod shop/web-1 ====\n";
        let outside = parse_logs(text, &mut data);
        assert!(outside.is_empty());
        let key = |c: &str| LogKey {
            namespace: "shop".into(),
            pod: "web-1".into(),
            container: c.into(),
            previous: false,
        };
        assert_eq!(data.logs[&key("app")], LogText::Text("line 1\nline 2\n".into()));
        assert!(
            matches!(&data.logs[&key("init")], LogText::Unavailable(e) if e.starts_with("Request log error"))
        );
    }
}
