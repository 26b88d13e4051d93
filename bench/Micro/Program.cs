using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using Channels.Bench.Micro;

// --smoke: every benchmark once, in process, in seconds (CI runs this so the harness never rots;
// it checks that the benchmarks run, never a time). Otherwise BenchmarkDotNet's own arguments.
if (args.Contains("--smoke"))
{
    var smoke = ManualConfig.CreateMinimumViable()
        .AddJob(Job.Dry.WithToolchain(InProcessNoEmitToolchain.Instance))
        .WithOptions(ConfigOptions.DisableLogFile);
    var summaries = BenchmarkRunner.Run([typeof(DispatchBenchmarks), typeof(MatchingBenchmarks), typeof(CodecBenchmarks)], smoke);
    var failed = summaries.Sum(s => s.Reports.Count(r => !r.Success));
    Console.WriteLine($"micro-benchmark smoke: {summaries.Sum(s => s.Reports.Length)} ran, {failed} failed");
    return failed == 0 ? 0 : 1;
}

BenchmarkSwitcher.FromAssembly(typeof(DispatchBenchmarks).Assembly).Run(args);
return 0;
