using System.Text;
using System.Text.Json;
using Channels.Backplane;
using Channels.Protocol;

namespace Channels.Tests.Protocol;

/// <summary>
/// The outgoing Socket.IO encoders: <see cref="PacketWriter"/> for EVENT/ACK (compact JSON, namespace
/// prefix, ack ids, binary placeholders and attachments) and <see cref="SocketIoFrames"/> for
/// CONNECT, CONNECT_ERROR and DISCONNECT.
/// </summary>
public sealed class PacketWriterTests
{
    private const string Placeholder0 = "{\"_placeholder\":true,\"num\":0}";
    private const string Placeholder1 = "{\"_placeholder\":true,\"num\":1}";
    private const string Placeholder2 = "{\"_placeholder\":true,\"num\":2}";

    private static JsonSerializerOptions Options()
    {
        var options = new ChannelsOptions().JsonSerializerOptions;
        options.TypeInfoResolverChain.Insert(0, ProtocolTestJson.Default);
        return options;
    }

    private static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static ChannelPayload Arguments(string packet, params byte[][] attachments)
    {
        Assert.True(SocketIoParser.TryParse(Encoding.UTF8.GetBytes(packet), 10, out var parsed, out var error), error);
        return parsed!.Arguments!.WithAttachments([.. attachments.Select(a => (ReadOnlyMemory<byte>)a)]);
    }

