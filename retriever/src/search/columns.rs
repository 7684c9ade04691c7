//! How much a hit counts, and for which page: copies (examples' and tests' files), fragments
//! other pages include and pages only older releases have weigh less; another edition of a
//! page (an older release's, a translation) counts for the page it folds into; a site's dated
//! posts (its blog) weigh less than its documentation; Terraform
//! outputs, and variables when the question asks where a thing is made, weigh less than the
//! blocks that make things. Read from fast fields, without loading stored documents.

use std::collections::{HashMap, HashSet};

use tantivy::columnar::Column;

use super::Searcher;
use super::query_text::Asks;
use crate::error::Error;
use crate::model::Role;

/// The fast fields search reads per hit, opened once per segment.
pub(super) struct Columns<'a> {
    owner: &'a Searcher,
    searcher: &'a tantivy::Searcher,
    asks: Asks,
    /// The names the question calls things by (see [`crate::phrases`]).
    named: HashSet<u64>,
    by_segment: HashMap<u32, [Column<u64>; 4]>,
}

impl<'a> Columns<'a> {
    pub(super) fn new(
        owner: &'a Searcher,
        searcher: &'a tantivy::Searcher,
        asks: Asks,
        named: HashSet<u64>,
    ) -> Self {
        Columns { owner, searcher, asks, named, by_segment: HashMap::new() }
    }

    /// A hit's document identity and the weight of its score (copies, fragments, and blocks
    /// that are not what the question asks for weigh less).
    pub(super) fn get(&mut self, addr: tantivy::DocAddress) -> Result<Owner, Error> {
        let [identity, copy, role, names] = match self.by_segment.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let fast = self.searcher.segment_reader(addr.segment_ord).fast_fields();
                let open = |name: &str| fast.u64(name).map_err(|err| Error::tantivy(&self.owner.path, err));
                e.insert([open("identity")?, open("copy")?, open("role")?, open("names")?])
            }
        };
        let key = identity.first(addr.doc_id).unwrap_or(u64::from(addr.doc_id));
        let role = Role::from_code(role.first(addr.doc_id).unwrap_or_default());
        if let Some(newest) = self.owner.editions.get(&key) {
            let weight = COPY_WEIGHT * role_weight(role, self.asks);
            return Ok(Owner { key: *newest, own: key, weight });
        }
        let copied = copy.first(addr.doc_id) == Some(1) || self.owner.demoted.contains(&key);
        let weight = if copied { COPY_WEIGHT } else { 1.0 };
        // Asked for an output or a knob, the block a question names is not the answer.
        let kind_named = !self.asks.outputs
            && !self.asks.knob
            && !self.named.is_empty()
            && names.values_for_doc(addr.doc_id).any(|n| self.named.contains(&n));
        let weight = weight * role_weight(role, self.asks) * if kind_named { NAMED_WEIGHT } else { 1.0 };
        Ok(Owner { key, own: key, weight })
    }
}

/// What a document's role weighs for a question: an output only re-exports an attribute of
/// the block that defines it, so it ranks below that block unless outputs are what is asked; a
/// variable is a knob, not where a thing is made; nor is a page that tells of it; the
/// `terraform {}` settings block answers questions about versions only.
fn role_weight(role: Role, asks: Asks) -> f32 {
    match role {
        Role::Output if !asks.outputs => REFERENCE_WEIGHT,
        Role::Input if asks.where_made => REFERENCE_WEIGHT,
        Role::Page if asks.block_making => REFERENCE_WEIGHT,
        Role::Settings if !asks.versions => REFERENCE_WEIGHT,
        _ => 1.0,
    }
}

/// The document a hit counts for.
pub(super) struct Owner {
    /// Its identity (another edition's: the page it folds into).
    pub(super) key: u64,
    /// The identity of the document the hit is in: another edition's own, where it differs
    /// from `key`.
    pub(super) own: u64,
    /// What its score is multiplied by.
    pub(super) weight: f32,
}

