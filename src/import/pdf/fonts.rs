//! Fonts as text extraction needs them: how a string's bytes split into
//! codes, the text and the advance width of each code, and whether the
//! font is bold.
//!
//! Not here: glyph outlines (never read) and positioning (`content`).

use lopdf::{Dictionary, Object};

use super::Ctx;
use super::cmap::CMap;
use super::encoding::{Base, arabic_letters, glyph_text, unify_radical};
use crate::import::ImportError;

/// One code of a shown string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Code {
    /// Its text; empty when the font gives no way to know it.
    pub(crate) text: String,
    /// Advance in text space for a font size of 1.
    pub(crate) width: f32,
    /// The single byte 32, to which word spacing (`Tw`) applies.
    pub(crate) word_space: bool,
}

#[derive(Debug)]
enum Kind {
    /// One byte per code; text and widths precomputed for all 256.
    Simple { text: Vec<String>, widths: Vec<f32> },
    /// Type0: codes split by the encoding CMap, widths by CID.
    Composite {
        encoding: Option<Box<CMap>>,
        /// The encoding's codes are UCS-2 (a `Uni…-UCS2-H` CMap).
        ucs2: bool,
        to_unicode: Option<Box<CMap>>,
        widths: CidWidths,
    },
}

#[derive(Debug, Default)]
struct CidWidths {
    default: f32,
    /// Sorted by first CID: (first, last, width of each or one width).
    ranges: Vec<(u32, u32, Vec<f32>)>,
}

impl CidWidths {
    fn get(&self, cid: u32) -> f32 {
        let i = self.ranges.partition_point(|r| r.0 <= cid);
        if let Some((lo, hi, ws)) = i.checked_sub(1).and_then(|i| self.ranges.get(i))
            && cid <= *hi
        {
            let w = if ws.len() == 1 { ws.first() } else { ws.get((cid - lo) as usize) };
            if let Some(&w) = w {
                return w;
            }
        }
        self.default
    }
}

/// A font of a page's resources, ready to decode strings.
#[derive(Debug)]
pub(crate) struct Font {
    kind: Kind,
    /// The name says Bold, Semibold, Black or Heavy, or the descriptor
    /// gives a weight of 600 or more, or ForceBold.
    pub(crate) bold: bool,
    /// The vertical scale of glyph space (a Type 3 font's matrix, relative
    /// to the usual 1/1000), so sizes come out right.
    pub(crate) scale_y: f32,
}

/// Spelled-out ligatures: recognition and search want letters.
fn push_expanded(out: &mut String, c: char) {
    match c {
        'ﬀ' => out.push_str("ff"),
        'ﬁ' => out.push_str("fi"),
        'ﬂ' => out.push_str("fl"),
        'ﬃ' => out.push_str("ffi"),
        'ﬄ' => out.push_str("ffl"),
        'ﬅ' | 'ﬆ' => out.push_str("st"),
        '\u{A0}' | '\t' | '\n' | '\r' => out.push(' '),
        // Private-use code points are icon fonts' pictures (phone, mail):
        // no text a reader could use.
        '\u{E000}'..='\u{F8FF}' | '\u{0}'..='\u{1F}' => {}
        _ => match arabic_letters(c) {
            Some(letters) => out.push_str(letters),
            None => out.push(unify_radical(c)),
        },
    }
}

fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_expanded(&mut out, c);
    }
    out
}

fn num(ctx: &Ctx<'_>, obj: &Object) -> Option<f32> {
    ctx.resolve(obj)?.as_float().ok().filter(|v| v.is_finite())
}

