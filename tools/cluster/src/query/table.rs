//! Compact tables like kubectl's, and the small formatting helpers they share.

use jiff::Timestamp;
use serde::Serialize;

/// Rows under headers, rendered with aligned columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    /// Column titles.
    pub headers: Vec<String>,
    /// Cells, one vector per row.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these headers.
    pub fn new(headers: &[&str]) -> Table {
        Table { headers: headers.iter().map(ToString::to_string).collect(), rows: Vec::new() }
    }

    /// Drop a column (e.g. NAMESPACE when only one is shown).
    #[must_use]
    pub fn without(mut self, header: &str) -> Table {
        if let Some(i) = self.headers.iter().position(|h| h == header) {
            self.headers.remove(i);
            for r in &mut self.rows {
                if i < r.len() {
                    r.remove(i);
                }
            }
        }
        self
    }

    /// The table as text, columns separated by three spaces, last column unpadded.
    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(c.chars().count());
                }
            }
        }
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    s.push_str(c);
                } else {
                    s.push_str(&format!("{c:<w$}   ", w = widths[i]));
                }
            }
            s.trim_end().to_string()
        };
        let mut out = line(&self.headers);
        for r in &self.rows {
            out.push('\n');
            out.push_str(&line(r));
        }
        out.push('\n');
        out
    }
}

/// kubectl's human duration (`45s`, `5m30s`, `3h`, `2d4h`, `400d`).
pub fn age(since: Option<Timestamp>, now: Timestamp) -> String {
    let Some(since) = since else { return "<unknown>".to_string() };
    let secs = now.as_second() - since.as_second();
    if secs < 0 {
        return "0s".to_string();
    }
    human_duration(secs)
}

/// A duration in seconds, the way kubectl prints ages.
pub fn human_duration(secs: i64) -> String {
    let (m, h, d) = (secs / 60, secs / 3600, secs / 86400);
    if secs < 120 {
        format!("{secs}s")
    } else if m < 10 {
        let s = secs % 60;
        if s == 0 { format!("{m}m") } else { format!("{m}m{s}s") }
    } else if h < 3 {
        format!("{m}m")
    } else if h < 8 {
        let mm = m % 60;
        if mm == 0 { format!("{h}h") } else { format!("{h}h{mm}m") }
    } else if h < 48 {
        format!("{h}h")
    } else if d < 8 {
        let hh = h % 24;
        if hh == 0 { format!("{d}d") } else { format!("{d}d{hh}h") }
    } else if d < 365 * 2 {
        format!("{d}d")
    } else {
        format!("{}y", d / 365)
    }
}

/// `<none>` for empty cells, as kubectl prints them.
pub fn or_none(s: impl Into<String>) -> String {
    let s = s.into();
    if s.is_empty() { "<none>".to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        for (secs, want) in [
            (5, "5s"),
            (119, "119s"),
            (330, "5m30s"),
            (3600, "60m"),
            (4 * 3600 + 60, "4h1m"),
            (30 * 3600, "30h"),
            (3 * 86400 + 3600 * 4, "3d4h"),
            (40 * 86400, "40d"),
            (800 * 86400, "2y"),
        ] {
            assert_eq!(human_duration(secs), want, "{secs}");
        }
    }

    #[test]
    fn tables_align_columns() {
        let mut t = Table::new(&["NAME", "STATUS", "AGE"]);
        t.rows.push(vec!["a".into(), "Running".into(), "5s".into()]);
        t.rows.push(vec!["longer-name".into(), "Pending".into(), "1d".into()]);
        assert_eq!(
            t.render(),
            "NAME          STATUS    AGE\na             Running   5s\nlonger-name   Pending   1d\n"
        );
        assert_eq!(t.without("STATUS").render(), "NAME          AGE\na             5s\nlonger-name   1d\n");
    }
}
