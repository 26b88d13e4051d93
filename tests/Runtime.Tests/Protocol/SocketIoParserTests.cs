using System.Text;
using Channels.Protocol;

namespace Channels.Tests.Protocol;

/// <summary>
/// The Socket.IO v5 decoder: every packet type, namespaces, ack ids, attachment counts, and each
/// input the reference parser (socket.io-parser) refuses.
/// </summary>
public sealed class SocketIoParserTests
{
    private const int MaxAttachments = 10;

    private static SocketIoPacket Parse(string text)
    {
        var ok = SocketIoParser.TryParse(Encoding.UTF8.GetBytes(text), MaxAttachments, out var packet, out var error);
        Assert.True(ok, $"'{text}' was refused: {error}");
        Assert.Null(error);
        return packet!;
    }

    private static string Refuse(string text, int maxAttachments = MaxAttachments)
    {
        var ok = SocketIoParser.TryParse(Encoding.UTF8.GetBytes(text), maxAttachments, out var packet, out var error);
        Assert.False(ok, $"'{text}' was accepted");
        Assert.Null(packet);
        Assert.NotNull(error);
        return error!;
    }

    private static string Json(SocketIoPacket packet) => Encoding.UTF8.GetString(packet.Json.Span);

    // ---- CONNECT ----

    [Fact]
    public void Connect_to_main_namespace_without_payload()
    {
        var packet = Parse("0");

        Assert.Equal(SocketIoPacketType.Connect, packet.Type);
        Assert.Equal("/", packet.Namespace);
        Assert.True(packet.Json.IsEmpty);
        Assert.Equal(-1, packet.AckId);
        Assert.False(packet.HasAck);
        Assert.Equal(0, packet.AttachmentCount);
        Assert.Null(packet.Arguments);
    }

    [Fact]
    public void Connect_to_main_namespace_with_payload_keeps_the_json_as_sent()
    {
        var packet = Parse("0{\"token\":\"123\"}");

        Assert.Equal(SocketIoPacketType.Connect, packet.Type);
        Assert.Equal("/", packet.Namespace);
        Assert.Equal("{\"token\":\"123\"}", Json(packet));
    }

    [Theory]
    [InlineData("0/custom,")]
    [InlineData("0/custom")]
    public void Connect_to_custom_namespace_with_or_without_trailing_comma(string text)
    {
        var packet = Parse(text);

        Assert.Equal(SocketIoPacketType.Connect, packet.Type);
        Assert.Equal("/custom", packet.Namespace);
        Assert.True(packet.Json.IsEmpty);
    }

    [Fact]
    public void Connect_to_custom_namespace_with_payload()
    {
        var packet = Parse("0/custom,{\"token\":\"abc\"}");

        Assert.Equal("/custom", packet.Namespace);
        Assert.Equal("{\"token\":\"abc\"}", Json(packet));
    }

    [Theory]
    [InlineData("0[1,2]")]
    [InlineData("0\"text\"")]
    [InlineData("042")]
    [InlineData("0/custom,[]")]
    [InlineData("0/custom,true")]
    public void Connect_payload_that_is_not_an_object_is_refused(string text) =>
        Assert.Equal(ProtocolErrors.BadPayload, Refuse(text));

    // ---- DISCONNECT ----

    [Fact]
    public void Disconnect_from_main_namespace()
    {
        var packet = Parse("1");

        Assert.Equal(SocketIoPacketType.Disconnect, packet.Type);
        Assert.Equal("/", packet.Namespace);
        Assert.True(packet.Json.IsEmpty);
    }

    [Theory]
    [InlineData("1/custom,")]
    [InlineData("1/custom")]
    public void Disconnect_from_custom_namespace(string text)
    {
        var packet = Parse(text);

        Assert.Equal(SocketIoPacketType.Disconnect, packet.Type);
        Assert.Equal("/custom", packet.Namespace);
    }

    [Theory]
    [InlineData("1{}")]
    [InlineData("1[]")]
    [InlineData("1/custom,\"x\"")]
    public void Disconnect_with_a_payload_is_refused(string text) =>
        Assert.Equal(ProtocolErrors.BadPayload, Refuse(text));

    // ---- EVENT ----