impl Owner {
    /// Whether the hit is in another edition of the page (see [`crate::editions`]).
    pub(super) fn edition(&self) -> bool {
        self.own != self.key
    }
}

/// What a page under `examples/`, `tests/` or `fixtures/` weighs against the page it copies or
/// calls: the same block copied into an example must not crowd out the module's own.
const COPY_WEIGHT: f32 = 0.6;
/// What a Terraform output (or, asked where a thing is made, a variable) weighs against the
/// blocks that make things. Chosen on the Terraform corpora of the retrieval benchmark (see
/// BENCHMARKS.md).
const REFERENCE_WEIGHT: f32 = 0.6;

/// What a block the question names the kind of (`launch template`: an `aws_launch_template`)
/// weighs against others: the variables and pages that mention one restate the question's
/// words more densely than the long block that makes it. Chosen on the Terraform corpora of
/// the retrieval benchmark (1.1 to 2 all gain; see BENCHMARKS.md).
const NAMED_WEIGHT: f32 = 1.25;

#[cfg(test)]
mod tests {
    use crate::test_docs::index_files;
    use crate::{SearchQuery, Searcher};

    const MAIN: &str = r#"
variable "nat_gateway_destination_cidr_block" {
  description = "Used to pass a custom destination route for the private NAT gateway"
  type        = string
}

resource "aws_nat_gateway" "this" {
  count         = var.enable_nat_gateway ? 1 : 0
  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id
  tags          = merge(var.tags, var.nat_gateway_tags)
  depends_on    = [aws_internet_gateway.this]
}
"#;
    const OUTPUTS: &str = r#"
output "natgw_ids" {
  description = "List of NAT gateway IDs"
  value       = aws_nat_gateway.this[*].id
}
"#;

    fn first(s: &Searcher, text: &str) -> String {
        let hits = s.search(&SearchQuery { text: text.into(), limit: 3, ..Default::default() }).unwrap();
        hits[0].title.clone()
    }

    #[test]
    fn a_block_whose_kind_the_question_names_outranks_the_knobs_that_mention_it() {
        let template = crate::test_docs::long_resource("aws_launch_template", "this", 10);
        let variables = r#"
variable "launch_template_name" {
  description = "Name of the launch template to create"
  type        = string
}
"#;
        let index = index_files(&[("main.tf", &template), ("variables.tf", variables)]);
        let s = Searcher::open(index.path()).unwrap();
        assert_eq!(first(&s, "launch template used by node groups"), "aws_launch_template.this");
        // Asked for a knob, the knob.
        assert_eq!(first(&s, "which variable names the launch template"), "var.launch_template_name");
    }

    #[test]
    fn asked_which_block_makes_a_thing_the_block_outranks_the_readme_telling_of_it() {
        let subnets = r#"
resource "google_compute_subnetwork" "subnetwork" {
  for_each      = local.subnets
  name          = each.value.subnet_name
  ip_cidr_range = each.value.subnet_ip
}
"#;
        let readme = "# Subnets\n\nThis module creates the subnets of a network.\n\n## Usage\n\n\
            Call it from your root configuration with the project, the region and the name of the \
            network; it reads the list from a variable and returns the self links, names and ranges \
            as outputs that other modules can take.\n";
        let index = index_files(&[("main.tf", subnets), ("README.md", readme)]);
        let s = Searcher::open(index.path()).unwrap();
        assert_eq!(first(&s, "which resource creates the subnets"), "google_compute_subnetwork.subnetwork");
        // Not asked where a thing is made, the page that tells of it.
        assert_eq!(first(&s, "what are the subnets for"), "Subnets");
    }

