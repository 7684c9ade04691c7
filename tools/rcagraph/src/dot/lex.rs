//! DOT tokens: ids (plain, quoted with `+` concatenation, HTML) and symbols, each with its line
//! and column; comments and preprocessor lines skipped.

use crate::validate::{Issue, Level};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Id(String),
    Sym(&'static str),
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) line: usize,
    pub(super) col: usize,
}

pub(super) fn err(line: usize, col: usize, message: String) -> Issue {
    Issue {
        level: Level::Error,
        code: "parse_error",
        path: format!("line {line}, column {col}"),
        id: None,
        message,
    }
}

pub(super) fn lex(text: &str) -> Result<Vec<Token>, Issue> {
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
