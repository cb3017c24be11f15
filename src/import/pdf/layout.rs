//! Layout: a page's text segments into blocks (columns, sidebars, the
//! full-width header) in reading order, and each block's segments into
//! lines.
//!
//! Columns are found as vertical gutters: an x range that no segment
//! crosses over most of the text's height, with enough text on both
//! sides. A segment that spans the gutter (a header line above two
//! columns) cuts the page into bands; within a band the left column is
//! read before the right one. A narrow side whose baselines line up with
//! the other side's is a table (dates beside titles), not a column.
//!
//! Not here: what a line means (recognition).

use std::collections::HashSet;

use super::content::{Marker, Segment};
use crate::import::{Budget, ImportError, Line};

/// Column splits inside columns, at most (a sidebar, a main column, and
/// one split inside either).
const MAX_SPLIT_DEPTH: usize = 3;

/// Characters that start a list item when they stand first on a line.
const BULLETS: &[char] = &[
    '•', '◦', '▪', '■', '●', '‣', '▸', '►', '○', '□', '◆', '❖', '➢', '➤', '✓', '✔', '⁃',
    '∙',
];
/// Characters that start a list item only when a space follows.
const SPACED_BULLETS: &[char] = &['–', '-', '*', '·', '—'];

fn median(values: &mut [f32]) -> Option<f32> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f32::total_cmp);
    values.get(values.len() / 2).copied()
}

/// One page's blocks in reading order, each a list of lines (block ids
/// and gaps are set by [`finish`]).
pub(crate) fn page_blocks(
    segments: Vec<Segment>,
    markers: &[Marker],
    page: u32,
    budget: &mut Budget,
) -> Result<Vec<Vec<Line>>, ImportError> {
    budget.spend(segments.len() as u64)?;
    // Text drawn twice at one place (a shadow, a fake bold) is read once.
    let mut seen = HashSet::new();
    let segments: Vec<Segment> = segments
        .into_iter()
        .filter(|s| {
            seen.insert((s.text.clone(), s.x0.round() as i32, s.y.round() as i32))
        })
        .collect();
    let all: Vec<usize> = (0..segments.len()).collect();
    let mut groups = Vec::new();
    split(&segments, all, 0, budget, &mut groups)?;
    let mut blocks = Vec::new();
    for group in groups {
        let lines = lines_of(&segments, group, markers, page, budget)?;
        if !lines.is_empty() {
            blocks.push(lines);
        }
    }
    Ok(blocks)
}

/// Splits segments at a gutter into ordered groups, recursively.
fn split(
    segs: &[Segment],
    mut idx: Vec<usize>,
    depth: usize,
    budget: &mut Budget,
    out: &mut Vec<Vec<usize>>,
) -> Result<(), ImportError> {
    let gutter = if depth < MAX_SPLIT_DEPTH && idx.len() >= 8 {
        find_gutter(segs, &idx, budget)?
    } else {
        None
    };
    let Some((g0, g1)) = gutter else {
        out.push(idx);
        return Ok(());
    };
    idx.sort_by(|&a, &b| {
        segs[a].y.total_cmp(&segs[b].y).then(segs[a].x0.total_cmp(&segs[b].x0))
    });
    let min_x = idx.iter().map(|&i| segs[i].x0).fold(f32::INFINITY, f32::min);
    let max_x = idx.iter().map(|&i| segs[i].x1).fold(f32::NEG_INFINITY, f32::max);
    let centre = (min_x, max_x);
    let mid = (g0 + g1) / 2.0;
    let (mut left, mut right, mut across) = (Vec::new(), Vec::new(), Vec::new());
    // Where the last full-width group ended in `out`, so that a centred
    // title right under it joins it.
    let mut across_end = None;
    for i in idx {
        let s = &segs[i];
        if s.x0 < g0 - 1.0 && s.x1 > g1 + 1.0 {
            if !left.is_empty() || !right.is_empty() {
                let (l, r) = (std::mem::take(&mut left), std::mem::take(&mut right));
                let joins = across_end == Some(out.len());
                band(segs, l, r, centre, joins, depth, budget, out)?;
            }
            across.push(i);
        } else {
            if !across.is_empty() {
                out.push(std::mem::take(&mut across));
                across_end = Some(out.len());
            }
            if s.x0 < mid { left.push(i) } else { right.push(i) }
        }
    }
    if !across.is_empty() {
        out.push(across);
        across_end = Some(out.len());
    }
    let joins = across_end == Some(out.len());
    band(segs, left, right, centre, joins, depth, budget, out)
}

