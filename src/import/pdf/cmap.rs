//! CMaps: a font's ToUnicode map (codes to text) and a Type0 font's
//! encoding CMap (codes to CIDs), read by one small tokenizer.
//!
//! Only what text extraction needs: code space ranges (how many bytes one
//! code takes), `bfchar`/`bfrange` (including the array form) and
//! `cidchar`/`cidrange`. Ranges stay ranges, so a crafted
//! `<0000> <FFFFFFFF>` costs one entry, not four billion.

use std::collections::HashMap;

use super::super::{Budget, ImportError};

/// Mappings of more entries than this are kept as ranges, not expanded.
const EXPAND_MAX: u32 = 256;

#[derive(Debug, Clone, Copy)]
struct Space {
    len: u8,
    lo: [u8; 4],
    hi: [u8; 4],
}

#[derive(Debug, Clone)]
enum Target {
    /// UTF-16 units of the first code's text; later codes add to the last unit.
    Text(Vec<u16>),
    /// One text per code of the range.
    List(Vec<String>),
    /// The CID of the first code; later codes count on.
    Cid(u32),
}

#[derive(Debug, Clone)]
struct Range {
    len: u8,
    lo: u32,
    hi: u32,
    target: Target,
}

/// A parsed CMap. Lookups take a code with its byte length, since `<20>`
/// and `<0020>` are different codes.
#[derive(Debug, Clone, Default)]
pub(crate) struct CMap {
    spaces: Vec<Space>,
    text: HashMap<(u8, u32), String>,
    cids: HashMap<(u8, u32), u32>,
    ranges: Vec<Range>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Hex(Vec<u8>),
    Int(i64),
    Name(Vec<u8>),
    Open,
    Close,
    Word(Vec<u8>),
}

struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    fn next_token(&mut self) -> Option<Token> {
        loop {
            let b = *self.data.get(self.pos)?;
            if b.is_ascii_whitespace() || b == 0 {
                self.pos += 1;
            } else if b == b'%' {
                while self.data.get(self.pos).is_some_and(|&c| c != b'\n' && c != b'\r') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(match b {
            b'<' if self.data.get(self.pos) == Some(&b'<') => {
                self.pos += 1;
                Token::Word(b"<<".to_vec())
            }
            b'<' => {
                let mut digits = Vec::new();
                while let Some(&c) = self.data.get(self.pos) {
                    self.pos += 1;
                    if c == b'>' {
                        break;
                    }
                    if let Some(d) = (c as char).to_digit(16) {
                        digits.push(d as u8);
                    }
                }
                if digits.len() % 2 == 1 {
                    digits.push(0);
                }
                Token::Hex(
                    digits
                        .chunks(2)
                        .map(|p| p[0] << 4 | p.get(1).copied().unwrap_or(0))
                        .collect(),
                )
            }
            b'>' if self.data.get(self.pos) == Some(&b'>') => {
                self.pos += 1;
                Token::Word(b">>".to_vec())
            }
            b'[' => Token::Open,
            b']' => Token::Close,
            b'(' => {
                // A literal string: kept as its raw bytes, balanced parentheses.
                let mut depth = 1u32;
                let mut out = Vec::new();
                while let Some(&c) = self.data.get(self.pos) {
                    self.pos += 1;
                    match c {
                        b'\\' => {
                            if let Some(&e) = self.data.get(self.pos) {
                                self.pos += 1;
                                out.push(e);
                            }
                        }
                        b'(' => {
                            depth += 1;
                            out.push(c);
                        }
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            out.push(c);
                        }
                        _ => out.push(c),
                    }
                }
                Token::Hex(out)
            }
            b'/' => Token::Name(self.word()),
            _ => {
                self.pos -= 1;
                let word = self.word();
                if word.is_empty() {
                    // A stray delimiter: skip it.
                    self.pos += 1;
                    return Some(Token::Word(Vec::new()));
                }
                match std::str::from_utf8(&word).ok().and_then(|s| s.parse::<i64>().ok())
                {
                    Some(n) => Token::Int(n),
                    None => Token::Word(word),
                }
            }
        })
    }

    fn word(&mut self) -> Vec<u8> {
        let start = self.pos;
        while let Some(&c) = self.data.get(self.pos) {
            if c.is_ascii_whitespace() || b"<>[]()/%{}".contains(&c) {
                break;
            }
            self.pos += 1;
        }
        self.data.get(start..self.pos).unwrap_or_default().to_vec()
    }
}

fn code_of(bytes: &[u8]) -> Option<(u8, u32)> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    let code = bytes.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b));
    Some((bytes.len() as u8, code))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|p| u16::from(p[0]) << 8 | u16::from(p.get(1).copied().unwrap_or(0)))
        .collect()
}

