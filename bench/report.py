#!/usr/bin/env python3
"""Prints the benchmark table from ops_benchmark's JSON output (see run.sh)."""
import json
import re
import sys


def main(path):
    data = json.load(open(path))
    medians = {}
    for b in data['benchmarks']:
        if b.get('aggregate_name', 'median') != 'median':
            continue
        name = b.get('run_name', b['name']).removesuffix('/real_time')
        seconds = b['real_time'] * {'ns': 1e-9, 'us': 1e-6, 'ms': 1e-3, 's': 1.0}[b['time_unit']]
        medians[name] = (seconds, b.get('bytes', 0), b.get('flops', 0))

    def rate(name, key):
        if name not in medians:
            return None
        seconds, nbytes, flops = medians[name]
        return (nbytes if key == 'bytes' else flops) / seconds

    peak = {'f32': rate('probe_fma_f32', 'flops'), 'f64': rate('probe_fma_f64', 'flops')}
    bandwidth = rate('probe_bandwidth_l3', 'bytes')
    print(f"measured limits (1 thread): FMA peak f32 {fmt_rate(peak['f32'], 'FLOP/s')}, "
          f"f64 {fmt_rate(peak['f64'], 'FLOP/s')}; L3 bandwidth {fmt_rate(bandwidth, 'B/s')}")
    print(f"build: {data['context'].get('library_build_type', '?')} Google Benchmark; "
          f"minitorch release preset (portable; float32 exp/tanh/sigmoid, softmax, cross-entropy and "
          f"axpy kernels dispatched to AVX-512/AVX2 at run time); thr = set_num_threads, "
          f"torch::set_num_threads and OpenBLAS threads")
    print()
    header = f"{'workload':42} {'thr':>3} {'dtype':>5} {'minitorch':>11} {'LibTorch':>11} {'speed-up':>8} {'of limit':>8}"
    print(header)
    print('-' * len(header))
    for name in medians:
        m = re.match(r'(.*)/threads:(\d+)/minitorch$', name)
        if not m:
            continue
        workload, threads = m.group(1), int(m.group(2))
        ours = medians[name]
        theirs = medians.get(f'{workload}/threads:{threads}/libtorch')
        dtype = 'f64' if '_f64' in workload else 'f32'
        seconds, nbytes, flops = ours
        fraction = ''
        if flops and peak[dtype]:
            fraction = f'{flops / seconds / (peak[dtype] * threads):7.0%}'
        elif nbytes and bandwidth:
            fraction = f'{nbytes / seconds / (bandwidth * threads):7.0%}'
        speedup = f'{theirs[0] / seconds:7.2f}x' if theirs else ''
        print(f"{workload:42} {threads:>3} {dtype:>5} {fmt_time(seconds):>11} "
              f"{fmt_time(theirs[0]) if theirs else '':>11} {speedup:>8} {fraction:>8}")


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
    main(sys.argv[1])
