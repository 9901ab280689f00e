//! Iterators over the sub-views of a typed view: along one axis
//! ([`AxisIter`], [`MemoryView::axis_iter`]) and over its lanes, the 1-D
//! views along one axis ([`Lanes`], [`MemoryView::lanes`] and
//! [`MemoryView::rows`]).
//!
//! Each sub-view is made by [`MemoryView::index_axis`], so it is exactly
//! the view Python's `a[i]` gives, suboffsets included; nothing is copied,
//! and for direct views of up to eight dimensions nothing is allocated.
//! The first and last sub-views are made when the iterator is, so an
//! iterator that exists yields every sub-view.
#![forbid(unsafe_code)]

use super::MemoryView;
use crate::error::{Error, ErrorKind, Result};
use crate::format::Element;
use crate::layout::dims::DimVec;
use std::iter::FusedIterator;

/// The sub-views of a typed view along one axis, each with that axis
/// removed ([`MemoryView::axis_iter`]).
#[derive(Clone, Debug)]
pub struct AxisIter<'a, T> {
    view: MemoryView<'a, T>,
    axis: usize,
    front: usize,
    back: usize,
}

/// The lanes of a typed view: its 1-D sub-views along one axis, one per
/// index tuple of the other axes, in C order ([`MemoryView::lanes`],
/// [`MemoryView::rows`]).
#[derive(Clone, Debug)]
pub struct Lanes<'a, T> {
    /// The view with the lane axis moved last.
    view: MemoryView<'a, T>,
    /// Lanes `front..back` (as C-order positions over the other axes).
    front: usize,
    back: usize,
}

impl<'a, T: Element> MemoryView<'a, T> {
    /// The sub-views along `axis`, each with that dimension removed (for a
    /// 2-D view and axis 0, its rows; NumPy's `for row in a`). Nothing is
    /// copied.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidAxis`] if `axis >= ndim`; as
    /// [`index_axis`](MemoryView::index_axis) for indirect views that
    /// cannot drop `axis`.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{MemoryView, Order};
    ///
    /// let data: Vec<u8> = (0..6).collect();
    /// let v = MemoryView::from_shape(&data, &[2, 3]).unwrap();
    /// let columns: Vec<Vec<u8>> = v.axis_iter(1).unwrap().map(|c| c.to_vec(Order::C)).collect();
    /// assert_eq!(columns, [[0, 3], [1, 4], [2, 5]]);
    /// let last_row = v.axis_iter(0).unwrap().next_back().unwrap();
    /// assert_eq!(last_row.to_vec(Order::C), [3, 4, 5]);
    /// ```
    pub fn axis_iter(&self, axis: usize) -> Result<AxisIter<'a, T>> {
        let extent = self.shape().get(axis).copied().ok_or_else(|| no_axis(axis, self.ndim()))?;
        if extent > 0 {
            // The sub-views between the first and the last cannot fail
            // where these two did not (see the module docs).
            self.index_axis(axis, 0)?;
            self.index_axis(axis, extent - 1)?;
        }
        Ok(AxisIter { view: self.clone(), axis, front: 0, back: extent })
    }

    /// The 1-D sub-views along `axis`, one per index tuple of the other
    /// axes, in C order of those (ndarray's `lanes`). For a 2-D view,
    /// axis 1 gives its rows and axis 0 its columns.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidAxis`] if `axis >= ndim`; as
    /// [`index_axis`](MemoryView::index_axis) for indirect views whose
    /// other axes cannot be indexed away.
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::{MemoryView, Order};
    ///
    /// let data: Vec<i32> = (0..12).collect();
    /// let v = MemoryView::from_shape(&data, &[2, 2, 3]).unwrap();
    /// // Lanes along axis 1: for each (i, k), the items (i, 0, k), (i, 1, k).
    /// let lanes: Vec<Vec<i32>> = v.lanes(1).unwrap().map(|l| l.to_vec(Order::C)).collect();
    /// assert_eq!(lanes, [[0, 3], [1, 4], [2, 5], [6, 9], [7, 10], [8, 11]]);
    /// ```
    pub fn lanes(&self, axis: usize) -> Result<Lanes<'a, T>> {
        let ndim = self.ndim();
        if axis >= ndim {
            return Err(no_axis(axis, ndim));
        }
        // Move the lane axis last; the others keep their order.
        let mut order: DimVec<usize> = DimVec::filled(0, ndim);
        for (slot, d) in order.iter_mut().zip((0..ndim).filter(|&d| d != axis).chain([axis])) {
            *slot = d;
        }
        let view = self.permute_axes(&order)?;
        let outer = &view.shape()[..ndim - 1];
        let count = if outer.contains(&0) { 0 } else { outer.iter().product() };
        let lanes = Lanes { view, front: 0, back: count };
        if count > 0 {
            lanes.lane(0)?;
            lanes.lane(count - 1)?;
        }
        Ok(lanes)
    }

    /// The rows: the lanes along the last axis (for a 2-D view, its rows;
    /// for a 1-D view, the view itself).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidAxis`] for a 0-dimensional view; as
    /// [`lanes`](MemoryView::lanes).
    ///
    /// # Examples
    ///
    /// ```
    /// use memoryview::MemoryView;
    ///
    /// let data = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
    /// let v = MemoryView::from_shape(&data, &[3, 2]).unwrap();
    /// let sums: Vec<f64> = v.rows().unwrap().map(|row| row.iter().sum()).collect();
    /// assert_eq!(sums, [3.0, 7.0, 11.0]);
    /// assert_eq!(v.rows().unwrap().len(), 3);
    /// ```
    pub fn rows(&self) -> Result<Lanes<'a, T>> {
        match self.ndim() {
            0 => Err(Error::new(ErrorKind::InvalidAxis, "a 0-dimensional view has no rows")),
            ndim => self.lanes(ndim - 1),
        }
    }
}

