"""The smallest check that the installed module is this crate's: a view of
a NumPy array, transposed, read back by NumPy and by memoryview."""

import numpy as np

import mview


def test_view_transpose_round_trip():
    a = np.arange(12.0).reshape(3, 4)
    v = mview.view(a)
    assert v.shape == (3, 4) and v.T.shape == (4, 3)
    assert (np.asarray(v.T) == a.T).all()
    assert memoryview(v.T).tolist() == a.T.tolist()