impl Font {
    /// Reads a font dictionary. A font this reader cannot interpret
    /// still loads, with codes of unknown text, so positions stay right.
    pub(crate) fn load(
        ctx: &mut Ctx<'_>,
        dict: &Dictionary,
    ) -> Result<Font, ImportError> {
        let subtype =
            ctx.get(dict, b"Subtype").and_then(|o| o.as_name().ok()).unwrap_or_default();
        if subtype == b"Type0" {
            return Self::load_composite(ctx, dict);
        }
        let base_font =
            ctx.get(dict, b"BaseFont").and_then(|o| o.as_name().ok()).unwrap_or_default();
        let descriptor = ctx.get(dict, b"FontDescriptor").and_then(|o| o.as_dict().ok());
        let bold = is_bold(ctx, base_font, descriptor);

        // Type 3 glyph space is the font's own matrix; others are 1/1000.
        let mut width_scale = 0.001f32;
        let mut scale_y = 1.0f32;
        if subtype == b"Type3"
            && let Some(m) = ctx.get(dict, b"FontMatrix").and_then(|o| o.as_array().ok())
        {
            let a = m.first().and_then(|o| num(ctx, o)).unwrap_or(0.001);
            let d = m.get(3).and_then(|o| num(ctx, o)).unwrap_or(0.001);
            width_scale = a;
            scale_y = (d * 1000.0).abs();
        }

        let missing = descriptor
            .and_then(|d| ctx.get(d, b"MissingWidth"))
            .and_then(|o| num(ctx, o))
            .map(|w| w * width_scale);
        let name = String::from_utf8_lossy(base_font).to_ascii_lowercase();
        let fallback =
            if name.contains("courier") || name.contains("mono") { 0.6 } else { 0.5 };
        let mut widths = vec![missing.unwrap_or(fallback); 256];
        if missing.is_none() {
            widths[32] = if fallback == 0.6 { 0.6 } else { 0.278 };
        }
        let first = ctx.get(dict, b"FirstChar").and_then(|o| num(ctx, o)).unwrap_or(0.0);
        if let Some(list) = ctx.get(dict, b"Widths").and_then(|o| o.as_array().ok()) {
            for (i, w) in list.iter().enumerate().take(256) {
                let code = first as i64 + i as i64;
                if let (Ok(code), Some(w)) = (usize::try_from(code), num(ctx, w))
                    && let Some(slot) = widths.get_mut(code)
                {
                    *slot = w * width_scale;
                }
            }
        }

        // Text: ToUnicode first, then the encoding with its differences,
        // then the byte as Latin-1.
        let (base, differences) = encoding_of(ctx, dict);
        let to_unicode = to_unicode(ctx, dict)?;
        let symbol = name.contains("symbol");
        // Without a base encoding, a TrueType font's built-in one is nearly
        // always WinAnsi; a Type 1 font's is Standard.
        let default_base =
            if subtype == b"TrueType" { Base::WinAnsi } else { Base::Standard };
        let mut text = Vec::with_capacity(256);
        for code in 0..=255u8 {
            let mapped = to_unicode
                .as_ref()
                .and_then(|m| m.text(1, code.into()))
                .or_else(|| differences.get(usize::from(code)).cloned().flatten())
                .or_else(|| {
                    if symbol && code == 0xB7 {
                        return Some("•".to_string());
                    }
                    base.unwrap_or(default_base).decode(code).map(String::from)
                })
                .unwrap_or_else(|| {
                    if code >= 0x20 {
                        char::from(code).to_string()
                    } else {
                        String::new()
                    }
                });
            text.push(clean(&mapped));
        }
        Ok(Font { kind: Kind::Simple { text, widths }, bold, scale_y })
    }

    fn load_composite(ctx: &mut Ctx<'_>, dict: &Dictionary) -> Result<Font, ImportError> {
        let base_font =
            ctx.get(dict, b"BaseFont").and_then(|o| o.as_name().ok()).unwrap_or_default();
        let descendant = ctx
            .get(dict, b"DescendantFonts")
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|o| ctx.resolve(o))
            .and_then(|o| o.as_dict().ok());
        let descriptor = descendant
            .and_then(|d| ctx.get(d, b"FontDescriptor"))
            .and_then(|o| o.as_dict().ok());
        let bold = is_bold(ctx, base_font, descriptor);

        let mut widths = CidWidths { default: 1.0, ranges: Vec::new() };
        if let Some(d) = descendant {
            if let Some(dw) = ctx.get(d, b"DW").and_then(|o| num(ctx, o)) {
                widths.default = dw / 1000.0;
            }
            if let Some(w) = ctx.get(d, b"W").and_then(|o| o.as_array().ok()) {
                read_w(ctx, w, &mut widths)?;
            }
        }

        let mut ucs2 = false;
        let mut encoding = None;
        match ctx.get(dict, b"Encoding") {
            Some(Object::Name(name)) => {
                let name = String::from_utf8_lossy(name);
                ucs2 = name.starts_with("Uni")
                    && (name.contains("UCS2") || name.contains("UTF16"));
            }
            Some(Object::Stream(stream)) => {
                if let Ok(bytes) = ctx.inflate(stream)? {
                    encoding = Some(Box::new(CMap::parse(&bytes, ctx.budget)?));
                }
            }
            _ => {}
        }
        let to_unicode = to_unicode(ctx, dict)?.map(Box::new);
        Ok(Font {
            kind: Kind::Composite { encoding, ucs2, to_unicode, widths },
            bold,
            scale_y: 1.0,
        })
    }

    /// Splits a shown string into codes, calling `each` for every one.
    pub(crate) fn decode(&self, bytes: &[u8], mut each: impl FnMut(Code)) {
        match &self.kind {
            Kind::Simple { text, widths } => {
                for &b in bytes {
                    each(Code {
                        text: text.get(usize::from(b)).cloned().unwrap_or_default(),
                        width: widths.get(usize::from(b)).copied().unwrap_or(0.5),
                        word_space: b == 32,
                    });
                }
            }
            Kind::Composite { encoding, ucs2, to_unicode, widths } => {
                let mut rest = bytes;
                while !rest.is_empty() {
                    let len = match encoding {
                        Some(map) if map.has_spaces() => map.code_len(rest),
                        _ => 2,
                    }
                    .clamp(1, 4)
                    .min(rest.len());
                    let (code_bytes, tail) = rest.split_at(len);
                    rest = tail;
                    let code =
                        code_bytes.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b));
                    let len8 = len as u8;
                    let cid = match encoding {
                        Some(map) => map.cid(len8, code).unwrap_or(0),
                        None => code,
                    };
                    let text = to_unicode
                        .as_ref()
                        .and_then(|m| m.text(len8, code))
                        .or_else(|| {
                            ucs2.then(|| char::from_u32(code).map(String::from)).flatten()
                        })
                        .map(|t| clean(&t))
                        .unwrap_or_default();
                    each(Code {
                        text,
                        width: widths.get(cid),
                        word_space: len == 1 && code == 32,
                    });
                }
            }
        }
    }
}

