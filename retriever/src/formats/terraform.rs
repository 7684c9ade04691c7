//! Terraform configuration: `.tf`, `.tf.json`, `.tfvars` and `.terraform.lock.hcl`.
//!
//! One document per block that names infrastructure (`resource`, `data`, `module`,
//! `variable`, `output`, `provider`, `locals`), titled by its address so that a question naming
//! the address finds it. A reusable module's blocks are titled by the module's own path in the
//! repository (`modules/eks-managed-node-group: aws_eks_node_group.this`), one and the same
//! object however many configurations call it, and carry each caller's full address
//! (`module.eks_managed_node_group.aws_eks_node_group.this`) as an `address` property and a
//! module scope. Which `module` blocks point at the file's directory is the planner's business
//! ([`Module`]). Secrets are redacted structurally (defaults of `sensitive` variables, literal
//! values of secret-named arguments) and then by pattern.

use hcl::{Attribute, Block, Body, Expression};
use regex::Regex;

use crate::error::InputError;
use crate::model::{Document, Kind, Role, Section};
use redact::{REDACTED, is_reference, is_sensitive_key, redact_json, redact_text};

/// Where a Terraform file sits among the repository's modules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Module {
    /// The module's directory relative to the configuration that calls it
    /// (`modules/eks-managed-node-group`), or the directory of an example or test configuration
    /// (`examples/karpenter`); empty for a top-level configuration. Titles start with it.
    pub path: String,
    /// Full addresses of the `module` blocks that call it (`module.eks`,
    /// `module.eks.module.node_group`), the configuration's own calls first.
    pub callers: Vec<String>,
}

impl Module {
    /// A called module at `path`.
    pub fn called(path: &str, callers: &[&str]) -> Module {
        Module { path: path.to_string(), callers: callers.iter().map(|c| (*c).to_string()).collect() }
    }
}

/// Parses a `.tf` file of `module` ([`Module::default`] for a top-level configuration).
pub fn parse_tf(text: &str, location: &str, module: &Module) -> Result<Vec<Document>, InputError> {
    let body = parse_hcl(text, location)?;
    let mut docs = Vec::new();
    let mut search_from = 0;
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels().iter().map(hcl::BlockLabel::as_str).collect();
        let (line, after) = find_block(text, block.identifier(), &labels, search_from);
        search_from = after;
        let Some(mut doc) = block_document(block, &labels, module, &format!("{location}:{line}")) else {
            continue;
        };
        let rendered = hcl::format::to_string(&redact_block(block)).unwrap_or_default();
        doc.sections.push(Section {
            heading: Vec::new(),
            anchor: None,
            text: redact_text(rendered.trim()).into_owned(),
        });
        docs.push(doc);
    }
    unmark(&mut docs);
    Ok(docs)
}

/// Parses a `.tf.json` file (the same blocks in JSON syntax).
pub fn parse_tf_json(text: &str, location: &str, module: &Module) -> Result<Vec<Document>, InputError> {
    let root: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| InputError::at(location, e.line(), format!("invalid JSON: {e}")))?;
    let mut docs = Vec::new();
    let Some(root) = root.as_object() else {
        return Err(InputError::new(
            location,
            "not a Terraform JSON configuration (top level is not an object)",
        ));
    };
    for (kind, entries) in root {
        let Some(entries) = entries.as_object() else {
            continue;
        };
        let two_labels = matches!(kind.as_str(), "resource" | "data");
        for (first, value) in entries {
            let items: Vec<(Vec<&str>, &serde_json::Value)> = if two_labels {
                value
                    .as_object()
                    .map(|m| m.iter().map(|(n, v)| (vec![first.as_str(), n.as_str()], v)).collect())
                    .unwrap_or_default()
            } else {
                vec![(vec![first.as_str()], value)]
            };
            for (labels, attrs) in items {
                let block = Block::builder(kind.as_str()).add_labels(labels.clone()).build();
                let Some(mut doc) = block_document(&block, &labels, module, location) else {
                    continue;
                };
                doc.id = format!("{location}#{}", doc.title);
                let mut attrs = attrs.clone();
                redact_json(&mut attrs);
                let text = serde_json::to_string_pretty(&attrs).unwrap_or_default();
                doc.sections.push(Section { heading: Vec::new(), anchor: None, text });
                docs.push(doc);
            }
        }
    }
    Ok(docs)
}

