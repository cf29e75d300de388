//! What can stop the language server.

use thiserror::Error;

/// Why the server could not go on talking to the editor.
#[derive(Debug, Error)]
pub enum LspError {
    /// Standard input or output failed, or a message was not JSON-RPC.
    #[error("cannot talk to the editor: {0}")]
    Io(#[from] std::io::Error),
}
