using System.Diagnostics;

namespace Channels.Bench.Load;

/// <summary>The measurements, each against one running server.</summary>
internal static class Scenarios
{
    private const string Channel = "bench";

    /// <summary>
    /// Fan-out: <paramref name="subscribers"/> clients in one channel, one publisher sends
    /// <paramref name="messages"/> messages; returns delivered messages per second (from the first
    /// publish to the last delivery).
    /// </summary>
    public static async Task<double> FanOutAsync(ServerKind kind, ServerProcess server, int subscribers, int messages)
    {
        var clients = await ConnectAsync(kind, server, subscribers);
        await using var publisher = kind.CreateClient(server.Address);
        try
        {
            await publisher.ConnectAsync(CancellationToken.None);
            await publisher.SubscribeAsync(Channel);
            var expected = (long)subscribers * messages;
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < messages; i++)
            {
                await publisher.PublishAsync(Channel, "m" + i);
            }

            var timeout = TimeSpan.FromSeconds(120);
            while (clients.Sum(c => c.Received) < expected)
            {
                if (watch.Elapsed > timeout)
                {
                    throw new TimeoutException($"{kind.Name}: {clients.Sum(c => c.Received)} of {expected} messages after {timeout.TotalSeconds} s");
                }

                await Task.Delay(5);
            }

            return expected / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    /// <summary>Idle memory: the server's resident memory growth per connected, subscribed, idle client.</summary>
    public static async Task<double> IdleBytesPerConnectionAsync(ServerKind kind, ServerProcess server, int connections)
    {
        await WarmUpAsync(kind, server);
        GC.Collect();
        await Task.Delay(500);
        var before = server.ResidentBytes;
        var clients = await ConnectAsync(kind, server, connections);
        try
        {
            await Task.Delay(2000);
            return (server.ResidentBytes - before) / (double)connections;
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

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

    private static async Task WarmUpAsync(ServerKind kind, ServerProcess server) =>
        await DisposeAllAsync(await ConnectAsync(kind, server, 10));

    private static async Task<List<ILoadClient>> ConnectAsync(ServerKind kind, ServerProcess server, int count)
    {
        var clients = new List<ILoadClient>(count);
        for (var start = 0; start < count; start += 50)
        {
            var batch = Enumerable.Range(0, Math.Min(50, count - start)).Select(_ => kind.CreateClient(server.Address)).ToList();
            await Task.WhenAll(batch.Select(async c =>
            {
                await c.ConnectAsync(CancellationToken.None);
                await c.SubscribeAsync(Channel);
            }));
            clients.AddRange(batch);
        }

        return clients;
    }

    private static async Task DisposeAllAsync(List<ILoadClient> clients) =>
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
}