/// Parses a `.tfvars` file into one document; values of secret-named variables are redacted
/// whatever their form, since tfvars hold literals.
pub fn parse_tfvars(text: &str, location: &str, file_name: &str) -> Result<Vec<Document>, InputError> {
    let body = parse_hcl(text, location)?;
    let mut doc = Document::new(Kind::Terraform, format!("Variable values ({file_name})"), location);
    doc.fields.push(("block".into(), "tfvars".into()));
    let mut lines = Vec::new();
    for attr in body.attributes() {
        let value = if is_sensitive_key(attr.key()) {
            format!("\"{REDACTED}\"")
        } else {
            hcl::format::to_string(attr.expr()).unwrap_or_default()
        };
        lines.push(format!("{} = {}", attr.key(), value));
    }
    doc.sections.push(Section {
        heading: Vec::new(),
        anchor: None,
        text: redact_text(&lines.join("\n")).into_owned(),
    });
    let mut docs = vec![doc];
    unmark(&mut docs);
    Ok(docs)
}

/// Parses `.terraform.lock.hcl`: provider pins (hashes are left out).
pub fn parse_lock(text: &str, location: &str) -> Result<Vec<Document>, InputError> {
    let body = parse_hcl(text, location)?;
    let mut doc = Document::new(Kind::Terraform, "Provider versions (.terraform.lock.hcl)", location);
    let mut lines = Vec::new();
    for block in body.blocks().filter(|b| b.identifier() == "provider") {
        let name = block.labels().first().map(hcl::BlockLabel::as_str).unwrap_or_default();
        let get = |k: &str| {
            block
                .body()
                .attributes()
                .find(|a| a.key() == k)
                .map(|a| hcl::format::to_string(a.expr()).unwrap_or_default())
        };
        let version = get("version").unwrap_or_default();
        let constraints = get("constraints").map(|c| format!(" (constraints {c})")).unwrap_or_default();
        lines.push(format!("provider {name} version {version}{constraints}"));
    }
    doc.sections.push(Section { heading: Vec::new(), anchor: None, text: lines.join("\n") });
    Ok(vec![doc])
}

/// How many repeated object keys one file may have renamed before it is refused.
const MAX_REPEATS: usize = 64;
/// Put before a repeated object key so the parser takes it, and taken out of every text a
/// document shows ([`unmark`]).
const REPEATED: &str = "sleuthrepeatedkey";

/// Parses HCL as Terraform reads it. Terraform takes an object that repeats a key (the last
/// one wins: terraform-aws-alb's own examples set `port` twice in one target group); hcl-edit
/// refuses the whole file, and every block in it was lost. Each repeated key is renamed
/// (marked with [`REPEATED`], which [`unmark`] takes out of the documents) and the file parsed
/// again; any other error is the file's.
fn parse_hcl(text: &str, location: &str) -> Result<Body, InputError> {
    let mut text = std::borrow::Cow::Borrowed(text);
    let mut repeats = 0;
    loop {
        let err = match hcl::parse(&text) {
            Ok(body) => return Ok(body),
            Err(e) => e,
        };
        if let hcl::Error::Parse(p) = &err
            && p.message().contains("redefined object key")
            && repeats < MAX_REPEATS
            && let Some(marked) = mark_key(&text, p.location().offset())
        {
            text = std::borrow::Cow::Owned(marked);
            repeats += 1;
            continue;
        }
        return Err(match err {
            hcl::Error::Parse(p) => {
                InputError::at(location, p.location().line(), format!("malformed HCL: {}", p.message()))
            }
            other => InputError::new(location, format!("malformed HCL: {other}")),
        });
    }
}

