using System.Text;
using Channels.Tests.Integration;

namespace Channels.Tests.Transport;

/// <summary>
/// Issue 18: the WebSocket framing on a taken-over connection (<c>PipeWebSocket</c>), from a client that
/// writes frames by hand: what RFC 6455 asks of a server (fragments, control frames between them, every
/// length encoding, masks, close handshake) and what a hostile client gets (close codes 1002, 1007, 1009,
/// refused before the payload is read).
/// </summary>
public sealed class PipeWebSocketTests
{
    [Fact]
    public async Task A_message_in_fragments_with_a_ping_between_arriving_byte_by_byte_is_one_message()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers());
        await using var socket = await ConnectedAsync(server);

        byte[] frames =
        [
            .. RawWebSocket.Text("421[\"echo\",", final: false),
            .. RawWebSocket.Frame(0x00, "\"ünï"u8),
            .. RawWebSocket.Frame(0x89, "are you there"u8),
            .. RawWebSocket.Frame(0x80, "cöde\"]"u8),
        ];
        await socket.TrickleAsync(frames);
        var pong = await socket.ReadFrameAsync();
        var ack = await socket.ReadTextAsync();

        Assert.Equal((0xA, "are you there"), (pong.Opcode, Encoding.UTF8.GetString(pong.Payload)));
        Assert.Equal("431[\"ünïcöde\"]", ack);
    }

    [Fact]
    public async Task Messages_of_every_length_encoding_go_both_ways()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers());
        await using var socket = await ConnectedAsync(server);

        var replies = new List<string>();
        foreach (var size in new[] { 0, 100, 125, 126, 1_000, 65_535, 65_536, 200_000 })
        {
            var text = new string('x', size);
            await socket.SendAsync(RawWebSocket.Text($"421[\"echo\",\"{text}\"]"));
            replies.Add(await socket.ReadTextAsync());
        }

        Assert.Equal(new[] { 0, 100, 125, 126, 1_000, 65_535, 65_536, 200_000 }.Select(n => $"431[\"{new string('x', n)}\"]"), replies);
    }

    [Fact]
    public async Task Many_unasked_pongs_in_one_write_are_ignored()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers());
        await using var socket = await ConnectedAsync(server);

        await socket.SendAsync([.. Enumerable.Range(0, 20_000).SelectMany(_ => RawWebSocket.Frame(0x8A, []))]);
        await socket.SendAsync(RawWebSocket.Text("421[\"echo\",\"still here\"]"));

        Assert.Equal("431[\"still here\"]", await socket.ReadTextAsync());
    }

    [Fact]
    public async Task A_flood_of_pings_in_one_write_gets_a_pong_for_the_last_not_one_each()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers());
        await using var socket = await ConnectedAsync(server);
        const int Pings = 20_000;

        // Each ping carries its number; the pongs that come back must be for pings sent, in order, ending
        // with the last one (RFC 6455 lets a run of pings be answered once, for the most recent).
        await socket.SendAsync([.. Enumerable.Range(0, Pings).SelectMany(i => RawWebSocket.Frame(0x89, BitConverter.GetBytes(i)))]);
        var answered = new List<int>();
        while (answered.LastOrDefault(-1) != Pings - 1)
        {
            var (opcode, payload) = await socket.ReadFrameAsync();
            Assert.Equal(0xA, opcode);
            answered.Add(BitConverter.ToInt32(payload));
        }

        await socket.SendAsync(RawWebSocket.Text("421[\"echo\",\"still here\"]"));

        Assert.Equal("431[\"still here\"]", await socket.ReadTextAsync());
        Assert.Equal(answered.Order(), answered);
        Assert.Equal(answered.Distinct().Count(), answered.Count);
        // One pong per read of the connection: 200 KB in one write arrives in a few dozen reads, not 20,000.
        Assert.True(answered.Count < Pings / 10, $"{answered.Count} pongs for {Pings} pings");
    }

    [Fact]
    public async Task A_client_close_is_answered_with_a_close_and_the_connection_ends()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers());
        var (socket, _) = await RawWebSocket.OpenAsync(server.Address);
        await using var _ = socket;

        await socket.SendAsync(RawWebSocket.Frame(0x88, [0x03, 0xE8, (byte)'b', (byte)'y', (byte)'e']));

        Assert.Equal(1000, await socket.ReadCloseAsync());
        Assert.True(await socket.EndedAsync());
    }

    public static TheoryData<string, byte[], int> BadFrames => new()
    {
        { "not masked", RawWebSocket.Frame(0x81, "40"u8, mask: false), 1002 },
        { "reserved bit", RawWebSocket.Frame(0xC1, "40"u8), 1002 },
        { "unknown opcode", RawWebSocket.Frame(0x83, "40"u8), 1002 },
        { "continuation without a message", RawWebSocket.Frame(0x80, "40"u8), 1002 },
        { "new message inside a fragmented one", [.. RawWebSocket.Text("4", final: false), .. RawWebSocket.Text("0")], 1002 },
        { "fragmented ping", RawWebSocket.Frame(0x09, "x"u8), 1002 },
        { "ping over 125 bytes", RawWebSocket.Frame(0x89, new byte[126]), 1002 },
        { "close with a one-byte body", RawWebSocket.Frame(0x88, [0x03]), 1002 },
        { "close with a reserved code", RawWebSocket.Frame(0x88, [0x03, 0xEE]), 1002 },
        { "text that is not UTF-8", RawWebSocket.Frame(0x81, [(byte)'4', 0xC3, 0x28]), 1007 },
        { "64-bit length with its top bit set (found by the fuzz target)", [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4], 1002 },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task A_frame_against_the_protocol_closes_the_connection_with_its_code(string what, byte[] frame, int code)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers());
        var (socket, _) = await RawWebSocket.OpenAsync(server.Address);
        await using var _ = socket;

        await socket.SendAsync(frame);

        Assert.True(code == await socket.ReadCloseAsync(), what);
        Assert.True(await socket.EndedAsync(), what);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_refused_from_its_header_before_its_payload_arrives()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), configure: o => o.MaxPayloadBytes = 1_000);
        var (socket, _) = await RawWebSocket.OpenAsync(server.Address);
        await using var _ = socket;

        // A header announcing 2^40 bytes, and not one byte of them.
        await socket.SendAsync([0x82, 0xFF, 0, 0, 0x01, 0, 0, 0, 0, 0, 1, 2, 3, 4]);

        Assert.Equal(1009, await socket.ReadCloseAsync());
    }

    [Fact]
    public async Task A_message_over_the_limit_in_fragments_is_refused()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), configure: o => o.MaxPayloadBytes = 1_000);
        var (socket, _) = await RawWebSocket.OpenAsync(server.Address);
        await using var _ = socket;

        await socket.SendAsync([.. RawWebSocket.Frame(0x01, new byte[600]), .. RawWebSocket.Frame(0x80, new byte[600])]);

        Assert.Equal(1009, await socket.ReadCloseAsync());
    }

    /// <summary>A hand-written client with its session open and the main namespace connected.</summary>
    private static async Task<RawWebSocket> ConnectedAsync(TestServer server)
    {
        var (socket, _) = await RawWebSocket.OpenAsync(server.Address);
        await socket.SendAsync(RawWebSocket.Text("40"));
        Assert.StartsWith("40{", await socket.ReadTextAsync(), StringComparison.Ordinal);
        return socket;
    }
}
