//! Time zones by name.

use std::str::FromStr;

use chrono_tz::Tz;

/// A zone by IANA name (`Europe/Paris`, `UTC`). `local` (any case) is the
/// zone named by `local_zone_name`, which the caller reads from `TZ` or
/// /etc/localtime; without one it is UTC, as in the Ofelia images.
pub fn parse_zone(name: &str, local_zone_name: Option<&str>) -> Result<Tz, String> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("local") {
        return match local_zone_name {
            Some(local) if !local.trim().is_empty() => {
                parse_zone(local, None).map_err(|e| format!("the local time zone: {e}"))
            }
            _ => Ok(Tz::UTC),
        };
    }
    if name.is_empty() {
        return Err("empty time zone name: use an IANA name such as Europe/Paris, or UTC".into());
    }
    // A TZ value may start with ':' (POSIX "implementation-defined" form).
    let bare = name.strip_prefix(':').unwrap_or(name);
    Tz::from_str(bare)
        .or_else(|_| {
            chrono_tz::TZ_VARIANTS
                .iter()
                .find(|z| z.name().eq_ignore_ascii_case(bare))
                .copied()
                .ok_or(())
        })
        .map_err(|_| {
            format!("unknown time zone {name:?}: use an IANA name such as Europe/Paris, or UTC")
        })
}

/// The host's zone, as a Go program there would see it: `TZ` (the value of
/// the variable, when set), else the target of the /etc/localtime link under
/// `zoneinfo/`. Returns the IANA name and where it came from; None when
/// neither names a zone chrono-tz knows (the caller then says UTC).
pub fn host_zone(
    tz_env: Option<&str>,
    localtime_link: Option<&str>,
) -> Option<(String, &'static str)> {
    if let Some(name) = tz_env.and_then(|tz| known_zone_name(tz.trim_start_matches(':'))) {
        return Some((name, "the host's TZ"));
    }
    let target = localtime_link?;
    let (_, name) = target.split_once("zoneinfo/")?;
    known_zone_name(name).map(|n| (n, "the host's zone"))
}

/// An IANA zone name chrono-tz knows (as written), from a name or a path
/// such as /usr/share/zoneinfo/posix/Europe/Paris.
pub fn known_zone_name(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s
        .split_once("zoneinfo/")
        .map_or(s, |(_, n)| n)
        .trim_start_matches("posix/");
    s.parse::<Tz>().ok().map(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_by_name_and_local() {
        assert_eq!(
            parse_zone("Europe/Paris", None),
            Ok(chrono_tz::Europe::Paris)
        );
        assert_eq!(
            parse_zone("europe/paris", None),
            Ok(chrono_tz::Europe::Paris)
        );
        assert_eq!(
            parse_zone("local", Some("Asia/Tokyo")),
            Ok(chrono_tz::Asia::Tokyo)
        );
        assert_eq!(parse_zone("local", None), Ok(Tz::UTC));
        assert!(parse_zone("Mars/Olympus", None).is_err());
    }
}