    [Fact]
    public void Event_has_its_name_and_the_remaining_items_as_arguments()
    {
        var packet = Parse("2[\"message\",1,\"2\",{\"3\":[true]}]");

        Assert.Equal(SocketIoPacketType.Event, packet.Type);
        Assert.Equal("/", packet.Namespace);
        Assert.Equal("message", packet.EventName);
        Assert.False(packet.HasAck);
        var args = packet.Arguments!;
        Assert.Equal(3, args.Count);
        Assert.Equal("1", Encoding.UTF8.GetString(args.GetRawJson(0).Span));
        Assert.Equal("\"2\"", Encoding.UTF8.GetString(args.GetRawJson(1).Span));
        Assert.Equal("{\"3\":[true]}", Encoding.UTF8.GetString(args.GetRawJson(2).Span));
    }

    [Fact]
    public void Event_without_arguments_has_an_empty_argument_list()
    {
        var packet = Parse("2[\"ping-me\"]");

        Assert.Equal("ping-me", packet.EventName);
        Assert.Equal(0, packet.Arguments!.Count);
    }

    [Fact]
    public void Event_with_ack_id()
    {
        var packet = Parse("2456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");

        Assert.Equal(SocketIoPacketType.Event, packet.Type);
        Assert.Equal(456, packet.AckId);
        Assert.True(packet.HasAck);
        Assert.Equal("message-with-ack", packet.EventName);
        Assert.Equal(3, packet.Arguments!.Count);
    }

    [Fact]
    public void Event_with_namespace_and_ack_id()
    {
        var packet = Parse("2/custom,12[\"hello\",\"world\"]");

        Assert.Equal("/custom", packet.Namespace);
        Assert.Equal(12, packet.AckId);
        Assert.Equal("hello", packet.EventName);
        Assert.Equal("world", packet.Arguments!.GetString(0));
    }

    [Fact]
    public void Event_with_ack_id_zero_has_an_ack()
    {
        var packet = Parse("20[\"x\"]");

        Assert.Equal(0, packet.AckId);
        Assert.True(packet.HasAck);
    }

    [Fact]
    public void Event_with_the_largest_allowed_ack_id()
    {
        var packet = Parse("2999999999999999[\"x\"]");

        Assert.Equal(999_999_999_999_999, packet.AckId);
    }

    [Fact]
    public void Event_whose_name_is_a_number_is_accepted_as_the_reference_parser_does()
    {
        var packet = Parse("2[42,\"a\"]");

        Assert.Equal("42", packet.EventName);
        Assert.Equal(1, packet.Arguments!.Count);
    }

