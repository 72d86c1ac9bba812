/* The L2 book's inner loop in C: the same work as the pure-Python loop in l2.py, on the same
 * Python list and dict, so every view and test sees one data layout whichever kernel runs.
 *
 * Why it exists: the hot path (decode, apply, truncate, verify every checksum) must sustain
 * 250,000 msgs/s on one core. msgspec decodes a frame in ~1.4 us; the Python loop that turns
 * wire text into ticks, keeps the sorted keys and rebuilds the checksum tokens took ~4 us more.
 *
 * Prices and quantities are parsed from the exact wire text as integer ticks, never as floats.
 * Text that is not plain digits with the point at exactly the pair's precision (an int, fewer
 * decimals, an exponent) goes to the Python ``to_ticks`` the caller passes in, as the Python
 * kernel does, so both kernels accept and refuse the same inputs.
 *
 * The checksum is computed from the ten best levels of each side on every call (a sliced CRC-32,
 * zlib's polynomial) instead of caching the text as the Python loop does: cheaper than keeping a
 * cache in step from here.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static PyObject *str_price;
static PyObject *str_qty;

/* Tick values are kept below 10**18 so that key * sign and the token text stay in range. */
#define MAX_DIGITS 18

/* 1 and *out set: parsed. 0: not the fast shape (the caller asks to_ticks). Never fails. */
static int fast_ticks(PyObject *text, long prec, long long *out) {
    if (!PyUnicode_Check(text) || !PyUnicode_IS_COMPACT_ASCII(text)) {
        return 0;
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    const char *s = (const char *)PyUnicode_DATA(text);
    Py_ssize_t dot = prec > 0 ? len - 1 - prec : -1;
    if (prec > 0 && (dot < 1 || s[dot] != '.')) {
        return 0;
    }
    if (len - (prec > 0) > MAX_DIGITS || len == 0) {
        return 0;
    }
    long long v = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        if (i == dot) {
            continue;
        }
        char c = s[i];
        if (c < '0' || c > '9') {
            return 0;
        }
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 1;
}

/* Like fast_ticks, falling back to to_ticks. A value of 10**18 or more sets *big instead of
 * failing here, so the caller reports errors in the same order as the Python loop. */
static int to_ticks_ll(PyObject *text, long prec, PyObject *to_ticks, long long *out, int *big) {
    int r = fast_ticks(text, prec, out);
    if (r != 0) {
        return r;
    }
    PyObject *res = PyObject_CallFunction(to_ticks, "Ol", text, prec);
    if (res == NULL) {
        return -1;
    }
    if (!PyLong_Check(res)) {
        Py_DECREF(res);
        PyErr_SetString(PyExc_TypeError, "to_ticks did not return an int");
        return -1;
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(res, &overflow);
    Py_DECREF(res);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (overflow < 0) {
        v = -1;
    } else if (overflow > 0 || v >= 1000000000000000000LL) {
        *big = 1;
        v = 1;
    }
    *out = v;
    return 1;
}

/* Writes v (>= 0) in decimal at out; returns the number of characters. */
static int write_digits(long long v, char *out) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (int i = 0; i < n; i++) {
        out[i] = tmp[n - 1 - i];
    }
    return n;
}

/* The level's value in the side's dict: (qty ticks, checksum token "<price><qty>" digits). */
static PyObject *level_value(long long p, long long q) {
    char token[2 * MAX_DIGITS + 4];
    int tlen = write_digits(p, token);
    tlen += write_digits(q, token + tlen);
    PyObject *pyq = PyLong_FromLongLong(q);
    if (pyq == NULL) {
        return NULL;
    }
    PyObject *tok = PyBytes_FromStringAndSize(token, tlen);
    if (tok == NULL) {
        Py_DECREF(pyq);
        return NULL;
    }
    PyObject *value = PyTuple_New(2);
    if (value == NULL) {
        Py_DECREF(pyq);
        Py_DECREF(tok);
        return NULL;
    }
    PyTuple_SET_ITEM(value, 0, pyq);
    PyTuple_SET_ITEM(value, 1, tok);
    return value;
}

/* First index whose key is >= key in a list of Python ints sorted ascending; -1 on error. */
static Py_ssize_t bisect_left_ll(PyObject *keys, long long key) {
    Py_ssize_t lo = 0, hi = PyList_GET_SIZE(keys);
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        long long v = PyLong_AsLongLong(PyList_GET_ITEM(keys, mid));
        if (v == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (v < key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* apply_levels(keys, book, levels, pp, qp, sign, depth, to_ticks, symbol) -> None
 *
 * Applies levels in message order to one side (qty 0 deletes, anything else sets (qty, token)),
 * then truncates the side to ``depth`` levels, as Kraken's subscriber book must be.
 */
static PyObject *apply_levels(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 9) {
        PyErr_SetString(PyExc_TypeError, "apply_levels takes 9 arguments");
        return NULL;
    }
    PyObject *keys = args[0], *book = args[1], *levels = args[2], *to_ticks = args[7], *symbol = args[8];
    if (!PyList_CheckExact(keys) || !PyDict_CheckExact(book)) {
        PyErr_SetString(PyExc_TypeError, "keys must be a list and book a dict");
        return NULL;
    }
    long pp = PyLong_AsLong(args[3]), qp = PyLong_AsLong(args[4]), sign = PyLong_AsLong(args[5]);
    Py_ssize_t depth = PyLong_AsSsize_t(args[6]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    if ((sign != 1 && sign != -1) || depth < 1 || pp < 0 || qp < 0 || pp > MAX_DIGITS || qp > MAX_DIGITS) {
        PyErr_SetString(PyExc_ValueError, "bad sign, depth or precision");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(levels, "levels must be a sequence");
    if (seq == NULL) {
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *lvl = items[i];
        long long p, q;
        int big = 0;
        PyObject *price = PyObject_GetAttr(lvl, str_price);
        if (price == NULL) {
            goto fail;
        }
        int r = to_ticks_ll(price, pp, to_ticks, &p, &big);
        Py_DECREF(price);
        if (r < 0) {
            goto fail;
        }
        PyObject *qty = PyObject_GetAttr(lvl, str_qty);
        if (qty == NULL) {
            goto fail;
        }
        r = to_ticks_ll(qty, qp, to_ticks, &q, &big);
        Py_DECREF(qty);
        if (r < 0) {
            goto fail;
        }
        if (p <= 0 || q < 0) {
            PyErr_Format(PyExc_ValueError, "%S: non-positive price or negative qty in book level", symbol);
            goto fail;
        }
        if (big) {
            PyErr_Format(PyExc_ValueError, "%S: price or qty out of range in book level", symbol);
            goto fail;
        }
        long long key = p * sign;
        PyObject *pykey = PyLong_FromLongLong(key);
        if (pykey == NULL) {
            goto fail;
        }
        if (q == 0) {
            if (PyDict_DelItem(book, pykey) < 0) {
                Py_DECREF(pykey);
                if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
                    goto fail;
                }
                PyErr_Clear();
                continue;
            }
            Py_DECREF(pykey);
            Py_ssize_t at = bisect_left_ll(keys, key);
            if (at < 0) {
                goto fail;
            }
            if (at == PyList_GET_SIZE(keys) || PyLong_AsLongLong(PyList_GET_ITEM(keys, at)) != key) {
                PyErr_Format(PyExc_RuntimeError, "%S: book keys and levels disagree", symbol);
                goto fail;
            }
            if (PyList_SetSlice(keys, at, at + 1, NULL) < 0) {
                goto fail;
            }
            continue;
        }
        int has = PyDict_Contains(book, pykey);
        if (has < 0) {
            Py_DECREF(pykey);
            goto fail;
        }
        if (!has) {
            Py_ssize_t at = bisect_left_ll(keys, key);
            if (at < 0 || PyList_Insert(keys, at, pykey) < 0) {
                Py_DECREF(pykey);
                goto fail;
            }
        }
        PyObject *value = level_value(p, q);
        if (value == NULL) {
            Py_DECREF(pykey);
            goto fail;
        }
        r = PyDict_SetItem(book, pykey, value);
        Py_DECREF(value);
        Py_DECREF(pykey);
        if (r < 0) {
            goto fail;
        }
    }
    Py_DECREF(seq);
    Py_ssize_t size = PyList_GET_SIZE(keys);
    if (size > depth) {
        for (Py_ssize_t i = depth; i < size; i++) {
            if (PyDict_DelItem(book, PyList_GET_ITEM(keys, i)) < 0) {
                return NULL;
            }
        }
        if (PyList_SetSlice(keys, depth, size, NULL) < 0) {
            return NULL;
        }
    }
    Py_RETURN_NONE;
fail:
    Py_DECREF(seq);
    return NULL;
}

/* Appends the tokens of the best ``n`` levels of one side to buf; -1 on error. */
static Py_ssize_t append_top(PyObject *keys, PyObject *book, Py_ssize_t n, char *buf, Py_ssize_t used,
                             Py_ssize_t cap) {
    if (!PyList_CheckExact(keys) || !PyDict_CheckExact(book)) {
        PyErr_SetString(PyExc_TypeError, "keys must be a list and book a dict");
        return -1;
    }
    Py_ssize_t have = PyList_GET_SIZE(keys);
    if (n > have) {
        n = have;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *value = PyDict_GetItemWithError(book, PyList_GET_ITEM(keys, i));
        if (value == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_KeyError, "book key without a level");
            }
            return -1;
        }
        if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 2 || !PyBytes_Check(PyTuple_GET_ITEM(value, 1))) {
            PyErr_SetString(PyExc_TypeError, "book level must be (qty, token bytes)");
            return -1;
        }
        PyObject *tok = PyTuple_GET_ITEM(value, 1);
        Py_ssize_t tl = PyBytes_GET_SIZE(tok);
        if (used + tl > cap) {
            PyErr_SetString(PyExc_ValueError, "checksum text too long");
            return -1;
        }
        memcpy(buf + used, PyBytes_AS_STRING(tok), (size_t)tl);
        used += tl;
    }
    return used;
}

#define CHECKSUM_LEVELS 10

/* CRC-32 (IEEE, reflected 0xEDB88320: zlib's), sliced by 8: the checksum covers ~250 bytes per
 * message, and Debian's zlib walks them a byte at a time. */
static uint32_t crc_table[8][256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        for (int t = 1; t < 8; t++) {
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
        }
    }
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t len) {
    crc = ~crc;
    while (len >= 8) {
        uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
        crc = crc_table[7][lo & 0xFF] ^ crc_table[6][(lo >> 8) & 0xFF] ^ crc_table[5][(lo >> 16) & 0xFF] ^
              crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xFF] ^ crc_table[2][(hi >> 8) & 0xFF] ^
              crc_table[1][(hi >> 16) & 0xFF] ^ crc_table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--) {
        crc = crc_table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    }
    return ~crc;
}

