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
    /// The program started.
    path: PathBuf,
    /// Where the commands sent are logged (`CROSSFOOT_PROVE_LOG`), if anywhere.
    log: Option<PathBuf>,
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    /// The commands the solver holds, by scope: those sent outside any `push`, then
    /// those of each open scope in turn. A fresh solver sent them is in the same state
    /// ([`restart`](Self::restart)).
    scopes: Vec<String>,
    /// Whether no question was asked since the solver started.
    fresh: bool,
}

impl Solver {
    /// Start the solver: `path`, or `z3` on `PATH`. `timeout_ms` limits each `check-sat`.
    pub fn start(path: Option<&Path>, timeout_ms: u32) -> Result<Solver, ProveError> {
        let program = path.map_or_else(|| PathBuf::from("z3"), Path::to_path_buf);
        let (child, input, output) = spawn(&program)?;
        let mut solver = Solver {
            program: program.display().to_string(),
            path: program,
            log: log_file(),
            child,
            input,
            output,
            scopes: vec![String::new()],
            fresh: true,
        };
        solver.run(&format!(
            "(set-option :produce-models true)\n(set-option :produce-unsat-cores true)\n(set-option :timeout {timeout_ms})\n"
        ))?;
        Ok(solver)
    }

    /// Replace the solver by a fresh process in the same state: every command it holds
    /// sent again, scope by scope, and nothing it learnt on the way. z3's search over
    /// integers (`round`) can stall in a context that many questions have been asked
    /// in, and answer at once in a fresh one.
    fn restart(&mut self) -> Result<(), ProveError> {
        let (child, input, output) = spawn(&self.path)?;
        self.stop();
        self.child = child;
        self.input = input;
        self.output = output;
        self.log = log_file();
        self.fresh = true;
        let mut text = String::new();
        for (depth, scope) in self.scopes.iter().enumerate() {
            if depth > 0 {
                text.push_str("(push 1)\n");
            }
            text.push_str(scope);
        }
        self.send(&text)?;
        Ok(())
    }

    /// Send commands and return what the solver printed for them (without the marker).
    /// An `(error …)` answer is an error: the compiler wrote something the solver refused.
    pub fn run(&mut self, commands: &str) -> Result<String, ProveError> {
        record(&mut self.scopes, commands);
        self.send(commands)
    }

    /// Send commands without keeping them ([`run`](Self::run) keeps them).
    fn send(&mut self, commands: &str) -> Result<String, ProveError> {
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

    /// `check-sat` under the assumptions (names of declared booleans). A question the
    /// solver gives up on at its time limit is asked once more of a fresh solver in
    /// the same state ([`restart`](Self::restart)), which then goes on in its place;
    /// `unknown` only when that one gives up too.
    pub fn check(&mut self, assumptions: &[String]) -> Result<Answer, ProveError> {
        let answer = self.check_once(assumptions)?;
        if answer != Answer::Unknown || self.fresh || !self.timed_out()? {
            self.fresh = false;
            return Ok(answer);
        }
        self.restart()?;
        let answer = self.check_once(assumptions)?;
        self.fresh = false;
        Ok(answer)
    }

    /// Whether the last `unknown` answer was the time limit's.
    fn timed_out(&mut self) -> Result<bool, ProveError> {
        let reason = self.send("(get-info :reason-unknown)\n")?;
        Ok(reason.contains("timeout") || reason.contains("canceled"))
    }

    /// `check-sat` under the assumptions, asked once: `unknown` when the solver gives up.
    pub fn check_once(&mut self, assumptions: &[String]) -> Result<Answer, ProveError> {
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

/// Keep the commands that change what a solver holds, in their scope (`scopes`: those
/// outside any `push`, then each open scope's).
fn record(scopes: &mut Vec<String>, commands: &str) {
    for line in commands.lines() {
        let command = line.trim_start();
        if command.starts_with("(push") {
            scopes.push(String::new());
        } else if command.starts_with("(pop") {
            if scopes.len() > 1 {
                scopes.pop();
            }
        } else if command.starts_with("(set-option") {
            // Options are not scoped: the last one sent holds, whatever the scope.
            if let Some(base) = scopes.first_mut() {
                base.push_str(line);
                base.push('\n');
            }
        } else if !(command.is_empty()
            || command.starts_with(';')
            || command.starts_with("(check-sat")
            || command.starts_with("(get-")
            || command.starts_with("(echo"))
            && let Some(scope) = scopes.last_mut()
        {
            scope.push_str(line);
            scope.push('\n');
        }
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

impl Solver {
    /// End the solver's process.
    fn stop(&mut self) {
        let _ = writeln!(self.input, "(exit)");
        let _ = self.input.flush();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Solver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Start the solver's process, reading commands on its standard input.
fn spawn(program: &Path) -> Result<(Child, ChildStdin, BufReader<ChildStdout>), ProveError> {
    let name = program.display().to_string();
    let mut child = Command::new(program)
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
        let _ = child.kill();
        let _ = child.wait();
        return Err(ProveError::Solver {
            program: name,
            reason: "its standard input and output could not be opened".to_owned(),
        });
    };
    Ok((child, input, BufReader::new(output)))
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

    #[test]
    fn a_restart_replays_what_the_solver_holds_scope_by_scope() {
        let mut scopes = vec![String::new()];
        record(
            &mut scopes,
            "(set-option :timeout 10000)\n(declare-const x Real)\n",
        );
        record(&mut scopes, "(push 1)\n(assert (> x 0.0))\n");
        // A question's scope, its check and what is read of its answer.
        record(
            &mut scopes,
            "(push 1)\n(assert (< x 1.0))\n(check-sat)\n(get-value (x))\n",
        );
        // Options hold whatever the scope: kept outside every scope.
        record(&mut scopes, "(set-option :timeout 1000)\n");
        record(&mut scopes, "(pop 1)\n; a comment\n");
        assert_eq!(
            scopes,
            [
                "(set-option :timeout 10000)\n(declare-const x Real)\n(set-option :timeout 1000)\n",
                "(assert (> x 0.0))\n",
            ]
        );
        // A `pop` past the outermost scope keeps it.
        record(&mut scopes, "(pop 1)\n(pop 1)\n");
        assert_eq!(scopes.len(), 1);
    }
}
