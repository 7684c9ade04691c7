//! DOT digraphs carrying `rcagraph/v1` attributes (`reference/rcagraph-v1.md` §11).
//!
//! The DOT text is tokenized and parsed here (the DOT grammar of graphviz.org: `strict`,
//! quoted and HTML ids, `+` concatenation, comments, attribute statements with scoped defaults,
//! edge chains, subgraphs as edge operands, ports), then mapped onto the JSON form so that one
//! validator judges both. Hand-written because the one maintained Rust DOT parser is GPL, and
//! because problems must name a line: every DOT-level problem carries `line L, column C`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::validate::{Invalid, Issue, Level, Parsed, from_value};

/// Whether a text looks like DOT rather than JSON.
pub fn looks_like_dot(text: &str) -> bool {
    let t = strip_leading_comments(text).to_ascii_lowercase();
    t.starts_with("digraph") || t.starts_with("strict") || t.starts_with("graph")
}

fn strip_leading_comments(text: &str) -> &str {
    let mut t = text.trim_start();
    loop {
        if let Some(rest) = t.strip_prefix("//").or_else(|| t.strip_prefix('#')) {
            t = rest.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(rest) = t.strip_prefix("/*") {
            t = rest.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            return t;
        }
    }
}

/// Reads a DOT digraph and validates it as `rcagraph/v1`.
pub fn parse_dot(text: &str) -> Result<Parsed, Invalid> {
    let (doc, mut issues) = match to_json(text) {
        Ok(v) => v,
        Err(issue) => return Err(Invalid { issues: vec![issue] }),
    };
    match from_value(&doc) {
        Ok(mut p) => {
            // The JSON form made from DOT has no unknown members; DOT-level ones are in `issues`.
            issues.append(&mut p.warnings);
            p.warnings = issues;
            Ok(p)
        }
        Err(mut e) => {
            e.issues.append(&mut issues);
            e.issues.sort_by_key(|i| i.level);
            Err(e)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Id(String),
    Sym(&'static str),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
    col: usize,
}

fn err(line: usize, col: usize, message: String) -> Issue {
    Issue {
        level: Level::Error,
        code: "parse_error",
        path: format!("line {line}, column {col}"),
        id: None,
        message,
    }
}

fn lex(text: &str) -> Result<Vec<Token>, Issue> {
    let chars: Vec<char> = text.chars().collect();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    let mut out = Vec::new();
    let mut at_line_start = true;
    macro_rules! bump {
        () => {{
            if chars[i] == '\n' {
                line += 1;
                col = 1;
                at_line_start = true;
            } else {
                col += 1;
            }
            i += 1;
        }};
    }
    while i < chars.len() {
        let c = chars[i];
        let (l, cl) = (line, col);
        if c.is_whitespace() {
            bump!();
            continue;
        }
        if c == '#' && at_line_start {
            while i < chars.len() && chars[i] != '\n' {
                bump!();
            }
            continue;
        }
        at_line_start = false;
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                bump!();
            }
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            bump!();
            bump!();
            loop {
                if i >= chars.len() {
                    return Err(err(l, cl, "unterminated /* comment".into()));
                }
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    bump!();
                    bump!();
                    break;
                }
                bump!();
            }
            continue;
        }
        let sym = match c {
            '{' => Some("{"),
            '}' => Some("}"),
            '[' => Some("["),
            ']' => Some("]"),
            '=' => Some("="),
            ';' => Some(";"),
            ',' => Some(","),
            ':' => Some(":"),
            '+' => Some("+"),
            _ => None,
        };
        if let Some(s) = sym {
            bump!();
            out.push(Token { tok: Tok::Sym(s), line: l, col: cl });
            continue;
        }
        if c == '-' && matches!(chars.get(i + 1), Some('>' | '-')) {
            let s = if chars[i + 1] == '>' { "->" } else { "--" };
            bump!();
            bump!();
            out.push(Token { tok: Tok::Sym(s), line: l, col: cl });
            continue;
        }
        if c == '"' {
            bump!();
            let mut s = String::new();
            loop {
                if i >= chars.len() {
                    return Err(err(l, cl, "unterminated string".into()));
                }
                match chars[i] {
                    '"' => {
                        bump!();
                        break;
                    }
                    '\\' if chars.get(i + 1) == Some(&'"') => {
                        s.push('"');
                        bump!();
                        bump!();
                    }
                    '\\' if chars.get(i + 1) == Some(&'\n') => {
                        bump!();
                        bump!();
                    }
                    '\\' if chars.get(i + 1) == Some(&'\r') && chars.get(i + 2) == Some(&'\n') => {
                        bump!();
                        bump!();
                        bump!();
                    }
                    ch => {
                        s.push(ch);
                        bump!();
                    }
                }
            }
            out.push(Token { tok: Tok::Id(s), line: l, col: cl });
            continue;
        }
        if c == '<' {
            let mut depth = 0usize;
            let mut s = String::new();
            loop {
                if i >= chars.len() {
                    return Err(err(l, cl, "unterminated HTML string".into()));
                }
                let ch = chars[i];
                bump!();
                match ch {
                    '<' => {
                        depth += 1;
                        if depth > 1 {
                            s.push(ch);
                        }
                    }
                    '>' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                        s.push(ch);
                    }
                    _ => s.push(ch),
                }
            }
            out.push(Token { tok: Tok::Id(s), line: l, col: cl });
            continue;
        }
        if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' || !c.is_ascii() {
            let mut s = String::new();
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || chars[i] == '_'
                    || chars[i] == '.'
                    || !chars[i].is_ascii()
                    || (chars[i] == '-' && s.is_empty()))
            {
                s.push(chars[i]);
                bump!();
            }
            out.push(Token { tok: Tok::Id(s), line: l, col: cl });
            continue;
        }
        return Err(err(l, cl, format!("unexpected character {c:?}")));
    }
    Ok(out)
}

