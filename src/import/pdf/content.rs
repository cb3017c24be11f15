//! The content-stream interpreter: graphics and text state, the text
//! operators, and Form XObjects, giving the page's text as segments (runs
//! of glyphs on one baseline, drawn one after another).
//!
//! Not here: columns and lines (`layout`). Paths and images are skipped;
//! Type 3 glyph procedures are never run (their widths and ToUnicode give
//! the text).

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Object, ObjectId};

use super::fonts::{Code, Font};
use super::{Ctx, MAX_TREE_DEPTH, Page};
use crate::import::ImportError;

/// Saved graphics states past which `q` no longer saves (a crafted
/// stream of a million `q`s would otherwise hold a million states).
const MAX_SAVED: usize = 256;
/// Fonts loaded per document, so a crafted file cannot make every `Tf`
/// load a new one.
const MAX_FONTS: usize = 2_000;

/// A run of glyphs on one baseline in drawing order, in points from the
/// displayed page's top-left.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Segment {
    /// Left edge of the first glyph.
    pub(crate) x0: f32,
    /// Right edge of the last glyph (its advance, without spacing).
    pub(crate) x1: f32,
    /// Baseline.
    pub(crate) y: f32,
    /// Font size in points, as drawn.
    pub(crate) size: f32,
    /// The text, with a space where the glyphs leave a word-sized gap.
    pub(crate) text: String,
    /// Characters drawn in a bold font (or in fill-and-stroke mode).
    pub(crate) bold_chars: u32,
    /// Characters of the text, spaces excluded.
    pub(crate) chars: u32,
    /// Drawn right after an icon glyph (one without text).
    pub(crate) after_icon: bool,
}

/// A small filled shape, in the same coordinates as [`Segment`]: the
/// list markers browsers draw as paths (discs, squares, triangles).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Marker {
    /// Left edge.
    pub(crate) x0: f32,
    /// Right edge.
    pub(crate) x1: f32,
    /// Top edge.
    pub(crate) y0: f32,
    /// Bottom edge.
    pub(crate) y1: f32,
}

/// Shapes larger than this (in points) are never list markers.
const MARKER_MAX: f32 = 12.0;
/// Markers kept per page.
const MAX_MARKERS: usize = 5_000;

/// An affine matrix `[a b c d e f]`, applied to row vectors as PDF does.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self` then `then`.
    fn then(self, then: Matrix) -> Matrix {
        let [a1, b1, c1, d1, e1, f1] = self.0;
        let [a2, b2, c2, d2, e2, f2] = then.0;
        Matrix([
            a1 * a2 + b1 * c2,
            a1 * b2 + b1 * d2,
            c1 * a2 + d1 * c2,
            c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2,
            e1 * b2 + f1 * d2 + f2,
        ])
    }

    fn apply(self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }
}

#[derive(Debug, Clone)]
struct State {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f32,
    char_space: f32,
    word_space: f32,
    scale: f32,
    leading: f32,
    rise: f32,
    render: i64,
}

impl State {
    fn new(ctm: Matrix) -> Self {
        State {
            ctm,
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
            render: 0,
        }
    }
}

/// The interpreter; its font cache lives across the pages of a document.
#[derive(Default)]
pub(crate) struct Interp {
    fonts: HashMap<usize, Rc<Font>>,
}

/// One page's run: state, the segment being built, the segments done.
struct Run {
    state: State,
    saved: Vec<State>,
    /// `q`s past [`MAX_SAVED`] whose `Q` must not pop.
    unsaved: usize,
    tm: Matrix,
    tlm: Matrix,
    width: f32,
    height: f32,
    current: Option<Segment>,
    segments: Vec<Segment>,
    /// The bounding box of the path being built, in page coordinates.
    path: Option<[f32; 4]>,
    markers: Vec<Marker>,
    forms: Vec<ObjectId>,
    /// An icon glyph was skipped since the last segment started.
    after_icon: bool,
}

