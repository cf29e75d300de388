//! The open documents, and the analysis of a rule set: the directory of a document, read
//! as `load_rules` reads it (every `.xfoot` file under it, in path order), with each open
//! buffer's text in place of its file's, checked by the same checks `lint` runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::{Diagnostic, Range, Uri};

use super::diagnostics::{self, Files, Problem};
use super::index::{Declaration, FileIndex, RuleEntry};
use super::text::LineIndex;
use super::uri;
use crossfoot_core::error::Error;
use crossfoot_core::files::{FileError, MAX_RULE_FILE_BYTES, Walk, read_source};
use crossfoot_core::load;
use crossfoot_syntax::line::LineCode;
use crossfoot_syntax::source::{Source, Span};

/// How a document is known: by its path (a `file:` URI), or by its URI (any other).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKey {
    /// A file on disk (or to be saved there).
    File(PathBuf),
    /// A buffer with no file (`untitled:…`).
    Buffer(String),
}

impl DocKey {
    /// The key of a URI.
    pub fn of(uri: &Uri) -> DocKey {
        match uri::to_path(uri) {
            Some(path) => DocKey::File(path),
            None => DocKey::Buffer(uri.as_str().to_owned()),
        }
    }

    /// The rule set the document belongs to.
    pub fn scope(&self) -> Scope {
        match self {
            DocKey::File(path) => match path.parent() {
                Some(dir) => Scope::Directory(dir.to_path_buf()),
                None => Scope::Alone(self.clone()),
            },
            DocKey::Buffer(_) => Scope::Alone(self.clone()),
        }
    }

    /// The name its source goes by in diagnostics: the path, or the URI.
    fn name(&self) -> String {
        match self {
            DocKey::File(path) => path.display().to_string(),
            DocKey::Buffer(uri) => uri.clone(),
        }
    }
}

/// The files checked together.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every `.xfoot` file under a directory.
    Directory(PathBuf),
    /// One buffer alone.
    Alone(DocKey),
}

impl Scope {
    /// Whether a change to the document can change this rule set.
    fn holds(&self, key: &DocKey) -> bool {
        match (self, key) {
            (Scope::Directory(dir), DocKey::File(path)) => path.starts_with(dir),
            (Scope::Alone(own), key) => own == key,
            (Scope::Directory(_), DocKey::Buffer(_)) => false,
        }
    }
}

/// A document the client has open.
#[derive(Clone, Debug)]
pub struct Document {
    /// The URI as the client wrote it.
    pub uri: Uri,
    /// Its text now.
    pub text: String,
}

/// One file of an analysed rule set.
#[derive(Clone, Debug)]
pub struct AnalyzedFile {
    /// How it is known.
    pub key: DocKey,
    /// Its URI (the client's, when open).
    pub uri: Option<Uri>,
    /// Its text as checked.
    pub source: Source,
    /// Its lines.
    pub lines: LineIndex,
    /// Its line codes: of this text when it parses, else of the last text that did.
    pub index: Option<FileIndex>,
    /// Whether [`index`](Self::index) is of this text.
    pub current: bool,
}

impl AnalyzedFile {
    /// The range of a span of the file.
    pub fn range(&self, span: Span) -> Range {
        self.lines.range(self.source.text(), span)
    }

    /// The byte offset of a position in the file.
    pub fn offset(&self, position: lsp_types::Position) -> usize {
        self.lines.offset(self.source.text(), position)
    }
}

/// A checked rule set: its files, and every problem `lint` finds in it.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// The files, in path order.
    pub files: Vec<AnalyzedFile>,
    /// The problems, each in its file.
    pub problems: Vec<Problem>,
}

impl Analysis {
    /// The file a document is.
    pub fn file(&self, key: &DocKey) -> Option<&AnalyzedFile> {
        self.files.iter().find(|file| &file.key == key)
    }

