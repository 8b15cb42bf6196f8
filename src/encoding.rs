//! Text encodings of exported lists: what a case-management system or
//! Excel writes, turned into UTF-8 once per file, or refused with a reason.
//!
//! A CSV list may come as UTF-8 (with or without a byte-order mark), as
//! UTF-16 with a byte-order mark (Excel's "Unicode text"), or as
//! Windows-1252 (Excel's "CSV" on Windows). An XML file is read in the
//! encoding it declares. Bytes are never replaced silently: two ids that
//! differ only in an accented letter must not merge into one child, so a
//! file that is not valid in its encoding is refused.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// A file's text, and the encoding it was read in when that was not UTF-8.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    /// `Some("Windows-1252")` etc. when the file was not UTF-8.
    pub encoding: Option<&'static str>,
    /// Read as Windows-1252 because it was not valid UTF-8 and named no
    /// encoding: worth a warning, as a guess.
    pub guessed: bool,
}

/// Why a file's text cannot be read. The words never quote the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Bytes that are not valid in the encoding the file declares or
    /// starts with.
    Invalid(&'static str),
    /// NUL bytes with no UTF-16 byte-order mark: a workbook, a zip or
    /// UTF-16 without its mark.
    Binary,
    /// An XML declaration naming an encoding that is not known.
    UnknownEncoding,
}

impl DecodeError {
    /// What is wrong, for a message: "is not valid UTF-16".
    pub fn describe(&self) -> String {
        match self {
            DecodeError::Invalid(name) => format!("is not valid {name} text"),
            DecodeError::Binary => "holds binary data, not text".into(),
            DecodeError::UnknownEncoding => "declares an encoding that cannot be read".into(),
        }
    }
}

/// The encoding a byte-order mark names, and the mark's length.
fn bom(bytes: &[u8]) -> Option<(&'static Encoding, usize)> {
    Encoding::for_bom(bytes)
}

/// Decodes `bytes` strictly in `encoding`, or says it is not valid.
fn strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, DecodeError> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
        .ok_or(DecodeError::Invalid(encoding.name()))
}

fn utf8(bytes: Vec<u8>) -> Result<String, Vec<u8>> {
    String::from_utf8(bytes).map_err(|e| e.into_bytes())
}

/// A CSV file's text: by its byte-order mark, else UTF-8, else
/// Windows-1252 (said in [`Decoded::guessed`]).
pub fn decode_csv(bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    if let Some((encoding, len)) = bom(&bytes) {
        let text = if encoding == UTF_8 {
            utf8(bytes[len..].to_vec()).map_err(|_| DecodeError::Invalid("UTF-8"))?
        } else {
            strict(encoding, &bytes[len..])?
        };
        return Ok(Decoded {
            text,
            encoding: (encoding != UTF_8).then(|| encoding.name()),
            guessed: false,
        });
    }
    if bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    match utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text,
            encoding: None,
            guessed: false,
        }),
        Err(bytes) => Ok(Decoded {
            text: strict(WINDOWS_1252, &bytes)?,
            encoding: Some(WINDOWS_1252.name()),
            guessed: true,
        }),
    }
}

/// An XML file's text: by its byte-order mark, or the first bytes of a
/// UTF-16 declaration, then the `encoding` its declaration names (UTF-8
/// when it names none).
pub fn decode_xml(bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    let (start, skip) = match bom(&bytes) {
        Some((encoding, len)) => (Some(encoding), len),
        None if bytes.starts_with(b"<\0?\0") => (Some(UTF_16LE), 0),
        None if bytes.starts_with(b"\0<\0?") => (Some(UTF_16BE), 0),
        None => (None, 0),
    };
    let body = &bytes[skip..];
    let encoding = match start {
        // UTF-16 is told by its first bytes; a declaration inside it can
        // only repeat that.
        Some(e) if e != UTF_8 => e,
        Some(_) => UTF_8,
        None => match declared(body) {
            Some(label) => {
                Encoding::for_label(label.as_bytes()).ok_or(DecodeError::UnknownEncoding)?
            }
            None => UTF_8,
        },
    };
    let text = if encoding == UTF_8 {
        if body.contains(&0) {
            return Err(DecodeError::Binary);
        }
        utf8(body.to_vec()).map_err(|_| DecodeError::Invalid("UTF-8"))?
    } else {
        strict(encoding, body)?
    };
    Ok(Decoded {
        text,
        encoding: (encoding != UTF_8).then(|| encoding.name()),
        guessed: false,
    })
}

/// The `encoding="…"` of an XML declaration at the start of `bytes`, in
/// an ASCII-compatible encoding.
fn declared(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(256)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let close = value.find(quote)?;
    Some(value[..close].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str, with_bom: bool) -> Vec<u8> {
        let mut out = if with_bom { vec![0xFF, 0xFE] } else { vec![] };
        for unit in text.encode_utf16() {
            out.extend(unit.to_le_bytes());
        }
        out
    }

    #[test]
    fn csv_text_is_told_by_its_mark_or_its_bytes() {
        let plain = decode_csv(b"CHILD,DOB\n".to_vec()).unwrap();
        assert_eq!((plain.text.as_str(), plain.encoding), ("CHILD,DOB\n", None));
        let marked = decode_csv(b"\xEF\xBB\xBFCHILD\n".to_vec()).unwrap();
        assert_eq!(marked.text, "CHILD\n");
        let wide = decode_csv(utf16le("CHILD,Zoë\n", true)).unwrap();
        assert_eq!(wide.text, "CHILD,Zoë\n");
        assert_eq!(wide.encoding, Some("UTF-16LE"));
        // Windows-1252: é is 0xE9, not valid UTF-8 on its own.
        let excel = decode_csv(b"CHILD\nRen\xE9\n".to_vec()).unwrap();
        assert_eq!(excel.text, "CHILD\nRené\n");
        assert!(excel.guessed);
        assert_eq!(
            decode_csv(b"PK\x03\x04\0\0".to_vec()).unwrap_err(),
            DecodeError::Binary
        );
        assert_eq!(
            decode_csv(utf16le("CHILD", false)).unwrap_err(),
            DecodeError::Binary
        );
    }

    #[test]
    fn xml_text_is_read_in_the_encoding_it_declares() {
        let latin = b"<?xml version='1.0' encoding='ISO-8859-1'?><A>Ren\xE9</A>".to_vec();
        let d = decode_xml(latin).unwrap();
        assert!(d.text.ends_with("<A>René</A>"), "{}", d.text);
        let wide = utf16le(
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><A>Zoë</A>",
            true,
        );
        assert!(decode_xml(wide).unwrap().text.ends_with("<A>Zoë</A>"));
        let unmarked = utf16le("<?xml version=\"1.0\" encoding=\"UTF-16\"?><A/>", false);
        assert!(decode_xml(unmarked).unwrap().text.ends_with("<A/>"));
        assert_eq!(
            decode_xml(b"<A>Ren\xE9</A>".to_vec()).unwrap_err(),
            DecodeError::Invalid("UTF-8")
        );
        assert_eq!(
            decode_xml(b"<?xml version='1.0' encoding='klingon'?><A/>".to_vec()).unwrap_err(),
            DecodeError::UnknownEncoding
        );
    }
}
