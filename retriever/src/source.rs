//! From the paths a user names to [`Unit`]s: the smallest groups of files that are parsed
//! (and re-indexed) together.
//!
//! A path is a directory or a `.zip`; zips are unpacked into a private temporary directory
//! (safely: entries that would escape it, symlinks and absolute names are skipped) and zips
//! inside them are unpacked in place, which is how the parts of a multi-part Notion export
//! merge. Every file keeps a *logical* path for display and for the index
//! (`/exports/notion.zip!/Export-…/Home ….md`).
//!
//! Kinds are detected from content and naming (see `shared/reference/formats.md`): a
//! Confluence space is a folder whose `index.html` is titled `KEY (Name)`, Notion files end
//! in a 32-hex id, Terraform by extension (and JSON state by its fields). `--kind` narrows
//! detection to one family and lets it claim files that carry no mark of their own.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::InputError;
use crate::formats::{confluence_html::Space, notion, terraform, tfstate};
use crate::model::Kind;

mod tf_modules;
use tf_modules::{configuration, terraform_modules};

/// Largest decompressed size accepted from one archive (a guard against zip bombs).
const MAX_ARCHIVE_BYTES: u64 = 8 << 30;

/// A file to read: where it is on disk and how it is named to users.
#[derive(Debug, Clone)]
pub struct FileRef {
    /// Path on disk (inside a temporary directory for archive members).
    pub disk: PathBuf,
    /// Display path: absolute path, with `!/` after an archive's path for its members.
    pub logical: String,
    /// Size in bytes.
    pub size: u64,
}

impl FileRef {
    /// The file's own name (last component of the logical path).
    pub fn name(&self) -> &str {
        self.logical.rsplit('/').next().unwrap_or(&self.logical)
    }
}

/// How a unit is read.
#[derive(Debug, Clone)]
pub enum Format {
    /// One Confluence HTML page.
    ConfluencePage(Space),
    /// A Confluence `entities.xml`.
    ConfluenceXml,
    /// A Notion Markdown or HTML page, with its place in the tree.
    NotionPage(notion::Placement),
    /// A Notion database: the CSV (first file) and its row pages (the rest).
    NotionDatabase {
        /// Database title.
        title: String,
        /// Enclosing pages.
        breadcrumbs: Vec<String>,
    },
    /// A plain Markdown file.
    Markdown,
    /// A static HTML page of a documentation site.
    SitePage,
    /// An AsciiDoc page (`.adoc`, `.asciidoc`).
    AsciiDoc,
    /// A reStructuredText page (`.rst`, Sphinx).
    ReStructuredText,
    /// A `.tf` or `.tf.json` file, with where it sits among the repository's modules.
    TerraformConfig(terraform::Module),
    /// A `.tfvars` file.
    TerraformVars,
    /// `.terraform.lock.hcl`.
    TerraformLock,
    /// A state or `terraform show -json` file.
    TerraformState,
}

impl Format {
    /// The kind of document the unit produces.
    pub fn kind(&self) -> Kind {
        match self {
            Format::ConfluencePage(_) | Format::ConfluenceXml => Kind::Confluence,
            Format::NotionPage(_) | Format::NotionDatabase { .. } => Kind::Notion,
            Format::Markdown | Format::AsciiDoc | Format::ReStructuredText | Format::SitePage => {
                Kind::Markdown
            }
            _ => Kind::Terraform,
        }
    }

    /// Formats that stream their input are exempt from the file-size limit.
    fn streams(&self) -> bool {
        matches!(self, Format::ConfluenceXml)
    }

    /// What else than the files' bytes the parse depends on (part of the unit's hash, so a
    /// change of context re-indexes the unit).
    pub fn context(&self) -> String {
        format!("{self:?}")
    }
}

/// Files parsed together.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Logical path of the main file; the key of the unit in the index and its manifest.
    pub id: String,
    /// How to read it.
    pub format: Format,
    /// The files, main file first.
    pub files: Vec<FileRef>,
}

