using System.Net.WebSockets;
using System.Text;
using Channels.Dispatch;

namespace Channels.Tests.Integration;

/// <summary>A broadcast leaves its sender out even while the sender's [OnConnect] still runs.</summary>
public sealed class BroadcastExceptTests
{
    [Fact]
    public async Task A_broadcast_from_OnConnect_skips_the_socket_that_sent_it()
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Connect, async e =>
        {
            await e.Socket.SubscribeAsync("room-1");
            await e.Socket.Others.Channel("room-1").SendAsync("hello");
            return HandlerResult.Continue;
        });
        handlers.Add(ChannelEventKind.Event, e => ValueTask.FromResult(HandlerResult.Ack("pong")), eventName: "ping");
        await using var server = await TestServer.StartAsync(handlers);

        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Address.Port}/socket.io/?EIO=4&transport=websocket"), timeout.Token);
        await ReceiveAsync(client, timeout.Token);
        await client.SendAsync("40"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        Assert.StartsWith("40", await ReceiveAsync(client, timeout.Token), StringComparison.Ordinal);

        // Packets sent during [OnConnect] follow the CONNECT reply; had the broadcast reached its sender,
        // it would come before this ack.
        await client.SendAsync("421[\"ping\"]"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        Assert.Equal("431[\"pong\"]", await ReceiveAsync(client, timeout.Token));
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var result = await client.ReceiveAsync(buffer, cancellationToken);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
