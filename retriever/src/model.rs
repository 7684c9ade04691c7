//! The document model every reader produces and the chunker consumes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a document came from. The string forms are what users type after `--kind` and what
/// the JSON output and the index store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A Confluence space export (HTML or XML).
    Confluence,
    /// A Notion "Markdown & CSV" (or HTML) export.
    Notion,
    /// Terraform configuration, state, or `terraform show -json` output.
    Terraform,
    /// Documentation pages: plain Markdown files and static HTML pages of a documentation site.
    Markdown,
}

impl Kind {
    /// Every kind, in the order help texts list them.
    pub const ALL: [Kind; 4] = [Kind::Confluence, Kind::Notion, Kind::Terraform, Kind::Markdown];

    /// The lowercase name used on the command line, in JSON and in the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Confluence => "confluence",
            Kind::Notion => "notion",
            Kind::Terraform => "terraform",
            Kind::Markdown => "markdown",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s)).ok_or_else(|| {
            format!("unknown kind {s:?} (expected one of: confluence, notion, terraform, markdown)")
        })
    }
}

/// One logical document: a wiki page, a database row, a Terraform resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable identifier, unique within the index (derived from the location).
    pub id: String,
    /// Format family.
    pub kind: Option<Kind>,
    /// Human title (ids stripped, space prefixes removed).
    pub title: String,
    /// Path of the file it came from (`archive.zip!/inner/path` inside archives), with a
    /// `:line` suffix where the document starts inside a larger file.
    pub location: String,
    /// Ancestors from the top down (Confluence breadcrumbs, Notion folder path, module path).
    pub breadcrumbs: Vec<String>,
    /// Filter scopes, e.g. `space:ops`, `database:service catalog`, `module:module.eks`.
    pub scopes: Vec<String>,
    /// Author or creator, when the export says.
    pub author: Option<String>,
    /// Last-modified date as the export wrote it.
    pub modified: Option<String>,
    /// Structured properties (Notion properties, Terraform type/address, …).
    pub fields: Vec<(String, String)>,
    /// The body, split at headings.
    pub sections: Vec<Section>,
    /// Attachment file names: listed with the page, never indexed.
    pub attachments: Vec<String>,
    /// The Terraform object it describes, by the address configuration and state share
    /// (`module.eks.aws_eks_cluster.this`): documents of one object are one hit. `None`: the
    /// document is an object of its own (a page; a block of an example or of a configuration
    /// nobody calls, whose bare address another configuration may use too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// What the document is to the configuration it belongs to, where that tells search how
    /// apt it is: a Terraform variable or output is not where a thing is made.
    #[serde(default, skip_serializing_if = "Role::is_definition")]
    pub role: Role,
    /// What the document is one of, in words, where a question may name it (`launch
    /// template` for an `aws_launch_template` block): a question naming it asks for this
    /// document more than for the pages and knobs that mention one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_of: Option<String>,
}

/// What a document is to its configuration. A Terraform output re-exports an attribute of a
/// block defined elsewhere, and a variable is a knob the module's blocks read; every other
/// document (a page, a resource, a module call) defines what it describes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// It is the thing itself (a resource, a data source, a module call).
    #[default]
    Definition,
    /// A Terraform `variable`: an input of its module.
    Input,
    /// A Terraform `output`: a value its module exports.
    Output,
    /// A page (documentation, a wiki page): it tells of things, it makes none. Asked which
    /// block makes a thing, the block is the answer, not the module's README.
    Page,
    /// A Terraform `terraform {}` block: the versions of Terraform and of the providers a
    /// module needs. It makes nothing, and its words ("version", "provider", the module's name
    /// in `provider_meta`) are those of many questions that are not about versions.
    Settings,
}

impl Role {
    /// Its code in the index's `role` fast field.
    #[must_use]
    pub fn code(self) -> u64 {
        match self {
            Role::Definition => 0,
            Role::Input => 1,
            Role::Output => 2,
            Role::Page => 3,
            Role::Settings => 4,
        }
    }

    /// The role a `role` fast field's code stands for (an unknown code: a definition).
    #[must_use]
    pub fn from_code(code: u64) -> Role {
        match code {
            1 => Role::Input,
            2 => Role::Output,
            3 => Role::Page,
            4 => Role::Settings,
            _ => Role::Definition,
        }
    }

    #[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's skip_serializing_if passes a reference")]
    fn is_definition(&self) -> bool {
        *self == Role::Definition
    }
}

/// A run of body text under one heading path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// Headings from the outermost to this section's own; empty for text before any heading.
    pub heading: Vec<String>,
    /// An anchor to cite the section by (`id` of the heading), when the format has one.
    pub anchor: Option<String>,
    /// Readable text: paragraphs separated by blank lines, code kept in fenced blocks.
    pub text: String,
}

impl Document {
    /// Builds an empty document of `kind` with the given title and location; the id is the
    /// location, which is unique per file (plus a suffix the caller adds when one file yields
    /// several documents).
    pub fn new(kind: Kind, title: impl Into<String>, location: impl Into<String>) -> Self {
        let location = location.into();
        Document {
            id: location.clone(),
            kind: Some(kind),
            title: title.into(),
            location,
            ..Document::default()
        }
    }

    /// Adds a scope such as `space:OPS`; stored lowercased so filters are case-insensitive.
    pub fn add_scope(&mut self, facet: &str, value: &str) {
        let value = value.trim();
        if !value.is_empty() {
            let scope = format!("{facet}:{}", value.to_lowercase());
            if !self.scopes.contains(&scope) {
                self.scopes.push(scope);
            }
        }
    }

    /// Total characters of body text, for statistics.
    pub fn body_len(&self) -> usize {
        self.sections.iter().map(|s| s.text.len()).sum()
    }
}

/// A piece of a document small enough to hand to an LLM, as stored in the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    /// `<document id>#<ordinal>`.
    pub id: String,
    /// Position of the chunk within its document.
    pub ordinal: usize,
    /// Heading path of the section the chunk belongs to.
    pub heading: Vec<String>,
    /// Anchor of that section, when known.
    pub anchor: Option<String>,
    /// The chunk's text.
    pub text: String,
}
