using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Channels.Dispatch;
using Channels.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Tests.Integration;

/// <summary>
/// The server's side of <see cref="ChannelSocket"/>, driven by real socket.io-client sockets: every
/// member does what it says, and everything that runs handlers runs on the connection's loop, one
/// handler at a time, even when called from outside it or at shutdown.
/// </summary>
public sealed class SocketApiTests
{
    private static readonly object WebSocketOnly = new { transports = new[] { "websocket" } };

    /// <summary>
    /// Handlers of one connection that note whether two of them ever ran at once. "hold" runs until the
    /// test opens the gate, so a call made meanwhile from outside the loop must wait for it.
    /// </summary>
    private sealed class LoopProbe
    {
        private int _running;

        public TaskCompletionSource<ChannelSocket> Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Holding { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<string> Journal { get; } = new();

        public bool Overlapped { get; private set; }

        public HandlerList Handlers()
        {
            var handlers = new HandlerList();
            handlers.Add(ChannelEventKind.Connect, e =>
            {
                Connected.TrySetResult(e.Socket);
                return ValueTask.FromResult(HandlerResult.Continue);
            });
            handlers.Add(ChannelEventKind.Event, e => Run("hold", async () =>
            {
                Holding.TrySetResult();
                await Gate.Task;
            }), eventName: "hold");
            handlers.Add(ChannelEventKind.Subscribe, e => Run($"subscribe:{e.Channel}", () => Task.CompletedTask), pattern: "^room-");
            handlers.Add(ChannelEventKind.Unsubscribe, e => Run($"unsubscribe:{e.Channel}", () => Task.CompletedTask));
            handlers.Add(ChannelEventKind.Disconnect, e => Run("disconnect", () => Task.CompletedTask));
            handlers.Add(ChannelEventKind.Finish, e => Run("finish", () => Task.CompletedTask));
            return handlers;
        }

        /// <summary>Arms a new hold: the next "hold" event waits on a new gate.</summary>
        public void Rearm()
        {
            Holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        private async ValueTask<HandlerResult> Run(string name, Func<Task> body)
        {
            // Counted before the first await: a handler started beside another is seen at once.
            Overlapped |= Interlocked.Increment(ref _running) > 1;
            Journal.Enqueue(name + ":start");
            try
            {
                await Task.Yield();
                await body();
            }
            finally
            {
                Journal.Enqueue(name + ":end");
                Interlocked.Decrement(ref _running);
            }

            return HandlerResult.Continue;
        }
    }

    [Fact]
    public async Task Server_initiated_subscribe_unsubscribe_and_disconnect_wait_for_the_running_handler()
    {
        var probe = new LoopProbe();
        await using var server = await TestServer.StartAsync(probe.Handlers());
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        var socket = await probe.Connected.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await node.EmitAsync("a", "hold");
        await probe.Holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var subscribing = socket.SubscribeAsync("room-1").AsTask();
        Assert.False(subscribing.IsCompleted);
        Assert.False(probe.Overlapped);
        probe.Gate.TrySetResult();
        Assert.True(await subscribing.WaitAsync(TimeSpan.FromSeconds(10)));

        probe.Rearm();
        await node.EmitAsync("a", "hold");
        await probe.Holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var unsubscribing = socket.UnsubscribeAsync("room-1").AsTask();
        Assert.False(unsubscribing.IsCompleted);
        probe.Gate.TrySetResult();
        Assert.True(await unsubscribing.WaitAsync(TimeSpan.FromSeconds(10)));

        probe.Rearm();
        await node.EmitAsync("a", "hold");
        await probe.Holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var disconnecting = socket.DisconnectAsync().AsTask();
        Assert.False(disconnecting.IsCompleted);
        probe.Gate.TrySetResult();
        await disconnecting.WaitAsync(TimeSpan.FromSeconds(10));
        var disconnected = await node.WaitAsync("a", "disconnect");

        Assert.False(probe.Overlapped);
        Assert.Equal("io server disconnect", disconnected["reason"]!.GetValue<string>());
        Assert.Equal(
            [
                "hold:start", "hold:end", "subscribe:room-1:start", "subscribe:room-1:end",
                "hold:start", "hold:end", "unsubscribe:room-1:start", "unsubscribe:room-1:end",
                "hold:start", "hold:end", "finish:start", "finish:end",
            ],
            probe.Journal);
    }

    [Fact]
    public async Task Shutdown_runs_the_close_sequence_on_the_loop_after_the_running_handler()
    {
        var probe = new LoopProbe();
        var server = await TestServer.StartAsync(probe.Handlers());
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: new { transports = new[] { "websocket" }, reconnection = false });
        var socket = await probe.Connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(await socket.SubscribeAsync("room-1"));

        await node.EmitAsync("a", "hold");
        await probe.Holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var shutdown = server.Services.GetRequiredService<SocketIoServer>().ShutdownAsync(CancellationToken.None);
        Assert.False(shutdown.IsCompleted);
        Assert.False(probe.Overlapped);
        probe.Gate.TrySetResult();
        await shutdown.WaitAsync(TimeSpan.FromSeconds(10));
        await node.WaitAsync("a", "disconnect");
        await server.DisposeAsync();

        Assert.False(probe.Overlapped);
        Assert.Equal(
            [
                "subscribe:room-1:start", "subscribe:room-1:end", "hold:start", "hold:end",
                "unsubscribe:room-1:start", "unsubscribe:room-1:end", "finish:start", "finish:end",
            ],
            probe.Journal);
    }

