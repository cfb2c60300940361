//! How Ofelia reads a label's string value: list values, Go booleans,
//! integers and durations, command splitting, and which values are secret.

/// A list value as Ofelia's `setJobParam` reads it: a JSON array of strings
/// first; anything else is one item (commas are not split). An empty string
/// is an empty list (mapstructure's weak decoding of `""` into a slice).
///
/// MO#99: a list-syntax compose label `- ofelia.job-exec.x.schedule="@every 1s"`
/// keeps its quotes; this function never strips them.
pub fn list_value(raw: &str) -> Vec<String> {
    if raw.is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<Vec<String>>(raw) {
        Ok(items) => items,
        Err(_) => vec![raw.to_string()],
    }
}

/// Go's `strconv.ParseBool`, plus mapstructure's weak decoding which turns an
/// empty string into `false`.
pub fn parse_go_bool(raw: &str) -> Result<bool, String> {
    match raw {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "" | "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!(
            "{raw:?} is not a Go boolean (accepted: true, false, 1, 0, t, f, TRUE, FALSE, True, False)"
        )),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` as mapstructure's weak decoding uses it
/// (an empty string is 0; `0x`, `0o`, `0b` and leading-`0` octal prefixes).
pub fn parse_go_int(raw: &str) -> Result<i64, String> {
    if raw.is_empty() {
        return Ok(0);
    }
    let err = || format!("{raw:?} is not an integer");
    let (neg, body) = match raw.as_bytes().first() {
        Some(b'-') => (true, &raw[1..]),
        Some(b'+') => (false, &raw[1..]),
        _ => (false, raw),
    };
    let body = body.replace('_', "");
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower)
    };
    if digits.is_empty() {
        return Err(err());
    }
    let v = i64::from_str_radix(&digits, radix).map_err(|_| err())?;
    Ok(if neg { -v } else { v })
}

/// Go's `time.ParseDuration`: `300ms`, `1.5h`, `2h45m`; units ns, us, µs,
/// ms, s, m, h. No days (MO#420: `@every 1d` is not a Go duration).
/// Returns the duration in nanoseconds (Go's own parser: schedule::parse_go_duration).
pub fn parse_go_duration(raw: &str) -> Result<i128, String> {
    crate::schedule::parse_go_duration(raw)
        .map(i128::from)
        .map_err(|_| format!("{raw:?} is not a Go duration (e.g. 90s, 15m, 1h30m; no days)"))
}

/// Ofelia's argument splitting for commands (gobs/args `GetArgs`): words split
/// on white space; a token that *starts* with `'`, `"` or `` ` `` runs to the
/// matching quote (which ends the token); a backslash escapes the next
/// character anywhere; a token starting with `{`, `[` or `(` runs to the
/// matching bracket; a token starting with `|`, `>`, `<` or `#` takes the
/// rest of the line. No shell (#249, N#372): `&&` or `|` reach the program
/// as plain arguments.
pub fn split_command(cmd: &str) -> Vec<String> {
    const QUOTES: &[char] = &['`', '\'', '"'];
    const SYMBOLS: &[char] = &['|', '>', '<', '#', '{', '(', '['];
    fn closing(c: char) -> Option<char> {
        match c {
            '{' => Some('}'),
            '[' => Some(']'),
            '(' => Some(')'),
            _ => None,
        }
    }
    let chars: Vec<char> = cmd.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    'tokens: loop {
        let mut buf = String::new();
        let mut first = true;
        let mut escape = false;
        let mut quote: Option<char> = None;
        let mut brackets: Vec<char> = Vec::new();
        loop {
            let Some(&c) = chars.get(i) else {
                if !buf.is_empty() {
                    out.push(buf);
                }
                break 'tokens;
            };
            i += 1;
            if c == '\\' && !escape {
                escape = true;
                first = false;
                continue;
            }
            if escape {
                escape = false;
                buf.push(c);
                continue;
            }
            if first {
                if c.is_whitespace() {
                    continue;
                }
                first = false;
                if QUOTES.contains(&c) {
                    quote = Some(c);
                    continue;
                }
                if let Some(b) = closing(c) {
                    brackets.push(b);
                    buf.push(c);
                    continue;
                }
                if SYMBOLS.contains(&c) {
                    buf.push(c);
                    buf.extend(&chars[i..]);
                    out.push(buf);
                    break 'tokens;
                }
            }
            if let Some(&last) = brackets.last() {
                buf.push(c);
                match quote {
                    None if c == last => {
                        brackets.pop();
                        if brackets.is_empty() {
                            out.push(buf);
                            continue 'tokens;
                        }
                    }
                    None if QUOTES.contains(&c) => quote = Some(c),
                    None => {
                        if let Some(b) = closing(c) {
                            brackets.push(b);
                        }
                    }
                    Some(q) if c == q => quote = None,
                    Some(_) => {}
                }
            } else {
                if c.is_whitespace() && quote.is_none() {
                    out.push(buf);
                    continue 'tokens;
                }
                if Some(c) == quote {
                    out.push(buf);
                    continue 'tokens;
                }
                buf.push(c);
            }
        }
    }
    out
}

