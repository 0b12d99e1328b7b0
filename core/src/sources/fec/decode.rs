//! Bytes to text. The format allows ASCII, ISO 8859-15 and UTF-8 (LPF A47 A-1, XII): a file
//! that is valid UTF-8 is read as such, anything else as ISO 8859-15, which accepts every
//! byte. Bytes 0x80–0x9F are C1 control codes in ISO 8859-15 and never appear in real text;
//! accounting software that claims Latin-1 often writes Windows-1252 there (`€` as 0x80, `’`
//! as 0x92), so those bytes are read as Windows-1252. A UTF-16 file (outside the format, but
//! produced by some spreadsheets) is recognised by its byte-order mark.

use serde::Serialize;

/// How the file's bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    Utf8,
    /// ISO 8859-15, with Windows-1252 for bytes 0x80–0x9F.
    Iso8859_15,
    Utf16Le,
    Utf16Be,
}

/// Decodes the whole file, dropping a leading byte-order mark.
pub(super) fn decode(bytes: &[u8]) -> (String, Encoding) {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return (utf16(rest, u16::from_le_bytes), Encoding::Utf16Le);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return (utf16(rest, u16::from_be_bytes), Encoding::Utf16Be);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), Encoding::Utf8),
        Err(_) => (
            bytes.iter().map(|&b| latin9(b)).collect(),
            Encoding::Iso8859_15,
        ),
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .filter_map(|pair| <[u8; 2]>::try_from(pair).ok())
        .map(unit)
        .collect();
    String::from_utf16_lossy(&units)
}

/// One byte of ISO 8859-15, with the Windows-1252 characters in 0x80–0x9F.
fn latin9(byte: u8) -> char {
    match byte {
        0x80 => '€',
        0x82 => '‚',
        0x83 => 'ƒ',
        0x84 => '„',
        0x85 => '…',
        0x86 => '†',
        0x87 => '‡',
        0x88 => 'ˆ',
        0x89 => '‰',
        0x8A => 'Š',
        0x8B => '‹',
        0x8C => 'Œ',
        0x8E => 'Ž',
        0x91 => '‘',
        0x92 => '’',
        0x93 => '“',
        0x94 => '”',
        0x95 => '•',
        0x96 => '–',
        0x97 => '—',
        0x98 => '˜',
        0x99 => '™',
        0x9A => 'š',
        0x9B => '›',
        0x9C => 'œ',
        0x9E => 'ž',
        0x9F => 'Ÿ',
        // The eight places where ISO 8859-15 differs from ISO 8859-1.
        0xA4 => '€',
        0xA6 => 'Š',
        0xA8 => 'š',
        0xB4 => 'Ž',
        0xB8 => 'ž',
        0xBC => 'Œ',
        0xBD => 'œ',
        0xBE => 'Ÿ',
        other => char::from(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_read_as_is_and_its_bom_dropped() {
        let (text, encoding) = decode("\u{feff}Écriture".as_bytes());
        assert_eq!((text.as_str(), encoding), ("Écriture", Encoding::Utf8));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_read_as_iso_8859_15() {
        let (text, encoding) = decode(b"R\xe9sultat \xa4 \x80 \xbd");
        assert_eq!(text, "Résultat € € œ");
        assert_eq!(encoding, Encoding::Iso8859_15);
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_recognised() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Débit".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le), ("Débit".to_owned(), Encoding::Utf16Le));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("Débit".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be), ("Débit".to_owned(), Encoding::Utf16Be));
    }
}
