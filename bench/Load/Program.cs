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
var onlyServers = onlyServer?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
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
// The marginal idle scenario: the RSS growth from the first point to the second, per connection added.
var marginalLow = smoke ? 10 : 5000;
var marginalHigh = smoke ? 20 : 10_000;
var roomClients = smoke ? 20 : 1000;
var roomMessages = smoke ? 5 : 100;
var latencySubscribers = smoke ? 10 : 100;
var latencyRate = smoke ? 50 : 500;
var latencySeconds = smoke ? 1 : 5;

var servers = new List<ServerKind>
{
    new("jit", "Channels (JIT)", Path.Combine(root, "bench/Load/ChannelsServer/bin/Release/net10.0/Channels.Bench.Server.dll"), IsChannels: true),
    new("node", "Socket.IO 4.8 (Node)", Path.Combine(root, "bench/Load/node")),
    new("signalr", "SignalR", Path.Combine(root, "bench/Load/PeerServers/bin/Release/net10.0/Channels.Bench.Peers.dll")),
    new("raw", "raw Kestrel relay", Path.Combine(root, "bench/Load/PeerServers/bin/Release/net10.0/Channels.Bench.Peers.dll")),
};
var aot = Path.Combine(root, "artifacts/bench-server-aot/Channels.Bench.Server");
if (!File.Exists(aot) && (onlyServers is null || onlyServers.Contains("aot")))
{
    Console.Error.WriteLine($"NativeAOT server not found at {aot}; publish it first (bench/README.md).");
    return 2;
}

servers.Insert(1, new("aot", "Channels (NativeAOT)", aot, IsChannels: true));

// --also NAME=PATH (repeatable): one more Channels server, another build of ours (e.g. an older commit's
// Channels.Bench.Server.dll, or its NativeAOT executable), measured beside the others under the label NAME
// and not filtered out by --server. For A/B runs: both builds meet the same clients in the same process.
var extras = args.Select((a, i) => (a, i)).Where(p => p.a == "--also" && p.i + 1 < args.Length)
    .Select(p => args[p.i + 1].Split('=', 2))
    .Select(kv => new ServerKind(kv[0], kv[0], Path.GetFullPath(kv.Length > 1 ? kv[1] : ""), IsChannels: true))
    .ToList();
foreach (var extra in extras.Where(e => !File.Exists(e.Path) || servers.Any(s => s.Name == e.Name)))
{
    Console.Error.WriteLine($"--also {extra.Name}: the name is taken, or there is no server at {extra.Path} (build or publish it first).");
    return 2;
}

// --recovery: ours under JIT and socket.io on Node again, each with connection-state recovery on, measured
// beside the others (not filtered out by --server), for the cost of offsets and the replay log.
if (args.Contains("--recovery"))
{
    extras.Add(new("jit-csr", "Channels (JIT), recovery on", servers.First(s => s.Name == "jit").Path, IsChannels: true, Program: "jit",
        Environment: new Dictionary<string, string> { ["Bench__Recovery"] = "on" }));
    extras.Add(new("node-csr", "Socket.IO 4.8 (Node), recovery on", servers.First(s => s.Name == "node").Path, Program: "node",
        Environment: new Dictionary<string, string> { ["BENCH_RECOVERY"] = "on" }));
}

var selected = servers.Where(k => onlyServers is null || onlyServers.Contains(k.Name)).Concat(extras).ToList();
var ours = selected.Where(k => k.IsChannels).ToList();

// --soak: only the long run (docs/benchmarks.md, "Soak"), against ours under JIT and SignalR unless
// --server picks one: --soak-clients (10,000), --soak-minutes (10), --churn (percent per minute, 1).
var soakKinds = selected.Where(k => onlyServer is not null || k.Name is "jit" or "signalr").ToList();
if (args.Contains("--soak"))
{
    var clients = Option("--soak-clients") is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 10_000;
    var minutes = Option("--soak-minutes") is { } m ? double.Parse(m, CultureInfo.InvariantCulture) : 10;
    var churn = Option("--churn") is { } p ? double.Parse(p, CultureInfo.InvariantCulture) / 100 : 0.01;
    return await SoakAsync(soakKinds, clients, TimeSpan.FromMinutes(minutes), churn) == 0 ? 0 : 1;
}

// Scenario by scenario; within one, each run starts every selected server in turn (in reverse order on
// even runs, so that A and B see the same drift in the machine's load: A B, B A, A B …).
// --gcdump: a managed heap dump of each JIT server at both points of the marginal idle scenario, and the
// difference by type printed after the tables (in its own run: a dump perturbs the RSS readings).
var heapDumps = args.Contains("--gcdump") ? new HeapDumps(root) : null;
Scenarios.HeapDump = heapDumps is null ? null : heapDumps.TakeAsync;
var results = new List<(string Scenario, string Server, double Median, double Min, double Max)>();
foreach (var size in fanOutSizes)
{
    await Measure($"fan-out to {size} (msg/s)", selected, (kind, server) => Scenarios.FanOutAsync(kind, server, size, FanOutMessages(size)));
}