/// A value still wrapped in matching quotes, as list-syntax compose labels
/// leave them (`- "ofelia.job-exec.x.schedule=\"@every 1s\""`, MO#99).
/// Returns the value without its quotes.
pub fn quoted_value(value: &str) -> Option<&str> {
    let v = value.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return Some(&v[1..v.len() - 1]);
        }
    }
    None
}

/// Shell syntax in a command that Ofelia will pass to the program as plain
/// arguments (no shell: #249, N#372). None when there is none, or when the
/// command already runs a shell (`sh -c …`).
pub fn shell_syntax(command: &str) -> Option<&'static str> {
    let args = split_command(command);
    let shells = ["sh", "bash", "ash", "dash", "zsh", "ksh"];
    if let (Some(prog), Some(flag)) = (args.first(), args.get(1)) {
        let base = prog.rsplit('/').next().unwrap_or(prog);
        if shells.contains(&base) && flag.starts_with('-') && flag.contains('c') {
            return None;
        }
    }
    const PATTERNS: &[(&str, &str)] = &[
        ("&&", "&&"),
        ("||", "||"),
        ("|", "a pipe (|)"),
        (">", "a redirection (>)"),
        ("<", "a redirection (<)"),
        (";", "a command separator (;)"),
        ("`", "a command substitution (`)"),
        ("$(", "a command substitution ($(…))"),
    ];
    for (pat, what) in PATTERNS {
        if command.contains(pat) {
            return Some(what);
        }
    }
    let bytes = command.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'$' {
            if let Some(n) = bytes.get(i + 1) {
                if n.is_ascii_alphabetic() || *n == b'_' || *n == b'{' {
                    return Some("a variable ($VAR)");
                }
            }
        }
        if *b == b'~' && (i == 0 || bytes[i - 1] == b' ') {
            return Some("a home directory (~)");
        }
    }
    None
}

/// Keys whose values are secrets: slack-webhook, smtp-password, webhook URLs
/// and tokens, anything with password/secret/token in its name.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    let last = k.rsplit('.').next().unwrap_or(&k);
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "api-key",
        "api_key",
        "credential",
    ];
    if WORDS.iter().any(|w| last.contains(w)) {
        return true;
    }
    // slack-webhook (a URL that is itself the credential).
    if last.ends_with("webhook") {
        return true;
    }
    // netresearch `ofelia.webhook.<name>.url` and `webhook-url`-like keys.
    k.contains("webhook") && (last == "url" || last.ends_with("-url") || last.ends_with("_url"))
}

