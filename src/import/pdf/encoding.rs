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

/// The unified ideograph each Kangxi radical (U+2F00–U+2FD5) stands for,
/// as Unicode's compatibility decomposition gives it. Fonts often map a
/// CJK glyph to the radical's code point in their ToUnicode map (Chromium
/// prints 高 as ⾼), which no search or name comparison would match.
const KANGXI: [u16; 214] = [
    0x4E00, 0x4E28, 0x4E36, 0x4E3F, 0x4E59, 0x4E85, 0x4E8C, 0x4EA0, 0x4EBA, 0x513F,
    0x5165, 0x516B, 0x5182, 0x5196, 0x51AB, 0x51E0, 0x51F5, 0x5200, 0x529B, 0x52F9,
    0x5315, 0x531A, 0x5338, 0x5341, 0x535C, 0x5369, 0x5382, 0x53B6, 0x53C8, 0x53E3,
    0x56D7, 0x571F, 0x58EB, 0x5902, 0x590A, 0x5915, 0x5927, 0x5973, 0x5B50, 0x5B80,
    0x5BF8, 0x5C0F, 0x5C22, 0x5C38, 0x5C6E, 0x5C71, 0x5DDB, 0x5DE5, 0x5DF1, 0x5DFE,
    0x5E72, 0x5E7A, 0x5E7F, 0x5EF4, 0x5EFE, 0x5F0B, 0x5F13, 0x5F50, 0x5F61, 0x5F73,
    0x5FC3, 0x6208, 0x6236, 0x624B, 0x652F, 0x6534, 0x6587, 0x6597, 0x65A4, 0x65B9,
    0x65E0, 0x65E5, 0x66F0, 0x6708, 0x6728, 0x6B20, 0x6B62, 0x6B79, 0x6BB3, 0x6BCB,
    0x6BD4, 0x6BDB, 0x6C0F, 0x6C14, 0x6C34, 0x706B, 0x722A, 0x7236, 0x723B, 0x723F,
    0x7247, 0x7259, 0x725B, 0x72AC, 0x7384, 0x7389, 0x74DC, 0x74E6, 0x7518, 0x751F,
    0x7528, 0x7530, 0x758B, 0x7592, 0x7676, 0x767D, 0x76AE, 0x76BF, 0x76EE, 0x77DB,
    0x77E2, 0x77F3, 0x793A, 0x79B8, 0x79BE, 0x7A74, 0x7ACB, 0x7AF9, 0x7C73, 0x7CF8,
    0x7F36, 0x7F51, 0x7F8A, 0x7FBD, 0x8001, 0x800C, 0x8012, 0x8033, 0x807F, 0x8089,
    0x81E3, 0x81EA, 0x81F3, 0x81FC, 0x820C, 0x821B, 0x821F, 0x826E, 0x8272, 0x8278,
    0x864D, 0x866B, 0x8840, 0x884C, 0x8863, 0x897E, 0x898B, 0x89D2, 0x8A00, 0x8C37,
    0x8C46, 0x8C55, 0x8C78, 0x8C9D, 0x8D64, 0x8D70, 0x8DB3, 0x8EAB, 0x8ECA, 0x8F9B,
    0x8FB0, 0x8FB5, 0x9091, 0x9149, 0x91C6, 0x91CC, 0x91D1, 0x9577, 0x9580, 0x961C,
    0x96B6, 0x96B9, 0x96E8, 0x9751, 0x975E, 0x9762, 0x9769, 0x97CB, 0x97ED, 0x97F3,
    0x9801, 0x98A8, 0x98DB, 0x98DF, 0x9996, 0x9999, 0x99AC, 0x9AA8, 0x9AD8, 0x9ADF,
    0x9B25, 0x9B2F, 0x9B32, 0x9B3C, 0x9B5A, 0x9CE5, 0x9E75, 0x9E7F, 0x9EA5, 0x9EBB,
    0x9EC3, 0x9ECD, 0x9ED1, 0x9EF9, 0x9EFD, 0x9F0E, 0x9F13, 0x9F20, 0x9F3B, 0x9F4A,
    0x9F52, 0x9F8D, 0x9F9C, 0x9FA0,
];

/// A radical as its unified ideograph; any other character unchanged.
pub(crate) fn unify_radical(c: char) -> char {
    let mapped = match u32::from(c) {
        u @ 0x2F00..=0x2FD5 => KANGXI.get((u - 0x2F00) as usize).map(|&v| u32::from(v)),
        0x2E9F => Some(0x6BCD),
        0x2EF3 => Some(0x9F9F),
        _ => None,
    };
    mapped.and_then(char::from_u32).unwrap_or(c)
}

