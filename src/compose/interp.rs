//! Variable interpolation, as compose does it on every string value:
//! `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`,
//! `${VAR:+r}`, `${VAR+r}`, `$$` for a literal `$`. The default, error and
//! replacement parts are themselves interpolated, so `${A:-${B}}` works.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InterpError {
    /// `${VAR:?reason}` / `${VAR?reason}` with VAR missing.
    Required { var: String, reason: String },
    /// `${` that does not form a valid expression.
    Invalid,
}

impl InterpError {
    /// Compose's wording. `path` names the value (e.g. `services.web.labels`).
    pub fn message(&self, path: &str, original: &str) -> String {
        match self {
            InterpError::Required { var, reason } if reason.is_empty() => {
                format!("required variable {var} is missing a value")
            }
            InterpError::Required { var, reason } => {
                format!("required variable {var} is missing a value: {reason}")
            }
            InterpError::Invalid => format!(
                "invalid interpolation format for {path}: {original:?}; \
                 you may need to escape any $ with another $"
            ),
        }
    }
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Interpolates `s`. `lookup` returns the variable's value, `None` when unset.
/// `unset` receives the names of variables used without a default while unset
/// (compose warns about them and substitutes an empty string).
pub(crate) fn interpolate(
    s: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    unset: &mut Vec<String>,
) -> Result<String, InterpError> {
    if !s.contains('$') {
        return Ok(s.to_string());
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    // Index of the start of the literal run not yet copied to `out`.
    let mut lit = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        out.push_str(&s[lit..i]);
        match b.get(i + 1) {
            Some(b'$') => {
                out.push('$');
                i += 2;
            }
            Some(b'{') => {
                let (value, end) = braced(s, i + 2, lookup, unset)?;
                out.push_str(&value);
                i = end;
            }
            Some(&c) if is_name_start(c) => {
                let start = i + 1;
                let mut end = start;
                while end < b.len() && is_name_char(b[end]) {
                    end += 1;
                }
                out.push_str(&var(&s[start..end], lookup, unset));
                i = end;
            }
            // A lone `$` (end of string, before a space, …) stays as it is.
            _ => {
                out.push('$');
                i += 1;
            }
        }
        lit = i;
    }
    out.push_str(&s[lit..]);
    Ok(out)
}

fn var(name: &str, lookup: &dyn Fn(&str) -> Option<String>, unset: &mut Vec<String>) -> String {
    match lookup(name) {
        Some(v) => v,
        None => {
            if !unset.iter().any(|u| u == name) {
                unset.push(name.to_string());
            }
            String::new()
        }
    }
}

/// Parses `${…}` whose body starts at `start` (just after `${`). Returns the
/// substituted text and the index just after the closing `}`.
fn braced(
    s: &str,
    start: usize,
    lookup: &dyn Fn(&str) -> Option<String>,
    unset: &mut Vec<String>,
) -> Result<(String, usize), InterpError> {
    let b = s.as_bytes();
    let mut i = start;
    if !b.get(i).is_some_and(|&c| is_name_start(c)) {
        return Err(InterpError::Invalid);
    }
    while i < b.len() && is_name_char(b[i]) {
        i += 1;
    }
    let name = &s[start..i];
    if b.get(i) == Some(&b'}') {
        return Ok((var(name, lookup, unset), i + 1));
    }
    let colon = b.get(i) == Some(&b':');
    if colon {
        i += 1;
    }
    let op = match b.get(i) {
        Some(&c @ (b'-' | b'?' | b'+')) => c,
        _ => return Err(InterpError::Invalid),
    };
    i += 1;
    // Find the matching `}`, skipping nested `${…}` and `$$`.
    let arg_start = i;
    let mut depth = 0usize;
    let arg_end = loop {
        match b.get(i) {
            None => return Err(InterpError::Invalid),
            Some(b'$') if matches!(b.get(i + 1), Some(b'$')) => i += 2,
            Some(b'$') if matches!(b.get(i + 1), Some(b'{')) => {
                depth += 1;
                i += 2;
            }
            Some(b'}') if depth == 0 => break i,
            Some(b'}') => {
                depth -= 1;
                i += 1;
            }
            Some(_) => i += 1,
        }
    };
    let arg = &s[arg_start..arg_end];
    let value = lookup(name);
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
    let present = if colon { non_empty } else { set };
    let result = match op {
        b'-' if present => value.unwrap_or_default(),
        b'-' => interpolate(arg, lookup, unset)?,
        b'?' if present => value.unwrap_or_default(),
        b'?' => {
            return Err(InterpError::Required {
                var: name.to_string(),
                reason: interpolate(arg, lookup, unset)?,
            })
        }
        // `+`
        _ if present => interpolate(arg, lookup, unset)?,
        _ => String::new(),
    };
    Ok((result, arg_end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn run(s: &str) -> Result<String, InterpError> {
        let env: BTreeMap<String, String> = [("SET", "v"), ("EMPTY", ""), ("B", "bee")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = |k: &str| env.get(k).cloned();
        interpolate(s, &lookup, &mut Vec::new())
    }

    #[test]
    fn plain_forms() {
        assert_eq!(run("a $SET b").unwrap(), "a v b");
        assert_eq!(run("${SET}x").unwrap(), "vx");
        assert_eq!(run("$SETx").unwrap(), "");
        assert_eq!(run("$UNSET.").unwrap(), ".");
        assert_eq!(run("$$SET $$").unwrap(), "$SET $");
        assert_eq!(run("cost: 5$ and $ 1 $").unwrap(), "cost: 5$ and $ 1 $");
        assert_eq!(run("no dollars").unwrap(), "no dollars");
        assert_eq!(run("é$SET€").unwrap(), "év€");
    }

    #[test]
    fn default_forms() {
        assert_eq!(run("${UNSET:-d}").unwrap(), "d");
        assert_eq!(run("${EMPTY:-d}").unwrap(), "d");
        assert_eq!(run("${SET:-d}").unwrap(), "v");
        assert_eq!(run("${UNSET-d}").unwrap(), "d");
        assert_eq!(run("${EMPTY-d}").unwrap(), "");
        assert_eq!(run("${UNSET:-}").unwrap(), "");
        assert_eq!(run("${UNSET:-a b-c}").unwrap(), "a b-c");
    }

    #[test]
    fn replacement_forms() {
        assert_eq!(run("${SET:+r}").unwrap(), "r");
        assert_eq!(run("${EMPTY:+r}").unwrap(), "");
        assert_eq!(run("${EMPTY+r}").unwrap(), "r");
        assert_eq!(run("${UNSET+r}").unwrap(), "");
    }

    #[test]
    fn required_forms() {
        assert_eq!(run("${SET:?no}").unwrap(), "v");
        assert_eq!(run("${EMPTY?no}").unwrap(), "");
        let e = run("${EMPTY:?must be set}").unwrap_err();
        assert_eq!(
            e.message("p", ""),
            "required variable EMPTY is missing a value: must be set"
        );
        let e = run("${UNSET?}").unwrap_err();
        assert_eq!(
            e.message("p", ""),
            "required variable UNSET is missing a value"
        );
    }

    #[test]
    fn nested_defaults() {
        assert_eq!(run("${UNSET:-${B}}").unwrap(), "bee");
        assert_eq!(run("${UNSET:-${NOPE:-x}y}z").unwrap(), "xyz");
        assert_eq!(run("${SET:-${NOPE:?boom}}").unwrap(), "v");
    }

    #[test]
    fn invalid_forms() {
        for s in [
            "${",
            "${}",
            "${SET",
            "${1A}",
            "${SET:x}",
            "${SET:-abc",
            "${ SET}",
        ] {
            assert_eq!(run(s), Err(InterpError::Invalid), "{s}");
        }
        assert_eq!(
            InterpError::Invalid.message("services.web.image", "${X"),
            "invalid interpolation format for services.web.image: \"${X\"; \
             you may need to escape any $ with another $"
        );
    }

    #[test]
    fn unset_names_are_reported_once() {
        let lookup = |_: &str| None;
        let mut unset = Vec::new();
        interpolate("$A ${A} ${B:-x}", &lookup, &mut unset).unwrap();
        assert_eq!(unset, vec!["A".to_string()]);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "[$A-Z{}:?+\\-é ]{0,40}") {
            let _ = run(&s);
        }

        #[test]
        fn text_without_dollar_is_unchanged(s in "[^$]{0,60}") {
            proptest::prop_assert_eq!(run(&s), Ok(s.clone()));
        }

        #[test]
        fn escaped_dollars_come_back(s in "[^$]{0,20}") {
            let escaped = s.replace('{', "$${");
            proptest::prop_assert_eq!(run(&escaped), Ok(s.replace('{', "${")));
        }
    }
}
