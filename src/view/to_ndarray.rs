//! Conversions to ndarray's views, for [`crate::ndarray`]. ndarray hands
//! out `&T` and `&mut T`, so its views need what references need: direct
//! items, aligned for `T`, on a grid of whole elements (its strides count
//! elements), and for `ArrayViewMut` no two items overlapping. Its raw
//! constructors also want non-negative strides from the lowest element:
//! negative dimensions are built forwards and then inverted
//! (`invert_axis`, a safe transform).

use super::{MemoryView, MemoryViewMut};
use crate::error::{Error, ErrorKind, Result};
use crate::format::Element;
use crate::layout::Layout;
use crate::layout::dims::DimVec;
use ndarray::{ArrayView, ArrayViewMut, Axis, Dimension, ShapeBuilder};

/// Where ndarray's raw constructors want the elements.
struct Parts<D> {
    shape: D,
    /// Element strides, non-negative.
    strides: D,
    /// Byte offset from the view's base to its lowest item.
    lowest: isize,
    /// The dimensions whose strides were negative.
    inverted: DimVec<bool>,
}

/// The ndarray description of the items of `layout` (based at `base`),
/// or why there is none (items that may overlap, too, if `exclusive`:
/// for `&mut` references). `None` for an empty layout.
fn parts<T, D: Dimension>(layout: &Layout, base: *const u8, exclusive: bool) -> Result<Option<Parts<D>>> {
    let ndim = layout.ndim();
    if D::NDIM.is_some_and(|n| n != ndim) {
        return Err(Error::new(
            ErrorKind::ShapeMismatch,
            format!(
                "a {ndim}-dimensional view cannot be an ndarray view of {} dimensions",
                D::NDIM.unwrap_or_default()
            ),
        ));
    }
    if layout.is_indirect() {
        return Err(Error::new(
            ErrorKind::Indirect,
            "ndarray cannot describe a view with suboffsets (items reached through pointers)",
        ));
    }
    if layout.is_empty() {
        return Ok(None);
    }
    let size = size_of::<T>();
    let mut shape = D::zeros(ndim);
    let mut strides = D::zeros(ndim);
    let mut inverted = DimVec::filled(false, ndim);
    let mut lowest: isize = 0;
    for d in 0..ndim {
        let (extent, stride) = (layout.shape()[d], layout.strides()[d]);
        shape.slice_mut()[d] = extent;
        if extent < 2 {
            continue; // the stride reaches nothing: 0 will do
        }
        if !stride.unsigned_abs().is_multiple_of(size) {
            return Err(Error::new(
                ErrorKind::Misaligned,
                format!(
                    "dimension {d} steps {stride} bytes, not a whole number of {} ({size} bytes): \
                     ndarray's strides count elements",
                    std::any::type_name::<T>()
                ),
            ));
        }
        strides.slice_mut()[d] = stride.unsigned_abs() / size;
        if stride < 0 {
            inverted[d] = true;
            // Within the layout's span (invariant 3): no overflow.
            lowest = lowest.saturating_add(stride.saturating_mul((extent - 1).cast_signed()));
        }
    }
    if !base.wrapping_offset(lowest).cast::<T>().is_aligned() {
        return Err(Error::new(
            ErrorKind::Misaligned,
            format!(
                "the items are not aligned for {} ({} bytes), which ndarray's references need",
                std::any::type_name::<T>(),
                align_of::<T>()
            ),
        ));
    }
    if exclusive {
        crate::layout::check::check_unaliased(layout)?;
    }
    Ok(Some(Parts { shape, strides, lowest, inverted }))
}

/// An ndarray view of no elements with `layout`'s shape.
fn empty<'a, T, D: Dimension>(layout: &Layout) -> Result<ArrayView<'a, T, D>> {
    let mut shape = D::zeros(layout.ndim());
    shape.slice_mut().copy_from_slice(layout.shape());
    ArrayView::from_shape(shape, &[]).map_err(|err| {
        Error::new(ErrorKind::Overflow, format!("ndarray refuses the shape {:?}: {err}", layout.shape()))
    })
}

impl<'a, T: Element> MemoryView<'a, T> {
    /// The same items as an ndarray view (see `crate::ndarray`).
    pub(crate) fn to_ndarray<D: Dimension>(&self) -> Result<ArrayView<'a, T, D>> {
        let layout = self.layout();
        let base = self.buffer.raw().ptr();
        let Some(parts) = parts::<T, D>(layout, base, false)? else { return empty(layout) };
        let lowest = base.wrapping_offset(parts.lowest).cast::<T>().cast_const();
        // SAFETY: ndarray's conditions for `from_shape_ptr`: the
        // items are elements of one allocation (invariant 1), valid
        // `T`s (invariant 3), not written for 'a (invariant 4); the
        // pointer is the lowest item, non-null and aligned (checked);
        // the strides are non-negative element counts (checked) whose
        // span and item count fit in isize (Layout invariants 2-3).
        let mut view = unsafe { ArrayView::from_shape_ptr(parts.shape.strides(parts.strides), lowest) };
        for (d, &flip) in parts.inverted.iter().enumerate() {
            if flip {
                view.invert_axis(Axis(d));
            }
        }
        Ok(view)
    }
}

impl<'a, T: Element> MemoryViewMut<'a, T> {
    /// The same items as a mutable ndarray view (see `crate::ndarray`).
    pub(crate) fn into_ndarray_mut<D: Dimension>(self) -> Result<ArrayViewMut<'a, T, D>> {
        let layout = self.layout();
        let base = self.buffer.raw().ptr();
        let Some(parts) = parts::<T, D>(layout, base, true)? else {
            let mut shape = D::zeros(layout.ndim());
            shape.slice_mut().copy_from_slice(layout.shape());
            return ArrayViewMut::from_shape(shape, &mut []).map_err(|err| {
                Error::new(ErrorKind::Overflow, format!("ndarray refuses the shape {:?}: {err}", layout.shape()))
            });
        };
        let lowest = base.wrapping_offset(parts.lowest).cast::<T>();
        // SAFETY: as in `MemoryView::to_ndarray`; and `self` (consumed)
        // held the items exclusively for 'a (invariant 2), no two items
        // overlap (checked), and ndarray writes only valid `T`s.
        let mut view = unsafe { ArrayViewMut::from_shape_ptr(parts.shape.strides(parts.strides), lowest) };
        for (d, &flip) in parts.inverted.iter().enumerate() {
            if flip {
                view.invert_axis(Axis(d));
            }
        }
        Ok(view)
    }
}