/// `text` with the object key that starts at byte `at` (a name, or a quoted string) marked as
/// repeated; `None` for any other key (an expression in parentheses).
fn mark_key(text: &str, at: usize) -> Option<String> {
    let rest = text.get(at..)?;
    let inside = if rest.starts_with('"') { at + 1 } else { at };
    let first = text.get(inside..)?.chars().next()?;
    (first.is_alphabetic() || first == '_')
        .then(|| format!("{}{REPEATED}{}", &text[..inside], &text[inside..]))
}

/// Takes [`REPEATED`] marks out of every text the documents show.
fn unmark(docs: &mut [Document]) {
    for doc in docs {
        for s in &mut doc.sections {
            if s.text.contains(REPEATED) {
                s.text = s.text.replace(REPEATED, "");
            }
        }
        for (_, v) in &mut doc.fields {
            if v.contains(REPEATED) {
                *v = v.replace(REPEATED, "");
            }
        }
    }
}

/// The document for one block, without its body text; `None` for blocks that describe no
/// infrastructure.
fn block_document(block: &Block, labels: &[&str], module: &Module, location: &str) -> Option<Document> {
    let ident = block.identifier();
    let (local, ty) = match (ident, labels) {
        ("resource", [ty, name]) => (format!("{ty}.{name}"), Some(*ty)),
        ("data", [ty, name]) => (format!("data.{ty}.{name}"), Some(*ty)),
        ("module", [name]) => (format!("module.{name}"), None),
        ("variable", [name]) => (format!("var.{name}"), None),
        ("output", [name]) => (format!("output.{name}"), None),
        ("provider", [name, ..]) => (format!("provider.{name}"), None),
        ("locals", []) => ("locals".to_string(), None),
        ("terraform", []) => ("terraform settings".to_string(), None),
        _ => return None,
    };
    let title = if module.path.is_empty() { local.clone() } else { format!("{}: {local}", module.path) };
    let addresses: Vec<String> = if module.callers.is_empty() {
        vec![local.clone()]
    } else {
        module.callers.iter().map(|c| format!("{c}.{local}")).collect()
    };
    let mut doc = Document::new(Kind::Terraform, title, location);
    doc.id = format!("{location}#{local}");
    // Its address names one object only where configuration and state agree on it: a called
    // module's block by its caller's address, the top-level configuration's by its own. The
    // bare address of an example's or another uncalled configuration's block is shared by
    // every configuration that has it (eight generated variants of one module, `envs/prod`
    // and `envs/staging`): such a block is an object of its own.
    if !module.callers.is_empty() || module.path.is_empty() {
        doc.object = addresses.first().cloned();
    }
    for address in &addresses {
        doc.fields.push(("address".into(), address.clone()));
    }
    doc.fields.push(("block".into(), ident.to_string()));
    doc.role = match ident {
        "variable" => Role::Input,
        "output" => Role::Output,
        "terraform" => Role::Settings,
        _ => Role::Definition,
    };
    if let Some(ty) = ty {
        doc.fields.push(("type".into(), ty.to_string()));
        doc.instance_of = type_phrase(ty);
        let words = type_keywords(ty);
        if !words.is_empty() {
            doc.fields.push(("kind of resource".into(), words));
        }
        if let Some(azure) = azure_type(ty, block) {
            azure.describe(&mut doc);
        }
    }
    if ident == "terraform" {
        // Its body says `required_providers` and `version = ">= 6.0"`; asked which versions
        // a module needs, an engineer says neither.
        doc.fields.push(("settings of".into(), "required terraform version and provider versions".into()));
        doc.instance_of = Some("provider versions".into());
    }
    if !module.path.is_empty() {
        doc.fields.push(("module path".into(), module.path.clone()));
    }
    if module.callers.is_empty() {
        doc.fields.push(("module".into(), "root".into()));
        doc.add_scope("module", "root");
    }
    for caller in &module.callers {
        doc.fields.push(("module".into(), caller.clone()));
        doc.add_scope("module", caller);
    }
    if let Some(first) = module.callers.first() {
        // `module.a.module.b` → [`module.a`, `module.b`]
        doc.breadcrumbs =
            first.trim_start_matches("module.").split(".module.").map(|m| format!("module.{m}")).collect();
    }
    if ident == "module" {
        for address in &addresses {
            doc.add_scope("module", address);
        }
        for key in ["source", "version"] {
            if let Some(a) = block.body().attributes().find(|a| a.key() == key) {
                let v = hcl::format::to_string(a.expr()).unwrap_or_default();
                doc.fields.push((key.into(), v.trim_matches('"').to_string()));
            }
        }
    }
    Some(doc)
}

