//! A small YAML tree with spans, for configuration-like files (whole-report tests).
//!
//! Reports are read by their own event reader; this one builds a tree, refuses aliases,
//! and stops at a fixed depth, so no file can make it recurse or expand without bound.

use saphyr_parser::{Event, Parser, ScalarStyle};

use crossfoot_syntax::source::{Source, Span};

/// The deepest nesting accepted.
pub const MAX_DEPTH: usize = 16;

/// A YAML value with the byte span it was written at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A scalar's text (`null` and `~` stay as written).
    Scalar {
        /// The text.
        text: String,
        /// Whether it was quoted.
        quoted: bool,
        /// Where.
        span: Span,
    },
    /// A mapping, keys in order.
    Map(Vec<(Node, Node)>, Span),
    /// A sequence.
    Seq(Vec<Node>, Span),
}

impl Node {
    /// Where the value is written.
    pub fn span(&self) -> Span {
        match self {
            Node::Scalar { span, .. } | Node::Map(_, span) | Node::Seq(_, span) => *span,
        }
    }
}

/// Why a text is not a usable YAML tree: a message and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// Parse the single document of `source`.
pub fn parse(source: &Source) -> Result<Node, YamlError> {
    let byte = |index: usize| source.byte_of_char(index);
    let mut parser = Parser::new_from_str(source.text());
    // Open containers: their items so far and where they started.
    let mut stack: Vec<(Vec<Node>, Span, bool)> = Vec::new();
    let mut root = None;
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(next)) => next,
            Some(Err(error)) => {
                let at = byte(error.marker().index());
                return Err(YamlError {
                    message: format!("not valid YAML: {}", error.info()),
                    span: Span::new(at, at),
                });
            }
        };
        let span = Span::new(byte(span.start.index()), byte(span.end.index()));
        let node = match event {
            Event::Scalar(text, style, _, _) => Node::Scalar {
                text: text.into_owned(),
                quoted: style != ScalarStyle::Plain,
                span,
            },
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("nested deeper than {MAX_DEPTH} levels"),
                        span,
                    });
                }
                stack.push((Vec::new(), span, matches!(event, Event::MappingStart(..))));
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some((items, start, is_map)) = stack.pop() else {
                    continue;
                };
                let whole = start.join(span);
                if is_map {
                    let mut pairs = Vec::with_capacity(items.len() / 2);
                    let mut items = items.into_iter();
                    while let (Some(key), Some(value)) = (items.next(), items.next()) {
                        pairs.push((key, value));
                    }
                    Node::Map(pairs, whole)
                } else {
                    Node::Seq(items, whole)
                }
            }
            Event::Alias(_) => {
                return Err(YamlError {
                    message: "YAML aliases are not accepted".to_owned(),
                    span,
                });
            }
            Event::DocumentStart(_) if root.is_some() => {
                return Err(YamlError {
                    message: "the file holds more than one YAML document".to_owned(),
                    span,
                });
            }
            _ => continue,
        };
        match stack.last_mut() {
            Some((items, _, _)) => items.push(node),
            None => root = Some(node),
        }
    }
    root.ok_or(YamlError {
        message: "the file is empty".to_owned(),
        span: Span::new(0, 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_tree_with_spans() {
        let text = "report: a.yaml\nrules:\n  seg.excess: pass\n";
        let Node::Map(pairs, _) = parse(&Source::new("t", text)).unwrap() else {
            panic!()
        };
        assert_eq!(pairs.len(), 2);
        let Node::Scalar {
            text: value, span, ..
        } = &pairs[0].1
        else {
            panic!()
        };
        assert_eq!(value, "a.yaml");
        assert_eq!(&text[span.start..span.end], "a.yaml");
    }

    #[test]
    fn refuses_aliases_depth_and_documents() {
        assert!(parse(&Source::new("t", "a: &x 1\nb: *x\n")).is_err());
        assert!(parse(&Source::new("t", "[".repeat(100).as_str())).is_err());
        assert!(parse(&Source::new("t", "a: 1\n---\nb: 2\n")).is_err());
    }
}
