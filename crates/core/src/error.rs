//! The errors where the stages meet: anything that stops rules or a report from being used.

use miette::Diagnostic;
use thiserror::Error;

use crate::compile::CheckError;
use crate::files::FileError;
use crate::pack::PackError;
use crate::report::ReportError;
use crossfoot_syntax::SyntaxError;

/// Why a rule set or a report could not be used.
#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    /// Inputs that do not hold the one report a command needs: `no report is `R7``.
    #[error("cannot read `{inputs}`: {problem}")]
    #[diagnostic(code(crossfoot::io))]
    NotOneReport {
        /// The inputs as given, joined with commas.
        inputs: String,
        /// What they hold instead.
        problem: NotOne,
    },

    /// `diff --reports -`: each rule set reads the reports, and standard input can be read
    /// only once.
    #[error(
        "cannot read `-`: diff reads the reports once for each rule set, and standard input cannot be read twice; save it to a file"
    )]
    #[diagnostic(code(crossfoot::io))]
    StdinTwice,

    /// A file that cannot be read as text.
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(FileError),

    /// A flag for inputs of a form no input has: `--sheet` without a workbook.
    #[error("`{flag}` {what}, and no input is one")]
    #[diagnostic(code(crossfoot::usage::flag), help("{help}"))]
    FlagUnused {
        /// The flag.
        flag: &'static str,
        /// What it applies to.
        what: &'static str,
        /// What to do.
        help: &'static str,
    },

    /// `crossfoot check report.yaml rules.xfoot`: a report where the rules go.
    #[error("`{given}` is a report, but the rule set comes first")]
    #[diagnostic(code(crossfoot::usage::order), help("{suggestion}"))]
    ArgumentOrder {
        /// The path given for the rules.
        given: String,
        /// The command in the right order, or how to write it.
        suggestion: String,
    },

    /// Old rules that could not be read from git.
    #[error("cannot read `{path}` at revision `{revision}` with git: {reason}")]
    #[diagnostic(
        code(crossfoot::git),
        help(
            "`crossfoot diff REV PATH` compares PATH as committed at REV with the working tree; run it inside the repository, with a revision git knows (`main`, `HEAD~1`, a commit)"
        )
    )]
    Git {
        /// The revision as given.
        revision: String,
        /// The path.
        path: String,
        /// What git said.
        reason: String,
    },

    /// A directory with no `.xfoot` files.
    #[error("no rule files (`*.xfoot`) in `{path}`")]
    #[diagnostic(
        code(crossfoot::no_rules),
        help("point at a `.xfoot` file or a directory that holds some")
    )]
    NoRuleFiles {
        /// The directory as given.
        path: String,
    },

    /// `crossfoot lint july.yaml`: a report, a test or a waivers file where rule files go.
    #[error("`{path}` is {what}, not a rule file")]
    #[diagnostic(code(crossfoot::usage::not_rules), help("{suggestion}"))]
    NotRuleFile {
        /// The path as given.
        path: String,
        /// What it is: `a report`, `a whole-report test`, `a waivers file`.
        what: &'static str,
        /// The command that uses it, or where it goes.
        suggestion: String,
    },

    /// `crossfoot diff rules/focus main`: a git revision where the new rule set goes.
    #[error("`{given}` is a git revision, not a rule set: the revision comes first")]
    #[diagnostic(code(crossfoot::usage::revision_order), help("{suggestion}"))]
    RevisionSecond {
        /// The revision, as given for NEW.
        given: String,
        /// The command in the right order.
        suggestion: String,
    },

    /// A whole-report test file that cannot be used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    TestFile(Box<TestFileError>),

    /// The text of a rule file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(Box<SyntaxError>),

    /// A rule that parsed but cannot be used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(Box<CheckError>),

    /// The content of a report.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Report(Box<ReportError>),

    /// A waivers file that cannot be used, or a warning about a waiver.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Waiver(Box<crate::waiver::WaiverError>),

    /// A column map (`--map`) that cannot be used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Map(Box<crate::report::MapError>),

    /// A `pack.yaml` that cannot be used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Pack(Box<PackError>),
}

/// Why inputs do not hold exactly the one report a command needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotOne {
    /// `--report R7`, and no report is `R7`.
    NoneIs(String),
    /// `--report R7`, and several reports are.
    SeveralAre(usize, String),
    /// No report at all.
    Empty,
    /// Several reports, and no `--report` to pick one; what the one is for (`to explain`).
    Several(usize, &'static str),
}

impl std::fmt::Display for NotOne {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotOne::NoneIs(wanted) => write!(f, "no report is `{wanted}`"),
            NotOne::SeveralAre(n, wanted) => write!(f, "{n} reports are `{wanted}`"),
            NotOne::Empty => f.write_str("holds no report"),
            NotOne::Several(n, what) => write!(
                f,
                "holds {n} reports; name the one {what} with --report ID (its id, or `row N`/`line N`)"
            ),
        }
    }
}

/// A problem in a whole-report test file (`*.test.yaml`).
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(crossfoot::test::file))]
pub struct TestFileError {
    /// What is wrong.
    pub message: String,
    /// The test file.
    #[source_code]
    pub src: crossfoot_syntax::source::Source,
    /// Where.
    #[label("here")]
    pub span: miette::SourceSpan,
    /// How to write it.
    #[help]
    pub help: Option<String>,
}

impl Error {
    /// Whether this is a warning rather than an error, as the problem it wraps declares.
    pub fn is_warning(&self) -> bool {
        crate::problem::is_warning(self)
    }
}

impl From<SyntaxError> for Error {
    fn from(error: SyntaxError) -> Self {
        Error::Syntax(Box::new(error))
    }
}

impl From<CheckError> for Error {
    fn from(error: CheckError) -> Self {
        Error::Check(Box::new(error))
    }
}

impl From<ReportError> for Error {
    fn from(error: ReportError) -> Self {
        Error::Report(Box::new(error))
    }
}

impl From<crate::waiver::WaiverError> for Error {
    fn from(error: crate::waiver::WaiverError) -> Self {
        Error::Waiver(Box::new(error))
    }
}

impl From<FileError> for Error {
    fn from(error: FileError) -> Self {
        Error::File(error)
    }
}

impl From<crate::report::MapError> for Error {
    fn from(error: crate::report::MapError) -> Self {
        Error::Map(Box::new(error))
    }
}

impl From<PackError> for Error {
    fn from(error: PackError) -> Self {
        Error::Pack(Box::new(error))
    }
}