type Attrs = Vec<(String, String, usize, usize)>;

#[derive(Default)]
struct Collected {
    graph_attrs: Attrs,
    /// Node id → attributes in order, and where it was first seen.
    nodes: Vec<(String, Attrs)>,
    edges: Vec<(String, String, Attrs, usize, usize)>,
}

impl Collected {
    fn node(&mut self, id: &str) -> usize {
        if let Some(i) = self.nodes.iter().position(|(n, _)| n == id) {
            return i;
        }
        self.nodes.push((id.to_string(), Vec::new()));
        self.nodes.len() - 1
    }
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    out: Collected,
    last: (usize, usize),
    /// Whether the operand just read was a subgraph (which takes no attribute list of its own).
    last_was_subgraph: bool,
}

#[derive(Clone, Default)]
struct Defaults {
    node: Attrs,
    edge: Attrs,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn here(&self) -> (usize, usize) {
        self.toks.get(self.pos).map_or(self.last, |t| (t.line, t.col))
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.pos).cloned();
        if let Some(t) = &t {
            self.last = (t.line, t.col);
            self.pos += 1;
        }
        t
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }

    fn expect(&mut self, s: &'static str) -> Result<(), Issue> {
        if self.is_sym(s) {
            self.pos += 1;
            Ok(())
        } else {
            let (l, c) = self.here();
            Err(err(l, c, format!("expected {s:?}, found {}", self.describe())))
        }
    }

    fn describe(&self) -> String {
        match self.peek() {
            None => "end of input".into(),
            Some(Tok::Sym(s)) => format!("{s:?}"),
            Some(Tok::Id(s)) => format!("{s:?}"),
        }
    }

    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Id(s)) if s.eq_ignore_ascii_case(k))
    }

    /// An id, with `"a" + "b"` concatenation.
    fn id(&mut self) -> Result<String, Issue> {
        let (l, c) = self.here();
        if let Some(Token { tok: Tok::Id(mut s), .. }) = self.next() {
            while self.is_sym("+") {
                self.pos += 1;
                match self.next() {
                    Some(Token { tok: Tok::Id(more), .. }) => s.push_str(&more),
                    _ => return Err(err(l, c, "'+' must join two quoted strings".into())),
                }
            }
            Ok(s)
        } else {
            self.pos = self.pos.saturating_sub(1);
            Err(err(l, c, format!("expected an identifier, found {}", self.describe())))
        }
    }

    fn graph(&mut self) -> Result<(), Issue> {
        if self.keyword("strict") {
            self.pos += 1;
        }
        if self.keyword("graph") {
            let (l, c) = self.here();
            return Err(err(l, c, "an undirected graph cannot carry causes and effects: use digraph".into()));
        }
        if !self.keyword("digraph") {
            let (l, c) = self.here();
            return Err(err(l, c, format!("expected \"digraph\", found {}", self.describe())));
        }
        self.pos += 1;
        if !self.is_sym("{") {
            self.id()?;
        }
        self.expect("{")?;
        self.stmt_list(&mut Defaults::default())?;
        self.expect("}")?;
        if self.peek().is_some() {
            let (l, c) = self.here();
            return Err(err(l, c, format!("unexpected {} after the closing brace", self.describe())));
        }
        Ok(())
    }

    fn stmt_list(&mut self, defaults: &mut Defaults) -> Result<Vec<String>, Issue> {
        let mut members = Vec::new();
        while !self.is_sym("}") && self.peek().is_some() {
            members.extend(self.stmt(defaults)?);
            if self.is_sym(";") {
                self.pos += 1;
            }
        }
        Ok(members)
    }

    fn attr_list(&mut self) -> Result<Attrs, Issue> {
        let mut attrs = Vec::new();
        while self.is_sym("[") {
            self.pos += 1;
            while !self.is_sym("]") {
                let (l, c) = self.here();
                let k = self.id()?;
                let v = if self.is_sym("=") {
                    self.pos += 1;
                    self.id()?
                } else {
                    "true".into()
                };
                attrs.push((k, v, l, c));
                if self.is_sym(",") || self.is_sym(";") {
                    self.pos += 1;
                }
            }
            self.expect("]")?;
        }
        Ok(attrs)
    }

    /// A statement; returns the node ids it mentions (for subgraphs used as edge operands).
    fn stmt(&mut self, defaults: &mut Defaults) -> Result<Vec<String>, Issue> {
        for (kw, which) in [("graph", 0), ("node", 1), ("edge", 2)] {
            if self.keyword(kw) && matches!(self.toks.get(self.pos + 1).map(|t| &t.tok), Some(Tok::Sym("[")))
            {
                self.pos += 1;
                let attrs = self.attr_list()?;
                match which {
                    0 => self.out.graph_attrs.extend(attrs),
                    1 => defaults.node.extend(attrs),
                    _ => defaults.edge.extend(attrs),
                }
                return Ok(Vec::new());
            }
        }
        if matches!(self.peek(), Some(Tok::Id(_)))
            && matches!(self.toks.get(self.pos + 1).map(|t| &t.tok), Some(Tok::Sym("=")))
            && !self.keyword("subgraph")
        {
            let (l, c) = self.here();
            let k = self.id()?;
            self.pos += 1;
            let v = self.id()?;
            self.out.graph_attrs.push((k, v, l, c));
            return Ok(Vec::new());
        }
        let (l, c) = self.here();
        let mut operand = self.operand(defaults)?;
        let mut mentioned = operand.clone();
        if self.is_sym("->") || self.is_sym("--") {
            let mut chain = vec![operand];
            while self.is_sym("->") || self.is_sym("--") {
                if self.is_sym("--") {
                    let (l, c) = self.here();
                    return Err(err(l, c, "'--' is an undirected edge; a digraph uses '->'".into()));
                }
                self.pos += 1;
                operand = self.operand(defaults)?;
                mentioned.extend(operand.iter().cloned());
                chain.push(operand);
            }
            let attrs = self.attr_list()?;
            for pair in chain.windows(2) {
                for a in &pair[0] {
                    for b in &pair[1] {
                        let mut all = defaults.edge.clone();
                        all.extend(attrs.iter().cloned());
                        self.out.edges.push((a.clone(), b.clone(), all, l, c));
                    }
                }
            }
        } else if operand.len() == 1 && !self.last_was_subgraph {
            let attrs = self.attr_list()?;
            let i = self.out.node(&operand[0]);
            self.out.nodes[i].1.extend(attrs);
        }
        Ok(mentioned)
    }

    fn operand(&mut self, defaults: &mut Defaults) -> Result<Vec<String>, Issue> {
        self.last_was_subgraph = false;
        if self.keyword("subgraph") || self.is_sym("{") {
            if self.keyword("subgraph") {
                self.pos += 1;
                if !self.is_sym("{") {
                    self.id()?;
                }
            }
            self.expect("{")?;
            let mut inner = defaults.clone();
            let members = self.stmt_list(&mut inner)?;
            self.expect("}")?;
            self.last_was_subgraph = true;
            return Ok(members);
        }
        let id = self.id()?;
        // Ports (`a:p:ne`) name a place on the node's shape: presentation only.
        while self.is_sym(":") {
            self.pos += 1;
            self.id()?;
        }
        let new = !self.out.nodes.iter().any(|(n, _)| *n == id);
        let i = self.out.node(&id);
        if new {
            self.out.nodes[i].1.extend(defaults.node.iter().cloned());
        }
        Ok(vec![id])
    }
}

