//! `crossfoot lsp` driven as an editor drives it: the binary as a child process, real
//! JSON-RPC messages framed with `Content-Length` on its standard input and output, and
//! every read bounded by a timeout so a hung server fails the test instead of CI.

#![allow(clippy::panic, reason = "a server that does not answer fails the test")]
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "tests index JSON they just checked"
)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

/// How long any answer may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The catalogue: labels with non-ASCII text, one `total` and one `deduction` line.
const CATALOGUE: &str = r#"page seg "Ségrégation — statement of segregation"
  7060 "Amount required to be segregated"
  7180 "Total amount in segregation" total
  7190 "Excess (deficiency) funds in segregation"
  7033 "Deduct options granted (sold) — «vendues»" deduction

rule seg.options.sign "Options granted are a deduction"
  7033 <= $0
"#;

/// The rules: line 4 has non-ASCII text (2 bytes, 3 bytes and a character outside the
/// Basic Multilingual Plane, two UTF-16 units) before the mistyped code `7191`.
const RULES: &str = "rule seg.excess \"Excess (deficiency) funds in segregation\"
  7190 = 7180 - 7060

rule seg.typo \"Écart — 𝄞\" 7191 >= $0

rule seg.positive \"Funds in segregation are never negative\"
  7180 >= $0
";

/// A language client over the server's standard input and output.
struct Client {
    child: Child,
    /// The server's input; `None` once closed.
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// What it writes on standard error, read to the end.
    stderr: Option<JoinHandle<String>>,
    /// Messages read while waiting for another.
    pending: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    /// Start `crossfoot lsp`.
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crossfoot"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let said = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let stdout = child.stdout.take().unwrap();
        let (send, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if send.send(message).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin: Some(stdin),
            stderr: Some(said),
            incoming,
            pending: VecDeque::new(),
            next_id: 0,
        }
    }

    /// Start the server and initialize it.
    fn initialized() -> Client {
        let mut client = Client::start();
        let answer = client.request("initialize", json!({"capabilities": {}, "processId": null}));
        let capabilities = &answer["result"]["capabilities"];
        assert_eq!(capabilities["hoverProvider"], true, "{answer}");
        assert_eq!(capabilities["positionEncoding"], "utf-16");
        assert_eq!(answer["result"]["serverInfo"]["name"], "crossfoot");
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: &Value) {
        self.send_raw(message.to_string().as_bytes());
    }

    fn send_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(body).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request and wait for its response (the whole message).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|message| message["id"] == id && message.get("method").is_none())
    }

    /// The next `textDocument/publishDiagnostics` for a URI.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let message = self.wait(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    /// The first message (pending or to come) that `wanted` accepts.
    fn wait(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.pending.iter().position(&wanted) {
            return self.pending.remove(at).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .incoming
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no answer from the server in {TIMEOUT:?}"));
            if wanted(&message) {
                return message;
            }
            self.pending.push_back(message);
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        let document = json!({"uri": uri, "languageId": "crossfoot", "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": document}));
    }

    /// `textDocument/…` at a position.
    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        let mut params = json!({
            "textDocument": {"uri": uri},
            "position": {"line": line, "character": character},
        });
        let context = match method {
            "textDocument/references" => json!({"includeDeclaration": true}),
            "textDocument/completion" => json!({"triggerKind": 1}),
            _ => Value::Null,
        };
        if !context.is_null() {
            params["context"] = context;
        }
        self.request(method, params)
    }

    /// `shutdown` then `exit`: the exit status, once the server said nothing on standard
    /// error (no handler panicked).
    fn shut_down(mut self) -> ExitStatus {
        let answer = self.request("shutdown", Value::Null);
        assert_eq!(answer["result"], Value::Null, "{answer}");
        assert!(answer.get("error").is_none(), "{answer}");
        self.notify("exit", Value::Null);
        let (status, said) = self.exit();
        assert_eq!(said, "");
        status
    }

    /// The server's exit status, waited for at most [`TIMEOUT`].
    fn exit_status(self) -> ExitStatus {
        self.exit().0
    }

    /// The server's exit status and what it wrote on standard error.
    fn exit(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let said = self.stderr.take().unwrap().join().unwrap();
                return (status, said);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One message: headers, a blank line, `Content-Length` bytes of JSON.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length: ") {
            length = value.parse().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A directory whose name needs escaping in a URI, with the catalogue and the rules.
struct Pack {
    _dir: TempDir,
    root: PathBuf,
}

impl Pack {
    fn new() -> Pack {
        let dir = TempDir::new().unwrap();
        let root = dir.path().join("règles fr");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("catalogue.xfoot"), CATALOGUE).unwrap();
        std::fs::write(root.join("rules.xfoot"), RULES).unwrap();
        Pack { _dir: dir, root }
    }

    fn uri(&self, name: &str) -> String {
        uri_of(&self.root.join(name))
    }
}

