/*!
Pictures as images, the same on every machine.

# Design tour

- [`png`] rasterizes an SVG (a causal graph from `rcagraph`, a change timeline from
  [`timeline`]) in-process with `resvg`, a pure-Rust renderer. Text is drawn with one font
  embedded in the binary (DejaVu Sans Condensed, `fonts/`, licence beside it) and no system
  font is ever consulted, so a PNG made on a laptop and on a CI runner are the same pixels.
  The SVGs name that font first and are laid out with its metrics (`rcagraph::render::text`).
- [`timeline`] draws what changed as a picture: one lane per workload or object kind, each
  change a mark with its label, the incident's first symptom a red line.

Nothing here reads or writes files: bytes in, bytes out.
*/

pub mod png;
pub mod timeline;

pub use png::{Error, png};