/// Arabic presentation forms (the contextual shapes a font draws) as the
/// letters they shape, from Unicode's compatibility mappings: fonts map
/// glyphs to these in ToUnicode, and text in them matches no search.
const ARABIC_FORMS: &[(u16, &str)] = &[
    (0xFB50, "\u{0671}"),
    (0xFB51, "\u{0671}"),
    (0xFB52, "\u{067B}"),
    (0xFB53, "\u{067B}"),
    (0xFB54, "\u{067B}"),
    (0xFB55, "\u{067B}"),
    (0xFB56, "\u{067E}"),
    (0xFB57, "\u{067E}"),
    (0xFB58, "\u{067E}"),
    (0xFB59, "\u{067E}"),
    (0xFB5A, "\u{0680}"),
    (0xFB5B, "\u{0680}"),
    (0xFB5C, "\u{0680}"),
    (0xFB5D, "\u{0680}"),
    (0xFB5E, "\u{067A}"),
    (0xFB5F, "\u{067A}"),
    (0xFB60, "\u{067A}"),
    (0xFB61, "\u{067A}"),
    (0xFB62, "\u{067F}"),
    (0xFB63, "\u{067F}"),
    (0xFB64, "\u{067F}"),
    (0xFB65, "\u{067F}"),
    (0xFB66, "\u{0679}"),
    (0xFB67, "\u{0679}"),
    (0xFB68, "\u{0679}"),
    (0xFB69, "\u{0679}"),
    (0xFB6A, "\u{06A4}"),
    (0xFB6B, "\u{06A4}"),
    (0xFB6C, "\u{06A4}"),
    (0xFB6D, "\u{06A4}"),
    (0xFB6E, "\u{06A6}"),
    (0xFB6F, "\u{06A6}"),
    (0xFB70, "\u{06A6}"),
    (0xFB71, "\u{06A6}"),
    (0xFB72, "\u{0684}"),
    (0xFB73, "\u{0684}"),
    (0xFB74, "\u{0684}"),
    (0xFB75, "\u{0684}"),
    (0xFB76, "\u{0683}"),
    (0xFB77, "\u{0683}"),
    (0xFB78, "\u{0683}"),
    (0xFB79, "\u{0683}"),
    (0xFB7A, "\u{0686}"),
    (0xFB7B, "\u{0686}"),
    (0xFB7C, "\u{0686}"),
    (0xFB7D, "\u{0686}"),
    (0xFB7E, "\u{0687}"),
    (0xFB7F, "\u{0687}"),
    (0xFB80, "\u{0687}"),
    (0xFB81, "\u{0687}"),
    (0xFB82, "\u{068D}"),
    (0xFB83, "\u{068D}"),
    (0xFB84, "\u{068C}"),
    (0xFB85, "\u{068C}"),
    (0xFB86, "\u{068E}"),
    (0xFB87, "\u{068E}"),
    (0xFB88, "\u{0688}"),
    (0xFB89, "\u{0688}"),
    (0xFB8A, "\u{0698}"),
    (0xFB8B, "\u{0698}"),
    (0xFB8C, "\u{0691}"),
    (0xFB8D, "\u{0691}"),
    (0xFB8E, "\u{06A9}"),
    (0xFB8F, "\u{06A9}"),
    (0xFB90, "\u{06A9}"),
    (0xFB91, "\u{06A9}"),
    (0xFB92, "\u{06AF}"),
    (0xFB93, "\u{06AF}"),
    (0xFB94, "\u{06AF}"),
    (0xFB95, "\u{06AF}"),
    (0xFB96, "\u{06B3}"),
    (0xFB97, "\u{06B3}"),
    (0xFB98, "\u{06B3}"),
    (0xFB99, "\u{06B3}"),
    (0xFB9A, "\u{06B1}"),
    (0xFB9B, "\u{06B1}"),
    (0xFB9C, "\u{06B1}"),
    (0xFB9D, "\u{06B1}"),
    (0xFB9E, "\u{06BA}"),
    (0xFB9F, "\u{06BA}"),
    (0xFBA0, "\u{06BB}"),
    (0xFBA1, "\u{06BB}"),
    (0xFBA2, "\u{06BB}"),
    (0xFBA3, "\u{06BB}"),
    (0xFBA4, "\u{06C0}"),
    (0xFBA5, "\u{06C0}"),
    (0xFBA6, "\u{06C1}"),
    (0xFBA7, "\u{06C1}"),
    (0xFBA8, "\u{06C1}"),
    (0xFBA9, "\u{06C1}"),
    (0xFBAA, "\u{06BE}"),
    (0xFBAB, "\u{06BE}"),
    (0xFBAC, "\u{06BE}"),
    (0xFBAD, "\u{06BE}"),
    (0xFBAE, "\u{06D2}"),
    (0xFBAF, "\u{06D2}"),
    (0xFBB0, "\u{06D3}"),
    (0xFBB1, "\u{06D3}"),
    (0xFBD3, "\u{06AD}"),
    (0xFBD4, "\u{06AD}"),
    (0xFBD5, "\u{06AD}"),
    (0xFBD6, "\u{06AD}"),
    (0xFBD7, "\u{06C7}"),
    (0xFBD8, "\u{06C7}"),
    (0xFBD9, "\u{06C6}"),
    (0xFBDA, "\u{06C6}"),
    (0xFBDB, "\u{06C8}"),
    (0xFBDC, "\u{06C8}"),
    (0xFBDD, "\u{06C7}\u{0674}"),
    (0xFBDE, "\u{06CB}"),
    (0xFBDF, "\u{06CB}"),
    (0xFBE0, "\u{06C5}"),
    (0xFBE1, "\u{06C5}"),
    (0xFBE2, "\u{06C9}"),
    (0xFBE3, "\u{06C9}"),
    (0xFBE4, "\u{06D0}"),
    (0xFBE5, "\u{06D0}"),
    (0xFBE6, "\u{06D0}"),
    (0xFBE7, "\u{06D0}"),
    (0xFBE8, "\u{0649}"),
    (0xFBE9, "\u{0649}"),
    (0xFBEA, "\u{0626}\u{0627}"),
    (0xFBEB, "\u{0626}\u{0627}"),
    (0xFBEC, "\u{0626}\u{06D5}"),
    (0xFBED, "\u{0626}\u{06D5}"),
    (0xFBEE, "\u{0626}\u{0648}"),
    (0xFBEF, "\u{0626}\u{0648}"),
    (0xFBF0, "\u{0626}\u{06C7}"),
    (0xFBF1, "\u{0626}\u{06C7}"),
    (0xFBF2, "\u{0626}\u{06C6}"),
    (0xFBF3, "\u{0626}\u{06C6}"),
    (0xFBF4, "\u{0626}\u{06C8}"),
    (0xFBF5, "\u{0626}\u{06C8}"),
    (0xFBF6, "\u{0626}\u{06D0}"),
    (0xFBF7, "\u{0626}\u{06D0}"),
    (0xFBF8, "\u{0626}\u{06D0}"),
    (0xFBF9, "\u{0626}\u{0649}"),
    (0xFBFA, "\u{0626}\u{0649}"),
    (0xFBFB, "\u{0626}\u{0649}"),
    (0xFBFC, "\u{06CC}"),
    (0xFBFD, "\u{06CC}"),
    (0xFBFE, "\u{06CC}"),
    (0xFBFF, "\u{06CC}"),
    (0xFE71, "\u{0640}\u{064B}"),
    (0xFE77, "\u{0640}\u{064E}"),
    (0xFE79, "\u{0640}\u{064F}"),
    (0xFE7B, "\u{0640}\u{0650}"),
    (0xFE7D, "\u{0640}\u{0651}"),
    (0xFE7F, "\u{0640}\u{0652}"),
    (0xFE80, "\u{0621}"),
    (0xFE81, "\u{0622}"),
    (0xFE82, "\u{0622}"),
    (0xFE83, "\u{0623}"),
    (0xFE84, "\u{0623}"),
    (0xFE85, "\u{0624}"),
    (0xFE86, "\u{0624}"),
    (0xFE87, "\u{0625}"),
    (0xFE88, "\u{0625}"),
    (0xFE89, "\u{0626}"),
    (0xFE8A, "\u{0626}"),
    (0xFE8B, "\u{0626}"),
    (0xFE8C, "\u{0626}"),
    (0xFE8D, "\u{0627}"),
    (0xFE8E, "\u{0627}"),
    (0xFE8F, "\u{0628}"),
    (0xFE90, "\u{0628}"),
    (0xFE91, "\u{0628}"),
    (0xFE92, "\u{0628}"),
    (0xFE93, "\u{0629}"),
    (0xFE94, "\u{0629}"),
    (0xFE95, "\u{062A}"),
    (0xFE96, "\u{062A}"),
    (0xFE97, "\u{062A}"),
    (0xFE98, "\u{062A}"),
    (0xFE99, "\u{062B}"),
    (0xFE9A, "\u{062B}"),
    (0xFE9B, "\u{062B}"),
    (0xFE9C, "\u{062B}"),
    (0xFE9D, "\u{062C}"),
    (0xFE9E, "\u{062C}"),
    (0xFE9F, "\u{062C}"),
    (0xFEA0, "\u{062C}"),
    (0xFEA1, "\u{062D}"),
    (0xFEA2, "\u{062D}"),
    (0xFEA3, "\u{062D}"),
    (0xFEA4, "\u{062D}"),
    (0xFEA5, "\u{062E}"),
    (0xFEA6, "\u{062E}"),
    (0xFEA7, "\u{062E}"),
    (0xFEA8, "\u{062E}"),
    (0xFEA9, "\u{062F}"),
    (0xFEAA, "\u{062F}"),
    (0xFEAB, "\u{0630}"),
    (0xFEAC, "\u{0630}"),
    (0xFEAD, "\u{0631}"),
    (0xFEAE, "\u{0631}"),
    (0xFEAF, "\u{0632}"),
    (0xFEB0, "\u{0632}"),
    (0xFEB1, "\u{0633}"),
    (0xFEB2, "\u{0633}"),
    (0xFEB3, "\u{0633}"),
    (0xFEB4, "\u{0633}"),
    (0xFEB5, "\u{0634}"),
    (0xFEB6, "\u{0634}"),
    (0xFEB7, "\u{0634}"),
    (0xFEB8, "\u{0634}"),
    (0xFEB9, "\u{0635}"),
    (0xFEBA, "\u{0635}"),
    (0xFEBB, "\u{0635}"),
    (0xFEBC, "\u{0635}"),
    (0xFEBD, "\u{0636}"),
    (0xFEBE, "\u{0636}"),
    (0xFEBF, "\u{0636}"),
    (0xFEC0, "\u{0636}"),
    (0xFEC1, "\u{0637}"),
    (0xFEC2, "\u{0637}"),
    (0xFEC3, "\u{0637}"),
    (0xFEC4, "\u{0637}"),
    (0xFEC5, "\u{0638}"),
    (0xFEC6, "\u{0638}"),
    (0xFEC7, "\u{0638}"),
    (0xFEC8, "\u{0638}"),
    (0xFEC9, "\u{0639}"),
    (0xFECA, "\u{0639}"),
    (0xFECB, "\u{0639}"),
    (0xFECC, "\u{0639}"),
    (0xFECD, "\u{063A}"),
    (0xFECE, "\u{063A}"),
    (0xFECF, "\u{063A}"),
    (0xFED0, "\u{063A}"),
    (0xFED1, "\u{0641}"),
    (0xFED2, "\u{0641}"),
    (0xFED3, "\u{0641}"),
    (0xFED4, "\u{0641}"),
    (0xFED5, "\u{0642}"),
    (0xFED6, "\u{0642}"),
    (0xFED7, "\u{0642}"),
    (0xFED8, "\u{0642}"),
    (0xFED9, "\u{0643}"),
    (0xFEDA, "\u{0643}"),
    (0xFEDB, "\u{0643}"),
    (0xFEDC, "\u{0643}"),
    (0xFEDD, "\u{0644}"),
    (0xFEDE, "\u{0644}"),
    (0xFEDF, "\u{0644}"),
    (0xFEE0, "\u{0644}"),
    (0xFEE1, "\u{0645}"),
    (0xFEE2, "\u{0645}"),
    (0xFEE3, "\u{0645}"),
    (0xFEE4, "\u{0645}"),
    (0xFEE5, "\u{0646}"),
    (0xFEE6, "\u{0646}"),
    (0xFEE7, "\u{0646}"),
    (0xFEE8, "\u{0646}"),
    (0xFEE9, "\u{0647}"),
    (0xFEEA, "\u{0647}"),
    (0xFEEB, "\u{0647}"),
    (0xFEEC, "\u{0647}"),
    (0xFEED, "\u{0648}"),
    (0xFEEE, "\u{0648}"),
    (0xFEEF, "\u{0649}"),
    (0xFEF0, "\u{0649}"),
    (0xFEF1, "\u{064A}"),
    (0xFEF2, "\u{064A}"),
    (0xFEF3, "\u{064A}"),
    (0xFEF4, "\u{064A}"),
    (0xFEF5, "\u{0644}\u{0622}"),
    (0xFEF6, "\u{0644}\u{0622}"),
    (0xFEF7, "\u{0644}\u{0623}"),
    (0xFEF8, "\u{0644}\u{0623}"),
    (0xFEF9, "\u{0644}\u{0625}"),
    (0xFEFA, "\u{0644}\u{0625}"),
    (0xFEFB, "\u{0644}\u{0627}"),
    (0xFEFC, "\u{0644}\u{0627}"),
];

/// The Arabic letters a presentation form stands for.
pub(crate) fn arabic_letters(c: char) -> Option<&'static str> {
    let code = u16::try_from(u32::from(c)).ok()?;
    let i = ARABIC_FORMS.binary_search_by_key(&code, |&(k, _)| k).ok()?;
    ARABIC_FORMS.get(i).map(|&(_, s)| s)
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
        assert_eq!(unify_radical('⾼'), '高');
        assert_eq!(unify_radical('⼆'), '二');
        assert_eq!(unify_radical('a'), 'a');
        assert_eq!(arabic_letters('ﻒ'), Some("ف"));
        assert_eq!(arabic_letters('ﻻ'), Some("لا"));
    }
}
