using System.Text.Json.Nodes;
using Channels.Dispatch;
using Channels.Tests;
using Channels.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Channels.Redis.Tests;

/// <summary>
/// The target-first server API across two servers on a real Redis: every action reaches the sockets of
/// the other server too, and a server that does not answer in time is reported, not silently skipped.
/// </summary>
public sealed class ServerApiAcrossServersTests
{
    private static readonly object WebSocketOnly = new { transports = new[] { "websocket" } };

    private static HandlerList Handlers()
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-", @namespace: "/admin");
        return handlers;
    }

    private static Task<TestServer> StartAsync(RedisServer redis, TimeSpan? requestTimeout = null) =>
        TestServer.StartAsync(Handlers(), services: s => s.AddChannels().AddRedisBackplane(o =>
        {
            o.Configuration = redis.Configuration;
            o.RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5);
        }));

    private static Func<JsonObject, bool> Event(string client, string name, string firstArg) =>
        e => e["client"]?.GetValue<string>() == client && e["event"]?.GetValue<string>() == name && e["args"]?[0]?.ToString() == firstArg;

    [Fact]
    public async Task Count_fetch_subscribe_emit_and_disconnect_span_both_servers()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartAsync(redis);
        await using var b = await StartAsync(redis);
        await using var node = NodeClients.Start();
        var onA = await node.ConnectedAsync("on-a", a.Address, options: WebSocketOnly);
        var onB = await node.ConnectedAsync("on-b", b.Address, options: WebSocketOnly);
        var adminOnB = await node.ConnectedAsync("admin-on-b", b.Address, "/admin", WebSocketOnly);
        await node.EmitWithAckAsync("on-a", "subscribe", "room-1");
        await node.EmitWithAckAsync("on-b", "subscribe", "room-1");
        var fromA = a.Services.GetRequiredService<IChannelPublisher>();

        Assert.Equal(2, await fromA.All.CountAsync());
        Assert.Equal(2, await fromA.Channel("room-1").CountAsync());
        Assert.Equal(1, await fromA.Channel("room-1").Except(onA).CountAsync());
        Assert.Equal(1, await fromA.Namespace("/admin").CountAsync());
        var fetched = await fromA.Channel("room-1").FetchSocketsAsync();
        Assert.Equal(new[] { onA, onB }.Order(StringComparer.Ordinal), fetched.Select(s => s.Id).Order(StringComparer.Ordinal));
        var admin = Assert.Single(await fromA.Socket(adminOnB).FetchSocketsAsync());
        Assert.Equal("/admin", admin.Namespace);

        // Subscribed from server a, on both servers; then a channel message from b reaches both.
        Assert.Equal(2, await fromA.All.SubscribeAsync("room-2"));
        Assert.Equal(["room-1", "room-2"], (await fromA.Socket(onB).FetchSocketsAsync())[0].Channels);
        await b.Services.GetRequiredService<IChannelPublisher>().Channel("room-2").SendAsync("to room-2");
        await node.WaitAsync(Event("on-a", "message", "to room-2"), "room-2 on a");
        await node.WaitAsync(Event("on-b", "message", "to room-2"), "room-2 on b");

        // A custom event to a channel, and one to the other server's namespace.
        await fromA.Channel("room-1").Except(onA).EmitAsync("news", "for b only");
        await fromA.Namespace("/admin").EmitAsync("alert", "admins");
        await node.WaitAsync(Event("on-b", "news", "for b only"), "the channel event on b");
        await node.WaitAsync(Event("admin-on-b", "alert", "admins"), "the namespace event on b");

        // An ack from a socket on the other server, in its own namespace.
        var answer = await fromA.Socket(adminOnB).EmitWithAckAsync("question", ["across?", new byte[] { 1, 2, 3 }], TimeSpan.FromSeconds(5));
        Assert.True(answer.GetElement(0).GetProperty("acked").GetBoolean());
        Assert.Equal("across?", answer.GetElement(0).GetProperty("args")[0].GetString());

        Assert.Equal(1, await fromA.Socket(onB).UnsubscribeAsync("room-1"));
        Assert.Equal(1, await fromA.Channel("room-1").CountAsync());
        Assert.Equal(1, await fromA.Socket(onB).DisconnectAsync());
        var disconnected = await node.WaitAsync("on-b", "disconnect");
        Assert.Equal("io server disconnect", disconnected["reason"]!.GetValue<string>());
        Assert.Equal(1, await fromA.All.CountAsync());
        Assert.Equal(0, await fromA.Socket(onB).CountAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => fromA.Socket(onB).EmitWithAckAsync("question", [], TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_server_that_does_not_answer_makes_the_command_time_out_with_how_many_answered()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartAsync(redis, requestTimeout: TimeSpan.FromMilliseconds(300));
        await using var b = await StartAsync(redis);

        // A third "server" that hears requests and never answers.
        await using var silent = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        await silent.GetSubscriber().SubscribeAsync(RedisChannel.Literal("channels:request"), (_, _) => { });

        var timeout = await Assert.ThrowsAsync<TimeoutException>(async () => await a.Services.GetRequiredService<IChannelPublisher>().All.CountAsync());
        Assert.Contains("1 of 2 other servers answered", timeout.Message, StringComparison.Ordinal);
        Assert.Contains("RequestTimeout", timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ack_the_remote_client_never_gives_times_out_on_the_requesting_server()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartAsync(redis);
        await using var b = await StartAsync(redis);
        using var client = new System.Net.WebSockets.ClientWebSocket();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{b.Address.Port}/socket.io/?EIO=4&transport=websocket"), bound.Token);
        await ReceiveTextAsync(client, bound.Token);
        await client.SendAsync("40"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, bound.Token);
        var connect = await ReceiveTextAsync(client, bound.Token);
        var id = System.Text.Json.JsonDocument.Parse(connect[2..]).RootElement.GetProperty("sid").GetString()!;

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() =>
            a.Services.GetRequiredService<IChannelPublisher>().Socket(id).EmitWithAckAsync("question", [], TimeSpan.FromMilliseconds(200)));
        Assert.True(timeout.Message.Contains(id, StringComparison.Ordinal), timeout.Message);
    }

    private static async Task<string> ReceiveTextAsync(System.Net.WebSockets.ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
