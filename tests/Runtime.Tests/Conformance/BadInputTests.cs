using System.Net;
using System.Text;

namespace Channels.Tests.Conformance;

/// <summary>
/// Bad input never crashes the server or disturbs other clients (DESIGN.md section 6): oversized
/// payloads, too many attachments, unknown sids, malformed packets each end only the offending
/// session, with a clear status or a close.
/// </summary>
public sealed class BadInputTests
{
    private const int SmallPayload = 64;
    private const string Echo = "/engine.io";
    private const string Path = "/socket.io";
    private const string Placeholder0 = "{\"_placeholder\":true,\"num\":0}";
    private const string Placeholder1 = "{\"_placeholder\":true,\"num\":1}";
    private const string Placeholder2 = "{\"_placeholder\":true,\"num\":2}";

    /// <summary>
    /// The conformance host with socket.io's default timings (ping 25 s / 20 s, connect timeout 45 s),
    /// so that a close within the test's timeout can only come from the bad input.
    /// </summary>
    private static async Task<(TestServer Server, RawClient Client)> StartAsync(Action<ChannelsOptions>? configure = null)
    {
        var server = await RawClient.StartConformanceServerAsync(configure: options =>
        {
            RawClient.DefaultTimings(options);
            configure?.Invoke(options);
        });
        return (server, new RawClient(server.Address));
    }

    private static void SmallLimits(ChannelsOptions options)
    {
        options.MaxPayloadBytes = SmallPayload;
        options.MaxAttachments = 2;
    }

    // ---- oversized payloads ----

    [Fact]
    public async Task Open_packet_announces_the_configured_max_payload()
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;

        var open = await client.OpenPollingAsync(Echo);