/// What the inputs hold.
#[derive(Debug, Default)]
pub struct Plan {
    /// Units to consider for indexing.
    pub units: Vec<Unit>,
    /// Inputs that could not be read at all.
    pub skipped: Vec<InputError>,
    /// Files that are not documents (images, styles, attachments…).
    pub ignored: usize,
    /// Their paths, for `sleuth index -v`.
    pub ignored_files: Vec<String>,
    /// Logical prefixes (`archive.zip!/`) of archives left unopened because they did not
    /// change since the last run: their units stay in the index as they are.
    pub unchanged_archives: Vec<String>,
    /// Archives opened this time, with their stamp, to record in the manifest.
    pub archives: Vec<(String, Stamp)>,
    /// Logical paths of the roots the user named (units below them that no longer exist are
    /// removed from the index).
    pub roots: Vec<String>,
    /// Temporary directories holding unpacked archives; removed when the plan is dropped.
    unpacked: Vec<tempfile::TempDir>,
}

/// Size and modification time: a cheap "has it changed" check before hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime_ns: u128,
}

impl Stamp {
    /// The stamp of a file on disk.
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = fs::metadata(path).ok()?;
        let mtime_ns = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
        Some(Stamp { size: meta.len(), mtime_ns })
    }
}

/// Options that shape planning.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Restrict detection to one kind.
    pub kind: Option<Kind>,
    /// Files larger than this are skipped (streamed formats excepted).
    pub max_file_size: u64,
}

/// Walks the inputs and groups their files into units. `archive_unchanged` tells whether an
/// archive (by logical path and stamp) is the one indexed last time.
pub fn plan(inputs: &[PathBuf], opts: &PlanOptions, archive_unchanged: &dyn Fn(&str, Stamp) -> bool) -> Plan {
    let mut plan = Plan::default();
    let mut files = Vec::new();
    for input in inputs {
        let Ok(abs) = fs::canonicalize(input) else {
            plan.skipped.push(InputError::new(input.display().to_string(), "no such file or directory"));
            continue;
        };
        let logical = abs.display().to_string();
        plan.roots.push(logical.clone());
        if abs.is_dir() {
            walk(&abs, &logical, &mut plan, &mut files, archive_unchanged);
        } else if is_zip(&abs) {
            open_archive(&abs, &logical, &mut plan, &mut files, archive_unchanged);
        } else {
            let size = fs::metadata(&abs).map_or(0, |m| m.len());
            files.push(FileRef { disk: abs, logical, size });
        }
    }
    classify(&files, opts, &mut plan);
    plan.units.sort_by(|a, b| a.id.cmp(&b.id));
    plan
}

