//! Indexing: plan the inputs, skip what has not changed, parse the rest in parallel, redact,
//! chunk, write, and report.
//!
//! Incremental by construction: every unit's hash (its files' SHA-256s plus the context its
//! parse depends on) is compared with the manifest. Files whose size and mtime are unchanged
//! are not even read, so a no-change run costs one `stat` per file. Units that vanished from
//! under the paths being indexed are deleted from the index.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::chunk::chunk;
use crate::error::{Error, InputError};
use crate::formats::{
    asciidoc, confluence_html, confluence_xml, markdown, notion, rst, site_html, terraform, tfstate,
};
use crate::includes;
use crate::index::{self, Fields, FileRecord, Manifest, UnitRecord};
use crate::links::{Link, Syntax, Targets};
use crate::model::{Document, Kind, Role};
use crate::source::{self, FileRef, Format, PlanOptions, Stamp, Unit};
use redact::redact_text;

/// Options of [`index`].
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Only detect (and claim unmarked files as) this kind.
    pub kind: Option<Kind>,
    /// Skip files larger than this many bytes (streamed Confluence XML excepted).
    pub max_file_size: u64,
    /// Start from an empty index.
    pub rebuild: bool,
    /// Memory budget of the index writer, in bytes.
    pub writer_memory: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions { kind: None, max_file_size: 100 << 20, rebuild: false, writer_memory: 96 << 20 }
    }
}

/// Receives progress while units are parsed (a progress bar, or nothing).
pub trait Progress: Sync {
    /// Parsing of `total` units begins.
    fn begin(&self, _total: u64) {}
    /// One unit is done.
    fn advance(&self, _unit: &str) {}
    /// All units are done.
    fn finish(&self) {}
}

