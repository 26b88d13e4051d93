#!/usr/bin/env bash
# Fuzzes the decoders and the pattern compiler with afl-fuzz and SharpFuzz (see docs/fuzzing.md).
#   bash fuzz/run.sh                  lists the targets, one a line
#   bash fuzz/run.sh TARGET SECONDS   fuzzes TARGET for SECONDS; the last line gives its executions,
#                                     crashes and hangs, and the exit code is 1 when it found any
# It installs what it needs: afl++ (Debian), the SharpFuzz.CommandLine tool (into artifacts/fuzz/tools).
# Findings go to artifacts/fuzz/TARGET/findings; replay one with
#   dotnet artifacts/fuzz/build/Channels.SDK.Fuzz.dll TARGET FILE
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/artifacts/fuzz"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build() {
  dotnet build "$root/fuzz/Channels.SDK.Fuzz/Channels.SDK.Fuzz.csproj" -c Release -o "$out/build" -v quiet -nologo >"$out/build.log" 2>&1 ||
    { cat "$out/build.log"; exit 1; }
}

mkdir -p "$out"
if [[ $# -eq 0 ]]; then
  build
  exec dotnet "$out/build/Channels.SDK.Fuzz.dll"
fi
if [[ $# -ne 2 || ! "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: bash fuzz/run.sh [TARGET SECONDS]" >&2
  exit 2
fi
target="$1" seconds="$2"
[[ -d "$root/fuzz/corpus/$target" ]] || { echo "unknown target '$target' (no fuzz/corpus/$target); bash fuzz/run.sh lists them" >&2; exit 2; }

if ! command -v afl-fuzz >/dev/null; then
  echo "== installing afl++ (Debian)" >&2
  sudo_cmd=""; [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y afl++ >/dev/null 2>&1 || { $sudo_cmd apt-get update >/dev/null && $sudo_cmd apt-get install -y afl++ >/dev/null; }
fi
sharpfuzz="$out/tools/sharpfuzz"
if [[ ! -x "$sharpfuzz" ]]; then
  echo "== installing SharpFuzz.CommandLine" >&2
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$out/tools" >/dev/null
fi

# Each target gets its own instrumented copy, so that two targets can run side by side.
build
bin="$out/$target/bin" findings="$out/$target/findings"
rm -rf "$bin" "$findings"
mkdir -p "$bin"
cp -r "$out/build/." "$bin/"
for assembly in Channels.SDK.dll Channels.SDK.Generators.dll; do
  "$sharpfuzz" "$bin/$assembly" >/dev/null
done

# The corpus must run clean before fuzzing starts (a seed that fails is a bug, not a finding). Only
# afl-fuzz can run the instrumented copy: it writes to afl's shared memory.
dotnet "$out/build/Channels.SDK.Fuzz.dll" "$target" "$root/fuzz/corpus/$target"/* >/dev/null

echo "== fuzzing $target for $seconds s" >&2
AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 \
  afl-fuzz -i "$root/fuzz/corpus/$target" -o "$findings" -V "$seconds" -t 5000 -m none -G 4096 \
  -- dotnet "$bin/Channels.SDK.Fuzz.dll" "$target" >"$out/$target/afl.log" 2>&1 ||
  { tail -30 "$out/$target/afl.log"; exit 1; }

stats="$findings/default/fuzzer_stats"
stat() { awk -v k="$1" '$1 == k { print $3 }' "$stats"; }
execs=$(stat execs_done) crashes=$(stat saved_crashes) hangs=$(stat saved_hangs) corpus=$(stat corpus_count)
for kind in crashes hangs; do
  for file in "$findings/default/$kind"/id:*; do
    [[ -e "$file" ]] && echo "$kind: $file" >&2
  done
done
echo "$target: $execs executions, $crashes crashes, $hangs hangs, $corpus paths in $seconds s"
[[ "$crashes" == 0 && "$hangs" == 0 ]]
