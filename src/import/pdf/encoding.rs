//! The byte encodings of simple fonts (WinAnsi, MacRoman, Standard) and the
//! glyph names a font's `/Differences` may use, for the Latin range.
//!
//! Not here: ToUnicode CMaps (`cmap`), which take precedence whenever a
//! font has one, and CID fonts, whose codes only a CMap can interpret.

/// A base encoding a simple font names in `/Encoding` or `/BaseEncoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    /// Windows code page 1252 as the PDF reference defines it.
    WinAnsi,
    /// The classic Mac OS Roman set.
    MacRoman,
    /// Adobe's StandardEncoding, the default of Type 1 fonts.
    Standard,
}

impl Base {
    /// The encoding a `/Encoding` name stands for; `None` for names this
    /// reader does not know (the font's built-in encoding is then assumed
    /// to be Standard).
    pub(crate) fn from_name(name: &[u8]) -> Option<Self> {
        match name {
            b"WinAnsiEncoding" => Some(Self::WinAnsi),
            b"MacRomanEncoding" | b"MacExpertEncoding" => Some(Self::MacRoman),
            b"StandardEncoding" => Some(Self::Standard),
            _ => None,
        }
    }

    /// The character a code stands for; `None` where the encoding leaves
    /// the code undefined.
    pub(crate) fn decode(self, code: u8) -> Option<char> {
        match self {
            Self::WinAnsi => win_ansi(code),
            Self::MacRoman => mac_roman(code),
            Self::Standard => standard(code),
        }
    }
}

fn win_ansi(code: u8) -> Option<char> {
    const HIGH: [u16; 32] = [
        0x20AC, 0x2022, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030,
        0x0160, 0x2039, 0x0152, 0x2022, 0x017D, 0x2022, 0x2022, 0x2018, 0x2019, 0x201C,
        0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x2022,
        0x017E, 0x0178,
    ];
    match code {
        0x20..=0x7E => Some(char::from(code)),
        // The PDF reference draws every unused code above 0x7E as a bullet.
        0x7F => Some('\u{2022}'),
        0x80..=0x9F => {
            HIGH.get(usize::from(code - 0x80)).and_then(|&u| char::from_u32(u.into()))
        }
        // The soft hyphen is drawn as a visible hyphen in a PDF.
        0xAD => Some('-'),
        0xA0..=0xFF => Some(char::from(code)),
        _ => None,
    }
}

fn mac_roman(code: u8) -> Option<char> {
    const HIGH: [u16; 128] = [
        0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2,
        0x00E4, 0x00E3, 0x00E5, 0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x00EC,
        0x00EE, 0x00EF, 0x00F1, 0x00F3, 0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9,
        0x00FB, 0x00FC, 0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7, 0x2022, 0x00B6, 0x00DF,
        0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8, 0x221E, 0x00B1,
        0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211, 0x220F, 0x03C0, 0x222B, 0x00AA,
        0x00BA, 0x03A9, 0x00E6, 0x00F8, 0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248,
        0x2206, 0x00AB, 0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153,
        0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0x00F7, 0x25CA, 0x00FF, 0x0178,
        0x2044, 0x00A4, 0x2039, 0x203A, 0xFB01, 0xFB02, 0x2021, 0x00B7, 0x201A, 0x201E,
        0x2030, 0x00C2, 0x00CA, 0x00C1, 0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF, 0x00CC,
        0x00D3, 0x00D4, 0x0000, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
        0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7,
    ];
    match code {
        0x20..=0x7E => Some(char::from(code)),
        0x80..=0xFF => HIGH
            .get(usize::from(code - 0x80))
            .filter(|&&u| u != 0)
            .and_then(|&u| char::from_u32(u.into())),
        _ => None,
    }
}

fn standard(code: u8) -> Option<char> {
    let u: u32 = match code {
        0x27 => 0x2019,
        0x60 => 0x2018,
        0x20..=0x7E => code.into(),
        0xA1 => 0xA1,
        0xA2 => 0xA2,
        0xA3 => 0xA3,
        0xA4 => 0x2044,
        0xA5 => 0xA5,
        0xA6 => 0x0192,
        0xA7 => 0xA7,
        0xA8 => 0xA4,
        0xA9 => 0x27,
        0xAA => 0x201C,
        0xAB => 0xAB,
        0xAC => 0x2039,
        0xAD => 0x203A,
        0xAE => 0xFB01,
        0xAF => 0xFB02,
        0xB1 => 0x2013,
        0xB2 => 0x2020,
        0xB3 => 0x2021,
        0xB4 => 0xB7,
        0xB6 => 0xB6,
        0xB7 => 0x2022,
        0xB8 => 0x201A,
        0xB9 => 0x201E,
        0xBA => 0x201D,
        0xBB => 0xBB,
        0xBC => 0x2026,
        0xBD => 0x2030,
        0xBF => 0xBF,
        0xC1 => 0x60,
        0xC2 => 0xB4,
        0xC3 => 0x02C6,
        0xC4 => 0x02DC,
        0xC5 => 0xAF,
        0xC6 => 0x02D8,
        0xC7 => 0x02D9,
        0xC8 => 0xA8,
        0xCA => 0x02DA,
        0xCB => 0xB8,
        0xCD => 0x02DD,
        0xCE => 0x02DB,
        0xCF => 0x02C7,
        0xD0 => 0x2014,
        0xE1 => 0xC6,
        0xE3 => 0xAA,
        0xE8 => 0x0141,
        0xE9 => 0xD8,
        0xEA => 0x0152,
        0xEB => 0xBA,
        0xF1 => 0xE6,
        0xF5 => 0x0131,
        0xF8 => 0x0142,
        0xF9 => 0xF8,
        0xFA => 0x0153,
        0xFB => 0xDF,
        _ => return None,
    };
    char::from_u32(u)
}

