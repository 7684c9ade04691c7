//! Plain-language explanation of an analysed graph (issue 5 §3, `reference/rcagraph-v1.md` §8).
//!
//! [`narrate`] turns an [`Analysis`] into a [`Narrative`]: a one-sentence verdict, the causal
//! chain in time order with relative times, confidence in words (never numbers), what only
//! correlates, side branches, alternatives, gaps and read-only next steps. The words come from
//! the `causal/explain.md` template in `prompts`, so the text is reviewed and snapshot-tested
//! like every other prompt. [`check_rewrite`] guards a model's rewrite of it.
//!
//! `narrative` holds the structured result and its Markdown; `phrases` the words for one node or
//! duration; `paths` which path the story follows; `story` the verdict and chain; `next` the
//! gaps and read-only next steps; `rewrite` the guard for a model's rewrite.

mod narrative;
mod next;
mod paths;
mod phrases;
mod rewrite;
mod story;
#[cfg(test)]
mod tests;

pub use narrative::{Narrative, NextStep, Step, markdown};
pub use paths::story_path;
pub use phrases::{duration, label, noun, phrase, short};
pub use rewrite::check_rewrite;
pub use story::narrate;
