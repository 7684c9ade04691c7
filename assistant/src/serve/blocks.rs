//! Answers as Slack Block Kit: the answer as `mrkdwn` sections, each script as a code block
//! labelled read-only or mutating, the sources as a context block, and the tool trace as one
//! short context line.
//!
//! Slack's limits (api.slack.com/reference/block-kit): a section's text at most 3,000
//! characters, a message at most 50 blocks, a context block at most 10 elements, the fallback
//! `text` at most 40,000 characters (4,000 shown in notifications). Long answers are split at
//! paragraph boundaries and never inside a code fence; what still does not fit is cut with a
//! note, never silently.

use serde_json::{Value, json};

use crate::agent::{Answer, Source};
use crate::scripts::{Safety, Script};

/// Longest section text.
pub const SECTION_MAX: usize = 3000;
/// Most blocks in one message.
pub const BLOCKS_MAX: usize = 50;

/// Escapes the three characters Slack reserves in text (`&`, `<`, `>`).
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// CommonMark (as sleuth and models write it) to Slack `mrkdwn`: `**bold**` → `*bold*`,
/// headings → bold lines, `[text](url)` → `<url|text>`, `- item` → `• item`; code fences and
/// inline code kept as they are (Slack renders both), `&<>` escaped outside links.
pub fn to_mrkdwn(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut in_fence = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            // Slack ignores the info string and would show it: keep the bare fence.
            out.push_str("```");
            out.push('\n');
            continue;
        }
        if in_fence {
            out.push_str(&escape(line));
            out.push('\n');
            continue;
        }
        let trimmed = line.trim_start();
        let converted = if let Some(h) = trimmed.strip_prefix('#') {
            let text = h.trim_start_matches('#').trim();
            format!("*{}*", inline(text).replace('*', ""))
        } else if let Some(item) = trimmed.strip_prefix("- ").or_else(|| trimmed.strip_prefix("* ")) {
            let indent = &line[..line.len() - trimmed.len()];
            format!("{indent}• {}", inline(item))
        } else {
            inline(line)
        };
        out.push_str(&converted);
        out.push('\n');
    }
    out
}

/// Inline conversion of one line outside code fences.
fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            // Inline code is kept verbatim (escaped).
            if let Some(end) = chars[i + 1..].iter().position(|&x| x == '`') {
                let code: String = chars[i..=i + 1 + end].iter().collect();
                out.push_str(&escape(&code));
                i += end + 2;
                continue;
            }
        }
        if c == '*' && chars.get(i + 1) == Some(&'*') {
            out.push('*');
            i += 2;
            continue;
        }
        if c == '_' && chars.get(i + 1) == Some(&'_') {
            out.push('*');
            i += 2;
            continue;
        }
        if c == '['
            && let Some(close) = chars[i..].iter().position(|&x| x == ']').map(|p| p + i)
            && chars.get(close + 1) == Some(&'(')
            && let Some(end) = chars[close..].iter().position(|&x| x == ')').map(|p| p + close)
        {
            let text: String = chars[i + 1..close].iter().collect();
            let url: String = chars[close + 2..end].iter().collect();
            if url.starts_with("http://") || url.starts_with("https://") {
                out.push_str(&format!("<{}|{}>", url.replace('|', "%7C"), escape(&text)));
                i = end + 1;
                continue;
            }
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Splits text into pieces of at most `max` characters, at blank lines, else at line ends,
/// keeping code fences whole where they fit and re-opening them where they must be cut.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut in_fence = false;
    for para in text.split_inclusive('\n') {
        if para.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if current.chars().count() + para.chars().count() > max && !current.is_empty() {
            let mut piece = std::mem::take(&mut current);
            // Cut inside a fence: close it here and open it again in the next piece.
            let open = piece.matches("```").count() % 2 == 1;
            if open {
                piece.push_str("```\n");
                current.push_str("```\n");
            }
            pieces.push(piece.trim_end().to_string());
        }
        if para.chars().count() > max {
            // One enormous line: hard cut.
            let chars: Vec<char> = para.chars().collect();
            for chunk in chars.chunks(max - 10) {
                pieces.push(chunk.iter().collect());
            }
            continue;
        }
        current.push_str(para);
    }
    if !current.trim().is_empty() {
        pieces.push(current.trim_end().to_string());
    }
    pieces
}

