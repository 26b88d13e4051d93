using System.Runtime.CompilerServices;
using Channels.Dispatch;

namespace Channels.Tests.Conformance;

/// <summary>
/// A connection that has ended leaves nothing behind: once its close sequence has run, nothing the server
/// keeps refers to its socket, so a server that sees clients come and go for days keeps a flat memory.
/// </summary>
public sealed class ConnectionLifetimeTests
{
    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task An_ended_connection_is_collected(string transport)
    {
        var sockets = new List<WeakReference>();
        var finished = 0;
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Connect, e =>
        {
            lock (sockets)
            {
                sockets.Add(new WeakReference(e.Socket));
            }
        });
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Finish, _ => Interlocked.Increment(ref finished));
        await using var server = await TestServer.StartAsync(handlers, configure: RawClient.DefaultTimings);
        using var client = new RawClient(server.Address);

        const int Connections = 20;
        for (var i = 0; i < Connections; i++)
        {
            await ConnectSubscribeAndLeaveAsync(client, transport, i);
        }

        for (var wait = 0; Volatile.Read(ref finished) < Connections && wait < 200; wait++)
        {
            await Task.Delay(25);
        }

        var alive = Connections;
        for (var attempt = 0; attempt < 50 && alive > 0; attempt++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            GC.WaitForPendingFinalizers();
            lock (sockets)
            {
                alive = sockets.Count(s => s.IsAlive);
            }

            await Task.Delay(20);
        }

        Assert.Equal(Connections, Volatile.Read(ref finished));
        Assert.Equal(0, alive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task ConnectSubscribeAndLeaveAsync(RawClient client, string transport, int i)
    {
        if (transport == "websocket")
        {
            var (socket, _) = await client.OpenWebSocketAsync("/socket.io");
            await using (socket)
            {
                await socket.SendTextAsync("40");
                Assert.StartsWith("40{", await socket.ReceivePacketAsync(), StringComparison.Ordinal);
                await socket.SendTextAsync($"421[\"subscribe\",\"room-{i}\"]");
                Assert.Equal("431[{\"ok\":true}]", await socket.ReceivePacketAsync());
                await socket.SendTextAsync("41");
            }

            return;
        }

        var sid = await client.OpenPollingSessionAsync("/socket.io");
        Assert.Equal((System.Net.HttpStatusCode.OK, "ok"), await client.PostAsync("/socket.io", sid, "40"));
        Assert.StartsWith("40{", (await client.PollAsync("/socket.io", sid)).Body, StringComparison.Ordinal);
        Assert.Equal((System.Net.HttpStatusCode.OK, "ok"), await client.PostAsync("/socket.io", sid, $"421[\"subscribe\",\"room-{i}\"]"));
        Assert.Equal("431[{\"ok\":true}]", (await client.PollAsync("/socket.io", sid)).Body);
        Assert.Equal((System.Net.HttpStatusCode.OK, "ok"), await client.PostAsync("/socket.io", sid, "1"));
    }
}
