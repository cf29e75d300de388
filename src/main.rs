//! The `crossfoot` command; everything it does lives in the `crossfoot-cli` crate.

fn main() -> std::process::ExitCode {
    crossfoot_cli::run()
}
