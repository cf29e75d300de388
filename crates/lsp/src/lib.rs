//! `crossfoot lsp`: a language server for rule files, over standard input and output.
//!
//! The server is a thin layer over the library: a document's rule set is every `.xfoot`
//! file under its directory (as [`load_rules`](crossfoot_core::load::load_rules) reads a
//! directory), with each open buffer's text in place of its file's, and it is checked by
//! [`check_sources`](crossfoot_core::load::check_sources), the checks `crossfoot lint` runs. Their
//! diagnostics are published with their spans turned into the protocol's positions; the
//! formatter is [`format_source`](crossfoot_syntax::format_source), `crossfoot fmt`'s; the
//! line codes a hover, a definition or a reference is about come from the library's
//! syntax tree. Nothing is parsed or checked twice over in another way.
//!
//! Built on `lsp-server` and `lsp-types`, rust-analyzer's synchronous crates: one thread
//! answers each message in turn, with no async runtime.

mod complete;
mod diagnostics;
mod edit;
mod error;
mod index;
mod navigate;
mod server;
mod text;
mod transport;
mod uri;
mod words;
mod workspace;

pub use error::LspError;
pub use server::{Ending, serve};
pub use transport::{MAX_HEADER_BYTES, MAX_MESSAGE_BYTES, read_message};

/// Serve the protocol on standard input and output until the editor says `exit` or
/// closes the connection, or sends a message that cannot be read (one larger than
/// [`MAX_MESSAGE_BYTES`] among them): then the reason.
pub fn run_stdio() -> Result<Ending, LspError> {
    let (connection, threads) = transport::stdio();
    let ending = serve(&connection);
    // The writer thread ends once every sender is gone, after writing what is queued.
    drop(connection);
    threads.join()?;
    Ok(ending)
}
