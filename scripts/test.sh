#!/usr/bin/env bash
# Runs the whole test suite exactly as CI does (.ci/run execs it). Extra arguments go to every `dotnet test`
# (e.g. --filter FullyQualifiedName~LocalMesh).
#
# It cannot go green by skipping: as root (CI), a missing prerequisite fails the run, and so does any skipped test
# except the opt-in benchmarks ([BenchmarkFact], skipped unless MESH_BENCH=1); without root, tests that need it
# skip with their reason and the run is judged on the rest. Results come from one .trx file per test project
# (scripts/test-results.py), not from console text. A test that makes no progress for MESH_TEST_HANG_TIMEOUT
# (default 10m) is dumped and killed, failing the run, instead of eating CI's time.
#
#   MESH_TEST_RESULTS   where the .trx files and hang dumps go (default: .test-results/ in the repository)
#   MESH_TEST_PROJECTS  test projects to run instead of every tests/*/*.Tests.csproj (they are built first)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
results="${MESH_TEST_RESULTS:-$root/.test-results}"
hang="${MESH_TEST_HANG_TIMEOUT:-10m}"
strict=0
[ "$(id -u)" = 0 ] && strict=1

if ! "$root/scripts/prereqs.sh"; then
  [ $strict = 1 ] && { echo "test.sh: prerequisites missing (above); as root every test must be able to run" >&2; exit 1; }
  echo "test.sh: not root, continuing: tests needing what is missing will skip and say so" >&2
fi

if [ -n "${MESH_TEST_PROJECTS:-}" ]; then
  read -r -a projects <<<"$MESH_TEST_PROJECTS"
  for project in "${projects[@]}"; do dotnet build "$project" -c Release -nologo -v quiet || exit 1; done
else
  projects=("$root"/tests/*/*.Tests.csproj)
  dotnet build "$root/MeshActors.sln" -c Release -nologo -v quiet || exit 1
fi

rm -rf "$results"
mkdir -p "$results"
# One test project at a time: the multi-process and netns tests measure recovery times and must not share the
# 2 cores with other test assemblies.
exited=0
for project in "${projects[@]}"; do
  name="$(basename "$project" .csproj)"
  dotnet test "$project" -c Release --no-build -nologo \
    --results-directory "$results/$name" --logger "trx;LogFileName=$name.trx" \
    --blame-hang-timeout "$hang" --blame-hang-dump-type mini "$@"
  code=$?
  [ $code -ne 0 ] && { exited=1; echo "test.sh: dotnet test $name exited $code"; }
done

# The verdict and the closing line ("tests: N passed, M failed, K skipped") come from the .trx files; a non-zero
# dotnet test fails the run even if its results look clean.
flags=()
[ $strict = 1 ] && flags+=(--strict)
[ $# -eq 0 ] && flags+=(--expect-tests)
python3 "$root/scripts/test-results.py" "$results" "${flags[@]}" || exit 1
exit $exited