/// A [`Progress`] that shows nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What an indexing run did.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Documents written this run.
    pub documents: usize,
    /// Chunks written this run.
    pub chunks: usize,
    /// Documents written, by kind.
    pub by_kind: BTreeMap<Kind, usize>,
    /// Units (files, or file groups) parsed and written.
    pub indexed_units: usize,
    /// Units skipped because they had not changed.
    pub unchanged_units: usize,
    /// Units removed because their files are gone.
    pub removed_units: usize,
    /// Bytes of input parsed.
    pub bytes: u64,
    /// Pages parsed this run that include shared fragments (see [`crate::includes`]).
    pub pages_with_includes: usize,
    /// The distinct fragments those pages include.
    pub included_fragments: usize,
    /// Links of pages parsed this run to other pages of the run (see [`crate::links`]).
    pub links: usize,
    /// Their links into the site that point to no page of the run (a page not indexed, a
    /// target the site's generator builds at render time).
    pub unresolved_links: usize,
    /// Titled topics that pages parsed this run include (named there, searched as themselves:
    /// see [`crate::includes::topic_title`]).
    pub included_topics: usize,
    /// Pages of the whole index that are another edition of a page (a site's docs of an
    /// earlier release, or a translation, see [`crate::editions`]): search folds them into the
    /// newest English edition.
    pub other_editions: usize,
    /// Pages of the whole index that only older releases have: search ranks them lower.
    pub retired_pages: usize,
    /// Pages of the whole index that are a site's dated posts (its blog, its news, see
    /// [`crate::index::is_post`]): search ranks them below the documentation.
    pub dated_posts: usize,
    /// Pages of the whole index in a folder of retired content (`legacy/`, `archive/`, see
    /// [`crate::index::is_archived`]): search ranks them below the documentation.
    pub archived_pages: usize,
    /// Inputs that could not be indexed, with reasons.
    pub skipped: Vec<InputError>,
    /// Files that are not documents (images, stylesheets…).
    pub ignored: usize,
    /// Their paths (`sleuth index -v` lists them).
    pub ignored_files: Vec<String>,
    /// Documents in the whole index after the run.
    pub total_documents: usize,
    /// Chunks in the whole index after the run.
    pub total_chunks: u64,
    /// Wall time.
    #[serde(serialize_with = "as_secs")]
    pub elapsed: Duration,
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// Indexes `inputs` (directories, files or `.zip`s) into the index at `dir`.
pub fn index(
    dir: &Path,
    inputs: &[PathBuf],
    opts: &IndexOptions,
    progress: &dyn Progress,
) -> Result<Summary, Error> {
    let started = Instant::now();
    let (index, fields, mut manifest) = index::open_or_create(dir, opts.rebuild)?;
    let plan_opts = PlanOptions { kind: opts.kind, max_file_size: opts.max_file_size };
    let plan =
        source::plan(inputs, &plan_opts, &|logical, stamp| manifest.archives.get(logical) == Some(&stamp));
    let mut summary = Summary {
        skipped: plan.skipped.clone(),
        ignored: plan.ignored,
        ignored_files: plan.ignored_files.clone(),
        ..Summary::default()
    };

    // Hash every unit (cheaply, via stamps) and keep the ones that changed. A page's hash
    // covers the fragments it included last time, so editing a fragment re-indexes the page.
    let library = includes::Library::new(&plan.units);
    let recorded = |u: &Unit| -> Vec<&FileRef> {
        manifest
            .units
            .get(&u.id)
            .map_or_else(Vec::new, |r| r.includes.iter().filter_map(|l| library.get(l)).collect())
    };
    let hashed: Vec<(&Unit, Vec<&FileRef>, Result<UnitHash, InputError>)> = plan
        .units
        .par_iter()
        .map(|u| {
            let included = recorded(u);
            let hash = unit_hash(u, &included, &manifest);
            (u, included, hash)
        })
        .collect();
    let mut changed = Vec::new();
    let mut file_records = Vec::new();
    for (unit, included, result) in hashed {
        match result {
            Ok((hash, files)) => {
                if manifest.units.get(&unit.id).is_some_and(|r| r.hash == hash) {
                    summary.unchanged_units += 1;
                } else {
                    changed.push((unit, hash, included));
                }
                file_records.extend(files);
            }
            Err(e) => summary.skipped.push(e),
        }
    }

    let present: HashSet<&str> = plan.units.iter().map(|u| u.id.as_str()).collect();
    let under_root = |id: &str| {
        plan.roots
            .iter()
            .any(|r| id == r || id.starts_with(&format!("{r}/")) || id.starts_with(&format!("{r}!/")))
    };
    let kept_archive = |id: &str| plan.unchanged_archives.iter().any(|p| id.starts_with(p.as_str()));
    let removed: Vec<String> = manifest
        .units
        .iter()
        .filter(|(id, rec)| {
            under_root(id)
                && !present.contains(id.as_str())
                && !kept_archive(id)
                && opts.kind.is_none_or(|k| k == rec.kind)
        })
        .map(|(id, _)| id.clone())
        .collect();

    // Only the pages being written have links to resolve.
    let targets = if changed.is_empty() {
        Targets::default()
    } else {
        let mut targets = Targets::new(&plan.units);
        declare_ids(&mut targets, &plan.units);
        targets
    };
    if !changed.is_empty() || !removed.is_empty() {
        let mut writer: IndexWriter = index.writer(opts.writer_memory).map_err(|e| Error::tantivy(dir, e))?;
        for id in removed.iter().chain(changed.iter().map(|(u, ..)| &u.id)) {
            writer.delete_term(Term::from_field_text(fields.unit, id));
            writer.delete_term(Term::from_field_text(fields.link_unit, id));
        }
        progress.begin(changed.len() as u64);
        let errors = Mutex::new(Vec::new());
        let results: Vec<(String, UnitRecord, u64, (usize, usize))> = changed
            .par_iter()
            .filter_map(|(unit, hash, before)| {
                let outcome = parse_unit(unit, &library).and_then(|(docs, included, links)| {
                    // What the page includes now is what its hash must cover from now on.
                    let same =
                        included.files.iter().map(|f| &f.logical).eq(before.iter().map(|f| &f.logical));
                    let hash =
                        if same { hash.clone() } else { unit_hash(unit, &included.files, &manifest)?.0 };
                    let (documents, chunks) =
                        write_unit(&writer, &fields, unit, docs).map_err(|e| InputError::new(&unit.id, e))?;
                    let resolved = write_links(&writer, &fields, unit, &links, &targets)
                        .map_err(|e| InputError::new(&unit.id, e))?;
                    let logical = |files: &[&FileRef]| files.iter().map(|f| f.logical.clone()).collect();
                    let linked = (resolved, links.iter().filter(|l| l.is_local()).count() - resolved);
                    Ok((hash, logical(&included.files), logical(&included.topics), documents, chunks, linked))
                });
                progress.advance(&unit.id);
                match outcome {
                    Ok((hash, includes, topics, documents, chunks, linked)) => {
                        let bytes = unit.files.iter().map(|f| f.size).sum();
                        let kind = unit.format.kind();
                        let record = UnitRecord { hash, kind, documents, chunks, includes, topics, bytes };
                        Some((unit.id.clone(), record, bytes, linked))
                    }
                    Err(e) => {
                        errors.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(e);
                        None
                    }
                }
            })
            .collect();
        progress.finish();
        writer.commit().map_err(|e| Error::tantivy(dir, e))?;
        // Let the merges the commit scheduled finish: fewer segments make every search faster.
        writer.wait_merging_threads().map_err(|e| Error::tantivy(dir, e))?;
        let mut errors = errors.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        errors.sort_by(|a, b| a.path.cmp(&b.path));
        summary.skipped.extend(errors);

        for id in &removed {
            manifest.units.remove(id);
        }
        for (unit, ..) in &changed {
            manifest.units.remove(&unit.id);
        }
        let (mut fragments, mut topics): (HashSet<&str>, HashSet<&str>) = (HashSet::new(), HashSet::new());
        for (_, record, ..) in &results {
            let snippets: Vec<&str> = record.snippets().collect();
            summary.pages_with_includes += usize::from(!snippets.is_empty());
            fragments.extend(snippets);
            topics.extend(record.topics.iter().map(String::as_str));
        }
        summary.included_fragments = fragments.len();
        summary.included_topics = topics.len();
        for (id, record, bytes, (resolved, unresolved)) in results {
            summary.links += resolved;
            summary.unresolved_links += unresolved;
            summary.indexed_units += 1;
            summary.documents += record.documents;
            summary.chunks += record.chunks;
            summary.bytes += bytes;
            *summary.by_kind.entry(record.kind).or_default() += record.documents;
            manifest.units.insert(id, record);
        }
        summary.removed_units = removed.len();
    }

    let archive_changed = !plan.archives.is_empty();
    for (logical, stamp) in &plan.archives {
        manifest.archives.insert(logical.clone(), *stamp);
    }
    let files_changed = file_records.iter().any(|(k, v)| manifest.files.get(k) != Some(v));
    if files_changed || archive_changed || summary.indexed_units > 0 || summary.removed_units > 0 {
        // Forget stamps of files that are gone, so the manifest does not grow forever.
        let live: HashSet<&str> = file_records.iter().map(|(k, _)| k.as_str()).collect();
        manifest.files.retain(|k, _| {
            live.contains(k.as_str()) || !plan.roots.iter().any(|r| k.starts_with(r.as_str()))
        });
        manifest.files.extend(file_records);
        manifest.written_by = env!("CARGO_PKG_VERSION").to_string();
        manifest.save(dir)?;
    }
    let editions = crate::editions::of_index(&manifest);
    (summary.other_editions, summary.retired_pages) = (editions.folded.len(), editions.retired.len());
    summary.dated_posts = manifest.units.keys().filter(|id| crate::index::is_post(id)).count();
    summary.archived_pages = manifest.units.keys().filter(|id| crate::index::is_archived(id)).count();
    summary.total_documents = manifest.units.values().map(|u| u.documents).sum();
    summary.total_chunks = manifest.units.values().map(|u| u.chunks as u64).sum();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// A unit's hash and the records of its files (by disk path).
type UnitHash = (String, Vec<(String, FileRecord)>);

/// The unit's hash, reusing the manifest's file hashes when size and mtime are unchanged
/// (files inside archives are always re-hashed; they only get here when the archive changed).
fn unit_hash(unit: &Unit, included: &[&FileRef], manifest: &Manifest) -> Result<UnitHash, InputError> {
    let mut hasher = Sha256::new();
    hasher.update(unit.format.context().as_bytes());
    let mut records = Vec::new();
    for f in unit.files.iter().chain(included.iter().copied()) {
        let in_archive = f.logical.contains("!/");
        let stamp = Stamp::of(&f.disk).ok_or_else(|| InputError::new(&f.logical, "cannot read file"))?;
        let key = f.disk.display().to_string();
        let cached =
            manifest.files.get(&key).filter(|r| !in_archive && r.stamp == stamp).map(|r| r.hash.clone());
        let hash = match cached {
            Some(h) => h,
            None => {
                hash_file(&f.disk).map_err(|e| InputError::new(&f.logical, format!("cannot read: {e}")))?
            }
        };
        hasher.update(hash.as_bytes());
        if !in_archive {
            records.push((key, FileRecord { stamp, hash }));
        }
    }
    Ok((hex::encode(hasher.finalize()), records))
}

fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = std::io::Read::read(&mut file, &mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A page's title when its text names none: the file's name without its extension, or for a
/// folder's own page (`index.md`, Hugo's `_index.md`, `README.md`) the folder's name, written
/// as words (`collecting-metrics` → `Collecting metrics`).
fn title_from_path(logical: &str) -> String {
    let mut parts = logical.rsplit(['/', '\\']).filter(|p| !p.is_empty());
    let name = parts.next().unwrap_or(logical);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    if ["index", "_index", "readme"].contains(&stem.to_ascii_lowercase().as_str())
        && let Some(folder) = parts.next()
    {
        return as_words(folder);
    }
    as_words(stem)
}

/// A file or folder name as words: dashes and underscores become spaces (not between digits:
/// `1.8-2.0` stays), and an all-lower-case name gets a capital.
fn as_words(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let words: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let digits =
                i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if (c == '-' || c == '_') && !digits { ' ' } else { c }
        })
        .collect();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.is_empty() {
        name.to_string()
    } else if words.chars().any(char::is_uppercase) {
        words
    } else {
        crate::formats::markup::capitalised(&words)
    }
}

