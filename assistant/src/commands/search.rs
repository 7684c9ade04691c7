//! `sleuth search QUERY`

use std::io::Write;
use std::process::ExitCode;

use retriever::{Features, Hit, SearchQuery, Searcher, scope};

use crate::cli::SearchArgs;
use crate::output::{color, display_location};
use crate::{EXIT_BAD_INPUT, config};

/// Runs one search and prints the hits.
pub fn run(args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let (dir, is_default) = config::index_dir(args.location.index.as_deref());
    let searcher = match Searcher::open(&dir) {
        Ok(s) => s,
        Err(e) => match is_default.then(|| crate::connect::mend_default_index(&dir, &e)).flatten() {
            Some(note) => {
                eprintln!("{}", note?);
                Searcher::open(&dir)?
            }
            None => match e {
                e @ (retriever::Error::NoIndex(_)
                | retriever::Error::IncompatibleSchema { .. }
                | retriever::Error::NotAnIndex(_)
                | retriever::Error::CorruptManifest { .. }) => {
                    eprintln!("sleuth: {e}");
                    return Ok(ExitCode::from(EXIT_BAD_INPUT));
                }
                e => return Err(e.into()),
            },
        },
    };
    let mut scopes = Vec::new();
    scopes.extend(args.space.iter().map(|s| scope("space", s)));
    scopes.extend(args.database.iter().map(|s| scope("database", s)));
    scopes.extend(args.module.iter().map(|s| scope("module", s)));
    let query = SearchQuery { text: args.query.join(" "), kind: args.kind, scopes, limit: args.limit };
    let hits = match searcher.search_explained(&query) {
        Ok(hits) => hits,
        Err(e @ retriever::Error::OnlyExcluded(_)) => {
            eprintln!("sleuth: {e}");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
        Err(e) => return Err(e.into()),
    };

    // Hits for a question whose flag or identifier no document holds share only its other
    // words: say so, on stderr, so `--json` stays one array.
    let unheld = searcher.unheld_names(&query.text)?;
    if !unheld.is_empty() {
        eprintln!(
            "sleuth: no document mentions {}; the hits share other words of the question",
            crate::output::code_list(&unheld)
        );
    }
    // Pages on a mechanism the question describes but never names are asked for too: with
    // `--explain`, say which names were added, on stderr like the note above.
    let described = if args.explain { searcher.described(&query.text) } else { Vec::new() };
    if !described.is_empty() {
        eprintln!(
            "sleuth: the question describes a situation; also asked for, at less weight than its own words: {}",
            described.join(", ")
        );
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let hits: Vec<Explained> = hits
            .into_iter()
            .map(|(h, features)| Explained {
                hit: Hit { location: display_location(&h.location), ..h },
                features: features.filter(|_| args.explain),
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &hits)?;
        writeln!(out)?;
    } else if hits.is_empty() {
        writeln!(out, "No matches for {:?}.", query.text)?;
    } else {
        let color = color();
        for (i, (hit, features)) in hits.iter().enumerate() {
            print_hit(&mut out, i + 1, hit, color)?;
            if args.explain {
                writeln!(out, "   {}\n", why(features.as_ref()))?;
            } else {
                writeln!(out)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A hit as `--json` prints it: its fields, and with `--explain` what the reranker read of it.
#[derive(serde::Serialize)]
struct Explained {
    #[serde(flatten)]
    hit: Hit,
    #[serde(skip_serializing_if = "Option::is_none")]
    features: Option<Features>,
}

/// One line on why a hit ranks where it does (see [`Features`]; its ranks and lengths are
/// `ln(1 + x)`).
fn why(features: Option<&Features>) -> String {
    let Some(f) = features else {
        return "why: not reranked (a name the question gives decides, or it ranks below the first 30)"
            .into();
    };
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "small ranks")]
    let place = |ln: f32| (ln.exp_m1().round() as usize) + 1;
    let kind = if !f.prose {
        "configuration, keeps its place"
    } else if f.demoted {
        "a copy or fragment, keeps its place"
    } else {
        "prose, reranked"
    };
    let whole = if f.page_ratio > 0.0 {
        format!("#{} as a whole page ({:.2} of the first)", place(f.page_rank), f.page_ratio)
    } else {
        "not among the first whole pages".to_string()
    };
    // Links are named only where other pages link to the page by words of the question.
    let links = if f.link_coverage > 0.0 {
        format!(", links to it {:.0}%", f.link_coverage * 100.0)
    } else {
        String::new()
    };
    format!(
        "why: #{} by sections ({:.2} of the first), {whole}; meaning {:.2}; title holds {:.0}% of the question{links}; {kind}",
        place(f.section_rank),
        f.section_ratio,
        f.cosine,
        f.title_coverage * 100.0,
    )
}
fn print_hit(out: &mut impl Write, n: usize, hit: &Hit, color: bool) -> std::io::Result<()> {
    let (bold, dim, mark, reset) =
        if color { ("\x1b[1m", "\x1b[2m", "\x1b[1;33m", "\x1b[0m") } else { ("", "", "", "") };
    writeln!(out, "{n}. {bold}{}{reset}  [{}]  {dim}score {:.2}{reset}", hit.title, hit.kind, hit.score)?;
    if !hit.breadcrumbs.is_empty() {
        writeln!(out, "   {}", hit.breadcrumbs.join(" › "))?;
    }
    writeln!(out, "   {dim}{}{reset}", display_location(&hit.location))?;
    if !hit.heading.is_empty() {
        writeln!(out, "   § {}", hit.heading)?;
    }
    let mut snippet = String::new();
    let mut last = 0;
    for &(start, end) in &hit.highlights {
        if start < last || end > hit.snippet.len() {
            continue;
        }
        snippet.push_str(&hit.snippet[last..start]);
        if color {
            snippet.push_str(&format!("{mark}{}{reset}", &hit.snippet[start..end]));
        } else {
            snippet.push_str(&format!("*{}*", &hit.snippet[start..end]));
        }
        last = end;
    }
    snippet.push_str(&hit.snippet[last..]);
    let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    if !snippet.is_empty() {
        writeln!(out, "   {snippet}")?;
    }
    Ok(())
}
