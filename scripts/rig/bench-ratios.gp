# SPDX-License-Identifier: GPL-2.0-only
# make bench's plot (Documentation/performance.md): khv/KVM per workload, one bar per column of
# the data file (each vendor, and the cost model's estimate, "amd-model"),
# on a log scale (create_destroy sits orders of magnitude below the exits); the dashed line is
# parity. Usage: gnuplot -e "datafile='ratios.dat'; outfile='ratios.svg'; vendors=COLUMNS" bench-ratios.gp
set terminal svg size 960,520 dynamic noenhanced font "sans,11"
set output outfile
set title "khv / KVM on the same guests in the same emulated host (below 1: khv needs less)"
set ylabel "khv / KVM"
set logscale y
# Room above parity whatever the data: the line at 1 stays inside the plot.
set offsets 0, 0, graph 0.1, 0
set grid ytics
set key top left
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -30 nomirror offset -1,0
set datafile missing "-"
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 linewidth 1.5
plot for [i=2:vendors+1] datafile using i:xtic(1) title columnhead(i)