    private static void AssertAttachments(EncodedPacket packet, params byte[][] expected)
    {
        Assert.Equal(expected.Length, packet.Attachments.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], packet.Attachments[i].ToArray());
        }
    }

    // ---- EVENT ----

    [Fact]
    public void Event_is_written_as_compact_json()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("message-back");
        writer.WriteValue(1);
        writer.WriteValue("2");
        writer.WriteObject(Element("{ \"3\" : [ true ] }"));

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal("42[\"message-back\",1,\"2\",{\"3\":[true]}]", packet.ToString());
        Assert.Empty(packet.Attachments);
    }

    [Fact]
    public void Event_on_a_custom_namespace_has_the_namespace_prefix_and_comma()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("auth");
        writer.WriteObject(Element("{}"));

        var packet = writer.Finish(ack: false, "/custom", ackId: -1);

        Assert.Equal("42/custom,[\"auth\",{}]", packet.ToString());
    }

    [Fact]
    public void Event_with_an_ack_id_puts_the_id_before_the_array()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("question");
        writer.WriteString("what is 6x7?");

        var packet = writer.Finish(ack: false, "/", ackId: 12);

        Assert.Equal("4212[\"question\",\"what is 6x7?\"]", packet.ToString());
    }

    [Fact]
    public void Event_with_namespace_and_ack_id()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("x");

        var packet = writer.Finish(ack: false, "/admin", ackId: 0);

        Assert.Equal("42/admin,0[\"x\"]", packet.ToString());
    }

    [Fact]
    public void Null_values_are_written_as_json_null()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("nothing");
        writer.WriteValue<string?>(null);
        writer.WriteObject(null);

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal("42[\"nothing\",null,null]", packet.ToString());
    }

    [Fact]
    public void Typed_values_go_through_the_resolver_chain_in_camel_case()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("message");
        writer.WriteValue(new ProtocolTestPerson("ada", 36));

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal("42[\"message\",{\"userName\":\"ada\",\"age\":36}]", packet.ToString());
    }

    [Fact]
    public void Values_known_only_at_run_time_use_their_runtime_type()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("message");
        writer.WriteObject(new ProtocolTestPerson("grace", 45));
        writer.WriteValue<object>(new ProtocolTestPerson("alan", 41));
        writer.WriteObject(7);
        writer.WriteObject(true);

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal(
            "42[\"message\",{\"userName\":\"grace\",\"age\":45},{\"userName\":\"alan\",\"age\":41},7,true]",
            packet.ToString());
    }

    [Fact]
    public void Strings_are_escaped_so_that_the_frame_parses_back_to_the_same_text()
    {
        const string tricky = "he said \"hi\"\n\\ caf\u00e9 \u2603 </script>";
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("say");
        writer.WriteValue(tricky);

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.True(SocketIoParser.TryParse(packet.Frame[1..], 10, out var parsed, out var error), error);
        Assert.Equal("say", parsed!.EventName);
        Assert.Equal(tricky, parsed.Arguments!.GetString(0));
    }

    [Fact]
    public void Large_payloads_are_written_whole()
    {
        var big = new string('x', 100_000);
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("big");
        writer.WriteValue(big);

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal($"42[\"big\",\"{big}\"]", packet.ToString());
    }

    // ---- ACK ----

    [Fact]
    public void Ack_is_type_3_with_the_ack_id()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteValue(1);
        writer.WriteValue("2");
        writer.WriteObject(Element("{\"3\":[false]}"));

        var packet = writer.Finish(ack: true, "/", ackId: 456);

        Assert.Equal("43456[1,\"2\",{\"3\":[false]}]", packet.ToString());
    }

    [Fact]
    public void Ack_without_values_is_an_empty_array()
    {
        var packet = PacketWriter.Rent(Options()).Finish(ack: true, "/", ackId: 3);

        Assert.Equal("433[]", packet.ToString());
    }

    [Fact]
    public void Ack_on_a_custom_namespace()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteValue(new ChannelAck(true, null));

        var packet = writer.Finish(ack: true, "/custom", ackId: 7);

        Assert.Equal("43/custom,7[{\"ok\":true}]", packet.ToString());
    }

    [Fact]
    public void Ack_with_the_largest_ack_id()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteValue(true);

        var packet = writer.Finish(ack: true, "/", ackId: 999_999_999_999_999);

        Assert.Equal("43999999999999999[true]", packet.ToString());
    }

    // ---- binary ----

    [Fact]
    public void Binary_values_become_placeholders_and_attachments()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("message-back");
        writer.WriteValue(new byte[] { 1, 2, 3 });
        writer.WriteValue(new ReadOnlyMemory<byte>([4, 5, 6]));

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal($"452-[\"message-back\",{Placeholder0},{Placeholder1}]", packet.ToString());
        AssertAttachments(packet, [1, 2, 3], [4, 5, 6]);
    }

    [Fact]
    public void Binary_of_every_buffer_type_is_an_attachment()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("buffers");
        writer.WriteObject(new Memory<byte>([1]));
        writer.WriteObject(new ArraySegment<byte>([0, 2, 0], 1, 1));
        writer.WriteObject((object)new byte[] { 3 });

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal($"453-[\"buffers\",{Placeholder0},{Placeholder1},{Placeholder2}]", packet.ToString());
        AssertAttachments(packet, [1], [2], [3]);
    }

    [Fact]
    public void Binary_nested_in_a_json_element_is_not_mistaken_for_an_attachment()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("plain");
        writer.WriteObject(Element(Placeholder0));

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal($"42[\"plain\",{Placeholder0}]", packet.ToString());
        Assert.Empty(packet.Attachments);
    }

    [Fact]
    public void Binary_ack_is_type_6_with_attachment_count_and_ack_id()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteValue(new byte[] { 1, 2, 3 });
        writer.WriteValue(new byte[] { 4, 5, 6 });

        var packet = writer.Finish(ack: true, "/", ackId: 789);

        Assert.Equal($"462-789[{Placeholder0},{Placeholder1}]", packet.ToString());
        AssertAttachments(packet, [1, 2, 3], [4, 5, 6]);
    }

    [Fact]
    public void Binary_event_on_a_custom_namespace_puts_the_count_before_the_namespace()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("file");
        writer.WriteValue(new byte[] { 9 });

        var packet = writer.Finish(ack: false, "/custom", ackId: 5);

        Assert.Equal($"451-/custom,5[\"file\",{Placeholder0}]", packet.ToString());
    }

    [Fact]
    public void Many_attachments_get_a_multi_digit_count()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("many");
        for (var i = 0; i < 12; i++)
        {
            writer.WriteValue(new[] { (byte)i });
        }

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.StartsWith("4512-[\"many\",", packet.ToString(), StringComparison.Ordinal);
        Assert.Contains("{\"_placeholder\":true,\"num\":11}", packet.ToString(), StringComparison.Ordinal);
        Assert.Equal(12, packet.Attachments.Count);
        Assert.Equal(new byte[] { 11 }, packet.Attachments[11].ToArray());
    }

    // ---- payloads written back (the echo path) ----

    [Fact]
    public void Received_arguments_are_written_back_unchanged()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("message-back");
        writer.WriteArguments(Arguments("2[\"message\",1,\"2\",{\"3\":[true]}]"));

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal("42[\"message-back\",1,\"2\",{\"3\":[true]}]", packet.ToString());
    }

    [Fact]
    public void Received_binary_arguments_keep_their_placeholders_and_attachments()
    {
        var payload = Arguments($"52-[\"message\",{Placeholder0},{Placeholder1}]", [1, 2, 3], [4, 5, 6]);
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("message-back");
        writer.WriteArguments(payload);

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal($"452-[\"message-back\",{Placeholder0},{Placeholder1}]", packet.ToString());
        AssertAttachments(packet, [1, 2, 3], [4, 5, 6]);
    }

    [Fact]
    public void Received_binary_arguments_as_an_ack_make_a_binary_ack()
    {
        var payload = Arguments($"52-789[\"message-with-ack\",{Placeholder0},{Placeholder1}]", [1, 2, 3], [4, 5, 6]);
        var writer = PacketWriter.Rent(Options());
        writer.WriteObject(payload);

        var packet = writer.Finish(ack: true, "/", ackId: 789);

        Assert.Equal($"462-789[{Placeholder0},{Placeholder1}]", packet.ToString());
        AssertAttachments(packet, [1, 2, 3], [4, 5, 6]);
    }

    [Fact]
    public void Received_binary_arguments_after_other_attachments_are_renumbered()
    {
        var payload = Arguments($"52-[\"message\",{{\"inner\":[{Placeholder1}]}},{Placeholder0}]", [1], [2]);
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("combined");
        writer.WriteValue(new byte[] { 9 });
        writer.WriteArguments(payload);

        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal($"453-[\"combined\",{Placeholder0},{{\"inner\":[{Placeholder2}]}},{Placeholder1}]", packet.ToString());
        AssertAttachments(packet, [9], [1], [2]);
    }

    // ---- writer reuse ----

    [Fact]
    public void A_returned_writer_starts_the_next_packet_clean()
    {
        var abandoned = PacketWriter.Rent(Options());
        abandoned.WriteString("abandoned");
        abandoned.WriteValue(new byte[] { 1 });
        abandoned.Return();

        var writer = PacketWriter.Rent(Options());
        writer.WriteString("fresh");
        var packet = writer.Finish(ack: false, "/", ackId: -1);

        Assert.Equal("42[\"fresh\"]", packet.ToString());
        Assert.Empty(packet.Attachments);
    }

    [Fact]
    public void Consecutive_packets_do_not_share_state()
    {
        var first = PacketWriter.Rent(Options());
        first.WriteString("one");
        first.WriteValue(new byte[] { 1 });
        var one = first.Finish(ack: false, "/", ackId: 1);

        var second = PacketWriter.Rent(Options());
        second.WriteString("two");
        var two = second.Finish(ack: false, "/", ackId: -1);

        Assert.Equal($"451-1[\"one\",{Placeholder0}]", one.ToString());
        AssertAttachments(one, [1]);
        Assert.Equal("42[\"two\"]", two.ToString());
        Assert.Empty(two.Attachments);
    }

    [Fact]
    public void A_value_the_resolver_cannot_serialize_throws_and_the_writer_recovers()
    {
        var options = new ChannelsOptions().JsonSerializerOptions;
        var writer = PacketWriter.Rent(options);
        writer.WriteString("unknown");

        Assert.ThrowsAny<Exception>(() => writer.WriteValue(new ProtocolTestPerson("x", 1)));
        writer.Return();

        var next = PacketWriter.Rent(options);
        next.WriteString("after");
        Assert.Equal("42[\"after\"]", next.Finish(ack: false, "/", ackId: -1).ToString());
    }

    // ---- round trips ----

    [Theory]
    [InlineData("/", -1)]
    [InlineData("/", 0)]
    [InlineData("/custom", -1)]
    [InlineData("/custom", 42)]
    public void Written_events_parse_back_to_the_same_packet(string @namespace, long ackId)
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteString("round-trip");
        writer.WriteValue(1);
        writer.WriteValue("two");
        writer.WriteValue(new ProtocolTestPerson("ada", 36));
        writer.WriteValue(new byte[] { 7, 8 });
        var packet = writer.Finish(ack: false, @namespace, ackId);

        Assert.True(SocketIoParser.TryParse(packet.Frame[1..], 10, out var parsed, out var error), error);
        Assert.Equal(SocketIoPacketType.BinaryEvent, parsed!.Type);
        Assert.Equal(@namespace, parsed.Namespace);
        Assert.Equal(ackId, parsed.AckId);
        Assert.Equal(1, parsed.AttachmentCount);
        Assert.Equal("round-trip", parsed.EventName);
        var args = parsed.Arguments!.WithAttachments([.. packet.Attachments]);
        Assert.Equal(4, args.Count);
        Assert.Equal("1", args.GetString(0));
        Assert.Equal("two", args.GetString(1));
        Assert.Equal(new ProtocolTestPerson("ada", 36), args.Deserialize(2, ProtocolTestJson.Default.ProtocolTestPerson));
        Assert.True(args.TryGetBinary(3, out var bytes));
        Assert.Equal(new byte[] { 7, 8 }, bytes.ToArray());
    }

    [Fact]
    public void Written_acks_parse_back_to_the_same_packet()
    {
        var writer = PacketWriter.Rent(Options());
        writer.WriteValue("done");
        var packet = writer.Finish(ack: true, "/custom", ackId: 99);

        Assert.True(SocketIoParser.TryParse(packet.Frame[1..], 10, out var parsed, out var error), error);
        Assert.Equal(SocketIoPacketType.Ack, parsed!.Type);
        Assert.Equal("/custom", parsed.Namespace);
        Assert.Equal(99, parsed.AckId);
        Assert.Equal("done", parsed.Arguments!.GetString(0));
    }

    // ---- fixed frames ----

    [Fact]
    public void Connect_reply_carries_only_the_sid()
    {
        Assert.Equal("40{\"sid\":\"abc\"}", SocketIoFrames.Connect("/", "abc").ToString());
        Assert.Equal("40/custom,{\"sid\":\"abc\"}", SocketIoFrames.Connect("/custom", "abc").ToString());
    }

    [Fact]
    public void Connect_error_for_unknown_namespace_is_exactly_the_reference_text() =>
        Assert.Equal("44/random,{\"message\":\"Invalid namespace\"}", SocketIoFrames.ConnectError("/random", "Invalid namespace").ToString());

    [Fact]
    public void Connect_error_can_carry_data()
    {
        var packet = SocketIoFrames.ConnectError("/", "not authorized", Element("{\"reason\":1}"));

        Assert.Equal("44{\"message\":\"not authorized\",\"data\":{\"reason\":1}}", packet.ToString());
    }

    [Fact]
    public void Disconnect_frames()
    {
        Assert.Equal("41", SocketIoFrames.Disconnect("/").ToString());
        Assert.Equal("41/custom,", SocketIoFrames.Disconnect("/custom").ToString());
    }

    [Fact]
    public void Encoded_packet_must_be_an_engine_io_message()
    {
        Assert.Throws<ArgumentException>(() => new EncodedPacket("2[\"x\"]"u8.ToArray()));
        Assert.Throws<ArgumentException>(() => new EncodedPacket(ReadOnlyMemory<byte>.Empty));
        Assert.Empty(new EncodedPacket("42[\"x\"]"u8.ToArray()).Attachments);
    }
}