/// `/W`: `c [w1 w2 …]` or `c_first c_last w`, repeated.
fn read_w(
    ctx: &mut Ctx<'_>,
    w: &[Object],
    out: &mut CidWidths,
) -> Result<(), ImportError> {
    let mut i = 0usize;
    while let Some(first) = w.get(i) {
        ctx.budget.spend(1)?;
        let Some(first) = num(ctx, first).filter(|v| *v >= 0.0) else { break };
        match w.get(i + 1).and_then(|o| ctx.resolve(o)) {
            Some(Object::Array(list)) => {
                let ws: Vec<f32> =
                    list.iter().map(|o| num(ctx, o).unwrap_or(0.0) / 1000.0).collect();
                ctx.budget.spend(ws.len() as u64)?;
                if !ws.is_empty() {
                    let last = (first as u32).saturating_add(ws.len() as u32 - 1);
                    out.ranges.push((first as u32, last, ws));
                }
                i += 2;
            }
            Some(other) => {
                let last = num(ctx, other).unwrap_or(first);
                let width =
                    w.get(i + 2).and_then(|o| num(ctx, o)).unwrap_or(0.0) / 1000.0;
                if last >= first {
                    out.ranges.push((first as u32, last as u32, vec![width]));
                }
                i += 3;
            }
            None => break,
        }
    }
    out.ranges.sort_by_key(|r| r.0);
    Ok(())
}

/// The base encoding and the `/Differences` of a simple font.
fn encoding_of(ctx: &Ctx<'_>, dict: &Dictionary) -> (Option<Base>, Vec<Option<String>>) {
    let mut differences = vec![None; 256];
    match ctx.get(dict, b"Encoding") {
        Some(Object::Name(name)) => (Base::from_name(name), differences),
        Some(Object::Dictionary(enc)) => {
            let base = ctx
                .get(enc, b"BaseEncoding")
                .and_then(|o| o.as_name().ok())
                .and_then(Base::from_name);
            if let Some(list) =
                ctx.get(enc, b"Differences").and_then(|o| o.as_array().ok())
            {
                let mut code: i64 = 0;
                for item in list {
                    match ctx.resolve(item) {
                        Some(Object::Integer(n)) => code = *n,
                        Some(Object::Name(glyph)) => {
                            if let Ok(slot) = usize::try_from(code)
                                && let Some(slot) = differences.get_mut(slot)
                            {
                                *slot = glyph_text(glyph);
                            }
                            code = code.saturating_add(1);
                        }
                        _ => {}
                    }
                }
            }
            (base, differences)
        }
        _ => (None, differences),
    }
}

fn to_unicode(ctx: &mut Ctx<'_>, dict: &Dictionary) -> Result<Option<CMap>, ImportError> {
    let Some(Object::Stream(stream)) = ctx.get(dict, b"ToUnicode") else {
        return Ok(None);
    };
    match ctx.inflate(stream)? {
        Ok(bytes) => Ok(Some(CMap::parse(&bytes, ctx.budget)?)),
        // A damaged ToUnicode map: the encoding still gives the text.
        Err(_) => Ok(None),
    }
}

fn is_bold(ctx: &Ctx<'_>, base_font: &[u8], descriptor: Option<&Dictionary>) -> bool {
    let name = String::from_utf8_lossy(base_font);
    // A subset font is named ABCDEF+Real-Name.
    let name = name.split_once('+').map_or(&*name, |(_, n)| n).to_ascii_lowercase();
    let by_name =
        ["bold", "black", "heavy", "semibd", "demi"].iter().any(|w| name.contains(w));
    let by_descriptor = descriptor.is_some_and(|d| {
        let weight = ctx.get(d, b"FontWeight").and_then(|o| num(ctx, o)).unwrap_or(0.0);
        let flags = ctx.get(d, b"Flags").and_then(|o| o.as_i64().ok()).unwrap_or(0);
        weight >= 600.0 || flags & (1 << 18) != 0
    });
    by_name || by_descriptor
}