fn number(obj: &Object) -> Option<f32> {
    obj.as_float().ok().filter(|v| v.is_finite())
}

fn numbers<const N: usize>(ops: &[Object]) -> Option<[f32; N]> {
    let mut out = [0f32; N];
    if ops.len() < N {
        return None;
    }
    for (slot, op) in out.iter_mut().zip(ops) {
        *slot = number(op)?;
    }
    Some(out)
}

impl Interp {
    /// Runs a page's content streams and returns its text segments and
    /// the small shapes that may be list markers.
    pub(crate) fn run_page<'a>(
        &mut self,
        ctx: &mut Ctx<'a>,
        page: &Page<'a>,
    ) -> Result<(Vec<Segment>, Vec<Marker>), ImportError> {
        let [l, b, r, t] = page.media;
        let display = match page.quarter_turns {
            1 => Matrix([0.0, 1.0, 1.0, 0.0, -b, -l]),
            2 => Matrix([-1.0, 0.0, 0.0, 1.0, r, -b]),
            3 => Matrix([0.0, -1.0, -1.0, 0.0, t, r]),
            _ => Matrix([1.0, 0.0, 0.0, -1.0, -l, t]),
        };
        let mut run = Run {
            state: State::new(display),
            saved: Vec::new(),
            unsaved: 0,
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            width: page.width(),
            height: page.height(),
            current: None,
            segments: Vec::new(),
            path: None,
            markers: Vec::new(),
            after_icon: false,
            forms: Vec::new(),
        };
        let mut data = Vec::new();
        let contents = page.dict.get(b"Contents").ok().and_then(|o| ctx.resolve(o));
        let parts: Vec<&Object> = match contents {
            Some(Object::Array(items)) => items.iter().collect(),
            Some(other) => vec![other],
            None => Vec::new(),
        };
        for part in parts {
            if let Some(Object::Stream(stream)) = ctx.resolve(part) {
                match ctx.inflate(stream)? {
                    Ok(bytes) => data.extend_from_slice(&bytes),
                    Err(why) => {
                        return Err(ImportError::Corrupt(format!(
                            "a page's content stream does not decode ({why})"
                        )));
                    }
                }
                // Streams of one page may split between any two tokens.
                data.push(b'\n');
            }
        }
        self.run_stream(ctx, &mut run, &data, page.resources, 0)?;
        run.flush();
        Ok((run.segments, run.markers))
    }

    fn run_stream<'a>(
        &mut self,
        ctx: &mut Ctx<'a>,
        run: &mut Run,
        data: &[u8],
        resources: Option<&'a Dictionary>,
        depth: usize,
    ) -> Result<(), ImportError> {
        for op in Content::decode_iter(data) {
            ctx.budget.spend(1)?;
            // The rest of a stream that stops parsing is lost; what came
            // before it is kept, as viewers show it.
            let Ok(op) = op else { break };
            self.operator(ctx, run, &op.operator, &op.operands, resources, depth)?;
        }
        Ok(())
    }

    fn operator<'a>(
        &mut self,
        ctx: &mut Ctx<'a>,
        run: &mut Run,
        name: &str,
        ops: &[Object],
        resources: Option<&'a Dictionary>,
        depth: usize,
    ) -> Result<(), ImportError> {
        let st = &mut run.state;
        match name {
            "q" => {
                if run.saved.len() < MAX_SAVED {
                    run.saved.push(st.clone());
                } else {
                    run.unsaved += 1;
                }
            }
            "Q" => {
                if run.unsaved > 0 {
                    run.unsaved -= 1;
                } else if let Some(prev) = run.saved.pop() {
                    run.state = prev;
                }
            }
            "cm" => {
                if let Some(m) = numbers::<6>(ops) {
                    st.ctm = Matrix(m).then(st.ctm);
                }
            }
            "BT" => {
                run.tm = Matrix::IDENTITY;
                run.tlm = Matrix::IDENTITY;
            }
            "Tf" => {
                if let (Some(Object::Name(font)), Some(size)) =
                    (ops.first(), ops.get(1).and_then(number))
                {
                    st.size = size;
                    st.font = self.font(ctx, resources, font)?;
                }
            }
            "Tc" => st.char_space = ops.first().and_then(number).unwrap_or(st.char_space),
            "Tw" => st.word_space = ops.first().and_then(number).unwrap_or(st.word_space),
            "Tz" => {
                st.scale = ops.first().and_then(number).map_or(st.scale, |v| v / 100.0)
            }
            "TL" => st.leading = ops.first().and_then(number).unwrap_or(st.leading),
            "Ts" => st.rise = ops.first().and_then(number).unwrap_or(st.rise),
            "Tr" => {
                st.render = ops.first().and_then(|o| o.as_i64().ok()).unwrap_or(st.render)
            }
            "Td" => {
                if let Some([x, y]) = numbers::<2>(ops) {
                    run.tlm = Matrix::translate(x, y).then(run.tlm);
                    run.tm = run.tlm;
                }
            }
            "TD" => {
                if let Some([x, y]) = numbers::<2>(ops) {
                    st.leading = -y;
                    run.tlm = Matrix::translate(x, y).then(run.tlm);
                    run.tm = run.tlm;
                }
            }
            "Tm" => {
                if let Some(m) = numbers::<6>(ops) {
                    run.tlm = Matrix(m);
                    run.tm = run.tlm;
                }
            }
            "T*" => run.next_line(),
            "Tj" => {
                if let Some(Object::String(bytes, _)) = ops.first() {
                    run.show(ctx, bytes)?;
                }
            }
            "'" => {
                run.next_line();
                if let Some(Object::String(bytes, _)) = ops.first() {
                    run.show(ctx, bytes)?;
                }
            }
            "\"" => {
                if let Some([aw, ac]) = numbers::<2>(ops) {
                    st.word_space = aw;
                    st.char_space = ac;
                }
                run.next_line();
                if let Some(Object::String(bytes, _)) = ops.get(2) {
                    run.show(ctx, bytes)?;
                }
            }
            "TJ" => {
                if let Some(Object::Array(items)) = ops.first() {
                    for item in items {
                        match item {
                            Object::String(bytes, _) => run.show(ctx, bytes)?,
                            other => {
                                if let Some(adjust) = number(other) {
                                    let st = &run.state;
                                    let tx = -adjust / 1000.0 * st.size * st.scale;
                                    run.tm = Matrix::translate(tx, 0.0).then(run.tm);
                                }
                            }
                        }
                    }
                }
            }
            "m" | "l" => {
                if let Some([x, y]) = numbers::<2>(ops) {
                    run.extend_path(&[(x, y)]);
                }
            }
            "c" => {
                if let Some([x1, y1, x2, y2, x3, y3]) = numbers::<6>(ops) {
                    run.extend_path(&[(x1, y1), (x2, y2), (x3, y3)]);
                }
            }
            "v" | "y" => {
                if let Some([x1, y1, x2, y2]) = numbers::<4>(ops) {
                    run.extend_path(&[(x1, y1), (x2, y2)]);
                }
            }
            "re" => {
                if let Some([x, y, w, h]) = numbers::<4>(ops) {
                    run.extend_path(&[(x, y), (x + w, y), (x, y + h), (x + w, y + h)]);
                }
            }
            "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" => run.fill_path(),
            "S" | "s" | "n" => run.path = None,
            "Do" => {
                if let Some(Object::Name(name)) = ops.first() {
                    self.form(ctx, run, resources, name, depth)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn font<'a>(
        &mut self,
        ctx: &mut Ctx<'a>,
        resources: Option<&'a Dictionary>,
        name: &[u8],
    ) -> Result<Option<Rc<Font>>, ImportError> {
        let Some(dict) = resources
            .and_then(|r| ctx.get(r, b"Font"))
            .and_then(|f| f.as_dict().ok())
            .and_then(|f| ctx.get(f, name))
            .and_then(|f| f.as_dict().ok())
        else {
            return Ok(None);
        };
        // The dictionary's address names it: the document outlives the cache.
        let key = dict as *const Dictionary as usize;
        if let Some(font) = self.fonts.get(&key) {
            return Ok(Some(font.clone()));
        }
        if self.fonts.len() >= MAX_FONTS {
            return Ok(None);
        }
        ctx.budget.spend(100)?;
        let font = Rc::new(Font::load(ctx, dict)?);
        self.fonts.insert(key, font.clone());
        Ok(Some(font))
    }

    fn form<'a>(
        &mut self,
        ctx: &mut Ctx<'a>,
        run: &mut Run,
        resources: Option<&'a Dictionary>,
        name: &[u8],
        depth: usize,
    ) -> Result<(), ImportError> {
        let Some(reference) = resources
            .and_then(|r| ctx.get(r, b"XObject"))
            .and_then(|x| x.as_dict().ok())
            .and_then(|x| x.get(name).ok())
        else {
            return Ok(());
        };
        let id = reference.as_reference().ok();
        let Some(Object::Stream(stream)) = ctx.resolve(reference) else { return Ok(()) };
        if stream.dict.get(b"Subtype").ok().and_then(|s| s.as_name().ok())
            != Some(b"Form")
        {
            return Ok(());
        }
        // A form drawing itself (directly or through others) is not followed.
        if depth >= MAX_TREE_DEPTH || id.is_some_and(|id| run.forms.contains(&id)) {
            return Ok(());
        }
        let data = match ctx.inflate(stream)? {
            Ok(data) => data,
            Err(_) => return Ok(()),
        };
        let form_resources = ctx
            .get(&stream.dict, b"Resources")
            .and_then(|r| r.as_dict().ok())
            .or(resources);
        let matrix = ctx
            .get(&stream.dict, b"Matrix")
            .and_then(|m| m.as_array().ok())
            .and_then(|m| numbers::<6>(m))
            .map_or(Matrix::IDENTITY, Matrix);
        let saved = run.state.clone();
        let saved_depth = run.saved.len();
        let (tm, tlm) = (run.tm, run.tlm);
        run.state.ctm = matrix.then(run.state.ctm);
        if let Some(id) = id {
            run.forms.push(id);
        }
        self.run_stream(ctx, run, &data, form_resources, depth + 1)?;
        if id.is_some() {
            run.forms.pop();
        }
        run.saved.truncate(saved_depth);
        run.state = saved;
        run.tm = tm;
        run.tlm = tlm;
        Ok(())
    }
}

impl Run {
    fn extend_path(&mut self, points: &[(f32, f32)]) {
        for &(x, y) in points {
            let (x, y) = self.state.ctm.apply(x, y);
            if !(x.is_finite() && y.is_finite()) {
                continue;
            }
            let b = self.path.get_or_insert([x, y, x, y]);
            *b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
        }
    }

    /// A filled path small enough to be a list marker is kept as one.
    fn fill_path(&mut self) {
        if let Some([x0, y0, x1, y1]) = self.path.take() {
            let (w, h) = (x1 - x0, y1 - y0);
            let sized = w <= MARKER_MAX && h <= MARKER_MAX && w.min(h) >= 0.8;
            let square = w <= 3.0 * h && h <= 3.0 * w;
            if sized && square && self.markers.len() < MAX_MARKERS {
                self.markers.push(Marker { x0, x1, y0, y1 });
            }
        }
    }

    fn next_line(&mut self) {
        self.tlm = Matrix::translate(0.0, -self.state.leading).then(self.tlm);
        self.tm = self.tlm;
    }

    /// Shows a string: each code's glyph is placed, then the text matrix
    /// moves on by its advance plus character and word spacing.
    fn show(&mut self, ctx: &mut Ctx<'_>, bytes: &[u8]) -> Result<(), ImportError> {
        let Some(font) = self.state.font.clone() else { return Ok(()) };
        ctx.budget.spend(bytes.len() as u64)?;
        let mut codes = Vec::new();
        font.decode(bytes, |code| codes.push(code));
        for code in codes {
            self.glyph(&font, code);
        }
        Ok(())
    }

    fn glyph(&mut self, font: &Font, code: Code) {
        let st = &self.state;
        let advance = code.width * st.size * st.scale;
        let spacing = (st.char_space + if code.word_space { st.word_space } else { 0.0 })
            * st.scale;
        let m = self.tm.then(st.ctm);
        let (x0, y) = m.apply(0.0, st.rise);
        let (x1, _) = m.apply(advance, st.rise);
        let [a, b, c, d, _, _] = m.0;
        let size = st.size.abs() * font.scale_y * (c * c + d * d).sqrt();
        let letter_gap = st.char_space.max(0.0) * st.scale * (a * a + b * b).sqrt();
        let visible = !matches!(st.render, 3 | 7);
        let bold = font.bold || matches!(st.render, 2 | 6);
        self.tm = Matrix::translate(advance + spacing, 0.0).then(self.tm);

        // Only upright left-to-right text, inside the page, is read;
        // rotated captions and vertical writing are skipped.
        let upright = a > 0.0 && b.abs() <= 0.1 * a;
        let inside = (-1.0..=self.width + 1.0).contains(&x0)
            && (-1.0..=self.height + 1.0).contains(&y);
        if !visible
            || !upright
            || !inside
            || !size.is_finite()
            || size < 0.5
            || !x1.is_finite()
        {
            if code.text.trim().is_empty() {
                return;
            }
            self.flush();
            return;
        }
        let is_space =
            !code.text.is_empty() && code.text.chars().all(char::is_whitespace);
        // A drawn glyph with no text is an icon (a phone, a pin) in nearly
        // every resume: it separates what stands on either side of it.
        if code.text.is_empty() && code.width > 0.0 {
            self.flush();
            self.after_icon = true;
            return;
        }
        if let Some(seg) = self.current.as_mut() {
            let em = seg.size.max(size);
            let gap = x0 - seg.x1;
            let same_line = (y - seg.y).abs() <= 0.3 * em;
            // A change of size across a gap starts a new segment, so that
            // layout can keep a margin label apart from the text beside it.
            let small = seg.size.min(size);
            let resized = em >= 1.2 * small && gap > 0.5 * small;
            if same_line && !resized && gap > -0.5 * em && gap < 1.2 * em + letter_gap {
                if code.text.is_empty() {
                    // A glyph without known text: its room is kept.
                } else if !is_space {
                    if gap - letter_gap > 0.25 * em && !seg.text.ends_with(' ') {
                        seg.text.push(' ');
                    }
                    seg.text.push_str(&code.text);
                    let n =
                        code.text.chars().filter(|c| !c.is_whitespace()).count() as u32;
                    seg.chars += n;
                    if bold {
                        seg.bold_chars += n;
                    }
                } else if !seg.text.ends_with(' ') {
                    seg.text.push(' ');
                }
                seg.x1 = seg.x1.max(x1);
                seg.size = seg.size.max(size);
                return;
            }
            self.flush();
        }
        if is_space || code.text.is_empty() {
            return;
        }
        let n = code.text.chars().filter(|c| !c.is_whitespace()).count() as u32;
        self.current = Some(Segment {
            x0,
            x1,
            y,
            size,
            text: code.text,
            bold_chars: if bold { n } else { 0 },
            chars: n,
            after_icon: std::mem::take(&mut self.after_icon),
        });
    }

    fn flush(&mut self) {
        if let Some(mut seg) = self.current.take() {
            let trimmed = seg.text.trim_end();
            if !trimmed.is_empty() {
                seg.text.truncate(trimmed.len());
                self.segments.push(seg);
            }
        }
    }
}
