using System.Net;
using System.Text;
using Channels.Conformance;
using Channels.Dispatch;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Tests.Conformance;

/// <summary>
/// What one hostile client can cost the server (issue 12): each hole ends in a clear refusal or a close
/// of that client's session, and nothing else is disturbed.
/// </summary>
public sealed class HostileClientTests
{
    private const string Echo = "/engine.io";
    private const string Path = "/socket.io";

    /// <summary>The conformance host with socket.io's default timings and a probe to hold requests.</summary>
    private static async Task<(TestServer Server, RawClient Client)> StartAsync(Action<ChannelsOptions>? configure = null)
    {
        var probe = new RequestProbe();
        var server = await RawClient.StartConformanceServerAsync(probe, options =>
        {
            RawClient.DefaultTimings(options);
            configure?.Invoke(options);
        });
        return (server, new RawClient(server.Address, probe));
    }

    // ---- upgrade: one reader of the outbound queue, always ----

    [Fact]
    public async Task A_poll_left_open_after_the_probe_is_ended_by_the_upgrade()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var sid = await client.OpenPollingSessionAsync(Echo);
        await using var socket = await WsClient.ConnectAsync(client.WebSocketUrl(Echo, sid));
        await socket.SendTextAsync("2probe");
        Assert.Equal("3probe", await socket.ReceiveTextAsync());
        Assert.Equal((HttpStatusCode.OK, "6"), await client.PollAsync(Echo, sid));

        var stale = await client.StartPollAsync(Echo, sid);
        await socket.SendTextAsync("5");
        await socket.SendTextAsync("4hello");

        Assert.Equal((HttpStatusCode.OK, "6"), await stale.Response.WaitAsync(RawClient.Timeout));
        Assert.Equal("4hello", await socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task Upgrade_without_a_probe_is_refused_and_polling_goes_on()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var sid = await client.OpenPollingSessionAsync(Echo);
        await using var socket = await WsClient.ConnectAsync(client.WebSocketUrl(Echo, sid));

        await socket.SendTextAsync("5");
        await socket.WaitForCloseAsync();
        var posted = await client.PostAsync(Echo, sid, "4still polling");
        var polled = await client.PollAsync(Echo, sid);

        Assert.Equal((HttpStatusCode.OK, "ok"), posted);
        Assert.Equal((HttpStatusCode.OK, "4still polling"), polled);
    }

    // ---- text a decoder cannot turn into a string ----

    // Over WebSocket, an event name that is not valid text closes the session like any malformed packet:
    // BadInputTests.Malformed_socket_io_packet_closes_the_connection has those cases.

    [Fact]
    public async Task An_event_name_with_a_lone_surrogate_over_polling_is_no_500_and_the_session_ends()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var sid = await client.OpenPollingSessionAsync(Path);
        Assert.Equal((HttpStatusCode.OK, "ok"), await client.PostAsync(Path, sid, "40"));

        var (status, _) = await client.PostAsync(Path, sid, "42[\"\\udc00\"]");
        var (after, _) = await client.PollAsync(Path, sid);

