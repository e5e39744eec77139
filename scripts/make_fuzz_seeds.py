#!/usr/bin/env python3
"""Writes the fuzz seed corpus (corpus/<target>/) in the format of
fuzz/decoder.h, version 4. Each seed is named after what it exercises. Ops
are named by the fuzz codes of their op-table entries (read from
lib/include/minitorch/op_table.h), so adding an op changes no seed. The seeds
are checked in; rerun this only to change them. Files named regress-* were
found by fuzzing and are not written here. corpus/safetensors holds
checkpoint files (seeds_safetensors), not this format."""
import json
import math
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', 'corpus')
OP_TABLE = os.path.join(HERE, '..', 'lib', 'include', 'minitorch', 'op_table.h')
VERSION = 4
SMALL, GRID, WIDE, RAW = 0, 1, 2, 3


def op_codes():
    """name -> fuzz code, from the X(...) entries of the op table."""
    with open(OP_TABLE) as f:
        text = f.read()
    entries = re.findall(r'^\s*X\(\s*k\w+,\s*"(\w+)",\s*\w+,\s*\d+,\s*\w+,\s*\w+,\s*\w+,\s*(\d+)\)',
                         text, re.MULTILINE)
    assert entries, 'no op entries found in ' + OP_TABLE
    return {name: int(code) for name, code in entries}


CODE = op_codes()


def rng(v, lo):  # in_range(lo, hi) encoding of v
    return [v - lo]


def small(x):
    return list(struct.pack('<h', int(round(x * 4096))))


def grid(x):
    return [int(x * 2 + 4)]


