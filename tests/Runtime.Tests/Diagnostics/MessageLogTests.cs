using Channels.Dispatch;
using Channels.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Channels.Tests.Diagnostics;

/// <summary>The message log, driven by the stock socket.io-client: a line per message in and out, payloads only when asked.</summary>
public sealed class MessageLogTests
{
    private static readonly object WebSocketOnly = new { transports = new[] { "websocket" } };
    private const string Format = "{Direction}|{Namespace}|{Socket}|{Event}|{Channel}|{Size}|{Recipients}|{Payload}";

    private static HandlerList Handlers()
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Message, async e =>
        {
            await e.Socket.Everyone.Channel(e.Channel!).SendAsync(e.Payload.GetElement(0));
            return HandlerResult.Continue;
        }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            await e.Socket.EmitAsync("pong", "back to you");
            return HandlerResult.Continue;
        }, eventName: "ping");
        return handlers;
    }

    private static string[] Lines(LogCapture logs) => [.. logs.Lines.Select(l => l.Message).Where(m => m.StartsWith("in|", StringComparison.Ordinal) || m.StartsWith("out|", StringComparison.Ordinal))];

    [Fact]
    public async Task Each_message_in_and_out_is_a_line_and_a_broadcast_is_one_line_with_its_recipients()
    {
        var logs = new LogCapture();
        await using var server = await TestServer.StartAsync(
            Handlers(),
            o => o.MessageLog = new MessageLogOptions { Format = Format },
            services: s => s.AddSingleton<ILoggerProvider>(logs));
        await using var node = NodeClients.Start();
        var a = await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        var b = await node.ConnectedAsync("b", server.Address, options: WebSocketOnly);
        await node.EmitWithAckAsync("a", "subscribe", "room-1");
        await node.EmitWithAckAsync("b", "subscribe", "room-1");
        await node.EmitWithAckAsync("a", "publish", "room-1", "hello");
        await node.WaitAsync("b", "event", "message");
        await node.EmitAsync("a", "ping");
        await node.WaitAsync("a", "event", "pong");

        var lines = Lines(logs);
        Assert.Contains(lines, l => l.StartsWith($"in|/|{a}|subscribe||", StringComparison.Ordinal) && l.EndsWith("|1|", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"in|/|{a}|publish|room-1|", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("out|/|channel|message|room-1|", StringComparison.Ordinal) && l.EndsWith("|2|", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"in|/|{a}|ping|", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"out|/|{a}|pong||", StringComparison.Ordinal) && l.EndsWith("|1|", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("hello", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith($"in|/|{b}|publish", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Payloads_are_logged_only_when_asked_and_cut_to_the_limit()
    {
        var logs = new LogCapture();
        await using var server = await TestServer.StartAsync(
            Handlers(),
            o => o.MessageLog = new MessageLogOptions { Format = "{Direction} {Event} {Payload}", IncludePayload = true, MaxPayloadChars = 12 },
            services: s => s.AddSingleton<ILoggerProvider>(logs));
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        await node.EmitWithAckAsync("a", "subscribe", "room-1");
        await node.EmitWithAckAsync("a", "publish", "room-1", "a rather long message");
        await node.WaitAsync("a", "event", "message");

        var messages = logs.Lines.Select(l => l.Message).ToArray();
        Assert.Contains("""in publish ["room-1","a…""", messages);
        Assert.Contains("""out message ["message","…""", messages);
    }

    [Fact]
    public async Task Off_by_default_and_an_unknown_placeholder_stops_the_app_at_start()
    {
        var logs = new LogCapture();
        await using (var server = await TestServer.StartAsync(Handlers(), services: s => s.AddSingleton<ILoggerProvider>(logs)))
        {
            await using var node = NodeClients.Start();
            await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
            await node.EmitWithAckAsync("a", "subscribe", "room-1");
        }

        Assert.DoesNotContain(logs.Lines, l => l.Message.Contains("subscribe", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestServer.StartAsync(Handlers(), o => o.MessageLog = new MessageLogOptions { Format = "{Direction} {Who}" }));
        Assert.Contains("unknown placeholder '{Who}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_publish_whose_channel_is_not_valid_text_is_logged_and_refused_as_without_the_log()
    {
        var logs = new LogCapture();
        await using var server = await TestServer.StartAsync(
            Handlers(),
            o => o.MessageLog = new MessageLogOptions { Format = Format },
            services: s => s.AddSingleton<ILoggerProvider>(logs));
        using var raw = new Conformance.RawClient(server.Address);
        var (client, _) = await raw.OpenWebSocketAsync("/socket.io");
        await using var _ = client;
        await client.SendTextAsync("40");
        await client.ReceivePacketAsync();

        // An escaped lone surrogate is valid JSON but no text: the log must not be what fails on it.
        await client.SendTextAsync("""421["publish","\udc00","x"]""");

        Assert.Equal("""431[{"ok":false,"error":"publish needs a channel name"}]""", await client.ReceivePacketAsync());
        Assert.Contains(Lines(logs), l => l.StartsWith("in|/|", StringComparison.Ordinal) && l.Contains("|publish||", StringComparison.Ordinal));
    }
}