    /// Every declared line, with its file: the first declaration of a code only.
    pub fn declarations(&self) -> impl Iterator<Item = (&AnalyzedFile, &Declaration)> {
        let mut seen = std::collections::HashSet::new();
        self.indexed()
            .flat_map(|(file, index)| index.declarations.iter().map(move |d| (file, d)))
            .filter(move |(_, declaration)| seen.insert(declaration.code))
    }

    /// A line's declaration, with its file.
    pub fn declaration(&self, code: LineCode) -> Option<(&AnalyzedFile, &Declaration)> {
        self.indexed()
            .find_map(|(file, index)| index.declaration(code).map(|d| (file, d)))
    }

    /// Every declaration of a line (one per edition of a dated label), in file order.
    pub fn editions(&self, code: LineCode) -> impl Iterator<Item = &Declaration> {
        self.indexed()
            .flat_map(move |(_, index)| index.editions(code))
    }

    /// Every place a rule reads `code`, with its file and rule.
    pub fn reads(&self, code: LineCode) -> impl Iterator<Item = (&AnalyzedFile, &RuleEntry, Span)> {
        self.indexed().flat_map(move |(file, index)| {
            index
                .reads(code)
                .map(move |(rule, span)| (file, rule, span))
        })
    }

    /// The protocol's diagnostics of each file.
    pub fn diagnostics(&self) -> HashMap<usize, Vec<Diagnostic>> {
        let mut by_file: HashMap<usize, Vec<Diagnostic>> = HashMap::new();
        for problem in &self.problems {
            by_file
                .entry(problem.file)
                .or_default()
                .push(problem.diagnostic.clone());
        }
        by_file
    }

    fn indexed(&self) -> impl Iterator<Item = (&AnalyzedFile, &FileIndex)> {
        self.files
            .iter()
            .filter_map(|file| file.index.as_ref().map(|index| (file, index)))
    }
}

impl Files for Analysis {
    fn find(&self, name: &str) -> Option<usize> {
        self.files
            .iter()
            .position(|file| file.source.name() == name)
    }

    fn range(&self, file: usize, span: Span) -> Range {
        self.files
            .get(file)
            .map_or_else(Range::default, |file| file.range(span))
    }

    fn uri(&self, file: usize) -> Option<Uri> {
        self.files.get(file).and_then(|file| file.uri.clone())
    }

    fn label(&self, code: LineCode) -> Option<String> {
        self.declaration(code).map(|(_, d)| d.label.clone())
    }
}

/// The open documents, and what is known of their rule sets.
#[derive(Debug, Default)]
pub struct Workspace {
    documents: HashMap<DocKey, Document>,
    analyses: HashMap<Scope, Analysis>,
    /// Each file's index as of the last text of it that parsed.
    last_parsed: HashMap<DocKey, FileIndex>,
    /// The URIs given diagnostics, per rule set, so they are cleared once clean.
    published: HashMap<Scope, Vec<Uri>>,
    /// The rule files on disk under each directory, listed again when a document is
    /// opened, saved or closed (not on every change).
    listings: HashMap<PathBuf, Vec<PathBuf>>,
}

impl Workspace {
    /// Open (or replace) a document.
    pub fn open(&mut self, uri: Uri, text: String) -> Scope {
        let key = DocKey::of(&uri);
        self.documents.insert(key.clone(), Document { uri, text });
        self.saved(&key)
    }

    /// A document's new text.
    pub fn change(&mut self, uri: &Uri, text: String) -> Option<Scope> {
        let key = DocKey::of(uri);
        self.documents.get_mut(&key)?.text = text;
        Some(self.changed(&key))
    }

    /// A document was saved (or files may have come or gone): list its directories again.
    pub fn saved(&mut self, key: &DocKey) -> Scope {
        if let DocKey::File(path) = key {
            self.listings.retain(|dir, _| !path.starts_with(dir));
        }
        self.changed(key)
    }

    /// The document's text now, for changes to apply to.
    pub fn text(&self, uri: &Uri) -> Option<&str> {
        self.documents
            .get(&DocKey::of(uri))
            .map(|document| document.text.as_str())
    }