/// <summary><see cref="PacketEncoder.Readdress"/>: a packet encoded for one namespace, sent to a socket of another.</summary>
public sealed class ReaddressTests
{
    [Theory]
    [InlineData("42[\"message\",\"hi\"]", "/", "/admin", "42/admin,[\"message\",\"hi\"]")]
    [InlineData("42/admin,[\"message\",\"hi\"]", "/admin", "/", "42[\"message\",\"hi\"]")]
    [InlineData("42/a,[\"message\"]", "/a", "/b", "42/b,[\"message\"]")]
    [InlineData("451-[\"message\",{\"_placeholder\":true,\"num\":0}]", "/", "/admin", "451-/admin,[\"message\",{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("43/x,7[{\"ok\":true}]", "/x", "/", "437[{\"ok\":true}]")]
    public void The_namespace_is_replaced_and_the_rest_kept(string frame, string from, string to, string expected)
    {
        var attachments = new ReadOnlyMemory<byte>[] { new byte[] { 1, 2 } };
        var packet = new EncodedPacket(Encoding.UTF8.GetBytes(frame), attachments);

        var readdressed = PacketEncoder.Readdress(packet, from, to);

        Assert.Equal(expected, readdressed.ToString());
        Assert.Same(packet.Attachments, readdressed.Attachments);
        Assert.True(SocketIoParser.TryParse(readdressed.Frame[1..], 10, out var parsed, out var error), error);
        Assert.Equal(to, parsed!.Namespace);
    }

    [Fact]
    public void The_same_namespace_returns_the_same_packet()
    {
        var packet = new EncodedPacket("42[\"x\"]"u8.ToArray());
        Assert.Same(packet, PacketEncoder.Readdress(packet, "/", "/"));
    }
}

