//! The one place that turns results into text: tables (comfy-table), JSON,
//! colours (only on a terminal, never with NO_COLOR) and sanitising of
//! untrusted text (label values, log lines) before it reaches a terminal.

use std::io::{IsTerminal, Write};

use chrono::{DateTime, TimeZone};
use comfy_table::{presets, Cell, ContentArrangement, Table};
use serde::Serialize;

use crate::error::Result;

/// Where command output goes, and how it may be styled.
pub struct Output {
    pub is_tty: bool,
    pub color: bool,
}

impl Output {
    pub fn stdout() -> Self {
        let is_tty = std::io::stdout().is_terminal();
        Output {
            is_tty,
            color: is_tty && color_allowed(),
        }
    }

    /// Writes `text` as is (it must already be sanitised) to stdout.
    pub fn write(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }

    pub fn line(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(())
    }

    /// Pretty JSON followed by a newline.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| crate::Error::msg(format!("cannot encode JSON: {e}")))?;
        self.line(&text)
    }

    /// A styled fragment: `code` is an SGR code such as "1" (bold) or "33" (yellow).
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// NO_COLOR (any non-empty value) turns colours off, as https://no-color.org says.
pub fn color_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Replaces control characters (ESC, CR, BEL, …) with visible escapes so that
/// untrusted text cannot move the cursor or recolour the terminal. Newlines
/// become `\n` as well: one value, one line.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Like [`sanitize`] but keeps newlines (for multi-line messages we wrote ourselves).
pub fn sanitize_keep_newlines(s: &str) -> String {
    s.split('\n').map(sanitize).collect::<Vec<_>>().join("\n")
}

/// Shortens `s` to `max` characters with an ellipsis, as `docker ps` does.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// A table in docker's style: upper-case headers, no borders, columns
/// separated by spaces. Every cell is sanitised here.
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut t = Table::new();
    t.load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers.iter().map(Cell::new));
    for row in rows {
        t.add_row(row.iter().map(|c| Cell::new(sanitize(c))));
    }
    for col in t.column_iter_mut() {
        col.set_padding((0, 3));
    }
    let text = t.to_string();
    // comfy-table pads the last column too; docker doesn't.
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// "in 3 days 4 h", "in 5 min", "2 h ago": coarse, two units at most.
pub fn relative(from: DateTime<chrono::Utc>, to: DateTime<chrono::Utc>) -> String {
    let secs = (to - from).num_seconds();
    let (past, s) = if secs < 0 {
        (true, -secs)
    } else {
        (false, secs)
    };
    let body = if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        let m = s / 60;
        let r = s % 60;
        if r == 0 || m >= 10 {
            format!("{m} min")
        } else {
            format!("{m} min {r} s")
        }
    } else if s < 86_400 {
        let h = s / 3600;
        let m = (s % 3600) / 60;
        if m == 0 {
            format!("{h} h")
        } else {
            format!("{h} h {m} min")
        }
    } else if s < 86_400 * 365 {
        let d = s / 86_400;
        let h = (s % 86_400) / 3600;
        let unit = if d == 1 { "day" } else { "days" };
        if h == 0 || d >= 30 {
            format!("{d} {unit}")
        } else {
            format!("{d} {unit} {h} h")
        }
    } else {
        let y = s / (86_400 * 365);
        let d = (s % (86_400 * 365)) / 86_400;
        let unit = if y == 1 { "year" } else { "years" };
        if d == 0 {
            format!("{y} {unit}")
        } else {
            format!("{y} {unit} {d} days")
        }
    };
    if past {
        format!("{body} ago")
    } else {
        format!("in {body}")
    }
}

/// RFC 3339 with the zone's offset and whole seconds: `2026-11-30T08:00:00+01:00`.
pub fn rfc3339<Tz: TimeZone>(t: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// `Mon 2026-11-30 08:00:00 +01:00 (CET)` for tables.
pub fn human_time(t: &DateTime<chrono_tz::Tz>) -> String {
    t.format("%a %Y-%m-%d %H:%M:%S %:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn sanitize_escapes_controls() {
        assert_eq!(sanitize("a\x1b[31mb\r\n"), "a\\u{1b}[31mb\\r\\n");
        assert_eq!(sanitize("plain"), "plain");
    }

    #[test]
    fn relative_times() {
        let t0 = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("valid");
        let t = |s: i64| t0 + chrono::Duration::seconds(s);
        assert_eq!(relative(t0, t(5)), "in 5 s");
        assert_eq!(relative(t0, t(3 * 86_400 + 4 * 3600 + 12)), "in 3 days 4 h");
        assert_eq!(relative(t0, t(-7200)), "2 h ago");
        assert_eq!(relative(t0, t(90)), "in 1 min 30 s");
    }

    #[test]
    fn table_has_docker_style() {
        let t = table(&["A", "LONGER"], vec![vec!["x".into(), "y\x07".into()]]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "A   LONGER");
        assert_eq!(lines[1], "x   y\\u{7}");
    }
}