/// Text of UTF-16BE bytes; lone surrogates become U+FFFD.
pub(crate) fn utf16_text(bytes: &[u8]) -> String {
    char::decode_utf16(utf16_units(bytes)).map(|c| c.unwrap_or('\u{FFFD}')).collect()
}

fn units_text(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied()).map(|c| c.unwrap_or('\u{FFFD}')).collect()
}

impl CMap {
    /// Parses a CMap stream's decoded bytes, one budget unit per token.
    pub(crate) fn parse(data: &[u8], budget: &mut Budget) -> Result<Self, ImportError> {
        let mut lexer = Lexer { data, pos: 0 };
        let mut map = CMap::default();
        // Operands since the last keyword, for the sections' own parsing.
        let mut section: Option<&'static str> = None;
        let mut operands: Vec<Token> = Vec::new();
        let mut array: Option<Vec<String>> = None;
        while let Some(token) = lexer.next_token() {
            budget.spend(1)?;
            match token {
                Token::Open if section.is_some() => array = Some(Vec::new()),
                Token::Close => {
                    if let Some(list) = array.take() {
                        map.finish_range_list(&operands, list, budget)?;
                        operands.clear();
                    }
                }
                Token::Hex(bytes) if array.is_some() => {
                    if let Some(list) = array.as_mut()
                        && list.len() < 65_536
                    {
                        list.push(utf16_text(&bytes));
                    }
                }
                Token::Word(word) => {
                    section = match word.as_slice() {
                        b"begincodespacerange" => Some("space"),
                        b"beginbfchar" => Some("bfchar"),
                        b"beginbfrange" => Some("bfrange"),
                        b"begincidchar" => Some("cidchar"),
                        b"begincidrange" => Some("cidrange"),
                        w if w.starts_with(b"end") => None,
                        _ => section,
                    };
                    operands.clear();
                    array = None;
                }
                other if section.is_some() => {
                    operands.push(other);
                    map.take_operands(
                        section.unwrap_or_default(),
                        &mut operands,
                        budget,
                    )?;
                }
                _ => {}
            }
        }
        Ok(map)
    }

    /// Consumes a complete entry of `section` from the operands, if there
    /// is one.
    fn take_operands(
        &mut self,
        section: &str,
        ops: &mut Vec<Token>,
        budget: &mut Budget,
    ) -> Result<(), ImportError> {
        match (section, ops.as_slice()) {
            ("space", [Token::Hex(lo), Token::Hex(hi)]) => {
                if lo.len() == hi.len()
                    && (1..=4).contains(&lo.len())
                    && self.spaces.len() < 1024
                {
                    let mut space = Space { len: lo.len() as u8, lo: [0; 4], hi: [0; 4] };
                    space.lo[..lo.len()].copy_from_slice(lo);
                    space.hi[..hi.len()].copy_from_slice(hi);
                    self.spaces.push(space);
                }
                ops.clear();
            }
            ("bfchar", [Token::Hex(src), dst]) => {
                if let Some(key) = code_of(src) {
                    let text = match dst {
                        Token::Hex(bytes) => Some(utf16_text(bytes)),
                        Token::Name(name) => super::encoding::glyph_text(name),
                        _ => None,
                    };
                    if let Some(text) = text {
                        self.text.insert(key, text);
                    }
                }
                ops.clear();
            }
            ("bfrange", [Token::Hex(lo), Token::Hex(hi), Token::Hex(dst)]) => {
                if let (Some(lo), Some(hi)) = (code_of(lo), code_of(hi)) {
                    self.add_range(lo, hi.1, Target::Text(utf16_units(dst)), budget)?;
                }
                ops.clear();
            }
            ("cidchar", [Token::Hex(src), Token::Int(cid)]) => {
                if let (Some(key), Ok(cid)) = (code_of(src), u32::try_from(*cid)) {
                    self.cids.insert(key, cid);
                }
                ops.clear();
            }
            ("cidrange", [Token::Hex(lo), Token::Hex(hi), Token::Int(cid)]) => {
                if let (Some(lo), Some(hi), Ok(cid)) =
                    (code_of(lo), code_of(hi), u32::try_from(*cid))
                {
                    self.add_range(lo, hi.1, Target::Cid(cid), budget)?;
                }
                ops.clear();
            }
            (_, ops_now) if ops_now.len() >= 3 => {
                // Malformed entry: drop its operands so the next one can start.
                ops.clear();
            }
            _ => {}
        }
        Ok(())
    }

    fn finish_range_list(
        &mut self,
        ops: &[Token],
        list: Vec<String>,
        budget: &mut Budget,
    ) -> Result<(), ImportError> {
        if let [Token::Hex(lo), Token::Hex(hi), ..] = ops
            && let (Some(lo), Some(hi)) = (code_of(lo), code_of(hi))
        {
            self.add_range(lo, hi.1, Target::List(list), budget)?;
        }
        Ok(())
    }

