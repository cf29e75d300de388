//! The solver, in its own process: SMT-LIB 2 commands written to its standard input and
//! answers read from its standard output, over a pipe (`z3 -in -smt2`).
//!
//! Each batch of commands ends with `(echo "…")` and its answer is read up to that
//! marker, so the two sides never wait on each other. The solver's answers are data: a
//! `sat` answer is only trusted once its model has been checked by the evaluator.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use crossfoot_syntax::number::Value;

use crate::error::ProveError;

/// The marker that ends each answer.
const DONE: &str = "crossfoot-done";

/// What the solver said to `check-sat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Some assignment satisfies the assertions.
    Sat,
    /// None does: a proof.
    Unsat,
    /// The solver gave up (a time limit, or non-linear arithmetic it could not decide).
    Unknown,
}

/// A running solver.
pub struct Solver {
    program: String,
    /// Where the commands sent are logged (`CROSSFOOT_PROVE_LOG`), if anywhere.
    log: Option<PathBuf>,
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Solver {
    /// Start the solver: `path`, or `z3` on `PATH`. `timeout_ms` limits each `check-sat`.
    pub fn start(path: Option<&Path>, timeout_ms: u32) -> Result<Solver, ProveError> {
        let program = path.map_or_else(|| PathBuf::from("z3"), Path::to_path_buf);
        let name = program.display().to_string();
        let mut child = Command::new(&program)
            .args(["-in", "-smt2"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| ProveError::NoSolver {
                program: name.clone(),
                reason: match error.kind() {
                    std::io::ErrorKind::NotFound => "no such program on PATH".to_owned(),
                    _ => error.to_string(),
                },
            })?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(ProveError::Solver {
                program: name,
                reason: "its standard input and output could not be opened".to_owned(),
            });
        };
        let mut solver = Solver {
            program: name,
            log: log_file(),
            child,
            input,
            output: BufReader::new(output),
        };
        solver.run(&format!(
            "(set-option :produce-models true)\n(set-option :produce-unsat-cores true)\n(set-option :timeout {timeout_ms})\n"
        ))?;
        Ok(solver)
    }

    /// Send commands and return what the solver printed for them (without the marker).
    /// An `(error …)` answer is an error: the compiler wrote something the solver refused.
    pub fn run(&mut self, commands: &str) -> Result<String, ProveError> {
        self.log(commands);
        let sent = self
            .input
            .write_all(commands.as_bytes())
            .and_then(|()| writeln!(self.input, "(echo \"{DONE}\")"))
            .and_then(|()| self.input.flush());
        if let Err(error) = sent {
            return Err(self.failed(format!("it stopped reading: {error}")));
        }
        let mut answer = String::new();
        loop {
            let mut line = String::new();
            match self.output.read_line(&mut line) {
                Ok(0) => return Err(self.failed("it stopped before answering".to_owned())),
                Ok(_) => {}
                Err(error) => return Err(self.failed(error.to_string())),
            }
            if line.trim() == DONE {
                break;
            }
            answer.push_str(&line);
        }
        if let Some(start) = answer.find("(error ") {
            let said = answer.get(start..).unwrap_or_default().trim().to_owned();
            return Err(self.failed(format!("it refused a command: {said}")));
        }
        Ok(answer)
    }

    /// Append text to the log, if there is one: the script as sent, for a person
    /// reproducing a question by hand.
    fn log(&self, text: &str) {
        if let Some(log) = &self.log
            && let Ok(mut file) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
        {
            let _ = file.write_all(text.as_bytes());
        }
    }

    fn failed(&self, reason: String) -> ProveError {
        ProveError::Solver {
            program: self.program.clone(),
            reason,
        }
    }

    /// `check-sat` under the assumptions (names of declared booleans).
    pub fn check(&mut self, assumptions: &[String]) -> Result<Answer, ProveError> {
        // `check-sat` when there are no assumptions: z3 keeps its time limit there.
        let started = std::time::Instant::now();
        let answer = if assumptions.is_empty() {
            self.run("(check-sat)\n")?
        } else {
            self.run(&format!(
                "(check-sat-assuming ({}))\n",
                assumptions.join(" ")
            ))?
        };
        if self.log.is_some() {
            self.log(&format!(
                "; {} in {:.3} s\n",
                answer.trim(),
                started.elapsed().as_secs_f64()
            ));
        }
        match answer.trim() {
            "sat" => Ok(Answer::Sat),
            "unsat" => Ok(Answer::Unsat),
            "unknown" | "timeout" => Ok(Answer::Unknown),
            other => Err(self.failed(format!("it answered `{other}` to check-sat"))),
        }
    }

    /// The assumptions of the last `unsat` answer that suffice for it.
    pub fn core(&mut self) -> Result<Vec<String>, ProveError> {
        let answer = self.run("(get-unsat-core)\n")?;
        let inner = answer.trim().trim_start_matches('(').trim_end_matches(')');
        Ok(inner.split_whitespace().map(str::to_owned).collect())
    }

    /// The values of some terms in the last model, by name.
    pub fn values(&mut self, names: &[String]) -> Result<Vec<(String, Model)>, ProveError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let answer = self.run(&format!("(get-value ({}))\n", names.join(" ")))?;
        let tree = parse(&answer)
            .ok_or_else(|| self.failed(format!("a model it gave could not be read: {answer}")))?;
        let Sexp::List(pairs) = tree else {
            return Err(self.failed("a model it gave is not a list".to_owned()));
        };
        let mut found = Vec::with_capacity(pairs.len());
        for pair in pairs {
            let Sexp::List(parts) = pair else { continue };
            let [Sexp::Atom(name), value] = parts.as_slice() else {
                continue;
            };
            let value = model_value(value)
                .ok_or_else(|| self.failed(format!("the value of {name} could not be read")))?;
            found.push((name.clone(), value));
        }
        Ok(found)
    }
}