    /// Close a document: its file's text on disk counts again.
    pub fn close(&mut self, uri: &Uri) -> Scope {
        let key = DocKey::of(uri);
        self.documents.remove(&key);
        self.saved(&key)
    }

    /// Forget what was known of every rule set a document belongs to; its scope.
    pub fn changed(&mut self, key: &DocKey) -> Scope {
        self.analyses.retain(|scope, _| !scope.holds(key));
        key.scope()
    }

    /// The analysis of a rule set, made when not known.
    pub fn analysis(&mut self, scope: &Scope) -> &Analysis {
        if !self.analyses.contains_key(scope) {
            let on_disk: &[PathBuf] = match scope {
                Scope::Directory(dir) => self
                    .listings
                    .entry(dir.clone())
                    .or_insert_with(|| rule_files(dir)),
                Scope::Alone(_) => &[],
            };
            let analysis = analyze(scope, on_disk, &self.documents, &mut self.last_parsed);
            self.analyses.insert(scope.clone(), analysis);
        }
        self.analyses.entry(scope.clone()).or_default()
    }

    /// The diagnostics to publish for a rule set: each file with problems, and each file
    /// that had some or is open (an empty list clears them).
    pub fn publish(&mut self, scope: &Scope) -> Vec<(Uri, Vec<Diagnostic>)> {
        let open: Vec<Uri> = self
            .documents
            .iter()
            .filter(|(key, _)| scope.holds(key) && &key.scope() == scope)
            .map(|(_, document)| document.uri.clone())
            .collect();
        let analysis = self.analysis(scope);
        let mut found = analysis.diagnostics();
        let mut out: Vec<(Uri, Vec<Diagnostic>)> = Vec::new();
        for (at, file) in analysis.files.iter().enumerate() {
            let Some(uri) = &file.uri else { continue };
            if let Some(diagnostics) = found.remove(&at) {
                out.push((uri.clone(), diagnostics));
            }
        }
        let now: Vec<Uri> = out.iter().map(|(uri, _)| uri.clone()).collect();
        let before = self.published.insert(scope.clone(), now);
        for uri in before.into_iter().flatten().chain(open) {
            if !out.iter().any(|(known, _)| known == &uri) {
                out.push((uri, Vec::new()));
            }
        }
        out
    }

    /// A document's analysis and its file in it, when it is open or on disk.
    pub fn file_of(&mut self, uri: &Uri) -> Option<(&Analysis, &AnalyzedFile)> {
        let key = DocKey::of(uri);
        let analysis = self.analysis(&key.scope());
        analysis.file(&key).map(|file| (analysis, file))
    }
}

/// Read, parse and check a rule set.
fn analyze(
    scope: &Scope,
    on_disk: &[PathBuf],
    documents: &HashMap<DocKey, Document>,
    last_parsed: &mut HashMap<DocKey, FileIndex>,
) -> Analysis {
    let mut analysis = Analysis::default();
    let mut sources = Vec::new();
    let mut unreadable = Vec::new();
    for key in members(scope, on_disk, documents) {
        let document = documents.get(&key);
        let Some((uri, read)) = read(&key, document) else {
            continue;
        };
        let (source, index, current) = match read {
            Ok(source) => {
                sources.push(source.clone());
                let (index, current) = index(&key, &source, last_parsed);
                (source, index, current)
            }
            Err(error) => {
                unreadable.push((analysis.files.len(), error));
                let index = last_parsed.get(&key).cloned();
                (Source::new(key.name(), ""), index, false)
            }
        };
        analysis.files.push(AnalyzedFile {
            key,
            uri,
            lines: LineIndex::new(source.text()),
            source,
            index,
            current,
        });
    }
    analysis.problems = problems(&analysis, sources, unreadable);
    analysis
}