/// Glyph names of printable ASCII, in code order from 0x20.
const ASCII_NAMES: [&str; 95] = [
    "space",
    "exclam",
    "quotedbl",
    "numbersign",
    "dollar",
    "percent",
    "ampersand",
    "quotesingle",
    "parenleft",
    "parenright",
    "asterisk",
    "plus",
    "comma",
    "hyphen",
    "period",
    "slash",
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "colon",
    "semicolon",
    "less",
    "equal",
    "greater",
    "question",
    "at",
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
    "J",
    "K",
    "L",
    "M",
    "N",
    "O",
    "P",
    "Q",
    "R",
    "S",
    "T",
    "U",
    "V",
    "W",
    "X",
    "Y",
    "Z",
    "bracketleft",
    "backslash",
    "bracketright",
    "asciicircum",
    "underscore",
    "grave",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "z",
    "braceleft",
    "bar",
    "braceright",
    "asciitilde",
];

/// Glyph names of Latin-1 from 0xA1, in code order.
const LATIN1_NAMES: [&str; 95] = [
    "exclamdown",
    "cent",
    "sterling",
    "currency",
    "yen",
    "brokenbar",
    "section",
    "dieresis",
    "copyright",
    "ordfeminine",
    "guillemotleft",
    "logicalnot",
    "sfthyphen",
    "registered",
    "macron",
    "degree",
    "plusminus",
    "twosuperior",
    "threesuperior",
    "acute",
    "mu",
    "paragraph",
    "periodcentered",
    "cedilla",
    "onesuperior",
    "ordmasculine",
    "guillemotright",
    "onequarter",
    "onehalf",
    "threequarters",
    "questiondown",
    "Agrave",
    "Aacute",
    "Acircumflex",
    "Atilde",
    "Adieresis",
    "Aring",
    "AE",
    "Ccedilla",
    "Egrave",
    "Eacute",
    "Ecircumflex",
    "Edieresis",
    "Igrave",
    "Iacute",
    "Icircumflex",
    "Idieresis",
    "Eth",
    "Ntilde",
    "Ograve",
    "Oacute",
    "Ocircumflex",
    "Otilde",
    "Odieresis",
    "multiply",
    "Oslash",
    "Ugrave",
    "Uacute",
    "Ucircumflex",
    "Udieresis",
    "Yacute",
    "Thorn",
    "germandbls",
    "agrave",
    "aacute",
    "acircumflex",
    "atilde",
    "adieresis",
    "aring",
    "ae",
    "ccedilla",
    "egrave",
    "eacute",
    "ecircumflex",
    "edieresis",
    "igrave",
    "iacute",
    "icircumflex",
    "idieresis",
    "eth",
    "ntilde",
    "ograve",
    "oacute",
    "ocircumflex",
    "otilde",
    "odieresis",
    "divide",
    "oslash",
    "ugrave",
    "uacute",
    "ucircumflex",
    "udieresis",
    "yacute",
    "thorn",
    "ydieresis",
];

