//! `file:` URIs and paths, both ways.
//!
//! Only `file:` URIs name files; any other (`untitled:`, `git:`) is a buffer with no
//! directory, checked alone. Percent-escapes are decoded, and a path is written back with
//! every byte escaped but the unreserved ones and `/`, so any name survives the trip.

use std::path::PathBuf;

use lsp_types::Uri;

/// The path a `file:` URI names; `None` for any other URI, a remote host, or a path that
/// is not absolute once decoded.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let scheme = text.get(..5)?;
    if !scheme.eq_ignore_ascii_case("file:") {
        return None;
    }
    let rest = text.get(5..)?;
    // `file:///p` and `file://localhost/p` name a local file; `file:/p` too.
    let path = match rest.strip_prefix("//") {
        Some(after) => {
            let slash = after.find('/')?;
            let host = after.get(..slash)?;
            if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
                return None;
            }
            after.get(slash..)?
        }
        None => rest,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    local_path(&decode(path)?)
}

/// The `file:` URI of an absolute path; `None` for a relative one or one that is not
/// text.
pub fn from_path(path: &std::path::Path) -> Option<Uri> {
    let text = path.to_str()?;
    let text = text.replace(std::path::MAIN_SEPARATOR, "/");
    let text = if text.starts_with('/') {
        text
    } else if path.is_absolute() {
        // `C:/x` on Windows.
        format!("/{text}")
    } else {
        return None;
    };
    format!("file://{}", encode(&text)).parse().ok()
}

/// A decoded URI path as a path of this system.
#[cfg(not(windows))]
fn local_path(decoded: &str) -> Option<PathBuf> {
    decoded.starts_with('/').then(|| PathBuf::from(decoded))
}

/// A decoded URI path as a path of this system: `/C:/x` is `C:\x`.
#[cfg(windows)]
fn local_path(decoded: &str) -> Option<PathBuf> {
    let path = PathBuf::from(decoded.strip_prefix('/').unwrap_or(decoded));
    path.is_absolute().then_some(path)
}

/// `%XX` escapes decoded; `None` when one is malformed or the result is not UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if byte == b'%' {
            let hex = text.get(at + 1..at + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(byte);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Every byte escaped but the unreserved ones and `/`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> Uri {
        text.parse().unwrap()
    }

    #[cfg(not(windows))]
    #[test]
    fn file_uris_name_paths() {
        let path = to_path(&uri("file:///tmp/r%C3%A8gles/a%20b.xfoot")).unwrap();
        assert_eq!(path, PathBuf::from("/tmp/règles/a b.xfoot"));
        assert_eq!(
            from_path(&path).unwrap().as_str(),
            "file:///tmp/r%C3%A8gles/a%20b.xfoot"
        );
        assert_eq!(
            to_path(&uri("file://localhost/x.xfoot")),
            Some(PathBuf::from("/x.xfoot"))
        );
        assert_eq!(to_path(&uri("FILE:/x")), Some(PathBuf::from("/x")));
    }

    #[test]
    fn other_uris_name_no_file() {
        for text in [
            "untitled:Untitled-1",
            "file://server/share/x.xfoot",
            "file:///bad%C3",
            "file:relative",
            "http://example.com/x",
        ] {
            assert_eq!(to_path(&uri(text)), None, "{text}");
        }
        assert!(from_path(std::path::Path::new("relative.xfoot")).is_none());
    }
}