fn is_zip(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

fn skip_dir(name: &str) -> bool {
    matches!(name, ".git" | ".terraform" | "__MACOSX" | "node_modules" | ".svn" | ".hg")
}

fn walk(
    dir: &Path,
    logical: &str,
    plan: &mut Plan,
    files: &mut Vec<FileRef>,
    archive_unchanged: &dyn Fn(&str, Stamp) -> bool,
) {
    let walker = WalkDir::new(dir).follow_links(false).sort_by_file_name().into_iter().filter_entry(|e| {
        e.depth() == 0 || !(e.file_type().is_dir() && skip_dir(&e.file_name().to_string_lossy()))
    });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map_or_else(|| dir.display().to_string(), |p| p.display().to_string());
                plan.skipped.push(InputError::new(path, format!("cannot read: {e}")));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if name == ".DS_Store" || name.starts_with("._") {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let child_logical = if rel.is_empty() { logical.to_string() } else { format!("{logical}/{rel}") };
        if is_zip(entry.path()) {
            open_archive(entry.path(), &child_logical, plan, files, archive_unchanged);
        } else {
            let size = entry.metadata().map_or(0, |m| m.len());
            files.push(FileRef { disk: entry.path().to_path_buf(), logical: child_logical, size });
        }
    }
}

/// Unpacks an archive (and the archives inside it) to a temporary directory and walks it.
fn open_archive(
    path: &Path,
    logical: &str,
    plan: &mut Plan,
    files: &mut Vec<FileRef>,
    archive_unchanged: &dyn Fn(&str, Stamp) -> bool,
) {
    let Some(stamp) = Stamp::of(path) else {
        plan.skipped.push(InputError::new(logical, "cannot read archive"));
        return;
    };
    if archive_unchanged(logical, stamp) {
        plan.unchanged_archives.push(format!("{logical}!/"));
        return;
    }
    let tmp = match tempfile::Builder::new().prefix("sleuth-unpack-").tempdir() {
        Ok(t) => t,
        Err(e) => {
            plan.skipped.push(InputError::new(logical, format!("cannot create a temporary directory: {e}")));
            return;
        }
    };
    let result = fs::File::open(path).map_err(|e| e.to_string()).and_then(|f| {
        // One budget for the input, nested archives included: a zip of zips cannot multiply it.
        let mut left = MAX_ARCHIVE_BYTES;
        unpack(f, tmp.path(), &mut left).and_then(|()| unpack_nested(tmp.path(), &mut left))
    });
    match result {
        Ok(()) => {
            plan.archives.push((logical.to_string(), stamp));
            walk(tmp.path(), &format!("{logical}!"), plan, files, archive_unchanged);
            plan.unpacked.push(tmp);
        }
        Err(reason) => plan.skipped.push(InputError::new(logical, format!("corrupt zip archive: {reason}"))),
    }
}

/// Extracts every regular entry whose name stays inside `dest`, taking the bytes actually
/// written (not the sizes the archive claims) from `left`.
fn unpack(reader: impl Read + Seek, dest: &Path, left: &mut u64) -> Result<(), String> {
    let too_big = || format!("archive expands to more than {} GiB", MAX_ARCHIVE_BYTES >> 30);
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| e.to_string())?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        // `enclosed_name` rejects absolute paths and `..`: an entry named `/` or
        // `../../etc/x` is skipped, never written outside `dest`.
        let Some(rel) = entry.enclosed_name() else {
            continue;
        };
        if entry.is_dir() || entry.is_symlink() || rel.as_os_str().is_empty() {
            continue;
        }
        let rel_str = rel.to_string_lossy();
        if rel_str.split('/').any(|c| skip_dir(c) || c == ".DS_Store") {
            continue;
        }
        if entry.size() > *left {
            return Err(too_big());
        }
        let out = dest.join(&rel);
        if let Some(parent) = out.parent() {
            fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let mut file = fs::File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        // One byte more than is left: writing it proves the entry lied about its size.
        let written = std::io::copy(&mut (&mut entry).take(*left + 1), &mut file)
            .map_err(|e| format!("{rel_str}: {e}"))?;
        if written > *left {
            return Err(too_big());
        }
        *left -= written;
    }
    Ok(())
}