/// The Azure resource type an AzAPI block makes (`Microsoft.ContainerService/managedClusters`):
/// its Terraform type (`azapi_resource`) names no kind, its `type` argument does.
struct AzureType {
    /// The type without its API version.
    name: String,
    /// Its last segment in words (`managedClusters` → `managed clusters`).
    kind: String,
}

fn azure_type(ty: &str, block: &Block) -> Option<AzureType> {
    if !ty.starts_with("azapi_") {
        return None;
    }
    let value = block.body().attributes().find(|a| a.key() == "type")?;
    // Written out, or chosen between API versions of one type (`cond ? "…@2026-03-01" :
    // "…@2026-03-02-preview"`, as the AKS module does).
    let mut names: Vec<&str> =
        literals(value.expr()).into_iter().filter_map(|t| t.split('@').next()).collect();
    names.dedup();
    let [name] = names[..] else {
        return None;
    };
    let name = name.to_string();
    let (_namespace, path) = name.split_once('/')?;
    let last = path.rsplit('/').next()?;
    let kind = crate::tokens::camel_words(last).join(" ").to_lowercase();
    (!kind.is_empty()).then_some(AzureType { name, kind })
}

/// The strings an expression may be: a string, either branch of a conditional, one in
/// parentheses; nothing for anything computed.
fn literals(expr: &Expression) -> Vec<&str> {
    match expr {
        Expression::String(s) => vec![s.as_str()],
        Expression::Parenthesis(inner) => literals(inner),
        Expression::Conditional(c) => {
            let (yes, no) = (literals(&c.true_expr), literals(&c.false_expr));
            if yes.is_empty() || no.is_empty() { Vec::new() } else { [yes, no].concat() }
        }
        _ => Vec::new(),
    }
}

impl AzureType {
    /// Gives the block the kind its Azure type names, as other providers' types give theirs.
    fn describe(self, doc: &mut Document) {
        // "the AKS cluster": the managed cluster is AKS, as `azurerm_kubernetes_cluster` is.
        let also = if self.name.eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters") {
            " aks kubernetes cluster"
        } else {
            ""
        };
        doc.fields.push(("azure type".into(), self.name));
        doc.fields.push(("kind of resource".into(), format!("{}{also}", self.kind)));
        doc.instance_of = Some(self.kind);
    }
}

/// What a resource or data source type calls its objects: the type without its provider
/// (`aws_launch_template` → `launch template`). `None` for a single word (`aws_subnet`,
/// `random_id`, `null_resource`): one word names too many things a question may say.
fn type_phrase(ty: &str) -> Option<String> {
    let (_provider, rest) = ty.split_once('_')?;
    rest.contains('_').then(|| rest.replace('_', " "))
}

/// Plain words for a provider resource type, so that "database" finds `aws_db_instance` and
/// "queue" finds `aws_sqs_queue`: people ask in words, Terraform names in abbreviations.
pub fn type_keywords(ty: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("db", "database"),
        ("rds", "database postgres mysql"),
        ("elasticache", "cache redis memcached"),
        ("eks", "kubernetes cluster"),
        ("node_group", "nodes workers"),
        ("s3", "bucket storage"),
        ("sqs", "queue messages"),
        ("sns", "topic notifications"),
        ("iam", "identity permissions access"),
        ("secretsmanager", "secret credentials"),
        ("kms", "encryption key"),
        ("lb", "load balancer"),
        ("vpc", "network"),
        ("subnet", "network"),
        ("security_group", "firewall network"),
        ("route53", "dns"),
        ("cloudfront", "cdn"),
        ("dynamodb", "database table"),
        ("lambda", "function serverless"),
        ("ecr", "container registry images"),
        ("container_cluster", "gke kubernetes cluster"),
        ("container_node_pool", "gke kubernetes nodes workers"),
        ("kubernetes_cluster", "aks kubernetes cluster"),
        ("kubernetes_cluster_node_pool", "nodes workers"),
        ("sql_database", "database"),
        ("storage_bucket", "bucket storage"),
        ("redis", "cache"),
    ];
    let parts: Vec<&str> = ty.split('_').collect();
    let joined = format!("_{ty}_");
    let mut out: Vec<&str> = Vec::new();
    for (abbr, words) in WORDS {
        let hit =
            if abbr.contains('_') { joined.contains(&format!("_{abbr}_")) } else { parts.contains(abbr) };
        if hit {
            out.extend(words.split(' ').filter(|w| !out.contains(w)).collect::<Vec<_>>());
        }
    }
    out.join(" ")
}