fn no_axis(axis: usize, ndim: usize) -> Error {
    Error::new(ErrorKind::InvalidAxis, format!("axis {axis} does not exist in a {ndim}-dimensional view"))
}

impl<'a, T: Element> AxisIter<'a, T> {
    fn sub_view(&self, index: usize) -> Option<MemoryView<'a, T>> {
        // Cannot fail: the constructor made the first and the last.
        self.view.index_axis(self.axis, index).ok()
    }
}

impl<'a, T: Element> Iterator for AxisIter<'a, T> {
    type Item = MemoryView<'a, T>;

    fn next(&mut self) -> Option<MemoryView<'a, T>> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        self.sub_view(self.front - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.back - self.front, Some(self.back - self.front))
    }

    fn nth(&mut self, n: usize) -> Option<MemoryView<'a, T>> {
        self.front = self.front.saturating_add(n).min(self.back);
        self.next()
    }
}

impl<T: Element> DoubleEndedIterator for AxisIter<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        self.sub_view(self.back)
    }
}

impl<T: Element> ExactSizeIterator for AxisIter<'_, T> {}
impl<T: Element> FusedIterator for AxisIter<'_, T> {}

impl<'a, T: Element> Lanes<'a, T> {
    /// Lane `position` (C order over the other axes).
    fn lane(&self, mut position: usize) -> Result<MemoryView<'a, T>> {
        let outer = &self.view.shape()[..self.view.ndim() - 1];
        let mut index: DimVec<usize> = DimVec::filled(0, outer.len());
        for (slot, &extent) in index.iter_mut().zip(outer).rev() {
            *slot = position % extent;
            position /= extent;
        }
        // Fix the outer axes from the first: axis 0 each time.
        let mut lane = self.view.clone();
        for &i in index.iter() {
            lane = lane.index_axis(0, i)?;
        }
        Ok(lane)
    }
}

impl<'a, T: Element> Iterator for Lanes<'a, T> {
    type Item = MemoryView<'a, T>;

    fn next(&mut self) -> Option<MemoryView<'a, T>> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        // Cannot fail: the constructor made the first and the last lane.
        self.lane(self.front - 1).ok()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.back - self.front, Some(self.back - self.front))
    }

    fn nth(&mut self, n: usize) -> Option<MemoryView<'a, T>> {
        self.front = self.front.saturating_add(n).min(self.back);
        self.next()
    }
}

impl<T: Element> DoubleEndedIterator for Lanes<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        self.lane(self.back).ok()
    }
}

impl<T: Element> ExactSizeIterator for Lanes<'_, T> {}
impl<T: Element> FusedIterator for Lanes<'_, T> {}
