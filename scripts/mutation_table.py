#!/usr/bin/env python3
"""The mutation table: deliberate bugs, one at a time, against the fuzz targets.

Each row is a small change to the library that makes one kind of bug: a
thread-split boundary, a subgradient at ties, an unstable formula, a fused
float32 kernel, a view's backward, a missing version bump, ... On a scratch
git worktree of a commit (HEAD by default), each row's fuzz target is built
with the change (the fuzz preset: clang, libFuzzer, ASan+UBSan) and run twice
at once, with -seed=1: from a copy of the target's seed corpus and from an
empty corpus. The table gives the seconds until the target reported the bug
(a verdict failure or a sanitizer error) and the first line of its report, so
that a find which is not the bug shows. The change is undone before the next
row (the worktree's fuzz binaries are scratch: each keeps the last change
built into it). A row whose code is no longer in the tree is reported as
such, not run.

The fuzz targets must find every row from the seed corpus in under 60 s
and from an empty corpus in under 5 minutes (the defaults below). A seeded
find may be a replay of a corpus file; the empty-corpus time measures the
search. Both runs share the machine's cores, so the times are upper bounds
for a target alone.

Usage: scripts/mutation_table.py [--rev REV | --tree DIR] [--rows 1,4,7] [--seeded S] [--empty S]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass


@dataclass
class Mutation:
    bug: str
    kind: str
    target: str
    path: str
    old: str
    new: str


MUTATIONS = [
    Mutation("parallel_for's chunks drop the last n % chunks elements", "thread-split boundary",
             "fuzz_broadcast", "lib/src/parallel.cc",
             "fn(c * n / chunks, (c + 1) * n / chunks)",
             "fn(c * (n / chunks), (c + 1) * (n / chunks))"),
    Mutation("AccumulateGrad always keeps the incoming gradient as the leaf's", "leaf-gradient steal",
             "fuzz_broadcast", "lib/src/autograd/node.cc",
             "grad = is_sole_owner(grad_output) ? grad_output : grad_output.clone();",
             "grad = grad_output;"),
    Mutation("matmul's broadcast batch dims keep their stride", "batched-broadcast matmul",
             "fuzz_matmul", "lib/src/ops/matmul.cc",
             "strides[i] = impl.shape[i - lead] == 1 ? 0 : impl.strides[i - lead];",
             "strides[i] = impl.strides[i - lead];"),
    Mutation("matmul with a 1-D right operand squeezes every size-1 dim",
             "wrong forward shape (1-D matmul)", "fuzz_matmul", "lib/src/ops/matmul.cc",
             "if (b.dim() == 1) out = squeeze(out, -1);",
             "if (b.dim() == 1) out = squeeze(out);"),
    Mutation("cross_entropy's composed (create_graph) backward misses the / N",
             "create_graph-only formula", "fuzz_softmax", "lib/src/ops/softmax.cc",
             "[&] { return grad / batch * (probabilities - one_hot(indices, probabilities)); }",
             "[&] { return grad * (probabilities - one_hot(indices, probabilities)); }"),
    Mutation("clamp's gradient excludes the lower bound", "subgradient at a bound",
             "fuzz_graph", "lib/src/ops/unary.cc",
             "return (v >= lo && v <= hi) ? 1 : 0;",
             "return (v > lo && v <= hi) ? 1 : 0;"),
    Mutation("sum_to skips the first kept broadcast dim", "reverse broadcasting",
             "fuzz_broadcast", "lib/src/ops/op_util.cc",
             "if (i < lead || (shape[i - lead] == 1 && grad.size(i) != 1)) {",
             "if (i < lead || (i > lead && shape[i - lead] == 1 && grad.size(i) != 1)) {"),
    Mutation("float32 exp/tanh/sigmoid arrays skip the last tail element",
             "vectorised float32 kernel", "fuzz_graph_f32", "lib/src/kernels/fast_math.cc",
             "for (; i < n; ++i) kScalar(x[i], y[i]);",
             "for (; i + 1 < n; ++i) kScalar(x[i], y[i]);"),
    Mutation("where's backward swaps its branches", "select", "fuzz_graph",
             "lib/src/ops/binary.cc",
             "ctx.needs[1] ? sum_to(where(cond, grad, zero), shape_a) : Tensor(),",
             "ctx.needs[1] ? sum_to(where(cond, zero, grad), shape_a) : Tensor(),"),
    Mutation("logsumexp's backward without the max shift",
             "unstable rewrite (extreme magnitudes only)", "fuzz_softmax", "lib/src/ops/reduce.cc",
             "const Tensor e = exp(x - finite_or_zero(m));",
             "const Tensor e = exp(x);"),
    Mutation("embedding's backward overwrites repeated rows", "scatter", "fuzz_graph",
             "lib/src/ops/op_util.cc",
             "to[positions[k]] += from[k];",
             "to[positions[k]] = from[k];"),
    Mutation("in-place ops on contiguous tensors do not bump the version counter",
             "missing version bump", "fuzz_graph", "lib/src/tensor.cc",
             "    si.storage->version.fetch_add(1, std::memory_order_relaxed);\n    return;",
             "    return;"),
    Mutation("div's denominator gradient as -(grad a) / (b b)",
             "unstable rewrite (magnitudes past 1e154 only)", "fuzz_broadcast", "lib/src/ops/binary.cc",
             "return -where(divide_first, (grad / b) * quotient, (grad * quotient) / b);",
             "return -(grad * (quotient * b)) / (b * b);"),
    Mutation("maximum gives a tie's whole gradient to a", "subgradient at ties",
             "fuzz_broadcast", "lib/src/ops/binary.cc",
             "if (a == b) return T(0.5);",
             "if (a == b) return T(1);"),
    Mutation("mean's backward divides by the count squared", "reduction backward",
             "fuzz_broadcast", "lib/src/ops/reduce.cc",
             "return GradList{expand_reduced(grad / count, shape, mask)};",
             "return GradList{expand_reduced(grad / (count * count), shape, mask)};"),
    Mutation("mean keeps the reduced dims", "wrong forward shape", "fuzz_broadcast",
             "lib/src/ops/reduce.cc",
             "out = sum_forward(x, mask, keepdim) / count;",
             "out = sum_forward(x, mask, true) / count;"),
    Mutation("permute's backward applies the permutation, not its inverse",
             "view backward (permute inverse)", "fuzz_graph", "lib/src/ops/views.cc",
             "[inverse](const Tensor& grad, const BackwardContext&) {\n"
             "      return GradList{permute(grad, inverse)};",
             "[inverse, forward = Shape(dims)](const Tensor& grad, const BackwardContext&) {\n"
             "      (void)inverse;\n"
             "      return GradList{permute(grad, forward)};"),
    Mutation("float32 fused log_softmax backward uses softmax's", "fused float32 kernel",
             "fuzz_softmax_f32", "lib/src/kernels/softmax.cc",
             "  backward_rows<float, true>(y, grad, out, rows, n);",
             "  backward_rows<float, false>(y, grad, out, rows, n);"),
    Mutation("saved outputs never attached in the recorded backward",
             "create_graph-only (second derivatives)", "fuzz_graph", "lib/src/autograd/node.cc",
             "if (!is_output_ || !is_grad_enabled()) return tensor_;",
             "return tensor_;"),
    Mutation("log_softmax's kernel as log(exp(x - max) / sum)",
             "unstable rewrite (spreads past 745 only)", "fuzz_softmax",
             "lib/src/kernels/softmax.cc",
             "for (int64_t k = 0; k < n; ++k) out[k] = (row[k] - max) - log_sum;",
             "for (int64_t k = 0; k < n; ++k) out[k] = std::log(out[k] / sum);"),
    Mutation("relu's recorded backward multiplies by its mask",
             "create_graph-only (non-finite incoming gradients)", "fuzz_graph",
             "lib/src/ops/unary.cc",
             "return where(le_mask(y, scalar_like(0, g)), scalar_like(0, g), g);",
             "return g * gt_mask(y, scalar_like(0, g));"),
]


def corpus_dir(tree, target):
    """corpus/X for fuzz_X and its float32 build fuzz_X_f32 (scripts/fuzz_targets.sh)."""
    name = target[len('fuzz_'):]
    if name.endswith('_f32'):
        name = name[:-len('_f32')]
    return os.path.join(tree, 'corpus', name)


def first_report_line(log):
    """The first line of what the target reported: the verdict's failure, else
    a sanitizer's or libFuzzer's error."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if ': FAILURE ====' in line:
            report = []
            for l in lines[i + 1:]:
                if l.startswith('input bytes'):
                    break
                if l.strip():
                    report.append(l.strip())
            if report and report[0] == 'program:':
                # fuzz_softmax's own checks (shift invariance, row sums) say
                # what failed after the program.
                return '; '.join(report[-2:])
            return report[0] if report else line.strip()
    for line in lines:
        if 'ERROR:' in line or 'runtime error:' in line or 'terminate called' in line:
            return line.strip()
    return ''


