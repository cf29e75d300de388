//! What stops a proof: no solver, a solver that does not answer in SMT-LIB, a witness
//! that cannot be written.

use miette::Diagnostic;
use thiserror::Error;

/// Why `prove` or `diff --prove` could not run (exit 2). A question the solver could not
/// decide is not an error: it is an `unknown` result.
#[derive(Debug, Error, Diagnostic)]
pub enum ProveError {
    /// The solver program could not be started.
    #[error("could not start the SMT solver `{program}`: {reason}")]
    #[diagnostic(
        code(crossfoot::prove::no_solver),
        help(
            "install z3 (Debian and Ubuntu: `apt-get install z3`; macOS: `brew install z3`), or name a solver that reads SMT-LIB 2 on standard input with `--solver PATH`"
        )
    )]
    NoSolver {
        /// The program looked for.
        program: String,
        /// What the system said.
        reason: String,
    },
    /// The solver answered something that is not SMT-LIB, or stopped.
    #[error("the SMT solver `{program}` failed: {reason}")]
    #[diagnostic(
        code(crossfoot::prove::solver),
        help("crossfoot speaks SMT-LIB 2 to z3 (4.8 or later); check that `--solver` names z3")
    )]
    Solver {
        /// The program.
        program: String,
        /// What went wrong, with the solver's own words when it gave some.
        reason: String,
    },
    /// A witness report could not be written.
    #[error("could not write the witness report {path}: {reason}")]
    #[diagnostic(code(crossfoot::prove::witness))]
    Witness {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}
