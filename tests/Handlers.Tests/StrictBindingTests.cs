using System.Text.Json.Nodes;
using Channels.Tests;
using Channels.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Handlers.Tests;

/// <summary>
/// Strict binding, driven by the stock socket.io-client against generated handlers: an argument binds only
/// when its JSON kind fits the parameter; anything else is an error ack that says which argument and why,
/// and an [OnError] — never a coerced value, a null where none is allowed, or an empty ack.
/// </summary>
public sealed class StrictBindingTests
{
    private static readonly object WebSocketOnly = new { transports = new[] { "websocket" } };

    private static Task<TestServer> StartAsync(EventJournal journal) => TestServer.StartAsync(
        configure: o =>
        {
            o.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, HandlersJson.Default);
            o.EventRateLimits["votes"] = new EventRateLimit { PermitsPerSecond = 1, Burst = 2 };
        },
        services: s =>
        {
            s.AddSingleton(journal);
            s.AddScoped<ScopedCounter>();
        });

    public static TheoryData<string, JsonNode?[], string> Mistakes => new()
    {
        { "kick", [42], "argument 0: expected a string, got a number" },
        { "kick", [new JsonObject { ["name"] = "x" }], "argument 0: expected a string, got an object" },
        { "kick", [true], "argument 0: expected a string, got a boolean" },
        { "kick", [null], "argument 0: null, but the parameter is not nullable" },
        { "kick", [], "argument 0: missing" },
        { "line", [null], "argument 0: null, but the parameter is not nullable" },
        { "line", ["just text"], "argument 0: not a valid ChatLine:" },
        { "count", ["42"], "argument 0: not a valid Int32:" },
        { "count", [null], "argument 0: not a valid Int32:" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task An_argument_that_does_not_fit_is_an_error_ack_naming_it_and_an_OnError(string @event, JsonNode?[] args, string error)
    {
        var journal = new EventJournal();
        await using var server = await StartAsync(journal);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);

        var ack = await node.EmitWithAckAsync("a", @event, args);

        Assert.False(ack!["ok"]!.GetValue<bool>());
        Assert.StartsWith(error, ack["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(ack["error"]!.GetValue<string>().Length <= 200);
        await journal.WaitForAsync($"strict-error:ChannelProtocolException:{error}", prefix: true);
    }

    [Fact]
    public async Task Arguments_that_fit_bind_and_null_reaches_only_a_nullable_parameter()
    {
        var journal = new EventJournal();
        await using var server = await StartAsync(journal);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);

        Assert.Equal("kicked ada", (await node.EmitWithAckAsync("a", "kick", "ada"))!.GetValue<string>());
        Assert.Equal("(none)", (await node.EmitWithAckAsync("a", "maybe", [null]))!.GetValue<string>());
        Assert.Equal("hi", (await node.EmitWithAckAsync("a", "line", new JsonObject { ["name"] = "ada", ["text"] = "hi" }))!.GetValue<string>());
        Assert.Equal(7, (await node.EmitWithAckAsync("a", "count", 7))!.GetValue<int>());
        Assert.DoesNotContain(journal.Entries, e => e.StartsWith("strict-error:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_is_acked_with_an_error_when_its_argument_does_not_bind_or_its_handler_fails()
    {
        var journal = new EventJournal();
        await using var server = await StartAsync(journal);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        await node.EmitWithAckAsync("a", "subscribe", "strict-1");

        var unbound = await node.EmitWithAckAsync("a", "publish", "strict-1", 42);
        Assert.Equal("""{"ok":false,"error":"argument 0: expected a string, got a number"}""", unbound!.ToJsonString());
        await journal.WaitForAsync("strict-error:ChannelProtocolException:argument 0: expected a string, got a number");

        // The handler's own failure: the detail goes to [OnError] and the log, the client gets a generic text.
        var failed = await node.EmitWithAckAsync("a", "publish", "strict-1", "explode");
        Assert.Equal("""{"ok":false,"error":"internal server error"}""", failed!.ToJsonString());
        await journal.WaitForAsync("strict-error:InvalidOperationException:exploded");

        var fine = await node.EmitWithAckAsync("a", "publish", "strict-1", "fine");
        Assert.Equal("""{"ok":true}""", fine!.ToJsonString());
        await journal.WaitForAsync("strict:fine");
    }

    [Fact]
    public async Task Binary_sent_where_a_record_is_expected_is_refused_not_bound_as_an_empty_record()
    {
        var journal = new EventJournal();
        await using var server = await StartAsync(journal);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);

        var ack = await node.EmitWithAckAsync("a", "line", new JsonObject { ["$binary"] = Convert.ToBase64String([1, 2, 3]) });

        Assert.False(ack!["ok"]!.GetValue<bool>());
        Assert.StartsWith("argument 0: not a valid ChatLine:", ack["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
