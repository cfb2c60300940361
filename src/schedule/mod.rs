//! The schedule engine: Ofelia's cron dialects, evaluated exactly as each
//! flavour's library does (robfig/cron v1.2.0, v3.0.1, netresearch/go-cron).
//! Pure: the clock and the time zone are always passed in.

use std::fmt;
use std::str::FromStr;

/// Which Ofelia (and so which cron library) runs the jobs.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Flavor {
    /// mcuadros/ofelia 0.3.x (the `mcuadros/ofelia:latest` image): robfig/cron v1.2.0.
    #[serde(rename = "ofelia-0.3")]
    Ofelia03,
    /// mcuadros/ofelia 0.4: robfig/cron v3.0.1.
    #[serde(rename = "ofelia-0.4")]
    Ofelia04,
    /// netresearch/ofelia: netresearch/go-cron.
    #[serde(rename = "netresearch")]
    Netresearch,
}

impl Flavor {
    pub const ALL: [Flavor; 3] = [Flavor::Ofelia03, Flavor::Ofelia04, Flavor::Netresearch];

    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Ofelia03 => "ofelia-0.3",
            Flavor::Ofelia04 => "ofelia-0.4",
            Flavor::Netresearch => "netresearch",
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Flavor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Flavor::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!("unknown flavor {s:?}: expected ofelia-0.3, ofelia-0.4 or netresearch")
            })
    }
}