    /// <summary>Handlers that call each member of <see cref="ChannelSocket"/> when a client asks.</summary>
    private static HandlerList Members(ConcurrentQueue<string> journal)
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            await e.Socket.BroadcastAsync("to the others");
            await e.Socket.SendAsync("sent after the broadcast");
            return HandlerResult.Continue;
        }, eventName: "broadcast");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            await e.Socket.SendAndBroadcastAsync("to everyone");
            return HandlerResult.Continue;
        }, eventName: "send-and-broadcast");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            await e.Socket.SendAndBroadcastChannelAsync<string>("to room-1, me included", "room-1");
            return HandlerResult.Continue;
        }, eventName: "send-and-broadcast-channel");
        handlers.Add(ChannelEventKind.Event, async e =>
            HandlerResult.Ack(await e.Socket.UnsubscribeAsync(e.Payload.GetString(0)!)), eventName: "leave");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            await e.Socket.DisconnectAsync();
            return HandlerResult.Continue;
        }, eventName: "kick-me");
        handlers.Add(ChannelEventKind.Event, e =>
            ValueTask.FromResult(HandlerResult.Ack(e.Socket.User.FindFirst("name")?.Value ?? "anonymous")), eventName: "who-am-i");
        handlers.Add(ChannelEventKind.Event, e =>
        {
            var count = e.Socket.Context.TryGetValue("count", out var value) ? (int)value! + 1 : 1;
            e.Socket.Context["count"] = count;
            return ValueTask.FromResult(HandlerResult.Ack(count));
        }, eventName: "count");
        handlers.Add(ChannelEventKind.Unsubscribe, e => journal.Enqueue($"unsubscribe:{e.Channel}"));
        handlers.Add(ChannelEventKind.Disconnect, e => journal.Enqueue("disconnect"));
        handlers.Add(ChannelEventKind.Finish, e => journal.Enqueue("finish"));
        return handlers;
    }

    private static async Task<(TestServer Server, NodeClients Node)> StartThreeAsync(ConcurrentQueue<string> journal)
    {
        var server = await TestServer.StartAsync(Members(journal));
        var node = NodeClients.Start();
        foreach (var client in new[] { "a", "b", "c" })
        {
            await node.ConnectedAsync(client, server.Address, options: WebSocketOnly);
        }

        return (server, node);
    }

    private static string Message(JsonObject received) => received["args"]![0]!.GetValue<string>();

    [Fact]
    public async Task BroadcastAsync_reaches_every_other_socket_but_not_the_sender()
    {
        var (server, node) = await StartThreeAsync(new());
        await using var _ = server;
        await using var __ = node;

        await node.EmitAsync("a", "broadcast");

        Assert.Equal("to the others", Message(await node.WaitAsync("b", "event", "message")));
        Assert.Equal("to the others", Message(await node.WaitAsync("c", "event", "message")));
        Assert.Equal("sent after the broadcast", Message(await node.WaitAsync("a", "event", "message")));
    }

    [Fact]
    public async Task SendAndBroadcastAsync_reaches_the_sender_too()
    {
        var (server, node) = await StartThreeAsync(new());
        await using var _ = server;
        await using var __ = node;

        await node.EmitAsync("a", "send-and-broadcast");

        foreach (var client in new[] { "a", "b", "c" })
        {
            Assert.Equal("to everyone", Message(await node.WaitAsync(client, "event", "message")));
        }
    }

    [Fact]
    public async Task SendAndBroadcastChannelAsync_reaches_the_channel_sender_included_and_no_one_else()
    {
        var (server, node) = await StartThreeAsync(new());
        await using var _ = server;
        await using var __ = node;
        await node.EmitWithAckAsync("a", "subscribe", "room-1");
        await node.EmitWithAckAsync("b", "subscribe", "room-1");

        await node.EmitAsync("a", "send-and-broadcast-channel");
        var toA = await node.WaitAsync("a", "event", "message");
        var toB = await node.WaitAsync("b", "event", "message");
        await node.EmitAsync("b", "broadcast");
        var toC = await node.WaitAsync("c", "event", "message");

        Assert.Equal("to room-1, me included", Message(toA));
        Assert.Equal("room-1", toA["args"]![1]!.GetValue<string>());
        Assert.Equal("to room-1, me included", Message(toB));
        Assert.Equal("to the others", Message(toC));
    }

    [Fact]
    public async Task Server_side_UnsubscribeAsync_runs_OnUnsubscribe_and_stops_channel_deliveries()
    {
        var journal = new ConcurrentQueue<string>();
        var (server, node) = await StartThreeAsync(journal);
        await using var _ = server;
        await using var __ = node;
        await node.EmitWithAckAsync("a", "subscribe", "room-1");
        await node.EmitWithAckAsync("b", "subscribe", "room-1");

        var left = await node.EmitWithAckAsync("a", "leave", "room-1");
        var notHeld = await node.EmitWithAckAsync("a", "leave", "room-1");
        await node.EmitAsync("b", "send-and-broadcast-channel");
        await node.WaitAsync("b", "event", "message");
        await node.EmitAsync("c", "broadcast");
        var next = await node.WaitAsync("a", "event", "message");

        Assert.True(left!.GetValue<bool>());
        Assert.False(notHeld!.GetValue<bool>());
        Assert.Equal(["unsubscribe:room-1"], journal);
        Assert.Equal("to the others", Message(next));
    }

    [Fact]
    public async Task Server_side_DisconnectAsync_sends_DISCONNECT_and_runs_finish_but_not_disconnect()
    {
        var journal = new ConcurrentQueue<string>();
        var (server, node) = await StartThreeAsync(journal);
        await using var _ = server;
        await using var __ = node;
        await node.EmitWithAckAsync("a", "subscribe", "room-1");

        await node.EmitAsync("a", "kick-me");
        var disconnected = await node.WaitAsync("a", "disconnect");
        var stillThere = await node.EmitWithAckAsync("b", "count");

        Assert.Equal("io server disconnect", disconnected["reason"]!.GetValue<string>());
        Assert.Equal(["unsubscribe:room-1", "finish"], journal);
        Assert.Equal(1, stillThere!.GetValue<int>());
    }

    [Fact]
    public async Task User_is_the_authenticated_user_of_the_request_that_opened_the_connection()
    {
        await using var server = await TestServer.StartAsync(
            Members(new()),
            services: s =>
            {
                s.AddAuthentication("test").AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, HeaderAuthentication>("test", null);
                s.AddAuthorization();
            },
            map: app =>
            {
                app.UseAuthentication();
                app.MapChannels();
            });
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("ada", server.Address, options: new { transports = new[] { "websocket" }, extraHeaders = new Dictionary<string, string> { ["X-User"] = "ada" } });
        await node.ConnectedAsync("anon", server.Address, options: WebSocketOnly);

        Assert.Equal("ada", (await node.EmitWithAckAsync("ada", "who-am-i"))!.GetValue<string>());
        Assert.Equal("anonymous", (await node.EmitWithAckAsync("anon", "who-am-i"))!.GetValue<string>());
    }

    [Fact]
    public async Task The_per_connection_context_survives_from_one_event_to_the_next()
    {
        var (server, node) = await StartThreeAsync(new());
        await using var _ = server;
        await using var __ = node;

        var counts = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            counts.Add((await node.EmitWithAckAsync("a", "count"))!.GetValue<int>());
        }

        Assert.Equal([1, 2, 3], counts);
        Assert.Equal(1, (await node.EmitWithAckAsync("b", "count"))!.GetValue<int>());
    }

    [Fact]
    public async Task A_call_a_handler_left_running_that_lands_in_a_later_event_waits_for_that_event()
    {
        var probe = new LoopProbe();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<bool>? detached = null;
        var handlers = probe.Handlers();
        handlers.Add(ChannelEventKind.Event, e =>
        {
            // Not awaited: it runs on after this event, and lands during the next one.
            detached = Task.Run(async () =>
            {
                await release.Task;
                return await e.Socket.SubscribeAsync("room-late");
            });
            return ValueTask.FromResult(HandlerResult.Continue);
        }, eventName: "later");
        await using var server = await TestServer.StartAsync(handlers);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);

        await node.EmitWithAckAsync("a", "later");
        await node.EmitAsync("a", "hold");
        await probe.Holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        release.TrySetResult();
        var subscribing = detached!;
        var overlappedWhileHeld = probe.Overlapped;
        probe.Gate.TrySetResult();

        Assert.True(await subscribing.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(overlappedWhileHeld);
        Assert.False(probe.Overlapped);
        Assert.Equal(["hold:start", "hold:end", "subscribe:room-late:start", "subscribe:room-late:end"], probe.Journal);
    }

    [Fact]
    public async Task A_connect_handler_that_disconnects_its_socket_leaves_nothing_registered()
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Connect, async e =>
        {
            await e.Socket.SubscribeAsync("room-1");
            if (e.Socket.Auth.TryGetProperty("kick", out _))
            {
                await e.Socket.DisconnectAsync();
            }
            else
            {
                throw new ChannelRejectedException("no");
            }

            return HandlerResult.Continue;
        });
        await using var server = await TestServer.StartAsync(handlers);
        await using var node = NodeClients.Start();
        var registry = server.Services.GetRequiredService<ChannelRegistry>();

        await node.ConnectAsync("kicked", server.Address, options: new { transports = new[] { "websocket" }, auth = new { kick = true } });
        var kicked = await node.WaitAsync("kicked", "connect_error");
        await node.ConnectAsync("rejected", server.Address, options: WebSocketOnly);
        var rejected = await node.WaitAsync("rejected", "connect_error");

        Assert.Equal("Disconnected by the server", kicked["message"]!.GetValue<string>());
        Assert.Equal("no", rejected["message"]!.GetValue<string>());
        Assert.Equal(0, registry.SocketCount);
        Assert.Equal(0, registry.CountSubscribers("/", "room-1"));
    }
}

