using Channels.Dispatch;
using Channels.Sockets;
using Channels.Tests;
using Channels.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Redis.Tests;

/// <summary>
/// Connection-state recovery across servers over a real Redis: a client cut off from server a, whose load
/// balancer (a TCP proxy here) sends it to server b when it comes back, recovers there — same id, channels
/// kept, every event sent meanwhile (from either server) once, each server's in order — and a no longer runs
/// its handlers.
/// </summary>
public sealed class RecoveryAcrossServersTests
{
    [Fact]
    public async Task A_client_that_comes_back_on_another_server_recovers_there()
    {
        await using var redis = await RedisServer.StartAsync();
        var (aFinished, bConnects) = (0, new List<bool>());
        await using var a = await StartAsync(redis, h => h.Add(ChannelEventKind.Finish, _ => Interlocked.Increment(ref aFinished)));
        await using var b = await StartAsync(redis, h => h.Add(ChannelEventKind.Connect, e =>
        {
            lock (bConnects)
            {
                bConnects.Add(e.Socket.Recovered);
            }
        }));
        await using var proxy = new TcpProxy(a.Address.Port);
        await using var node = NodeClients.Start();
        var id = await node.ConnectedAsync("c", proxy.Address, options: new { transports = new[] { "websocket" }, reconnection = false });
        Assert.True((await node.EmitWithAckAsync("c", "subscribe", "room-1"))!["ok"]!.GetValue<bool>());
        await node.ConnectedAsync("watcher", a.Address, options: new { transports = new[] { "websocket" } });
        await node.EmitWithAckAsync("watcher", "subscribe", "room-1");

        var (publishA, publishB) = (Publisher(a), Publisher(b));
        var sent = 0;
        async Task SendAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var n = ++sent;
                var from = n % 2 == 0 ? publishA : publishB;
                await (n % 3 == 0 ? from.Socket(id).EmitAsync("direct", n) : from.Channel("room-1").EmitAsync("tick", n));
            }
        }

        await SendAsync(10);
        proxy.SwitchTo(b.Address.Port);
        proxy.DropAll();
        await SendAsync(10);
        await node.WaitAsync("c", "disconnect");
        await WaitUntilAsync(() => Suspended(a).Count == 1);
        await SendAsync(10);

        await node.ReconnectAsync("c");
        var connected = await node.WaitAsync("c", "connect");
        Assert.Equal(id, connected["id"]!.GetValue<string>());
        Assert.True(connected["recovered"]!.GetValue<bool>());
        await SendAsync(10);

        var received = new List<int>();
        while (received.Count < sent)
        {
            var e = await node.WaitAsync(
                x => (string?)x["client"] == "c" && (string?)x["type"] == "event" && (string?)x["event"] is "tick" or "direct",
                $"event {received.Count + 1} of {sent}");
            received.Add(e["args"]![0]!.GetValue<int>());
        }

        // Each event once; each server's in the order it published them (as without recovery, publications of
        // two servers are ordered by when they reach Redis, not by when they were made).
        Assert.Equal(Enumerable.Range(1, sent), received.Order());
        Assert.Equal(received.Where(n => n % 2 == 0).Order(), received.Where(n => n % 2 == 0));
        Assert.Equal(received.Where(n => n % 2 == 1).Order(), received.Where(n => n % 2 == 1));

        // Server b rebuilt the socket with its connect handlers (the context was a's); a lets it go without
        // handlers once its window ends and it finds the session taken.
        lock (bConnects)
        {
            Assert.Equal([true], bConnects);
        }

        await WaitUntilAsync(() => Suspended(a).Count == 0);
        Assert.Equal(0, Volatile.Read(ref aFinished));

        // Its presence went with it: b tracks it now, a's letting go published no leave, and another
        // subscriber (on a) saw neither a leave nor a join.
        Assert.Contains(id, (await publishA.Channel("room-1").PresenceAsync()).Keys);
        var diffs = node.Seen.Where(e => (string?)e["client"] == "watcher" && (string?)e["event"] == "presence").Select(e => e["args"]![1]!).ToList();
        Assert.DoesNotContain(diffs, d => d["leaves"]?[id] is not null || d["joins"]?[id] is not null);
    }

    private static Task<TestServer> StartAsync(RedisServer redis, Action<HandlerList> handlers)
    {
        var list = new HandlerList();
        list.Add(ChannelEventKind.Subscribe, async e =>
        {
            await e.Socket.TrackAsync(e.Channel!, new Dictionary<string, string> { ["name"] = "c" });
            return HandlerResult.Continue;
        });
        handlers(list);
        return TestServer.StartAsync(list, services: s => s.AddChannels(o =>
        {
            o.AllowUndeclaredChannels = true;
            o.ConnectionStateRecovery = new() { MaxDisconnectionDuration = TimeSpan.FromSeconds(3) };
        }).AddRedisBackplane(o => o.Configuration = redis.Configuration));
    }

    private static IChannelPublisher Publisher(TestServer server) => server.Services.GetRequiredService<IChannelPublisher>();

    private static SuspendedSockets Suspended(TestServer server) => server.Services.GetRequiredService<SuspendedSocketsSource>().Recovery!;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
