using System.Buffers;
using System.Text;
using Channels.Protocol;

namespace Channels.Tests.Protocol;

/// <summary>
/// HTTP long-polling bodies: packets joined with <c>\u001e</c>, binary as <c>b</c> + base64; and the
/// Engine.IO packet types they carry.
/// </summary>
public sealed class PollingPayloadTests
{
    private static List<EnginePacket> Decode(string body)
    {
        var packets = new List<EnginePacket>();
        Assert.True(PollingPayload.TryDecode(Encoding.UTF8.GetBytes(body), packets), $"'{body}' was refused");
        return packets;
    }

    private static bool TryDecode(string body) => PollingPayload.TryDecode(Encoding.UTF8.GetBytes(body), []);

    private static string Encode(params EngineFrame[] frames)
    {
        var output = new ArrayBufferWriter<byte>();
        var first = true;
        foreach (var frame in frames)
        {
            PollingPayload.Encode(output, frame, ref first);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string Text(EnginePacket packet) => Encoding.UTF8.GetString(packet.Data.Span);

    // ---- decoding ----

    [Fact]
    public void Text_and_binary_packets_are_split_on_the_record_separator()
    {
        var packets = Decode("4a\u001e4b\u001ebAQIDBA==");

        Assert.Equal(3, packets.Count);
        Assert.Equal(EnginePacketType.Message, packets[0].Type);
        Assert.False(packets[0].IsBinary);
        Assert.Equal("a", Text(packets[0]));
        Assert.Equal(EnginePacketType.Message, packets[1].Type);
        Assert.Equal("b", Text(packets[1]));
        Assert.Equal(EnginePacketType.Message, packets[2].Type);
        Assert.True(packets[2].IsBinary);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, packets[2].Data.ToArray());
    }

    [Fact]
    public void A_single_packet_body_has_no_separator()
    {
        var packet = Assert.Single(Decode("4hello"));

        Assert.Equal(EnginePacketType.Message, packet.Type);
        Assert.Equal("hello", Text(packet));
    }

    [Fact]
    public void Three_messages_decode_in_order()
    {
        var packets = Decode("4test1\u001e4test2\u001e4test3");

        Assert.Equal(new[] { "test1", "test2", "test3" }, packets.Select(Text));
    }

    [Theory]
    [InlineData("1", (int)EnginePacketType.Close)]
    [InlineData("2", (int)EnginePacketType.Ping)]
    [InlineData("3", (int)EnginePacketType.Pong)]
    [InlineData("4", (int)EnginePacketType.Message)]
    [InlineData("5", (int)EnginePacketType.Upgrade)]
    [InlineData("6", (int)EnginePacketType.Noop)]
    public void Each_client_packet_type_is_recognised(string body, int type)
    {
        var packet = Assert.Single(Decode(body));

        Assert.Equal((EnginePacketType)type, packet.Type);
        Assert.True(packet.Data.IsEmpty);
    }

    [Fact]
    public void Probe_ping_keeps_its_data()
    {
        var packet = Assert.Single(Decode("2probe"));

        Assert.Equal(EnginePacketType.Ping, packet.Type);
        Assert.Equal("probe", Text(packet));
    }

    [Fact]
    public void Message_text_may_contain_any_utf8()
    {
        var packet = Assert.Single(Decode("4caf\u00e9 \u2603 42[\"x\"]"));

        Assert.Equal("caf\u00e9 \u2603 42[\"x\"]", Text(packet));
    }

    [Fact]
    public void Empty_binary_is_an_empty_binary_message()
    {
        var packet = Assert.Single(Decode("b"));

        Assert.True(packet.IsBinary);
        Assert.True(packet.Data.IsEmpty);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("0{\"sid\":\"x\"}")]
    [InlineData("7")]
    [InlineData("4a\u001e")]
    [InlineData("\u001e4a")]
    [InlineData("4a\u001e\u001e4b")]
    [InlineData("4a\u001exyz")]
    [InlineData("b!!!")]
    [InlineData("bAQIDBA")]
    [InlineData("4a\u001ebAQ=IDBA==")]
    public void Invalid_bodies_are_refused(string body) =>
        Assert.False(TryDecode(body));

    [Fact]
    public void Decoding_a_slice_reads_only_that_slice()
    {
        var buffer = Encoding.UTF8.GetBytes("xx4hello\u001e3yy");

        var packets = new List<EnginePacket>();
        Assert.True(PollingPayload.TryDecode(buffer.AsMemory(2, buffer.Length - 4), packets));

        Assert.Equal(2, packets.Count);
        Assert.Equal("hello", Text(packets[0]));
        Assert.Equal(EnginePacketType.Pong, packets[1].Type);
    }

    // ---- EnginePacket ----

    [Theory]
    [InlineData("4hello", (int)EnginePacketType.Message, "hello")]
    [InlineData("2probe", (int)EnginePacketType.Ping, "probe")]
    [InlineData("3probe", (int)EnginePacketType.Pong, "probe")]
    [InlineData("5", (int)EnginePacketType.Upgrade, "")]
    [InlineData("1", (int)EnginePacketType.Close, "")]
    public void Engine_text_packets_parse_to_type_and_data(string frame, int type, string data)
    {
        Assert.True(EnginePacket.TryParseText(Encoding.UTF8.GetBytes(frame), out var packet));

        Assert.Equal((EnginePacketType)type, packet.Type);
        Assert.Equal(data, Text(packet));
        Assert.False(packet.IsBinary);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("0{}")]
    [InlineData("7")]
    [InlineData("abc")]
    [InlineData("/")]
    public void Engine_text_packets_that_a_client_may_not_send_are_refused(string frame) =>
        Assert.False(EnginePacket.TryParseText(Encoding.UTF8.GetBytes(frame), out _));

    [Fact]
    public void A_binary_frame_is_a_message_carrying_the_bytes_as_they_are()
    {
        var packet = EnginePacket.Binary(new byte[] { 4, 2 });

        Assert.Equal(EnginePacketType.Message, packet.Type);
        Assert.True(packet.IsBinary);
        Assert.Equal(new byte[] { 4, 2 }, packet.Data.ToArray());
    }

    // ---- encoding ----

    [Fact]
    public void One_text_packet_is_written_without_separator() =>
        Assert.Equal("4hello", Encode(new EngineFrame("4hello"u8.ToArray())));

    [Fact]
    public void Text_and_binary_are_joined_with_the_separator_and_binary_is_base64() =>
        Assert.Equal(
            "4hello\u001ebAQIDBA==",
            Encode(new EngineFrame("4hello"u8.ToArray()), new EngineFrame(ReadOnlyMemory<byte>.Empty, [new byte[] { 1, 2, 3, 4 }])));

    [Fact]
    public void Several_text_packets_are_joined_with_the_separator() =>
        Assert.Equal(
            "4test1\u001e4test2\u001e2",
            Encode(new EngineFrame("4test1"u8.ToArray()), new EngineFrame("4test2"u8.ToArray()), EngineFrame.Ping));

    [Fact]
    public void A_packet_with_attachments_is_followed_by_each_attachment()
    {
        var frame = new EngineFrame(
            "451-[\"x\",{\"_placeholder\":true,\"num\":0}]"u8.ToArray(),
            [new byte[] { 1, 2, 3 }, new byte[] { 4, 5, 6 }]);

        Assert.Equal("451-[\"x\",{\"_placeholder\":true,\"num\":0}]\u001ebAQID\u001ebBAUG", Encode(frame));
    }

    [Fact]
    public void Empty_binary_is_written_as_a_lone_b() =>
        Assert.Equal("b", Encode(new EngineFrame(ReadOnlyMemory<byte>.Empty, [ReadOnlyMemory<byte>.Empty])));

    [Fact]
    public void Control_frames_encode_to_their_type_digit() =>
        Assert.Equal("2\u001e6\u001e1\u001e3probe", Encode(EngineFrame.Ping, EngineFrame.Noop, EngineFrame.Close, EngineFrame.ProbeReply));

    [Fact]
    public void Large_binary_is_base64_encoded_whole()
    {
        var data = Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray();

        var body = Encode(new EngineFrame(ReadOnlyMemory<byte>.Empty, [data]));

        Assert.Equal("b" + Convert.ToBase64String(data), body);
    }

    [Fact]
    public void Encoded_bodies_decode_to_the_same_messages()
    {
        var binary = new byte[] { 0, 255, 30, 0x1e };
        var body = Encode(new EngineFrame("4one"u8.ToArray()), new EngineFrame("4two"u8.ToArray(), [binary]));

        var packets = Decode(body);

        Assert.Equal(3, packets.Count);
        Assert.Equal("one", Text(packets[0]));
        Assert.Equal("two", Text(packets[1]));
        Assert.True(packets[2].IsBinary);
        Assert.Equal(binary, packets[2].Data.ToArray());
    }

    [Fact]
    public void Frame_size_counts_text_and_attachments()
    {
        var frame = new EngineFrame("42[]"u8.ToArray(), [new byte[10], new byte[5]]);

        Assert.Equal(19, frame.Size);
        Assert.Equal(1, EngineFrame.Ping.Size);
    }
}
