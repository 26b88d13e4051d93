using Channels.Dispatch;
using Microsoft.AspNetCore.Http;

namespace Channels.Tests.Sockets;

/// <summary>
/// The request copied at connect (issue 18: kept compactly, its <see cref="HttpContext"/> built when first
/// read) reads as the request did: path, query, headers, connection, an anonymous user; the same context
/// on every read.
/// </summary>
public sealed class RequestCopyTests
{
    [Fact]
    public async Task A_handler_reads_the_request_that_opened_the_connection()
    {
        HttpContext? first = null;
        var table = new HandlerList
        {
            new ChannelHandlerDescriptor(
                ChannelEventKind.Event,
                "/",
                "Who",
                e =>
                {
                    var http = e.Socket.HttpContext;
                    var same = first is null || ReferenceEquals(first, http);
                    first ??= http;
                    var request = http.Request;
                    var seen = string.Join('|',
                        request.Method,
                        request.Path.Value,
                        request.Query["EIO"].ToString(),
                        request.Headers["X-Probe"].ToString(),
                        request.Headers.Host.ToString().StartsWith("127.0.0.1:", StringComparison.Ordinal),
                        http.Connection.RemoteIpAddress?.ToString(),
                        http.User.Identity?.IsAuthenticated,
                        same,
                        ReferenceEquals(http.RequestServices, e.Services));
                    return ValueTask.FromResult(HandlerResult.Ack(seen));
                },
                null,
                eventName: "who"),
        };
        await using var server = await TestServer.StartAsync(table);
        var uri = new UriBuilder(server.Address) { Scheme = "ws", Path = "/socket.io/", Query = "EIO=4&transport=websocket" }.Uri;
        using var ws = new System.Net.WebSockets.ClientWebSocket();
        ws.Options.SetRequestHeader("X-Probe", "probe-value");
        await ws.ConnectAsync(uri, CancellationToken.None);
        var socket = new WsClientAdapter(ws);
        Assert.StartsWith("0{", await socket.ReceiveAsync(), StringComparison.Ordinal);
        await socket.SendAsync("40");
        Assert.StartsWith("40{", await socket.ReceiveAsync(), StringComparison.Ordinal);

        await socket.SendAsync("421[\"who\"]");
        var firstAck = await socket.ReceiveAsync();
        await socket.SendAsync("422[\"who\"]");
        var secondAck = await socket.ReceiveAsync();

        Assert.Equal("431[\"GET|/socket.io/|4|probe-value|True|127.0.0.1|False|True|True\"]", firstAck);
        Assert.Equal("432[\"GET|/socket.io/|4|probe-value|True|127.0.0.1|False|True|True\"]", secondAck);
    }

    /// <summary>Text frames in and out of a plain <see cref="System.Net.WebSockets.ClientWebSocket"/> (one that sends a header of the test's).</summary>
    private sealed class WsClientAdapter(System.Net.WebSockets.ClientWebSocket socket)
    {
        public Task SendAsync(string text) =>
            socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(text), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);

        public async Task<string> ReceiveAsync()
        {
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            return System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count);
        }
    }
}
