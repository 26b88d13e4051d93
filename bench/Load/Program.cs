// bench/Load: each server as its own process on 127.0.0.1, the same scenarios against each, a table
// with ratios. The servers: ours under JIT and published with NativeAOT, socket.io 4.8 on Node,
// ASP.NET Core SignalR (groups), and a raw Kestrel WebSocket relay (the upper bound).
//
//   dotnet run -c Release --project bench/Load                 full run (see bench/README.md)
//   dotnet run -c Release --project bench/Load -- --smoke      tiny sizes, JIT servers only (CI)
using System.Globalization;
using Channels.Bench.Load;

var smoke = args.Contains("--smoke");
var onlyServer = Option("--server");
var onlyScenario = Option("--scenario");
var root = FindRoot();
var runs = smoke ? 1 : 3;
int[] fanOutSizes = smoke ? [20] : [100, 1000, 5000];
var messages = smoke ? 10 : 100;
var idleConnections = smoke ? 20 : 1000;
var stormConnections = smoke ? 20 : 1000;

var servers = new List<ServerKind>
{
    new("jit", "Channels (JIT)", Path.Combine(root, "bench/Load/ChannelsServer/bin/Release/net10.0/Channels.Bench.Server.dll")),
    new("node", "Socket.IO 4.8 (Node)", Path.Combine(root, "bench/Load/node")),
    new("signalr", "SignalR", Path.Combine(root, "bench/Load/PeerServers/bin/Release/net10.0/Channels.Bench.Peers.dll")),
    new("raw", "raw Kestrel relay", Path.Combine(root, "bench/Load/PeerServers/bin/Release/net10.0/Channels.Bench.Peers.dll")),
};
var aot = Path.Combine(root, "artifacts/bench-server-aot/Channels.Bench.Server");
if (!smoke)
{
    if (!File.Exists(aot))
    {
        Console.Error.WriteLine($"NativeAOT server not found at {aot}; publish it first (bench/README.md).");
        return 2;
    }

    servers.Insert(1, new("aot", "Channels (NativeAOT)", aot));
}

var results = new List<(string Scenario, string Server, double Median, double Min, double Max)>();
foreach (var kind in servers.Where(k => onlyServer is null || k.Name == onlyServer))
{
    foreach (var size in fanOutSizes)
    {
        await Measure($"fan-out to {size} (msg/s)", kind, server => Scenarios.FanOutAsync(kind, server, size, messages));
    }

    await Measure($"idle memory per connection, {idleConnections} (bytes)", kind, server => Scenarios.IdleBytesPerConnectionAsync(kind, server, idleConnections));
    if (kind.Name != "raw")
    {
        await Measure($"connect storm, {stormConnections} (conn/s)", kind, server => Scenarios.ConnectStormAsync(kind, server, stormConnections));
    }
}

Print();
var failed = results.Count(r => double.IsNaN(r.Median));
Console.WriteLine($"load harness: {results.Count} measurements, {failed} failed");
return failed == 0 ? 0 : 1;

async Task Measure(string scenario, ServerKind kind, Func<ServerProcess, Task<double>> measure)
{
    if (onlyScenario is not null && !scenario.StartsWith(onlyScenario, StringComparison.Ordinal))
    {
        return;
    }

    var values = new List<double>();
    for (var run = 1; run <= runs; run++)
    {
        Console.Write($"[{DateTime.Now:HH:mm:ss}] {kind.Label}: {scenario}, run {run}/{runs} … ");
        await using var server = await ServerProcess.StartAsync(kind);
        try
        {
            var value = await measure(server);
            values.Add(value);
            Console.WriteLine(value.ToString("N0", CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is TimeoutException or System.Net.WebSockets.WebSocketException or InvalidOperationException or HttpRequestException)
        {
            Console.WriteLine("failed: " + ex.Message);
        }
    }

    values.Sort();
    results.Add(values.Count == 0
        ? (scenario, kind.Label, double.NaN, double.NaN, double.NaN)
        : (scenario, kind.Label, values[values.Count / 2], values[0], values[^1]));
}

void Print()
{
    Console.WriteLine();
    foreach (var group in results.GroupBy(r => r.Scenario))
    {
        var ours = group.FirstOrDefault(r => r.Server == "Channels (JIT)").Median is var jit && jit > 0 ? jit : group.First().Median;
        Console.WriteLine($"| {group.Key} | median | min – max | vs Channels (JIT) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var r in group)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Server} | {r.Median:N0} | {r.Min:N0} – {r.Max:N0} | {r.Median / ours:F2}× |"));
        }

        Console.WriteLine();
    }
}

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Channels.SDK.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Channels.SDK.sln not found");
}
