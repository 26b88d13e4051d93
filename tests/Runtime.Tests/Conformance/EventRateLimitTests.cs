using Channels.Dispatch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Channels.Tests.Conformance;

/// <summary>
/// The named per-event limits (<see cref="ChannelsOptions.EventRateLimits"/>, named by <c>RateLimit</c> on
/// <c>[OnEvent]</c> and <c>[OnMessage]</c>), driven over a real WebSocket with the clock in the test's hand.
/// </summary>
public sealed class EventRateLimitTests
{
    // As it is on the wire: System.Text.Json's default encoder escapes the quotes around the name.
    private const string Refused = "{\"ok\":false,\"error\":\"rate limit \\u0027moderation\\u0027 exceeded\"}";

    private readonly FakeTimeProvider _time = new();
    private readonly List<string> _ran = [];

    private HandlerList Handlers()
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-");
        handlers.Add(new ChannelHandlerDescriptor(ChannelEventKind.Event, "/", "Kick", e => Run("kick", HandlerResult.Ack(e.Payload.GetString(0))), eventName: "kick") { RateLimit = "moderation" });
        handlers.Add(new ChannelHandlerDescriptor(ChannelEventKind.Event, "/", "Ban", e => Run("ban", HandlerResult.Ack("banned")), eventName: "ban") { RateLimit = "moderation" });
        handlers.Add(ChannelEventKind.Event, e => Run("echo", HandlerResult.Ack(e.Payload.GetString(0))), eventName: "echo");
        handlers.Add(new ChannelHandlerDescriptor(ChannelEventKind.Message, "/", "Slow", e => Run("slow " + e.Channel, HandlerResult.Continue), new System.Text.RegularExpressions.Regex("^room-slow").IsMatch) { RateLimit = "moderation" });
        handlers.Add(ChannelEventKind.Message, e => Run("any " + e.Channel, HandlerResult.Continue));
        return handlers;
    }

    private ValueTask<HandlerResult> Run(string what, HandlerResult result)
    {
        lock (_ran)
        {
            _ran.Add(what);
        }

        return ValueTask.FromResult(result);
    }

    private Task<TestServer> StartAsync(int maxRefusals = 100) => TestServer.StartAsync(
        Handlers(),
        configure: o =>
        {
            RawClient.DefaultTimings(o);
            o.EventRateLimits["moderation"] = new EventRateLimit { PermitsPerSecond = 1, Burst = 2, MaxRefusalsInARow = maxRefusals };
        },
        services: s => s.AddSingleton<TimeProvider>(_time));

    [Fact]
    public async Task Events_over_their_named_limit_are_refused_in_the_ack_and_run_no_handler_until_permits_come_back()
    {
        await using var server = await StartAsync();
        using var client = new RawClient(server.Address);
        await using var socket = await ConnectAsync(client);

        var answers = new List<string>();
        foreach (var (id, packet) in new[] { (1, "[\"kick\",\"ann\"]"), (2, "[\"ban\"]"), (3, "[\"kick\",\"bob\"]"), (4, "[\"echo\",\"free\"]") })
        {
            await socket.SendTextAsync($"42{id}{packet}");
            answers.Add(await socket.ReceivePacketAsync());
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        await socket.SendTextAsync("425[\"kick\",\"cat\"]");
        answers.Add(await socket.ReceivePacketAsync());

        // kick and ban share "moderation" (burst 2); echo names no limit; a second gives one permit back.
        Assert.Equal(["431[\"ann\"]", "432[\"banned\"]", $"433[{Refused}]", "434[\"free\"]", "435[\"cat\"]"], answers);
        Assert.Equal(["kick", "ban", "echo", "kick"], _ran);
    }

    [Fact]
    public async Task Messages_are_charged_to_the_limits_of_the_handlers_that_would_receive_them()
    {
        await using var server = await StartAsync();
        using var client = new RawClient(server.Address);
        await using var socket = await ConnectAsync(client);
        foreach (var (id, channel) in new[] { (1, "room-slow"), (2, "room-fast") })
        {
            await socket.SendTextAsync($"42{id}[\"subscribe\",\"{channel}\"]");
            Assert.Equal($"43{id}[{{\"ok\":true}}]", await socket.ReceivePacketAsync());
        }

        var answers = new List<string>();
        for (var i = 3; i <= 5; i++)
        {
            await socket.SendTextAsync($"42{i}[\"publish\",\"room-slow\",{i}]");
            answers.Add(await socket.ReceivePacketAsync());
        }

        await socket.SendTextAsync("426[\"publish\",\"room-fast\",6]");
        answers.Add(await socket.ReceivePacketAsync());

        // A plain message reaches every [OnMessage] handler once, "Slow" (limited) among them: refused whole.
        await socket.SendTextAsync("427[\"message\",7]");
        answers.Add(await socket.ReceivePacketAsync());

        Assert.Equal(["433[{\"ok\":true}]", "434[{\"ok\":true}]", $"435[{Refused}]", "436[{\"ok\":true}]", $"437[{Refused}]"], answers);
        Assert.Equal(["slow room-slow", "any room-slow", "slow room-slow", "any room-slow", "any room-fast"], _ran);
    }

    [Fact]
    public async Task A_client_that_keeps_sending_while_refused_is_disconnected()
    {
        await using var server = await StartAsync(maxRefusals: 3);
        using var client = new RawClient(server.Address);
        await using var socket = await ConnectAsync(client);
        await using var other = await ConnectAsync(client);

        for (var i = 0; i < 2 + 3; i++)
        {
            await socket.SendTextAsync("42[\"kick\",\"x\"]");
        }

        // Two pass, three are refused and tolerated; the next refusal is one too many.
        await socket.SendTextAsync("42[\"kick\",\"x\"]");
        await socket.WaitForCloseAsync();

        // Limits are per connection: the other client still has its own permits.
        await other.SendTextAsync("421[\"kick\",\"still\"]");
        Assert.Equal("431[\"still\"]", await other.ReceivePacketAsync());
    }

    [Fact]
    public async Task A_handler_naming_a_limit_the_app_does_not_configure_fails_the_start()
    {
        var handlers = new HandlerList
        {
            new ChannelHandlerDescriptor(ChannelEventKind.Event, "/", "App.Kick", _ => ValueTask.FromResult(HandlerResult.Continue), eventName: "kick") { RateLimit = "moderaton" },
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync(handlers));

        Assert.Contains("App.Kick names rate limit 'moderaton'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_out_of_range_fail_the_start_naming_each_setting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(configure: o =>
        {
            o.EventRateLimits["chat"] = new EventRateLimit { PermitsPerSecond = 0, Burst = 0 };
            o.EventRateLimits[" "] = new EventRateLimit();
        }));

        Assert.Equal(
            [
                "ChannelsOptions.EventRateLimits[\"chat\"].PermitsPerSecond must be a number more than zero; it is 0.",
                "ChannelsOptions.EventRateLimits[\"chat\"].Burst must be at least 1; it is 0.",
                "ChannelsOptions.EventRateLimits[\" \"] needs a non-empty name and a limit.",
            ],
            failure.Failures);
    }

    private static async Task<WsClient> ConnectAsync(RawClient client)
    {
        var (socket, _) = await client.OpenWebSocketAsync("/socket.io");
        await socket.SendTextAsync("40");
        Assert.StartsWith("40{", await socket.ReceivePacketAsync(), StringComparison.Ordinal);
        return socket;
    }
}
