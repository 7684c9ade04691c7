/*!
The search half of sleuth: turns a team's Confluence, Notion, Terraform and Markdown exports
into a tantivy index on disk, and answers searches over it.

# A tour

Indexing is a pipeline of small steps, each in its own module:

1. [`source`] walks the paths a user names, unpacks `.zip`s (nested ones too, safely), and
   groups files into *units*, the smallest sets of files that are parsed together: one wiki
   page, one Terraform file, or a Notion database (its CSV plus one page per row). The kind of
   each file is detected from its content and naming, or forced with `--kind`.
2. [`formats`] holds one reader per format (a page's includes of shared fragments expanded
   first, by [`includes`]; a titled page it includes is named by its title, not read in).
   Readers produce [`Document`]s (a title, breadcrumbs, properties, and the body split into
   heading sections) or one [`InputError`] saying which file, which line, and why. A bad file
   never stops the run.
3. [`redact`] scrubs secrets from everything a reader produced, before anything is written.
4. [`chunk`] cuts sections into pieces sized for an LLM's context, never across sections and
   preferably at paragraph or sentence ends.
5. [`ingest`] runs it all: hashes units to skip what has not changed since the last run, parses
   the rest in parallel, writes chunks, deletes what vanished, and returns a [`Summary`].

The index itself ([`index`]) is a tantivy index plus a manifest that records the schema
version (an incompatible index is refused with a message, never misread) and the hash of every
unit. Every document is written twice: as its chunks, and as one whole-document entry (its
identity, filters and all its text). [`search`] opens the index once and answers queries with
BM25 (titles and headings weigh more than body text, English stemming — [`stems`] remembers
each word's stem, which was a fifth of indexing —, stop words dropped;
[`tokens`] reads `PodDisruptionBudget` also as its words, `won't` as `not` and `v30` as
`30`; a question's "fail over" also asks for `failover`, and a situation it describes for the
names of its mechanism at less weight: "fail their probes" for *health checks*), ranking documents by their best
sections and, separately, as wholes (each population scored with its own statistics; beside
prose, a Terraform configuration is ordered against its own lengths), and fusing the two orders
by reciprocal rank; kind and scope
filters, one hit per document, and snippets with the matched terms marked. Scores are settled
so that two indexes of the same files rank alike. Some documents weigh less than the page they
stand beside: examples' and tests' copies, fragments other pages include, a site's dated posts
(its blog beside its documentation) and retired content (`legacy/`, `archive/`), Terraform
outputs (and variables and pages, asked where a thing is made) beside the blocks that make
things ([`Role`]), and — found by [`editions`] from the paths (and, for pages named as versions
of one page, their sizes) each time an index is opened — a site's older releases of a page
(folded into the newest edition, which shows the page unless an older one's text matched far
better) and pages only older releases have (a Docusaurus release's copies of current pages count
in saying which release is newest). A Terraform block whose kind the
question names ("the launch template") weighs more: [`phrases`] hashes what a document is one
of, and the question's runs of words, into comparable keys. Last, unless the question names
something exactly that few pages hold (a flag, an identifier, a quoted string), the first
thirty prose pages are reranked by a linear model learnt from the retrieval benchmark
(`scripts/train-rerank.py`): their places and scores in both orders, how near in meaning their
nearest section is to the question ([`meaning`] gives every prose chunk, and the question, a
static vector: bundled token vectors, a lookup per word), how much of the question their names
hold (the title, or the words other pages link to them by: [`links`] reads a page's links when
it is indexed, and each link the run can resolve is an entry of its own), their length;
configuration and demoted pages keep their places.
[`Searcher::search_explained`] returns what the reranker read of each hit.
[`documents`] lists what is indexed and
puts one document back together from its chunks, for front ends that hand documents over by
reference.

```no_run
use retriever::{IndexOptions, NoProgress, SearchQuery, Searcher};
# fn main() -> Result<(), retriever::Error> {
let dir = std::path::Path::new("/tmp/sleuth-index");
let summary = retriever::index(dir, &["docs-index".into()], &IndexOptions::default(), &NoProgress)?;
println!("{} documents, {} skipped", summary.documents, summary.skipped.len());
let hits = Searcher::open(dir)?.search(&SearchQuery { text: "what does checkout depend on".into(), limit: 5, ..Default::default() })?;
# Ok(()) }
```

This crate knows nothing about Kubernetes or LLMs.
*/

pub mod chunk;
pub mod documents;
pub mod editions;
pub mod error;
pub mod formats;
pub mod includes;
pub mod index;
pub mod ingest;
pub mod links;
pub mod meaning;
pub mod model;
pub mod phrases;
pub use redact;
pub mod search;
pub mod source;
pub mod stems;
#[cfg(test)]
mod test_docs;
pub mod tokens;

pub use documents::{DocumentInfo, DocumentText};
pub use error::{Error, InputError};
pub use index::SCHEMA_VERSION;
pub use ingest::{IndexOptions, NoProgress, Progress, Summary, index};
pub use model::{Chunk, Document, Kind, Role, Section};
pub use search::{Features, Hit, SearchQuery, Searcher, scope};