impl Parser {
    fn new(toks: Vec<Token>) -> Parser {
        Parser { toks, pos: 0, out: Collected::default(), last: (1, 1), last_was_subgraph: false }
    }
}

const PRESENTATION: &[&str] = &[
    "label",
    "xlabel",
    "color",
    "fillcolor",
    "fontcolor",
    "shape",
    "style",
    "penwidth",
    "fontname",
    "fontsize",
    "width",
    "height",
    "fixedsize",
    "tooltip",
    "url",
    "href",
    "target",
    "group",
    "pos",
    "rank",
    "rankdir",
    "arrowhead",
    "arrowtail",
    "arrowsize",
    "constraint",
    "headlabel",
    "taillabel",
    "labelfloat",
    "minlen",
    "splines",
    "nodesep",
    "ranksep",
    "bgcolor",
    "margin",
    "size",
    "ratio",
    "concentrate",
    "compound",
    "newrank",
    "ordering",
    "peripheries",
    "sides",
    "orientation",
    "layout",
    "center",
    "dpi",
    "pad",
    "overlap",
    "sep",
    "esep",
    "class",
    "comment",
    "labelloc",
    "labeljust",
    "gradientangle",
    "image",
    "imagescale",
];

fn is_presentation(k: &str) -> bool {
    PRESENTATION.contains(&k.to_ascii_lowercase().as_str())
}

