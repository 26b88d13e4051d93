using System.Text.Json.Nodes;
using Channels.Dispatch;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Tests.Integration;

/// <summary>Presence on one server, with real clients: socket.io-client for the wire, channels.js for the live map.</summary>
public sealed class PresenceTests
{
    private static readonly object WebSocketOnly = new { transports = new[] { "websocket" } };

    /// <summary>
    /// Sockets subscribing to <c>room-</c> channels are tracked with their <c>auth.name</c>; <c>silent-</c> channels
    /// are not tracked; events untrack, re-track with new metadata, and try what must be refused.
    /// </summary>
    public static HandlerList Handlers()
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, async e =>
        {
            await e.Socket.TrackAsync(e.Channel!, new Dictionary<string, string> { ["name"] = Name(e.Socket) });
            return HandlerResult.Continue;
        }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^silent-");
        handlers.Add(ChannelEventKind.Subscribe, async e =>
        {
            await e.Socket.TrackAsync(e.Channel!, new Dictionary<string, string> { ["name"] = Name(e.Socket) });
            return HandlerResult.Continue;
        }, pattern: "^room-", @namespace: "/team");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            await e.Socket.UntrackAsync(e.Payload.GetElement(0).GetString()!);
            return HandlerResult.Ack(true);
        }, eventName: "untrack");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            await e.Socket.TrackAsync(e.Payload.GetElement(0).GetString()!, new Dictionary<string, string> { ["name"] = Name(e.Socket), ["status"] = "away" });
            return HandlerResult.Ack(true);
        }, eventName: "away");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            try
            {
                await e.Socket.TrackAsync<string>(e.Payload.GetElement(0).GetString()!, new string('x', e.Payload.GetElement(1).GetInt32()));
                return HandlerResult.Ack("tracked");
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                return HandlerResult.Ack($"{ex.GetType().Name}: {ex.Message}");
            }
        }, eventName: "try-track");
        return handlers;
    }

    private static string Name(ChannelSocket socket) => socket.Auth.TryGetProperty("name", out var name) ? name.GetString()! : "?";

    private static object As(string name) => new { transports = new[] { "websocket" }, auth = new { name } };

    private static Func<JsonObject, bool> Diff(string client, Func<JsonObject, bool> match) =>
        e => e["client"]?.GetValue<string>() == client && e["type"]?.GetValue<string>() == "event" && e["event"]?.GetValue<string>() == "presence" && match(e["args"]![1]!.AsObject());

    private static bool Has(JsonObject diff, string part, string id) => diff[part]!.AsObject().ContainsKey(id);

    [Fact]
    public async Task Subscribers_see_joins_and_leaves_on_track_untrack_unsubscribe_and_disconnect_and_get_the_state()
    {
        await using var server = await TestServer.StartAsync(Handlers());
        var publisher = server.Services.GetRequiredService<IChannelPublisher>();
        await using var node = NodeClients.Start();
        var ada = await node.ConnectedAsync("ada", server.Address, options: As("ada"));
        var bea = await node.ConnectedAsync("bea", server.Address, options: As("bea"));
        await node.EmitWithAckAsync("ada", "subscribe", "room-1");
        await node.EmitWithAckAsync("bea", "subscribe", "room-1");

        var join = await node.WaitAsync(Diff("ada", d => Has(d, "joins", bea)), "bea's join on ada");
        Assert.Equal("bea", join["args"]![1]!["joins"]![bea]!["name"]!.GetValue<string>());
        Assert.Equal("room-1", join["args"]![0]!.GetValue<string>());
        var state = await node.EmitWithAckAsync("bea", "presence", "room-1");
        Assert.True(state!["ok"]!.GetValue<bool>());
        Assert.Equal(new[] { ada, bea }.Order(StringComparer.Ordinal), state["state"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("ada", state["state"]![ada]!["name"]!.GetValue<string>());
        Assert.Equal(new[] { ada, bea }.Order(StringComparer.Ordinal), (await publisher.Channel("room-1").PresenceAsync()).Keys.Order(StringComparer.Ordinal));
        Assert.Equal([bea], (await publisher.Channel("room-1").Except(ada).PresenceAsync()).Keys);

        // New metadata: a join with it; untrack: a leave; unsubscribe and disconnect: a leave each.
        await node.EmitWithAckAsync("bea", "away", "room-1");
        var away = await node.WaitAsync(Diff("ada", d => Has(d, "joins", bea)), "bea's new metadata on ada");
        Assert.Equal("away", away["args"]![1]!["joins"]![bea]!["status"]!.GetValue<string>());
        await node.EmitWithAckAsync("bea", "untrack", "room-1");
        await node.WaitAsync(Diff("ada", d => Has(d, "leaves", bea)), "bea's untrack on ada");
        Assert.Equal([ada], (await publisher.Channel("room-1").PresenceAsync()).Keys);

        await node.EmitWithAckAsync("bea", "away", "room-1");
        await node.WaitAsync(Diff("ada", d => Has(d, "joins", bea)), "bea tracked again");
        await node.EmitWithAckAsync("bea", "unsubscribe", "room-1");
        await node.WaitAsync(Diff("ada", d => Has(d, "leaves", bea)), "bea's unsubscribe on ada");

        await node.EmitWithAckAsync("bea", "subscribe", "room-1");
        await node.WaitAsync(Diff("ada", d => Has(d, "joins", bea)), "bea back");
        await node.DisconnectAsync("bea");
        var left = await node.WaitAsync(Diff("ada", d => Has(d, "leaves", bea)), "bea's disconnect on ada");
        Assert.Equal("bea", left["args"]![1]!["leaves"]![bea]!["name"]!.GetValue<string>());
        Assert.Equal([ada], (await publisher.Channel("room-1").PresenceAsync()).Keys);

        // bea saw its own leave once, when it untracked while subscribed; not when it unsubscribed or left.
        Assert.Single(node.Seen, e => e["client"]?.GetValue<string>() == "bea" && e["event"]?.GetValue<string>() == "presence" && Has(e["args"]![1]!.AsObject(), "leaves", bea));
    }

    [Fact]
    public async Task Presence_in_another_namespace_is_that_namespace_s_and_reaches_its_subscribers()
    {
        await using var server = await TestServer.StartAsync(Handlers());
        var publisher = server.Services.GetRequiredService<IChannelPublisher>();
        await using var node = NodeClients.Start();
        var ada = await node.ConnectedAsync("ada", server.Address, "/team", As("ada"));
        var bea = await node.ConnectedAsync("bea", server.Address, "/team", As("bea"));
        var root = await node.ConnectedAsync("root", server.Address, options: As("root"));
        await node.EmitWithAckAsync("ada", "subscribe", "room-1");
        await node.EmitWithAckAsync("root", "subscribe", "room-1");
        await node.EmitWithAckAsync("bea", "subscribe", "room-1");

        var join = await node.WaitAsync(Diff("ada", d => Has(d, "joins", bea)), "bea's join in /team");
        var state = await node.EmitWithAckAsync("bea", "presence", "room-1");

        Assert.Equal("bea", join["args"]![1]!["joins"]![bea]!["name"]!.GetValue<string>());
        Assert.Equal(new[] { ada, bea }.Order(StringComparer.Ordinal), state!["state"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { ada, bea }.Order(StringComparer.Ordinal), (await publisher.Namespace("/team").Channel("room-1").PresenceAsync()).Keys.Order(StringComparer.Ordinal));
        Assert.Equal([root], (await publisher.Channel("room-1").PresenceAsync()).Keys);
        Assert.DoesNotContain(node.Seen, e => e["client"]?.GetValue<string>() == "root" && e["event"]?.GetValue<string>() == "presence" && Has(e["args"]![1]!.AsObject(), "joins", bea));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await publisher.Namespace("/team").PresenceAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await publisher.Socket(ada).PresenceAsync());
    }

    [Fact]
    public async Task Presence_is_answered_to_subscribers_only_and_an_untracked_subscriber_is_not_listed()
    {
        await using var server = await TestServer.StartAsync(Handlers());
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("ada", server.Address, options: As("ada"));

        var outsider = await node.EmitWithAckAsync("ada", "presence", "room-1");
        var noChannel = await node.EmitWithAckAsync("ada", "presence", 42);
        await node.EmitWithAckAsync("ada", "subscribe", "silent-1");
        var silent = await node.EmitWithAckAsync("ada", "presence", "silent-1");

        Assert.False(outsider!["ok"]!.GetValue<bool>());
        Assert.Equal("not subscribed to channel 'room-1'", outsider["error"]!.GetValue<string>());
        Assert.Equal("presence needs a channel name", noChannel!["error"]!.GetValue<string>());
        Assert.True(silent!["ok"]!.GetValue<bool>());
        Assert.Empty(silent["state"]!.AsObject());
    }

    [Fact]
    public async Task Track_refuses_a_channel_not_held_oversized_metadata_and_a_full_channel()
    {
        await using var server = await TestServer.StartAsync(Handlers(), o =>
        {
            o.MaxPresenceMembersPerChannel = 1;
            o.MaxPresenceMetaBytes = 64;
        });
        await using var node = NodeClients.Start();
        var ada = await node.ConnectedAsync("ada", server.Address, options: As("ada"));
        await node.ConnectedAsync("bea", server.Address, options: As("bea"));
        await node.EmitWithAckAsync("ada", "subscribe", "silent-1");

        var notHeld = await node.EmitWithAckAsync("ada", "try-track", "silent-2", 1);
        var tooLarge = await node.EmitWithAckAsync("ada", "try-track", "silent-1", 100);
        var fits = await node.EmitWithAckAsync("ada", "try-track", "silent-1", 10);
        await node.EmitWithAckAsync("bea", "subscribe", "silent-1");
        var full = await node.EmitWithAckAsync("bea", "try-track", "silent-1", 10);
        await node.EmitWithAckAsync("ada", "subscribe", "room-1");
        var refusedSubscribe = await node.EmitWithAckAsync("bea", "subscribe", "room-1");

        Assert.StartsWith("InvalidOperationException: Socket ", notHeld!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("is not subscribed to channel 'silent-2'", notHeld.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("ArgumentException: Presence metadata of 102 bytes is larger than ChannelsOptions.MaxPresenceMetaBytes (64)", tooLarge!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("tracked", fits!.GetValue<string>());
        Assert.Equal("InvalidOperationException: presence of channel 'silent-1' is full (1 members)", full!.GetValue<string>());

        // Tracked in [OnSubscribe] in a full channel: the subscription is refused, with the reason.
        Assert.False(refusedSubscribe!["ok"]!.GetValue<bool>());
        Assert.Equal("presence of channel 'room-1' is full (1 members)", refusedSubscribe["error"]!.GetValue<string>());
        var publisher = server.Services.GetRequiredService<IChannelPublisher>();
        Assert.Equal(0, await publisher.Channel("room-1").Except(ada).CountAsync());
        Assert.Equal([ada], (await publisher.Channel("room-1").PresenceAsync()).Keys);
    }

    [Fact]
    public async Task A_presence_answer_over_half_the_outbound_bound_is_refused_rather_than_sent()
    {
        await using var server = await TestServer.StartAsync(Handlers(), o => o.MaxOutboundBytes = 1000);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("ada", server.Address, options: As("ada"));
        await node.ConnectedAsync("bea", server.Address, options: As("bea"));
        await node.EmitWithAckAsync("ada", "subscribe", "silent-1");
        await node.EmitWithAckAsync("bea", "subscribe", "silent-1");

        await node.EmitWithAckAsync("ada", "try-track", "silent-1", 300);
        var one = await node.EmitWithAckAsync("ada", "presence", "silent-1");
        await node.EmitWithAckAsync("bea", "try-track", "silent-1", 300);
        var two = await node.EmitWithAckAsync("ada", "presence", "silent-1");

        Assert.True(one!["ok"]!.GetValue<bool>());
        Assert.False(two!["ok"]!.GetValue<bool>());
        Assert.Equal("presence of channel 'silent-1' is too large to send", two["error"]!.GetValue<string>());
        Assert.DoesNotContain(node.Seen, e => e["type"]?.GetValue<string>() == "disconnect");
    }

    [Fact]
    public async Task The_channels_js_live_map_ends_equal_to_the_server_after_churn_during_its_first_fetch()
    {
        const int Churners = 8;
        await using var server = await TestServer.StartAsync(Handlers());
        var publisher = server.Services.GetRequiredService<IChannelPublisher>();
        await using var ours = NodeClients.Start("channels-driver.mjs");
        await using var churn = NodeClients.Start();
        await ours.ConnectedAsync("watcher", server.Address, options: new { auth = new { name = "watcher" } });
        await ours.EmitWithAckAsync("watcher", "subscribe", "room-live");
        for (var i = 0; i < Churners; i++)
        {
            await churn.ConnectedAsync($"c{i}", server.Address, options: As($"c{i}"));
        }

        // Joins and leaves race the first fetch: the subscribes are in flight when the view asks.
        for (var i = 0; i < Churners; i++)
        {
            await churn.EmitAsync($"c{i}", "subscribe", "room-live");
        }

        await ours.WatchPresenceAsync("watcher", "room-live");
        for (var i = 0; i < Churners; i += 2)
        {
            await churn.EmitAsync($"c{i}", "unsubscribe", "room-live");
        }

        // Settled: each churner's requests are answered in order; then one more join, so the last change is known.
        for (var i = 0; i < Churners; i++)
        {
            await churn.EmitWithAckAsync($"c{i}", "presence", "room-live");
        }

        var last = await churn.ConnectedAsync("last", server.Address, options: As("last"));
        await churn.EmitWithAckAsync("last", "subscribe", "room-live");
        var final = await ours.WaitAsync(
            e => e["type"]?.GetValue<string>() == "presence" && e["members"]!.AsObject().ContainsKey(last),
            "the watcher's map with the last join");

        var expected = (await publisher.Channel("room-live").PresenceAsync()).Keys.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, final["members"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(Churners / 2 + 2, expected.Length);
    }
}
