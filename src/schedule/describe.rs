//! Plain-English descriptions.

use super::Schedule;

pub(crate) fn describe(s: &Schedule) -> String {
    s.expression().to_string()
}
