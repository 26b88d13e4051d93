using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Channels.Protocol;

namespace Channels.Tests.Protocol;

/// <summary>
/// <see cref="ChannelPayload"/>: the arguments of a received packet, read lazily as strings, JSON
/// elements, typed values or binary attachments.
/// </summary>
public sealed class ChannelPayloadTests
{
    private static readonly byte[] First = [1, 2, 3];
    private static readonly byte[] Second = [4, 5, 6];

    /// <summary>The arguments of an EVENT, as the parser produces them (the event name is not one of them).</summary>
    private static ChannelPayload Arguments(string items, params byte[][] attachments)
    {
        var text = attachments.Length == 0 ? $"2[\"event\",{items}]" : $"5{attachments.Length}-[\"event\",{items}]";
        Assert.True(SocketIoParser.TryParse(Encoding.UTF8.GetBytes(text), 10, out var packet, out var error), error);
        var payload = packet!.Arguments!;
        if (attachments.Length > 0)
        {
            payload = payload.WithAttachments([.. attachments.Select(a => (ReadOnlyMemory<byte>)a)]);
        }

        return payload;
    }

    private static string Raw(ChannelPayload payload, int index) => Encoding.UTF8.GetString(payload.GetRawJson(index).Span);

    [Fact]
    public void Count_is_the_number_of_arguments()
    {
        Assert.Equal(3, Arguments("1,2,3").Count);
        Assert.Equal(0, ChannelPayload.Empty.Count);
        Assert.Empty(ChannelPayload.Empty.Attachments);
    }

    [Fact]
    public void Get_string_gives_the_value_of_a_json_string()
    {
        var payload = Arguments("\"hello\",\"with \\\"quotes\\\" and \\u00e9\",\"\"");

        Assert.Equal("hello", payload.GetString(0));
        Assert.Equal("with \"quotes\" and \u00e9", payload.GetString(1));
        Assert.Equal(string.Empty, payload.GetString(2));
    }

    [Fact]
    public void Get_string_of_null_is_null() =>
        Assert.Null(Arguments("null").GetString(0));

    [Fact]
    public void Get_string_of_other_values_is_their_json_text()
    {
        var payload = Arguments("42,-1.5e3,true,false,{\"a\":[1,2]},[\"x\"]");

        Assert.Equal("42", payload.GetString(0));
        Assert.Equal("-1.5e3", payload.GetString(1));
        Assert.Equal("true", payload.GetString(2));
        Assert.Equal("false", payload.GetString(3));
        Assert.Equal("{\"a\":[1,2]}", payload.GetString(4));
        Assert.Equal("[\"x\"]", payload.GetString(5));
    }

    [Fact]
    public void Value_kind_of_each_argument()
    {
        var payload = Arguments("\"s\",{},[],true,false,null,3");

        Assert.Equal(
            new[] { JsonValueKind.String, JsonValueKind.Object, JsonValueKind.Array, JsonValueKind.True, JsonValueKind.False, JsonValueKind.Null, JsonValueKind.Number },
            Enumerable.Range(0, payload.Count).Select(payload.GetValueKind));
    }

    [Fact]
    public void Raw_json_is_each_argument_as_it_arrived()
    {
        var payload = Arguments("1,\"2\",{\"3\":[true]}");

        Assert.Equal("1", Raw(payload, 0));
        Assert.Equal("\"2\"", Raw(payload, 1));
        Assert.Equal("{\"3\":[true]}", Raw(payload, 2));
    }

    [Fact]
    public void Get_element_gives_an_element_that_outlives_the_payload()
    {
        JsonElement element;
        {
            var payload = Arguments("{\"name\":\"ada\",\"tags\":[\"a\",\"b\"]}");
            element = payload.GetElement(0);
        }

        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        Assert.Equal("ada", element.GetProperty("name").GetString());
        Assert.Equal(2, element.GetProperty("tags").GetArrayLength());
    }

    [Fact]
    public void Get_element_of_primitives()
    {
        var payload = Arguments("7,\"x\",null");

        Assert.Equal(7, payload.GetElement(0).GetInt32());
        Assert.Equal("x", payload.GetElement(1).GetString());
        Assert.Equal(JsonValueKind.Null, payload.GetElement(2).ValueKind);
    }

