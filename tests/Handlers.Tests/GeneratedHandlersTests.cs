using System.Text.Json.Nodes;
using Channels.Tests;
using Channels.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Handlers.Tests;

/// <summary>
/// Handler classes compiled by the SDK with the generator (this project's and a class library's), found by
/// <c>AddChannels()</c> with no registration, driven by the real socket.io-client.
/// </summary>
public sealed class GeneratedHandlersTests
{
    private static readonly object WebSocketOnly = new { transports = new[] { "websocket" } };

    private static Task<TestServer> StartAsync(EventJournal journal) => TestServer.StartAsync(
        configure: o =>
        {
            o.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, HandlersJson.Default);

            // Two votes per connection, then (practically) none: no clock is read by the test.
            o.EventRateLimits["votes"] = new EventRateLimit { PermitsPerSecond = 0.001, Burst = 2 };
        },
        services: s =>
        {
            s.AddSingleton(journal);
            s.AddScoped<ScopedCounter>();
        });

    [Fact]
    public async Task All_seven_events_fire_in_order_with_their_arguments()
    {
        var journal = new EventJournal();
        await using var server = await StartAsync(journal);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        await node.ConnectedAsync("b", server.Address, options: WebSocketOnly);

        await node.EmitWithAckAsync("a", "subscribe", "room-1");
        await node.EmitWithAckAsync("b", "subscribe", "room-1");
        await node.EmitWithAckAsync("a", "publish", "room-1", new JsonObject { ["name"] = "ada", ["text"] = "hi" });
        var relayed = await node.WaitAsync("b", "event", "message");
        var afterBoom = await node.EmitWithAckAsync("a", "boom");
        await node.DisconnectAsync("a");
        await journal.WaitForAsync("finish:room-1");

        Assert.Equal("hi", relayed["args"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("still ran", afterBoom!.GetValue<string>());
        // (StrictHandlers' [OnError] notes the same errors as RoomHandlers'.)
        var a = journal.Entries.Where(e => !e.StartsWith("any:", StringComparison.Ordinal) && !e.StartsWith("strict-error:", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["connect:/", "connect:/", "subscribe:room-1", "subscribe:room-1", "message:room-1:ada:hi", "error:boom", "disconnect", "unsubscribe:room-1", "finish:room-1"],
            a);
    }

    [Fact]
    public async Task Unbound_handlers_fire_for_every_message_and_bound_ones_once_for_a_matching_channel()
    {
        var journal = new EventJournal();
        await using var server = await StartAsync(journal);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        await node.EmitWithAckAsync("a", "subscribe", "team-a");
        await node.EmitWithAckAsync("a", "subscribe", "team-b");

        await node.EmitWithAckAsync("a", "message", "plain");
        await node.EmitWithAckAsync("a", "publish", "team-b", "published");

        Assert.Equal(
            ["any::plain", "team:team-a:plain", "any:team-b:published", "team:team-b:published"],
            journal.Entries.Where(e => e.StartsWith("any:", StringComparison.Ordinal) || e.StartsWith("team:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Named_groups_bind_typed_parameters()
    {
        var journal = new EventJournal();
        await using var server = await StartAsync(journal);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, "/typed", WebSocketOnly);

        Assert.True((await node.EmitWithAckAsync("a", "subscribe", "room-42"))!["ok"]!.GetValue<bool>());
        await node.EmitWithAckAsync("a", "publish", "room-42", new JsonObject { ["name"] = "ada", ["text"] = "hi" });
        Assert.True((await node.EmitWithAckAsync("a", "subscribe", "user:ada:Game"))!["ok"]!.GetValue<bool>());
        Assert.True((await node.EmitWithAckAsync("a", "subscribe", "big-9000000000-0f8fad5b-d9cb-469f-a165-70867728950e"))!["ok"]!.GetValue<bool>());
        Assert.True((await node.EmitWithAckAsync("a", "subscribe", "b-7"))!["ok"]!.GetValue<bool>());

        Assert.Equal(
            ["typed-subscribe:42", "typed-message:42:room-42:hi", "typed-user:ada:Game", "typed-big:9000000000:0f8fad5b-d9cb-469f-a165-70867728950e", "typed-fallback:7"],
            journal.Entries.Where(e => e.StartsWith("typed-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_capture_that_does_not_convert_refuses_the_subscribe_and_reaches_OnError()
    {
        var journal = new EventJournal();
        await using var server = await StartAsync(journal);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, "/typed", WebSocketOnly);

        var overflow = await node.EmitWithAckAsync("a", "subscribe", "room-99999999999");
        var notAKind = await node.EmitWithAckAsync("a", "subscribe", "user:ada:Nope");
        await journal.WaitForAsync("typed-error:user:ada:Nope:", prefix: true);

        Assert.False(overflow!["ok"]!.GetValue<bool>());
        Assert.Contains("group 'roomId'", overflow["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(notAKind!["ok"]!.GetValue<bool>());
        Assert.DoesNotContain(journal.Entries, e => e.StartsWith("typed-subscribe:", StringComparison.Ordinal) || e.StartsWith("typed-user:", StringComparison.Ordinal));
        Assert.Contains("typed-error:room-99999999999:ChannelProtocolException:channel 'room-99999999999': group 'roomId' ('99999999999') is not a valid Int32", journal.Entries);
        Assert.Contains("typed-error:user:ada:Nope:ChannelProtocolException:channel 'user:ada:Nope': group 'kind' ('Nope') is not a valid RoomKind", journal.Entries);
    }

    [Fact]
    public async Task Handlers_in_a_referenced_class_library_are_found()
    {
        await using var server = await StartAsync(new EventJournal());
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("lib", server.Address, "/library", WebSocketOnly);

        var pong = await node.EmitWithAckAsync("lib", "library-ping", "test");

        Assert.Equal("pong to test from the library", pong!.GetValue<string>());
    }
}
