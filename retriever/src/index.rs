//! The on-disk index: a tantivy index plus `sleuth-manifest.json`, which records the schema
//! version and, per unit, the content hash it was indexed from (for incremental re-indexing).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::Index;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, StopWordFilter, TextAnalyzer};

use crate::error::Error;
use crate::model::Kind;
use crate::source::Stamp;

/// Version of the schema and of the manifest's meaning. Bump it whenever either changes in a
/// way an older index cannot be read with; such an index is then refused with a message.
///
/// 2: negations (`no`, `not`) are indexed, no longer stop words.
/// 3: every document is also indexed whole (the `page` field of one extra entry per
/// document), and whether it is an example or test copy is a fast field.
/// 4: the block of a Terraform configuration nobody calls is titled by its directory and is an
/// object of its own (identities of `envs/prod` and `envs/staging` no longer merge); a page
/// names the titled topics it includes instead of reading them in (the manifest's `topics`).
/// 5: what a document is to its configuration (a Terraform variable, an output, or the thing
/// itself) is a fast field, `role`; a version written with a `v` is indexed as its number.
/// 6: what a Terraform block is one of (`launch template`) is a fast field, `names`, of the
/// hashed phrases a question may name it by (see [`crate::phrases`]); a page's `role` says
/// it is a page; a contraction is one word (`won't` is `not`, `pod's` is `pod`); a camel-case
/// word is also indexed as its parts.
/// 7: a `terraform {}` settings block has a `role` of its own ([`crate::model::Role::Settings`]).
/// 8: a command-line flag (`--dry-run`) is also indexed whole, dashes and all.
/// 9: an AzAPI block is of the kind its Azure `type` names (`managed clusters`), and a
/// Terraform file whose object repeats a key is read (it was refused whole).
/// 10: a prose chunk carries what it is about as a vector, `meaning` (see [`crate::meaning`]),
/// and `identity` is indexed so that search can find every chunk of a page.
/// 11: a page's links to other pages are entries of their own (`link_unit`, `link_text`,
/// `link_to`; see [`crate::links`]).
pub const SCHEMA_VERSION: u32 = 11;

const MANIFEST: &str = "sleuth-manifest.json";
const TOKENIZER: &str = "sleuth_en";

/// The fields of every indexed chunk.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Unit the chunk came from (for deletion on re-index).
    pub unit: Field,
    /// Document id.
    pub doc_id: Field,
    /// Chunk id.
    pub chunk_id: Field,
    /// `confluence`, `notion`, …
    pub kind: Field,
    /// Filter scopes (`space:ops`, …).
    pub scope: Field,
    /// Document title.
    pub title: Field,
    /// Heading path, joined with ` > `.
    pub heading: Field,
    /// Ancestors, joined with ` > `.
    pub breadcrumbs: Field,
    /// Properties as `name: value` lines.
    pub fields: Field,
    /// The chunk's text.
    pub body: Field,
    /// Where the document is.
    pub location: Field,
    /// Section anchor.
    pub anchor: Field,
    /// Author.
    pub author: Field,
    /// Last modified.
    pub modified: Field,
    /// Attachment names.
    pub attachments: Field,
    /// Hash of what makes a hit distinct (see [`identity_key`]), a fast field so that search
    /// can keep one hit per document without loading stored documents.
    pub identity: Field,
    /// The whole document's text (title, breadcrumbs, properties, every section), set only on
    /// the one entry per document that stands for the whole of it rather than a chunk: search
    /// ranks documents by it as well as by their best sections.
    pub page: Field,
    /// 1 when the document is an example, test or fixture copy (see [`is_copy`]), a fast field
    /// so that search can demote copies before loading anything.
    pub copy: Field,
    /// [`crate::model::Role::code`] of the document, a fast field so that search can weigh
    /// outputs and variables by what the question asks before loading anything.
    pub role: Field,
    /// What a question may call the document by, hashed (see [`crate::phrases`]): a fast
    /// field with a value per name.
    pub names: Field,
    /// What a prose chunk is about, as a vector (see [`crate::meaning::packed`]): a fast field
    /// with several values, that search reranks its first prose pages by. Configuration has
    /// none.
    pub meaning: Field,
    /// The unit a link entry came from (for deletion on re-index): not `unit`, which
    /// populations and sides of the index are counted by, and a link is no part of a page.
    pub link_unit: Field,
    /// The words a page links to another page by (one entry per link).
    pub link_text: Field,
    /// The [`identity_key`] of the page a link entry points to, a fast field.
    pub link_to: Field,
}