/* The checksum text: the tokens of the ten best asks, then the ten best bids; -1 on error. */
static Py_ssize_t checksum_input(PyObject *const *args, Py_ssize_t nargs, char *buf, Py_ssize_t cap) {
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "takes 4 arguments: ask_keys, ask_book, bid_keys, bid_book");
        return -1;
    }
    Py_ssize_t used = append_top(args[0], args[1], CHECKSUM_LEVELS, buf, 0, cap);
    if (used < 0) {
        return -1;
    }
    return append_top(args[2], args[3], CHECKSUM_LEVELS, buf, used, cap);
}

#define CHECKSUM_CAP (2 * CHECKSUM_LEVELS * (2 * MAX_DIGITS + 4))

/* checksum(ask_keys, ask_book, bid_keys, bid_book) -> int: Kraken's book checksum. */
static PyObject *checksum(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs) {
    char buf[CHECKSUM_CAP];
    Py_ssize_t used = checksum_input(args, nargs, buf, sizeof buf);
    if (used < 0) {
        return NULL;
    }
    return PyLong_FromUnsignedLong(crc32_update(0, (const unsigned char *)buf, (size_t)used));
}

/* crc32(data) -> int: the sliced CRC on its own, so tests can hold it to zlib's. */
static PyObject *crc32(PyObject *Py_UNUSED(self), PyObject *arg) {
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    uint32_t c = crc32_update(0, (const unsigned char *)view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLong(c);
}

static PyMethodDef methods[] = {
    {"apply_levels", (PyCFunction)(void (*)(void))apply_levels, METH_FASTCALL,
     "Apply book levels to one side in order, then truncate it to depth."},
    {"checksum", (PyCFunction)(void (*)(void))checksum, METH_FASTCALL, "Kraken's CRC32 book checksum."},
    {"crc32", crc32, METH_O, "CRC-32 as zlib computes it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_l2kernel", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__l2kernel(void) {
    crc_init();
    str_price = PyUnicode_InternFromString("price");
    str_qty = PyUnicode_InternFromString("qty");
    if (str_price == NULL || str_qty == NULL) {
        return NULL;
    }
    return PyModule_Create(&module);
}
