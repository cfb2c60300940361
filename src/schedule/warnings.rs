//! Warnings for `explain`, `ls` and `check`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::Flavor;

/// A warning about a schedule: a stable code and one line of text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
}

pub fn warnings(_expr: &str, _flavor: Flavor, _tz: Tz, _from: DateTime<Utc>) -> Vec<Warning> {
    vec![]
}