/// Reads a file as UTF-8, with a precise reason when it is not.
fn read_text(f: &source::FileRef) -> Result<String, InputError> {
    let bytes = fs::read(&f.disk).map_err(|e| InputError::new(&f.logical, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        InputError::at(
            &f.logical,
            line,
            format!("invalid UTF-8 at byte {at}: not a text file, or not UTF-8 encoded"),
        )
    })
}

/// Parses one unit into documents (redacted, not yet chunked), with the documents of the run
/// its page included.
pub fn parse_unit<'a>(
    unit: &Unit,
    library: &includes::Library<'a>,
) -> Result<(Vec<Document>, includes::Included<'a>, Vec<Link>), InputError> {
    let mut included = includes::Included::default();
    let mut links = Vec::new();
    let main = &unit.files[0];
    let name = main.name();
    let mut docs = match &unit.format {
        Format::ConfluencePage(space) => {
            let text = read_text(main)?;
            links = crate::links::extract(Syntax::Html, &text);
            vec![
                confluence_html::parse_page(&text, &main.logical, space)
                    .map_err(|r| InputError::new(&main.logical, r))?,
            ]
        }
        Format::ConfluenceXml => confluence_xml::read(&main.disk, &main.logical)?,
        Format::NotionPage(place) => {
            let text = read_text(main)?;
            if name.to_ascii_lowercase().ends_with(".html") {
                links = crate::links::extract(Syntax::Html, &text);
                vec![notion::parse_html_page(&text, &main.logical, name, place)]
            } else {
                links = crate::links::extract(Syntax::Markdown, &text);
                vec![notion::parse_markdown_page(&text, &main.logical, name, place)]
            }
        }
        Format::NotionDatabase { title, breadcrumbs } => {
            let csv = read_text(main)?;
            let mut row_place =
                notion::Placement { breadcrumbs: breadcrumbs.clone(), database: Some(title.clone()) };
            row_place.breadcrumbs.push(title.clone());
            let mut rows = Vec::new();
            for f in &unit.files[1..] {
                rows.push(notion::parse_markdown_page(&read_text(f)?, &f.logical, f.name(), &row_place));
            }
            notion::parse_database(&csv, &main.logical, title, &row_place.breadcrumbs, rows)?
        }
        Format::Markdown | Format::AsciiDoc | Format::ReStructuredText | Format::SitePage => {
            // Every documentation format reads into a Markdown page: a title, and sections.
            let read = match unit.format {
                Format::AsciiDoc => asciidoc::parse,
                Format::ReStructuredText => rst::parse,
                Format::SitePage => site_html::parse,
                _ => markdown::parse,
            };
            let text = read_text(main)?;
            // The page's own links: an included fragment's are the fragment's.
            if let Some(syntax) = Syntax::of(&unit.format) {
                links = crate::links::extract(syntax, &text);
            }
            let (text, used) = includes::expand(&main.logical, &text, library, &|f| read_text(f).ok());
            included = used;
            let page = read(&text);
            let title = page.title.unwrap_or_else(|| title_from_path(&main.logical));
            let mut doc = Document::new(Kind::Markdown, title, &main.logical);
            doc.sections = page.sections;
            vec![doc]
        }
        Format::TerraformConfig(module) => {
            let text = read_text(main)?;
            if name.ends_with(".json") {
                terraform::parse_tf_json(&text, &main.logical, module)?
            } else {
                terraform::parse_tf(&text, &main.logical, module)?
            }
        }
        Format::TerraformVars => {
            let text = read_text(main)?;
            if name.ends_with(".json") {
                terraform::parse_tf_json(&text, &main.logical, &terraform::Module::default())?
            } else {
                terraform::parse_tfvars(&text, &main.logical, name)?
            }
        }
        Format::TerraformLock => terraform::parse_lock(&read_text(main)?, &main.logical)?,
        Format::TerraformState => tfstate::parse(&read_text(main)?, &main.logical)?,
    };
    for doc in &mut docs {
        redact_document(doc);
    }
    for link in &mut links {
        if let std::borrow::Cow::Owned(r) = redact_text(&link.text) {
            link.text = r;
        }
    }
    Ok((docs, included, links))
}

