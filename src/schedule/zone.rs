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