/// One band between full-width lines: its left column, then its right.
/// Centred lines of one side above everything on the other (a name and
/// title over the columns that do not reach across the gutter) come
/// first, as a block of their own, or with the full-width lines just
/// above them (`joins`: the name above them reached across).
#[allow(clippy::too_many_arguments)]
fn band(
    segs: &[Segment],
    mut left: Vec<usize>,
    mut right: Vec<usize>,
    (min_x, max_x): (f32, f32),
    joins: bool,
    depth: usize,
    budget: &mut Budget,
    out: &mut Vec<Vec<usize>>,
) -> Result<(), ImportError> {
    let top = |side: &[usize]| side.first().map_or(f32::INFINITY, |&i| segs[i].y);
    let (upper, other_top) = if top(&left) < top(&right) {
        (&mut left, top(&right))
    } else {
        (&mut right, top(&left))
    };
    let span = max_x - min_x;
    let centred = |s: &Segment| {
        let c = (s.x0 + s.x1) / 2.0 - min_x;
        (0.3 * span..=0.7 * span).contains(&c)
    };
    let header = upper
        .iter()
        .take_while(|&&i| segs[i].y < other_top - segs[i].size && centred(&segs[i]))
        .count();
    if header > 0 {
        let lines: Vec<usize> = upper.drain(..header).collect();
        match out.last_mut() {
            Some(group) if joins => group.extend(lines),
            _ => out.push(lines),
        }
    }
    if !left.is_empty() {
        split(segs, left, depth + 1, budget, out)?;
    }
    if !right.is_empty() {
        split(segs, right, depth + 1, budget, out)?;
    }
    Ok(())
}