impl Fields {
    /// The text fields a chunk is searched by, most telling first.
    pub fn searched(&self) -> [Field; 5] {
        [self.title, self.heading, self.breadcrumbs, self.fields, self.body]
    }

    /// The fields of a chunk's prose, across which a word's rarity is counted: not its
    /// properties, whose names every row of a database repeats ("Dependencies: …").
    pub fn prose(&self) -> [Field; 4] {
        [self.title, self.heading, self.breadcrumbs, self.body]
    }
}

/// Whether a location is an example, a test or a fixture rather than the thing itself, or
/// another edition of a page: an older version's copy (Docusaurus keeps them in
/// `versioned_docs/`, the current pages in `docs/`) or a translation (Docusaurus
/// `i18n/<locale>/`, Hugo `content/<language>/` other than English).
pub fn is_copy(location: &str) -> bool {
    let parts: Vec<&str> = location.split(['/', '\\']).collect();
    let translated = parts.windows(2).any(|w| w[0] == "content" && TRANSLATIONS.contains(&w[1]));
    translated || parts.iter().any(|c| EXAMPLE_DIRS.contains(c) || matches!(*c, "versioned_docs" | "i18n"))
}

/// Whether a page is a dated post of a site's blog or news (`blog/`, Jekyll's `_posts/`, Hugo's
/// `posts/`): written once for its day, not kept up like the documentation beside it.
pub fn is_post(location: &str) -> bool {
    location.split(['/', '\\']).rev().skip(1).any(|c| POST_DIRS.contains(&c))
}

/// Folders of a site's dated posts (see [`is_post`]).
const POST_DIRS: &[&str] = &["blog", "blogs", "_posts", "posts", "news"];

/// Whether a page is in a folder a site keeps retired content in (`legacy/`, `archive/`,
/// `deprecated/`): what it says was true of a product or a release the site has moved on from
/// (NATS keeps its retired streaming server's pages under `legacy/`), so the current page that
/// shares its words comes first.
pub fn is_archived(location: &str) -> bool {
    location.split(['/', '\\']).rev().skip(1).any(|c| ARCHIVE_DIRS.iter().any(|a| c.eq_ignore_ascii_case(a)))
}

/// Folders sites move retired content into (see [`is_archived`]), retired versions among it
/// (`docs/archives/1.0.0/`, see `editions`).
pub(crate) const ARCHIVE_DIRS: &[&str] = &[
    "archive",
    "archives",
    "archived",
    "old",
    "older",
    "legacy",
    "previous",
    "deprecated",
    "obsolete",
    "attic",
];

/// Folders that hold examples, tests and fixtures of the thing itself, or Terraform wrappers
/// that call each module once more (module calls from them do not make a module theirs
/// either, see `source::tf_modules`).
pub const EXAMPLE_DIRS: &[&str] =
    &["examples", "example", "tests", "test", "fixtures", "testdata", "__tests__", "wrappers"];

/// Language folders of a Hugo site's `content/` that hold translations of its English pages
/// (`it` is left out: an IT department's folder is likelier than Italian).
pub(crate) const TRANSLATIONS: &[&str] = &[
    "zh", "zh-cn", "zh-tw", "zh-hans", "zh-hant", "ja", "ko", "fr", "de", "es", "pt", "pt-br", "ru", "uk",
    "pl", "vi", "hi", "bn", "tr", "fa", "ar", "he", "nl", "sv", "cs", "id",
];