        // As for any invalid Socket.IO packet: the Engine.IO body was valid ("ok"), the session is closed.
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.BadRequest, after);
    }

    [Fact]
    public async Task A_channel_name_with_a_lone_surrogate_is_refused_with_an_ack()
    {
        var (server, client) = await StartAsync(o => o.AllowUndeclaredChannels = true);
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendTextAsync("421[\"subscribe\",\"room-\\udc00\"]");
        var ack = await socket.ReceivePacketAsync();
        await socket.SendTextAsync("422[\"subscribe\",\"room-1\"]");

        Assert.StartsWith("431[{\"ok\":false,\"error\":", ack, StringComparison.Ordinal);
        Assert.Equal("432[{\"ok\":true}]", await socket.ReceivePacketAsync());
    }

    // ---- refusals answer with a bounded prefix of what the client sent ----

    [Theory]
    [InlineData("421[\"publish\",\"{0}\",\"x\"]")]
    [InlineData("421[\"unsubscribe\",\"{0}\"]")]
    [InlineData("421[\"{0}\"]")]
    public async Task A_refusal_never_echoes_more_than_a_short_prefix_of_a_huge_name(string template)
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();
        var name = new string('n', 500_000);

        await socket.SendTextAsync(template.Replace("{0}", name, StringComparison.Ordinal));
        var ack = await socket.ReceivePacketAsync();

        Assert.StartsWith("431[{\"ok\":false,\"error\":", ack, StringComparison.Ordinal);
        Assert.True(ack.Length < 300, $"the refusal is {ack.Length} characters long");
    }

    // ---- polling responses ----

    [Fact]
    public async Task Polling_responses_tell_browsers_not_to_sniff_their_type()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;

        using var response = await client.Http.GetAsync(RawClient.PollingUrl(Echo));

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    // ---- memory a client can pin without connecting ----

    [Fact]
    public async Task One_address_cannot_hold_more_unconnected_sessions_than_its_cap()
    {
        var (server, client) = await StartAsync(o => o.MaxUnconnectedSessionsPerAddress = 2);
        await using var _ = server;
        using var __ = client;
        var first = await client.OpenPollingSessionAsync(Path);
        await client.OpenPollingSessionAsync(Path);

        var (refused, body) = await client.GetAsync(RawClient.PollingUrl(Path));
        var refusedWebSocket = await WsClient.ExpectRefusedOrClosedAsync(client.WebSocketUrl(Path));
        Assert.Equal((HttpStatusCode.OK, "ok"), await client.PostAsync(Path, first, "40"));

        // The POST is answered when the packet is taken; the CONNECT runs on the connection's loop after it.
        // Its reply, read here, says the session is connected (and no longer counts as unconnected).
        Assert.StartsWith("40{", (await client.PollAsync(Path, first)).Body, StringComparison.Ordinal);
        var (afterConnect, _) = await client.GetAsync(RawClient.PollingUrl(Path));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused);
        Assert.Contains("Too many sessions", body, StringComparison.Ordinal);
        Assert.True(refusedWebSocket is null or HttpStatusCode.TooManyRequests, $"refused with {refusedWebSocket}");
        Assert.Equal(HttpStatusCode.OK, afterConnect);
    }

    [Fact]
    public async Task A_session_that_ends_unconnected_frees_its_place()
    {
        var (server, client) = await StartAsync(o => o.MaxUnconnectedSessions = 1);
        await using var _ = server;
        using var __ = client;
        var sid = await client.OpenPollingSessionAsync(Echo);
        var (refused, _) = await client.GetAsync(RawClient.PollingUrl(Echo));

        Assert.Equal((HttpStatusCode.OK, "ok"), await client.PostAsync(Echo, sid, "1"));
        var (afterClose, _) = await client.GetAsync(RawClient.PollingUrl(Echo));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused);
        Assert.Equal(HttpStatusCode.OK, afterClose);
    }

    [Fact]
    public async Task A_connect_payload_over_the_auth_limit_is_refused_and_a_small_one_connects()
    {
        var (server, client) = await StartAsync(o => o.MaxAuthBytes = 1024);
        await using var _ = server;
        using var __ = client;
        var (socket, _) = await client.OpenWebSocketAsync(Path);
        await using var ___ = socket;

        await socket.SendTextAsync("40{\"token\":\"" + new string('t', 2000) + "\"}");
        var refusal = await socket.ReceivePacketAsync();
        await socket.SendTextAsync("40{\"token\":\"small\"}");

        Assert.Equal("44{\"message\":\"auth payload too large\"}", refusal);
        Assert.StartsWith("40{", await socket.ReceivePacketAsync(), StringComparison.Ordinal);
    }

    // ---- channels are denied unless declared ----

    [Fact]
    public async Task A_channel_no_OnSubscribe_handler_declares_is_refused_unless_the_app_allows_it()
    {
        var (closed, closedClient) = await StartAsync();
        await using var _ = closed;
        using var __ = closedClient;
        var (open, openClient) = await StartAsync(o => o.AllowUndeclaredChannels = true);
        await using var ___ = open;
        using var ____ = openClient;
        await using var toClosed = await closedClient.ConnectSocketIoAsync();
        await using var toOpen = await openClient.ConnectSocketIoAsync();

        await toClosed.SendTextAsync("421[\"subscribe\",\"user-42\"]");
        await toOpen.SendTextAsync("421[\"subscribe\",\"user-42\"]");

        var refused = await toClosed.ReceivePacketAsync();
        Assert.StartsWith("431[{\"ok\":false,\"error\":", refused, StringComparison.Ordinal);
        Assert.Contains("is not open for subscription", refused, StringComparison.Ordinal);
        Assert.Equal("431[{\"ok\":true}]", await toOpen.ReceivePacketAsync());
    }

    // ---- origin and host: DNS rebinding ----

    private static async Task<HttpStatusCode> HandshakeAsync(TestServer server, string host, string origin)
    {
        using var http = new HttpClient { BaseAddress = server.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "socket.io/?EIO=4&transport=polling");
        request.Headers.Host = $"{host}:{server.Address.Port}";
        request.Headers.Add("Origin", $"http://{host}:{server.Address.Port}");
        return (await http.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task A_rebinding_page_is_refused_while_the_host_header_is_not_restricted()
    {
        await using var server = await TestServer.StartAsync(new ConformanceHandlers());

        Assert.Equal(HttpStatusCode.Forbidden, await HandshakeAsync(server, "rebound.example", "http://rebound.example"));
        Assert.Equal(HttpStatusCode.OK, await HandshakeAsync(server, "localhost", "http://localhost"));
        Assert.Equal(HttpStatusCode.OK, await HandshakeAsync(server, "127.0.0.1", "http://127.0.0.1"));
    }

    [Fact]
    public async Task Same_origin_on_a_host_that_AllowedHosts_names_is_accepted_and_others_are_not()
    {
        await using var server = await TestServer.StartAsync(
            new ConformanceHandlers(),
            services: s => s.Configure<Microsoft.AspNetCore.HostFiltering.HostFilteringOptions>(o => o.AllowedHosts = ["chat.example", "*.chat.example"]));

        Assert.Equal(HttpStatusCode.OK, await HandshakeAsync(server, "chat.example", "http://chat.example"));
        Assert.Equal(HttpStatusCode.OK, await HandshakeAsync(server, "eu.chat.example", "http://eu.chat.example"));
        Assert.NotEqual(HttpStatusCode.OK, await HandshakeAsync(server, "rebound.example", "http://rebound.example"));
    }

    [Fact]
    public async Task Development_trusts_any_host_for_same_origin()
    {
        await using var server = await TestServer.StartAsync(new ConformanceHandlers(), environment: "Development");

        Assert.Equal(HttpStatusCode.OK, await HandshakeAsync(server, "rebound.example", "http://rebound.example"));
    }

    // ---- a client that never answers an ack ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_handler_waiting_for_an_ack_ends_when_the_client_leaves_or_the_server_stops(bool shutdown)
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            var answer = e.Socket.EmitWithAckAsync("question", []);
            asked.TrySetResult();
            await answer;
            return HandlerResult.Continue;
        }, eventName: "ask-me");
        handlers.Add(ChannelEventKind.Finish, _ => finished.TrySetResult());
        var server = await TestServer.StartAsync(handlers);
        using var client = new RawClient(server.Address);
        var (socket, _) = await client.OpenWebSocketAsync(Path);
        await socket.SendTextAsync("40");
        Assert.StartsWith("40{", await socket.ReceivePacketAsync(), StringComparison.Ordinal);

        await socket.SendTextAsync("42[\"ask-me\"]");
        await asked.Task.WaitAsync(RawClient.Timeout);
        Assert.Equal("420[\"question\"]", await socket.ReceivePacketAsync());
        if (shutdown)
        {
            await server.Services.GetRequiredService<Channels.Sockets.SocketIoServer>().ShutdownAsync(CancellationToken.None).WaitAsync(RawClient.Timeout);
        }
        else
        {
            await socket.DisposeAsync();
        }

        await finished.Task.WaitAsync(RawClient.Timeout);
        await socket.DisposeAsync();
        await server.DisposeAsync();
    }

    // ---- rate limits ----

    [Fact]
    public async Task Packets_past_the_rate_limit_are_refused_until_the_next_second_and_persistence_disconnects()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var server = await RawClient.StartConformanceServerAsync(
            configure: o =>
            {
                RawClient.DefaultTimings(o);
                o.InboundPacketsPerSecond = 4;
            },
            time: time);
        using var client = new RawClient(server.Address);
        var (socket, _) = await client.OpenWebSocketAsync(Path);
        await using var _ = socket;

        // CONNECT is the first of the 4; the conformance host answers message-with-ack.
        await socket.SendTextAsync("40");
        Assert.StartsWith("40{", await socket.ReceivePacketAsync(), StringComparison.Ordinal);
        Assert.Equal("42[\"auth\",{}]", await socket.ReceivePacketAsync());
        var answers = new List<string>();
        for (var i = 1; i <= 4; i++)
        {
            await socket.SendTextAsync($"42{i}[\"message-with-ack\",{i}]");
            answers.Add(await socket.ReceivePacketAsync());
        }

        time.Advance(TimeSpan.FromSeconds(1));
        await socket.SendTextAsync("425[\"message-with-ack\",5]");
        var afterASecond = await socket.ReceivePacketAsync();
        for (var i = 0; i < 4 + 5; i++)
        {
            await socket.SendTextAsync("42[\"message-with-ack\",0]");
        }

        await socket.WaitForCloseAsync();
        Assert.Equal(["431[1]", "432[2]", "433[3]", "434[{\"ok\":false,\"error\":\"rate limit exceeded\"}]"], answers);
        Assert.Equal("435[5]", afterASecond);
    }

    // ---- transports killed mid-frame ----

    [Fact]
    public async Task A_websocket_cut_in_the_middle_of_a_frame_ends_only_its_own_session()
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Finish, _ => finished.TrySetResult());
        handlers.Add(ChannelEventKind.Event, e => ValueTask.FromResult(HandlerResult.Ack(e.Payload)), eventName: "echo");
        await using var server = await TestServer.StartAsync(handlers, configure: RawClient.DefaultTimings);
        using var client = new RawClient(server.Address);
        var (healthy, _) = await client.OpenWebSocketAsync(Path);
        await using var __ = healthy;
        await healthy.SendTextAsync("40");
        Assert.StartsWith("40{", await healthy.ReceivePacketAsync(), StringComparison.Ordinal);

        using (var tcp = new System.Net.Sockets.TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, server.Address.Port);
            var stream = tcp.GetStream();
            var handshake = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(handshake));
            var buffer = new byte[1024];
            var read = await stream.ReadAsync(buffer);
            Assert.StartsWith("HTTP/1.1 101", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);

            // "40" in a masked text frame (clients mask), so the socket joins "/" and will finish; then a
            // frame announcing 100 bytes of which 10 arrive, and the connection is gone.
            byte[] mask = [1, 2, 3, 4];
            await stream.WriteAsync((byte[])[0x81, 0x80 | 2, .. mask, (byte)('4' ^ mask[0]), (byte)('0' ^ mask[1])]);
            await stream.WriteAsync((byte[])[0x81, 0x80 | 100, .. mask]);
            await stream.WriteAsync(new byte[10]);
            await stream.FlushAsync();
            tcp.Client.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        }

        await finished.Task.WaitAsync(RawClient.Timeout);
        await healthy.SendTextAsync("421[\"echo\",\"still here\"]");
        Assert.Equal("431[\"still here\"]", await healthy.ReceivePacketAsync());
    }

    [Fact]
    public async Task A_polling_body_cut_short_ends_its_session_and_nothing_of_it_is_taken()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var sid = await client.OpenPollingSessionAsync(Echo);

        using (var tcp = new System.Net.Sockets.TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, server.Address.Port);
            var stream = tcp.GetStream();
            var request = $"POST {RawClient.PollingUrl(Echo, sid)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n4half a body";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            await stream.FlushAsync();
            tcp.Client.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        }

        var polled = await client.PollAsync(Echo, sid);
        var other = await client.OpenPollingSessionAsync(Echo);
        var echoed = (await client.PostAsync(Echo, other, "4fine"), await client.PollAsync(Echo, other));

        // The GET may reach the server before it has seen the cut (it is then held, and answered with the
        // CLOSE packet when the session ends) or after (the session is gone): both say the session ended.
        Assert.True(polled is (HttpStatusCode.BadRequest, _) or (HttpStatusCode.OK, "1"), $"the poll got {polled}");
        Assert.Equal(((HttpStatusCode.OK, "ok"), (HttpStatusCode.OK, "4fine")), echoed);
    }
}

