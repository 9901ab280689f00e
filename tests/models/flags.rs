//! An independent model of CPython's getbuffer decision order
//! (`memory_getbuf`, rule 18 of the reference), used by the proptest in
//! `tests/prop_protocol.rs` and by the `flags_request` fuzz target.

#![allow(dead_code, unreachable_pub)]

/// What a request of `flags` to a buffer with these properties gets:
/// `Err(reason)` or `Ok((format, shape, strides))` (which optional fields
/// are filled).
pub fn decide(
    flags: u32,
    readonly: bool,
    c_contiguous: bool,
    f_contiguous: bool,
    indirect: bool,
) -> Result<(bool, bool, bool), &'static str> {
    let has = |bits: u32| flags & bits == bits;
    const WRITABLE: u32 = 0x1;
    const FORMAT: u32 = 0x4;
    const ND: u32 = 0x8;
    const STRIDES: u32 = 0x18;
    const C_CONTIGUOUS: u32 = 0x38;
    const F_CONTIGUOUS: u32 = 0x58;
    const ANY_CONTIGUOUS: u32 = 0x98;
    const INDIRECT: u32 = 0x118;
    if has(WRITABLE) && readonly {
        return Err("readonly");
    }
    let format = has(FORMAT);
    if has(C_CONTIGUOUS) && !c_contiguous {
        return Err("not C");
    }
    if has(F_CONTIGUOUS) && !f_contiguous {
        return Err("not F");
    }
    if has(ANY_CONTIGUOUS) && !(c_contiguous || f_contiguous) {
        return Err("not contiguous");
    }
    if !has(INDIRECT) && indirect {
        return Err("needs suboffsets");
    }
    if !has(STRIDES) && !c_contiguous {
        return Err("strides needed");
    }
    if !has(ND) && format {
        return Err("format without shape");
    }
    Ok((format, has(ND), has(STRIDES)))
}