    #[test]
    fn the_settings_block_answers_questions_about_versions_only() {
        let settings = "terraform {\n  required_version = \">= 1.5.7\"\n  required_providers {\n    \
            aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 6.0\"\n    }\n  }\n}\n";
        let versioning = r#"
resource "aws_s3_bucket_versioning" "this" {
  count  = length(keys(var.versioning)) > 0 ? 1 : 0
  bucket = aws_s3_bucket.this[0].id
  versioning_configuration {
    status     = try(var.versioning["enabled"] ? "Enabled" : "Suspended", "Enabled")
    mfa_delete = try(var.versioning["mfa_delete"] ? "Enabled" : "Disabled", null)
  }
}
"#;
        // Other blocks of the module, which speak of objects too.
        let bucket = r#"
resource "aws_s3_bucket" "this" {
  bucket              = var.bucket
  object_lock_enabled = var.object_lock_enabled
}

resource "aws_s3_bucket_object_lock_configuration" "this" {
  bucket = aws_s3_bucket.this[0].id
  rule {
    default_retention {
      mode = var.object_lock_configuration.rule.default_retention.mode
    }
  }
}
"#;
        // A submodule's settings: its path says "object", as the question does.
        let index = index_files(&[
            ("modules/object/versions.tf", settings),
            ("main.tf", versioning),
            ("bucket.tf", bucket),
        ]);
        let s = Searcher::open(index.path()).unwrap();
        assert_eq!(
            first(&s, "turn on versioning so overwritten objects can be recovered"),
            "aws_s3_bucket_versioning.this"
        );
        assert_eq!(
            first(&s, "which terraform and provider versions are required"),
            "modules/object: terraform settings"
        );
    }

    #[test]
    fn dated_posts_and_retired_pages_rank_below_the_documentation_beside_them() {
        // Each unkept page says the question's words more often than the current one.
        for (unkept, current, question, order) in [
            (
                (
                    "site/blog/_posts/2019-04-taints.md",
                    "# Taints in depth\n\nTaints repel pods: taints on nodes repel pods without a toleration.\n",
                ),
                ("site/docs/taints.md", "# Taints and tolerations\n\nA taint on a node repels pods.\n"),
                "taints repel pods",
                ["Taints and tolerations", "Taints in depth"],
            ),
            (
                (
                    "legacy/streaming/redelivery.md",
                    "# Redelivery\n\nA message not acknowledged in time is redelivered: redelivered again.\n",
                ),
                (
                    "concepts/consumers.md",
                    "# Consumers\n\nA message not acknowledged in time is redelivered.\n",
                ),
                "message redelivered",
                ["Consumers", "Redelivery"],
            ),
        ] {
            let index = index_files(&[unkept, current]);
            let s = Searcher::open(index.path()).unwrap();
            let hits = s.search(&SearchQuery { text: question.into(), limit: 2, ..Default::default() });
            let found: Vec<String> = hits.unwrap().into_iter().map(|h| h.title).collect();
            assert_eq!(found, order, "{question}");
        }
        assert!(crate::index::is_post("site/news/2020-release.md") && !crate::index::is_post("blog.md"));
        for (location, archived) in [
            ("docs/Legacy/x.md", true),
            ("archive/2019/x.md", true),
            ("docs/deprecated/x.md", true),
            ("docs/legacy-apis/x.md", false),
            ("docs/legacy.md", false),
        ] {
            assert_eq!(crate::index::is_archived(location), archived, "{location}");
        }
    }

    #[test]
    fn the_block_that_makes_a_thing_outranks_the_outputs_and_knobs_that_name_it() {
        let index = index_files(&[("main.tf", MAIN), ("outputs.tf", OUTPUTS)]);
        let s = Searcher::open(index.path()).unwrap();
        assert_eq!(first(&s, "NAT gateway"), "aws_nat_gateway.this");
        assert_eq!(first(&s, "where is the private NAT gateway created"), "aws_nat_gateway.this");
        // Asked for what the configuration hands out, the output is the answer; asked for a
        // knob, the variable.
        assert_eq!(first(&s, "list of NAT gateway IDs to export"), "output.natgw_ids");
        assert_eq!(
            first(&s, "which variable sets the private NAT gateway destination"),
            "var.nat_gateway_destination_cidr_block"
        );
    }
}