def start_run(binary, corpus_copy_of, seconds, env):
    """Starts the target for `seconds` from a copy of `corpus_copy_of` (None:
    empty); returns (process, scratch dir, start time)."""
    scratch = tempfile.mkdtemp(prefix='mutation-')
    corpus = os.path.join(scratch, 'corpus')
    if corpus_copy_of:
        shutil.copytree(corpus_copy_of, corpus)
    else:
        os.mkdir(corpus)
    with open(os.path.join(scratch, 'log'), 'w') as log:
        process = subprocess.Popen(
            [binary, '-seed=1', f'-max_total_time={seconds}', 'corpus'], cwd=scratch,
            stdout=log, stderr=subprocess.STDOUT, env=env)
    return process, scratch, time.monotonic()


def finish_run(run):
    """Waits for a run: (seconds to the report or None, its first line)."""
    process, scratch, started = run
    process.wait()
    seconds = time.monotonic() - started
    with open(os.path.join(scratch, 'log'), errors='replace') as f:
        log = f.read()
    shutil.rmtree(scratch, ignore_errors=True)
    if process.returncode == 0:
        return None, ''
    return seconds, first_report_line(log)


def run_mutation(tree, m, seeded, empty, env):
    """Applies `m` in `tree`, builds its target, runs it seeded and empty.
    Returns (seeded result, empty result) or a reason it did not run."""
    path = os.path.join(tree, m.path)
    with open(path) as f:
        original = f.read()
    if original.count(m.old) != 1:
        return f'site not found once in {m.path}'
    try:
        with open(path, 'w') as f:
            f.write(original.replace(m.old, m.new))
        build = subprocess.run(
            ['cmake', '--build', os.path.join(tree, 'build', 'fuzz'), '--target', m.target],
            capture_output=True, text=True)
        if build.returncode != 0:
            return 'build failed:\n' + build.stdout[-2000:]
        binary = os.path.join(tree, 'build', 'fuzz', m.target)
        runs = [start_run(binary, corpus_dir(tree, m.target), seeded, env),
                start_run(binary, None, empty, env)]
        return [finish_run(r) for r in runs]
    finally:
        with open(path, 'w') as f:
            f.write(original)