/// The last line of defence: every text a document carries is scrubbed by pattern, whatever
/// its reader already did.
fn redact_document(doc: &mut Document) {
    for s in &mut doc.sections {
        if let std::borrow::Cow::Owned(r) = redact_text(&s.text) {
            s.text = r;
        }
    }
    for (_, v) in &mut doc.fields {
        if let std::borrow::Cow::Owned(r) = redact_text(v) {
            *v = r;
        }
    }
}

fn write_unit(
    writer: &IndexWriter,
    f: &Fields,
    unit: &Unit,
    docs: Vec<Document>,
) -> Result<(usize, usize), String> {
    let mut chunks_written = 0;
    let documents = docs.len();
    // Built for the first document with a name: most units (pages) have none.
    let mut analyzer = None;
    for doc in docs {
        let kind = doc.kind.unwrap_or(unit.format.kind());
        let mut fields_text = String::new();
        for (k, v) in &doc.fields {
            let _ = writeln!(fields_text, "{k}: {v}");
        }
        let breadcrumbs = doc.breadcrumbs.join(" > ");
        let attachments = doc.attachments.join("\n");
        // A Terraform object is one hit whichever file told of it: a configuration block and
        // the state's instance of it merge.
        let identity = index::identity_key(doc.object.as_deref(), &doc.id);
        let copy = u64::from(index::is_copy(&doc.location));
        // Only configuration makes things; every other kind of document tells of them.
        let role = if kind == Kind::Terraform { doc.role } else { Role::Page };
        let names = doc
            .instance_of
            .as_deref()
            .map(|n| crate::phrases::of_document(analyzer.get_or_insert_with(index::analyzer), n));
        // What every entry of the document carries: where it came from, who it is, its filters.
        let entry = || {
            let mut t = TantivyDocument::default();
            t.add_text(f.unit, &unit.id);
            t.add_u64(f.identity, identity);
            t.add_u64(f.copy, copy);
            t.add_u64(f.role, role.code());
            for name in names.iter().flatten() {
                t.add_u64(f.names, *name);
            }
            t.add_text(f.kind, kind.as_str());
            for s in &doc.scopes {
                t.add_text(f.scope, s);
            }
            t
        };
        // The whole document as one entry, with all its text.
        let mut page = entry();
        page.add_text(f.page, page_text(&doc, &breadcrumbs, &fields_text));
        writer.add_document(page).map_err(|e| format!("index write failed: {e}"))?;
        for c in chunk(&doc) {
            let mut t = entry();
            t.add_text(f.doc_id, &doc.id);
            t.add_text(f.chunk_id, &c.id);
            t.add_text(f.title, &doc.title);
            let heading = c.heading.join(" > ");
            t.add_text(f.heading, &heading);
            t.add_text(f.breadcrumbs, &breadcrumbs);
            t.add_text(f.fields, &fields_text);
            t.add_text(f.body, &c.text);
            // Configuration is searched by its names, not by what its words are about.
            if kind != Kind::Terraform {
                // Only the passage's start is read: a long section is not copied whole.
                let about = format!("{}. {heading}. {}", doc.title, crate::meaning::head(&c.text));
                for v in crate::meaning::of_text(&about).iter().flat_map(|v| crate::meaning::packed(v)) {
                    t.add_u64(f.meaning, v);
                }
            }
            t.add_text(f.location, &doc.location);
            if let Some(a) = &c.anchor {
                t.add_text(f.anchor, a);
            }
            if let Some(a) = &doc.author {
                t.add_text(f.author, a);
            }
            if let Some(m) = &doc.modified {
                t.add_text(f.modified, m);
            }
            if !attachments.is_empty() {
                t.add_text(f.attachments, &attachments);
            }
            writer.add_document(t).map_err(|e| format!("index write failed: {e}"))?;
            chunks_written += 1;
        }
    }
    Ok((documents, chunks_written))
}

