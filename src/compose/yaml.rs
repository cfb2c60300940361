//! A small YAML tree that remembers the line of every node.
//!
//! serde_yaml gives no positions, so the tree is built from yaml-rust2's
//! event parser, whose events carry a marker (1-based line). Anchors and
//! aliases are resolved while building (an alias shares the anchored node
//! through an `Rc`, so "billion laughs" documents stay cheap), and merge keys
//! (`<<: *base`, `<<: [*a, *b]`) are resolved when a mapping ends: explicit
//! keys win, then earlier merged maps win over later ones.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Deeper documents are refused: a compose file never nests this deep, and
/// the limit keeps every walk (and drop) of the tree far from the stack limit.
const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// 1-based line where the node starts.
    pub line: usize,
    pub value: Rc<Value>,
}

#[derive(Debug)]
pub(crate) enum Value {
    /// `plain` is false for quoted and block scalars: they are always strings.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A parse error: 1-based line and the parser's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub line: usize,
    pub reason: String,
}

impl Node {
    /// The scalar text, for any scalar (null included).
    pub fn scalar(&self) -> Option<&str> {
        match &*self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// True for a plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&*self.value, Value::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &*self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &*self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under a scalar key of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.scalar() == Some(key))
            .map(|(_, v)| v)
    }

    /// What kind of node this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match &*self.value {
            Value::Scalar { .. } if self.is_null() => "null",
            Value::Scalar { .. } => "a scalar",
            Value::Seq(_) => "a sequence",
            Value::Map(_) => "a mapping",
        }
    }
}

enum Frame {
    Seq {
        line: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        line: usize,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

/// Parses the first document of `text`. `Ok(None)` for an empty stream.
pub(crate) fn parse(text: &str) -> Result<Option<Node>, YamlError> {
    // yaml-rust2 takes a NUL for the end of the stream, so a file with one
    // would be cut short (or read as empty) without a word. YAML allows no
    // control characters but tab, LF, CR and NEL; Go's yaml rejects them too.
    if let Some(at) =
        text.find(|c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{85}'))
    {
        return Err(YamlError {
            line: text[..at].matches('\n').count() + 1,
            reason: "control characters are not allowed".into(),
        });
    }
    let mut parser = Parser::new_from_str(text);
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    loop {
        let (event, mark) = parser.next_token().map_err(|e| YamlError {
            line: e.marker().line().max(1),
            reason: e.info().to_string(),
        })?;
        let line = mark.line().max(1);
        let done = match event {
            Event::StreamEnd | Event::DocumentEnd => return Ok(None),
            Event::Nothing | Event::StreamStart | Event::DocumentStart => continue,
            Event::Alias(id) => match anchors.get(&id) {
                Some(node) => Node {
                    line,
                    value: Rc::clone(&node.value),
                },
                None => {
                    return Err(YamlError {
                        line,
                        reason: "unknown anchor".into(),
                    })
                }
            },
            Event::Scalar(text, style, anchor, _tag) => {
                let node = Node {
                    line,
                    value: Rc::new(Value::Scalar {
                        text,
                        plain: style == TScalarStyle::Plain,
                    }),
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        line,
                        reason: format!("document nested deeper than {MAX_DEPTH} levels"),
                    });
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        line,
                        anchor,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        line,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                    }
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq {
                    line,
                    anchor,
                    items,
                }) => anchored(
                    &mut anchors,
                    anchor,
                    Node {
                        line,
                        value: Rc::new(Value::Seq(items)),
                    },
                ),
                _ => return Err(internal(line)),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    line,
                    anchor,
                    entries,
                    ..
                }) => {
                    let entries = resolve_merge_keys(entries)?;
                    anchored(
                        &mut anchors,
                        anchor,
                        Node {
                            line,
                            value: Rc::new(Value::Map(entries)),
                        },
                    )
                }
                _ => return Err(internal(line)),
            },
        };
        // A node is complete: hand it to its parent, or it is the document.
        match stack.last_mut() {
            None => return Ok(Some(done)),
            Some(Frame::Seq { items, .. }) => items.push(done),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(done),
                Some(k) => entries.push((k, done)),
            },
        }
    }
}

