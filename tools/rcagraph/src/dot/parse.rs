//! DOT statements: graph, node and edge statements, attribute defaults scoped to subgraphs, edge
//! chains with subgraph operands, collected in order.

use super::lex::{Tok, Token, err};
use crate::validate::Issue;

pub(super) type Attrs = Vec<(String, String, usize, usize)>;

#[derive(Default)]
pub(super) struct Collected {
    pub(super) graph_attrs: Attrs,
    /// Node id → attributes in order, and where it was first seen.
    pub(super) nodes: Vec<(String, Attrs)>,
    pub(super) edges: Vec<(String, String, Attrs, usize, usize)>,
}

impl Collected {
    pub(super) fn node(&mut self, id: &str) -> usize {
        if let Some(i) = self.nodes.iter().position(|(n, _)| n == id) {
            return i;
        }
        self.nodes.push((id.to_string(), Vec::new()));
        self.nodes.len() - 1
    }
}

pub(super) struct Parser {
    pub(super) toks: Vec<Token>,
    pub(super) pos: usize,
    pub(super) out: Collected,
    pub(super) last: (usize, usize),
    /// Whether the operand just read was a subgraph (which takes no attribute list of its own).
    pub(super) last_was_subgraph: bool,
}

#[derive(Clone, Default)]
pub(super) struct Defaults {
    pub(super) node: Attrs,
    pub(super) edge: Attrs,
}

impl Parser {
    pub(super) fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    pub(super) fn here(&self) -> (usize, usize) {
        self.toks.get(self.pos).map_or(self.last, |t| (t.line, t.col))
    }

    pub(super) fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.pos).cloned();
        if let Some(t) = &t {
            self.last = (t.line, t.col);
            self.pos += 1;
        }
        t
    }

    pub(super) fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }

    pub(super) fn expect(&mut self, s: &'static str) -> Result<(), Issue> {
        if self.is_sym(s) {
            self.pos += 1;
            Ok(())
        } else {
            let (l, c) = self.here();
            Err(err(l, c, format!("expected {s:?}, found {}", self.describe())))
        }
    }

    pub(super) fn describe(&self) -> String {
        match self.peek() {
            None => "end of input".into(),
            Some(Tok::Sym(s)) => format!("{s:?}"),
            Some(Tok::Id(s)) => format!("{s:?}"),
        }
    }

    pub(super) fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Id(s)) if s.eq_ignore_ascii_case(k))
    }

    /// An id, with `"a" + "b"` concatenation.
    pub(super) fn id(&mut self) -> Result<String, Issue> {
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

    pub(super) fn graph(&mut self) -> Result<(), Issue> {
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

    pub(super) fn stmt_list(&mut self, defaults: &mut Defaults) -> Result<Vec<String>, Issue> {
        let mut members = Vec::new();
        while !self.is_sym("}") && self.peek().is_some() {
            members.extend(self.stmt(defaults)?);
            if self.is_sym(";") {
                self.pos += 1;
            }
        }
        Ok(members)
    }

    pub(super) fn attr_list(&mut self) -> Result<Attrs, Issue> {
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
    pub(super) fn stmt(&mut self, defaults: &mut Defaults) -> Result<Vec<String>, Issue> {
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

    pub(super) fn operand(&mut self, defaults: &mut Defaults) -> Result<Vec<String>, Issue> {
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
    pub(super) fn new(toks: Vec<Token>) -> Parser {
        Parser { toks, pos: 0, out: Collected::default(), last: (1, 1), last_was_subgraph: false }
    }
}