    [Fact]
    public void Event_with_many_arguments_keeps_all_of_them_in_order()
    {
        var items = string.Join(",", Enumerable.Range(0, 20));
        var packet = Parse($"2[\"many\",{items}]");

        Assert.Equal(20, packet.Arguments!.Count);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), packet.Arguments.GetString(i));
        }
    }

    [Fact]
    public void Event_with_whitespace_inside_the_json_is_accepted()
    {
        var packet = Parse("2[ \"spaced\" , { \"a\" : 1 } ]");

        Assert.Equal("spaced", packet.EventName);
        Assert.Equal(1, packet.Arguments!.GetElement(0).GetProperty("a").GetInt32());
    }

    [Fact]
    public void Event_with_escaped_unicode_name_is_decoded()
    {
        var packet = Parse("2[\"caf\\u00e9\",\"\u00fcml\u00e4ut\"]");

        Assert.Equal("caf\u00e9", packet.EventName);
        Assert.Equal("\u00fcml\u00e4ut", packet.Arguments!.GetString(0));
    }

    [Theory]
    [InlineData("2{}")]
    [InlineData("2\"message\"")]
    [InlineData("21")]
    [InlineData("2")]
    [InlineData("2[]")]
    [InlineData("2[{}]")]
    [InlineData("2[null]")]
    [InlineData("2[true,1]")]
    [InlineData("2[[\"nested\"]]")]
    public void Event_that_is_not_an_array_starting_with_a_name_is_refused(string text) =>
        Assert.Equal(ProtocolErrors.BadPayload, Refuse(text));

    [Theory]
    [InlineData("connect")]
    [InlineData("connect_error")]
    [InlineData("disconnect")]
    [InlineData("disconnecting")]
    [InlineData("newListener")]
    [InlineData("removeListener")]
    public void Event_with_a_reserved_name_is_refused(string name) =>
        Assert.Equal(ProtocolErrors.ReservedEvent, Refuse($"2[\"{name}\",1]"));

    [Fact]
    public void Event_with_a_name_that_only_resembles_a_reserved_one_is_accepted()
    {
        Assert.Equal("Connect", Parse("2[\"Connect\"]").EventName);
        Assert.Equal("connected", Parse("2[\"connected\"]").EventName);
    }

    [Fact]
    public void Event_with_letters_where_the_ack_id_goes_is_refused() =>
        Assert.Equal(ProtocolErrors.BadJson, Refuse("2abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]"));

    [Fact]
    public void Event_with_an_ack_id_longer_than_fifteen_digits_is_refused() =>
        Assert.Equal(ProtocolErrors.BadAckId, Refuse("21234567890123456[\"x\"]"));

    [Theory]
    [InlineData("2[\"a\"")]
    [InlineData("2[\"a\",]")]
    [InlineData("2[\"a\"] trailing")]
    [InlineData("2[\"a\"][\"b\"]")]
    [InlineData("2['a']")]
    [InlineData("2[\"a\",{\"k\":}]")]
    [InlineData("2[\"a\",undefined]")]
    public void Event_with_invalid_json_is_refused(string text) =>
        Assert.Equal(ProtocolErrors.BadJson, Refuse(text));

    [Fact]
    public void Event_nested_deeper_than_the_reader_limit_is_refused()
    {
        var deep = new string('[', 100) + new string(']', 100);

        Assert.Equal(ProtocolErrors.BadJson, Refuse($"2[\"deep\",{deep}]"));
    }

    // ---- ACK ----

    [Fact]
    public void Ack_carries_every_item_as_an_argument()
    {
        var packet = Parse("3456[1,\"2\",{\"3\":[false]}]");

        Assert.Equal(SocketIoPacketType.Ack, packet.Type);
        Assert.Equal(456, packet.AckId);
        Assert.Null(packet.EventName);
        Assert.Equal(3, packet.Arguments!.Count);
        Assert.Equal("2", packet.Arguments.GetString(1));
    }

    [Fact]
    public void Ack_with_namespace_and_empty_array()
    {
        var packet = Parse("3/custom,7[]");

        Assert.Equal("/custom", packet.Namespace);
        Assert.Equal(7, packet.AckId);
        Assert.Equal(0, packet.Arguments!.Count);
    }

    [Theory]
    [InlineData("3[1]")]
    [InlineData("312{}")]
    [InlineData("312\"x\"")]
    [InlineData("3/custom,[1]")]
    public void Ack_without_id_or_array_is_refused(string text) =>
        Assert.Equal(ProtocolErrors.BadPayload, Refuse(text));

    // ---- CONNECT_ERROR ----

    [Theory]
    [InlineData("4{\"message\":\"Invalid namespace\"}")]
    [InlineData("4/random,{\"message\":\"Invalid namespace\"}")]
    [InlineData("4\"not authorized\"")]
    public void Connect_error_with_object_or_string_is_well_formed(string text) =>
        Assert.Equal(SocketIoPacketType.ConnectError, Parse(text).Type);

    [Theory]
    [InlineData("4[1]")]
    [InlineData("4")]
    [InlineData("41")]
    public void Connect_error_with_other_payload_is_refused(string text) =>
        Assert.Equal(ProtocolErrors.BadPayload, Refuse(text));

    // ---- BINARY_EVENT / BINARY_ACK ----

    [Fact]
    public void Binary_event_announces_its_attachments()
    {
        var packet = Parse("52-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");

        Assert.Equal(SocketIoPacketType.BinaryEvent, packet.Type);
        Assert.Equal(2, packet.AttachmentCount);
        Assert.Equal("/", packet.Namespace);
        Assert.False(packet.HasAck);
        Assert.Equal("message", packet.EventName);
        Assert.Equal(2, packet.Arguments!.Count);
        Assert.Empty(packet.Arguments.Attachments);
    }

    [Fact]
    public void Binary_event_with_namespace_and_ack_id()
    {
        var packet = Parse("51-/custom,33[\"upload\",{\"_placeholder\":true,\"num\":0}]");

        Assert.Equal(SocketIoPacketType.BinaryEvent, packet.Type);
        Assert.Equal(1, packet.AttachmentCount);
        Assert.Equal("/custom", packet.Namespace);
        Assert.Equal(33, packet.AckId);
        Assert.Equal("upload", packet.EventName);
    }

    [Fact]
    public void Binary_event_with_ack_id()
    {
        var packet = Parse("52-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");

        Assert.Equal(789, packet.AckId);
        Assert.Equal(2, packet.AttachmentCount);
    }

    [Fact]
    public void Binary_ack_announces_its_attachments()
    {
        var packet = Parse("62-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");

        Assert.Equal(SocketIoPacketType.BinaryAck, packet.Type);
        Assert.Equal(2, packet.AttachmentCount);
        Assert.Equal(789, packet.AckId);
        Assert.Equal(2, packet.Arguments!.Count);
    }

    [Fact]
    public void Binary_event_with_exactly_the_attachment_limit_is_accepted()
    {
        var ok = SocketIoParser.TryParse("510-[\"x\"]"u8.ToArray(), 10, out var packet, out _);

        Assert.True(ok);
        Assert.Equal(10, packet!.AttachmentCount);
    }

    [Theory]
    [InlineData("511-[\"x\"]", 10)]
    [InlineData("53-[\"x\"]", 2)]
    [InlineData("69999-1[1]", 10)]
    [InlineData("51-[\"x\"]", 0)]
    public void Binary_packet_announcing_more_attachments_than_the_limit_is_refused(string text, int max) =>
        Assert.Equal(ProtocolErrors.TooManyAttachments, Refuse(text, max));

    [Theory]
    [InlineData("5[\"x\"]")]
    [InlineData("5-[\"x\"]")]
    [InlineData("5a-[\"x\"]")]
    [InlineData("512345-[\"x\"]")]
    [InlineData("6-1[1]")]
    [InlineData("5")]
    public void Binary_packet_with_missing_or_malformed_attachment_count_is_refused(string text) =>
        Assert.Equal(ProtocolErrors.BadAttachments, Refuse(text));

    [Fact]
    public void Binary_ack_without_id_is_refused() =>
        Assert.Equal(ProtocolErrors.BadPayload, Refuse("61-[{\"_placeholder\":true,\"num\":0}]"));

    [Fact]
    public void Binary_event_with_a_reserved_name_is_refused() =>
        Assert.Equal(ProtocolErrors.ReservedEvent, Refuse("51-[\"disconnect\",{\"_placeholder\":true,\"num\":0}]"));

    // ---- type and namespace ----

    [Theory]
    [InlineData("7")]
    [InlineData("7[\"x\"]")]
    [InlineData("9")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("/custom,2[\"x\"]")]
    public void Unknown_packet_type_is_refused(string text) =>
        Assert.Equal(ProtocolErrors.UnknownType, Refuse(text));

    [Fact]
    public void Namespace_longer_than_the_limit_is_refused()
    {
        var nsp = "/" + new string('n', 300);

        Assert.Equal(ProtocolErrors.BadNamespace, Refuse($"0{nsp},"));
    }

    [Fact]
    public void Namespace_with_non_ascii_characters_is_decoded_as_utf8()
    {
        var packet = Parse("0/caf\u00e9,");

        Assert.Equal("/caf\u00e9", packet.Namespace);
    }

    [Fact]
    public void Parse_works_on_a_slice_of_a_larger_buffer()
    {
        var frame = Encoding.UTF8.GetBytes("42[\"sliced\",true]");

        var ok = SocketIoParser.TryParse(frame.AsMemory(1), MaxAttachments, out var packet, out _);

        Assert.True(ok);
        Assert.Equal("sliced", packet!.EventName);
        Assert.Equal("true", packet.Arguments!.GetString(0));
    }

    // ---- SplitArray ----

    [Fact]
    public void Split_array_gives_the_byte_range_of_each_item()
    {
        var json = "[1,\"two\",{\"three\":[3]},null,[]]"u8.ToArray();

        var items = SocketIoParser.SplitArray(json);

        var texts = items.Select(i => Encoding.UTF8.GetString(json, i.Start, i.Length)).ToArray();
        Assert.Equal(new[] { "1", "\"two\"", "{\"three\":[3]}", "null", "[]" }, texts);
    }

    [Fact]
    public void Split_array_of_an_empty_array_is_empty() =>
        Assert.Empty(SocketIoParser.SplitArray("[]"u8));
}
