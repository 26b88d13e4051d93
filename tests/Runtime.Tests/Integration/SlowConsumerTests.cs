using System.Net.WebSockets;
using System.Text;
using Channels.Dispatch;

namespace Channels.Tests.Integration;

/// <summary>A client that stops reading is disconnected when its outbound queue is full; others carry on.</summary>
public sealed class SlowConsumerTests
{
    /// <summary>
    /// Either bound trips: the byte bound with large messages, the packet bound with small ones (its byte
    /// bound then out of reach: 64 packets of 4 KB).
    /// </summary>
    [Theory]
    [InlineData(64 * 1024, 2000, 2L * 1024 * 1024)]
    [InlineData(4 * 1024, 20_000, 1L << 30)]
    public async Task Client_that_stops_reading_is_disconnected_and_others_carry_on(int messageSize, int messages, long maxBytes)
    {
        var finished = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            var chunk = new string('x', messageSize);
            for (var i = 0; i < messages && !e.CancellationToken.IsCancellationRequested; i++)
            {
                await e.Socket.SendAsync(chunk);
            }

            return HandlerResult.Continue;
        }, eventName: "flood");
        handlers.Add(ChannelEventKind.Event, e => ValueTask.FromResult(HandlerResult.Ack(e.Payload)), eventName: "echo");
        handlers.Add(ChannelEventKind.Finish, e => finished.TrySetResult(e.Socket.Id));
        await using var server = await TestServer.StartAsync(handlers, configure: o =>
        {
            o.MaxOutboundPackets = 64;
            o.MaxOutboundBytes = maxBytes;
        });
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("healthy", server.Address, options: new { transports = new[] { "websocket" } });

        using var slow = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await slow.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Address.Port}/socket.io/?EIO=4&transport=websocket"), timeout.Token);
        var buffer = new byte[4096];
        await slow.ReceiveAsync(buffer, timeout.Token);
        await slow.SendAsync(Encoding.UTF8.GetBytes("40"), WebSocketMessageType.Text, true, timeout.Token);
        var connect = await slow.ReceiveAsync(buffer, timeout.Token);
        var slowId = System.Text.Json.JsonDocument.Parse(buffer.AsMemory(2, connect.Count - 2)).RootElement.GetProperty("sid").GetString();

        await slow.SendAsync(Encoding.UTF8.GetBytes("42[\"flood\"]"), WebSocketMessageType.Text, true, timeout.Token);
        var dropped = await finished.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(slowId, dropped);
        Assert.Equal("still here", (await node.EmitWithAckAsync("healthy", "echo", "still here"))!.GetValue<string>());
    }
}