    fn add_range(
        &mut self,
        (len, lo): (u8, u32),
        hi: u32,
        target: Target,
        budget: &mut Budget,
    ) -> Result<(), ImportError> {
        if hi < lo {
            return Ok(());
        }
        let count = hi - lo;
        if count < EXPAND_MAX {
            budget.spend(u64::from(count) + 1)?;
            let range = Range { len, lo, hi, target };
            for i in 0..=count {
                match range.target {
                    Target::Cid(_) => {
                        if let Some(cid) = range.cid(lo + i) {
                            self.cids.insert((len, lo + i), cid);
                        }
                    }
                    _ => {
                        if let Some(text) = range.text(lo + i) {
                            self.text.insert((len, lo + i), text);
                        }
                    }
                }
            }
        } else if self.ranges.len() < 4096 {
            self.ranges.push(Range { len, lo, hi, target });
        }
        Ok(())
    }

    /// The length of the code that starts `bytes`, by the code space
    /// ranges; 1 when none matches (or there are none), as readers do.
    pub(crate) fn code_len(&self, bytes: &[u8]) -> usize {
        if self.spaces.is_empty() {
            return 1;
        }
        for n in 1..=4usize {
            let Some(code) = bytes.get(..n) else { break };
            let fits = self.spaces.iter().any(|s| {
                usize::from(s.len) == n
                    && code.iter().enumerate().all(|(i, &b)| s.lo[i] <= b && b <= s.hi[i])
            });
            if fits {
                return n;
            }
        }
        // No full match: the shortest code space length that exists.
        self.spaces
            .iter()
            .map(|s| usize::from(s.len))
            .min()
            .unwrap_or(1)
            .min(bytes.len().max(1))
    }

    /// Whether the CMap declares code spaces (it then decides code lengths).
    pub(crate) fn has_spaces(&self) -> bool {
        !self.spaces.is_empty()
    }

    /// The text of a code, if the map has it.
    pub(crate) fn text(&self, len: u8, code: u32) -> Option<String> {
        if let Some(text) = self.text.get(&(len, code)) {
            return Some(text.clone());
        }
        self.ranges
            .iter()
            .find(|r| {
                r.len == len
                    && r.lo <= code
                    && code <= r.hi
                    && !matches!(r.target, Target::Cid(_))
            })
            .and_then(|r| r.text(code))
    }

    /// The CID of a code, if the map has it.
    pub(crate) fn cid(&self, len: u8, code: u32) -> Option<u32> {
        if let Some(&cid) = self.cids.get(&(len, code)) {
            return Some(cid);
        }
        self.ranges
            .iter()
            .find(|r| {
                r.len == len
                    && r.lo <= code
                    && code <= r.hi
                    && matches!(r.target, Target::Cid(_))
            })
            .and_then(|r| r.cid(code))
    }
}

impl Range {
    fn text(&self, code: u32) -> Option<String> {
        let offset = code.checked_sub(self.lo)?;
        match &self.target {
            Target::Text(units) => {
                let mut units = units.clone();
                let last = units.last_mut()?;
                *last = u16::try_from(u32::from(*last).checked_add(offset)?).ok()?;
                Some(units_text(&units))
            }
            Target::List(list) => list.get(usize::try_from(offset).ok()?).cloned(),
            Target::Cid(_) => None,
        }
    }

    fn cid(&self, code: u32) -> Option<u32> {
        match self.target {
            Target::Cid(start) => start.checked_add(code.checked_sub(self.lo)?),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ImportLimits;

    #[test]
    fn bfchar_bfrange_and_arrays_map_codes_to_text() {
        let src = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
            1 begincodespacerange <0000> <FFFF> endcodespacerange
            3 beginbfchar <0003> <0020> <0011> <D835DC00> <0012> <FB01> endbfchar
            2 beginbfrange <0020> <0022> <0041> <0030> <0031> [<0416> <4E2D6587>]
            <1000> <2000> <0061> endbfrange
            1 begincidrange <0000> <FFFF> 0 endcidrange
            endcmap";
        let mut budget = Budget::new(&ImportLimits::default());
        let map = CMap::parse(src, &mut budget).expect("parses");
        assert_eq!(map.code_len(&[0, 3]), 2);
        assert_eq!(map.text(2, 3).as_deref(), Some(" "));
        assert_eq!(map.text(2, 0x11).as_deref(), Some("𝐀"));
        assert_eq!(map.text(2, 0x22).as_deref(), Some("C"));
        assert_eq!(map.text(2, 0x31).as_deref(), Some("中文"));
        assert_eq!(map.text(2, 0x1001).as_deref(), Some("b"));
        assert_eq!(map.text(1, 0x20), None);
        assert_eq!(map.cid(2, 0x1234), Some(0x1234));
    }
}