fn number_or_string(v: &str) -> Value {
    match v.trim().parse::<f64>() {
        Ok(f) if f.is_finite() => json!(f),
        _ => Value::String(v.to_string()),
    }
}

fn list(v: &str) -> Value {
    Value::Array(
        v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.into())).collect(),
    )
}

fn set_path(obj: &mut Map<String, Value>, path: &[&str], value: Value) {
    if let [last] = path {
        obj.insert((*last).to_string(), value);
        return;
    }
    let entry = obj.entry(path[0].to_string()).or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    if let Value::Object(inner) = entry {
        set_path(inner, &path[1..], value);
    }
}

fn unknown(k: &str, what: &str, l: usize, c: usize, id: Option<String>) -> Issue {
    Issue {
        level: Level::Warning,
        code: "unknown_field",
        path: format!("line {l}, column {c}"),
        id,
        message: format!("{what} attribute {k:?} is not part of rcagraph/v1 and is ignored"),
    }
}

/// DOT text → the equivalent JSON document, and DOT-level warnings.
fn to_json(text: &str) -> Result<(Value, Vec<Issue>), Issue> {
    let mut p = Parser::new(lex(text)?);
    p.graph()?;
    let c = p.out;
    let mut warnings = Vec::new();
    let mut doc = Map::new();
    doc.insert("schema_version".into(), json!("rcagraph/v1"));
    let mut incident = Map::new();
    for (k, v, l, col) in &c.graph_attrs {
        match k.as_str() {
            "schema_version" => {
                doc.insert("schema_version".into(), json!(v));
            }
            "incident.symptom_ids" => {
                incident.insert("symptom_ids".into(), list(v));
            }
            "incident.clock_skew_seconds" => {
                incident.insert("clock_skew_seconds".into(), number_or_string(v));
            }
            "incident.id" | "incident.cluster" | "incident.detected_at" => {
                incident.insert(k["incident.".len()..].into(), json!(v));
            }
            "incident.window.start" | "incident.window.end" => {
                set_path(&mut incident, &["window", &k["incident.window.".len()..]], json!(v));
            }
            _ if is_presentation(k) => {}
            _ => warnings.push(unknown(k, "graph", *l, *col, None)),
        }
    }
    if !incident.is_empty() {
        doc.insert("incident".into(), Value::Object(incident));
    }
    let mut nodes = Vec::new();
    for (id, attrs) in &c.nodes {
        let mut n = Map::new();
        n.insert("id".into(), json!(id));
        let mut label = None;
        // Later attributes override earlier ones, as in Graphviz.
        let mut latest: BTreeMap<&str, (&str, usize, usize)> = BTreeMap::new();
        let mut order = Vec::new();
        for (k, v, l, col) in attrs {
            if latest.insert(k.as_str(), (v.as_str(), *l, *col)).is_none() {
                order.push(k.as_str());
            }
        }
        for k in order {
            let (v, l, col) = latest[k];
            let parts: Vec<&str> = k.split('.').collect();
            match parts.as_slice() {
                ["kind" | "time" | "description" | "severity"] => {
                    n.insert(k.into(), json!(v));
                }
                ["entity", "kind" | "namespace" | "name" | "system" | "uid" | "api_version"]
                | ["change", "type" | "field" | "before" | "after"]
                | ["metric", "name" | "unit" | "query"]
                | ["anomaly", "type" | "direction" | "detector"]
                | [
                    "event",
                    "type" | "reason" | "message" | "first_seen" | "last_seen" | "reporting_component",
                ]
                | ["source", "system" | "ref" | "actor"] => set_path(&mut n, &parts, json!(v)),
                ["change", "added" | "removed"] => set_path(&mut n, &parts, list(v)),
                ["anomaly", "baseline" | "observed" | "score"] | ["event", "count"] => {
                    set_path(&mut n, &parts, number_or_string(v));
                }
                ["metric", "labels", key] => set_path(&mut n, &["metric", "labels", key], json!(v)),
                ["label"] => label = Some(v.to_string()),
                _ if is_presentation(k) => {}
                _ => warnings.push(unknown(k, "node", l, col, Some(id.clone()))),
            }
        }
        // Graphviz's `\N` stands for the node's own id (often set as a default for every
        // node): not a description. `\n`, `\l`, `\r` are line breaks.
        if let Some(label) = label.filter(|l| !n.contains_key("description") && l.trim() != "\\N") {
            let text = label.replace("\\n", " ").replace("\\l", " ").replace("\\r", " ");
            n.insert("description".into(), json!(text.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
        nodes.push(Value::Object(n));
    }
    doc.insert("nodes".into(), Value::Array(nodes));
    let mut edges = Vec::new();
    for (from, to, attrs, _, _) in &c.edges {
        let mut e = Map::new();
        e.insert("from".into(), json!(from));
        e.insert("to".into(), json!(to));
        for (k, v, l, col) in attrs {
            match k.as_str() {
                "relation" | "method" | "id" => {
                    e.insert(k.clone(), json!(v));
                }
                "confidence" | "weight" | "lag_seconds" => {
                    e.insert(k.clone(), number_or_string(v));
                }
                "dir" => {
                    e.insert("directed".into(), json!(v != "none"));
                }
                "evidence" => {
                    let items: Vec<Value> = v
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| json!({"kind": s}))
                        .collect();
                    e.insert("evidence".into(), Value::Array(items));
                }
                _ if is_presentation(k) => {}
                _ => warnings.push(unknown(k, "edge", *l, *col, Some(format!("{from}→{to}")))),
            }
        }
        edges.push(Value::Object(e));
    }
    doc.insert("edges".into(), Value::Array(edges));
    Ok((Value::Object(doc), warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
// CtrlStack-style export
strict digraph "inc-42" {
  graph [rankdir=LR, "incident.detected_at"="2024-11-26T12:41:10Z", "incident.symptom_ids"="s1"]
  node [shape=box]
  c1 [kind=change_event, time="2024-11-26T12:38:55Z", "entity.kind"=Deployment,
      "entity.namespace"=shop, "entity.name"=checkout, "change.type"=image_change,
      "change.before"="reg/checkout:1.4.2", "change.after"="reg/checkout:1.5.0"]
  m1 [kind=metric_anomaly, time="2024-11-26T12:39:40Z", "metric.name"=pod_error,
      "metric.labels.namespace"=shop, "anomaly.score"="0.97", "anomaly.type"=inflection]
  s1 [kind=symptom, label="checkout 5xx\nabove SLO", severity=critical]
  subgraph cluster_a { k1 [kind=k8s_event, "entity.kind"=Pod, "entity.name"="checkout-" + "78qds",
                         "event.type"=Warning, "event.reason"=BackOff, "event.count"=2,
                         time="2024-11-26T12:39:30Z"] }
  c1 -> m1 [relation=caused, confidence=0.86, evidence="temporal_precedence,same_entity", penwidth=3]
  m1 -> s1 [relation=caused, confidence=0.8]
  m1 -> k1 [relation=correlated, dir=none, confidence=0.5]
}
"#;

    #[test]
    fn reads_the_attributes_of_section_11() {
        assert!(looks_like_dot(SAMPLE));
        let p = parse_dot(SAMPLE).unwrap();
        let g = &p.graph;
        assert_eq!(g.nodes.len(), 4);
        assert_eq!(g.incident.as_ref().unwrap().symptom_ids, ["s1"]);
        let c1 = &g.nodes[0];
        assert_eq!(c1.entity.as_ref().unwrap().reference(), "Deployment/shop/checkout");
        assert_eq!(c1.change.as_ref().unwrap().after, Some(json!("reg/checkout:1.5.0")));
        let m1 = &g.nodes[1];
        assert_eq!(m1.anomaly.as_ref().unwrap().score, Some(0.97));
        assert_eq!(m1.metric.as_ref().unwrap().labels["namespace"], "shop");
        assert_eq!(g.nodes[2].description.as_deref(), Some("checkout 5xx above SLO"));
        assert_eq!(g.nodes[3].entity.as_ref().unwrap().name, "checkout-78qds");
        assert_eq!(g.nodes[3].event.as_ref().unwrap().count, Some(2));
        assert_eq!(g.edges[0].evidence.len(), 2);
        assert_eq!(g.edges[2].directed, Some(false));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }

    #[test]
    fn graphviz_label_escapes() {
        let p = parse_dot(
            "digraph { node [label=\"\\N\"]; a [kind=symptom, description=x]; b [kind=symptom, label=\"two\\lline\"]; c [kind=change_event, \"entity.kind\"=Deployment, \"entity.name\"=web, \"change.type\"=deploy] }",
        )
        .unwrap();
        assert_eq!(p.graph.nodes[1].description.as_deref(), Some("two line"));
        assert_eq!(p.graph.nodes[2].description, None, "\\N is the node id, not a description");
    }

    #[test]
    fn nodes_only_in_edges_lack_a_kind() {
        let err =
            parse_dot("digraph { a [kind=symptom, description=x]; b -> a [relation=caused] }").unwrap_err();
        assert!(
            err.issues.iter().any(|i| i.code == "missing_field" && i.path == "nodes[1].kind"),
            "{:?}",
            err.issues
        );
    }

    #[test]
    fn numbers_must_be_numbers_and_unknown_attributes_are_warned_about() {
        let err = parse_dot("digraph { a [kind=symptom, description=x, mood=happy]; b [kind=symptom, description=y]; a -> b [relation=caused, confidence=high] }")
            .unwrap_err();
        assert!(
            err.issues.iter().any(|i| i.code == "wrong_type" && i.path == "edges[0].confidence"),
            "{:?}",
            err.issues
        );
        assert!(
            err.issues.iter().any(|i| i.code == "unknown_field" && i.path.starts_with("line 1")),
            "{:?}",
            err.issues
        );
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = parse_dot("digraph {\n  a -> \n}").unwrap_err();
        assert_eq!(err.issues[0].code, "parse_error");
        assert_eq!(err.issues[0].path, "line 3, column 1");
        let err = parse_dot("graph { a -- b }").unwrap_err();
        assert!(err.issues[0].message.contains("digraph"));
        let err = parse_dot("digraph { a [label=\"oops }").unwrap_err();
        assert!(err.issues[0].message.contains("unterminated"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_refused_or_read_without_panicking(text in "\\PC{0,300}") {
            let _ = crate::explain(&text);
        }

        #[test]
        fn dot_shaped_text_never_panics(body in "[a-z0-9 \\[\\]=;,{}\"<>:+#/*\n.-]{0,240}") {
            let _ = crate::explain(&format!("digraph {{{body}"));
        }

        #[test]
        fn damaged_graphs_never_panic(at in 0usize..3000, cut in 0usize..40, junk in "[\\]\\[{}:,\"0-9a-z-]{0,6}") {
            let full = include_str!("testdata/example.json");
            let at = (0..=at.min(full.len())).rev().find(|&i| full.is_char_boundary(i)).unwrap_or(0);
            let end = (at..=(at + cut).min(full.len())).rev().find(|&i| full.is_char_boundary(i)).unwrap_or(at);
            let damaged = format!("{}{junk}{}", &full[..at], &full[end..]);
            if let Ok(e) = crate::explain(&damaged) {
                for f in [crate::Format::Text, crate::Format::Svg, crate::Format::Dot, crate::Format::Mermaid, crate::Format::Json] {
                    let _ = e.render(f, false);
                }
            }
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_an_error() {
        let json = format!("\u{feff}{}", include_str!("testdata/example.json"));
        assert!(crate::read(&json).is_ok());
        assert!(crate::read("\u{feff}digraph { a [kind=symptom, description=x] }").is_ok());
    }

    #[test]
    fn subgraphs_as_operands_and_chains_expand() {
        let p = parse_dot(
            "digraph { node [kind=symptom, description=d]; {a b} -> c -> d [relation=caused, confidence=0.9] }",
        )
        .unwrap();
        let pairs: Vec<(String, String)> =
            p.graph.edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect();
        assert_eq!(pairs, [("a".into(), "c".into()), ("b".into(), "c".into()), ("c".into(), "d".into())]);
    }
}