/// A copy of the block with secrets replaced: the default of a `sensitive = true` variable,
/// and literal strings assigned to secret-named arguments at any depth.
fn redact_block(block: &Block) -> Block {
    let mut out = block.clone();
    let sensitive_var = block.identifier() == "variable"
        && block
            .body()
            .attributes()
            .any(|a| a.key() == "sensitive" && matches!(a.expr(), Expression::Bool(true)));
    redact_body(&mut out.body, sensitive_var);
    out
}

fn redact_body(body: &mut Body, sensitive_var: bool) {
    for attr in body.attributes_mut() {
        redact_attribute(attr, sensitive_var);
    }
    for block in body.blocks_mut() {
        redact_body(&mut block.body, false);
    }
}

fn redact_attribute(attr: &mut Attribute, sensitive_var: bool) {
    let literal = matches!(&attr.expr, Expression::String(s) if !is_reference(s))
        || matches!(&attr.expr, Expression::TemplateExpr(_)) && !attr.expr.to_string().contains("${");
    if (sensitive_var && attr.key() == "default") || (is_sensitive_key(attr.key()) && literal) {
        attr.expr = Expression::String(REDACTED.into());
    }
}

/// Line (1-based) where a block starts, searching forward from `from`; returns the line and
/// the offset to continue from.
fn find_block(text: &str, ident: &str, labels: &[&str], from: usize) -> (usize, usize) {
    let mut pattern = format!(r"(?m)^[ \t]*{}", regex::escape(ident));
    for l in labels {
        pattern.push_str(&format!(r#"\s+"?{}"?"#, regex::escape(l)));
    }
    pattern.push_str(r"\s*\{");
    let found = Regex::new(&pattern).ok().and_then(|re| re.find_at(text, from.min(text.len())));
    match found {
        Some(m) => (text[..m.start()].matches('\n').count() + 1, m.end()),
        None => (1, from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_addressed_documents() {
        let tf = r#"
variable "db_password" {
  type      = string
  sensitive = true
  default   = "hunter22"
}

resource "aws_db_instance" "orders" {
  identifier = "pinecart-orders"
  engine     = "postgres"
  password   = "literal-secret"
  username   = var.db_user
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"
}
"#;
        let docs = parse_tf(tf, "main.tf", &Module::default()).unwrap();
        let titles: Vec<_> = docs.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["var.db_password", "aws_db_instance.orders", "module.eks"]);
        assert_eq!(docs[1].location, "main.tf:8");
        let var = &docs[0].sections[0].text;
        assert!(!var.contains("hunter22") && var.contains(REDACTED), "{var}");
        let db = &docs[1].sections[0].text;
        assert!(!db.contains("literal-secret") && db.contains("var.db_user"), "{db}");
        assert!(docs[2].fields.contains(&("source".into(), "terraform-aws-modules/eks/aws".into())));
        assert!(docs[2].scopes.contains(&"module:module.eks".to_string()));
    }

    #[test]
    fn a_called_module_is_titled_by_its_path_and_addressed_by_every_caller() {
        let docs = parse_tf(
            "resource \"aws_eks_node_group\" \"main\" {\n  min_size = 2\n}\n",
            "modules/ng/ng.tf",
            &Module::called("modules/ng", &["module.eks", "module.eks_staging"]),
        )
        .unwrap();
        // One object, titled by the module's path; every caller's address finds it.
        assert_eq!(docs[0].title, "modules/ng: aws_eks_node_group.main");
        let addresses: Vec<&str> =
            docs[0].fields.iter().filter(|(k, _)| k == "address").map(|(_, v)| v.as_str()).collect();
        assert_eq!(
            addresses,
            ["module.eks.aws_eks_node_group.main", "module.eks_staging.aws_eks_node_group.main"]
        );
        assert_eq!(docs[0].scopes, ["module:module.eks", "module:module.eks_staging"]);
        // The object is the first caller's; an uncalled configuration's block is one of its own
        // (`envs/prod` and `envs/staging` both have `aws_eks_node_group.main`).
        assert_eq!(docs[0].object.as_deref(), Some("module.eks.aws_eks_node_group.main"));
        let block = "resource \"aws_eks_node_group\" \"main\" {}\n";
        let root = parse_tf(block, "main.tf", &Module::default()).unwrap();
        assert_eq!(root[0].object.as_deref(), Some("aws_eks_node_group.main"));
        let prod = Module { path: "envs/prod".into(), callers: Vec::new() };
        let prod = parse_tf(block, "envs/prod/main.tf", &prod).unwrap();
        assert_eq!(
            (prod[0].title.as_str(), prod[0].object.as_deref()),
            ("envs/prod: aws_eks_node_group.main", None)
        );
    }

    #[test]
    fn resource_types_get_plain_words() {
        assert_eq!(type_keywords("aws_db_instance"), "database");
        assert_eq!(type_keywords("aws_elasticache_replication_group"), "cache redis memcached");
        assert_eq!(type_keywords("aws_eks_node_group"), "kubernetes cluster nodes workers");
        assert_eq!(type_keywords("google_container_cluster"), "gke kubernetes cluster");
        assert_eq!(
            type_keywords("azurerm_kubernetes_cluster_node_pool"),
            "aks kubernetes cluster nodes workers"
        );
        assert_eq!(type_keywords("null_resource"), "");
    }

    #[test]
    fn a_block_is_one_of_what_its_type_names() {
        assert_eq!(type_phrase("aws_launch_template").as_deref(), Some("launch template"));
        assert_eq!(type_phrase("google_compute_network_peering").as_deref(), Some("compute network peering"));
        // One word names too much: `random_id` is not what "the cluster id" asks for.
        for one in ["random_id", "null_resource", "aws_subnet", "custom"] {
            assert_eq!(type_phrase(one), None, "{one}");
        }
        let docs = parse_tf(
            "terraform {\n  required_providers {\n    aws = { version = \">= 6.0\" }\n  }\n}\n",
            "versions.tf",
            &Module::default(),
        )
        .unwrap();
        assert_eq!(docs[0].instance_of.as_deref(), Some("provider versions"));
        assert_eq!(docs[0].role, Role::Settings);
    }

    #[test]
    fn malformed_hcl_names_the_line() {
        let err = parse_tf("resource \"a\" \"b\" {\n  x = 1\n  y = = 2\n}\n", "bad.tf", &Module::default())
            .unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.reason.starts_with("malformed HCL"), "{err}");
    }

    #[test]
    fn an_object_that_repeats_a_key_reads_as_terraform_reads_it() {
        // Terraform takes it (the last `port` wins); the file's other blocks must not be lost.
        let text = "resource \"aws_lb\" \"this\" {\n  name = \"web\"\n}\n\n\
            module \"alb\" {\n  target_groups = {\n    one = {\n      port = 80\n      \"tag\" = 1\n      \
            password = \"hunter2\"\n      port = 8080\n      \"tag\" = 2\n      password = \"hunter3\"\n    }\n  }\n}\n";
        let docs = parse_tf(text, "main.tf", &Module::default()).unwrap();
        let titles: Vec<&str> = docs.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["aws_lb.this", "module.alb"]);
        let body = &docs[1].sections[0].text;
        assert!(body.contains("port = 8080") && body.contains("\"tag\" = 2"), "{body}");
        assert!(!body.contains(REPEATED) && !body.contains("hunter"), "{body}");
        // Anything else still refuses the file, at its line.
        let err = parse_tf("a = {\n  (x) = 1\n  (x) = 2\n}\nb = = 1\n", "bad.tf", &Module::default());
        assert!(err.is_err());
    }

    proptest::proptest! {
        /// Objects whose keys repeat (named or quoted, nested, any number of times) or are
        /// cut anywhere never panic, and a file that reads shows no mark of the renaming.
        #[test]
        fn repeated_or_broken_keys_never_panic(
            keys in proptest::collection::vec("(port|\"port\"|name|\"a b\"|(x)|_k)", 1..12),
            cut in 0usize..400,
        ) {
            let items: String =
                keys.iter().enumerate().map(|(i, k)| format!("    {k} = {i}")).collect::<Vec<_>>().join("\n");
            let text = format!("module \"m\" {{\n  o = {{\n{items}\n    inner = {{\n{items}\n    }}\n  }}\n}}\n");
            for t in [text.as_str(), text.get(..cut.min(text.len())).unwrap_or("")] {
                if let Ok(docs) = parse_tf(t, "main.tf", &Module::default()) {
                    for d in &docs {
                        proptest::prop_assert!(!d.sections.iter().any(|s| s.text.contains(REPEATED)));
                    }
                }
            }
        }
    }

    #[test]
    fn an_azapi_block_is_of_the_kind_its_azure_type_names() {
        let text = "resource \"azapi_resource\" \"this\" {\n  \
            type = \"Microsoft.ContainerService/managedClusters@2025-02-01\"\n  name = var.name\n}\n\
            resource \"azapi_resource\" \"pool\" {\n  \
            type = \"Microsoft.ContainerService/managedClusters/agentPools@2025-02-01\"\n}\n\
            resource \"azapi_resource\" \"any\" {\n  type = var.type\n}\n\
            resource \"azapi_resource\" \"chosen\" {\n  type = var.preview ? \
            \"Microsoft.ContainerService/managedClusters@2026-03-02-preview\" : \
            \"Microsoft.ContainerService/managedClusters@2026-03-01\"\n}\n\
            resource \"azapi_resource\" \"either\" {\n  type = var.a ? \"Microsoft.A/b@1\" : \"Microsoft.C/d@1\"\n}\n";
        let docs = parse_tf(text, "main.tf", &Module::default()).unwrap();
        let field = |d: &Document, k: &str| d.fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(docs[0].instance_of.as_deref(), Some("managed clusters"));
        assert_eq!(
            field(&docs[0], "azure type").as_deref(),
            Some("Microsoft.ContainerService/managedClusters")
        );
        assert!(field(&docs[0], "kind of resource").unwrap().contains("aks kubernetes cluster"));
        assert_eq!(docs[1].instance_of.as_deref(), Some("agent pools"));
        // A type that is not written out names nothing; one chosen between API versions of
        // one type names it; one chosen between two types names neither.
        assert_eq!(field(&docs[2], "azure type"), None);
        assert_eq!(docs[3].instance_of.as_deref(), Some("managed clusters"));
        assert_eq!(field(&docs[4], "azure type"), None);
    }

    #[test]
    fn real_eks_example_parses() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/samples/terraform/eks-example/eks-managed-node-group"
        );
        let text = std::fs::read_to_string(format!("{dir}/eks-al2023.tf")).unwrap();
        let docs = parse_tf(&text, "eks-al2023.tf", &Module::default()).unwrap();
        let eks = docs.iter().find(|d| d.title == "module.eks_al2023").unwrap();
        assert!(eks.sections[0].text.contains("m6i.large"), "{}", eks.sections[0].text);
        assert!(parse_tf("", "outputs.tf", &Module::default()).unwrap().is_empty());
    }

    #[test]
    fn tfvars_values_with_secret_names_are_redacted() {
        let docs = parse_tfvars(
            "region = \"eu-west-1\"\ndb_password = \"abc123xyz\"\n",
            "prod.tfvars",
            "prod.tfvars",
        )
        .unwrap();
        let text = &docs[0].sections[0].text;
        assert!(text.contains("eu-west-1") && !text.contains("abc123xyz"), "{text}");
    }
}