await Measure($"many rooms, {roomClients} clients in rooms of 10, {roomMessages} msgs each (msg/s)", [.. selected.Where(k => k.Name != "raw")], (kind, server) => Scenarios.ManyRoomsAsync(kind, server, roomClients, roomMessages));
await MeasureMany(
    [$"latency p50, {latencySubscribers} subscribers at {latencyRate} msg/s (ms)", $"latency p99, {latencySubscribers} subscribers at {latencyRate} msg/s (ms)"],
    selected,
    async (kind, server) =>
    {
        var (p50, p99) = await Scenarios.LatencyAsync(kind, server, latencySubscribers, latencyRate, latencySeconds);
        return new[] { p50, p99 };
    });
await Measure($"idle memory per connection, {idleConnections} (bytes)", selected, (kind, server) => Scenarios.IdleBytesPerConnectionAsync(kind, server, idleConnections));
foreach (var polling in new[] { false, true })
{
    var transport = polling ? "long-polling" : "WebSocket";
    await MeasureMany(
        [$"idle memory, marginal per connection {marginalLow}→{marginalHigh}, {transport} (bytes)", $"idle memory per connection at {marginalHigh} (from empty), {transport} (bytes)"],
        [.. selected.Where(k => !polling || k.Name != "raw")],
        (kind, server) => Scenarios.MarginalIdleBytesAsync(kind, server, marginalLow, marginalHigh, polling));
}

await Measure($"connect storm, {stormConnections} (conn/s)", [.. selected.Where(k => k.Name != "raw")], (kind, server) => Scenarios.ConnectStormAsync(kind, server, stormConnections));

// Scale-out: the same fan-out with the subscribers split across two of our servers sharing a Redis.
if (File.Exists("/usr/bin/redis-server") || File.Exists("/usr/local/bin/redis-server"))
{
    foreach (var size in fanOutSizes.Take(2))
    {
        await Measure($"fan-out to {size} across two servers over Redis (msg/s)", ours, async (kind, _) =>
        {
            await using var redis = await ServerProcess.StartRedisAsync();
            var environment = new Dictionary<string, string>(serverEnvironment) { ["ConnectionStrings__Redis"] = $"127.0.0.1:{redis.Address.Port}" };
            await using var first = await ServerProcess.StartAsync(kind, environment);
            await using var second = await ServerProcess.StartAsync(kind, environment);
            return await Scenarios.FanOutAcrossAsync(kind, first, second, size, FanOutMessages(size));
        });
    }
}
else
{
    Console.WriteLine("redis-server not found: the scale-out scenario is left out (apt-get install redis-server).");
}

// Presence churn (issue 14): members join and leave a channel's presence at once; one server, then two over Redis.
var presenceMembers = smoke ? 20 : 1000;
string[] Churn(string how, string where) =>
[
    $"presence churn, {presenceMembers} members join and leave{where}, {how}: to a watcher (diffs/s)",
    $"presence churn, {presenceMembers} members join and leave{where}, {how}: to every subscriber (diffs/s)",
];
foreach (var (how, channel) in new[] { ("presence", PresenceChurn.Tracked), ("announced by hand", PresenceChurn.Announced) })
{
    await MeasureMany(Churn(how, ""), ours, (kind, server) => PresenceChurn.RunAsync(kind, [server], presenceMembers, channel));
    if (File.Exists("/usr/bin/redis-server") || File.Exists("/usr/local/bin/redis-server"))
    {
        await MeasureMany(Churn(how, " across two servers over Redis"), ours, async (kind, _) =>
        {
            await using var redis = await ServerProcess.StartRedisAsync();
            var environment = new Dictionary<string, string>(serverEnvironment) { ["ConnectionStrings__Redis"] = $"127.0.0.1:{redis.Address.Port}" };
            await using var first = await ServerProcess.StartAsync(kind, environment);
            await using var second = await ServerProcess.StartAsync(kind, environment);
            return await PresenceChurn.RunAsync(kind, [first, second], presenceMembers, channel);
        });
    }
}

// The smoke runs the soak too, tiny: 20 clients for 12 s with a fifth of them churned.
var soakFailed = smoke ? await SoakAsync(soakKinds, 20, TimeSpan.FromSeconds(12), churnPerMinute: 1) : 0;

Print();
if (heapDumps is not null)
{
    await heapDumps.PrintAsync();
}

var failed = results.Count(r => double.IsNaN(r.Median)) + soakFailed;
Console.WriteLine($"load harness: {results.Count + (smoke ? soakKinds.Count : 0)} measurements, {failed} failed");
return failed == 0 ? 0 : 1;