def wide(sign, mantissa_byte, exp10):
    assert (exp10 + 300) % 4 == 0
    return [1 if sign < 0 else 0, mantissa_byte, (exp10 + 300) // 4]


def raw(x):
    return list(struct.pack('<d', x))


def values(mode, xs):
    out = []
    for x in xs:
        if mode == SMALL:
            out += small(x)
        elif mode == GRID:
            out += grid(x)
        elif mode == RAW:
            out += raw(x)
        else:
            out += wide(*x)
    return out


def shape_bytes(shape, min_rank, lo_dim=1):
    return rng(len(shape), min_rank) + [d - lo_dim for d in shape]


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(bytes([VERSION] + data))


# The execution fields every gradient target reads last (fuzz/harness.h).
OWN, RESHAPE_VIEW, EXPAND_VIEW = 0, 1, 2


NO_CHANGE, ADD_, MUL_, COPY_, FILL_ = 0, 1, 2, 3, 4


def execution(threads, grain, backward_calls, cotangent, create_graph=False, transposed=False,
              sliced=False, in_place=NO_CHANGE, in_place_input=0):
    return (rng(threads, 1) + [grain - 1 if grain else 0] + [backward_calls] + rng(cotangent, 0) +
            [1 if create_graph else 0] + [1 if transposed else 0] + [1 if sliced else 0] +
            [in_place_input * 5 + in_place])


# Split over 3 threads with a grain of 3 elements, backward() twice from an
# expand view; over 2 threads with a grain of 1, backward() three times from
# a reshape view, the inputs transposed views; and the recorded
# (create_graph) backward; the inputs as every other element of a buffer,
# input 0 changed by mul_ between forward and backward; input 1 changed by
# copy_.
EXECUTIONS = [('split3-backward2-expand', execution(3, 3, 2, EXPAND_VIEW)),
              ('split2-backward3-reshape-transposed',
               execution(2, 1, 3, RESHAPE_VIEW, transposed=True)),
              ('create-graph', execution(1, 0, 0, OWN, create_graph=True)),
              ('sliced-in-place-mul-input0', execution(1, 0, 0, OWN, sliced=True, in_place=MUL_)),
              ('backward2-in-place-copy-input1',
               execution(1, 0, 2, OWN, in_place=COPY_, in_place_input=1))]


def numel(shape):
    return math.prod(shape) if shape else 1


def seeds_broadcast():
    ops = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum']
    follow = ['none', 'sum', 'mean', 'amax', 'logsumexp', 'softmax', 'log_softmax']
    # (base, drop, partner flags (1 = size 1), swap)
    pairs = [((4, 3), 1, [0], True, '3_with_4x3'),
             ((4, 3), 0, [0, 1], False, '4x3_with_4x1'),
             ((4, 3), 0, [1, 0], False, '4x3_with_1x3'),
             ((2, 4, 3), 1, [0, 0], True, '4x3_with_2x4x3'),
             ((2, 3, 4), 2, [1], True, '1_with_2x3x4'),
             ((2, 3), 2, [], True, 'scalar_with_2x3'),
             ((2, 1, 3), 0, [0, 0, 0], False, 'same_2x1x3'),
             ((5, 4, 3, 2), 1, [1, 0, 1], False, 'rank4')]
    for oi, op in enumerate(ops):
        for pi, (base, drop, flags, swap, pname) in enumerate(pairs):
            fi = (oi + pi) % len(follow)
            mode = GRID if pi % 3 == 0 else SMALL
            partner = [1 if f else base[drop + k] for k, f in enumerate(flags)]
            n = numel(base) + numel(partner)
            # Positive values for pow's base, away from zero for div's denominator.
            xs = [((i * 7) % 11 - 5) / 4 for i in range(n)]
            if op in ('pow', 'div'):
                xs = [abs(x) + 0.5 for x in xs]
            data = ([CODE[op]] + shape_bytes(base, 1) + rng(drop, 0) + flags + [1 if swap else 0] +
                    rng(fi, 0) + [pi] + [pi % 2] + [mode] + values(mode, xs))
            name = f'{op}-{pname}-{follow[fi]}-{"grid" if mode == GRID else "small"}'
            write('broadcast', name, data)
            if pname in ('same_2x1x3', 'rank4'):
                for ename, ebytes in EXECUTIONS:
                    write('broadcast', f'{name}-{ename}', data + ebytes)


def seeds_softmax():
    kinds = ['softmax', 'log_softmax', 'logsumexp', 'cross_entropy_class', 'cross_entropy_prob']
    cases = [
        ('magnitude_1e4_mixed', WIDE, [(1, 0, 4), (-1, 0, 4), (1, 128, 4), (-1, 200, 0)]),
        ('magnitude_1e300_mixed', WIDE, [(1, 0, 300), (-1, 0, 300), (1, 5, 0), (-1, 9, 296)]),
        ('magnitude_1e300_all_positive', WIDE, [(1, 0, 300), (1, 3, 300), (1, 7, 300), (1, 1, 300)]),
        ('magnitude_1e8_ties', WIDE, [(1, 0, 8), (1, 0, 8), (-1, 0, 8), (1, 0, 8)]),
        ('tiny_1e-300', WIDE, [(1, 0, -300), (-1, 0, -300), (1, 9, -100), (-1, 0, 0)]),
        ('grid_ties', GRID, [0, 0, 0.5, 0.5]),
        ('nan_inf_raw', RAW, [float('nan'), float('inf'), -float('inf'), -0.0]),
        ('inf_row_raw', RAW, [float('inf'), 1.0, 2.0, -float('inf')]),
        ('subnormal_raw', RAW, [5e-324, -5e-324, 0.0, 1e-310]),
        ('small_plain', SMALL, [0.25, -1.5, 3.0, 0.0]),
    ]
    for ki, kind in enumerate(kinds):
        for ci, (name, mode, xs) in enumerate(cases):
            shape = (2, 2)
            data = rng(ki, 0) + shape_bytes(shape, 1) + [ci] + [mode] + values(mode, xs)
            data += small(0.75) + rng(ci % 5, 0)  # shift 0.75 * 10^k
            if kind == 'cross_entropy_class':
                data += [ci % 2, (ci + 1) % 2]
            elif kind == 'cross_entropy_prob':
                data += values(SMALL, [0.1, 0.9, 0.5, 0.5])
            write('softmax', f'{kind}-{name}', data)
            if name == 'small_plain':
                for ename, ebytes in EXECUTIONS:
                    write('softmax', f'{kind}-{name}-{ename}', data + ebytes)
        # A long row of extremes along dim 1 of a 3-d tensor.
        xs = [(1 if i % 2 else -1, i * 17 % 256, (i * 40) % 304) for i in range(2 * 5 * 3)]
        data = rng(ki, 0) + shape_bytes((2, 5, 3) if ki < 3 else (5, 3), 1) + [1] + [WIDE] + values(WIDE, xs[:30 if ki < 3 else 15])
        data += small(-2.0) + [4] + ([0, 1, 2, 0, 1] if ki == 3 else values(SMALL, [0.2] * 15) if ki == 4 else [])
        write('softmax', f'{kind}-extreme_rows_3d', data)


def seeds_graph():
    # (name, two inputs, shapes, steps [(op index, a0, a1, params...)])
    graphs = [
        ('mlp_layer', [(3, 4), (4, 2)], [('matmul', 0, 1), ('tanh', 2, 0), ('log_softmax', 3, 0, 4 + 1)]),
        ('broadcast_chain', [(4, 3), (3,)], [('mul', 0, 1), ('exp', 2, 0), ('sum', 3, 0, 1, 0 + 4, 1), ('sqrt', 4, 0)]),
        ('views_then_binary', [(2, 3), (3, 2)], [('transpose', 0, 0, 0 + 4, 1 + 4), ('add', 2, 1), ('softmax', 3, 0, 4 - 1)]),
        ('kinks_grid', [(3, 3)], [('relu', 0, 0), ('abs', 0, 0), ('maximum', 1, 2), ('amax', 3, 0, 1, 4, 0)]),
        ('cross_entropy', [(3, 4)], [('cross_entropy', 0, 0, 1, 0, 3, 1)]),
        ('every_unary', [(2, 2)], [('neg', 0, 0), ('sigmoid', 1, 0), ('log', 2, 0), ('clamp', 3, 0, 1, 0, 1, 4 + 1),
                                   ('pow_scalar', 4, 0, 4 + 2), ('where', 5, 0, 1, 0, 1, 0), ('logsumexp', 6, 0, 1, 4 - 1, 0)]),
        ('expand_reshape', [(3, 1)], [('expand', 0, 0, 1, 0, 2), ('reshape', 1, 0, 0, 1), ('unsqueeze', 2, 0, 4), ('squeeze', 3, 0, 0), ('mean', 4, 0, 0, 0)]),
        ('permute_div', [(2, 3, 2), (2,)], [('permute', 0, 0, 0, 0), ('div', 2, 1), ('minimum', 3, 0), ('clone', 4, 0)]),
        # narrow(x0, 1, 1, 2), slice(.., 0, 0, 3, 2), select(.., -1, 0), index_select(x1, 0, [3, 0]), mul.
        ('indexing', [(3, 4), (4,)], [('narrow', 0, 0, 1 + 4, 1 + 3, 2), ('slice', 2, 0, 0 + 4, 0 + 5, 3 + 5, 2 - 1),
                                      ('select', 3, 0, -1 + 4, 0 + 3), ('index_select', 1, 0, 0 + 4, 2, 3, 0),
                                      ('mul', 4, 5)]),
        # cat(x0, x1, dim 0), then stack of that result with itself along -1.
        ('joining', [(2, 3), (2, 3)], [('cat', 0, 1, 0 + 4), ('stack', 2, 2, -1 + 4)]),
        # scatter_add(x0, 0, index (2, 3) with repeats, x1), then gather of that
        # along dim 1 by an index of shape (3, 2).
        ('scatter_gather', [(3, 4), (2, 4)], [('scatter_add', 0, 1, 0 + 4, 2, 3, 2, 0, 2, 1, 1, 0),
                                               ('gather', 2, 0, 1 + 4, 3, 2, 3, 0, 1, 1, 2, 0)]),
    ]
    for name, shapes, steps in graphs:
        mode = GRID if 'kinks' in name else SMALL
        data = [1 if len(shapes) == 2 else 0]
        for s in shapes:
            data += shape_bytes(s, 0)
        data += [mode]
        for s in shapes:
            xs = [((i * 5) % 9 - 4) / 3 + (0.05 if mode == SMALL else 0) for i in range(numel(s))]
            data += values(mode, xs)
        data += rng(len(steps), 1)
        for op, a0, a1, *params in steps:
            data += [CODE[op], a0, a1] + list(params)
        write('graph', name, data)
        for ename, ebytes in EXECUTIONS:
            write('graph', f'{name}-{ename}', data + ebytes)
        # The magnitude field after a plain execution: inputs scaled to 1e48,
        # 1e100, 1e200 and 1e300 (float32 builds: 1e8, 1e20, 1e0, 1e20).
        for exponent in (48, 100, 200, 300):
            write('graph', f'{name}-times-1e{exponent}', data + execution(1, 0, 0, OWN) + [exponent // 4])


def seeds_matmul():
    # (name, n, k, m, batch, a, b, follow-up, mode); an operand is
    # ('vector',), ('matrix', transposed) or ('batched', ones flags, drop, transposed).
    cases = [
        ('dot', 1, 5, 1, (), ('vector',), ('vector',), 0, SMALL),
        ('matrix_vector', 3, 4, 1, (), ('matrix', 0), ('vector',), 1, SMALL),
        ('vector_matrix', 1, 4, 3, (), ('vector',), ('matrix', 0), 5, SMALL),
        ('matrix_matrix_odd', 3, 5, 3, (), ('matrix', 0), ('matrix', 0), 6, SMALL),
        ('transposed_both', 4, 3, 2, (), ('matrix', 1), ('matrix', 1), 3, SMALL),
        ('batched', 2, 3, 4, (3,), ('batched', [0], 0, 0), ('batched', [0], 0, 0), 2, SMALL),
        ('batch_broadcast_ones', 2, 3, 2, (3, 2), ('batched', [0, 0], 0, 0), ('batched', [1, 0], 0, 1), 1, SMALL),
        ('batch_broadcast_missing', 3, 2, 3, (4,), ('batched', [0], 0, 1), ('batched', [0], 1, 0), 4, SMALL),
        ('batched_times_vector', 2, 3, 1, (2, 3), ('batched', [0, 1], 0, 0), ('vector',), 0, SMALL),
        ('vector_times_batched', 1, 4, 2, (3,), ('vector',), ('batched', [0], 0, 1), 5, SMALL),
        ('batched_grid_ties', 2, 2, 2, (2,), ('batched', [0], 0, 0), ('batched', [1], 0, 0), 3, GRID),
        ('wide_magnitudes', 2, 3, 2, (), ('matrix', 0), ('matrix', 1), 6, WIDE),
    ]

    def operand(o, batch):
        form = {'vector': 0, 'matrix': 1, 'batched': 2}[o[0]]
        out = rng(form, 0)
        if o[0] == 'batched':
            out += list(o[1]) + rng(o[2], 0)
        if o[0] != 'vector':
            out += [o[-1]]
        return out

    def stored_numel(o, batch, rows, cols, vector_size):
        if o[0] == 'vector':
            return vector_size
        own = [1 if f else d for f, d in zip(o[1], batch)][o[2]:] if o[0] == 'batched' else []
        return numel(own) * rows * cols

    for i, (name, n, k, m, batch, a, b, follow, mode) in enumerate(cases):
        data = rng(n, 1) + rng(k, 1) + rng(m, 1) + shape_bytes(batch, 0)
        data += operand(a, batch) + operand(b, batch) + rng(follow, 0) + [i] + [i % 2] + [mode]
        count = stored_numel(a, batch, n, k, k) + stored_numel(b, batch, k, m, k)
        if mode == WIDE:
            xs = [(1 if j % 2 else -1, j * 37 % 256, ((j * 8) % 21 - 10) * 4) for j in range(count)]
        else:
            xs = [((j * 7) % 11 - 5) / 4 for j in range(count)]
        data += values(mode, xs)
        write('matmul', name, data)
        if name in ('batch_broadcast_ones', 'batched_times_vector', 'matrix_matrix_odd'):
            for ename, ebytes in EXECUTIONS:
                write('matmul', f'{name}-{ename}', data + ebytes)


def seeds_api():
    cases = {
        'mismatched_add': [2, 4, 0, 1, 0, 0, 0],
        'huge_zeros_overflow': [1, 0, 0, 0, 0, 0, 0, 3, 250, 250, 250],
        'huge_zeros_ceiling': [1, 0, 0, 0, 0, 0, 0, 2, 225, 210],
        'bad_reshape': [1, 20, 0, 0, 0, 0, 0, 2, 4, 9],
        'bad_dims': [3, 15, 0, 0, 11, 0, 0, 2, 11, 0, 26, 0, 0, 0, 0, 0, 0, 21, 0, 0, 0, 11, 1],
        'int64_math': [2, 12, 2, 2, 0, 0, 0, 19, 2, 1, 0, 0, 0],
        'undefined_operands': [3, 4, 5, 5, 0, 0, 0, 31, 5, 0, 0, 0, 0, 38, 5, 0, 0, 0, 0],
        'cross_entropy_bad_target': [2, 28, 0, 2, 0, 0, 0, 28, 3, 0, 0, 0, 0],
        'backward_misuse': [3, 32, 6, 0, 0, 0, 0, 33, 6, 1, 0, 0, 1, 33, 6, 6, 0, 0, 0],
        'inplace_on_leaf': [2, 36, 6, 0, 0, 0, 0, 35, 6, 0, 0, 0, 1] + small(0.5),
        'expand_huge_then_sum': [2, 23, 3, 0, 0, 0, 0, 2, 240, 240, 15, 7, 0, 0, 0, 0, 0],
        'nan_pow_and_gradcheck': [2, 11, 0, 0, 0, 0, 0] + raw(float('nan')) + [39, 1, 0, 0, 0, 1],
        # Call::kTableOp (40): ops by fuzz code with the parameters of their form.
        'table_ops': [3, 40, 0, 0, 0, 0, 0, CODE['softmax'], 5,
                      40, 6, 2, 0, 0, 0, CODE['clamp'], 1, 3, 1, 7,
                      40, 1, 5, 0, 0, 0, CODE['embedding_backward'],
                      40, 4, 0, 0, 0, 0, CODE['cross_entropy'], 0],
        # view (41) of a transpose refuses; randint (42), randperm (43) and
        # the global generator's randn (44) after manual_seed.
        'view_of_transpose': [1, 21, 0, 0, 6, 7, 0, 41, 7, 0, 0, 0, 0, 1, 0],
        # compare (45) float64 with int64, logical_not first; argmax (46) along dim 1
        # of the comparison's bool result is an error, of the float64 one not.
        'compare_and_reduce': [2, 45, 0, 2, 6, 0, 1, 46, 0, 0, 7, 6, 1, 1,
                               46, 7, 0, 7, 6, 1, 0],
        # topk (47) of k 2 along dim 1, then print (48) at line width 30.
        'topk_and_print': [1, 47, 0, 0, 7, 0, 1, 3, 48, 6, 1, 0, 0, 0, 30],
        'random_draws': [3, 42, 0, 0, 5, 8, 1, 3, 3, 2, 3, 4,
                         43, 0, 0, 8, 0, 0, 9,
                         44, 0, 0, 0, 9, 1, 2, 3, 4],
    }
    for name, data in cases.items():
        write('api', name, data)


def safetensors(header, data=b'', pad=True):
    """A safetensors file: 8-byte little-endian header length, the JSON
    header (space-padded to 8 bytes, as the safetensors package writes it),
    then the data section."""
    text = json.dumps(header, separators=(',', ':')).encode() if isinstance(header, dict) else header
    if pad:
        text += b' ' * ((8 - len(text) % 8) % 8)
    return struct.pack('<Q', len(text)) + text + data


def seeds_safetensors():
    """The checkpoint loader's seeds (fuzz/fuzz_safetensors.cc): files it
    loads, and files broken in each field it checks. Not in decoder.h's
    format: written as they are."""
    f64 = struct.pack('<3d', 1.5, -0.0, float('inf'))
    f32 = struct.pack('<4f', 1, 2, 3, 4)
    i64 = struct.pack('<2q', 7, -1)
    cases = {
        'valid-every-dtype-with-metadata': safetensors(
            {'__metadata__': {'step': '10', 'format': 'pt'},
             'a.weight': {'dtype': 'F32', 'shape': [2, 2], 'data_offsets': [0, 16]},
             'b': {'dtype': 'F64', 'shape': [3], 'data_offsets': [16, 40]},
             'index': {'dtype': 'I64', 'shape': [2], 'data_offsets': [40, 56]},
             'mask': {'dtype': 'BOOL', 'shape': [1, 2], 'data_offsets': [56, 58]}},
            f32 + f64 + i64 + b'\x01\x00'),
        'valid-scalar-and-empty': safetensors(
            {'s': {'dtype': 'F64', 'shape': [], 'data_offsets': [0, 8]},
             'e': {'dtype': 'F32', 'shape': [0, 3], 'data_offsets': [8, 8]}},
            struct.pack('<d', 2.25)),
        'valid-empty-file': safetensors({}),
        'broken-too-short': b'\x08\x00\x00',
        'broken-header-length-past-the-end': struct.pack('<Q', 1 << 40) + b'{}',
        'broken-header-not-json': safetensors(b'{"a":', pad=False),
        'broken-header-not-an-object': safetensors(b'[1,2]      '),
        'broken-unknown-dtype': safetensors(
            {'h': {'dtype': 'F16', 'shape': [2], 'data_offsets': [0, 4]}}, b'\0' * 4),
        'broken-negative-dim': safetensors(
            {'x': {'dtype': 'F32', 'shape': [-1], 'data_offsets': [0, 4]}}, b'\0' * 4),
        'broken-huge-shape': safetensors(
            {'x': {'dtype': 'F64', 'shape': [1 << 40, 1 << 40], 'data_offsets': [0, 8]}},
            b'\0' * 8),
        'broken-size-mismatch': safetensors(
            {'x': {'dtype': 'F64', 'shape': [2], 'data_offsets': [0, 8]}}, b'\0' * 8),
        'broken-offsets-past-the-data': safetensors(
            {'x': {'dtype': 'F64', 'shape': [2], 'data_offsets': [0, 16]}}, b'\0' * 8),
        'broken-overlap': safetensors(
            {'x': {'dtype': 'F64', 'shape': [1], 'data_offsets': [0, 8]},
             'y': {'dtype': 'F64', 'shape': [1], 'data_offsets': [0, 8]}}, b'\0' * 8),
        'broken-gap': safetensors(
            {'x': {'dtype': 'F64', 'shape': [1], 'data_offsets': [8, 16]}}, b'\0' * 16),
        'broken-bool-byte': safetensors(
            {'m': {'dtype': 'BOOL', 'shape': [2], 'data_offsets': [0, 2]}}, b'\x01\x07'),
        'broken-unknown-field': safetensors(
            {'x': {'dtype': 'F64', 'shape': [1], 'data_offsets': [0, 8], 'extra': 1}},
            b'\0' * 8),
        'broken-metadata-not-strings': safetensors({'__metadata__': {'step': 10}}),
        'broken-deep-nesting': safetensors(b'{"x":' + b'[' * 2000 + b']' * 2000 + b'}'),
    }
    d = os.path.join(ROOT, 'safetensors')
    os.makedirs(d, exist_ok=True)
    for name, data in cases.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    seeds_broadcast()
    seeds_softmax()
    seeds_graph()
    seeds_matmul()
    seeds_api()
    seeds_safetensors()