/// A path's `file:` URI, escaped as the server escapes it.
fn uri_of(path: &Path) -> String {
    let mut uri = "file://".to_owned();
    for byte in path.to_str().unwrap().bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// The position of the `nth` occurrence of `needle` in `text`, in UTF-16 units.
fn position(text: &str, needle: &str, nth: usize) -> (u32, u32) {
    let offset = text.match_indices(needle).nth(nth).unwrap().0;
    let line_start = text[..offset].rfind('\n').map_or(0, |at| at + 1);
    let line = text[..offset].matches('\n').count();
    let column: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    (line as u32, column as u32)
}

#[test]
fn diagnostics_map_spans_to_utf16_positions_with_a_quick_fix() {
    let pack = Pack::new();
    let mut client = Client::initialized();
    let uri = pack.uri("rules.xfoot");
    client.open(&uri, RULES);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let diagnostic = &diagnostics[0];
    // `7191` is byte 32 and character 26 of its line, but UTF-16 unit 27.
    assert_eq!(position(RULES, "7191", 0), (3, 27));
    assert_eq!(
        diagnostic["range"],
        json!({"start": {"line": 3, "character": 27}, "end": {"line": 3, "character": 31}})
    );
    assert_eq!(diagnostic["code"], "crossfoot::check::unknown_line");
    assert_eq!(diagnostic["severity"], 1);
    assert_eq!(diagnostic["source"], "crossfoot");
    let message = diagnostic["message"].as_str().unwrap();
    assert!(
        message.starts_with("line 7191 is not in the line catalogue\nhelp: did you mean 7190 "),
        "{message}"
    );

    let answer = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 3, "character": 29}, "end": {"line": 3, "character": 29}},
            "context": {"diagnostics": [diagnostic]},
        }),
    );
    let actions = answer["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{answer}");
    let action = &actions[0];
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(
        action["title"],
        "Change 7191 to 7190 (Excess (deficiency) funds in segregation)"
    );
    assert_eq!(action["isPreferred"], true);
    assert_eq!(
        action["edit"]["changes"][&uri],
        json!([{"range": diagnostic["range"], "newText": "7190"}])
    );
    assert_eq!(action["diagnostics"][0]["code"], diagnostic["code"]);

    // The fix applied: the diagnostics are cleared.
    let fixed = RULES.replace("7191", "7190");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"text": fixed}],
        }),
    );
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    assert!(client.shut_down().success());
}

#[test]
fn syntax_errors_and_warnings_are_lints() {
    let pack = Pack::new();
    let mut client = Client::initialized();
    // A warning: the deduction line's sign rule gone from the catalogue; the rules file,
    // not open, gets its error too.
    let catalogue = pack.uri("catalogue.xfoot");
    let uri = pack.uri("rules.xfoot");
    let without_sign_rule = &CATALOGUE[..CATALOGUE.find("rule ").unwrap()];
    client.open(&catalogue, without_sign_rule);
    let warnings = client.diagnostics(&catalogue);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert_eq!(warnings[0]["severity"], 2);
    assert_eq!(warnings[0]["code"], "crossfoot::check::missing_sign_rule");
    let errors = client.diagnostics(&uri);
    assert_eq!(errors[0]["code"], "crossfoot::check::unknown_line");
    // A syntax error (`where` for `when`), with lint's advice; it stops the check, so the
    // catalogue's warning goes.
    let broken = "rule a.b \"x\"\n  7190 = 7180 where 7060 > $0\n";
    client.open(&uri, broken);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "crossfoot::syntax::unexpected");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 1, "character": 14})
    );
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `when`?"),
        "{diagnostics:#?}"
    );
    assert_eq!(client.diagnostics(&catalogue), Vec::<Value>::new());
    assert!(client.shut_down().success());
}

