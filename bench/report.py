#!/usr/bin/env python3
"""Prints the benchmark table from ops_benchmark's JSON output (see run.sh).

Given several runs' files, the times are the medians over the runs, and the
speed-up column gives the median ratio with its min-max over the runs: on a
shared machine two runs disagree by 10-30%, so one run's ratio is no figure.
"""
import json
import re
import statistics
import sys


def load(path):
    data = json.load(open(path))
    medians = {}
    for b in data['benchmarks']:
        if b.get('aggregate_name', 'median') != 'median':
            continue
        name = b.get('run_name', b['name']).removesuffix('/real_time')
        seconds = b['real_time'] * {'ns': 1e-9, 'us': 1e-6, 'ms': 1e-3, 's': 1.0}[b['time_unit']]
        medians[name] = (seconds, b.get('bytes', 0), b.get('flops', 0))
    return data, medians


def main(paths):
    runs = [load(p) for p in paths]
    data = runs[0][0]
    names = list(runs[0][1])

    def seconds(name):
        values = [m[name][0] for _, m in runs if name in m]
        return statistics.median(values) if values else None

    def counters(name):
        return runs[0][1][name][1:]

    def rate(name, key):
        s = seconds(name)
        if s is None:
            return None
        nbytes, flops = counters(name)
        return (nbytes if key == 'bytes' else flops) / s

    peak = {'f32': rate('probe_fma_f32', 'flops'), 'f64': rate('probe_fma_f64', 'flops')}
    bandwidth = rate('probe_bandwidth_l3', 'bytes')
    print(f"measured limits (1 thread): FMA peak f32 {fmt_rate(peak['f32'], 'FLOP/s')}, "
          f"f64 {fmt_rate(peak['f64'], 'FLOP/s')}; L3 bandwidth {fmt_rate(bandwidth, 'B/s')}")
    print(f"build: {data['context'].get('library_build_type', '?')} Google Benchmark; "
          f"minitorch release preset (portable; float32 exp/tanh/sigmoid, softmax, cross-entropy, "
          f"axpy and sum kernels dispatched to AVX-512/AVX2 at run time); thr = set_num_threads, "
          f"torch::set_num_threads and OpenBLAS threads; {len(runs)} run(s), medians of 3 "
          f"repetitions each; speed-up = LibTorch time / minitorch time, median (min-max) over the "
          f"runs")
    print()
    header = (f"{'workload':50} {'thr':>3} {'dtype':>5} {'minitorch':>10} {'LibTorch':>10} "
              f"{'speed-up':>8} {'min-max':>11} {'of limit':>8}")
    print(header)
    print('-' * len(header))
    for name in names:
        m = re.match(r'(.*)/threads:(\d+)/minitorch$', name)
        if not m:
            continue
        workload, threads = m.group(1), int(m.group(2))
        theirs_name = f'{workload}/threads:{threads}/libtorch'
        dtype = 'f64' if '_f64' in workload else 'f32'
        ours = seconds(name)
        theirs = seconds(theirs_name)
        nbytes, flops = counters(name)
        fraction = ''
        if flops and peak[dtype]:
            fraction = f'{flops / ours / (peak[dtype] * threads):7.0%}'
        elif nbytes and bandwidth:
            fraction = f'{nbytes / ours / (bandwidth * threads):7.0%}'
        ratios = [mm[theirs_name][0] / mm[name][0] for _, mm in runs
                  if name in mm and theirs_name in mm]
        speedup = f'{statistics.median(ratios):7.2f}x' if ratios else ''
        spread = f'{min(ratios):.2f}-{max(ratios):.2f}' if len(ratios) > 1 else ''
        print(f"{workload:50} {threads:>3} {dtype:>5} {fmt_time(ours):>10} "
              f"{fmt_time(theirs) if theirs else '':>10} {speedup:>8} {spread:>11} {fraction:>8}")


def fmt_time(seconds):
    for unit, scale in (('s', 1), ('ms', 1e-3), ('us', 1e-6)):
        if seconds >= scale:
            return f'{seconds / scale:.3g} {unit}'
    return f'{seconds / 1e-9:.3g} ns'


def fmt_rate(value, unit):
    if value is None:
        return 'n/a'
    for prefix, scale in (('T', 1e12), ('G', 1e9), ('M', 1e6)):
        if value >= scale:
            return f'{value / scale:.1f} {prefix}{unit}'
    return f'{value:.3g} {unit}'


if __name__ == '__main__':
    main(sys.argv[1:])
