using Channels.Diagnostics;
using Channels.Dispatch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Channels.Tests.Dispatch;

/// <summary>
/// Which handlers fire for a channel is resolved once per channel and cached, within a bound, for every
/// kind, including those that concern the socket as a whole ([OnDisconnect], [OnFinish], plain messages).
/// </summary>
public sealed class HandlerCatalogTests
{
    /// <summary>A patterned handler whose matcher counts its calls.</summary>
    private sealed class CountingTable(ChannelEventKind kind, string prefix, Action<ChannelEvent>? seen = null) : IChannelHandlerTable
    {
        public int MatcherCalls;

        public IReadOnlyList<ChannelHandlerDescriptor> Handlers =>
        [
            new(kind, "/", "counted", e =>
            {
                seen?.Invoke(e);
                return ValueTask.FromResult(HandlerResult.Continue);
            }, channel =>
            {
                Interlocked.Increment(ref MatcherCalls);
                return channel.StartsWith(prefix, StringComparison.Ordinal);
            }),
        ];
    }

    [Fact]
    public void The_cache_stops_at_its_limit_and_later_channels_are_still_answered()
    {
        var table = new CountingTable(ChannelEventKind.Message, "room-");
        var handlers = new HandlerCatalog([table], cacheLimit: 3).Find("/")!;
        string[] channels = [.. Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? $"room-{i}" : $"other-{i}")];

        var first = channels.Select(c => handlers.ForChannel(ChannelEventKind.Message, c).Length).ToArray();
        var callsAfterFirstPass = table.MatcherCalls;
        var cachedAgain = channels.Take(3).Select(c => handlers.ForChannel(ChannelEventKind.Message, c).Length).ToArray();
        var callsAfterCachedPass = table.MatcherCalls;
        handlers.ForChannel(ChannelEventKind.Message, channels[9]);

        Assert.Equal([1, 0, 1, 0, 1, 0, 1, 0, 1, 0], first);
        Assert.Equal(10, callsAfterFirstPass);
        Assert.Equal([1, 0, 1], cachedAgain);
        Assert.Equal(10, callsAfterCachedPass);
        Assert.Equal(11, table.MatcherCalls);
        Assert.Equal(3, handlers.CachedCount(ChannelEventKind.Message));
    }

    [Fact]
    public async Task Socket_wide_kinds_test_each_channel_once_and_fire_with_the_first_match()
    {
        var fired = new List<string?>();
        var table = new CountingTable(ChannelEventKind.Finish, "room-", e => fired.Add(e.Channel));
        var services = new ServiceCollection().BuildServiceProvider();
        var dispatcher = new ChannelDispatcher(new HandlerCatalog([table]), new ChannelsLog(NullLogger.Instance), services);
        var socket = new StubSocket(["lobby", "room-2", "room-1"]);

        await dispatcher.FinishAsync(socket);
        var callsAfterFirst = table.MatcherCalls;
        await dispatcher.FinishAsync(socket);

        Assert.Equal(["room-2", "room-2"], fired);
        Assert.Equal(3, callsAfterFirst);
        Assert.Equal(3, table.MatcherCalls);
    }
}

/// <summary>A hand-written table cannot take a reserved channel request as a custom event (the generator refuses it at compile time).</summary>
public sealed class ReservedRequestTests
{
    [Theory]
    [InlineData("presence")]
    [InlineData("subscribe")]
    public void An_event_handler_for_a_reserved_request_fails_the_catalog(string name)
    {
        var table = new HandlerList { { ChannelEventKind.Event, _ => { }, null, "/", name } };

        var error = Assert.Throws<InvalidOperationException>(() => new HandlerCatalog([table]));

        Assert.Contains($"'{name}', a reserved channel request", error.Message, StringComparison.Ordinal);
    }
}