/// The answer text without its code blocks (shown as labelled script blocks) and without the
/// trailing sources list (shown as a context block).
fn body(markdown: &str) -> String {
    let labels = [Safety::ReadOnly, Safety::Unknown, Safety::Mutating].map(Safety::label);
    let mut out: Vec<&str> = Vec::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            if !in_fence {
                // Drop the "Read-only — purpose:" line that introduces the block.
                if out
                    .last()
                    .is_some_and(|l| l.trim_end().ends_with(':') && labels.iter().any(|lb| l.starts_with(lb)))
                {
                    out.pop();
                }
                while out.last().is_some_and(|l| l.trim().is_empty()) {
                    out.pop();
                }
            }
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            out.push(line);
        }
    }
    let text = out.join("\n");
    // The offline answers end with "Sources:" and a list: the context block shows them.
    match text.rfind("\nSources:\n") {
        Some(i) => text[..i].trim_end().to_string(),
        None => text.trim_end().to_string(),
    }
}

fn script_block(s: &Script) -> Value {
    let label = match s.safety {
        Safety::ReadOnly => ":white_check_mark: *Read-only*".to_string(),
        Safety::Mutating => ":warning: *Mutating* — changes the cluster; review before running".to_string(),
        Safety::Unknown => ":grey_question: *Unknown effect* — review before running".to_string(),
    };
    let purpose = if s.purpose.is_empty() { String::new() } else { format!(" — {}", escape(&s.purpose)) };
    let mut code = escape(&s.code);
    let budget = SECTION_MAX - 200;
    if code.chars().count() > budget {
        code = code.chars().take(budget).collect::<String>() + "\n… (cut)";
    }
    json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("{label}{purpose}\n```\n{code}\n```")}})
}

fn context(elements: Vec<String>) -> Value {
    json!({"type": "context", "elements": elements.into_iter().take(10).map(|t| json!({"type": "mrkdwn", "text": t})).collect::<Vec<_>>()})
}

fn sources_block(sources: &[Source]) -> Option<Value> {
    let mut seen: Vec<String> = Vec::new();
    for s in sources {
        let t = format!("{} · _{}_", escape(&s.title), escape(&s.location));
        if !seen.contains(&t) {
            seen.push(t);
        }
    }
    if seen.is_empty() {
        return None;
    }
    let more = seen.len().saturating_sub(9);
    let mut elements: Vec<String> = vec![":books: *Sources*".into()];
    elements.extend(seen.into_iter().take(8));
    if more > 0 {
        elements.push(format!("and {more} more"));
    }
    Some(context(elements))
}

fn trace_line(answer: &Answer) -> Option<Value> {
    if answer.tool_calls.is_empty() {
        return None;
    }
    let mut parts: Vec<(String, usize, u64, bool)> = Vec::new();
    for c in &answer.tool_calls {
        match parts.iter_mut().find(|p| p.0 == c.name) {
            Some(p) => {
                p.1 += 1;
                p.2 += c.elapsed_ms;
                p.3 &= c.ok;
            }
            None => parts.push((c.name.clone(), 1, c.elapsed_ms, c.ok)),
        }
    }
    let text = parts
        .iter()
        .map(|(n, k, ms, ok)| {
            format!(
                "{n}{} {ms} ms{}",
                if *k > 1 { format!(" ×{k}") } else { String::new() },
                if *ok { "" } else { " (failed)" }
            )
        })
        .collect::<Vec<_>>()
        .join(" · ");
    Some(context(vec![format!(":mag: {text}")]))
}