/// The widest gutter that separates two real columns, as an x range.
fn find_gutter(
    segs: &[Segment],
    idx: &[usize],
    budget: &mut Budget,
) -> Result<Option<(f32, f32)>, ImportError> {
    let min_x = idx.iter().map(|&i| segs[i].x0).fold(f32::INFINITY, f32::min);
    let max_x = idx.iter().map(|&i| segs[i].x1).fold(f32::NEG_INFINITY, f32::max);
    let min_y = idx.iter().map(|&i| segs[i].y).fold(f32::INFINITY, f32::min);
    let max_y = idx.iter().map(|&i| segs[i].y).fold(f32::NEG_INFINITY, f32::max);
    let width = max_x - min_x;
    let height = max_y - min_y;
    let mut sizes: Vec<f32> = idx.iter().map(|&i| segs[i].size).collect();
    let em = median(&mut sizes).unwrap_or(10.0);
    if !(width > 50.0 && width.is_finite() && height > 3.0 * em && height.is_finite()) {
        return Ok(None);
    }
    // Coverage of each point of x by the segments above it, weighted by
    // their size: a difference array, then running sums.
    let bins = (width.ceil() as usize).clamp(1, 4000);
    let per_bin = width / bins as f32;
    budget.spend((bins + idx.len()) as u64)?;
    let mut diff = vec![0f32; bins + 1];
    for &i in idx {
        let s = &segs[i];
        let a = (((s.x0 - min_x) / per_bin) as usize).min(bins);
        let b = (((s.x1 - min_x) / per_bin).ceil() as usize).min(bins);
        if let Some(d) = diff.get_mut(a) {
            *d += s.size;
        }
        if let Some(d) = diff.get_mut(b) {
            *d -= s.size;
        }
    }
    let mut cover = Vec::with_capacity(bins);
    let mut sum = 0f32;
    for d in diff.iter().take(bins) {
        sum += d;
        cover.push(sum);
    }
    let max_cover = cover.iter().copied().fold(0f32, f32::max);
    let low = 0.25 * max_cover;
    let min_gap = (0.8 * em).max(8.0);

    let mut runs = Vec::new();
    let mut start = None;
    for (i, &c) in cover.iter().enumerate() {
        match (c <= low, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    let mut runs: Vec<(f32, f32)> = runs
        .into_iter()
        .filter(|&(s, _)| s > 0)
        .map(|(s, e)| (min_x + s as f32 * per_bin, min_x + e as f32 * per_bin))
        .filter(|(a, b)| b - a >= min_gap)
        .collect();
    runs.sort_by(|a, b| (b.1 - b.0).total_cmp(&(a.1 - a.0)));
    // The widest few only: each costs a pass over the segments.
    for (g0, g1) in runs.into_iter().take(8) {
        budget.spend(idx.len() as u64)?;
        if columns_apart(segs, idx, g0, g1, width, height) {
            return Ok(Some((g0, g1)));
        }
    }
    Ok(None)
}

/// Whether the text left and right of `g0..g1` reads as two columns.
fn columns_apart(
    segs: &[Segment],
    idx: &[usize],
    g0: f32,
    g1: f32,
    width: f32,
    height: f32,
) -> bool {
    let mid = (g0 + g1) / 2.0;
    let (mut left, mut right, mut across) = (Vec::new(), Vec::new(), Vec::new());
    for &i in idx {
        let s = &segs[i];
        if s.x0 < g0 - 1.0 && s.x1 > g1 + 1.0 {
            across.push(s.y);
        } else if s.x0 < mid {
            left.push(s);
        } else {
            right.push(s);
        }
    }
    if left.len() < 3 || right.len() < 3 || across.len() * 10 > idx.len() * 3 {
        return false;
    }
    // Lines across the gutter belong above or below columns (a header, a
    // footer); many of them between the columns' lines mean one column
    // with a few short lines (a skills grid, dates on the right).
    let span = |side: &[&Segment]| {
        let lo = side.iter().map(|s| s.y).fold(f32::INFINITY, f32::min);
        let hi = side.iter().map(|s| s.y).fold(f32::NEG_INFINITY, f32::max);
        (lo, hi)
    };
    let ((l0, l1), (r0, r1)) = (span(&left), span(&right));
    let (both0, both1) = (l0.max(r0), l1.min(r1));
    if across.iter().filter(|&&y| y > both0 && y < both1).count() > 2 {
        return false;
    }
    let extent = |side: &[&Segment]| {
        let lo = side.iter().map(|s| s.y).fold(f32::INFINITY, f32::min);
        let hi = side.iter().map(|s| s.y).fold(f32::NEG_INFINITY, f32::max);
        (
            hi - lo,
            side.iter().map(|s| s.x1).fold(f32::NEG_INFINITY, f32::max)
                - side.iter().map(|s| s.x0).fold(f32::INFINITY, f32::min),
        )
    };
    let (left_h, left_w) = extent(&left);
    let (right_h, right_w) = extent(&right);
    if left_h < 0.3 * height || right_h < 0.3 * height {
        return false;
    }
    let narrow = left_w.min(right_w);
    if narrow < 0.12 * width {
        return false;
    }
    // Baselines shared across the gutter: a table's cells share them, two
    // columns set independently mostly do not.
    let (few, many) =
        if left.len() <= right.len() { (&left, &right) } else { (&right, &left) };
    let mut ys: Vec<f32> = many.iter().map(|s| s.y).collect();
    ys.sort_by(f32::total_cmp);
    let shared = few
        .iter()
        .filter(|s| {
            let i = ys.partition_point(|&y| y < s.y - 0.5);
            ys.get(i).is_some_and(|&y| y <= s.y + 0.5)
        })
        .count();
    let aligned = shared as f32 / few.len() as f32;
    // Each column has lines of its own, off the other's baselines; a grid
    // of cells (languages and levels) has hardly any.
    let mut few_ys: Vec<f32> = few.iter().map(|s| s.y).collect();
    few_ys.sort_by(f32::total_cmp);
    let own = many
        .iter()
        .filter(|s| {
            let i = few_ys.partition_point(|&y| y < s.y - 0.5);
            !few_ys.get(i).is_some_and(|&y| y <= s.y + 0.5)
        })
        .count();
    if few.len() - shared < 3 || own < 3 {
        return false;
    }
    // Margin labels: items alone in their side, each beside a line of the
    // other side (a section name left of its first entry). They head the
    // text beside them, so the two sides are not read apart.
    let labels = few
        .iter()
        .filter(|s| {
            let near = 0.35 * s.size;
            let i = ys.partition_point(|&y| y < s.y - near);
            let beside = ys.get(i).is_some_and(|&y| y <= s.y + near);
            // Alone: its own baseline is the only one of its side nearby.
            let reach = 2.5 * s.size;
            let lo = few_ys.partition_point(|&y| y < s.y - reach);
            let hi = few_ys.partition_point(|&y| y <= s.y + reach);
            let alone = hi.saturating_sub(lo) <= 1;
            beside && alone
        })
        .count();
    let labelled = labels as f32 >= 0.6 * few.len() as f32;
    !(aligned >= 0.85 || (aligned >= 0.5 && narrow < 0.3 * width) || labelled)
}

/// A group's segments as lines, top to bottom.
fn lines_of(
    segs: &[Segment],
    mut idx: Vec<usize>,
    markers: &[Marker],
    page: u32,
    budget: &mut Budget,
) -> Result<Vec<Line>, ImportError> {
    budget.spend(idx.len() as u64)?;
    idx.sort_by(|&a, &b| {
        segs[a].y.total_cmp(&segs[b].y).then(segs[a].x0.total_cmp(&segs[b].x0))
    });
    let mut rows: Vec<Vec<&Segment>> = Vec::new();
    for i in idx {
        let s = &segs[i];
        if let Some(row) = rows.last_mut()
            && let Some(first) = row.first()
            && (s.y - first.y).abs() <= 0.3 * first.size.max(s.size)
        {
            row.push(s);
            continue;
        }
        rows.push(vec![s]);
    }
    let mut lines: Vec<Line> = Vec::new();
    let mut pending_bullet = false;
    let mut parts: Vec<Vec<&Segment>> = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        // A margin label (a section name set larger, left of its first
        // entry) is a line of its own, read before the entry: recognition
        // finds headings as lines.
        let cut = row.windows(2).position(|w| {
            let (p, s) = (w[0], w[1]);
            p.size >= 1.2 * s.size && s.x0 - p.x1 > 0.5 * s.size
        });
        match cut {
            Some(k)
                if row[..=k].iter().map(|s| s.text.split(' ').count()).sum::<usize>()
                    <= 4 =>
            {
                let rest = row.split_off(k + 1);
                parts.push(row);
                parts.push(rest);
            }
            _ => parts.push(row),
        }
    }
    for row in parts {
        let Some(mut line) = join_row(&row, page) else { continue };
        budget.spend(markers.len() as u64)?;
        if let Some(first) = row.first() {
            line.bullet |= markers.iter().any(|m| marks(m, first));
        }
        if line.text.is_empty() {
            // A marker alone on its baseline: it belongs to the next line.
            pending_bullet = line.bullet;
            continue;
        }
        line.bullet |= pending_bullet;
        pending_bullet = false;
        lines.push(line);
    }
    Ok(lines)
}

/// Whether a shape is the list marker of a line starting with `s`: small
/// for the text, just left of it, and beside its lowercase letters.
fn marks(m: &Marker, s: &Segment) -> bool {
    let size = s.size;
    let centre = (m.y0 + m.y1) / 2.0;
    m.x1 - m.x0 <= 1.2 * size
        && m.y1 - m.y0 <= 1.2 * size
        && m.x1 <= s.x0 + 0.1
        && s.x0 - m.x1 <= 1.5 * size
        && centre >= s.y - 0.9 * size
        && centre <= s.y + 0.1 * size
}

/// One row of segments as a line: wide gaps become tabs, word gaps spaces,
/// and a leading bullet is taken off.
fn join_row(row: &[&Segment], page: u32) -> Option<Line> {
    let first = row.first()?;
    let mut text = String::new();
    let mut prev: Option<&Segment> = None;
    let mut weights: Vec<(f32, u32)> = Vec::new();
    let (mut bold, mut chars) = (0u32, 0u32);
    for s in row {
        if let Some(p) = prev {
            let em = p.size.max(s.size);
            let small = p.size.min(s.size);
            let gap = s.x0 - p.x1;
            // A label in a larger size beside a smaller text (a section
            // name in a left margin) is a cell of its own.
            let resized = em >= 1.2 * small && gap > 0.5 * small;
            if gap > 2.0 * em || resized || s.after_icon {
                text.push('\t');
            } else if gap > 0.2 * em && !text.ends_with(' ') && !s.text.starts_with(' ') {
                text.push(' ');
            }
        }
        text.push_str(&s.text);
        match weights.iter_mut().find(|(size, _)| (size - s.size).abs() < 0.25) {
            Some(w) => w.1 += s.chars,
            None => weights.push((s.size, s.chars)),
        }
        bold += s.bold_chars;
        chars += s.chars;
        prev = Some(s);
    }
    let size = weights.iter().max_by_key(|w| w.1).map_or(first.size, |w| w.0);
    let (text, bullet) = strip_bullet(&logical_order(&text));
    Some(Line {
        text,
        page,
        x: first.x0,
        y: first.y,
        size: (size * 100.0).round() / 100.0,
        bold: chars > 0 && bold * 2 > chars,
        heading: None,
        bullet,
        gap_before: 0.0,
        block: 0,
    })
}

fn is_rtl(c: char) -> bool {
    matches!(u32::from(c), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Right-to-left runs (Arabic, Hebrew) in reading order. Glyphs are drawn
/// left to right, so a run of RTL letters, with the spaces and digits
/// between them, arrives reversed; it is turned back, and the numbers in
/// it (which read left to right) are turned back again.
fn logical_order(text: &str) -> String {
    if !text.chars().any(is_rtl) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if !is_rtl(c) {
            out.push(c);
            i += 1;
            continue;
        }
        // The run ends at the last RTL letter before a tab or an LTR letter.
        let mut end = i;
        let mut j = i;
        while let Some(&d) = chars.get(j) {
            if is_rtl(d) {
                end = j + 1;
            } else if d == '\t' || d.is_alphabetic() {
                break;
            }
            j += 1;
        }
        let run: Vec<char> =
            chars.get(i..end).unwrap_or_default().iter().rev().copied().collect();
        let mut k = 0;
        while let Some(&d) = run.get(k) {
            if d.is_ascii_digit() {
                let start = k;
                while run
                    .get(k)
                    .is_some_and(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
                {
                    k += 1;
                }
                out.extend(run.get(start..k).unwrap_or_default().iter().rev());
            } else {
                out.push(d);
                k += 1;
            }
        }
        i = end.max(i + 1);
    }
    out
}

/// The text without a leading list marker, spaces collapsed, and whether
/// there was a marker.
fn strip_bullet(raw: &str) -> (String, bool) {
    let collapsed = |s: &str| {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            if c == ' ' && (out.ends_with(' ') || out.ends_with('\t') || out.is_empty()) {
                continue;
            }
            if c == '\t' && out.ends_with(' ') {
                out.pop();
            }
            out.push(c);
        }
        out.trim_matches(|c: char| c == ' ' || c == '\t').to_string()
    };
    let trimmed = raw.trim_start();
    let mut chars = trimmed.chars();
    if let Some(c) = chars.next() {
        let rest = chars.as_str();
        let spaced = rest.starts_with([' ', '\t']);
        if BULLETS.contains(&c) || (SPACED_BULLETS.contains(&c) && spaced) {
            return (collapsed(rest), true);
        }
    }
    (collapsed(raw), false)
}

/// All pages' blocks as one list of lines: block ids in reading order and
/// each line's space above it in its block beyond the body line pitch (0
/// for consecutive lines, 1 for a blank line's worth).
pub(crate) fn finish(
    blocks: Vec<(u32, Vec<Line>)>,
    budget: &mut Budget,
) -> Result<Vec<Line>, ImportError> {
    let mut pitches: Vec<f32> = Vec::new();
    for (_, lines) in &blocks {
        budget.spend(lines.len() as u64)?;
        for pair in lines.windows(2) {
            if let [a, b] = pair {
                let dy = b.y - a.y;
                if dy > 0.0 && dy.is_finite() {
                    pitches.push(dy);
                }
            }
        }
    }
    let pitch = median(&mut pitches).filter(|p| *p > 0.0);
    let mut out = Vec::new();
    for (id, (_, mut lines)) in blocks.into_iter().enumerate() {
        let id = u32::try_from(id).unwrap_or(u32::MAX);
        let mut prev_y: Option<f32> = None;
        for line in &mut lines {
            line.block = id;
            if let (Some(py), Some(pitch)) = (prev_y, pitch) {
                // The space beyond one line pitch: 0 for the next line of
                // a paragraph, about 1 for a blank line's worth, as the text
                // reader counts blank lines.
                let extra = ((line.y - py) / pitch - 1.0).max(0.0);
                line.gap_before = (extra * 100.0).round() / 100.0;
            }
            prev_y = Some(line.y);
        }
        out.extend(lines);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::logical_order;

    #[test]
    fn rtl_runs_come_out_in_reading_order() {
        // Drawn left to right: "القاهرة جامعة" reversed letter by letter.
        let drawn: String = "جامعة القاهرة".chars().rev().collect();
        assert_eq!(
            logical_order(&format!("{drawn}\t2016 - 2021")),
            "جامعة القاهرة\t2016 - 2021"
        );
        let drawn: String = "عام ".chars().rev().collect();
        assert_eq!(logical_order(&format!("2020{drawn}")), "2020 عام");
        assert_eq!(logical_order("plain"), "plain");
    }
}
