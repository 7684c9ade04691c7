//! The timeline as a table a person reads: when (time and age at capture), what, which object,
//! who, and the change itself.

use cluster::query::table::{Table, age, or_none};

use super::model::Timeline;

impl Timeline {
    /// The timeline as text; `all` keeps the bookkeeping writes too.
    pub fn render(&self, all: bool) -> String {
        let mut t = Table::new(&["TIME", "AGO", "CHANGE", "OBJECT", "BY", "WHAT"]);
        for c in self.changes.iter().filter(|c| all || !c.bookkeeping) {
            t.rows.push(vec![
                c.time.strftime("%Y-%m-%d %H:%M:%S").to_string(),
                age(Some(c.time), self.end),
                c.what.word().replace(' ', "-"),
                c.object.to_string(),
                or_none(c.by.clone().unwrap_or_default()),
                c.summary.clone(),
            ]);
        }
        let window = format!(
            "{} to {} ({} before the capture)",
            self.start.strftime("%Y-%m-%d %H:%M"),
            self.end.strftime("%Y-%m-%d %H:%M"),
            cluster::query::table::human_duration(self.end.as_second() - self.start.as_second())
        );
        let mut out = if t.rows.is_empty() {
            format!("No changes from {window}.\n")
        } else {
            format!("{} change(s) from {window}:\n\n{}", t.rows.len(), t.render())
        };
        let hidden = self.bookkeeping();
        if hidden > 0 && !all {
            out.push_str(&format!(
                "\n{hidden} bookkeeping write(s) by controllers left out (--all shows them).\n"
            ));
        }
        out
    }
}