/// Other names resume fonts use: punctuation of WinAnsi's 0x80 row,
/// ligatures, and the Latin Extended-A letters of central European names.
const OTHER_NAMES: &[(&str, char)] = &[
    ("nbspace", '\u{A0}'),
    ("nonbreakingspace", '\u{A0}'),
    ("hyphentwo", '-'),
    ("minus", '\u{2212}'),
    ("Euro", '€'),
    ("quotesinglbase", '‚'),
    ("florin", 'ƒ'),
    ("quotedblbase", '„'),
    ("ellipsis", '…'),
    ("dagger", '†'),
    ("daggerdbl", '‡'),
    ("circumflex", 'ˆ'),
    ("perthousand", '‰'),
    ("guilsinglleft", '‹'),
    ("guilsinglright", '›'),
    ("quoteleft", '‘'),
    ("quoteright", '’'),
    ("quotedblleft", '“'),
    ("quotedblright", '”'),
    ("bullet", '•'),
    ("endash", '–'),
    ("emdash", '—'),
    ("tilde", '˜'),
    ("trademark", '™'),
    ("fraction", '⁄'),
    ("breve", '˘'),
    ("dotaccent", '˙'),
    ("ring", '˚'),
    ("hungarumlaut", '˝'),
    ("ogonek", '˛'),
    ("caron", 'ˇ'),
    ("dotlessi", 'ı'),
    ("fi", 'ﬁ'),
    ("fl", 'ﬂ'),
    ("ff", 'ﬀ'),
    ("ffi", 'ﬃ'),
    ("ffl", 'ﬄ'),
    ("OE", 'Œ'),
    ("oe", 'œ'),
    ("Scaron", 'Š'),
    ("scaron", 'š'),
    ("Zcaron", 'Ž'),
    ("zcaron", 'ž'),
    ("Ydieresis", 'Ÿ'),
    ("Lslash", 'Ł'),
    ("lslash", 'ł'),
    ("Aogonek", 'Ą'),
    ("aogonek", 'ą'),
    ("Cacute", 'Ć'),
    ("cacute", 'ć'),
    ("Ccaron", 'Č'),
    ("ccaron", 'č'),
    ("Dcaron", 'Ď'),
    ("dcaron", 'ď'),
    ("Dcroat", 'Đ'),
    ("dcroat", 'đ'),
    ("Eogonek", 'Ę'),
    ("eogonek", 'ę'),
    ("Ecaron", 'Ě'),
    ("ecaron", 'ě'),
    ("Gbreve", 'Ğ'),
    ("gbreve", 'ğ'),
    ("Idotaccent", 'İ'),
    ("Nacute", 'Ń'),
    ("nacute", 'ń'),
    ("Ncaron", 'Ň'),
    ("ncaron", 'ň'),
    ("Ohungarumlaut", 'Ő'),
    ("ohungarumlaut", 'ő'),
    ("Rcaron", 'Ř'),
    ("rcaron", 'ř'),
    ("Sacute", 'Ś'),
    ("sacute", 'ś'),
    ("Scedilla", 'Ş'),
    ("scedilla", 'ş'),
    ("Tcaron", 'Ť'),
    ("tcaron", 'ť'),
    ("Uring", 'Ů'),
    ("uring", 'ů'),
    ("Uhungarumlaut", 'Ű'),
    ("uhungarumlaut", 'ű'),
    ("Zacute", 'Ź'),
    ("zacute", 'ź'),
    ("Zdotaccent", 'Ż'),
    ("zdotaccent", 'ż'),
    ("arrowright", '→'),
    ("checkmark", '✓'),
    ("circle", '○'),
    ("filledbox", '■'),
    ("blackcircle", '●'),
];

/// The text a glyph name stands for: the Latin names above, `uniXXXX`
/// (one or more four-digit groups), `uXXXX[XX]`, a ligature written with
/// underscores (`f_f_i`), and any of these with a `.suffix` (`a.sc`).
pub(crate) fn glyph_text(name: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(name).ok()?;
    let name = name.split('.').next().unwrap_or(name);
    if name.is_empty() {
        return None;
    }
    if name.contains('_') {
        let mut out = String::new();
        for part in name.split('_') {
            out.push_str(&glyph_text(part.as_bytes())?);
        }
        return Some(out);
    }
    if let Some(c) = single_name(name) {
        return Some(c.to_string());
    }
    if let Some(hex) = name.strip_prefix("uni")
        && !hex.is_empty()
        && hex.len() % 4 == 0
    {
        let mut out = String::new();
        let units: Option<Vec<u16>> = hex
            .as_bytes()
            .chunks(4)
            .map(|c| {
                std::str::from_utf8(c).ok().and_then(|s| u16::from_str_radix(s, 16).ok())
            })
            .collect();
        for c in char::decode_utf16(units?) {
            out.push(c.ok()?);
        }
        return Some(out);
    }
    if let Some(hex) = name.strip_prefix('u')
        && (4..=6).contains(&hex.len())
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?;
        return Some(c.to_string());
    }
    None
}

fn single_name(name: &str) -> Option<char> {
    if let Some(i) = ASCII_NAMES.iter().position(|&n| n == name) {
        return u8::try_from(i + 0x20).ok().map(char::from);
    }
    if let Some(i) = LATIN1_NAMES.iter().position(|&n| n == name) {
        let c = u32::try_from(i + 0xA1).ok().and_then(char::from_u32)?;
        // The soft hyphen glyph is a visible hyphen.
        return Some(if c == '\u{AD}' { '-' } else { c });
    }
    OTHER_NAMES.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_encodings_agree_on_latin() {
        assert_eq!(glyph_text(b"eacute").as_deref(), Some("é"));
        assert_eq!(glyph_text(b"uni0416").as_deref(), Some("Ж"));
        assert_eq!(glyph_text(b"u1F600").as_deref(), Some("😀"));
        assert_eq!(glyph_text(b"f_f_i").as_deref(), Some("ffi"));
        assert_eq!(glyph_text(b"a.sc").as_deref(), Some("a"));
        assert_eq!(glyph_text(b"g123"), None);
        assert_eq!(Base::WinAnsi.decode(0x93), Some('“'));
        assert_eq!(Base::MacRoman.decode(0x8E), Some('é'));
        assert_eq!(Base::Standard.decode(0x27), Some('’'));
        assert_eq!(Base::WinAnsi.decode(0xE9), Some('é'));
    }
}