/// The log file of a new solver: `CROSSFOOT_PROVE_LOG` for the first solver of the
/// process, and `CROSSFOOT_PROVE_LOG.N` for the N-th after it (each solver's script
/// replays on its own).
fn log_file() -> Option<PathBuf> {
    static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let base = PathBuf::from(std::env::var_os("CROSSFOOT_PROVE_LOG")?);
    let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if n == 0 {
        return Some(base);
    }
    let mut name = base.into_os_string();
    name.push(format!(".{n}"));
    Some(PathBuf::from(name))
}

impl Drop for Solver {
    fn drop(&mut self) {
        let _ = writeln!(self.input, "(exit)");
        let _ = self.input.flush();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A value in a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// A boolean.
    Bool(bool),
    /// An exact number (an integer or a real).
    Number(Value),
}

/// An s-expression of the solver's answer.
#[derive(Debug, Clone)]
enum Sexp {
    Atom(String),
    List(Vec<Sexp>),
}

fn parse(text: &str) -> Option<Sexp> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        match c {
            '(' | ')' => {
                if !word.is_empty() {
                    tokens.push(std::mem::take(&mut word));
                }
                tokens.push(c.to_string());
            }
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    tokens.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    let mut at = 0;
    let tree = sexp(&tokens, &mut at, 0)?;
    (at == tokens.len()).then_some(tree)
}

fn sexp(tokens: &[String], at: &mut usize, depth: usize) -> Option<Sexp> {
    if depth > 64 {
        return None;
    }
    let token = tokens.get(*at)?;
    *at += 1;
    match token.as_str() {
        "(" => {
            let mut items = Vec::new();
            loop {
                if tokens.get(*at)?.as_str() == ")" {
                    *at += 1;
                    return Some(Sexp::List(items));
                }
                items.push(sexp(tokens, at, depth + 1)?);
            }
        }
        ")" => None,
        atom => Some(Sexp::Atom(atom.to_owned())),
    }
}

/// `true`, `5`, `5.0`, `(- 5.0)`, `(/ 1.0 3.0)`, `(- (/ 1.0 3.0))`.
fn model_value(sexp: &Sexp) -> Option<Model> {
    match sexp {
        Sexp::Atom(atom) if atom == "true" => Some(Model::Bool(true)),
        Sexp::Atom(atom) if atom == "false" => Some(Model::Bool(false)),
        other => number(other).map(Model::Number),
    }
}

fn number(sexp: &Sexp) -> Option<Value> {
    match sexp {
        Sexp::Atom(atom) => {
            let whole = atom.strip_suffix(".0").unwrap_or(atom);
            if whole.bytes().all(|b| b.is_ascii_digit()) && !whole.is_empty() {
                return Value::fraction(whole.parse().ok()?, 1);
            }
            atom.parse().ok()
        }
        Sexp::List(items) => match items.as_slice() {
            [Sexp::Atom(op), inner] if op == "-" => number(inner).map(|v| -v),
            [Sexp::Atom(op), a, b] if op == "/" => number(a)?.checked_div(number(b)?),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_model_values() {
        let tree = parse("((v_7010 (- (/ 1.0 3.0)))\n (b_7010 false) (d 2) (x 2.5))").unwrap();
        let Sexp::List(pairs) = tree else { panic!() };
        let values: Vec<Model> = pairs
            .iter()
            .map(|p| {
                let Sexp::List(p) = p else { panic!() };
                model_value(&p[1]).unwrap()
            })
            .collect();
        assert_eq!(values[0], Model::Number(-Value::fraction(1, 3).unwrap()));
        assert_eq!(values[1], Model::Bool(false));
        assert_eq!(values[2], Model::Number(Value::whole(2)));
        assert_eq!(values[3], Model::Number("2.5".parse().unwrap()));
        assert!(parse("((a 1)").is_none());
    }
}
