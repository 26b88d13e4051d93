using System.Diagnostics;

namespace Channels.Bench.Load;

/// <summary>The measurements, each against one running server.</summary>
internal static class Scenarios
{
    private const string Channel = "bench";

    /// <summary>
    /// How long the throughput scenarios run untimed rounds before the timed one (at least one round).
    /// A .NET server under JIT keeps getting faster for its first seconds of load: on the 2-core machine
    /// of docs/benchmarks.md it compiles some 4,000 methods (tier 0, instrumented, tier 1 with dynamic
    /// PGO) in about 8 s of fan-out, competing with the load for the cores. V8 tiers up likewise.
    /// </summary>
    public static TimeSpan WarmUp { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the idle clients stay connected before the server's memory is read (long enough to take a heap dump).</summary>
    public static TimeSpan IdleHold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Fan-out: <paramref name="subscribers"/> clients in one channel, one publisher sends
    /// <paramref name="messages"/> messages; returns delivered messages per second (from the first
    /// publish to the last delivery), measured after untimed rounds of the same size (<see cref="WarmUp"/>).
    /// </summary>
    public static async Task<double> FanOutAsync(ServerKind kind, ServerProcess server, int subscribers, int messages)
    {
        var clients = await ConnectAsync(kind, server, subscribers);
        return await PublishToAllAsync(kind, server, clients, messages);
    }

    /// <summary>
    /// Fan-out across two servers sharing a Redis backplane: half the subscribers on each, the publisher on
    /// the first; delivered messages per second.
    /// </summary>
    public static async Task<double> FanOutAcrossAsync(ServerKind kind, ServerProcess first, ServerProcess second, int subscribers, int messages)
    {
        var clients = await ConnectAsync(kind, first, subscribers / 2);
        clients.AddRange(await ConnectAsync(kind, second, subscribers - (subscribers / 2)));
        return await PublishToAllAsync(kind, first, clients, messages);
    }

    /// <summary>
    /// One publisher on <paramref name="server"/> sends <paramref name="messages"/> messages to the channel
    /// of <paramref name="clients"/>, in rounds (<see cref="DeliveryRateAsync"/>).
    /// </summary>
    private static async Task<double> PublishToAllAsync(ServerKind kind, ServerProcess server, List<ILoadClient> clients, int messages)
    {
        await using var publisher = kind.CreateClient(server.Address);
        try
        {
            await publisher.ConnectAsync(CancellationToken.None);
            await publisher.SubscribeAsync(Channel);
            return await DeliveryRateAsync(kind, clients, (long)clients.Count * messages, async () =>
            {
                for (var i = 0; i < messages; i++)
                {
                    await publisher.PublishAsync(Channel, "m" + i);
                }
            });
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    /// <summary>
    /// Idle memory: the server's resident memory growth per connected, subscribed, idle client, from a
    /// server that has served a few connections. Each reading follows a full collection in the server
    /// (<see cref="ServerProcess.CollectGarbageAsync"/>), so that garbage not yet collected, which varies
    /// with where the collector is in its cycle (up to 10 KB per connection here), is not counted. Under
    /// JIT the growth also holds the code that tiered compilation compiles again while the clients
    /// connect, once per process (docs/benchmarks.md measures how much).
    /// </summary>
    public static async Task<double> IdleBytesPerConnectionAsync(ServerKind kind, ServerProcess server, int connections)
    {
        await WarmUpAsync(kind, server);
        await server.CollectGarbageAsync();
        var before = server.ResidentBytes;
        var clients = await ConnectAsync(kind, server, connections);
        try
        {
            await Task.Delay(IdleHold);
            await server.CollectGarbageAsync();
            return (server.ResidentBytes - before) / (double)connections;
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    /// <summary>
    /// What each further idle, subscribed connection costs once the server has many: <paramref name="low"/>
    /// clients connect and subscribe, then as many more up to <paramref name="high"/>; the server's RSS is
    /// read at both points, each after <see cref="IdleHold"/> and a full collection where the server offers
    /// one (<c>/bench/gc</c>: every .NET server here, and Node run with <c>--expose-gc</c>). Returns the
    /// growth between the two points per connection (one-time costs, such as code compiled and pools
    /// grown for the first thousands, fall outside it), and the growth from the warmed, empty server to
    /// <paramref name="high"/> per connection, for comparison with the 1,000-client scenario. Before it,
    /// <paramref name="low"/> clients connect, subscribe and leave once: a JIT compiler (.NET's tiers, V8's)
    /// is still compiling the connect path through the first thousands, which would otherwise land in the
    /// window as memory of the second half's connections.
    /// <see cref="HeapDump"/>, when set, is called at both points after the reading.
    /// </summary>
    public static async Task<double[]> MarginalIdleBytesAsync(ServerKind kind, ServerProcess server, int low, int high, bool polling)
    {
        await DisposeAllAsync(await ConnectAsync(kind, server, low, _ => Channel, polling));
        PollingPools.Release(server.Address);
        await Task.Delay(IdleHold);
        await server.CollectGarbageAsync();
        var empty = server.ResidentBytes;
        var clients = await ConnectAsync(kind, server, low, _ => Channel, polling);
        try
        {
            await Task.Delay(IdleHold);
            await server.CollectGarbageAsync();
            var atLow = server.ResidentBytes;
            await (HeapDump?.Invoke(kind, server, low, polling) ?? Task.CompletedTask);
            clients.AddRange(await ConnectAsync(kind, server, high - low, _ => Channel, polling));
            await Task.Delay(IdleHold);
            await server.CollectGarbageAsync();
            var atHigh = server.ResidentBytes;
            await (HeapDump?.Invoke(kind, server, high, polling) ?? Task.CompletedTask);
            return [(atHigh - atLow) / (double)(high - low), (atHigh - empty) / (double)high];
        }
        finally
        {
            await DisposeAllAsync(clients);
            PollingPools.Release(server.Address);
        }
    }

    /// <summary>Takes a managed heap dump of the server with this many idle clients (the harness's <c>--gcdump</c>).</summary>
    public static Func<ServerKind, ServerProcess, int, bool, Task>? HeapDump { get; set; }

    /// <summary>Connect storm: connections per second, each to its first ack (subscribed).</summary>
    public static async Task<double> ConnectStormAsync(ServerKind kind, ServerProcess server, int connections)
    {
        await WarmUpAsync(kind, server);
        var watch = Stopwatch.StartNew();
        var clients = await ConnectAsync(kind, server, connections);
        var rate = connections / watch.Elapsed.TotalSeconds;
        await DisposeAllAsync(clients);
        return rate;
    }

    /// <summary>
    /// Many rooms: <paramref name="clients"/> clients in rooms of ten, every client publishing
    /// <paramref name="messages"/> messages to its room; delivered messages per second, measured after
    /// untimed rounds of the same size (<see cref="WarmUp"/>).
    /// </summary>
    public static async Task<double> ManyRoomsAsync(ServerKind kind, ServerProcess server, int clients, int messages)
    {
        var all = await ConnectAsync(kind, server, clients, i => $"room-{i / 10}");
        try
        {
            var expected = 0L;
            for (var room = 0; room * 10 < clients; room++)
            {
                var members = Math.Min(10, clients - (room * 10));
                expected += (long)members * (members - 1) * messages;
            }

            return await DeliveryRateAsync(kind, all, expected, () => Task.WhenAll(all.Select(async (client, i) =>
            {
                for (var m = 0; m < messages; m++)
                {
                    await client.PublishAsync($"room-{i / 10}", "m" + m);
                }
            })));
        }
        finally
        {
            await DisposeAllAsync(all);
        }
    }

    /// <summary>
    /// Latency at a fixed offered rate below saturation: <paramref name="subscribers"/> clients in one
    /// channel, one publisher sending <paramref name="rate"/> messages per second for
    /// <paramref name="seconds"/> seconds; returns the p50 and p99 from publish to delivery (ms).
    /// </summary>
    public static async Task<(double P50, double P99)> LatencyAsync(ServerKind kind, ServerProcess server, int subscribers, int rate, int seconds)
    {
        var clients = await ConnectAsync(kind, server, subscribers);
        await using var publisher = kind.CreateClient(server.Address);
        var log = new LatencyLog();
        foreach (var client in clients)
        {
            client.Latencies = log;
        }

        try
        {
            await publisher.ConnectAsync(CancellationToken.None);
            await publisher.SubscribeAsync(Channel);
            var total = rate * seconds;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < total; i++)
            {
                var due = TimeSpan.FromSeconds((double)i / rate);
                if (due > watch.Elapsed)
                {
                    await Task.Delay(due - watch.Elapsed);
                }

                await publisher.PublishAsync(Channel, "t" + Stopwatch.GetTimestamp().ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            await WaitForAsync(kind, () => clients.Sum(c => c.Received), (long)total * subscribers, watch);
            return (log.Percentile(0.50), log.Percentile(0.99));
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    /// <summary>
    /// Runs <paramref name="publishRound"/> in rounds, each waiting until <paramref name="receivers"/> have
    /// received its <paramref name="perRound"/> messages: untimed rounds for <see cref="WarmUp"/> (at least
    /// one), then one timed from its first publish to its last delivery; returns its messages per second.
    /// </summary>
    private static async Task<double> DeliveryRateAsync(ServerKind kind, List<ILoadClient> receivers, long perRound, Func<Task> publishRound)
    {
        var warming = Stopwatch.StartNew();
        var timed = false;
        for (var round = 1; ; round++)
        {
            var watch = Stopwatch.StartNew();
            await publishRound();
            await WaitForAsync(kind, () => receivers.Sum(c => c.Received), perRound * round, watch);
            if (timed)
            {
                return perRound / watch.Elapsed.TotalSeconds;
            }

            timed = warming.Elapsed >= WarmUp;
        }
    }

    private static async Task WaitForAsync(ServerKind kind, Func<long> received, long expected, Stopwatch watch)
    {
        var timeout = TimeSpan.FromSeconds(120);
        while (received() < expected)
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{kind.Name}: {received()} of {expected} messages after {timeout.TotalSeconds} s");
            }

            await Task.Delay(5);
        }
    }

    private static async Task WarmUpAsync(ServerKind kind, ServerProcess server) =>
        await DisposeAllAsync(await ConnectAsync(kind, server, 10));

    private static Task<List<ILoadClient>> ConnectAsync(ServerKind kind, ServerProcess server, int count) =>
        ConnectAsync(kind, server, count, _ => Channel);

    private static async Task<List<ILoadClient>> ConnectAsync(ServerKind kind, ServerProcess server, int count, Func<int, string> channelOf, bool polling = false)
    {
        var clients = new List<ILoadClient>(count);
        for (var start = 0; start < count; start += 50)
        {
            var batch = Enumerable.Range(start, Math.Min(50, count - start)).Select(i => (Index: i, Client: kind.CreateClient(server.Address, polling))).ToList();
            await Task.WhenAll(batch.Select(async c =>
            {
                await c.Client.ConnectAsync(CancellationToken.None);
                await c.Client.SubscribeAsync(channelOf(c.Index));
            }));
            clients.AddRange(batch.Select(c => c.Client));
        }

        return clients;
    }

    private static async Task DisposeAllAsync(List<ILoadClient> clients) =>
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
}
