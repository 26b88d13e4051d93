using System.Net;
using System.Text.Json;
using Channels.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Channels.Tests.Conformance;

/// <summary>
/// Every Socket.IO behaviour the official Socket.IO v5 test suite checks (socket.io monorepo,
/// docs/socket.io-protocol/v5-test-suite), against the conformance handlers: "auth" emitted on connect
/// (on / and /custom), "message" answered with "message-back", "message-with-ack" acked with its own
/// arguments. (The suite's Engine.IO part on /socket.io is in <see cref="EngineIoConformanceTests"/>.)
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class SocketIoConformanceTests(ConformanceFixture fixture)
{
    private const string Path = "/socket.io";
    private const string Placeholder0 = "{\"_placeholder\":true,\"num\":0}";
    private const string Placeholder1 = "{\"_placeholder\":true,\"num\":1}";

    // socket.io's default timings: with the suites' 1 s connect timeout and 300 ms pings, a test delayed by a
    // busy machine between opening and CONNECT was closed before its reply (none of these tests is about time;
    // the timeouts are tested with a fake clock).
    private readonly RawClient _client = fixture.QuietClient;

    // The suites' timings, for a test that waits for the next ping to show that nothing else came first.
    private readonly RawClient _pinging = fixture.Client;

    // ---- connect ----

    [Fact]
    public async Task Connect_to_main_namespace_replies_with_only_the_sid_then_the_handler_event()
    {
        await using var socket = await OpenAsync();

        await socket.SendTextAsync("40");

        AssertConnectReply(await socket.ReceivePacketAsync(), "40");
        Assert.Equal("42[\"auth\",{}]", await socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task Connect_payload_reaches_the_handler_exactly_as_sent()
    {
        await using var socket = await OpenAsync();

        await socket.SendTextAsync("40{\"token\":\"123\"}");

        AssertConnectReply(await socket.ReceivePacketAsync(), "40");
        Assert.Equal("42[\"auth\",{\"token\":\"123\"}]", await socket.ReceivePacketAsync());
    }

    [Theory]
    [InlineData("40/custom,")]
    [InlineData("40/custom")]
    public async Task Connect_to_custom_namespace_replies_with_the_namespace_and_comma(string connect)
    {
        await using var socket = await OpenAsync();

        await socket.SendTextAsync(connect);

        AssertConnectReply(await socket.ReceivePacketAsync(), "40/custom,");
        Assert.Equal("42/custom,[\"auth\",{}]", await socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task Connect_to_custom_namespace_with_payload()
    {
        await using var socket = await OpenAsync();

        await socket.SendTextAsync("40/custom,{\"token\":\"abc\"}");

        AssertConnectReply(await socket.ReceivePacketAsync(), "40/custom,");
        Assert.Equal("42/custom,[\"auth\",{\"token\":\"abc\"}]", await socket.ReceivePacketAsync());
    }

    [Theory]
    [InlineData("40/random")]
    [InlineData("40/random,")]
    [InlineData("40/random,{\"token\":\"1\"}")]
    public async Task Connect_to_unknown_namespace_is_refused_with_invalid_namespace(string connect)
    {
        await using var socket = await OpenAsync();

        await socket.SendTextAsync(connect);

        Assert.Equal("44/random,{\"message\":\"Invalid namespace\"}", await socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task Unknown_namespace_refusal_leaves_the_session_usable()
    {
        await using var socket = await OpenAsync();
        await socket.SendTextAsync("40/random");
        Assert.Equal("44/random,{\"message\":\"Invalid namespace\"}", await socket.ReceivePacketAsync());

        await socket.SendTextAsync("40");

        AssertConnectReply(await socket.ReceivePacketAsync(), "40");
        Assert.Equal("42[\"auth\",{}]", await socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task Invalid_handshake_closes_the_connection()
    {
        // As the suite does. With the suite's timings the connect timeout would close it as well;
        // BadInputTests.First_packet_that_is_not_a_connect_closes_the_connection checks it without.
        await using var socket = await OpenAsync();

        await socket.SendTextAsync("4abc");

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task No_connect_within_the_connect_timeout_closes_the_connection()
    {
        // The server's clock is moved by the test: the session is there 1 ms before the connect timeout
        // (1000 ms in the conformance host) and gone at it. Timers fire inside Advance, so no waiting.
        var time = new FakeTimeProvider();
        await using var server = await RawClient.StartConformanceServerAsync(configure: RawClient.DefaultTimings, time: time);
        var engine = server.Services.GetRequiredService<EngineServer>();
        using var client = new RawClient(server.Address);
        var (socket, _) = await client.OpenWebSocketAsync(Path);
        await using var _ = socket;
        var connectTimeout = server.Services.GetRequiredService<IOptions<ChannelsOptions>>().Value.ConnectTimeout;

        time.Advance(connectTimeout - TimeSpan.FromMilliseconds(1));
        var before = engine.SessionCount;
        time.Advance(TimeSpan.FromMilliseconds(1));
        var after = engine.SessionCount;
        var frames = await socket.WaitForCloseAsync();

        Assert.Equal(1, before);
        Assert.Equal(0, after);
        Assert.All(frames, f => Assert.Equal("2", f.Text));
    }

    [Fact]
    public async Task Connect_over_polling_replies_before_the_handler_event()
    {
        var sid = await _client.OpenPollingSessionAsync(Path);

        Assert.Equal((HttpStatusCode.OK, "ok"), await _client.PostAsync(Path, sid, "40"));
        var packets = new List<string>();
        while (packets.Count < 2)
        {
            var (status, body) = await _client.PollAsync(Path, sid);
            Assert.Equal(HttpStatusCode.OK, status);
            packets.AddRange(body.Split('\u001e').Where(p => p != "2"));
        }

        Assert.Equal(2, packets.Count);
        AssertConnectReply(packets[0], "40");
        Assert.Equal("42[\"auth\",{}]", packets[1]);
    }

    // ---- disconnect ----

    [Fact]
    public async Task Disconnect_from_main_namespace_is_not_answered()
    {
        await using var socket = await _pinging.ConnectSocketIoAsync();

        await socket.SendTextAsync("41");

        Assert.Equal("2", await socket.ReceiveTextAsync());
    }

    [Fact]
    public async Task Disconnect_from_custom_namespace_keeps_the_main_namespace_connected()
    {
        await using var socket = await _client.ConnectSocketIoAsync();
        await socket.SendTextAsync("40/custom");
        AssertConnectReply(await socket.ReceivePacketAsync(), "40/custom,");
        Assert.Equal("42/custom,[\"auth\",{}]", await socket.ReceivePacketAsync());

        await socket.SendTextAsync("41/custom");
        await socket.SendTextAsync("42[\"message\",\"message to main namespace\"]");

        Assert.Equal("42[\"message-back\",\"message to main namespace\"]", await socket.ReceivePacketAsync());
    }

    // ---- messages ----

    [Fact]
    public async Task Plain_text_event_is_answered_with_compact_json()
    {
        await using var socket = await _client.ConnectSocketIoAsync();

        await socket.SendTextAsync("42[\"message\",1,\"2\",{\"3\":[true]}]");

        Assert.Equal("42[\"message-back\",1,\"2\",{\"3\":[true]}]", await socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task Binary_event_is_answered_with_the_same_placeholders_and_attachments()
    {
        await using var socket = await _client.ConnectSocketIoAsync();

        await socket.SendTextAsync($"452-[\"message\",{Placeholder0},{Placeholder1}]");
        await socket.SendBinaryAsync([1, 2, 3]);
        await socket.SendBinaryAsync([4, 5, 6]);

        Assert.Equal($"452-[\"message-back\",{Placeholder0},{Placeholder1}]", await socket.ReceivePacketAsync());
        Assert.Equal(new byte[] { 1, 2, 3 }, await socket.ReceiveBinaryAsync());
        Assert.Equal(new byte[] { 4, 5, 6 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task Event_with_ack_id_is_acked_with_the_same_id()
    {
        await using var socket = await _client.ConnectSocketIoAsync();

        await socket.SendTextAsync("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");

        Assert.Equal("43456[1,\"2\",{\"3\":[false]}]", await socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task Binary_event_with_ack_id_is_acked_with_a_binary_ack()
    {
        await using var socket = await _client.ConnectSocketIoAsync();

        await socket.SendTextAsync($"452-789[\"message-with-ack\",{Placeholder0},{Placeholder1}]");
        await socket.SendBinaryAsync([1, 2, 3]);
        await socket.SendBinaryAsync([4, 5, 6]);

        Assert.Equal($"462-789[{Placeholder0},{Placeholder1}]", await socket.ReceivePacketAsync());
        Assert.Equal(new byte[] { 1, 2, 3 }, await socket.ReceiveBinaryAsync());
        Assert.Equal(new byte[] { 4, 5, 6 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task Events_are_answered_in_the_order_sent()
    {
        await using var socket = await _client.ConnectSocketIoAsync();

        for (var i = 0; i < 20; i++)
        {
            await socket.SendTextAsync($"42[\"message\",{i}]");
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"42[\"message-back\",{i}]", await socket.ReceivePacketAsync());
        }
    }

    [Fact]
    public async Task Socket_io_events_work_over_polling()
    {
        var sid = await _client.OpenPollingSessionAsync(Path);
        Assert.Equal((HttpStatusCode.OK, "ok"), await _client.PostAsync(Path, sid, "40"));

        Assert.Equal((HttpStatusCode.OK, "ok"), await _client.PostAsync(Path, sid, "42[\"message\",\"via polling\"]\u001e4212[\"message-with-ack\",true]"));
        var packets = new List<string>();
        while (!packets.Contains("4312[true]"))
        {
            var (status, body) = await _client.PollAsync(Path, sid);
            Assert.Equal(HttpStatusCode.OK, status);
            packets.AddRange(body.Split('\u001e'));
            if (packets.Contains("2"))
            {
                packets.Remove("2");
                await _client.PostAsync(Path, sid, "3");
            }
        }

        Assert.Equal(
            new[] { "42[\"auth\",{}]", "42[\"message-back\",\"via polling\"]", "4312[true]" },
            packets.Where(p => !p.StartsWith("40", StringComparison.Ordinal)));
    }

    // ---- invalid packets ----

    [Theory]
    [InlineData("4abc")]
    [InlineData("42{}")]
    [InlineData("42abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]")]
    public async Task Invalid_packet_after_connect_closes_the_connection(string packet)
    {
        await using var socket = await _client.ConnectSocketIoAsync();

        await socket.SendTextAsync(packet);

        await socket.WaitForCloseAsync(answerPings: true);
    }

    // ---- helpers ----

    private async Task<WsClient> OpenAsync() => (await _client.OpenWebSocketAsync(Path)).Socket;

    /// <summary><c>40[nsp,]{"sid":"…"}</c> with <c>sid</c> as the only key.</summary>
    private static void AssertConnectReply(string packet, string prefix)
    {
        Assert.StartsWith(prefix + "{", packet, StringComparison.Ordinal);
        using var handshake = JsonDocument.Parse(packet[prefix.Length..]);
        var keys = handshake.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "sid" }, keys);
        Assert.False(string.IsNullOrEmpty(handshake.RootElement.GetProperty("sid").GetString()));
    }
}
