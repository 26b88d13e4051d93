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
        var a = journal.Entries.Where(e => !e.StartsWith("any:", StringComparison.Ordinal)).ToList();
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
    public async Task Rejected_connect_and_subscribe_reach_the_client()
    {
        var journal = new EventJournal();
        await using var server = await StartAsync(journal);
        await using var node = NodeClients.Start();

        await node.ConnectAsync("bad", server.Address, options: new { transports = new[] { "websocket" }, auth = new { token = "bad" } });
        var refused = await node.WaitAsync("bad", "connect_error");
        await node.ConnectedAsync("good", server.Address, options: WebSocketOnly);
        var closed = await node.EmitWithAckAsync("good", "subscribe", "room-closed");

        Assert.Equal("Connection rejected", refused["message"]!.GetValue<string>());
        Assert.False(closed!["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Typed_arguments_bind_in_order_and_the_return_value_is_the_ack()
    {
        await using var server = await StartAsync(new EventJournal());
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);

        var total = await node.EmitWithAckAsync("a", "add", 2, 3);

        Assert.Equal(5, total!["sum"]!.GetValue<int>());
    }

    [Fact]
    public async Task Scoped_handlers_get_a_fresh_scope_per_event()
    {
        await using var server = await StartAsync(new EventJournal());
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);

        var first = (await node.EmitWithAckAsync("a", "scope-id"))!.GetValue<int>();
        var second = (await node.EmitWithAckAsync("a", "scope-id"))!.GetValue<int>();

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task A_scoped_handler_sees_its_own_scope_as_the_request_services()
    {
        await using var server = await StartAsync(new EventJournal());
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);

        var first = await node.EmitWithAckAsync("a", "scope-of-request-services");
        var second = await node.EmitWithAckAsync("a", "scope-of-request-services");

        Assert.True(first!.GetValue<bool>());
        Assert.True(second!.GetValue<bool>());
    }

    [Fact]
    public async Task An_event_over_the_limit_its_handler_names_is_refused_and_its_handler_does_not_run()
    {
        var journal = new EventJournal();
        await using var server = await StartAsync(journal);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);

        var answers = new List<string>();
        foreach (var choice in new[] { "red", "blue", "green" })
        {
            var answer = await node.EmitWithAckAsync("a", "vote", choice);
            answers.Add(answer is JsonObject refusal ? $"ok={refusal["ok"]}, error={refusal["error"]}" : answer!.GetValue<string>());
        }

        Assert.Equal(["counted", "counted", "ok=false, error=rate limit 'votes' exceeded"], answers);
        Assert.Equal(["vote:red", "vote:blue"], journal.Entries.Where(e => e.StartsWith("vote:", StringComparison.Ordinal)));
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
