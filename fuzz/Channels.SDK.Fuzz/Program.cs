using Channels.Fuzz;
using SharpFuzz;

// The fuzz targets. `bash fuzz/run.sh` lists them and runs one under afl-fuzz; see docs/fuzzing.md.
//   Channels.SDK.Fuzz                      lists the targets, one a line
//   Channels.SDK.Fuzz TARGET               runs TARGET under afl-fuzz (one input read from stdin otherwise)
//   Channels.SDK.Fuzz TARGET FILE...       runs TARGET once on each file (replays a crash or a corpus)
if (args.Length == 0)
{
    foreach (var name in Targets.All.Keys)
    {
        Console.WriteLine(name);
    }

    return 0;
}

if (!Targets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"unknown target '{args[0]}'; the targets are: {string.Join(", ", Targets.All.Keys)}");
    return 2;
}

if (args.Length > 1)
{
    foreach (var file in args.Skip(1))
    {
        target(File.ReadAllBytes(file));
    }

    Console.WriteLine($"{args[0]}: {args.Length - 1} inputs ran without a failure");
    return 0;
}

Fuzzer.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.ToArray());
});
return 0;
