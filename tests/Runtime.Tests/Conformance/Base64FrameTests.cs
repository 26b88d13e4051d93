using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace Channels.Tests.Conformance;

/// <summary>
/// Binary as text on WebSocket, as the reference server does it: a client's <c>b</c> + base64 text frame is
/// a binary message (socket.io-client's <c>forceBase64</c> sends them); a client that asks with <c>b64</c> in
/// its query gets binary as <c>b</c> + base64 text frames; every other client keeps getting binary frames.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class Base64FrameTests(ConformanceFixture fixture)
{
    private const string Echo = "/engine.io";
    private const string Placeholder0 = "{\"_placeholder\":true,\"num\":0}";
    private const string Base64Query = "EIO=4&transport=websocket&b64=1";

    private readonly RawClient _client = fixture.Client;

    private async Task<WsClient> OpenAsync(string path, string query)
    {
        var socket = await WsClient.ConnectAsync(_client.WebSocketUrl(path, query: query));
        Assert.StartsWith("0{", await socket.ReceiveTextAsync(), StringComparison.Ordinal);
        return socket;
    }

    private async Task<WsClient> ConnectSocketIoAsync(string query)
    {
        var socket = await OpenAsync("/socket.io", query);
        await socket.SendTextAsync("40");
        Assert.StartsWith("40{", await socket.ReceivePacketAsync(), StringComparison.Ordinal);
        Assert.Equal("42[\"auth\",{}]", await socket.ReceivePacketAsync());
        return socket;
    }

    [Fact]
    public async Task A_b_text_frame_is_echoed_as_a_binary_frame_to_a_client_that_did_not_ask_for_base64()
    {
        await using var socket = await OpenAsync(Echo, "EIO=4&transport=websocket");

        await socket.SendTextAsync("bAQID");

        Assert.Equal(new byte[] { 1, 2, 3 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task A_client_that_asks_for_base64_gets_binary_as_b_text_frames()
    {
        await using var socket = await OpenAsync(Echo, Base64Query);

        await socket.SendBinaryAsync([1, 2, 3, 4]);
        await socket.SendTextAsync("bBQY=");
        await socket.SendTextAsync("4text");

        Assert.Equal("bAQIDBA==", await socket.ReceivePacketAsync());
        Assert.Equal("bBQY=", await socket.ReceivePacketAsync());
        Assert.Equal("4text", await socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task A_binary_event_with_b_attachments_is_answered_in_base64_to_a_base64_client()
    {
        await using var socket = await ConnectSocketIoAsync(Base64Query);

        await socket.SendTextAsync($"451-[\"message\",{{\"file\":{Placeholder0}}}]");
        await socket.SendTextAsync("bAQID");

        Assert.Equal($"451-[\"message-back\",{{\"file\":{Placeholder0}}}]", await socket.ReceivePacketAsync());
        Assert.Equal("bAQID", await socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task A_binary_event_with_b_attachments_is_answered_with_binary_frames_otherwise()
    {
        await using var socket = await _client.ConnectSocketIoAsync();

        await socket.SendTextAsync($"451-12[\"message-with-ack\",{Placeholder0}]");
        await socket.SendTextAsync("bAQID");

        Assert.Equal($"461-12[{Placeholder0}]", await socket.ReceivePacketAsync());
        Assert.Equal(new byte[] { 1, 2, 3 }, await socket.ReceiveBinaryAsync());
    }

    [Fact]
    public async Task A_session_upgraded_with_b64_gets_base64_on_its_websocket()
    {
        var (status, body) = await _client.GetAsync(RawClient.PollingUrl(Echo, extra: "b64=1"));
        Assert.Equal(HttpStatusCode.OK, status);
        using var open = JsonDocument.Parse(body[1..]);
        var sid = open.RootElement.GetProperty("sid").GetString()!;
        await using var socket = await WsClient.ConnectAsync(_client.WebSocketUrl(Echo, sid, Base64Query));

        await socket.SendTextAsync("2probe");
        Assert.Equal("3probe", await socket.ReceivePacketAsync());
        await socket.SendTextAsync("5");
        await socket.SendBinaryAsync([7]);

        Assert.Equal("bBw==", await socket.ReceivePacketAsync());
    }

    [Theory]
    [InlineData("b!!!!")]
    [InlineData("bAQI")]
    public async Task A_b_text_frame_that_is_not_base64_closes_the_socket(string frame)
    {
        await using var socket = await OpenAsync(Echo, "EIO=4&transport=websocket");

        await socket.SendTextAsync(frame);

        var before = await socket.WaitForCloseAsync(answerPings: true);
        Assert.DoesNotContain(before, f => f.Type == WebSocketMessageType.Binary);
    }
}