def short_rev(where, rev):
    return subprocess.run(['git', '-C', where, 'rev-parse', '--short', rev],
                          capture_output=True, text=True, check=True).stdout.strip()


def cell(result, limit):
    seconds, _ = result
    return f'not found in {limit} s' if seconds is None else f'{seconds:.1f} s'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rev', default='HEAD')
    parser.add_argument('--tree', help='an existing worktree (with build/fuzz) to use instead')
    parser.add_argument('--rows', help='comma-separated row numbers (1-based); default all')
    parser.add_argument('--seeded', type=int, default=60, help='seconds from the seed corpus')
    parser.add_argument('--empty', type=int, default=300, help='seconds from an empty corpus')
    args = parser.parse_args()
    root = subprocess.run(['git', 'rev-parse', '--show-toplevel'], capture_output=True,
                          text=True, check=True).stdout.strip()
    if args.tree:
        tree, rev = args.tree, short_rev(args.tree, 'HEAD')
    else:
        rev = short_rev(root, args.rev)
        tree = os.path.join(root, 'build', 'mutation', rev)
    if not os.path.isdir(tree):
        subprocess.run(['git', '-C', root, 'worktree', 'add', '--detach', tree, rev], check=True)
    if not os.path.isdir(os.path.join(tree, 'build', 'fuzz')):
        subprocess.run(['cmake', '--preset', 'fuzz'], cwd=tree, check=True,
                       stdout=subprocess.DEVNULL)
    env = dict(os.environ, ASAN_OPTIONS='detect_leaks=1',
               LSAN_OPTIONS='suppressions=' + os.path.join(tree, 'scripts', 'lsan.supp'))
    rows = range(1, len(MUTATIONS) + 1)
    if args.rows:
        rows = [int(r) for r in args.rows.split(',')]
    table = ['| # | bug | class | target | seeded | empty | first line reported (seeded run) |',
             '|---|---|---|---|---|---|---|']
    missed = 0
    for n in rows:
        m = MUTATIONS[n - 1]
        outcome = run_mutation(tree, m, args.seeded, args.empty, env)
        if isinstance(outcome, str):
            row = f'| {n} | {m.bug} | {m.kind} | {m.target} | {outcome} | | |'
            missed += 1
        else:
            seeded, empty = outcome
            missed += (seeded[0] is None) + (empty[0] is None)
            report = (seeded[1] or empty[1]).replace('|', '\\|')[:120]
            row = (f'| {n} | {m.bug} | {m.kind} | {m.target} | {cell(seeded, args.seeded)} | '
                   f'{cell(empty, args.empty)} | {report} |')
        print(row, flush=True)
        table.append(row)
    print(f'\nmutation table at {rev} (-seed=1; {args.seeded} s seeded, {args.empty} s empty):')
    print('\n'.join(table))
    return 1 if missed else 0


if __name__ == '__main__':
    sys.exit(main())