/// The identity of a document for de-duplicating hits: its id, except that a Terraform
/// object seen in both configuration and state is one (see [`crate::model::Document::object`]).
/// Hashed with SHA-256 (stable across builds, unlike `std`'s hasher) and cut to 64 bits.
pub fn identity_key(object: Option<&str>, doc_id: &str) -> u64 {
    use sha2::{Digest, Sha256};
    let identity = object.map_or_else(|| doc_id.to_string(), |o| format!("terraform:{o}"));
    let digest = Sha256::digest(identity.as_bytes());
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Builds the schema; field order is part of [`SCHEMA_VERSION`].
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = analysed(IndexRecordOption::WithFreqsAndPositions).set_stored();
    let fields = Fields {
        unit: b.add_text_field("unit", STRING),
        doc_id: b.add_text_field("doc_id", STRING | STORED),
        chunk_id: b.add_text_field("chunk_id", STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        scope: b.add_text_field("scope", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        heading: b.add_text_field("heading", text.clone()),
        breadcrumbs: b.add_text_field("breadcrumbs", text.clone()),
        fields: b.add_text_field("fields", text.clone()),
        body: b.add_text_field("body", text.clone()),
        location: b.add_text_field("location", STORED),
        anchor: b.add_text_field("anchor", STORED),
        author: b.add_text_field("author", STORED),
        modified: b.add_text_field("modified", STORED),
        attachments: b.add_text_field("attachments", STORED),
        // Indexed too: search finds every chunk of its first pages by it (see `search::rerank`).
        identity: b.add_u64_field("identity", FAST | INDEXED),
        page: b.add_text_field("page", analysed(IndexRecordOption::WithFreqsAndPositions)),
        copy: b.add_u64_field("copy", FAST),
        role: b.add_u64_field("role", FAST),
        names: b.add_u64_field("names", FAST),
        meaning: b.add_u64_field("meaning", FAST),
        link_unit: b.add_text_field("link_unit", STRING),
        // Whether a link holds a word is read, not how often: no frequencies.
        link_text: b.add_text_field("link_text", analysed(IndexRecordOption::Basic)),
        link_to: b.add_u64_field("link_to", FAST),
    };
    (b.build(), fields)
}

/// A text field read with sleuth's analysis (see [`register_tokenizer`]), not stored.
fn analysed(record: IndexRecordOption) -> TextOptions {
    TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(TOKENIZER).set_index_option(record))
}

/// Lucene's English stop words (tantivy's list) without the negations: "pods not ready" and
/// "no endpoints" say the opposite of "pods ready" and "endpoints".
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
    "will", "with",
];

/// English analysis: split on non-alphanumerics but apostrophes inside words (so
/// `aws_eks_node_group` and `orders-db` match their parts), camel case read whole and in parts
/// (`PodDisruptionBudget` also as `pod disruption budget`), lowercase, read `v30` as `30` and
/// `won't` as `not`, drop stop words (questions are full of them), stem.
pub fn register_tokenizer(index: &Index) {
    index.tokenizers().register(TOKENIZER, analyzer());
}

/// The analysis [`register_tokenizer`] registers, for text compared outside tantivy's queries.
pub fn analyzer() -> TextAnalyzer {
    let stop_words = StopWordFilter::remove(STOP_WORDS.iter().map(|w| (*w).to_string()));
    TextAnalyzer::builder(crate::tokens::Words::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(crate::tokens::VERSION_NUMBERS)
        .filter(crate::tokens::CONTRACTIONS)
        .filter(stop_words)
        .filter(crate::stems::CachedStemmer)
        .build()
}

/// What the manifest remembers of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRecord {
    /// Hash of the unit's files and context when it was indexed.
    pub hash: String,
    /// Kind of its documents.
    pub kind: Kind,
    /// Documents it produced.
    pub documents: usize,
    /// Chunks it produced.
    pub chunks: usize,
    /// Logical paths of the documents its page included (see [`crate::includes`]): their
    /// changes re-index it too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
    /// Those of them that are titled topics, named rather than read in (see
    /// [`crate::includes::topic_title`]): pages of their own, not fragments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    /// Bytes of its files (0 in a manifest written before this was recorded): pages named as
    /// versions of one page are its editions only when they are about as long (see
    /// `editions::suffixes`).
    #[serde(default)]
    pub bytes: u64,
}

impl UnitRecord {
    /// A unit of one document and one chunk, for tests that build a manifest by hand.
    #[cfg(test)]
    pub(crate) fn one(kind: Kind, bytes: u64) -> UnitRecord {
        UnitRecord {
            hash: String::new(),
            kind,
            documents: 1,
            chunks: 1,
            includes: Vec::new(),
            topics: Vec::new(),
            bytes,
        }
    }

    /// The fragments its page read in: what it included that is not a titled topic.
    pub fn snippets(&self) -> impl Iterator<Item = &str> {
        self.includes.iter().filter(|i| !self.topics.contains(i)).map(String::as_str)
    }
}

/// What the manifest remembers of a file: its stamp and hash, so an untouched file is not
/// read again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Size and mtime.
    pub stamp: Stamp,
    /// SHA-256 of the contents, hex.
    pub hash: String,
}

/// `sleuth-manifest.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// Version of the sleuth that last wrote the index.
    pub written_by: String,
    /// Indexed units by id.
    pub units: BTreeMap<String, UnitRecord>,
    /// Files by disk path.
    pub files: BTreeMap<String, FileRecord>,
    /// Archives by logical path.
    pub archives: BTreeMap<String, Stamp>,
}

