// bench/Load: each server as its own process on 127.0.0.1, the same scenarios against each, a table
// with ratios. The servers: ours under JIT and published with NativeAOT, socket.io 4.8 on Node,
// ASP.NET Core SignalR (groups), and a raw Kestrel WebSocket relay (the upper bound).
//
//   dotnet run -c Release --project bench/Load                 full run (see bench/README.md)
//   dotnet run -c Release --project bench/Load -- --smoke      tiny sizes, every server (CI)
using System.Globalization;
using Channels.Bench.Load;

var smoke = args.Contains("--smoke");
var onlyServer = Option("--server");
var onlyScenario = Option("--scenario");
var attach = Option("--attach") is { } attachUrl ? new Uri(attachUrl) : null;
var root = FindRoot();
Scenarios.WarmUp = SecondsOption("--warm-up") ?? (smoke ? TimeSpan.Zero : Scenarios.WarmUp);
Scenarios.IdleHold = SecondsOption("--idle-hold") ?? Scenarios.IdleHold;
// --env KEY=VALUE (repeatable): set in every server process started, for experiments (e.g. DOTNET_TieredPGO=0).
var serverEnvironment = args.Select((a, i) => (a, i)).Where(p => p.a == "--env" && p.i + 1 < args.Length)
    .Select(p => args[p.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "");
var runs = Option("--runs") is { } runsOption ? int.Parse(runsOption, CultureInfo.InvariantCulture) : smoke ? 1 : 3;
int[] fanOutSizes = smoke ? [20] : [100, 1000, 5000];
var idleConnections = smoke ? 20 : 1000;
var stormConnections = smoke ? 20 : 1000;
var roomClients = smoke ? 20 : 1000;
var roomMessages = smoke ? 5 : 100;
var latencySubscribers = smoke ? 10 : 100;
var latencyRate = smoke ? 50 : 500;
var latencySeconds = smoke ? 1 : 5;

var servers = new List<ServerKind>
{
    new("jit", "Channels (JIT)", Path.Combine(root, "bench/Load/ChannelsServer/bin/Release/net10.0/Channels.Bench.Server.dll")),
    new("node", "Socket.IO 4.8 (Node)", Path.Combine(root, "bench/Load/node")),
    new("signalr", "SignalR", Path.Combine(root, "bench/Load/PeerServers/bin/Release/net10.0/Channels.Bench.Peers.dll")),
    new("raw", "raw Kestrel relay", Path.Combine(root, "bench/Load/PeerServers/bin/Release/net10.0/Channels.Bench.Peers.dll")),
};
var aot = Path.Combine(root, "artifacts/bench-server-aot/Channels.Bench.Server");
if (!File.Exists(aot) && onlyServer is null or "aot")
{
    Console.Error.WriteLine($"NativeAOT server not found at {aot}; publish it first (bench/README.md).");
    return 2;
}

servers.Insert(1, new("aot", "Channels (NativeAOT)", aot));

var results = new List<(string Scenario, string Server, double Median, double Min, double Max)>();
foreach (var kind in servers.Where(k => onlyServer is null || k.Name == onlyServer))
{
    foreach (var size in fanOutSizes)
    {
        await Measure($"fan-out to {size} (msg/s)", kind, server => Scenarios.FanOutAsync(kind, server, size, FanOutMessages(size)));
    }

    if (kind.Name != "raw")
    {
        await Measure($"many rooms, {roomClients} clients in rooms of 10, {roomMessages} msgs each (msg/s)", kind, server => Scenarios.ManyRoomsAsync(kind, server, roomClients, roomMessages));
    }

    await MeasureMany(
        [$"latency p50, {latencySubscribers} subscribers at {latencyRate} msg/s (ms)", $"latency p99, {latencySubscribers} subscribers at {latencyRate} msg/s (ms)"],
        kind,
        async server =>
        {
            var (p50, p99) = await Scenarios.LatencyAsync(kind, server, latencySubscribers, latencyRate, latencySeconds);
            return new[] { p50, p99 };
        });
    await Measure($"idle memory per connection, {idleConnections} (bytes)", kind, server => Scenarios.IdleBytesPerConnectionAsync(kind, server, idleConnections));
    if (kind.Name != "raw")
    {
        await Measure($"connect storm, {stormConnections} (conn/s)", kind, server => Scenarios.ConnectStormAsync(kind, server, stormConnections));
    }
}

// Scale-out: the same fan-out with the subscribers split across two of our servers sharing a Redis.
if (File.Exists("/usr/bin/redis-server") || File.Exists("/usr/local/bin/redis-server"))
{
    foreach (var kind in servers.Where(k => k.Name is "jit" or "aot" && (onlyServer is null || k.Name == onlyServer)))
    {
        foreach (var size in fanOutSizes.Take(2))
        {
            await Measure($"fan-out to {size} across two servers over Redis (msg/s)", kind, async _ =>
            {
                await using var redis = await ServerProcess.StartRedisAsync();
                var environment = new Dictionary<string, string>(serverEnvironment) { ["ConnectionStrings__Redis"] = $"127.0.0.1:{redis.Address.Port}" };
                await using var first = await ServerProcess.StartAsync(kind, environment);
                await using var second = await ServerProcess.StartAsync(kind, environment);
                return await Scenarios.FanOutAcrossAsync(kind, first, second, size, FanOutMessages(size));
            });
        }
    }
}
else
{
    Console.WriteLine("redis-server not found: the scale-out scenario is left out (apt-get install redis-server).");
}

Print();
var failed = results.Count(r => double.IsNaN(r.Median));
Console.WriteLine($"load harness: {results.Count} measurements, {failed} failed");
return failed == 0 ? 0 : 1;

// Each timed fan-out round delivers 1,000,000 messages (at least 100 published), so that it lasts long
// enough (0.3 s and more) for the 5 ms completion poll to be noise.
int FanOutMessages(int subscribers) => smoke ? 10 : Math.Max(100, 1_000_000 / subscribers);

Task Measure(string scenario, ServerKind kind, Func<ServerProcess, Task<double>> measure) =>
    MeasureMany([scenario], kind, async server => new[] { await measure(server) });

async Task MeasureMany(string[] scenarios, ServerKind kind, Func<ServerProcess, Task<double[]>> measure)
{
    if (onlyScenario is not null && !scenarios[0].StartsWith(onlyScenario, StringComparison.Ordinal))
    {
        return;
    }

    var values = scenarios.Select(_ => new List<double>()).ToArray();
    for (var run = 1; run <= runs; run++)
    {
        Console.Write($"[{DateTime.Now:HH:mm:ss}] {kind.Label}: {string.Join(" / ", scenarios)}, run {run}/{runs} … ");
        await using var server = attach is null ? await ServerProcess.StartAsync(kind, serverEnvironment) : ServerProcess.Attach(attach);
        try
        {
            var measured = await measure(server);
            for (var i = 0; i < measured.Length; i++)
            {
                values[i].Add(measured[i]);
            }

            Console.WriteLine(string.Join(" / ", measured.Select(v => v.ToString(v < 100 ? "N2" : "N0", CultureInfo.InvariantCulture))));
        }
        catch (Exception ex) when (ex is TimeoutException or System.Net.WebSockets.WebSocketException or InvalidOperationException or HttpRequestException)
        {
            Console.WriteLine("failed: " + ex.Message);
        }
    }

    for (var i = 0; i < scenarios.Length; i++)
    {
        var list = values[i];
        list.Sort();
        results.Add(list.Count == 0
            ? (scenarios[i], kind.Label, double.NaN, double.NaN, double.NaN)
            : (scenarios[i], kind.Label, list[list.Count / 2], list[0], list[^1]));
    }
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
            var format = r.Median < 100 ? "N2" : "N0";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Server} | {r.Median.ToString(format, CultureInfo.InvariantCulture)} | {r.Min.ToString(format, CultureInfo.InvariantCulture)} – {r.Max.ToString(format, CultureInfo.InvariantCulture)} | {r.Median / ours:F2}× |"));
        }

        Console.WriteLine();
    }
}

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

TimeSpan? SecondsOption(string name) =>
    Option(name) is { } seconds ? TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture)) : null;

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
