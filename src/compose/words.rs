//! Splitting a string `command:`/`entrypoint:` into words, as compose does
//! (go-shellwords): blanks separate words, single quotes are literal, double
//! quotes allow `\"`, `\\`, `\$` and `` \` ``, a backslash outside quotes
//! escapes the next character. No expansion of any kind.

/// `Err` on an unterminated quote or a trailing backslash.
pub(crate) fn split(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\\' => match chars.next() {
                Some(n) => {
                    cur.push(n);
                    in_word = true;
                }
                None => return Err(format!("invalid command line string: {s:?}")),
            },
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(n) => cur.push(n),
                        None => return Err(format!("invalid command line string: {s:?}")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.peek() {
                            Some(&n @ ('"' | '\\' | '$' | '`')) => {
                                cur.push(n);
                                chars.next();
                            }
                            _ => cur.push('\\'),
                        },
                        Some(n) => cur.push(n),
                        None => return Err(format!("invalid command line string: {s:?}")),
                    }
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn words() {
        assert_eq!(split("daemon --docker").unwrap(), ["daemon", "--docker"]);
        assert_eq!(
            split(r#"sh -c 'echo "hi there" && ls'"#).unwrap(),
            ["sh", "-c", r#"echo "hi there" && ls"#]
        );
        assert_eq!(
            split(r#"a "b \"c\" \n" d\ e ''"#).unwrap(),
            ["a", r#"b "c" \n"#, "d e", ""]
        );
        assert!(split("  ").unwrap().is_empty());
        assert!(split("'open").is_err());
        assert!(split("x\\").is_err());
    }
}
