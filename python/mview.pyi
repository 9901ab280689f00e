"""memoryview made better: N-D slicing, transposes, casts and fast copies
of any buffer or DLPack object, without copying until asked."""

import sys
from types import EllipsisType
from typing import Any, Protocol, TypeAlias, final, overload

# Stubs are read by type checkers only: both names come from typeshed
# (`typing_extensions` need not be installed at run time).
if sys.version_info >= (3, 12):
    from collections.abc import Buffer
else:
    from typing_extensions import Buffer

__all__ = ["View", "view", "ascontiguous", "copyto"]

class _SupportsDLPack(Protocol):
    """An object with the DLPack protocol (NumPy arrays, PyTorch and JAX
    tensors on the CPU)."""

    def __dlpack__(self, *, stream: Any = ..., max_version: tuple[int, int] | None = ...) -> Any: ...
    def __dlpack_device__(self) -> tuple[int, int]: ...

#: What `view` takes: anything with the buffer protocol or `__dlpack__`.
_Source: TypeAlias = Buffer | _SupportsDLPack
#: `'C'` (row-major, the default), `'F'` (column-major) or `'A'` (Fortran if
#: the items are Fortran-contiguous and not C-contiguous, else C).
_Order: TypeAlias = str
#: One entry of a subscript: an index, a slice or `...`.
_Selector: TypeAlias = int | slice | EllipsisType
#: What `struct.unpack` gives for one item: a number, bool, bytes or
#: character; a tuple for records and multi-value formats.
_Item: TypeAlias = Any

@final
class View:
    """A view of memory shared with Python: the items of a buffer or DLPack
    tensor (or of a copy made by `ascontiguous`), without copying."""

    def __new__(cls, obj: _Source) -> View: ...
    @property
    def shape(self) -> tuple[int, ...]: ...
    @property
    def strides(self) -> tuple[int, ...]: ...
    @property
    def suboffsets(self) -> tuple[int, ...]: ...
    @property
    def format(self) -> str: ...
    @property
    def itemsize(self) -> int: ...
    @property
    def ndim(self) -> int: ...
    @property
    def nbytes(self) -> int: ...
    @property
    def readonly(self) -> bool: ...
    @property
    def c_contiguous(self) -> bool: ...
    @property
    def f_contiguous(self) -> bool: ...
    @property
    def contiguous(self) -> bool: ...
    @property
    def obj(self) -> Any | None: ...
    @property
    def T(self) -> View: ...
    @overload
    def transpose(self) -> View: ...
    @overload
    def transpose(self, axes: tuple[int, ...] | list[int], /) -> View: ...
    @overload
    def transpose(self, *axes: int) -> View: ...
    def tobytes(self, order: _Order | None = None) -> bytes: ...
    def tolist(self) -> Any: ...
    def cast(self, format: str, shape: tuple[int, ...] | list[int] | None = None) -> View: ...
    def copy(self, order: _Order | None = None) -> View: ...
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, key: slice | EllipsisType | tuple[slice | EllipsisType, ...], /) -> View: ...
    @overload
    def __getitem__(self, key: _Selector | tuple[_Selector, ...], /) -> View | _Item: ...
    def __setitem__(self, key: _Selector | tuple[_Selector, ...], value: _Source | _Item, /) -> None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    # The buffer protocol (a C slot; Python sees these methods from 3.12 on):
    # what makes a View a `Buffer` to type checkers.
    def __buffer__(self, flags: int, /) -> memoryview: ...
    def __release_buffer__(self, buffer: memoryview, /) -> None: ...
    def __dlpack__(
        self,
        *,
        stream: None = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> Any: ...
    def __dlpack_device__(self) -> tuple[int, int]: ...

def view(obj: _Source) -> View:
    """A view of `obj`'s memory (its buffer, or its DLPack tensor), without
    copying; writable if the exporter allows it."""

def ascontiguous(obj: _Source, order: _Order | None = None) -> View:
    """The items of `obj` copied into fresh, cache-line-aligned memory in
    `order`, through the crate's copy engine (tiled transposes)."""

# `dst` must have the buffer protocol; NumPy's stubs declare `ndarray` a
# `Buffer` only from Python 3.12 on, and it matches `_SupportsDLPack`.
def copyto(dst: Buffer | _SupportsDLPack, src: _Source) -> None:
    """Copies the items of `src` into the writable buffer `dst`, broadcast
    to `dst`'s shape, as `numpy.copyto` for arrays of the same format."""