/// The value as shown to users: secrets masked as `****` (empty stays empty).
pub fn display_value(key: &str, value: &str) -> String {
    if is_secret_key(key) && !value.is_empty() {
        "****".to_string()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_value_cases() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("a", &["a"]),
            ("a,b", &["a,b"]),
            (r#"["a","b"]"#, &["a", "b"]),
            (r#"["a", 1]"#, &[r#"["a", 1]"#]),
            ("[broken", &["[broken"]),
        ];
        for (raw, want) in cases {
            assert_eq!(list_value(raw), *want, "{raw}");
        }
    }

    #[test]
    fn mo99_list_value_keeps_quotes() {
        // The schedule as Ofelia sees it still has its quotes.
        assert_eq!(
            list_value("\"@every 1s\""),
            vec!["\"@every 1s\"".to_string()]
        );
    }

    #[test]
    fn go_bool_cases() {
        for t in ["1", "t", "T", "true", "TRUE", "True"] {
            assert_eq!(parse_go_bool(t), Ok(true), "{t}");
        }
        for f in ["", "0", "f", "F", "false", "FALSE", "False"] {
            assert_eq!(parse_go_bool(f), Ok(false), "{f}");
        }
        for bad in ["yes", "on", "tRUE", " true", "2"] {
            assert!(parse_go_bool(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn go_int_cases() {
        assert_eq!(parse_go_int("10"), Ok(10));
        assert_eq!(parse_go_int(""), Ok(0));
        assert_eq!(parse_go_int("0x10"), Ok(16));
        assert_eq!(parse_go_int("010"), Ok(8));
        assert_eq!(parse_go_int("-5"), Ok(-5));
        assert!(parse_go_int("ten").is_err());
        assert!(parse_go_int("1.5").is_err());
    }

    #[test]
    fn go_duration_cases() {
        assert_eq!(parse_go_duration("1s"), Ok(1_000_000_000));
        assert_eq!(parse_go_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("300ms"), Ok(300_000_000));
        for bad in ["1d", "", "s", "1", "1 s", "24"] {
            assert!(parse_go_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn split_command_quoting() {
        let cases: &[(&str, &[&str])] = &[
            ("python -m mytool", &["python", "-m", "mytool"]),
            ("  a   b  ", &["a", "b"]),
            (
                r#"sh -c "echo a && echo b""#,
                &["sh", "-c", "echo a && echo b"],
            ),
            ("sh -c 'date; ls'", &["sh", "-c", "date; ls"]),
            (r"echo a\ b", &["echo", "a b"]),
            (r#"echo "a \"q\" b""#, &["echo", r#"a "q" b"#]),
            // a quote in the middle of a word is literal (gobs/args)
            ("echo it's", &["echo", "it's"]),
            // a closing quote ends the token
            (r#""a b"c"#, &["a b", "c"]),
            (r#"echo """#, &["echo", ""]),
            // no shell: && is an argument
            ("date && ls", &["date", "&&", "ls"]),
            // a token starting with a symbol takes the rest of the line
            ("echo hi > /tmp/x y", &["echo", "hi", "> /tmp/x y"]),
            ("echo {a b} c", &["echo", "{a b}", "c"]),
            ("echo [\"a]\" b] c", &["echo", "[\"a]\" b]", "c"]),
            ("", &[]),
            ("'unclosed quote", &["unclosed quote"]),
        ];
        for (cmd, want) in cases {
            assert_eq!(split_command(cmd), *want, "{cmd}");
        }
    }

    #[test]
    fn secrets_masked() {
        let secret = [
            "ofelia.smtp-password",
            "ofelia.slack-webhook",
            "ofelia.job-exec.x.slack-webhook",
            "ofelia.job-exec.x.smtp-password",
            "ofelia.webhook.alerts.url",
            "ofelia.webhook.alerts.secret",
            "ofelia.job-run.x.api-token",
            "SMTP_PASSWORD",
        ];
        for k in secret {
            assert!(is_secret_key(k), "{k}");
            assert_eq!(display_value(k, "hunter2"), "****");
        }
        for k in [
            "ofelia.smtp-user",
            "ofelia.job-exec.x.command",
            "ofelia.webhook-webhooks",
        ] {
            assert!(!is_secret_key(k), "{k}");
            assert_eq!(display_value(k, "v"), "v");
        }
        assert_eq!(display_value("ofelia.smtp-password", ""), "");
    }
    #[test]
    fn quoted_values() {
        assert_eq!(quoted_value("\"@every 1s\""), Some("@every 1s"));
        assert_eq!(quoted_value("'x'"), Some("x"));
        assert_eq!(quoted_value("\""), None);
        assert_eq!(quoted_value("@hourly"), None);
        assert_eq!(quoted_value("\"a' "), None);
    }

    #[test]
    fn shell_syntax_cases() {
        let cases: &[(&str, bool)] = &[
            ("date && ls", true),
            ("cat x | grep y", true),
            ("echo $HOME", true),
            ("echo ${HOME}", true),
            ("echo hi > /tmp/x", true),
            ("a; b", true),
            ("sh -c 'date && ls'", false),
            ("/bin/bash -c \"echo $HOME\"", false),
            ("python -m mytool", false),
            ("echo 5$", false),
        ];
        for (cmd, want) in cases {
            assert_eq!(shell_syntax(cmd).is_some(), *want, "{cmd}");
        }
    }
}
