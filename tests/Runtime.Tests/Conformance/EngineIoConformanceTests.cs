using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Channels.Tests.Conformance;

/// <summary>
/// Every behaviour the official Engine.IO v4 test suite checks (socket.io monorepo,
/// docs/engine.io-protocol/v4-test-suite), against the conformance host: <c>/engine.io</c> echoes each
/// message; the Socket.IO suite repeats the Engine.IO checks on <c>/socket.io</c>, so the checks that
/// need no echo run on both paths.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class EngineIoConformanceTests(ConformanceFixture fixture)
{
    private const string Echo = "/engine.io";
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromMilliseconds(200);

    private readonly RawClient _client = fixture.Client;

    /// <summary>Same endpoints with a 25 s ping interval, where a ping must not race the expected poll body.</summary>
    private readonly RawClient _quiet = fixture.QuietClient;

    public static TheoryData<string> Paths => new() { "/engine.io", "/socket.io" };

    // ---- handshake ----

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Polling_handshake_opens_a_session_with_exactly_the_open_packet_keys(string path)
    {
        var open = await _client.OpenPollingAsync(path);

        AssertOpenPacket(open, ["websocket"]);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task WebSocket_handshake_opens_a_session_without_upgrades(string path)
    {
        var (socket, open) = await _client.OpenWebSocketAsync(path);
        await using var _ = socket;

        AssertOpenPacket(open, []);
    }

    [Theory]
    [InlineData("/engine.io", "transport=polling")]
    [InlineData("/engine.io", "EIO=abc&transport=polling")]
    [InlineData("/engine.io", "EIO=3&transport=polling")]
    [InlineData("/engine.io", "EIO=&transport=polling")]
    [InlineData("/socket.io", "transport=polling")]
    [InlineData("/socket.io", "EIO=abc&transport=polling")]
    public async Task Polling_handshake_without_a_valid_EIO_is_400(string path, string query)
    {
        var (status, _) = await _client.GetAsync($"{path}/?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Theory]
    [InlineData("/engine.io", "EIO=4")]
    [InlineData("/engine.io", "EIO=4&transport=abc")]
    [InlineData("/engine.io", "EIO=4&transport=websocket")]
    [InlineData("/socket.io", "EIO=4")]
    [InlineData("/socket.io", "EIO=4&transport=abc")]
    public async Task Polling_handshake_without_a_valid_transport_is_400(string path, string query)
    {
        var (status, _) = await _client.GetAsync($"{path}/?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Theory]
    [InlineData("/engine.io", "POST")]
    [InlineData("/engine.io", "PUT")]
    [InlineData("/socket.io", "POST")]
    [InlineData("/socket.io", "PUT")]
    public async Task Handshake_with_a_method_other_than_GET_is_400(string path, string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), RawClient.PollingUrl(path));
        using var response = await _client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/engine.io", "transport=websocket")]
    [InlineData("/engine.io", "EIO=abc&transport=websocket")]
    [InlineData("/socket.io", "transport=websocket")]
    [InlineData("/socket.io", "EIO=abc&transport=websocket")]
    public async Task WebSocket_without_a_valid_EIO_is_refused_or_closed(string path, string query)
    {
        var refused = await WsClient.ExpectRefusedOrClosedAsync(_client.WebSocketUrl(path, query: query));

        Assert.True(refused is null or HttpStatusCode.BadRequest, $"refused with {refused}");
    }

    [Theory]
    [InlineData("/engine.io", "EIO=4")]
    [InlineData("/engine.io", "EIO=4&transport=abc")]
    [InlineData("/engine.io", "EIO=4&transport=polling")]
    [InlineData("/socket.io", "EIO=4")]
    [InlineData("/socket.io", "EIO=4&transport=abc")]
    public async Task WebSocket_without_a_valid_transport_is_refused_or_closed(string path, string query)
    {
        var refused = await WsClient.ExpectRefusedOrClosedAsync(_client.WebSocketUrl(path, query: query));

        Assert.True(refused is null or HttpStatusCode.BadRequest, $"refused with {refused}");
    }

    // ---- messages over HTTP long-polling ----

    [Fact]
    public async Task Polling_message_is_answered_ok_and_echoed_on_the_next_poll()
    {
        var sid = await _quiet.OpenPollingSessionAsync(Echo);

        var post = await _quiet.PostAsync(Echo, sid, "4hello");
        var poll = await _quiet.PollAsync(Echo, sid);

        Assert.Equal((HttpStatusCode.OK, "ok"), post);
        Assert.Equal((HttpStatusCode.OK, "4hello"), poll);
    }

    [Fact]
    public async Task Polling_packets_posted_together_are_all_echoed_in_one_poll()
    {
        var sid = await _quiet.OpenPollingSessionAsync(Echo);

        var post = await _quiet.PostAsync(Echo, sid, "4test1\u001e4test2\u001e4test3");
        var poll = await _quiet.PollAsync(Echo, sid);

        Assert.Equal((HttpStatusCode.OK, "ok"), post);
        Assert.Equal((HttpStatusCode.OK, "4test1\u001e4test2\u001e4test3"), poll);
    }

    [Fact]
    public async Task Polling_text_and_binary_are_echoed_with_binary_as_b_and_base64()
    {
        var sid = await _quiet.OpenPollingSessionAsync(Echo);

        var post = await _quiet.PostAsync(Echo, sid, "4hello\u001ebAQIDBA==");
        var poll = await _quiet.PollAsync(Echo, sid);

        Assert.Equal((HttpStatusCode.OK, "ok"), post);
        Assert.Equal((HttpStatusCode.OK, "4hello\u001ebAQIDBA=="), poll);
    }

    [Fact]
    public async Task Pending_poll_is_answered_as_soon_as_a_message_arrives()
    {
        var sid = await _quiet.OpenPollingSessionAsync(Echo);
        var pending = await _quiet.StartPollAsync(Echo, sid);

        var post = await _quiet.PostAsync(Echo, sid, "4late");

        Assert.Equal((HttpStatusCode.OK, "ok"), post);
        Assert.Equal((HttpStatusCode.OK, "4late"), await pending.Response.WaitAsync(RawClient.Timeout));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Polling_invalid_body_is_400_and_closes_the_session(string path)
    {
        var sid = await _client.OpenPollingSessionAsync(path);

        var (postStatus, _) = await _client.PostAsync(path, sid, "abc");
        var (pollStatus, _) = await _client.PollAsync(path, sid);

        Assert.Equal(HttpStatusCode.BadRequest, postStatus);
        Assert.Equal(HttpStatusCode.BadRequest, pollStatus);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Duplicate_poll_closes_the_session(string path)
    {
        var sid = await _quiet.OpenPollingSessionAsync(path);
        var first = await _quiet.StartPollAsync(path, sid);

        var second = await _quiet.GetAsync(RawClient.PollingUrl(path, sid, "t=burst"));
        var firstResult = await first.Response.WaitAsync(RawClient.Timeout);
        var after = await _quiet.PollAsync(path, sid);

        Assert.Equal((HttpStatusCode.OK, "1"), firstResult);
        Assert.Contains(second.Status, new[] { HttpStatusCode.BadRequest, HttpStatusCode.InternalServerError });
        Assert.Equal(HttpStatusCode.BadRequest, after.Status);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Aborted_poll_closes_the_session(string path)
    {
        var sid = await _quiet.OpenPollingSessionAsync(path);
        using var abort = new CancellationTokenSource();
        var pending = await _quiet.StartPollAsync(path, sid, abort.Token);

        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.Response);
        await pending.ServerCompleted.WaitAsync(RawClient.Timeout);
        var (status, _) = await _quiet.PollAsync(path, sid);

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    // ---- messages over WebSocket ----

    [Fact]
    public async Task WebSocket_text_message_is_echoed()
    {
        var (socket, _) = await _client.OpenWebSocketAsync(Echo);
        await using var _ = socket;

        await socket.SendTextAsync("4hello");

        Assert.Equal("4hello", await socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task WebSocket_binary_message_is_echoed_as_a_binary_frame()
    {
        var (socket, _) = await _client.OpenWebSocketAsync(Echo);
        await using var _ = socket;

        await socket.SendBinaryAsync([1, 2, 3, 4]);

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task WebSocket_messages_are_echoed_in_order()
    {
        var (socket, _) = await _client.OpenWebSocketAsync(Echo);
        await using var _ = socket;

        await socket.SendTextAsync("4one");
        await socket.SendBinaryAsync([2]);
        await socket.SendTextAsync("4three");

        Assert.Equal("4one", await socket.ReceivePacketAsync());
        Assert.Equal(new byte[] { 2 }, await socket.ReceiveBinaryAsync());
        Assert.Equal("4three", await socket.ReceivePacketAsync());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task WebSocket_invalid_packet_closes_the_socket(string path)
    {
        await using var socket = await OpenLiveWebSocketAsync(path);

        await socket.SendTextAsync("abc");

        await socket.WaitForCloseAsync(answerPings: true);
    }

    // ---- heartbeat ----

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Polling_heartbeat_pings_and_accepts_pongs_three_times(string path)
    {
        var sid = await _client.OpenPollingSessionAsync(path);

        // On /socket.io the session also joins a namespace, so the suite's 1 s connect timeout does not
        // race three ping rounds on a loaded machine.
        if (path == "/socket.io")
        {
            Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync(path, sid, "40")).Status);
        }

        var pings = 0;
        while (pings < 3)
        {
            var (status, body) = await _client.PollAsync(path, sid);
            Assert.Equal(HttpStatusCode.OK, status);
            foreach (var packet in body.Split('\x1e'))
            {
                if (packet == "2")
                {
                    pings++;
                    Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync(path, sid, "3")).Status);
                }
                else
                {
                    Assert.True(path == "/socket.io" && (packet.StartsWith("40{", StringComparison.Ordinal) || packet == "42[\"auth\",{}]"), $"unexpected packet {packet}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Polling_session_without_pong_is_closed_after_the_ping_timeout(string path)
    {
        // The server's clock is moved by the test: no waiting, no race with its timers.
        var time = new FakeTimeProvider();
        await using var server = await RawClient.StartConformanceServerAsync(time: time);
        using var client = new RawClient(server.Address);
        var sid = await client.OpenPollingSessionAsync(path);

        time.Advance(PingInterval);
        var ping = await client.PollAsync(path, sid);
        time.Advance(PingTimeout - TimeSpan.FromMilliseconds(1));
        var stillOpen = await client.PostAsync(path, sid, "6");
        time.Advance(TimeSpan.FromMilliseconds(2));
        var (status, _) = await client.PollAsync(path, sid);

        Assert.Equal((HttpStatusCode.OK, "2"), ping);
        Assert.Equal(HttpStatusCode.OK, stillOpen.Status);
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task WebSocket_heartbeat_pings_and_accepts_pongs_three_times(string path)
    {
        var (socket, _) = await _client.OpenWebSocketAsync(path);
        await using var _ = socket;

        // On /socket.io the session also joins a namespace: three ping rounds take about as long as the
        // suite's 1 s connect timeout, which a loaded machine would otherwise hit first.
        if (path == "/socket.io")
        {
            await socket.SendTextAsync("40");
        }

        var pings = 0;
        while (pings < 3)
        {
            var text = await socket.ReceiveTextAsync();
            if (text == "2")
            {
                pings++;
                await socket.SendTextAsync("3");
            }
            else
            {
                Assert.True(path == "/socket.io" && (text.StartsWith("40{", StringComparison.Ordinal) || text == "42[\"auth\",{}]"), $"unexpected frame {text}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task WebSocket_session_without_pong_is_closed_after_the_ping_timeout(string path)
    {
        var (socket, _) = await _client.OpenWebSocketAsync(path);
        await using var _ = socket;

        var beforeClose = await socket.WaitForCloseAsync();

        Assert.Equal(new[] { "2" }, beforeClose.Select(f => f.Text));
    }

    [Fact]
    public async Task WebSocket_session_that_answers_pings_stays_open()
    {
        var (socket, _) = await _client.OpenWebSocketAsync(Echo);
        await using var _ = socket;

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("2", await socket.ReceiveTextAsync());
            await socket.SendTextAsync("3");
        }

        await socket.SendTextAsync("4still here");
        Assert.Equal("4still here", await socket.ReceivePacketAsync());
    }

    // ---- close ----

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Polling_close_answers_the_pending_poll_with_noop_and_ends_the_session(string path)
    {
        var sid = await _quiet.OpenPollingSessionAsync(path);
        var pending = await _quiet.StartPollAsync(path, sid);

        var post = await _quiet.PostAsync(path, sid, "1");
        var poll = await pending.Response.WaitAsync(RawClient.Timeout);
        var (after, _) = await _quiet.PollAsync(path, sid);

        Assert.Equal(HttpStatusCode.OK, post.Status);
        Assert.Equal((HttpStatusCode.OK, "6"), poll);
        Assert.Equal(HttpStatusCode.BadRequest, after);
    }

    [Fact]
    public async Task Polling_close_with_no_pending_poll_answers_the_next_poll_with_noop()
    {
        var sid = await _quiet.OpenPollingSessionAsync(Echo);

        var post = await _quiet.PostAsync(Echo, sid, "1");
        var poll = await _quiet.PollAsync(Echo, sid);
        var (after, _) = await _quiet.PollAsync(Echo, sid);

        Assert.Equal(HttpStatusCode.OK, post.Status);
        Assert.Equal((HttpStatusCode.OK, "6"), poll);
        Assert.Equal(HttpStatusCode.BadRequest, after);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task WebSocket_close_packet_closes_the_socket(string path)
    {
        await using var socket = await OpenLiveWebSocketAsync(path);

        await socket.SendTextAsync("1");

        await socket.WaitForCloseAsync(answerPings: true);
    }

    // ---- upgrade ----

    [Fact]
    public async Task Upgrade_probe_is_answered_then_the_poll_gets_noop_and_the_websocket_takes_over()
    {
        var sid = await _quiet.OpenPollingSessionAsync(Echo);
        await using var socket = await WsClient.ConnectAsync(_quiet.WebSocketUrl(Echo, sid));

        await socket.SendTextAsync("2probe");
        Assert.Equal("3probe", await socket.ReceiveTextAsync());

        Assert.Equal((HttpStatusCode.OK, "6"), await _quiet.PollAsync(Echo, sid));

        await socket.SendTextAsync("5");
        await socket.SendTextAsync("4hello");
        Assert.Equal("4hello", await socket.ReceivePacketAsync());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Upgrade_probe_answers_a_pending_poll_with_noop(string path)
    {
        var sid = await _quiet.OpenPollingSessionAsync(path);
        var pending = await _quiet.StartPollAsync(path, sid);
        await using var socket = await WsClient.ConnectAsync(_quiet.WebSocketUrl(path, sid));

        await socket.SendTextAsync("2probe");

        Assert.Equal("3probe", await socket.ReceiveTextAsync());
        Assert.Equal((HttpStatusCode.OK, "6"), await pending.Response.WaitAsync(RawClient.Timeout));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Polling_requests_with_the_sid_are_400_after_the_upgrade(string path)
    {
        var sid = await _quiet.OpenPollingSessionAsync(path);
        await using var socket = await UpgradeAsync(_quiet, path, sid);

        var (pollStatus, _) = await _quiet.PollAsync(path, sid);
        var (postStatus, _) = await _quiet.PostAsync(path, sid, "4after");

        Assert.Equal(HttpStatusCode.BadRequest, pollStatus);
        Assert.Equal(HttpStatusCode.BadRequest, postStatus);
        await AssertUpgradedSessionWorksAsync(socket, path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Second_websocket_with_the_sid_is_closed_after_the_upgrade(string path)
    {
        var sid = await _quiet.OpenPollingSessionAsync(path);
        await using var socket = await UpgradeAsync(_quiet, path, sid);

        var refused = await WsClient.ExpectRefusedOrClosedAsync(_quiet.WebSocketUrl(path, sid));

        Assert.True(refused is null or HttpStatusCode.BadRequest, $"refused with {refused}");
        await AssertUpgradedSessionWorksAsync(socket, path);
    }

    [Fact]
    public async Task Messages_posted_before_the_upgrade_are_not_lost()
    {
        var sid = await _quiet.OpenPollingSessionAsync(Echo);
        Assert.Equal((HttpStatusCode.OK, "ok"), await _quiet.PostAsync(Echo, sid, "4before"));
        Assert.Equal((HttpStatusCode.OK, "4before"), await _quiet.PollAsync(Echo, sid));

        await using var socket = await UpgradeAsync(_quiet, Echo, sid);
        await socket.SendTextAsync("4after");

        Assert.Equal("4after", await socket.ReceivePacketAsync());
    }

    // ---- helpers ----

    /// <summary>
    /// A WebSocket session that nothing but the test's next packet can end: the test answers pings
    /// while it waits, and on /socket.io it connects first, so the connect timeout does not apply.
    /// </summary>
    private async Task<WsClient> OpenLiveWebSocketAsync(string path)
    {
        if (path == Echo)
        {
            return (await _client.OpenWebSocketAsync(path)).Socket;
        }

        return await _client.ConnectSocketIoAsync();
    }

    private static void AssertOpenPacket(JsonElement open, string[] upgrades)
    {
        Assert.Equal(
            new[] { "maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades" },
            open.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.String, open.GetProperty("sid").ValueKind);
        Assert.False(string.IsNullOrEmpty(open.GetProperty("sid").GetString()));
        Assert.Equal(upgrades, open.GetProperty("upgrades").EnumerateArray().Select(u => u.GetString()!));
        Assert.Equal(300, open.GetProperty("pingInterval").GetInt32());
        Assert.Equal(200, open.GetProperty("pingTimeout").GetInt32());
        Assert.Equal(1_000_000, open.GetProperty("maxPayload").GetInt32());
    }

    /// <summary>
    /// Probe, then upgrade; returns once the WebSocket has provably taken over the session (an echo on
    /// /engine.io; on /socket.io, a CONNECT answered on the WebSocket).
    /// </summary>
    private static async Task<WsClient> UpgradeAsync(RawClient client, string path, string sid)
    {
        var socket = await WsClient.ConnectAsync(client.WebSocketUrl(path, sid));
        await socket.SendTextAsync("2probe");
        Assert.Equal("3probe", await socket.ReceiveTextAsync());
        await socket.SendTextAsync("5");
        if (path == Echo)
        {
            await AssertUpgradedSessionWorksAsync(socket, path);
        }
        else
        {
            await socket.SendTextAsync("40");
            Assert.StartsWith("40{", await socket.ReceivePacketAsync(), StringComparison.Ordinal);
            Assert.Equal("42[\"auth\",{}]", await socket.ReceivePacketAsync());
        }

        return socket;
    }

    /// <summary>A round trip on the upgraded WebSocket: an echo on /engine.io, an event answered on /socket.io.</summary>
    private static async Task AssertUpgradedSessionWorksAsync(WsClient socket, string path)
    {
        if (path == Echo)
        {
            await socket.SendTextAsync("4hello");
            Assert.Equal("4hello", await socket.ReceivePacketAsync());
        }
        else
        {
            await socket.SendTextAsync("42[\"message\",\"still upgraded\"]");
            Assert.Equal("42[\"message-back\",\"still upgraded\"]", await socket.ReceivePacketAsync());
        }
    }
}