    [Fact]
    public void Deserialize_uses_the_given_source_generated_type_info()
    {
        var payload = Arguments("{\"userName\":\"ada\",\"age\":36},12,\"text\",[1,2,3]");

        Assert.Equal(new ProtocolTestPerson("ada", 36), payload.Deserialize(0, ProtocolTestJson.Default.ProtocolTestPerson));
        Assert.Equal(12, payload.Deserialize(1, ProtocolTestJson.Default.Int32));
        Assert.Equal("text", payload.Deserialize(2, ProtocolTestJson.Default.String));
        Assert.Equal(new[] { 1, 2, 3 }, payload.Deserialize(3, ProtocolTestJson.Default.Int32Array));
    }

    [Fact]
    public void Deserialize_of_null_is_null() =>
        Assert.Null(Arguments("null").Deserialize(0, ProtocolTestJson.Default.ProtocolTestPerson));

    [Fact]
    public void Deserialize_of_a_mismatched_value_throws() =>
        Assert.Throws<JsonException>(() => Arguments("\"not a person\"").Deserialize(0, ProtocolTestJson.Default.ProtocolTestPerson));

    [Fact]
    public void Try_get_binary_resolves_placeholders_to_their_attachments()
    {
        var payload = Arguments("{\"_placeholder\":true,\"num\":1},\"between\",{\"_placeholder\":true,\"num\":0}", First, Second);

        Assert.True(payload.TryGetBinary(0, out var second));
        Assert.Equal(Second, second.ToArray());
        Assert.False(payload.TryGetBinary(1, out _));
        Assert.True(payload.TryGetBinary(2, out var first));
        Assert.Equal(First, first.ToArray());
    }

    [Fact]
    public void Try_get_binary_accepts_the_keys_in_either_order()
    {
        var payload = Arguments("{\"num\":0,\"_placeholder\":true}", First);

        Assert.True(payload.TryGetBinary(0, out var bytes));
        Assert.Equal(First, bytes.ToArray());
    }

    [Theory]
    [InlineData("{\"_placeholder\":true,\"num\":1}")]
    [InlineData("{\"_placeholder\":false,\"num\":0}")]
    [InlineData("{\"_placeholder\":true}")]
    [InlineData("{\"num\":0}")]
    [InlineData("{\"_placeholder\":true,\"num\":-1}")]
    [InlineData("{\"_placeholder\":true,\"num\":\"0\"}")]
    [InlineData("{\"_placeholder\":true,\"num\":0,\"extra\":1}")]
    [InlineData("{}")]
    [InlineData("[0]")]
    [InlineData("0")]
    [InlineData("\"_placeholder\"")]
    public void Try_get_binary_is_false_for_anything_but_a_valid_placeholder(string item)
    {
        var payload = Arguments(item, First);

        Assert.False(payload.TryGetBinary(0, out var bytes));
        Assert.True(bytes.IsEmpty);
    }

    [Fact]
    public void Try_get_binary_is_false_when_no_attachments_arrived() =>
        Assert.False(Arguments("{\"_placeholder\":true,\"num\":0}").TryGetBinary(0, out _));

    [Fact]
    public void Attachments_are_kept_in_placeholder_order()
    {
        var payload = Arguments("{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}", First, Second);

        Assert.Equal(2, payload.Attachments.Count);
        Assert.Equal(First, payload.Attachments[0].ToArray());
        Assert.Equal(Second, payload.Attachments[1].ToArray());
    }

    [Fact]
    public void Skip_drops_leading_arguments_and_keeps_the_attachments()
    {
        var payload = Arguments("\"room-1\",{\"_placeholder\":true,\"num\":0}", First);

        var rest = payload.Skip(1);

        Assert.Equal(1, rest.Count);
        Assert.True(rest.TryGetBinary(0, out var bytes));
        Assert.Equal(First, bytes.ToArray());
        Assert.Equal(0, payload.Skip(5).Count);
    }

    [Fact]
    public void Ack_payloads_include_every_item()
    {
        Assert.True(SocketIoParser.TryParse("31[\"a\",2]"u8.ToArray(), 10, out var packet, out _));

        Assert.Equal(2, packet!.Arguments!.Count);
        Assert.Equal("a", packet.Arguments.GetString(0));
        Assert.Equal(2, packet.Arguments.GetElement(1).GetInt32());
    }
}

/// <summary>A payload type for the protocol tests, serialized with web defaults (camelCase).</summary>
public sealed record ProtocolTestPerson(string UserName, int Age);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProtocolTestPerson))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int[]))]
internal sealed partial class ProtocolTestJson : JsonSerializerContext;