#[test]
fn related_places_and_the_amount_fix() {
    let pack = Pack::new();
    let mut client = Client::initialized();
    // 7190 declared again, in another file: the first declaration is related information.
    let uri = pack.uri("more.xfoot");
    let text = "page more \"More\"\n  7190 \"Again\"\n";
    client.open(&uri, text);
    let diagnostics = client.diagnostics(&uri);
    let duplicate = diagnostics
        .iter()
        .find(|d| d["code"] == "crossfoot::check::duplicate_line")
        .unwrap();
    assert_eq!(
        duplicate["range"]["start"],
        json!({"line": 1, "character": 2})
    );
    let related = &duplicate["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], pack.uri("catalogue.xfoot"));
    let (line, _) = position(CATALOGUE, "7190", 0);
    assert_eq!(
        related["location"]["range"]["start"],
        json!({"line": line, "character": 2})
    );

    // An amount without its `$`, in a buffer of its own: the fix writes it.
    let untitled = "untitled:Untitled-2";
    client.open(untitled, "rule a.b \"x\"\n  9040 >= 250000\n");
    let diagnostics = client.diagnostics(untitled);
    assert_eq!(diagnostics[0]["code"], "crossfoot::check::not_a_line_code");
    let answer = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": untitled},
            "range": diagnostics[0]["range"],
            "context": {"diagnostics": diagnostics, "only": ["quickfix"]},
        }),
    );
    let action = &answer["result"][0];
    assert_eq!(action["title"], "Write the amount `$250,000`");
    assert_eq!(
        action["edit"]["changes"][untitled][0]["newText"],
        "$250,000"
    );
    // Asked only for refactorings: none.
    let answer = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": untitled},
            "range": diagnostics[0]["range"],
            "context": {"diagnostics": diagnostics, "only": ["refactor"]},
        }),
    );
    assert_eq!(answer["result"], json!([]));
    assert!(client.shut_down().success());
}

#[test]
fn hover_shows_label_page_flags_and_readers() {
    let pack = Pack::new();
    let mut client = Client::initialized();
    let uri = pack.uri("rules.xfoot");
    client.open(&uri, RULES);
    let (line, character) = position(RULES, "7180", 0);
    let answer = client.at("textDocument/hover", &uri, line, character + 2);
    let hover = &answer["result"];
    let text = hover["contents"]["value"].as_str().unwrap();
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(
        text.starts_with("**7180** Total amount in segregation\n\npage `seg`: Ségrégation — statement of segregation · total\n\n"),
        "{text}"
    );
    assert!(text.contains("Read by 2 rules:\n"), "{text}");
    assert!(text.contains("- `seg.excess` Excess (deficiency) funds in segregation\n"));
    assert!(text.contains("- `seg.positive` "), "{text}");
    assert_eq!(
        hover["range"],
        json!({"start": {"line": line, "character": character}, "end": {"line": line, "character": character + 4}})
    );
    // The deduction flag, on the catalogue's own line.
    let catalogue = pack.uri("catalogue.xfoot");
    let (line, character) = position(CATALOGUE, "7033", 0);
    let answer = client.at("textDocument/hover", &catalogue, line, character);
    let text = answer["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("· deduction\n\nRead by 1 rule:\n- `seg.options.sign` "),
        "{text}"
    );
    // Not on a line code: nothing.
    let answer = client.at("textDocument/hover", &uri, 0, 2);
    assert_eq!(answer["result"], Value::Null, "{answer}");
    assert!(client.shut_down().success());
}

