//! Transposes whose destination has few rows and long ones (the transpose
//! of a 1,000,000 x 17 matrix): how the planner runs the tiled kernels on
//! them.
//!
//! The tiled transpose ([`Transpose2`]) cuts the destination rows into
//! bands and each band into tiles of `K` rows (`K = 16 / itemsize`); the
//! fewer than `K` rows left over are copied after the tiles, item by item.
//! When the destination has few rows (17 rows of a million items), that
//! last pass reads the whole source again from memory (each item in a line
//! of its own), and the rows cannot be split between threads in whole
//! tiles. Such problems run here in *panels* of columns: the tiles of a
//! panel, then its leftover rows from the source lines the tiles just
//! read (in the L2 cache), in one strided loop per row; threads split the
//! columns. Planes split from packed pixels (2 to 8 rows of 1- or 2-byte
//! items, see `Transpose2::planes`) have a kernel of their own; here
//! threads split their pixels.

use super::parallel::{self, SendPtr};
use super::strided::gather;
use super::tiled::{Planes, SPLIT_ROWS, Transpose2};

/// Source bytes a panel reads: its tiles' source lines stay in the L2
/// cache for the leftover rows. Measured on issue 13's f32 1,000,000 x 17
/// (AMD machine, 31 interleaved runs, loaded): panels of 24 KiB of source
/// 0.88–0.91x memcpy, 43 KiB 0.87–1.02x, 87 KiB 0.92–1.06x, 174 KiB 0.96x,
/// 348 KiB 0.92x; the tiled transpose alone 0.67x.
const PANEL_SOURCE_BYTES: usize = 128 << 10;

/// The fewest pixels a thread takes of a plane split.
const PLANE_PIXELS: usize = 4096;

/// Columns per panel: a multiple of 64 items (whole destination lines of
/// every itemsize), about [`PANEL_SOURCE_BYTES`] of source.
fn panel_columns(t: &Transpose2) -> usize {
    (PANEL_SOURCE_BYTES / t.src_col.unsigned_abs().max(1) / 64 * 64).max(64)
}

/// Runs `t` in panels if its destination has few rows (see the module
/// docs), on several threads if `parallel`; returns whether it did.
///
/// # Safety
///
/// As [`Transpose2::run`]; if `parallel`, distinct items of the
/// destination are disjoint.
pub(crate) unsafe fn run(t: Transpose2, parallel: bool) -> bool {
    let es = t.itemsize;
    if t.planes() == Some(Planes::Split) {
        // Planes split from packed pixels: threads take pixels.
        let (d, s) = (SendPtr(t.dst), SendPtr(t.src.cast_mut()));
        parallel::split(t.cols, PLANE_PIXELS, parallel, |lo, hi| {
            let part = Transpose2 { dst: d.get(), src: s.get(), ..t };
            // SAFETY: the columns lo..hi of `t`, disjoint between threads.
            unsafe { part.columns(lo, hi).run() };
        });
        return true;
    }
    let k = if matches!(es, 1 | 2 | 4 | 8) { 16 / es } else { 1 };
    let panel = panel_columns(&t);
    // Rows left over after the tiles, or no even split of whole tiles
    // between two threads; and columns for several panels.
    let few_rows = t.rows < 2 * SPLIT_ROWS && (!t.rows.is_multiple_of(k) || parallel);
    if !few_rows || t.cols < 4 * panel {
        return false;
    }
    let tiled_rows = t.rows / k * k;
    let (d, s) = (SendPtr(t.dst), SendPtr(t.src.cast_mut()));
    parallel::split(t.cols, panel, parallel, |lo, hi| {
        let part = Transpose2 { dst: d.get(), src: s.get(), ..t };
        for c0 in (lo..hi).step_by(panel) {
            let p = part.columns(c0, (c0 + panel).min(hi));
            // SAFETY: the panel's tiles, then each leftover row's items of
            // the panel's columns (destination stride: the item; source
            // stride: a source row): items of `t` (caller).
            unsafe {
                if tiled_rows > 0 {
                    p.rows(0, tiled_rows).run();
                }
                for i in tiled_rows..t.rows {
                    let row = p.rows(i, i + 1);
                    gather(row.dst, es as isize, row.src, row.src_col, row.cols, es);
                }
            }
        }
    });
    true
}