/// A finished Slack message: blocks and the plain fallback text.
#[derive(Debug, Clone)]
pub struct Message {
    /// Block Kit blocks.
    pub blocks: Vec<Value>,
    /// Fallback text (notifications, clients without blocks).
    pub text: String,
}

fn fallback(markdown: &str) -> String {
    let plain: String = markdown.replace("**", "*");
    prompts::ellipsis(&plain, 3900)
}

/// Blocks of sections for some Markdown, split to the limits.
pub fn sections(markdown: &str) -> Vec<Value> {
    split(&to_mrkdwn(markdown), SECTION_MAX)
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| json!({"type": "section", "text": {"type": "mrkdwn", "text": p}}))
        .collect()
}

/// Caps a list of blocks at Slack's limit, ending with a note when something was left out.
pub fn cap(mut blocks: Vec<Value>) -> Vec<Value> {
    if blocks.len() > BLOCKS_MAX {
        let dropped = blocks.len() - (BLOCKS_MAX - 1);
        blocks.truncate(BLOCKS_MAX - 1);
        blocks.push(context(vec![format!("… {dropped} more block(s) did not fit in one Slack message; ask `sleuth ask --json` for the whole answer.")]));
    }
    blocks
}

/// The message for an answer.
pub fn answer(answer: &Answer) -> Message {
    let mut blocks = sections(&body(&answer.answer));
    for s in answer.scripts.iter().take(5) {
        blocks.push(script_block(s));
    }
    blocks.extend(sources_block(&answer.sources));
    blocks.extend(trace_line(answer));
    Message { blocks: cap(blocks), text: fallback(&answer.answer) }
}

/// The message for an explained graph: the narrative (its picture goes alongside, see `slack`).
pub fn graph(narrative: &str, warnings: usize) -> Message {
    let mut blocks = sections(narrative);
    if warnings > 0 {
        blocks.push(context(vec![format!(
            ":warning: {warnings} warning(s) about the graph; `sleuth explain FILE` lists them"
        )]));
    }
    Message { blocks: cap(blocks), text: fallback(narrative) }
}

/// A message with a graph's Mermaid source added (Slack does not render Mermaid; a person can
/// paste it into any viewer), for where its picture could not go.
pub fn with_mermaid(message: Message, mermaid: &str) -> Message {
    let code = escape(mermaid);
    let code = if code.chars().count() > SECTION_MAX - 40 {
        code.chars().take(SECTION_MAX - 60).collect::<String>() + "\n%% … (cut)"
    } else {
        code
    };
    let mut blocks = message.blocks;
    // Before a trailing warning note, if any, so the note stays last.
    let at = blocks.iter().rposition(|b| b["type"] != "context").map_or(blocks.len(), |i| i + 1);
    blocks.insert(
        at,
        json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*Mermaid* (paste into any Mermaid viewer)\n```\n{code}\n```")}}),
    );
    Message { blocks: cap(blocks), text: message.text }
}

/// The message for a graph that could not be read.
pub fn invalid_graph(lines: &str) -> Message {
    let text = format!("*That graph could not be read:*\n```\n{}\n```", escape(lines.trim_end()));
    Message {
        blocks: cap(split(&text, SECTION_MAX)
            .into_iter()
            .map(|p| json!({"type": "section", "text": {"type": "mrkdwn", "text": p}}))
            .collect()),
        text: format!("That graph could not be read:\n{lines}"),
    }
}

