//! The documents generated from the code are current, and the numbers the docs quote are
//! what the commands print: `docs/cli.md` is the CLI reference rendered from the clap
//! definitions (`UPDATE_DOCS=1 cargo test --test docs` rewrites it).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

mod common;

use common::root;

/// `path` (under the crate root) holds `generated`; with `UPDATE_DOCS=1`, it is written.
fn current(path: &str, generated: &str) {
    let file = root().join(path);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&file, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(generated.lines().count()));
        panic!(
            "{path} is not current (first difference at line {}): regenerate it with \
             `UPDATE_DOCS=1 cargo test --test docs` and commit it",
            first + 1
        );
    }
}

// The reference lists every command of the default build, `lsp` included.
#[cfg(feature = "lsp")]
#[test]
fn the_cli_reference_is_generated_from_the_arguments() {
    current("docs/cli.md", &crossfoot::cli::reference_markdown());
}