        Assert.Equal(SmallPayload, open.GetProperty("maxPayload").GetInt32());
    }

    [Theory]
    [InlineData(Echo)]
    [InlineData(Path)]
    public async Task Oversized_polling_post_is_413_and_closes_the_session(string path)
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;
        var sid = await client.OpenPollingSessionAsync(path);

        var (postStatus, _) = await client.PostAsync(path, sid, "4" + new string('x', 2 * SmallPayload));
        var (pollStatus, _) = await client.PollAsync(path, sid);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, postStatus);
        Assert.Equal(HttpStatusCode.BadRequest, pollStatus);
    }

    [Fact]
    public async Task Oversized_chunked_polling_post_without_content_length_is_413_and_closes_the_session()
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;
        var sid = await client.OpenPollingSessionAsync(Echo);

        var body = Encoding.UTF8.GetBytes("4" + new string('x', 20_000));
        var (postStatus, _) = await client.PostAsync(RawClient.PollingUrl(Echo, sid), new UnknownLengthContent(body));
        var (pollStatus, _) = await client.PollAsync(Echo, sid);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, postStatus);
        Assert.Equal(HttpStatusCode.BadRequest, pollStatus);
    }

    [Fact]
    public async Task Polling_post_of_exactly_the_max_payload_is_accepted()
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;
        var sid = await client.OpenPollingSessionAsync(Echo);
        var message = "4" + new string('x', SmallPayload - 1);

        var post = await client.PostAsync(Echo, sid, message);
        var poll = await client.PollAsync(Echo, sid);

        Assert.Equal((HttpStatusCode.OK, "ok"), post);
        Assert.Equal((HttpStatusCode.OK, message), poll);
    }

    [Fact]
    public async Task Oversized_websocket_message_closes_the_socket()
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;
        var (socket, _) = await client.OpenWebSocketAsync(Echo);
        await using var ___ = socket;

        await socket.SendTextAsync("4" + new string('x', 2 * SmallPayload));

        var frames = await socket.WaitForCloseAsync();
        Assert.DoesNotContain(frames, f => f.IsText && f.Text.StartsWith("4x", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Oversized_fragmented_websocket_message_closes_the_socket()
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;
        var (socket, _) = await client.OpenWebSocketAsync(Echo);
        await using var ___ = socket;

        await socket.SendFragmentedTextAsync("4" + new string('x', 10_000), fragmentSize: 1000);

        var frames = await socket.WaitForCloseAsync();
        Assert.DoesNotContain(frames, f => f.IsText && f.Text.StartsWith("4x", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Websocket_message_of_exactly_the_max_payload_is_echoed()
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;
        var (socket, _) = await client.OpenWebSocketAsync(Echo);
        await using var ___ = socket;
        var message = "4" + new string('x', SmallPayload - 1);

        await socket.SendFragmentedTextAsync(message, fragmentSize: 10);

        Assert.Equal(message, await socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task Oversized_socket_io_event_closes_the_connection()
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendTextAsync($"42[\"message\",\"{new string('x', 2 * SmallPayload)}\"]");

        await socket.WaitForCloseAsync();
    }

    // ---- attachments ----

    [Fact]
    public async Task Announcing_more_attachments_than_the_limit_closes_the_connection()
    {
        var (server, client) = await StartAsync(o => o.MaxAttachments = 2);
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendTextAsync($"453-[\"message\",{Placeholder0},{Placeholder1},{Placeholder2}]");

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task Announcing_more_attachments_than_the_default_limit_closes_the_connection()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendTextAsync("4511-[\"message\"]");

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task Attachments_up_to_the_limit_are_accepted()
    {
        var (server, client) = await StartAsync(o => o.MaxAttachments = 2);
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendTextAsync($"452-[\"message\",{Placeholder0},{Placeholder1}]");
        await socket.SendBinaryAsync([1]);
        await socket.SendBinaryAsync([2]);

        Assert.Equal($"452-[\"message-back\",{Placeholder0},{Placeholder1}]", await socket.ReceivePacketAsync());
        Assert.Equal(new byte[] { 1 }, await socket.ReceiveBinaryAsync());
        Assert.Equal(new byte[] { 2 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task Too_many_attachments_over_polling_closes_the_session()
    {
        var (server, client) = await StartAsync(o => o.MaxAttachments = 2);
        await using var _ = server;
        using var __ = client;
        var sid = await client.OpenPollingSessionAsync(Path);
        Assert.Equal((HttpStatusCode.OK, "ok"), await client.PostAsync(Path, sid, "40"));

        await client.PostAsync(Path, sid, $"453-[\"message\",{Placeholder0},{Placeholder1},{Placeholder2}]");
        var (status, _) = await client.PollAsync(Path, sid);

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Binary_frame_that_no_packet_announced_closes_the_connection()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendBinaryAsync([1, 2, 3]);

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task Text_packet_where_attachments_were_announced_closes_the_connection()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendTextAsync($"451-[\"message\",{Placeholder0}]");
        await socket.SendTextAsync("42[\"message\",\"not the attachment\"]");

        await socket.WaitForCloseAsync();
    }

    // ---- malformed Socket.IO packets ----

    [Theory]
    [InlineData("44{\"message\":\"clients may not send this\"}")]
    [InlineData("42[\"connect\"]")]
    [InlineData("421234567890123456[\"message\"]")]
    [InlineData("43[1]")]
    [InlineData("41{}")]
    [InlineData("42[\"\\udc00\"]")]
    [InlineData("42[\"ok\\ud800\"]")]
    [InlineData("42/\udc00,[\"x\"]")]
    public async Task Malformed_socket_io_packet_closes_the_connection(string packet)
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendTextAsync(packet);

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task Deeply_nested_json_closes_the_connection()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendTextAsync($"42[\"message\",{new string('[', 500)}{new string(']', 500)}]");

        await socket.WaitForCloseAsync();
    }

    /// <summary>The first packet must be a CONNECT (reference server: lib/client.ts, <c>ondecoded</c>).</summary>
    [Theory]
    [InlineData("4abc")]
    [InlineData("42[\"message\",1]")]
    [InlineData("431[1]")]
    [InlineData("41")]
    public async Task First_packet_that_is_not_a_connect_closes_the_connection(string packet)
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (socket, _) = await client.OpenWebSocketAsync(Path);
        await using var ___ = socket;

        await socket.SendTextAsync(packet);

        await socket.WaitForCloseAsync();
    }

    /// <summary>Reference server: a CONNECT for a namespace already joined is an "invalid state" too.</summary>
    [Fact]
    public async Task Second_connect_to_a_joined_namespace_closes_the_connection()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendTextAsync("40");

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task Overlong_namespace_closes_the_connection()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (socket, _) = await client.OpenWebSocketAsync(Path);
        await using var ___ = socket;

        await socket.SendTextAsync($"40/{new string('n', 1000)},");

        await socket.WaitForCloseAsync();
    }

    /// <summary>
    /// As the reference server does (socket.io lib/client.ts, <c>ondecoded</c>: a packet other than
    /// CONNECT for a namespace the client has not joined is an "invalid state" and closes the client).
    /// </summary>
    [Fact]
    public async Task Event_for_a_namespace_that_is_not_connected_closes_the_connection()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendTextAsync("42/custom,[\"message\",\"to nowhere\"]");

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task Unknown_event_with_ack_is_answered_with_an_error_ack()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        await using var socket = await client.ConnectSocketIoAsync();

        await socket.SendTextAsync("427[\"no-such-event\",1]");

        var ack = await socket.ReceivePacketAsync();
        Assert.StartsWith("437[{\"ok\":false,\"error\":\"", ack, StringComparison.Ordinal);
        Assert.Contains("no-such-event", ack, StringComparison.Ordinal);
    }

    // ---- unknown sid ----

    [Theory]
    [InlineData(Echo)]
    [InlineData(Path)]
    public async Task Unknown_sid_is_400_on_polling(string path)
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;

        var (pollStatus, _) = await client.PollAsync(path, "no-such-sid");
        var (postStatus, _) = await client.PostAsync(path, "no-such-sid", "4hello");

        Assert.Equal(HttpStatusCode.BadRequest, pollStatus);
        Assert.Equal(HttpStatusCode.BadRequest, postStatus);
    }

    [Theory]
    [InlineData(Echo)]
    [InlineData(Path)]
    public async Task Unknown_sid_on_websocket_is_refused_or_closed(string path)
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;

        var refused = await WsClient.ExpectRefusedOrClosedAsync(client.WebSocketUrl(path, "no-such-sid"));

        Assert.True(refused is null or HttpStatusCode.BadRequest, $"refused with {refused}");
    }

    [Fact]
    public async Task Sid_of_a_closed_session_is_unknown()
    {
        var (server, client) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var sid = await client.OpenPollingSessionAsync(Echo);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(Echo, sid, "abc")).Status);

        var (postStatus, _) = await client.PostAsync(Echo, sid, "4hello");
        var refused = await WsClient.ExpectRefusedOrClosedAsync(client.WebSocketUrl(Echo, sid));

        Assert.Equal(HttpStatusCode.BadRequest, postStatus);
        Assert.True(refused is null or HttpStatusCode.BadRequest, $"refused with {refused}");
    }

    // ---- other clients are unaffected ----

    [Theory]
    [InlineData("abc")]
    [InlineData("0{}")]
    [InlineData("")]
    [InlineData("oversized")]
    public async Task Engine_session_closed_for_bad_input_does_not_disturb_another(string bad)
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;
        var (victim, _) = await client.OpenWebSocketAsync(Echo);
        await using var ___ = victim;
        var (offender, _) = await client.OpenWebSocketAsync(Echo);
        await using var ____ = offender;

        await offender.SendTextAsync(bad == "oversized" ? "4" + new string('x', 2 * SmallPayload) : bad);
        await offender.WaitForCloseAsync();

        await victim.SendTextAsync("4hello");
        Assert.Equal("4hello", await victim.ReceivePacketAsync());
        await victim.SendBinaryAsync([1, 2]);
        Assert.Equal(new byte[] { 1, 2 }, await victim.ReceiveBinaryAsync());
    }

    [Theory]
    [InlineData("42{}")]
    [InlineData("4abc")]
    [InlineData("453-[\"message\"]")]
    [InlineData("oversized")]
    [InlineData("binary")]
    public async Task Socket_io_connection_closed_for_bad_input_does_not_disturb_another(string bad)
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;
        await using var victim = await client.ConnectSocketIoAsync();
        await using var offender = await client.ConnectSocketIoAsync();

        switch (bad)
        {
            case "oversized":
                await offender.SendTextAsync($"42[\"message\",\"{new string('x', 2 * SmallPayload)}\"]");
                break;
            case "binary":
                await offender.SendBinaryAsync([9, 9, 9]);
                break;
            default:
                await offender.SendTextAsync(bad);
                break;
        }

        await offender.WaitForCloseAsync();

        await victim.SendTextAsync("42[\"message\",\"still here\"]");
        Assert.Equal("42[\"message-back\",\"still here\"]", await victim.ReceivePacketAsync());
        await victim.SendTextAsync("4212[\"message-with-ack\",true]");
        Assert.Equal("4312[true]", await victim.ReceivePacketAsync());
    }

    [Fact]
    public async Task Polling_session_closed_for_bad_input_does_not_disturb_another()
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;
        var victim = await client.OpenPollingSessionAsync(Echo);
        var offender = await client.OpenPollingSessionAsync(Echo);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(Echo, offender, "abc")).Status);
        var oversizedOther = await client.OpenPollingSessionAsync(Echo);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PostAsync(Echo, oversizedOther, "4" + new string('x', 200))).Status);

        Assert.Equal((HttpStatusCode.OK, "ok"), await client.PostAsync(Echo, victim, "4hello"));
        Assert.Equal((HttpStatusCode.OK, "4hello"), await client.PollAsync(Echo, victim));
    }

    [Fact]
    public async Task Server_keeps_accepting_new_sessions_after_bad_input()
    {
        var (server, client) = await StartAsync(SmallLimits);
        await using var _ = server;
        using var __ = client;
        for (var i = 0; i < 5; i++)
        {
            var (bad, _) = await client.OpenWebSocketAsync(Path);
            await using (bad)
            {
                await bad.SendTextAsync("4abc");
                await bad.WaitForCloseAsync();
            }
        }

        await using var socket = await client.ConnectSocketIoAsync();
        await socket.SendTextAsync("42[\"message\",1]");
        Assert.Equal("42[\"message-back\",1]", await socket.ReceivePacketAsync());
    }

    /// <summary>A body sent chunked, without Content-Length.</summary>
    private sealed class UnknownLengthContent(byte[] data) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(data).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
