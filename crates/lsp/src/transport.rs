//! Messages over standard input and output, each framed by its `Content-Length` header.
//!
//! `lsp-server`'s own transport allocates whatever length a header claims before reading
//! a byte of it: `Content-Length: 999999999999999` aborted the process. Here a header line
//! is read within [`MAX_HEADER_BYTES`] and a message within [`MAX_MESSAGE_BYTES`] (as a
//! report is capped); past either, the session ends with the reason, exit 1.

use std::io::{self, BufRead, Read, Write};
use std::thread;

use lsp_server::{Connection, Message};

use super::error::LspError;

/// The largest message read, as the largest report file: a document's text is at most a
/// rule file (16 MiB), and JSON's escapes can make that several times longer.
pub const MAX_MESSAGE_BYTES: u64 = crossfoot_core::files::MAX_REPORT_BYTES;

/// The longest header line read (`Content-Length: …`, `Content-Type: …`).
pub const MAX_HEADER_BYTES: u64 = 8 * 1024;

/// The reader and writer threads of a session on standard input and output.
pub struct Threads {
    reader: thread::JoinHandle<Result<(), LspError>>,
    writer: thread::JoinHandle<io::Result<()>>,
}

impl Threads {
    /// Wait for both: the first problem either had.
    pub fn join(self) -> Result<(), LspError> {
        let read = self
            .reader
            .join()
            .unwrap_or_else(|_| Err(LspError::Io(io::Error::other("the reader thread failed"))));
        let written = self
            .writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread failed")));
        read?;
        written.map_err(LspError::Io)
    }
}

/// A connection on standard input and output, and the threads that carry it.
pub fn stdio() -> (Connection, Threads) {
    let (server, client) = Connection::memory();
    let Connection { sender, receiver } = client;
    let reader = thread::spawn(move || {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        while let Some(message) = read_message(&mut input)? {
            let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
            if sender.send(message).is_err() || exit {
                break;
            }
        }
        Ok(())
    });
    let writer = thread::spawn(move || {
        let stdout = io::stdout();
        let mut output = stdout.lock();
        for message in receiver {
            message.write(&mut output)?;
            output.flush()?;
        }
        Ok(())
    });
    (server, Threads { reader, writer })
}

/// The next message, or `None` at the end of the input.
pub fn read_message(input: &mut impl BufRead) -> Result<Option<Message>, LspError> {
    let mut length = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = input
            .by_ref()
            .take(MAX_HEADER_BYTES + 1)
            .read_until(b'\n', &mut line)?;
        if read == 0 && length.is_none() {
            return Ok(None);
        }
        if u64::try_from(line.len()).unwrap_or(u64::MAX) > MAX_HEADER_BYTES {
            return Err(LspError::Frame(format!(
                "a header line is longer than {MAX_HEADER_BYTES} bytes"
            )));
        }
        let Some(header) = line.strip_suffix(b"\r\n") else {
            return Err(LspError::Frame(
                "a header does not end with CRLF (or the input ends in the headers)".to_owned(),
            ));
        };
        if header.is_empty() {
            break;
        }
        let header = String::from_utf8_lossy(header);
        let Some((name, value)) = header.split_once(": ") else {
            return Err(LspError::Frame(format!(
                "`{}` is not a header",
                crossfoot_render::text::terminal(&header)
            )));
        };
        if name.eq_ignore_ascii_case("Content-Length") {
            let value: u64 = value.trim().parse().map_err(|_| {
                LspError::Frame(format!(
                    "Content-Length `{}` is not a number of bytes",
                    crossfoot_render::text::terminal(value)
                ))
            })?;
            length = Some(value);
        }
    }
    let Some(length) = length else {
        return Err(LspError::Frame(
            "a message has no Content-Length".to_owned(),
        ));
    };
    if length > MAX_MESSAGE_BYTES {
        return Err(LspError::Frame(format!(
            "a message of {length} bytes is larger than the limit of {MAX_MESSAGE_BYTES} bytes"
        )));
    }
    let mut body = Vec::new();
    input.by_ref().take(length).read_to_end(&mut body)?;
    if u64::try_from(body.len()).unwrap_or(u64::MAX) < length {
        return Err(LspError::Frame(format!(
            "the input ends {} bytes into a message of {length}",
            body.len()
        )));
    }
    // The reason, never the message's text (it may be a whole document).
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(|error| LspError::Frame(format!("a message is not JSON-RPC: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Result<Option<Message>, String> {
        read_message(&mut input.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn frames_are_read_within_their_limits() {
        let body = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        assert!(matches!(read(&framed), Ok(Some(Message::Notification(_)))));
        assert!(matches!(read(""), Ok(None)));
        let huge = "Content-Length: 999999999999999\r\n\r\n";
        assert_eq!(
            read(huge).unwrap_err(),
            "cannot talk to the editor: a message of 999999999999999 bytes is larger than the limit of 67108864 bytes"
        );
        let endless = format!("X-Padding: {}", "a".repeat(10_000));
        assert!(
            read(&endless)
                .unwrap_err()
                .contains("longer than 8192 bytes")
        );
        assert!(
            read("Content-Length: 10\r\n\r\n{}")
                .unwrap_err()
                .contains("ends 2 bytes into a message of 10")
        );
        assert!(
            read("Content-Length: x\r\n\r\n")
                .unwrap_err()
                .contains("`x` is not a number")
        );
        assert!(
            read("Content-Length: 2\r\n\r\n{}")
                .unwrap_err()
                .contains("not JSON-RPC")
        );
    }
}
