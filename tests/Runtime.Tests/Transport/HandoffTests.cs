using System.Net;
using System.Security.Cryptography;
using System.Text;
using Channels.Tests.Conformance;
using Channels.Tests.Integration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Tests.Transport;

/// <summary>
/// Issue 18: a WebSocket on a plaintext Kestrel endpoint is taken from Kestrel's HTTP layer once its
/// handshake has gone through the application's pipeline, so that an idle connection holds none of the
/// HTTP objects. Seen from the user's side: the request's feature collection (Kestrel's HTTP/1.1 connection
/// object) is collected while the WebSocket still serves, the pipeline (authorization) still decides the
/// handshake, and a connection that served other requests first is taken the same way.
/// </summary>
public sealed class HandoffTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_served_WebSocket_no_longer_holds_Kestrels_HTTP_objects()
    {
        var (served, collected) = await ServeAndWatchAsync(handoff: true, Patience);

        Assert.True(served);
        Assert.True(collected, "the upgraded request's features are still reachable while the WebSocket is open");
    }

    [Fact]
    public async Task Without_the_handoff_the_WebSocket_is_served_inside_its_request()
    {
        // The same watch, given a second: here the request, and its features, live as long as the WebSocket.
        var (served, collected) = await ServeAndWatchAsync(handoff: false, TimeSpan.FromSeconds(1));

        Assert.True(served);
        Assert.False(collected);
    }

    [Fact]
    public async Task The_handshake_still_goes_through_authorization()
    {
        await using var server = await TestApp.StartWithAuthorizationAsync();
        var uri = new RawClient(server.Address).WebSocketUrl("/socket.io");

        var anonymous = await WsClient.ExpectRefusedOrClosedAsync(uri);
        using var ws = new System.Net.WebSockets.ClientWebSocket();
        ws.Options.SetRequestHeader("X-User", "ada");
        using var timeout = new CancellationTokenSource(Patience);
        await ws.ConnectAsync(uri, timeout.Token);
        var buffer = new byte[1024];
        var open = await ws.ReceiveAsync(buffer, timeout.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
        Assert.StartsWith("0{", Encoding.UTF8.GetString(buffer, 0, open.Count), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handshake_arriving_byte_by_byte_is_still_taken()
    {
        WeakReference? features = null;
        await using var server = await StartWatchedAsync(handoff: true, f => features = f);
        await using var socket = await RawWebSocket.ConnectTcpAsync(server.Address);

        await socket.TrickleAsync(System.Text.Encoding.ASCII.GetBytes(
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
        var (upgrade, _) = await socket.ReadHeadAsync();
        var open = await socket.ReadTextAsync();
        await socket.SendAsync(RawWebSocket.Text("40"));
        var connected = await socket.ReadTextAsync();

        Assert.StartsWith("HTTP/1.1 101", upgrade, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", upgrade, StringComparison.Ordinal);
        Assert.StartsWith("0{", open, StringComparison.Ordinal);
        Assert.StartsWith("40{", connected, StringComparison.Ordinal);
        Assert.True(await CollectedAsync(features!, Patience));
    }

    [Fact]
    public async Task A_WebSocket_after_other_requests_on_its_connection_is_served_in_place()
    {
        WeakReference? features = null;
        await using var server = await StartWatchedAsync(handoff: true, f => features = f);
        await using var socket = await RawWebSocket.ConnectTcpAsync(server.Address);

        // Two ordinary requests first: the connection was not a WebSocket handshake when it opened.
        for (var i = 0; i < 2; i++)
        {
            await socket.WriteTextAsync("GET /socket.io/channels.d.ts HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            var (head, length) = await socket.ReadHeadAsync();
            Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
            await socket.Stream.ReadExactlyAsync(new byte[length], socket.Token);
        }

        var (upgrade, key) = await socket.HandshakeAsync();
        var open = await socket.ReadTextAsync();
        await socket.SendAsync(RawWebSocket.Text("40"));
        var connected = await socket.ReadTextAsync();
        await socket.SendAsync(RawWebSocket.Text("421[\"echo\",\"hi\"]"));
        var ack = await socket.ReadTextAsync();

        Assert.StartsWith("HTTP/1.1 101", upgrade, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: " + Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))), upgrade, StringComparison.Ordinal);
        Assert.StartsWith("0{", open, StringComparison.Ordinal);
        Assert.StartsWith("40{", connected, StringComparison.Ordinal);
        Assert.Equal("431[\"hi\"]", ack);
        Assert.False(await CollectedAsync(features!, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Where_Kestrel_bounds_upgraded_connections_WebSockets_stay_in_their_requests()
    {
        WeakReference? features = null;
        await using var server = await StartWatchedAsync(
            handoff: true,
            f => features = f,
            s => s.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxConcurrentUpgradedConnections = 1_000));
        await using var socket = await WsClient.ConnectAsync(new RawClient(server.Address).WebSocketUrl("/socket.io"));

        Assert.StartsWith("0{", await socket.ReceiveTextAsync(), StringComparison.Ordinal);
        Assert.False(await CollectedAsync(features!, TimeSpan.FromSeconds(1)));
    }

    /// <summary>A server whose WebSocket requests leave a weak reference to their feature collection (Kestrel's HTTP/1.1 connection object).</summary>
    private static Task<TestServer> StartWatchedAsync(bool handoff, Action<WeakReference> watch, Action<IServiceCollection>? services = null) =>
        TestServer.StartAsync(
            TestApp.Handlers(),
            configure: o => o.WebSocketHandoff = handoff,
            services: services,
            map: app =>
            {
                app.Use((http, next) =>
                {
                    if (http.Request.Query["transport"] == "websocket")
                    {
                        watch(new WeakReference(http.Features));
                    }

                    return next(http);
                });
                app.MapChannels();
            });

    /// <summary>
    /// Connects a WebSocket client, connects the namespace and echoes an event, keeping a weak reference to
    /// the upgraded request's feature collection (Kestrel's HTTP/1.1 connection object) taken by a middleware.
    /// </summary>
    private static async Task<(bool Served, bool Collected)> ServeAndWatchAsync(bool handoff, TimeSpan patience)
    {
        WeakReference? features = null;
        await using var server = await StartWatchedAsync(handoff, f => features = f);
        await using var socket = await WsClient.ConnectAsync(new RawClient(server.Address).WebSocketUrl("/socket.io"));
        Assert.StartsWith("0{", await socket.ReceiveTextAsync(), StringComparison.Ordinal);
        await socket.SendTextAsync("40");
        Assert.StartsWith("40{", await socket.ReceiveTextAsync(), StringComparison.Ordinal);

        await socket.SendTextAsync("421[\"echo\",\"before\"]");
        var before = await socket.ReceiveTextAsync();
        var collected = await CollectedAsync(features!, patience);
        await socket.SendTextAsync("422[\"echo\",\"after\"]");
        var after = await socket.ReceiveTextAsync();

        return (before == "431[\"before\"]" && after == "432[\"after\"]", collected);
    }

    /// <summary>Collects until the target is gone (the HTTP layer ends just after the handshake), within the patience.</summary>
    private static async Task<bool> CollectedAsync(WeakReference target, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            if (!target.IsAlive)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }
}
