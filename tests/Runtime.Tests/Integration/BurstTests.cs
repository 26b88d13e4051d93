using System.Net.WebSockets;
using System.Text;
using Channels.Dispatch;

namespace Channels.Tests.Integration;

/// <summary>
/// A burst of packets to one client, which the WebSocket writer sends in gathered batches: every packet
/// arrives, whole and in order, binary attachments right after their packet, and the connection carries on.
/// </summary>
public sealed class BurstTests
{
    [Fact]
    public async Task A_burst_of_messages_with_binary_arrives_whole_and_in_order()
    {
        const int Count = 3000;
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            for (var i = 0; i < Count; i++)
            {
                if (i % 100 == 0)
                {
                    await e.Socket.EmitAsync("bin", i, new byte[] { (byte)(i / 100) });
                }
                else
                {
                    await e.Socket.SendAsync(i);
                }
            }

            return HandlerResult.Ack("done");
        }, eventName: "burst");
        await using var server = await TestServer.StartAsync(handlers, configure: o => o.MaxOutboundPackets = 2 * Count);

        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Address.Port}/socket.io/?EIO=4&transport=websocket"), timeout.Token);
        await ReceiveAsync(client, timeout.Token);
        await client.SendAsync("40"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        Assert.StartsWith("40", (await ReceiveAsync(client, timeout.Token)).Text, StringComparison.Ordinal);

        await client.SendAsync("421[\"burst\"]"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        for (var i = 0; i < Count; i++)
        {
            var frame = await ReceiveAsync(client, timeout.Token);
            if (i % 100 == 0)
            {
                Assert.Equal($"451-[\"bin\",{i},{{\"_placeholder\":true,\"num\":0}}]", frame.Text);
                var attachment = await ReceiveAsync(client, timeout.Token);
                Assert.Equal(WebSocketMessageType.Binary, attachment.Type);
                Assert.Equal([(byte)(i / 100)], attachment.Bytes);
            }
            else
            {
                Assert.Equal($"42[\"message\",{i}]", frame.Text);
            }
        }

        Assert.Equal("431[\"done\"]", (await ReceiveAsync(client, timeout.Token)).Text);
    }

    private static async Task<(string Text, byte[] Bytes, WebSocketMessageType Type)> ReceiveAsync(ClientWebSocket client, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await client.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), cancellationToken);
            length += result.Count;
        }
        while (!result.EndOfMessage);

        var bytes = buffer[..length];
        return (Encoding.UTF8.GetString(bytes), bytes, result.MessageType);
    }
}
