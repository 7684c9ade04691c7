//! One module per input format. Each turns bytes into [`Document`](crate::model::Document)s
//! and reports a bad input as an [`InputError`](crate::error::InputError) naming the file,
//! the line where it knows it, and the reason.

pub mod asciidoc;
pub mod confluence_html;
pub mod confluence_xml;
pub mod html;
pub mod markdown;
pub mod markup;
pub mod myst;
pub mod notion;
pub mod rst;
pub mod site_html;
pub mod terraform;
pub mod tfstate;