/// A plain one-paragraph message.
pub fn plain(text: &str) -> Message {
    Message {
        blocks: vec![json!({"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}})],
        text: text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::ToolCallRecord;

    #[test]
    fn markdown_becomes_mrkdwn() {
        let md = "# Why\n**grafana** is down: see [runbook](https://wiki/x) & `kubectl get pods -l a>b`\n- one\n  - two\n```bash\nkubectl get pods | grep <x>\n```";
        let out = to_mrkdwn(md);
        assert_eq!(
            out,
            "*Why*\n*grafana* is down: see <https://wiki/x|runbook> &amp; `kubectl get pods -l a&gt;b`\n• one\n  • two\n```\nkubectl get pods | grep &lt;x&gt;\n```\n"
        );
    }

    #[test]
    fn long_text_splits_at_paragraphs_and_keeps_fences_balanced() {
        let para = "word ".repeat(100);
        let code = format!("```\n{}```\n", "line of code\n".repeat(400));
        let text = format!("{para}\n\n{para}\n\n{code}{para}");
        let pieces = split(&text, SECTION_MAX);
        assert!(pieces.len() >= 3);
        for p in &pieces {
            assert!(p.chars().count() <= SECTION_MAX, "{}", p.len());
            assert_eq!(p.matches("```").count() % 2, 0, "unbalanced fence in {p}");
        }
        let joined: String = pieces.concat();
        assert_eq!(joined.matches("line of code").count(), 400, "nothing lost");
    }

    #[test]
    fn an_answer_becomes_sections_scripts_sources_and_a_trace() {
        let a = Answer {
            answer: "**grafana: down**\n\nThe node ran out of memory.\n\nRead-only — confirm:\n\n```bash\nkubectl describe node n1\n```\n\nSources:\n\n- Runbook — wiki\n".into(),
            sources: vec![Source { title: "Runbook".into(), kind: "confluence".into(), location: "SHOP/1.html".into(), snippet: String::new() }],
            scripts: vec![Script { language: "bash".into(), code: "kubectl describe node n1".into(), safety: Safety::ReadOnly, purpose: "confirm".into() }, Script { language: "bash".into(), code: "kubectl delete pod x".into(), safety: Safety::Mutating, purpose: String::new() }],
            tool_calls: vec![
                ToolCallRecord { name: "diagnose".into(), args: json!({}), elapsed_ms: 12, ok: true },
                ToolCallRecord { name: "search_docs".into(), args: json!({}), elapsed_ms: 3, ok: true },
                ToolCallRecord { name: "search_docs".into(), args: json!({}), elapsed_ms: 4, ok: true },
            ],
            conversation_id: "c".into(),
            demo: false,
            graph: None,
        };
        let m = answer(&a);
        let texts: Vec<String> = m.blocks.iter().map(std::string::ToString::to_string).collect();
        assert!(texts[0].contains("*grafana: down*") && texts[0].contains("ran out of memory"), "{texts:?}");
        assert!(
            !texts[0].contains("kubectl") && !texts[0].contains("Sources"),
            "code and sources leave the body: {}",
            texts[0]
        );
        assert!(
            texts
                .iter()
                .any(|t| t.contains("*Read-only* — confirm") && t.contains("kubectl describe node n1"))
        );
        assert!(texts.iter().any(|t| t.contains("*Mutating*") && t.contains("kubectl delete pod x")));
        assert!(texts.iter().any(|t| t.contains("Runbook · _SHOP/1.html_")));
        assert!(texts.last().unwrap().contains("diagnose 12 ms · search_docs ×2 7 ms"));
        assert!(m.text.contains("grafana: down"));
    }

    #[test]
    fn messages_never_exceed_fifty_blocks() {
        let huge = "paragraph ".repeat(290).repeat(80);
        let m = with_mermaid(graph(&huge, 0), "flowchart LR\n");
        assert_eq!(m.blocks.len(), BLOCKS_MAX);
        assert!(m.blocks.last().unwrap().to_string().contains("did not fit"));
        // A short answer keeps its Mermaid block, before the warning note.
        let m = with_mermaid(graph("the cause", 2), "flowchart LR\n  a --> b\n");
        let texts: Vec<String> = m.blocks.iter().map(ToString::to_string).collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert!(texts[1].contains("flowchart LR") && texts[2].contains("2 warning(s)"), "{texts:?}");
    }
}
