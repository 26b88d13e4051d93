using System.Collections.Concurrent;
using Channels.Dispatch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Channels.Tests.Integration;

/// <summary>An [OnEvent] result that cannot be serialized still answers the client, with an error ack, not a timeout.</summary>
public sealed class AckEncodingTests
{
    /// <summary>Declared by no JsonSerializerContext of the test server's options.</summary>
    private sealed record Undeclared(int Value);

    [Fact]
    public async Task Ack_value_the_json_options_cannot_serialize_is_answered_with_an_error_ack()
    {
        var errors = new ConcurrentQueue<Exception>();
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Event, _ => ValueTask.FromResult(HandlerResult.Ack(new Undeclared(1))), eventName: "bad");
        handlers.Add(ChannelEventKind.Event, _ => ValueTask.FromResult(HandlerResult.Ack(2)), eventName: "good");
        handlers.Add(ChannelEventKind.Error, e => errors.Enqueue(e.Exception!));
        var logs = new LogCapture();
        await using var server = await TestServer.StartAsync(handlers, services: s => s.AddSingleton<ILoggerProvider>(logs));
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: new { transports = new[] { "websocket" } });

        var ack = await node.EmitWithAckAsync("a", "bad");

        Assert.Equal("""{"ok":false,"error":"internal server error"}""", ack!.ToJsonString());
        Assert.IsType<NotSupportedException>(Assert.Single(errors));
        var line = Assert.Single(logs.Lines, l => l.Message.Contains("could not be serialized", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains("Undeclared", line.Message, StringComparison.Ordinal);

        // The connection goes on: the next event is answered with its value.
        Assert.Equal(2, (await node.EmitWithAckAsync("a", "good"))!.GetValue<int>());
    }
}
