//! `.env` files as compose reads them: `KEY=VALUE` lines, an optional
//! `export ` prefix, `#` comments, single quotes (literal), double quotes
//! (escapes `\n`, `\t`, `\"`, `\\`; may span lines), unquoted values with a
//! trailing ` # comment` removed. Unquoted and double-quoted values are
//! interpolated with the variables known so far (OS environment first).

use std::collections::BTreeMap;

use super::interp;

/// Parses a `.env` text. `os` is the OS environment, used (and winning) when a
/// value refers to a variable. Errors carry a 1-based line.
pub(crate) fn parse(
    text: &str,
    os: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, (usize, String)> {
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut n = 0;
    while n < lines.len() {
        let lineno = n + 1;
        let line = lines[n].trim_start_matches('\u{feff}').trim();
        n += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((key, rest)) = line.split_once('=') else {
            // A bare name: compose takes it from the OS environment if set.
            if let Some(v) = os.get(line) {
                vars.insert(line.to_string(), v.clone());
            }
            continue;
        };
        let key = key.trim();
        if key.is_empty() || key.chars().any(char::is_whitespace) {
            return Err((lineno, format!("invalid variable name {key:?}")));
        }
        let rest = rest.trim_start();
        let value = match rest.chars().next() {
            Some(q @ ('\'' | '"')) => {
                // Gather lines until the closing quote.
                let mut body = rest[1..].to_string();
                loop {
                    if let Some(end) = closing_quote(&body, q) {
                        body.truncate(end);
                        break;
                    }
                    match lines.get(n) {
                        Some(next) => {
                            body.push('\n');
                            body.push_str(next);
                            n += 1;
                        }
                        None => return Err((lineno, "unterminated quoted value".into())),
                    }
                }
                if q == '"' {
                    expand(&unescape(&body), os, &vars)
                } else {
                    body
                }
            }
            _ => {
                let raw = match rest.find(" #").or_else(|| rest.find("\t#")) {
                    Some(i) => &rest[..i],
                    None => rest,
                };
                expand(raw.trim_end(), os, &vars)
            }
        };
        vars.insert(key.to_string(), value);
    }
    Ok(vars)
}

fn closing_quote(s: &str, q: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if q == '"' && c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        if c == q && !escaped {
            return Some(i);
        }
        escaped = false;
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Interpolates with the OS environment first, then earlier `.env` values; a
/// malformed expression is kept as written.
fn expand(s: &str, os: &BTreeMap<String, String>, vars: &BTreeMap<String, String>) -> String {
    let lookup = |k: &str| os.get(k).or_else(|| vars.get(k)).cloned();
    interp::interpolate(s, &lookup, &mut Vec::new()).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn forms() {
        let text = "# comment\n\nA=1\nexport B = two words \nC='lit $A # x'\nD=\"q\\n$A\"\nE=x # trailing\nF=a#b\nG=\"multi\nline\"\nH=${A}-${NOPE:-d}\nI=\n";
        let v = parse(text, &BTreeMap::new()).unwrap();
        assert_eq!(v["A"], "1");
        assert_eq!(v["B"], "two words");
        assert_eq!(v["C"], "lit $A # x");
        assert_eq!(v["D"], "q\n1");
        assert_eq!(v["E"], "x");
        assert_eq!(v["F"], "a#b");
        assert_eq!(v["G"], "multi\nline");
        assert_eq!(v["H"], "1-d");
        assert_eq!(v["I"], "");
    }

    #[test]
    fn os_environment_is_used_for_references() {
        let v = parse("A=$HOME/x\nHOME\n", &env(&[("HOME", "/h")])).unwrap();
        assert_eq!(v["A"], "/h/x");
        assert_eq!(v["HOME"], "/h");
    }

    #[test]
    fn unterminated_quote_has_line() {
        let e = parse("A=1\nB=\"open\nC=2\n", &BTreeMap::new()).unwrap_err();
        assert_eq!(e.0, 2);
    }
}
