//! The change timeline as a picture (to be drawn).
