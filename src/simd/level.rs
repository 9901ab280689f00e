//! The SIMD tier the copy kernels may use: what this CPU and build have,
//! capped by the `MEMORYVIEW_SIMD` environment variable (read once) or by
//! [`set_simd_level`] (for tests and benchmarks), so that every tier a
//! user's CPU may have can be tested and measured on one machine.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicU8, Ordering};

/// A tier of SIMD instructions for the copy kernels, from none to the
/// widest.
///
/// The tiers nest: each uses the kernels of the ones below where it has
/// nothing wider. All tiers produce the same bytes.
///
/// # Examples
///
/// ```
/// use memoryview::{SimdLevel, set_simd_level, simd_level};
///
/// let native = simd_level();
/// // Run the portable kernels only (what Miri and non-`simd` builds run).
/// assert_eq!(set_simd_level(SimdLevel::Scalar), SimdLevel::Scalar);
/// // A cap above what the CPU has gives what it has.
/// assert_eq!(set_simd_level(SimdLevel::Avx512), native);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SimdLevel {
    /// The portable kernels: plain loads and stores of arrays.
    Scalar,
    /// 128-bit vectors (`wide`'s types: SSE2 on x86-64, NEON on
    /// AArch64), and streaming stores for large outputs.
    Sse2,
    /// 256-bit column kernels and streaming copies (x86-64 CPUs with
    /// AVX2, such as most AMD and laptop CPUs).
    Avx2,
    /// 512-bit tiles and streaming copies (x86-64 CPUs with AVX-512BW).
    Avx512,
}

impl SimdLevel {
    const ALL: [SimdLevel; 4] = [SimdLevel::Scalar, SimdLevel::Sse2, SimdLevel::Avx2, SimdLevel::Avx512];

    /// The tier's name as `MEMORYVIEW_SIMD` spells it: `scalar`, `sse2`,
    /// `avx2` or `avx512`.
    pub fn name(self) -> &'static str {
        match self {
            SimdLevel::Scalar => "scalar",
            SimdLevel::Sse2 => "sse2",
            SimdLevel::Avx2 => "avx2",
            SimdLevel::Avx512 => "avx512",
        }
    }

    /// The tier named `name` (as [`name`](SimdLevel::name) spells it).
    pub fn from_name(name: &str) -> Option<SimdLevel> {
        SimdLevel::ALL.into_iter().find(|level| level.name().eq_ignore_ascii_case(name.trim()))
    }

    fn from_u8(value: u8) -> SimdLevel {
        SimdLevel::ALL.get(usize::from(value)).copied().unwrap_or(SimdLevel::Avx512)
    }
}

/// The highest tier this CPU and build support.
pub fn detected_simd_level() -> SimdLevel {
    #[cfg(all(feature = "simd", not(miri), target_arch = "x86_64"))]
    {
        if std::arch::is_x86_feature_detected!("avx512bw") && std::arch::is_x86_feature_detected!("avx512f") {
            SimdLevel::Avx512
        } else if std::arch::is_x86_feature_detected!("avx2") {
            SimdLevel::Avx2
        } else {
            SimdLevel::Sse2
        }
    }
    #[cfg(all(feature = "simd", not(miri), not(target_arch = "x86_64")))]
    {
        SimdLevel::Sse2
    }
    #[cfg(not(all(feature = "simd", not(miri))))]
    {
        SimdLevel::Scalar
    }
}

/// The cap: `UNSET` until the environment has been read.
static CAP: AtomicU8 = AtomicU8::new(UNSET);
const UNSET: u8 = u8::MAX;

/// The cap in effect: the environment's on first use.
#[inline]
fn cap() -> SimdLevel {
    match CAP.load(Ordering::Relaxed) {
        UNSET => {
            let from_env = std::env::var("MEMORYVIEW_SIMD").ok().and_then(|name| SimdLevel::from_name(&name));
            let level = from_env.unwrap_or(SimdLevel::Avx512);
            // A concurrent `set_simd_level` wins over the environment.
            let _ = CAP.compare_exchange(UNSET, level as u8, Ordering::Relaxed, Ordering::Relaxed);
            SimdLevel::from_u8(CAP.load(Ordering::Relaxed))
        }
        value => SimdLevel::from_u8(value),
    }
}

/// The tier the copy kernels use: the highest this CPU supports, capped by
/// `MEMORYVIEW_SIMD` (`scalar`, `sse2`, `avx2` or `avx512`, read once) or
/// by [`set_simd_level`].
#[inline]
pub fn simd_level() -> SimdLevel {
    detected_simd_level().min(cap())
}

/// Caps the tier the copy kernels use, for every thread, from the next
/// copy on; returns the tier now in effect (the cap, or what the CPU has
/// if that is lower). For tests and benchmarks that measure what CPUs
/// without AVX-512 or AVX2 get.
pub fn set_simd_level(cap: SimdLevel) -> SimdLevel {
    CAP.store(cap as u8, Ordering::Relaxed);
    simd_level()
}

/// Whether the tier in effect includes `level`.
#[inline]
pub(crate) fn allows(level: SimdLevel) -> bool {
    cap() >= level
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for level in SimdLevel::ALL {
            assert_eq!(SimdLevel::from_name(level.name()), Some(level));
        }
        assert_eq!(SimdLevel::from_name(" AVX2 "), Some(SimdLevel::Avx2));
        assert_eq!(SimdLevel::from_name("avx1024"), None);
    }
}