// Runs the soak against each server in turn and prints one table; returns how many runs failed or lost
// or duplicated a message.
async Task<int> SoakAsync(IReadOnlyList<ServerKind> kinds, int clients, TimeSpan duration, double churnPerMinute)
{
    var rows = new List<string>();
    var bad = 0;
    foreach (var kind in kinds)
    {
        Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] soak: {kind.Label}, {clients} clients, {duration.TotalMinutes:0.##} min, churn {churnPerMinute:P0}/min");
        await using var server = await ServerProcess.StartAsync(kind, serverEnvironment);
        try
        {
            var r = await Soak.RunAsync(kind, server, clients, duration, churnPerMinute, line => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}]   {line}"));
            bad += r.Clean ? 0 : 1;
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {kind.Label} | {r.Stayers:N0} | {r.Broadcasts:N0} | {r.Lost} | {r.Duplicated} | {r.Churned} ({r.ChurnedLost} lost) | {r.P50:N2} | {r.P99:N2} | {r.RssStartMegabytes:N0} → {r.RssEndMegabytes:N0} | {r.RssSlopeMegabytesPerMinute:N2} | {r.RetainedStartMegabytes:N0} → {r.RetainedEndMegabytes:N0} |"));
        }
        catch (Exception ex) when (ex is TimeoutException or System.Net.WebSockets.WebSocketException or InvalidOperationException or HttpRequestException)
        {
            bad++;
            rows.Add($"| {kind.Label} | failed: {ex.Message} |");
        }
    }

    Console.WriteLine();
    Console.WriteLine("| soak | clients that stayed | broadcasts | lost | duplicated | churned in | p50 (ms) | p99 (ms) | RSS start → end (MB) | RSS slope after the first fifth (MB/min) | RSS after a full GC, start → end (MB) |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    rows.ForEach(Console.WriteLine);
    Console.WriteLine();
    return bad;
}

// Each timed fan-out round delivers 1,000,000 messages (at least 100 published), so that it lasts long
// enough (0.3 s and more) for the 5 ms completion poll to be noise.
int FanOutMessages(int subscribers) => smoke ? 10 : Math.Max(100, 1_000_000 / subscribers);

Task Measure(string scenario, IReadOnlyList<ServerKind> kinds, Func<ServerKind, ServerProcess, Task<double>> measure) =>
    MeasureMany([scenario], kinds, async (kind, server) => new[] { await measure(kind, server) });

async Task MeasureMany(string[] scenarios, IReadOnlyList<ServerKind> kinds, Func<ServerKind, ServerProcess, Task<double[]>> measure)
{
    if (onlyScenario is not null && !scenarios[0].StartsWith(onlyScenario, StringComparison.Ordinal))
    {
        return;
    }

    var values = kinds.ToDictionary(k => k, _ => scenarios.Select(_ => new List<double>()).ToArray());
    for (var run = 1; run <= runs; run++)
    {
        foreach (var kind in run % 2 == 1 ? kinds : kinds.Reverse())
        {
            Console.Write($"[{DateTime.Now:HH:mm:ss}] {kind.Label}: {string.Join(" / ", scenarios)}, run {run}/{runs} … ");
            await using var server = attach is null ? await ServerProcess.StartAsync(kind, serverEnvironment) : ServerProcess.Attach(attach);
            try
            {
                var measured = await measure(kind, server);
                for (var i = 0; i < measured.Length; i++)
                {
                    values[kind][i].Add(measured[i]);
                }

                Console.WriteLine(string.Join(" / ", measured.Select(v => v.ToString(v < 100 ? "N2" : "N0", CultureInfo.InvariantCulture))));
            }
            catch (Exception ex) when (ex is TimeoutException or System.Net.WebSockets.WebSocketException or InvalidOperationException or HttpRequestException)
            {
                Console.WriteLine("failed: " + ex.Message);
            }
        }
    }

    foreach (var kind in kinds)
    {
        for (var i = 0; i < scenarios.Length; i++)
        {
            var list = values[kind][i];
            list.Sort();
            results.Add(list.Count == 0
                ? (scenarios[i], kind.Label, double.NaN, double.NaN, double.NaN)
                : (scenarios[i], kind.Label, list[list.Count / 2], list[0], list[^1]));
        }
    }
}

void Print()
{
    Console.WriteLine();
    foreach (var group in results.GroupBy(r => r.Scenario))
    {
        // The ratio is to Channels (JIT), or to the first server measured when it is not in the run.
        var reference = group.FirstOrDefault(r => r.Server == "Channels (JIT)") is { Median: > 0 } jit ? jit : group.First();
        var ours = reference.Median;
        Console.WriteLine($"| {group.Key} | median | min – max | vs {reference.Server} |");
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