#[test]
fn definition_and_references_cross_files() {
    let pack = Pack::new();
    let mut client = Client::initialized();
    let uri = pack.uri("rules.xfoot");
    let catalogue = pack.uri("catalogue.xfoot");
    client.open(&uri, RULES);
    let (line, character) = position(RULES, "7180", 1);
    let answer = client.at("textDocument/definition", &uri, line, character);
    let (declared, _) = position(CATALOGUE, "7180", 0);
    let end = 2 + r#"7180 "Total amount in segregation" total"#.len();
    assert_eq!(answer["result"]["uri"], catalogue, "{answer}");
    assert_eq!(
        answer["result"]["range"],
        json!({"start": {"line": declared, "character": 2}, "end": {"line": declared, "character": end}})
    );

    let answer = client.at("textDocument/references", &uri, line, character);
    let found: Vec<(String, u32, u32)> = answer["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|location| {
            let start = &location["range"]["start"];
            (
                location["uri"].as_str().unwrap().to_owned(),
                start["line"].as_u64().unwrap() as u32,
                start["character"].as_u64().unwrap() as u32,
            )
        })
        .collect();
    let (first, second) = (position(RULES, "7180", 0), position(RULES, "7180", 1));
    assert_eq!(
        found,
        [
            (catalogue.clone(), declared, 2),
            (uri.clone(), first.0, first.1),
            (uri.clone(), second.0, second.1),
        ]
    );
    assert!(client.shut_down().success());
}

#[test]
fn formatting_is_fmt_and_never_touches_text_that_does_not_parse() {
    let pack = Pack::new();
    let mut client = Client::initialized();
    let uri = pack.uri("loose.xfoot");
    let loose = "rule seg.loose \"x\" 7190=7180-7060   # a note\n";
    client.open(&uri, loose);
    let format = |client: &mut Client| {
        client.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
    };
    let answer = format(&mut client);
    let expected = "rule seg.loose \"x\"\n  7190 = 7180 - 7060 # a note\n";
    assert_eq!(
        answer["result"],
        json!([{
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}},
            "newText": expected,
        }])
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": expected}]}),
    );
    assert_eq!(
        format(&mut client)["result"],
        json!([]),
        "already canonical"
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": "rule seg.loose \"x\" 7190 = (7180"}]}),
    );
    let answer = format(&mut client);
    assert_eq!(answer["result"], Value::Null, "{answer}");
    assert!(client.shut_down().success());
}

#[test]
fn completion_offers_line_codes_with_labels_and_keywords() {
    let pack = Pack::new();
    let mut client = Client::initialized();
    let uri = pack.uri("new.xfoot");
    // An unfinished rule: the file does not parse, the catalogue beside it does.
    let text = "rule seg.new \"x\"\n  71";
    client.open(&uri, text);
    let answer = client.at("textDocument/completion", &uri, 1, 4);
    let items = answer["result"].as_array().unwrap();
    let item = items.iter().find(|item| item["label"] == "7190").unwrap();
    assert_eq!(item["detail"], "Excess (deficiency) funds in segregation");
    assert_eq!(
        item["labelDetails"]["description"],
        "Excess (deficiency) funds in segregation"
    );
    assert!(
        items.iter().all(|item| item["kind"] == 21),
        "codes only after digits"
    );

    let text = "rule seg.new \"x\"\n  7190 = 7180 wi";
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let answer = client.at("textDocument/completion", &uri, 1, 16);
    let labels: Vec<&str> = answer["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].as_str().unwrap())
        .collect();
    for word in [
        "rule",
        "page",
        "cite",
        "severity",
        "within",
        "when",
        "effective",
        "passes",
        "fails",
        "skips",
        "sum",
        "max",
        "min",
        "abs",
        "round",
        "prior",
    ] {
        assert!(labels.contains(&word), "{word} in {labels:?}");
    }
    assert!(!labels.contains(&"7190"), "no codes after letters");
    // In a comment, nothing.
    let text = "# 71";
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    let answer = client.at("textDocument/completion", &uri, 0, 4);
    assert_eq!(answer["result"], json!([]));
    assert!(client.shut_down().success());
}

#[test]
fn the_lifecycle_is_the_protocols() {
    let mut client = Client::start();
    let answer = client.request("textDocument/hover", json!({}));
    assert_eq!(answer["error"]["code"], -32002, "{answer}");
    client.notify("textDocument/didOpen", json!({"garbage": true}));
    let answer = client.request("initialize", json!({"capabilities": {}}));
    assert!(answer["result"]["capabilities"].is_object(), "{answer}");
    client.notify("initialized", json!({}));
    let answer = client.request("initialize", json!({"capabilities": {}}));
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    let answer = client.request("workspace/symbol", json!({"query": ""}));
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    let answer = client.request("$/unknown", Value::Null);
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    let answer = client.request("shutdown", Value::Null);
    assert!(answer.get("error").is_none(), "{answer}");
    let answer = client.request("textDocument/hover", json!({}));
    assert_eq!(answer["error"]["code"], -32600, "after shutdown: {answer}");
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_status().code(), Some(0));

    // `exit` without `shutdown`: 1.
    let mut client = Client::initialized();
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_status().code(), Some(1));

    // The connection closed: 1.
    let mut client = Client::initialized();
    client.stdin = None;
    assert_eq!(client.exit_status().code(), Some(1));
}