/// The names every AsciiDoc and reStructuredText page of the run declares, for links that
/// name a page by one (see [`crate::links::ids`]).
fn declare_ids(targets: &mut Targets, units: &[Unit]) {
    let declared: Vec<(&str, Vec<String>)> = units
        .par_iter()
        .filter_map(|u| {
            let syntax =
                Syntax::of(&u.format).filter(|s| matches!(s, Syntax::AsciiDoc | Syntax::ReStructuredText))?;
            // A page that cannot be read says so when it is parsed; here it declares nothing.
            let text = read_text(u.files.first()?).ok()?;
            Some((u.id.as_str(), crate::links::ids(syntax, &text)))
        })
        .collect();
    for (page, ids) in declared {
        targets.declare(page, ids);
    }
}

/// One entry per link of the unit's page to another page of the run, saying what the page
/// linked to is called by it; returns how many it wrote. A link to a page that is not in this
/// run is dropped: one added later is linked to once the linking page changes.
fn write_links(
    writer: &IndexWriter,
    f: &Fields,
    unit: &Unit,
    links: &[Link],
    targets: &Targets,
) -> Result<usize, String> {
    let mut written = 0;
    for link in links {
        let Some(to) = targets.resolve(&unit.id, &link.target) else { continue };
        let mut t = TantivyDocument::default();
        t.add_text(f.link_unit, &unit.id);
        t.add_text(f.link_text, &link.text);
        t.add_u64(f.link_to, index::identity_key(None, to));
        writer.add_document(t).map_err(|e| format!("index write failed: {e}"))?;
        written += 1;
    }
    Ok(written)
}

