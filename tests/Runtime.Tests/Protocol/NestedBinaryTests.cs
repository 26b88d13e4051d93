using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Channels.Protocol;

namespace Channels.Tests.Protocol;

/// <summary>
/// Binary nested anywhere in arguments, as socket.io does it: out as placeholders and attachments
/// (<see cref="BinaryConverters"/> through <see cref="PacketEncoder"/>), in bound to <c>byte[]</c> and
/// <c>ReadOnlyMemory&lt;byte&gt;</c> members (<see cref="ChannelPayload.Deserialize{T}"/>); and Engine.IO's
/// <c>b</c> + base64 text form of a binary message.
/// </summary>
public sealed class NestedBinaryTests
{
    private const string Placeholder0 = "{\"_placeholder\":true,\"num\":0}";
    private const string Placeholder1 = "{\"_placeholder\":true,\"num\":1}";
    private const string Placeholder2 = "{\"_placeholder\":true,\"num\":2}";

    private static JsonSerializerOptions AppOptions()
    {
        var options = new ChannelsOptions().JsonSerializerOptions;
        options.TypeInfoResolverChain.Insert(0, BinaryTestJson.Default);
        return options;
    }

    private static ChannelPayload Arguments(string items, params byte[][] attachments)
    {
        var text = $"5{attachments.Length}-[\"event\",{items}]";
        Assert.True(SocketIoParser.TryParse(Encoding.UTF8.GetBytes(text), 10, out var packet, out var error), error);
        return packet!.Arguments!.WithAttachments([.. attachments.Select(a => (ReadOnlyMemory<byte>)a)]);
    }

    // ---- out ----

    [Fact]
    public void Binary_members_of_a_record_go_out_as_attachments()
    {
        var encoder = new PacketEncoder(AppOptions());

        var packet = encoder.Event("/", "doc", [new BinaryDoc("a", [1, 2], new byte[] { 3 })], ackId: -1);

        Assert.Equal($"452-[\"doc\",{{\"name\":\"a\",\"data\":{Placeholder0},\"extra\":{Placeholder1}}}]", packet.ToString());
        Assert.Equal([[1, 2], [3]], packet.Attachments.Select(a => a.ToArray()));
    }

    [Fact]
    public void Top_level_and_nested_binary_are_numbered_in_the_order_written()
    {
        var encoder = new PacketEncoder(AppOptions());
        var list = new List<byte[]> { new byte[] { 2 }, new byte[] { 3 } };

        var packet = encoder.Event("/chat", "x", [new byte[] { 1 }, list], ackId: 7);

        Assert.Equal($"453-/chat,7[\"x\",{Placeholder0},[{Placeholder1},{Placeholder2}]]", packet.ToString());
        Assert.Equal([[1], [2], [3]], packet.Attachments.Select(a => a.ToArray()));
    }

    [Fact]
    public void An_ack_value_with_binary_members_is_a_binary_ack()
    {
        var encoder = new PacketEncoder(AppOptions());

        var packet = encoder.AckValue("/", 12, new BinaryDoc("b", [4], new byte[] { 5 }), hasValue: true);

        Assert.Equal($"462-12[{{\"name\":\"b\",\"data\":{Placeholder0},\"extra\":{Placeholder1}}}]", packet.ToString());
        Assert.Equal([[4], [5]], packet.Attachments.Select(a => a.ToArray()));
    }

    [Fact]
    public void Binary_held_as_object_goes_out_as_an_attachment()
    {
        var encoder = new PacketEncoder(AppOptions());
        var values = new Dictionary<string, object> { ["file"] = new byte[] { 9 }, ["name"] = "x" };

        var packet = encoder.Message("/", values, channel: null);

        Assert.Equal($"451-[\"message\",{{\"file\":{Placeholder0},\"name\":\"x\"}}]", packet.ToString());
        Assert.Equal(new byte[] { 9 }, packet.Attachments[0].ToArray());
    }

    [Fact]
    public void A_null_byte_array_is_null_and_no_attachment()
    {
        var encoder = new PacketEncoder(AppOptions());

        var packet = encoder.Event("/", "doc", [new BinaryDoc("a", null, default)], ackId: -1);

        Assert.Equal($"451-[\"doc\",{{\"name\":\"a\",\"data\":null,\"extra\":{Placeholder0}}}]", packet.ToString());
        Assert.Empty(packet.Attachments[0].ToArray());
    }

    [Fact]
    public void Packets_without_binary_are_unchanged()
    {
        var encoder = new PacketEncoder(AppOptions());

        var packet = encoder.Event("/", "x", [new Dictionary<string, object> { ["n"] = 1 }, "two"], ackId: 3);

        Assert.Equal("423[\"x\",{\"n\":1},\"two\"]", packet.ToString());
        Assert.Empty(packet.Attachments);
    }

