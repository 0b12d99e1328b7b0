//! Deterministic text for the model file: numbers rounded to a fixed number of significant
//! digits before they are written (shortest round-trip form), and a layout that is indented
//! down to a fixed depth and keeps deeper objects (a bin, a tree node) on one line.

use serde::Serialize;
use serde_json::ser::Formatter;
use std::io;

/// `x` rounded to `digits` significant digits (correctly rounded decimal conversion).
pub fn sig(x: f64, digits: usize) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return if x == 0.0 { 0.0 } else { x };
    }
    format!("{:.*e}", digits.saturating_sub(1), x)
        .parse()
        .unwrap_or(x)
}

/// `x` rounded to `decimals` decimal places (for metrics).
pub fn dec(x: f64, decimals: usize) -> f64 {
    format!("{x:.decimals$}").parse().unwrap_or(x)
}

/// Containers at this depth or deeper are written on one line.
const INLINE_DEPTH: usize = 6;

/// serde_json's pretty layout (two spaces) down to `INLINE_DEPTH`, compact with spaces below.
#[derive(Default)]
struct Layout {
    depth: usize,
    has_value: bool,
}

impl Layout {
    fn inline(&self) -> bool {
        self.depth >= INLINE_DEPTH
    }

    fn indent<W: ?Sized + io::Write>(&self, writer: &mut W) -> io::Result<()> {
        for _ in 0..self.depth {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        let inline = self.inline();
        self.depth -= 1;
        if self.has_value && !inline {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(bracket)
    }

    fn item<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if self.inline() {
            writer.write_all(if first { b"" } else { b", " })
        } else {
            writer.write_all(if first { b"\n" } else { b",\n" })?;
            self.indent(writer)
        }
    }
}

impl Formatter for Layout {
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The model file's text, ending with a newline.
pub fn to_text<T: Serialize>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Layout::default());
    value.serialize(&mut serializer)?;
    out.push(b'\n');
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rounded_to_significant_digits() {
        assert_eq!(sig(0.123456789, 4), 0.1235);
        assert_eq!(sig(-12345.678, 4), -12350.0);
        assert_eq!(sig(0.1 + 0.2, 10), 0.3);
        assert_eq!(sig(0.0, 4), 0.0);
        assert_eq!(sig(-0.0, 4).to_bits(), 0.0f64.to_bits());
        assert_eq!(dec(0.8123456, 4), 0.8123);
    }

    #[test]
    fn deep_containers_stay_on_one_line() {
        let value = serde_json::json!({"a": {"b": {"c": {"d": {"e": {"f": 1, "g": [1, 2]}}}}}});
        let text = to_text(&value).unwrap();
        assert!(text.contains("\"e\": {\"f\": 1, \"g\": [1, 2]}"), "{text}");
        assert!(text.starts_with("{\n  \"a\": {\n    \"b\""), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
