# Formats build/bench/results.tsv (threads, side, name, median_ns, min_ns, max_ns, p25_ns,
# p75_ns, samples, peak_rss_kib, cpu_median_ns) as a Markdown table with the DESIGN.md section 7 targets.
# Called by scripts/bench with -v have_torch=0|1.

function fmt_time(ns) {
  if (ns < 1e3) return sprintf("%.0f ns", ns)
  if (ns < 1e6) return sprintf("%.2f us", ns / 1e3)
  if (ns < 1e9) return sprintf("%.2f ms", ns / 1e6)
  return sprintf("%.2f s", ns / 1e9)
}
function cell(k) {  # "median +-half-IQR%"
  if (!(k in med)) return "-"
  return sprintf("%s ±%.0f%%", fmt_time(med[k]), med[k] > 0 ? 50 * (p75[k] - p25[k]) / med[k] : 0)
}
function rss(k) { return (k in kib) ? sprintf("%.0f MB", kib[k] / 1024) : "-" }
function yesno(c) { return c ? "yes" : "**no**" }

# The ember/libtorch ratio targets of DESIGN.md section 7.
function ratio_target(name) {
  if (name == "add 1-elem, no grad" || name == "add 1-elem, grad" || name == "chain of 100 tiny ops, fwd+bwd") return 0.2
  if (name == "add 16M, fresh output" || name == "exp 16M, fresh output") return 0.5
  if (name == "sum 16M") return 1.0
  if (name ~ /^MLP / || name ~ /^CNN /) return 0.8
  return 0
}

BEGIN { FS = "\t"; slack = 1.05 }
{
  k = $3 SUBSEP $1 SUBSEP $2
  med[k] = $4; p25[k] = $7; p75[k] = $8; kib[k] = $10; cpu[k] = $11
  if (!($3 in seen)) { seen[$3] = 1; order[++nnames] = $3 }
  if (!($1 in tseen)) { tseen[$1] = 1; tlist[++nthreads] = $1 }
}
END {
  printf "| workload | threads | libtorch | ember | ember/libtorch | target | met | CPU-time ratio | RSS libtorch | RSS ember |\n"
  printf "|---|---|---|---|---|---|---|---|---|---|\n"
  for (i = 1; i <= nnames; ++i) {
    name = order[i]
    for (j = 1; j <= nthreads; ++j) {
      t = tlist[j]
      kt = name SUBSEP t SUBSEP "libtorch"; ke = name SUBSEP t SUBSEP "ember"
      if (!(kt in med) && !(ke in med)) continue
      ratio = (kt in med && ke in med && med[kt] > 0) ? med[ke] / med[kt] : -1
      target = ""; ok = -1
      rt = ratio_target(name)
      if (rt > 0) {
        target = "≤ " rt
        if (ratio >= 0) ok = (ratio <= rt)
      }
      if (name == "sum 16M") {
        # Also >= 80% of memcpy bandwidth: bytes read by sum per second against bytes
        # copied by memcpy per second (same process kind, same thread count).
        km = "memcpy 16M (reference)" SUBSEP t SUBSEP "ember"
        if ((km in med) && (ke in med)) {
          bw = med[km] / med[ke]
          target = target sprintf(", ≥ 0.8 memcpy bw (%.2f)", bw)
          ok = (ok != 0) && (bw >= 0.8)
        }
      }
      if (name ~ /^mm (256|1024|2048)$/) {
        # GEMM within 5% of raw cblas_sgemm in the same process (DESIGN: 1024; issue 6: >= 256).
        n = substr(name, 4)
        kc = "cblas_sgemm " n SUBSEP t SUBSEP "ember"
        if ((kc in med) && (ke in med)) {
          target = sprintf("≤ 1.05 sgemm (%.2f)", med[ke] / med[kc])
          ok = (med[ke] <= 1.05 * med[kc])
        }
      }
      if (t != tlist[1] && (ke in med)) {
        # No row slower with more threads (5% allowance for noise).
        k1 = name SUBSEP tlist[1] SUBSEP "ember"
        if (k1 in med) {
          r1 = med[ke] / med[k1]
          target = target (target == "" ? "" : "; ") sprintf("≤ %st (%.2f)", tlist[1], r1)
          ok = (ok != 0) && (r1 <= slack)
        }
      }
      cratio = (kt in cpu && ke in cpu && cpu[kt] > 0) ? sprintf("%.2f", cpu[ke] / cpu[kt]) : "-"
      rs = (ratio >= 0) ? sprintf("%.2f", ratio) : "-"
      if (target == "") target = "-"
      met = (ok < 0) ? "-" : yesno(ok)
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name, t, cell(kt), cell(ke), rs, target, met,
        cratio, rss(kt), rss(ke)
    }
    if (name ~ /^CNN /) {
      # Peak resident memory of the CNN training processes, ember/libtorch <= 1.0.
      for (j = 1; j <= nthreads; ++j) {
        t = tlist[j]
        kt = name SUBSEP t SUBSEP "libtorch"; ke = name SUBSEP t SUBSEP "ember"
        if (!(kt in kib) || !(ke in kib)) continue
        r = kib[ke] / kib[kt]
        met = yesno(r <= 1.0)
        printf "| peak RSS, CNN training | %s | %s | %s | %.2f | ≤ 1.0 | %s | - | %s | %s |\n", t, rss(kt), rss(ke), r,
          met, rss(kt), rss(ke)
      }
    }
  }
  printf "\nTimes: wall-clock median per operation ±half the interquartile range; ratios and targets use\n"
  printf "these. CPU-time ratio: the same ratio of process CPU time (all threads), less disturbed by other\n"
  printf "load on the machine. met: the DESIGN.md §7 target;\n"
  printf "at 2 threads also not slower than at 1 thread (5%% allowance for noise; the ratio is in brackets).\n"
}