/// Unpacks zips found inside an unpacked archive into their own folder's parent, so that the
/// parts of a multi-part export merge into one tree.
fn unpack_nested(root: &Path, left: &mut u64) -> Result<(), String> {
    for _round in 0..4 {
        let nested: Vec<PathBuf> = WalkDir::new(root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && is_zip(e.path()))
            .map(walkdir::DirEntry::into_path)
            .collect();
        if nested.is_empty() {
            return Ok(());
        }
        for zip_path in nested {
            let dest = zip_path.parent().unwrap_or(root).to_path_buf();
            let file = fs::File::open(&zip_path).map_err(|e| e.to_string())?;
            let name = zip_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            unpack(file, &dest, left).map_err(|e| format!("{name}: {e}"))?;
            fs::remove_file(&zip_path).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// File-name extensions that may hold documents; anything else is ignored, not reported.
fn extension(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    for multi in [".tf.json", ".tofu.json", ".tfvars.json", ".terraform.lock.hcl", ".tfstate.backup"] {
        if lower.ends_with(multi) {
            return &name[name.len() - multi.len() + 1..];
        }
    }
    name.rsplit_once('.').map_or("", |(_, e)| e)
}

fn classify(files: &[FileRef], opts: &PlanOptions, plan: &mut Plan) {
    let want = |k: Kind| opts.kind.is_none_or(|w| w == k);
    let mut by_dir: BTreeMap<String, Vec<&FileRef>> = BTreeMap::new();
    for f in files {
        let dir = f.logical.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        by_dir.entry(dir).or_default().push(f);
    }
    let names: HashSet<&str> = files.iter().map(|f| f.logical.as_str()).collect();
    let called = if want(Kind::Terraform) {
        terraform_modules(files.iter().map(|f| (f.logical.as_str(), f.disk.as_path())), &plan.roots)
    } else {
        HashMap::new()
    };
    let roots = plan.roots.clone();
    let module_of = |dir: &str| called.get(dir).cloned().unwrap_or_else(|| configuration(dir, &roots));
    let mut claimed: HashSet<&str> = HashSet::new();
    let mut units = Vec::new();

    // Notion databases first: they claim their row pages.
    if want(Kind::Notion) {
        for f in files {
            let ext = extension(f.name()).to_ascii_lowercase();
            let stem = &f.name()[..f.name().len() - ext.len() - 1];
            if ext != "csv" || !(notion::is_notion_name(f.name()) || opts.kind == Some(Kind::Notion)) {
                continue;
            }
            let dir = f.logical.rsplit_once('/').map_or("", |(d, _)| d);
            let base = stem.strip_suffix("_all").unwrap_or(stem);
            if !stem.ends_with("_all") && names.contains(format!("{dir}/{base}_all.csv").as_str()) {
                claimed.insert(&f.logical);
                continue; // the `_all` view has every column
            }
            let folder = format!("{dir}/{base}");
            let mut unit_files = vec![f.clone()];
            if let Some(rows) = by_dir.get(&folder) {
                for row in rows.iter().filter(|r| extension(r.name()).eq_ignore_ascii_case("md")) {
                    claimed.insert(&row.logical);
                    unit_files.push((*row).clone());
                }
            }
            claimed.insert(&f.logical);
            let format = Format::NotionDatabase {
                title: notion::title_of(base),
                breadcrumbs: notion_breadcrumbs(dir),
            };
            units.push(Unit { id: f.logical.clone(), format, files: unit_files });
        }
    }

    for (dir, dir_files) in &by_dir {
        let space = (want(Kind::Confluence))
            .then(|| dir_files.iter().find(|f| f.name() == "index.html"))
            .flatten()
            .and_then(|f| fs::read_to_string(&f.disk).ok())
            .and_then(|t| Space::from_index(&t));
        for f in dir_files {
            if claimed.contains(f.logical.as_str()) {
                continue;
            }
            let Some(format) = detect(f, dir, space.as_ref(), opts, &names, &module_of) else {
                plan.ignored += 1;
                plan.ignored_files.push(f.logical.clone());
                continue;
            };
            if f.size > opts.max_file_size && !format.streams() {
                plan.skipped.push(InputError::new(
                    &f.logical,
                    format!(
                        "file too large ({} > {} limit); raise --max-file-size to index it",
                        human_bytes(f.size),
                        human_bytes(opts.max_file_size)
                    ),
                ));
                continue;
            }
            units.push(Unit { id: f.logical.clone(), format, files: vec![(*f).clone()] });
        }
    }
    plan.units = units;
}

fn detect(
    f: &FileRef,
    dir: &str,
    space: Option<&Space>,
    opts: &PlanOptions,
    names: &HashSet<&str>,
    module_of: &dyn Fn(&str) -> terraform::Module,
) -> Option<Format> {
    let want = |k: Kind| opts.kind.is_none_or(|w| w == k);
    let name = f.name();
    let ext = extension(name).to_ascii_lowercase();
    let in_attachments = f.logical.contains("/attachments/")
        || f.logical.contains("/images/")
        || f.logical.contains("/styles/");
    match ext.as_str() {
        "html" | "htm" => {
            if in_attachments {
                return None;
            }
            if let Some(space) = space {
                return (name != "index.html").then(|| Format::ConfluencePage(space.clone()));
            }
            if want(Kind::Notion) && (notion::is_notion_name(name) || opts.kind == Some(Kind::Notion)) {
                return (name != "index.html").then(|| Format::NotionPage(notion_placement(dir, names)));
            }
            if want(Kind::Confluence) {
                let forced = opts.kind == Some(Kind::Confluence);
                let looks = read_head(&f.disk, 1 << 20)
                    .is_some_and(|h| super::formats::confluence_html::looks_like_page(&h));
                if (forced || looks) && name != "index.html" {
                    return Some(Format::ConfluencePage(Space::default()));
                }
            }
            // Any other HTML page is a documentation site's page (its index.html included).
            want(Kind::Markdown).then_some(Format::SitePage)
        }
        "xml" => (want(Kind::Confluence)
            && read_head(&f.disk, 4096).is_some_and(|h| {
                h.contains("<hibernate-generic")
                    || (opts.kind == Some(Kind::Confluence) && name == "entities.xml")
            }))
        .then_some(Format::ConfluenceXml),
        "md" | "markdown" | "mdx" => {
            if want(Kind::Notion) && (notion::is_notion_name(name) || opts.kind == Some(Kind::Notion)) {
                Some(Format::NotionPage(notion_placement(dir, names)))
            } else if want(Kind::Markdown) {
                Some(Format::Markdown)
            } else {
                None
            }
        }
        "adoc" | "asciidoc" => want(Kind::Markdown).then_some(Format::AsciiDoc),
        "rst" => want(Kind::Markdown).then_some(Format::ReStructuredText),
        // OpenTofu reads `.tofu` files as Terraform reads `.tf` (and prefers them).
        "tf" | "tf.json" | "tofu" | "tofu.json" if want(Kind::Terraform) => {
            Some(Format::TerraformConfig(module_of(dir)))
        }
        "tfvars" | "tfvars.json" if want(Kind::Terraform) => Some(Format::TerraformVars),
        "terraform.lock.hcl" if want(Kind::Terraform) => Some(Format::TerraformLock),
        "tfstate" if want(Kind::Terraform) => Some(Format::TerraformState),
        "json" if want(Kind::Terraform) => {
            read_head(&f.disk, 1 << 16).and_then(|h| tfstate::sniff(&h)).map(|_| Format::TerraformState)
        }
        _ => None,
    }
}

/// The first bytes of a file as text (lossy), for sniffing.
fn read_head(path: &Path, limit: u64) -> Option<String> {
    let mut buf = Vec::new();
    fs::File::open(path).ok()?.take(limit).read_to_end(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Titles of the Notion pages enclosing `dir` (folders named `Title <id>`), top down.
fn notion_breadcrumbs(dir: &str) -> Vec<String> {
    dir.split('/').filter(|c| notion::split_name(c).is_some()).map(notion::title_of).collect()
}

fn notion_placement(dir: &str, names: &HashSet<&str>) -> notion::Placement {
    let folder = dir.rsplit('/').next().unwrap_or(dir);
    let parent = dir.rsplit_once('/').map_or("", |(p, _)| p);
    let is_db = notion::split_name(folder).is_some()
        && (names.contains(format!("{parent}/{folder}.csv").as_str())
            || names.contains(format!("{parent}/{folder}_all.csv").as_str()));
    notion::Placement {
        breadcrumbs: notion_breadcrumbs(dir),
        database: is_db.then(|| notion::title_of(folder)),
    }
}

/// `1.5 MB`, `200 MB`, `12 KB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else if v >= 10.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> PlanOptions {
        PlanOptions { kind: None, max_file_size: 100 << 20 }
    }

    fn never(_: &str, _: Stamp) -> bool {
        false
    }

    #[test]
    fn module_sources_map_directories_to_addresses() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("modules/eks/modules/ng")).unwrap();
        fs::write(root.join("main.tf"), "module \"eks\" {\n  source = \"./modules/eks\"\n}\n").unwrap();
        // OpenTofu's own extension is read and followed like `.tf`.
        fs::write(root.join("modules/eks/main.tofu"), "module \"ng\" {\n  source = \"./modules/ng\"\n}\n")
            .unwrap();
        fs::write(root.join("modules/eks/modules/ng/main.tf"), "resource \"a\" \"b\" {}\n").unwrap();
        let plan = plan(&[root.to_path_buf()], &opts(), &never);
        assert!(
            plan.units.iter().any(|u| u.id.ends_with("eks/main.tofu") && u.format.kind() == Kind::Terraform)
        );
        let ng = plan.units.iter().find(|u| u.id.ends_with("modules/ng/main.tf")).unwrap();
        assert!(
            matches!(&ng.format, Format::TerraformConfig(m)
                if m.path == "modules/eks/modules/ng" && m.callers == ["module.eks.module.ng"]),
            "{:?}",
            ng.format
        );
        // A module called from beside it (an environment, an example) is named by its path in
        // the repository, not on this disk.
        fs::create_dir_all(root.join("environments/prod")).unwrap();
        fs::create_dir_all(root.join("modules/vpc")).unwrap();
        fs::write(
            root.join("environments/prod/main.tf"),
            "module \"vpc\" {\n  source = \"../../modules/vpc\"\n}\n",
        )
        .unwrap();
        fs::write(root.join("modules/vpc/main.tf"), "resource \"aws_vpc\" \"this\" {}\n").unwrap();
        let again = super::plan(&[root.to_path_buf()], &opts(), &never);
        let vpc = again.units.iter().find(|u| u.id.ends_with("modules/vpc/main.tf")).unwrap();
        assert!(
            matches!(&vpc.format, Format::TerraformConfig(m) if m.path == "modules/vpc"),
            "{:?}",
            vpc.format
        );
        // A repository whose examples call its root module: the root has no path.
        let repo = tempfile::tempdir().unwrap();
        fs::create_dir_all(repo.path().join("examples/complete")).unwrap();
        fs::write(repo.path().join("main.tf"), "resource \"aws_vpc\" \"this\" {}\n").unwrap();
        fs::write(
            repo.path().join("examples/complete/main.tf"),
            "module \"vpc\" {\n  source = \"../../\"\n}\n",
        )
        .unwrap();
        let plan = super::plan(&[repo.path().to_path_buf()], &opts(), &never);
        let top = plan.units.iter().find(|u| !u.id.contains("examples")).unwrap();
        assert!(matches!(&top.format, Format::TerraformConfig(m) if m.path.is_empty()), "{:?}", top.format);
    }

    #[test]
    fn a_module_is_named_after_its_real_caller_not_an_example_or_a_test() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["modules/ng", "examples/complete", "tests/fixture", "wrappers"] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        fs::write(root.join("node_groups.tf"), "module \"node_group\" {\n  source = \"./modules/ng\"\n}\n")
            .unwrap();
        fs::write(
            root.join("examples/complete/main.tf"),
            "module \"ex\" {\n  source = \"../../modules/ng\"\n}\n",
        )
        .unwrap();
        fs::write(
            root.join("tests/fixture/main.tf"),
            "module \"zz_test\" {\n  source = \"../../modules/ng\"\n}\n",
        )
        .unwrap();
        fs::write(root.join("wrappers/main.tf"), "module \"wrapper\" {\n  source = \"../modules/ng\"\n}\n")
            .unwrap();
        // An example that calls the whole configuration does not make it a module of the example.
        fs::create_dir_all(root.join("examples/root")).unwrap();
        fs::write(root.join("examples/root/main.tf"), "module \"eks\" {\n  source = \"../..\"\n}\n").unwrap();
        fs::write(root.join("modules/ng/main.tf"), "resource \"aws_eks_node_group\" \"this\" {}\n").unwrap();
        let plan = plan(&[root.to_path_buf()], &opts(), &never);
        let ng = plan.units.iter().find(|u| u.id.ends_with("modules/ng/main.tf")).unwrap();
        assert!(
            matches!(&ng.format, Format::TerraformConfig(m)
                if m.path == "modules/ng" && m.callers == ["module.node_group"]),
            "{:?}",
            ng.format
        );
        // The example is labelled as one: its blocks are titled `examples/complete: …`.
        let ex = plan.units.iter().find(|u| u.id.ends_with("examples/complete/main.tf")).unwrap();
        assert!(
            matches!(&ex.format, Format::TerraformConfig(m) if m.path == "examples/complete" && m.callers.is_empty()),
            "{:?}",
            ex.format
        );
    }

    #[test]
    fn nested_notion_zip_is_unpacked_and_database_claims_its_rows() {
        let zip = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/samples/notion/Notion.Test.Export.zip"
        ));
        let plan = plan(&[zip], &opts(), &never);
        assert!(plan.skipped.is_empty(), "{:?}", plan.skipped);
        let dbs: Vec<_> =
            plan.units.iter().filter(|u| matches!(u.format, Format::NotionDatabase { .. })).collect();
        assert_eq!(dbs.len(), 1, "{:?}", dbs.iter().map(|u| &u.id).collect::<Vec<_>>());
        assert!(dbs[0].id.ends_with("_all.csv"));
        assert_eq!(dbs[0].files.len(), 271);
        assert!(plan.units.iter().all(|u| u.id.contains("Notion.Test.Export.zip!/Export-")));
    }

    #[test]
    fn zip_entries_cannot_escape() {
        let zip = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/samples/confluence/html/Confluence-space-export-231543-81.html.zip"
        ));
        let plan = plan(&[zip], &opts(), &never);
        let pages: Vec<_> =
            plan.units.iter().filter(|u| matches!(u.format, Format::ConfluencePage(_))).collect();
        assert_eq!(pages.len(), 5, "{:?}", plan.units.iter().map(|u| &u.id).collect::<Vec<_>>());
    }

    /// A zip holding `entries` (name, bytes), in memory.
    fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
        use std::io::Write as _;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn the_expansion_budget_counts_bytes_written_across_nested_archives() {
        let dir = tempfile::tempdir().unwrap();
        let inner = zip_of(&[("a.md", vec![b'a'; 3000])]);
        let outer = zip_of(&[("one.zip", inner.clone()), ("two.zip", inner)]);
        // Each inner archive fits the budget alone; together they do not.
        let mut left = 5000;
        let r = unpack(std::io::Cursor::new(outer.clone()), dir.path(), &mut left)
            .and_then(|()| unpack_nested(dir.path(), &mut left));
        assert!(r.as_ref().is_err_and(|e| e.contains("expands to more than")), "{r:?}");
        // With room for both, everything is unpacked and the budget shrinks by what was written.
        let dir = tempfile::tempdir().unwrap();
        let mut left = 1 << 20;
        unpack(std::io::Cursor::new(outer.clone()), dir.path(), &mut left).unwrap();
        unpack_nested(dir.path(), &mut left).unwrap();
        assert!(left <= (1 << 20) - 6000, "{left}");
    }
}
