using System.Text.Json.Nodes;
using Channels.Backplane;
using Channels.Dispatch;
using Channels.Tests;
using Channels.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Channels.Redis.Tests;

/// <summary>Several Channels servers sharing a real Redis: channels, broadcasts and sends span them all.</summary>
public sealed class RedisBackplaneTests
{
    private static readonly object WebSocketOnly = new { transports = new[] { "websocket" } };

    private static HandlerList Handlers()
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Message, async e =>
        {
            await e.Socket.BroadcastChannelAsync(e.Payload.GetElement(0));
            return HandlerResult.Continue;
        });
        handlers.Add(ChannelEventKind.Event, e => ValueTask.FromResult(HandlerResult.Ack(e.Socket.Id)), eventName: "whoami");
        handlers.Add(ChannelEventKind.Event, e => ValueTask.FromResult(HandlerResult.Ack(e.Socket.Id)), eventName: "whoami", @namespace: "/admin");
        return handlers;
    }

    private static Task<TestServer> StartAsync(RedisServer redis, Action<RedisBackplaneOptions>? configure = null) =>
        TestServer.StartAsync(Handlers(), services: s => s.AddChannels().AddRedisBackplane(o =>
        {
            o.Configuration = redis.Configuration;
            configure?.Invoke(o);
        }));

    private static Func<JsonObject, bool> Message(string client, string text) =>
        e => e["client"]?.GetValue<string>() == client && e["event"]?.GetValue<string>() == "message" && e["args"]?[0]?.ToString() == text;

    /// <summary>Clients a1 and a2 on server a, b1 on server b, all subscribed to <paramref name="channel"/>.</summary>
    private static async Task SubscribeOnBothAsync(NodeClients node, TestServer a, TestServer b, string channel)
    {
        await node.ConnectedAsync("a1", a.Address, options: WebSocketOnly);
        await node.ConnectedAsync("a2", a.Address, options: WebSocketOnly);
        await node.ConnectedAsync("b1", b.Address, options: WebSocketOnly);
        foreach (var client in new[] { "a1", "a2", "b1" })
        {
            await node.EmitWithAckAsync(client, "subscribe", channel);
        }
    }

    private static int Count(NodeClients node, string client) =>
        node.Seen.Count(e => e["client"]?.GetValue<string>() == client && e["event"]?.GetValue<string>() == "message");

    [Fact]
    public async Task Clients_on_two_servers_receive_each_others_publications_once_and_in_order()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartAsync(redis);
        await using var b = await StartAsync(redis);
        await using var node = NodeClients.Start();
        await SubscribeOnBothAsync(node, a, b, "room-x");

        for (var i = 0; i < 20; i++)
        {
            await node.EmitWithAckAsync("a1", "publish", "room-x", $"m{i}");
        }

        await node.EmitWithAckAsync("b1", "publish", "room-x", "end");
        await node.WaitAsync(Message("a1", "end"), "end on a1");
        await node.WaitAsync(Message("a2", "end"), "end on a2");

        string[] expected = [.. Enumerable.Range(0, 20).Select(i => $"m{i}")];
        Assert.Equal(expected, Texts(node, "b1"));
        Assert.Equal([.. expected, "end"], Texts(node, "a2"));
        Assert.Equal(["end"], Texts(node, "a1"));
    }

    [Fact]
    public async Task Publisher_on_one_server_reaches_sockets_on_another()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartAsync(redis);
        await using var b = await StartAsync(redis);
        await using var c = await StartAsync(redis);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("on-a", a.Address, options: WebSocketOnly);
        await node.ConnectedAsync("on-b", b.Address, options: WebSocketOnly);
        await node.ConnectedAsync("on-c", c.Address, options: WebSocketOnly);
        var id = (await node.EmitWithAckAsync("on-b", "whoami"))!.GetValue<string>();

        var publisher = a.Services.GetRequiredService<IChannelPublisher>();
        await publisher.Socket(id).SendAsync("direct to b");
        await node.WaitAsync(Message("on-b", "direct to b"), "the direct send on b");
        await c.Services.GetRequiredService<IChannelPublisher>().BroadcastAsync("to everyone");
        foreach (var client in new[] { "on-a", "on-b", "on-c" })
        {
            await node.WaitAsync(Message(client, "to everyone"), "the broadcast on " + client);
        }

        await node.EmitWithAckAsync("on-a", "whoami");
        Assert.Equal(1, Count(node, "on-a"));
        Assert.Equal(2, Count(node, "on-b"));
        Assert.Equal(1, Count(node, "on-c"));
    }

    [Fact]
    public async Task A_send_by_id_to_a_socket_of_another_namespace_on_another_server_arrives_on_that_namespace()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartAsync(redis);
        await using var b = await StartAsync(redis);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("admin-on-b", b.Address, "/admin", WebSocketOnly);
        var id = (await node.EmitWithAckAsync("admin-on-b", "whoami"))!.GetValue<string>();

        await a.Services.GetRequiredService<IChannelPublisher>().Socket(id).SendAsync("to the admin socket");
        var received = await node.WaitAsync(Message("admin-on-b", "to the admin socket"), "the direct send on /admin");
        await b.Services.GetRequiredService<IChannelPublisher>().Socket(id).SendAsync("from its own server");
        await node.WaitAsync(Message("admin-on-b", "from its own server"), "the local direct send on /admin");

        Assert.Equal("to the admin socket", received["args"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_broadcast_to_every_channel_a_socket_holds_crosses_Redis_once()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartAsync(redis);
        await using var b = await StartAsync(redis);
        await using var node = NodeClients.Start();
        await using var probe = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var markerSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await probe.GetSubscriber().SubscribeAsync(RedisChannel.Pattern("channels:*"), (channel, _) =>
        {
            seen.Enqueue(channel.ToString());
            if (channel.ToString().EndsWith("room-q", StringComparison.Ordinal))
            {
                markerSeen.TrySetResult();
            }
        });
        await node.ConnectedAsync("a1", a.Address, options: WebSocketOnly);
        await node.ConnectedAsync("b1", b.Address, options: WebSocketOnly);
        foreach (var channel in new[] { "room-p", "room-q", "room-r" })
        {
            await node.EmitWithAckAsync("a1", "subscribe", channel);
            await node.EmitWithAckAsync("b1", "subscribe", channel);
        }

        await node.EmitWithAckAsync("a1", "message", "to every room");
        var received = await node.WaitAsync(Message("b1", "to every room"), "the broadcast on b");
        await node.EmitWithAckAsync("a1", "publish", "room-q", "marker");
        await node.WaitAsync(Message("b1", "marker"), "the marker on b");
        await markerSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("room-p", received["args"]![1]!.GetValue<string>());
        Assert.Equal(["channels:all", "channels:ch:/:room-q"], seen);
        Assert.Equal(1, Count(node, "b1") - 1);
    }

    [Fact]
    public async Task A_server_subscribes_in_Redis_only_while_it_has_local_subscribers()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var b = await StartAsync(redis);
        await using var node = NodeClients.Start();
        await using var probe = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var server = probe.GetServer(probe.GetEndPoints()[0]);
        await node.ConnectedAsync("b1", b.Address, options: WebSocketOnly);
        await node.ConnectedAsync("b2", b.Address, options: WebSocketOnly);

        await node.EmitWithAckAsync("b1", "subscribe", "room-y");
        await node.EmitWithAckAsync("b2", "subscribe", "room-y");
        var whileSubscribed = await server.SubscriptionChannelsAsync(RedisChannel.Pattern("channels:ch:*"));
        await node.EmitWithAckAsync("b1", "unsubscribe", "room-y");
        var oneLeft = await server.SubscriptionChannelsAsync(RedisChannel.Pattern("channels:ch:*"));
        await node.EmitWithAckAsync("b2", "unsubscribe", "room-y");
        var noneLeft = await server.SubscriptionChannelsAsync(RedisChannel.Pattern("channels:ch:*"));

        Assert.Equal(["channels:ch:/:room-y"], whileSubscribed.Select(c => c.ToString()));
        Assert.Equal(["channels:ch:/:room-y"], oneLeft.Select(c => c.ToString()));
        Assert.Empty(noneLeft);
    }

    [Fact]
    public async Task When_Redis_dies_local_delivery_goes_on_and_cross_server_delivery_resumes_after_it_returns()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartAsync(redis);
        await using var b = await StartAsync(redis);
        await using var node = NodeClients.Start();
        await SubscribeOnBothAsync(node, a, b, "room-z");

        await redis.KillAsync();
        await node.EmitWithAckAsync("a1", "publish", "room-z", "during the outage");
        await node.WaitAsync(Message("a2", "during the outage"), "local delivery during the outage");
        var health = await a.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        await redis.StartAgainAsync();
        await Task.WhenAll(Backplane(a).WhenReadyAsync(), Backplane(b).WhenReadyAsync()).WaitAsync(TimeSpan.FromSeconds(30));
        await node.EmitWithAckAsync("a1", "publish", "room-z", "after the outage");
        await node.WaitAsync(Message("b1", "after the outage"), "cross-server delivery after the outage");

        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.DoesNotContain(node.Seen, e => Message("b1", "during the outage")(e));
        Assert.True((await node.EmitWithAckAsync("b1", "publish", "room-z", "b is still serving"))!["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Redis_killed_during_a_burst_loses_only_cross_server_messages_of_the_outage_never_local_ones_never_twice()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartAsync(redis);
        await using var b = await StartAsync(redis);
        await using var node = NodeClients.Start();
        await SubscribeOnBothAsync(node, a, b, "room-burst");
        const int Burst = 200;

        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < Burst; i++)
            {
                await node.EmitAsync("a1", "publish", "room-burst", $"m{i}");
            }
        });
        await redis.KillAsync();
        await sending;
        await node.EmitWithAckAsync("a1", "publish", "room-burst", "last of the burst");
        await node.WaitAsync(Message("a2", "last of the burst"), "the burst on a2");
        await redis.StartAgainAsync();
        await Task.WhenAll(Backplane(a).WhenReadyAsync(), Backplane(b).WhenReadyAsync()).WaitAsync(TimeSpan.FromSeconds(30));
        await node.EmitWithAckAsync("a1", "publish", "room-burst", "after");
        await node.WaitAsync(Message("b1", "after"), "cross-server delivery after the outage");

        string[] burst = [.. Enumerable.Range(0, Burst).Select(i => $"m{i}"), "last of the burst"];
        Assert.Equal(burst, Texts(node, "a2").Where(t => t != "after"));
        var onB = Texts(node, "b1").Where(t => t != "after").ToArray();
        Assert.Equal(onB.Distinct().Count(), onB.Length);
        Assert.Equal(onB, burst.Where(onB.Contains));
    }

    [Fact]
    public async Task Redis_unreachable_at_start_is_a_clear_error_or_local_only_mode_when_allowed()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.KillAsync();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(redis));
        await using var localOnly = await StartAsync(redis, o => o.AllowLocalOnlyStart = true);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("x", localOnly.Address, options: WebSocketOnly);
        await node.ConnectedAsync("y", localOnly.Address, options: WebSocketOnly);
        await node.EmitWithAckAsync("x", "subscribe", "room-l");
        await node.EmitWithAckAsync("y", "subscribe", "room-l");
        await node.EmitWithAckAsync("x", "publish", "room-l", "local only");
        await node.WaitAsync(Message("y", "local only"), "local delivery without Redis");
        var health = await localOnly.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Contains("could not reach Redis", failure.Message, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Degraded, health.Status);
    }

    private static RedisBackplane Backplane(TestServer server) => (RedisBackplane)server.Services.GetRequiredService<IChannelBackplane>();

    private static string[] Texts(NodeClients node, string client) =>
        [.. node.Seen
            .Where(e => e["client"]?.GetValue<string>() == client && e["event"]?.GetValue<string>() == "message")
            .Select(e => e["args"]![0]!.ToString())];
}