impl Manifest {
    fn path(dir: &Path) -> PathBuf {
        dir.join(MANIFEST)
    }

    /// Reads the manifest of an index directory; `Ok(None)` if there is none.
    pub fn load(dir: &Path) -> Result<Option<Manifest>, Error> {
        let path = Self::path(dir);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, e)),
        };
        #[derive(Deserialize)]
        struct Version {
            schema_version: u32,
        }
        let version: Version = serde_json::from_slice(&bytes)
            .map_err(|e| Error::CorruptManifest { path: path.clone(), reason: e.to_string() })?;
        if version.schema_version != SCHEMA_VERSION {
            return Err(Error::IncompatibleSchema {
                path: dir.to_path_buf(),
                found: version.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::CorruptManifest { path, reason: e.to_string() })
    }

    /// The files an index at `dir` was built from, whatever its schema version (empty when
    /// there is no readable manifest): enough to tell whether an index a newer sleuth refuses
    /// holds anything but what sleuth itself put there.
    pub fn files_of_any_version(dir: &Path) -> Vec<PathBuf> {
        #[derive(Deserialize)]
        struct Files {
            #[serde(default)]
            files: BTreeMap<String, serde_json::Value>,
        }
        fs::read(Self::path(dir))
            .ok()
            .and_then(|b| serde_json::from_slice::<Files>(&b).ok())
            .map(|f| f.files.into_keys().map(PathBuf::from).collect())
            .unwrap_or_default()
    }

    /// Writes the manifest atomically (temporary file, then rename).
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        let path = Self::path(dir);
        let tmp = dir.join(format!("{MANIFEST}.tmp"));
        let bytes = serde_json::to_vec(self).expect("manifest serializes");
        fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
    }
}

/// Opens the index at `dir` for reading: checks the manifest's schema version first, so an
/// incompatible index is refused with a message rather than a tantivy error.
pub fn open(dir: &Path) -> Result<(Index, Fields, Manifest), Error> {
    let Some(manifest) = Manifest::load(dir)? else {
        return Err(if dir.join("meta.json").exists() {
            Error::NotAnIndex(dir.to_path_buf())
        } else {
            Error::NoIndex(dir.to_path_buf())
        });
    };
    let index = Index::open_in_dir(dir).map_err(|e| Error::tantivy(dir, e))?;
    register_tokenizer(&index);
    let (_, fields) = schema();
    Ok((index, fields, manifest))
}

/// Opens the index at `dir` for writing, creating it when the directory is missing or empty.
/// `rebuild` discards an existing sleuth index (of any schema version) first; a directory
/// that holds anything else is never touched.
pub fn open_or_create(dir: &Path, rebuild: bool) -> Result<(Index, Fields, Manifest), Error> {
    let has_manifest = Manifest::path(dir).exists();
    if rebuild && has_manifest {
        for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let path = entry.map_err(|e| Error::io(dir, e))?.path();
            let result = if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
            result.map_err(|e| Error::io(&path, e))?;
        }
    } else if has_manifest {
        return open(dir);
    }
    let empty = fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
    if !empty {
        return Err(Error::NotAnIndex(dir.to_path_buf()));
    }
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let (schema, fields) = schema();
    let index = Index::create_in_dir(dir, schema).map_err(|e| Error::tantivy(dir, e))?;
    register_tokenizer(&index);
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        written_by: env!("CARGO_PKG_VERSION").to_string(),
        ..Manifest::default()
    };
    manifest.save(dir)?;
    Ok((index, fields, manifest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_from_another_schema_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        open_or_create(dir.path(), false).unwrap();
        let mut m = Manifest::load(dir.path()).unwrap().unwrap();
        m.schema_version = SCHEMA_VERSION + 1;
        m.save(dir.path()).unwrap();
        let err = open(dir.path()).unwrap_err();
        assert!(matches!(err, Error::IncompatibleSchema { found, .. } if found == SCHEMA_VERSION + 1));
        assert!(err.to_string().contains("--rebuild"));
        assert!(Manifest::files_of_any_version(dir.path()).is_empty());
        assert!(Manifest::files_of_any_version(&dir.path().join("absent")).is_empty());
        // --rebuild recovers.
        open_or_create(dir.path(), true).unwrap();
        open(dir.path()).unwrap();
    }

    #[test]
    fn a_foreign_directory_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(open_or_create(dir.path(), true), Err(Error::NotAnIndex(_))));
        assert!(dir.path().join("notes.txt").exists());
    }
}
