# Sourced by the API benchmarks: the environment a benchmarked server runs with. No answer
# reuse (every request fetches its sources, as requests for different companies would), no
# rate limit, warnings only; with `instant`, the sandbox's sources answer at once.
#   bench_server_env instant|realistic   fills the array BENCH_SERVER_ENV
bench_server_env() {
  BENCH_SERVER_ENV=(AVAL_LOG__LEVEL=warn AVAL_API__REQUESTS_PER_SECOND=1000000 AVAL_API__BURST=1000000)
  for s in sirene bodacc open_banking accounting filed_accounts; do
    BENCH_SERVER_ENV+=("AVAL_SOURCES__${s^^}__CACHE_TTL_SECONDS=0")
  done
  if [ "$1" = instant ]; then
    for s in sirene_unit sirene_establishments bodacc open_banking accounting filed_accounts; do
      BENCH_SERVER_ENV+=("AVAL_SOURCES__SANDBOX__LATENCY__${s^^}__MEDIAN_MS=0" "AVAL_SOURCES__SANDBOX__LATENCY__${s^^}__P99_MS=0")
    done
  fi
}
