//! Sizes in requests (`segment_size` and the like): a number of bytes, or
//! a string with the swift command's suffixes ("100M", 1024-based).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `segment_size`-style option: bytes as a number or "100M".
pub fn size_opt<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("must be a positive integer")),
        Some(Value::String(s)) => parse_size(&s).map(Some).map_err(serde::de::Error::custom),
        Some(o) => Err(serde::de::Error::custom(format!(
            "must be a number of bytes, not {o}"
        ))),
    }
}

/// "100", "10K", "5M", "1G", "2T", "100B" (1024-based, as the swift CLI).
pub fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('B') => (&t[..t.len() - 1], 1u64),
        Some('K') => (&t[..t.len() - 1], 1 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        Some('T') => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("\"{s}\" is not a size (e.g. 1048576, 512K, 100M, 1G)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_the_swift_command() {
        assert_eq!(parse_size("100M").unwrap(), 100 << 20);
        assert_eq!(parse_size("2g").unwrap(), 2 << 30);
        assert_eq!(parse_size("512").unwrap(), 512);
        assert!(parse_size("0").is_err() && parse_size("x").is_err());
    }
}