    [Fact]
    public void The_apps_own_options_keep_writing_base64_strings()
    {
        var options = AppOptions();
        _ = new PacketEncoder(options);

        var json = JsonSerializer.Serialize(new BinaryDoc("a", [1, 2, 3], default), BinaryTestJson.Default.Options.GetTypeInfo(typeof(BinaryDoc)));
        var again = JsonSerializer.Serialize(new BinaryDoc("a", [1, 2, 3], default), options.GetTypeInfo(typeof(BinaryDoc)));

        Assert.Equal("{\"name\":\"a\",\"data\":\"AQID\",\"extra\":\"\"}", json);
        Assert.Equal(json, again);
    }

    // ---- in ----

    [Fact]
    public void Nested_placeholders_bind_to_byte_array_and_memory_members()
    {
        var payload = Arguments($"{{\"name\":\"a\",\"data\":{Placeholder1},\"extra\":{Placeholder0}}}", [7, 7], [1, 2, 3]);

        var doc = payload.Deserialize(0, BinaryTestJson.Default.BinaryDoc)!;

        Assert.Equal("a", doc.Name);
        Assert.Equal(new byte[] { 1, 2, 3 }, doc.Data);
        Assert.Equal(new byte[] { 7, 7 }, doc.Extra.ToArray());
    }

    [Fact]
    public void Placeholders_in_lists_and_at_the_top_level_bind_too()
    {
        var payload = Arguments($"[{Placeholder0},{Placeholder1}],{Placeholder1}", [1], [2]);

        var list = payload.Deserialize(0, BinaryTestJson.Default.ListByteArray)!;
        var single = payload.Deserialize(1, BinaryTestJson.Default.ByteArray)!;

        Assert.Equal([[1], [2]], list);
        Assert.Equal(new byte[] { 2 }, single);
        Assert.Equal($"[{Placeholder0},{Placeholder1}]", Encoding.UTF8.GetString(payload.GetRawJson(0).Span));
    }

    [Fact]
    public void An_attachment_named_twice_is_refused()
    {
        var payload = Arguments($"[{Placeholder0},{Placeholder0}]", [1, 2, 3]);

        Assert.Throws<JsonException>(() => payload.Deserialize(0, BinaryTestJson.Default.ListByteArray));
    }

    [Theory]
    [InlineData("{\"_placeholder\":true,\"num\":1}")]
    [InlineData("{\"_placeholder\":true,\"num\":0,\"other\":1}")]
    [InlineData("{\"_placeholder\":{\"_placeholder\":true,\"num\":0}}")]
    [InlineData("{\"_placeholder\":false,\"num\":0}")]
    public void What_is_not_a_placeholder_of_this_packet_is_not_bound(string json)
    {
        var payload = Arguments($"{{\"name\":\"a\",\"data\":{json}}}", [1]);

        Assert.Throws<JsonException>(() => payload.Deserialize(0, BinaryTestJson.Default.BinaryDoc));
    }

    [Fact]
    public void Other_members_beside_placeholders_are_read_as_they_are()
    {
        var payload = Arguments($"{{\"name\":\"q\\\"uote\",\"data\":{Placeholder0},\"extra\":\"AQ==\"}}", [5]);

        var doc = payload.Deserialize(0, BinaryTestJson.Default.BinaryDoc)!;

        Assert.Equal("q\"uote", doc.Name);
        Assert.Equal(new byte[] { 5 }, doc.Data);
        Assert.Equal(new byte[] { 1 }, doc.Extra.ToArray());
    }

    // ---- Engine.IO "b" frames ----

    [Fact]
    public void A_b_text_frame_is_a_binary_message()
    {
        Assert.True(EnginePacket.TryParseTextFrame("bAQID"u8.ToArray(), out var packet));

        Assert.True(packet.IsBinary);
        Assert.Equal(EnginePacketType.Message, packet.Type);
        Assert.Equal(new byte[] { 1, 2, 3 }, packet.Data.ToArray());
    }

    [Theory]
    [InlineData("b!!!!")]
    [InlineData("bAQI")]
    public void A_b_text_frame_that_is_not_base64_is_invalid(string frame) =>
        Assert.False(EnginePacket.TryParseTextFrame(Encoding.ASCII.GetBytes(frame), out _));

    [Fact]
    public void Binary_is_written_as_b_and_base64()
    {
        var buffer = new byte[EngineFrame.Base64Length(3)];

        var length = EngineFrame.WriteBase64([1, 2, 3], buffer);

        Assert.Equal("bAQID", Encoding.ASCII.GetString(buffer, 0, length));
    }
}

/// <summary>A record with binary members, as an app would bind a client's nested buffers.</summary>
public sealed record BinaryDoc(string Name, byte[]? Data, ReadOnlyMemory<byte> Extra);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BinaryDoc))]
[JsonSerializable(typeof(List<byte[]>))]
[JsonSerializable(typeof(byte[]))]
[JsonSerializable(typeof(Dictionary<string, object>))]
internal sealed partial class BinaryTestJson : JsonSerializerContext;