#[test]
fn hostile_input_never_brings_the_server_down() {
    let pack = Pack::new();
    let mut client = Client::initialized();
    let uri = pack.uri("rules.xfoot");
    client.open(&uri, RULES);
    client.diagnostics(&uri);
    // Positions past every line and column, on open, unknown and non-file URIs.
    for target in [
        uri.as_str(),
        "file:///nowhere/at/all.xfoot",
        "untitled:Untitled-1",
        "https://example.com/x.xfoot",
    ] {
        for method in [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/references",
            "textDocument/completion",
        ] {
            let answer = client.at(method, target, u32::MAX, u32::MAX);
            assert!(answer.get("error").is_none(), "{method} {target}: {answer}");
        }
    }
    // Parameters of the wrong shape: an error answer, not a crash.
    let answer = client.request("textDocument/hover", json!({"textDocument": 7}));
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    let answer = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "not a uri"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    // A change to a document never opened, a range change past the end, a closed one.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///never/opened.xfoot", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{
            "range": {"start": {"line": 99, "character": 99}, "end": {"line": 0, "character": 9999}},
            "text": "\u{0}\u{1b}[31m 𝄞 ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((",
        }]}),
    );
    let diagnostics = client.diagnostics(&uri);
    assert!(!diagnostics.is_empty());
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    // A buffer with no file is a rule set of its own.
    let untitled = "untitled:Untitled-1";
    client.open(
        untitled,
        "rule a.b \"x\"\n  7190 = 7180 + 7190 + 7190\n  cite \"é\"\n  cite \"b\"\n",
    );
    let diagnostics = client.diagnostics(untitled);
    assert_eq!(
        diagnostics[0]["code"], "crossfoot::syntax::duplicate_clause",
        "{diagnostics:#?}"
    );
    // A message that is not JSON-RPC ends the session (exit 1), without a panic.
    client.send_raw(b"{\"this is\": not json");
    let (status, said) = client.exit();
    assert_eq!(status.code(), Some(1));
    assert!(
        said.starts_with("error: cannot talk to the editor: "),
        "{said}"
    );
    assert!(!said.contains("panicked"), "{said}");
}

// See: issue #24 (8)
/// A header claiming a message larger than any the server reads ends the session with
/// the reason (exit 1), instead of the server allocating it and being killed.
#[test]
fn a_message_claiming_a_huge_length_ends_the_session_with_the_reason() {
    for length in ["999999999999999", "99999999999"] {
        let mut client = Client::initialized();
        let stdin = client.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {length}\r\n\r\n{{").unwrap();
        stdin.flush().unwrap();
        let (status, said) = client.exit();
        assert_eq!(status.code(), Some(1), "{said}");
        assert_eq!(
            said,
            format!(
                "error: cannot talk to the editor: a message of {length} bytes is larger than the limit of 67108864 bytes\n"
            )
        );
    }
}

// See: issue #24 (9)
/// Hover on a line that 60,000 rules read answers with the count and the first rules,
/// as on a line that one rule reads (the list was quadratic in the rules).
#[test]
fn hover_on_a_line_many_rules_read_lists_the_first_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("page seg \"Segregation\"\n  7190 \"Excess\"\n\n");
    for i in 0..60_000 {
        text.push_str(&format!("rule r.n{i}\n  7190 >= $0\n\n"));
    }
    let mut client = Client::initialized();
    let uri = uri_of(&dir.path().join("many.xfoot"));
    client.open(&uri, &text);
    let answer = client.at("textDocument/hover", &uri, 1, 3);
    let value = answer["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("Read by 60000 rules:\n- `r.n0` \n"),
        "{value}"
    );
    assert!(value.ends_with("- … and 59980 more\n"), "{value}");
    assert_eq!(client.shut_down().code(), Some(0));
}