/// A member's URI (the client's when open) and text: the open document's, or the file's;
/// `None` for a buffer no longer open.
fn read(key: &DocKey, document: Option<&Document>) -> Option<(Option<Uri>, Result<Source, Error>)> {
    match (document, key) {
        (Some(document), _) => Some((Some(document.uri.clone()), buffer(key, &document.text))),
        (None, DocKey::File(path)) => Some((
            uri::from_path(path),
            read_source(path, MAX_RULE_FILE_BYTES).map_err(Error::from),
        )),
        (None, DocKey::Buffer(_)) => None,
    }
}

/// A member's line codes, and whether they are of this text: when it does not parse, those
/// of the last text of it that did.
fn index(
    key: &DocKey,
    source: &Source,
    last_parsed: &mut HashMap<DocKey, FileIndex>,
) -> (Option<FileIndex>, bool) {
    match crossfoot_syntax::parse(source) {
        Ok(file) => {
            let index = FileIndex::new(&file);
            last_parsed.insert(key.clone(), index.clone());
            (Some(index), true)
        }
        Err(_) => (last_parsed.get(key).cloned(), false),
    }
}

/// What `lint` finds: a file that cannot be read stops the check, as it stops `lint`.
fn problems(
    analysis: &Analysis,
    sources: Vec<Source>,
    unreadable: Vec<(usize, Error)>,
) -> Vec<Problem> {
    if !unreadable.is_empty() {
        return unreadable
            .iter()
            .map(|(file, error)| diagnostics::unplaced(error, *file))
            .collect();
    }
    if sources.is_empty() {
        return Vec::new();
    }
    let errors = match load::check_sources(sources) {
        Ok(checked) => checked.warnings.into_iter().map(Error::from).collect(),
        Err(errors) => errors,
    };
    errors
        .iter()
        .map(|error| diagnostics::problem(error, analysis, 0))
        .collect()
}

/// An open buffer as a source, held to the size limit of a rule file.
fn buffer(key: &DocKey, text: &str) -> Result<Source, Error> {
    let size = u64::try_from(text.len()).unwrap_or(u64::MAX);
    if size > MAX_RULE_FILE_BYTES {
        return Err(Error::from(FileError::TooLarge {
            path: key.name(),
            size,
            limit: MAX_RULE_FILE_BYTES,
        }));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(Source::new(key.name(), text))
}

/// The documents of a rule set, in path order: its files on disk, each open document in
/// its directory, and each open `.xfoot` document under it.
fn members(
    scope: &Scope,
    on_disk: &[PathBuf],
    documents: &HashMap<DocKey, Document>,
) -> Vec<DocKey> {
    let dir = match scope {
        Scope::Alone(key) => return vec![key.clone()],
        Scope::Directory(dir) => dir,
    };
    let mut keys: Vec<DocKey> = on_disk
        .iter()
        .cloned()
        .map(DocKey::File)
        .chain(
            documents
                .keys()
                .filter(|key| open_member(dir, key))
                .cloned(),
        )
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn open_member(dir: &Path, key: &DocKey) -> bool {
    let DocKey::File(path) = key else {
        return false;
    };
    path.parent() == Some(dir)
        || path.starts_with(dir) && path.extension().is_some_and(|e| e == "xfoot")
}

/// The most directory entries looked through for a rule set's files: a file opened in a
/// home directory or at the root must not make the server walk the whole disk.
const MAX_ENTRIES: usize = 20_000;

/// The `.xfoot` files under a directory, recursively and sorted, as `load_rules` finds
/// them, through the one walker in its tolerant mode: a subdirectory that cannot be read
/// is passed over (the editor shows what it can). Past [`MAX_ENTRIES`] entries, only the
/// directory's own files.
fn rule_files(dir: &Path) -> Vec<PathBuf> {
    let walk = Walk::tolerant(MAX_ENTRIES);
    match walk.files(dir, is_rule_file) {
        Ok(Some(found)) => found,
        Ok(None) | Err(_) => match walk.shallow().files(dir, is_rule_file) {
            Ok(Some(found)) => found,
            Ok(None) | Err(_) => Vec::new(),
        },
    }
}

fn is_rule_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "xfoot")
}