fn internal(line: usize) -> YamlError {
    YamlError {
        line,
        reason: "unbalanced YAML events".into(),
    }
}

fn anchored(anchors: &mut HashMap<usize, Node>, anchor: usize, node: Node) -> Node {
    if anchor > 0 {
        anchors.insert(anchor, node.clone());
    }
    node
}

fn is_merge_key(k: &Node) -> bool {
    matches!(&*k.value, Value::Scalar { text, plain: true } if text == "<<")
}

/// Resolves `<<` entries and refuses duplicate explicit keys (as compose's
/// yaml.v3 does). Merged entries take the place of the `<<` entry.
fn resolve_merge_keys(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, YamlError> {
    let mut explicit: HashMap<String, usize> = HashMap::new();
    for (k, _) in entries.iter().filter(|(k, _)| !is_merge_key(k)) {
        if let Some(text) = k.scalar() {
            if let Some(first) = explicit.insert(text.to_string(), k.line) {
                return Err(YamlError {
                    line: k.line,
                    reason: format!("mapping key {text:?} already defined at line {first}"),
                });
            }
        }
    }
    if !entries.iter().any(|(k, _)| is_merge_key(k)) {
        return Ok(entries);
    }
    let mut seen: HashSet<String> = explicit.keys().cloned().collect();
    let mut out = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        if !is_merge_key(&k) {
            out.push((k, v));
            continue;
        }
        let sources: Vec<Node> = match &*v.value {
            Value::Map(_) => vec![v.clone()],
            Value::Seq(items) if items.iter().all(|i| i.as_map().is_some()) => items.clone(),
            _ => {
                return Err(YamlError {
                    line: v.line,
                    reason: "map merge requires map or sequence of maps as the value".into(),
                })
            }
        };
        for source in sources {
            for (mk, mv) in source.as_map().unwrap_or_default() {
                let name = mk.scalar().unwrap_or_default().to_string();
                if seen.insert(name) {
                    out.push((mk.clone(), mv.clone()));
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Node {
        parse(s).unwrap().unwrap()
    }

    #[test]
    fn control_characters_are_an_error_not_the_end_of_the_file() {
        let e = parse("services:\n  app:\n    image: a\0\n  b:\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.reason, "control characters are not allowed");
        assert_eq!(parse("\0garbage").unwrap_err().line, 1);
        assert!(parse("a: b\tc\r\nd: e\n").is_ok());
    }

    #[test]
    fn lines_are_one_based() {
        let n = p("a: 1\nb:\n  - x\n  - y\n");
        let (k, _) = &n.as_map().unwrap()[1];
        assert_eq!(k.line, 2);
        let seq = n.get("b").unwrap().as_seq().unwrap();
        assert_eq!(seq[1].line, 4);
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let n = p("base: &b\n  x: 1\n  y: 2\nother: &o\n  z: 3\nm:\n  <<: [*b, *o]\n  y: 9\n");
        let m = n.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().scalar(), Some("1"));
        assert_eq!(m.get("y").unwrap().scalar(), Some("9"));
        assert_eq!(m.get("z").unwrap().scalar(), Some("3"));
        // merged keys keep the line of their definition
        assert_eq!(m.as_map().unwrap()[0].0.line, 2);
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("already defined at line 1"), "{e:?}");
    }

    #[test]
    fn syntax_error_has_line() {
        let e = parse("services:\n  web:\n    image: a: b\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("mapping values are not allowed"), "{e:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let s = "[".repeat(10_000);
        assert!(parse(&s).is_err());
    }

    #[test]
    fn empty_stream() {
        assert!(parse("").unwrap().is_none());
        assert!(parse("# only a comment\n").unwrap().is_none());
    }

    #[test]
    fn billion_laughs_stays_cheap() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..30 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            doc.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let n = p(&doc);
        assert_eq!(n.as_map().unwrap().len(), 30);
    }
}
