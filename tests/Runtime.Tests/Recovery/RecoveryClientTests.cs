using System.Text.Json.Nodes;
using Channels.Dispatch;
using Channels.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Tests.Recovery;

/// <summary>
/// Connection-state recovery with the stock socket.io-client: a client whose transport is cut gets, when it
/// comes back, the same socket id, <c>socket.recovered</c> true, and every event sent meanwhile exactly once
/// and in order; after the window it gets a fresh session, and the old one's handlers have run.
/// </summary>
public sealed class RecoveryClientTests
{
    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task A_client_cut_off_mid_stream_recovers_every_event_once_and_in_order(string transport)
    {
        var finished = 0;
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Finish, _ => Interlocked.Increment(ref finished));
        await using var server = await TestServer.StartAsync(handlers, o =>
        {
            o.AllowUndeclaredChannels = true;
            o.ConnectionStateRecovery = new();
        });
        var publisher = server.Services.GetRequiredService<IChannelPublisher>();
        await using var clients = NodeClients.Start();
        var options = new { transports = new[] { transport } };
        var id = await clients.ConnectedAsync("a", server.Address, options: options);
        Assert.True((await clients.EmitWithAckAsync("a", "subscribe", "room-1"))!["ok"]!.GetValue<bool>());

        // A stream of events: to the channel, to everyone, and to the socket alone; the cut comes in the middle.
        var sent = 0;
        async Task SendAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var n = ++sent;
                switch (n % 3)
                {
                    case 0:
                        await publisher.Channel("room-1").SendAsync(n);
                        break;
                    case 1:
                        await publisher.All.EmitAsync("tick", n);
                        break;
                    default:
                        await publisher.Socket(id).EmitAsync("direct", n);
                        break;
                }
            }
        }

        await SendAsync(10);
        await clients.DropAsync("a");
        await SendAsync(20);
        await clients.WaitAsync("a", "disconnect");
        await SendAsync(10);
        await clients.ReconnectAsync("a");
        var connected = await clients.WaitAsync("a", "connect");
        Assert.Equal(id, connected["id"]!.GetValue<string>());
        Assert.True(connected["recovered"]!.GetValue<bool>());
        await SendAsync(10);

        var received = new List<int>();
        while (received.Count < sent)
        {
            var e = await clients.WaitAsync(x => (string?)x["client"] == "a" && (string?)x["type"] == "event", $"event {received.Count + 1} of {sent}");
            var args = e["args"]!.AsArray();
            received.Add(args[0]!.GetValue<int>());

            // As socket.io does it: the offset rides as the last argument, and the client keeps it for its reconnect.
            Assert.Matches("^[0-9]+-[0-9]+$", args[^1]!.GetValue<string>());
        }

        Assert.Equal(Enumerable.Range(1, sent), received);
        Assert.Equal(0, Volatile.Read(ref finished));
    }

    [Fact]
    public async Task Handlers_see_the_same_socket_with_its_context_and_Recovered_true_and_connect_handlers_do_not_run_again()
    {
        var connects = 0;
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Connect, e =>
        {
            Interlocked.Increment(ref connects);
            e.Socket.Context["user"] = "alice";
        });
        handlers.Add(
            ChannelEventKind.Event,
            e => ValueTask.FromResult(HandlerResult.Ack($"{e.Socket.Recovered}/{e.Socket.Context["user"]}")),
            eventName: "state");
        await using var server = await TestServer.StartAsync(handlers, o => o.ConnectionStateRecovery = new());
        await using var clients = NodeClients.Start();
        await clients.ConnectedAsync("a", server.Address, options: new { transports = new[] { "websocket" } });
        Assert.Equal("False/alice", (string?)await clients.EmitWithAckAsync("a", "state"));

        // The stock client sends an offset only once it got an event; this one never did.
        await clients.DropAsync("a");
        await clients.WaitAsync("a", "disconnect");
        await WaitForSuspendedAsync(server);
        await clients.ReconnectAsync("a");
        Assert.True((await clients.WaitAsync("a", "connect"))["recovered"]!.GetValue<bool>());
        Assert.Equal("True/alice", (string?)await clients.EmitWithAckAsync("a", "state"));
        Assert.Equal(1, Volatile.Read(ref connects));
    }

    [Theory]
    [InlineData("websocket")]
    [InlineData("polling")]
    public async Task After_the_window_the_old_socket_ends_with_its_handlers_and_the_client_gets_a_fresh_session(string transport)
    {
        var unsubscribed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Unsubscribe, e => unsubscribed.TrySetResult(e.Socket.Id));
        handlers.Add(ChannelEventKind.Finish, e => finished.TrySetResult(e.Socket.Id));
        await using var server = await TestServer.StartAsync(handlers, o =>
        {
            o.AllowUndeclaredChannels = true;
            o.ConnectionStateRecovery = new() { MaxDisconnectionDuration = TimeSpan.FromMilliseconds(500) };
        });
        await using var clients = NodeClients.Start();
        var id = await clients.ConnectedAsync("a", server.Address, options: new { transports = new[] { transport } });
        Assert.True((await clients.EmitWithAckAsync("a", "subscribe", "room-1"))!["ok"]!.GetValue<bool>());
        await server.Services.GetRequiredService<IChannelPublisher>().Channel("room-1").SendAsync("before");
        await clients.WaitAsync("a", "event", "message");

        await clients.DropAsync("a");
        Assert.Equal(id, await finished.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(id, await unsubscribed.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        await clients.ReconnectAsync("a");
        var connected = await clients.WaitAsync("a", "connect");
        Assert.NotEqual(id, connected["id"]!.GetValue<string>());
        Assert.False(connected["recovered"]!.GetValue<bool>());
    }

    private static async Task WaitForSuspendedAsync(TestServer server)
    {
        var suspended = server.Services.GetRequiredService<Channels.Sockets.SuspendedSocketsSource>().Recovery!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (suspended.Count == 0)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    [Fact]
    public async Task Channels_js_recovers_without_subscribing_again_and_hides_the_offsets()
    {
        var subscribes = 0;
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, _ => Interlocked.Increment(ref subscribes), pattern: "^room-");
        await using var server = await TestServer.StartAsync(handlers, o => o.ConnectionStateRecovery = new());
        var room = server.Services.GetRequiredService<IChannelPublisher>().Channel("room-1");
        await using var ours = NodeClients.Start("channels-driver.mjs");
        var id = await ours.ConnectedAsync("a", server.Address, options: new { reconnectDelayMax = 200 });
        Assert.True((await ours.EmitWithAckAsync("a", "subscribe", "room-1"))!["ok"]!.GetValue<bool>());

        for (var n = 1; n <= 5; n++)
        {
            await room.SendAsync(n);
        }

        await ours.DropAsync("a");
        await ours.WaitAsync("a", "disconnect");
        await WaitForSuspendedAsync(server);
        for (var n = 6; n <= 10; n++)
        {
            await room.SendAsync(n);
        }

        await ours.ReconnectAsync("a");
        var connected = await ours.WaitAsync("a", "connect");
        Assert.Equal(id, connected["id"]!.GetValue<string>());
        Assert.True(connected["recovered"]!.GetValue<bool>());
        for (var n = 11; n <= 15; n++)
        {
            await room.SendAsync(n);
        }

        for (var n = 1; n <= 15; n++)
        {
            var message = await ours.WaitAsync("a", "event", "message");
            Assert.Equal($"[{n},\"room-1\"]", message["args"]!.ToJsonString());
        }

        Assert.Equal(1, Volatile.Read(ref subscribes));
    }
}
