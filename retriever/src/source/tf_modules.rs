//! Terraform module calls: which directory of the inputs is which module, and how callers
//! address it. `module "eks" { source = "./modules/eks" }` makes `…/modules/eks` the module
//! `modules/eks`, called as `module.eks`; calls nest; examples and tests that call the
//! configuration they exercise do not make it a module of theirs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::formats::terraform;

/// Most addresses kept for one module: a module called from every environment of a monorepo
/// is still one object, and its first few callers are enough to find it by address.
const MAX_CALLERS: usize = 8;

/// Maps the directories of called modules (of the inputs' files, by logical and disk path) to their path and callers' addresses
/// (`module "eks" { source = "./modules/eks" }` makes `…/modules/eks` the module `modules/eks`
/// called as `module.eks`), following nested calls.
pub(super) fn terraform_modules<'a>(
    files: impl Iterator<Item = (&'a str, &'a Path)>,
    inputs: &[String],
) -> HashMap<String, terraform::Module> {
    static MODULE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?ms)^\s*module\s+"([^"]+)"\s*\{(.*?)^\}"#).unwrap());
    static SOURCE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?m)^\s*source\s*=\s*"(\.{1,2}/[^"]*)""#).unwrap());
    // dir → [(module name, target dir)]
    let mut calls: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (logical, disk) in files.filter(|(l, _)| l.ends_with(".tf") || l.ends_with(".tofu")) {
        let Ok(text) = fs::read_to_string(disk) else {
            continue;
        };
        let dir = logical.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        for m in MODULE.captures_iter(&text) {
            if let Some(src) = SOURCE.captures(&m[2]) {
                let target = normalize(&format!("{dir}/{}", &src[1]));
                calls.entry(dir.clone()).or_default().push((m[1].to_string(), target));
            }
        }
    }
    // Examples and tests call the configuration they exercise (`source = "../.."`): that does
    // not make it a module of theirs. Only the configuration's own calls make targets.
    let targets: HashSet<&String> = calls
        .iter()
        .filter(|(d, _)| !is_example_or_test(d))
        .flat_map(|(_, c)| c.iter().map(|(_, t)| t))
        .collect();
    let mut out: HashMap<String, terraform::Module> = HashMap::new();
    // Callers are visited breadth first from the configurations nobody calls, the top-level
    // ones first: a module's addresses are its real callers' (not `module.wrapper` or a test
    // fixture's name); an example's call names a module only when nothing else calls it.
    let mut roots: Vec<&String> = calls.keys().filter(|d| !targets.contains(d)).collect();
    roots.sort_by_key(|d| (is_example_or_test(d), d.matches('/').count(), (*d).clone()));
    let mut queue: std::collections::VecDeque<(String, Vec<String>, String)> =
        roots.into_iter().map(|d| (d.clone(), vec![String::new()], d.clone())).collect();
    while let Some((dir, prefixes, top)) = queue.pop_front() {
        let from_example = is_example_or_test(&top);
        for (name, target) in calls.get(&dir).into_iter().flatten() {
            if target == &dir || (from_example && out.get(target).is_some_and(|m| !m.callers.is_empty())) {
                continue;
            }
            let module = out.entry(target.clone()).or_insert_with(|| terraform::Module {
                path: relative_to(target, &top, inputs),
                callers: Vec::new(),
            });
            let mut added = Vec::new();
            for prefix in &prefixes {
                let addr = if prefix.is_empty() {
                    format!("module.{name}")
                } else {
                    format!("{prefix}.module.{name}")
                };
                if module.callers.len() < MAX_CALLERS && !module.callers.contains(&addr) {
                    module.callers.push(addr.clone());
                    added.push(addr);
                }
            }
            if !added.is_empty() {
                queue.push_back((target.clone(), added, top.clone()));
            }
        }
    }
    out
}

/// A configuration nobody calls: an example or test, labelled by its path from the
/// `examples`/`tests` folder on (`examples/karpenter`); the input itself (no title prefix); or
/// another directory of it, by its path in the input (`envs/prod`, or
/// `modules/beta-private-cluster` when its callers name it by a registry source). Without a
/// path, `envs/prod` and `envs/staging` would title their blocks alike.
pub(super) fn configuration(dir: &str, roots: &[String]) -> terraform::Module {
    let parts: Vec<&str> = dir.split('/').collect();
    let path = match parts.iter().position(|c| is_example_or_test(c)) {
        Some(i) => parts[i..].join("/"),
        None => in_input(dir, roots).unwrap_or_default().to_string(),
    };
    terraform::Module { path, callers: Vec::new() }
}

/// `target` relative to the configuration directory `top` that calls it, when inside it; else
/// (`environments/prod` calling `../../modules/vpc`, an example calling the module it shows)
/// relative to the input the user named, never an absolute path.
fn relative_to(target: &str, top: &str, roots: &[String]) -> String {
    if top.is_empty() {
        return target.to_string();
    }
    under(target, top).or_else(|| in_input(target, roots)).unwrap_or(target).to_string()
}

/// `target` relative to the innermost input holding it ("" for an input itself).
fn in_input<'t>(target: &'t str, roots: &[String]) -> Option<&'t str> {
    roots.iter().filter_map(|r| under(target, r)).min_by_key(|r| r.len())
}

/// `target` relative to `dir` when inside it ("" for `dir` itself, a zip's inside included).
fn under<'t>(target: &'t str, dir: &str) -> Option<&'t str> {
    target.strip_prefix(dir).and_then(|r| {
        if r.is_empty() { Some(r) } else { r.strip_prefix('/').or_else(|| r.strip_prefix("!/")) }
    })
}

/// Whether a directory holds examples, tests or fixtures rather than the configuration itself,
/// or the wrappers that call each module once more.
fn is_example_or_test(dir: &str) -> bool {
    dir.split('/').any(|c| crate::index::EXAMPLE_DIRS.contains(&c))
}

/// Resolves `.` and `..` in a logical path without touching the file system.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "." | "" if !parts.is_empty() => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/").trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize("/a/b/./c/../d"), "/a/b/d");
    }

    #[test]
    fn a_configuration_nobody_calls_is_named_by_its_path_in_the_input() {
        let roots = ["/repo".to_string(), "/other/envs.zip".to_string()];
        for (dir, path) in [
            ("/repo", ""),
            ("/repo/envs/prod", "envs/prod"),
            ("/repo/modules/beta-private-cluster", "modules/beta-private-cluster"),
            ("/repo/examples/simple", "examples/simple"),
            ("/other/envs.zip!/staging", "staging"),
        ] {
            assert_eq!(configuration(dir, &roots).path, path, "{dir}");
        }
    }
}
