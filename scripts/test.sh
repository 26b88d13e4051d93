#!/usr/bin/env bash
# Runs every test of Channels.SDK on a fresh machine: installs what the tests need (Node.js, Debian's
# Chromium and redis-server through apt when missing; the Redis tests start their own servers; the npm
# packages), then builds, publishes the chat sample and the load harness's server with NativeAOT, runs
# both benchmark smokes, runs the test projects (real clients, a real browser, the native binary), and
# runs each fuzz target briefly (fuzz/run.sh installs afl++ and SharpFuzz's tool itself).
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
updated=
apt_install() {
  if ! need apt-get; then echo "apt-get not found; install $* by hand" >&2; exit 1; fi
  [[ -n $updated ]] || { apt-get update -qq; updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

need node || apt_install nodejs npm
need npm || apt_install npm
[[ -x /usr/bin/chromium ]] || apt_install chromium
[[ -x /usr/bin/redis-server ]] || apt_install redis-server

echo "== npm ci (socket.io-client, ws and playwright-core for the integration and browser tests, typescript for the contract tests)"
(cd tests/Runtime.Tests/node && npm ci --no-audit --no-fund --loglevel=error)
(cd bench/Load/node && npm ci --no-audit --no-fund --loglevel=error)

echo "== dotnet build"
dotnet build Channels.SDK.sln -c Release -nologo -clp:ErrorsOnly

mkdir -p artifacts

echo "== NativeAOT publish of the chat sample (IL trim/AOT warnings fail the build)"
dotnet publish samples/Chat -r linux-x64 -c Release -nologo -o artifacts/chat-aot | tee artifacts/aot-publish.txt
if grep -qE "warning IL[0-9]{4}" artifacts/aot-publish.txt; then echo "NativeAOT publish reported IL warnings" >&2; exit 1; fi

echo "== NativeAOT publish of the load harness's server (the smoke drives it too)"
dotnet publish bench/Load/ChannelsServer -r linux-x64 -c Release -nologo -o artifacts/bench-server-aot | tee artifacts/aot-publish-bench.txt
if grep -qE "warning IL[0-9]{4}" artifacts/aot-publish-bench.txt; then echo "NativeAOT publish reported IL warnings" >&2; exit 1; fi

echo "== micro-benchmark smoke (every benchmark runs once; no time is checked)"
dotnet run -c Release --no-build --project bench/Micro -- --smoke > artifacts/bench-micro-smoke.txt
tail -n 1 artifacts/bench-micro-smoke.txt

echo "== load harness smoke (each server started, driven and stopped at tiny sizes; no time is checked)"
dotnet run -c Release --no-build --project bench/Load -- --smoke > artifacts/bench-load-smoke.txt
tail -n 1 artifacts/bench-load-smoke.txt

echo "== dotnet test"
# One test project at a time: the build and package tests run dotnet build/pack on the repository's projects.
dotnet test Channels.SDK.sln -c Release --no-build -nologo -m:1 --logger "console;verbosity=minimal" | tee artifacts/test-output.txt

echo "== fuzz smoke (each target under afl-fuzz for 20 s; a crash or hang fails the run)"
targets=$(bash fuzz/run.sh)
[[ -n "$targets" ]] || { echo "fuzz/run.sh listed no targets" >&2; exit 1; }
for target in $targets; do
  bash fuzz/run.sh "$target" 20 | tail -n 1
done

# One closing line for every test project together.
awk '/Failed: +[0-9]+, Passed: +[0-9]+/ {
  for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
} END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' artifacts/test-output.txt
