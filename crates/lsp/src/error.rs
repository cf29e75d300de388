//! What can stop the language server.

use thiserror::Error;

/// Why the server could not go on talking to the editor.
#[derive(Debug, Error)]
pub enum LspError {
    /// Standard input or output failed, or a message was not JSON-RPC.
    #[error("cannot talk to the editor: {0}")]
    Io(#[from] std::io::Error),
    /// A message that cannot be read: a header that is not one, no `Content-Length`, or
    /// a message larger than the limit (`Content-Length: 999999999999999`).
    #[error("cannot talk to the editor: {0}")]
    Frame(String),
}