/// All of a document's text, as its whole-document entry is indexed: title, breadcrumbs,
/// properties, then each section under its own heading.
fn page_text(doc: &Document, breadcrumbs: &str, fields_text: &str) -> String {
    let mut out = String::with_capacity(doc.sections.iter().map(|s| s.text.len() + 32).sum::<usize>() + 256);
    for part in [doc.title.as_str(), breadcrumbs, fields_text] {
        out.push_str(part);
        out.push('\n');
    }
    // Each heading once, where it opens: a heading with no text of its own before its first
    // subheading (a runbook's `# KubeQuotaExceeded` over `## Meaning`) opens no section, and
    // is still what the page is about.
    let mut open: &[String] = &[];
    for s in &doc.sections {
        let shared = open.iter().zip(&s.heading).take_while(|(a, b)| a == b).count();
        for h in &s.heading[shared..] {
            out.push_str(h);
            out.push('\n');
        }
        open = &s.heading;
        out.push_str(&s.text);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untitled_pages_are_named_in_words_after_their_file_or_folder() {
        for (path, title) in [
            ("docs/observability/collecting-metrics.md", "Collecting metrics"),
            ("docs/user_guide/README.md", "User guide"),
            ("site/upgrade/_index.md", "Upgrade"),
            ("upgrading/1.8-2.0.md", "1.8-2.0"),
            ("CONTRIBUTING.md", "CONTRIBUTING"),
            ("Generators-Git.md", "Generators Git"),
            ("---.md", "---"),
            ("README.md", "README"),
        ] {
            assert_eq!(title_from_path(path), title, "{path}");
        }
    }
}
