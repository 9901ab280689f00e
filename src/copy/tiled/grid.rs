//! Where a transpose's destination lines fall in each row: the line grid
//! the tiles are aligned to.
#![forbid(unsafe_code)]

/// Where the destination lines fall in a band's rows.
///
/// Row `i0 + q` of a band has its first line `head + shift[q % period]*K`
/// items in, where `K = 16 / itemsize`. The shifts exist when the rows are
/// a multiple of 16 bytes apart (`aligned`); otherwise lines are aligned in
/// the first row only (and nothing is streamed).
pub(super) struct LineGrid {
    pub(super) head: usize,
    pub(super) period: usize,
    pub(super) shift: [usize; 4],
    pub(super) aligned: bool,
}

impl LineGrid {
    /// The grid for rows starting at address `start`, `dst_row` bytes apart.
    pub(super) fn new(start: usize, dst_row: isize, itemsize: usize) -> LineGrid {
        if !start.is_multiple_of(itemsize) {
            // Items straddle lines whatever the columns: no alignment.
            return LineGrid { head: 0, period: 1, shift: [0; 4], aligned: false };
        }
        let head = (64 - start % 64) % 64 / itemsize;
        let delta = dst_row.rem_euclid(64) as usize;
        if !delta.is_multiple_of(16) {
            return LineGrid { head, period: 1, shift: [0; 4], aligned: false };
        }
        // Row q starts q*delta bytes past a line boundary of row 0's grid,
        // so its first line is (-q*delta) mod 64 bytes further right: the
        // pattern repeats after 64 / gcd(delta, 64) rows.
        let period = match delta {
            0 => 1,
            32 => 2,
            _ => 4,
        };
        let mut shift = [0; 4];
        for (q, s) in shift.iter_mut().enumerate().take(period) {
            *s = (64 - q * delta % 64) % 64 / 16;
        }
        LineGrid { head, period, shift, aligned: true }
    }
}
