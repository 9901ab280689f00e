//! The in-lane transpose network of the wide kernels, written once for
//! every vector width: each 128-bit lane of the inputs `x[0..K]` holds one
//! `K x K` block (row `r` of every block in `x[r]`), and the outputs hold
//! the blocks' columns the same way. The interleaves (`unpacklo` and
//! `unpackhi` at 8, 16, 32 and 64 bits) act lane by lane, so the same
//! sequence transposes one block in a 128-bit register, two in a 256-bit
//! one and four in a 512-bit one. The functions are built from array
//! literals so that the vectors stay in registers (arrays copied whole
//! become calls to `memcpy`).

/// Defines `transpose16` (8 x 8 blocks of 16-bit items) and `transpose8`
/// (16 x 16 blocks of bytes) for vector type `$vec` under target feature
/// `$feature`, from that width's interleave intrinsics (in the order
/// 8, 16, 32 and 64 bits, low then high).
macro_rules! in_lane_transposes {
    ($vec:ty, $feature:literal, $lo8:ident, $hi8:ident, $lo16:ident, $hi16:ident, $lo32:ident, $hi32:ident, $lo64:ident, $hi64:ident) => {
        /// 8 x 8 blocks of 16-bit items: `t` interleaves rows 2q and
        /// 2q + 1 (items 0..4, then 4..8); `u` holds items 2m and 2m + 1 of
        /// rows 0..4 (`u[m]`) and 4..8 (`u[m + 4]`).
        #[inline]
        #[target_feature(enable = $feature)]
        fn transpose16(x: [$vec; 8]) -> [$vec; 8] {
            let t = [
                $lo16(x[0], x[1]),
                $hi16(x[0], x[1]),
                $lo16(x[2], x[3]),
                $hi16(x[2], x[3]),
                $lo16(x[4], x[5]),
                $hi16(x[4], x[5]),
                $lo16(x[6], x[7]),
                $hi16(x[6], x[7]),
            ];
            let u = [
                $lo32(t[0], t[2]),
                $hi32(t[0], t[2]),
                $lo32(t[1], t[3]),
                $hi32(t[1], t[3]),
                $lo32(t[4], t[6]),
                $hi32(t[4], t[6]),
                $lo32(t[5], t[7]),
                $hi32(t[5], t[7]),
            ];
            [
                $lo64(u[0], u[4]),
                $hi64(u[0], u[4]),
                $lo64(u[1], u[5]),
                $hi64(u[1], u[5]),
                $lo64(u[2], u[6]),
                $hi64(u[2], u[6]),
                $lo64(u[3], u[7]),
                $hi64(u[3], u[7]),
            ]
        }

        /// 16 x 16 blocks of bytes: interleave each pair of rows (16-bit
        /// items holding one column of the pair), then 8 x 8 transposes of
        /// those items, for columns 0..8 (`low`) and 8..16 (`high`).
        #[inline]
        #[target_feature(enable = $feature)]
        fn transpose8(x: [$vec; 16]) -> [$vec; 16] {
            let pairs = |unpack: fn($vec, $vec) -> $vec| {
                [
                    unpack(x[0], x[1]),
                    unpack(x[2], x[3]),
                    unpack(x[4], x[5]),
                    unpack(x[6], x[7]),
                    unpack(x[8], x[9]),
                    unpack(x[10], x[11]),
                    unpack(x[12], x[13]),
                    unpack(x[14], x[15]),
                ]
            };
            let low = transpose16(pairs(|a, b| $lo8(a, b)));
            let high = transpose16(pairs(|a, b| $hi8(a, b)));
            [
                low[0], low[1], low[2], low[3], low[4], low[5], low[6], low[7], high[0], high[1], high[2], high[3],
                high[4], high[5], high[6], high[7],
            ]
        }
    };
}

pub(crate) use in_lane_transposes;
