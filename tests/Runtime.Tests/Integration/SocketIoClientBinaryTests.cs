using System.Text.Json.Nodes;
using Channels.Dispatch;
using Channels.Tests.Protocol;

namespace Channels.Tests.Integration;

/// <summary>
/// Binary with the real socket.io-client 4.8.4, as socket.io does it: <c>forceBase64</c> on both transports,
/// <c>Buffer</c>s nested in objects both ways (bound to a record's <c>byte[]</c> and
/// <c>ReadOnlyMemory&lt;byte&gt;</c> members, sent back as attachments), and the attachment limits.
/// </summary>
public sealed class SocketIoClientBinaryTests
{
    public static TheoryData<string> Clients => new() { "websocket", "websocket-base64", "polling", "polling-base64", "default-base64" };

    private static object Options(string client) => client switch
    {
        "websocket" => new { transports = new[] { "websocket" } },
        "websocket-base64" => new { transports = new[] { "websocket" }, forceBase64 = true },
        "polling" => new { transports = new[] { "polling" } },
        "polling-base64" => new { transports = new[] { "polling" }, forceBase64 = true },
        "default-base64" => new { forceBase64 = true },
        _ => throw new ArgumentOutOfRangeException(nameof(client)),
    };

    private static HandlerList Handlers()
    {
        var handlers = TestApp.Handlers();
        handlers.Add(ChannelEventKind.Event, e =>
        {
            var doc = GeneratedHandlerSupport.Value(e.Payload, 0, BinaryTestJson.Default.BinaryDoc);
            var reversed = doc.Data?.Reverse().ToArray();
            return ValueTask.FromResult(HandlerResult.Ack(new BinaryDoc(doc.Name + "!", reversed, doc.Extra)));
        }, eventName: "doc");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            await e.Socket.EmitAsync("doc", new BinaryDoc("from-server", [1, 2, 3], new byte[] { 4, 5 }));
            return HandlerResult.Continue;
        }, eventName: "send-doc");
        return handlers;
    }

    private static Task<TestServer> StartAsync(Action<ChannelsOptions>? configure = null) =>
        TestServer.StartAsync(
            Handlers(),
            options =>
            {
                options.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, BinaryTestJson.Default);
                configure?.Invoke(options);
            },
            TestApp.Map);

    /// <summary>
    /// Connects; a client that starts on polling is also waited for until it has moved to WebSocket, so that
    /// a packet the server refuses does not land in the middle of the upgrade (the client, its polling paused
    /// for the upgrade, would then notice the closed session only at its ping timeout).
    /// </summary>
    private static async Task ConnectAsync(NodeClients node, string name, TestServer server, string client)
    {
        await node.ConnectedAsync(name, server.Address, options: Options(client));
        if (client.StartsWith("default", StringComparison.Ordinal))
        {
            await node.WaitAsync(name, "upgrade");
        }
    }

    private static JsonObject Binary(params byte[] bytes) => new() { ["$binary"] = Convert.ToBase64String(bytes) };

    private static string? Base64Of(JsonNode? node) => node?["$binary"]?.GetValue<string>();

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task Nested_buffers_bind_to_a_records_binary_members_and_come_back_as_buffers(string client)
    {
        await using var server = await StartAsync();
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: Options(client));

        var reply = await node.EmitWithAckAsync("a", "doc", new JsonObject { ["name"] = "a", ["data"] = Binary(1, 2, 3), ["extra"] = Binary(9) });

        Assert.Equal("a!", reply!["name"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String([3, 2, 1]), Base64Of(reply["data"]));
        Assert.Equal(Convert.ToBase64String([9]), Base64Of(reply["extra"]));
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task Binary_members_of_what_the_server_emits_reach_the_client_as_buffers(string client)
    {
        await using var server = await StartAsync();
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: Options(client));

        await node.EmitAsync("a", "send-doc");
        var doc = (await node.WaitAsync("a", "event", "doc"))["args"]![0]!;

        Assert.Equal("from-server", doc["name"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String([1, 2, 3]), Base64Of(doc["data"]));
        Assert.Equal(Convert.ToBase64String([4, 5]), Base64Of(doc["extra"]));
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task Top_level_binary_travels_both_ways(string client)
    {
        await using var server = await StartAsync();
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: Options(client));

        var echoed = await node.EmitWithAckAsync("a", "echo", Binary(9, 8, 7));
        await node.EmitAsync("a", "send-binary");
        var pushed = await node.WaitAsync("a", "event", "binary");

        Assert.Equal(Convert.ToBase64String([9, 8, 7]), Base64Of(echoed));
        Assert.Equal(Convert.ToBase64String([1, 2, 3]), Base64Of(pushed["args"]![0]));
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task More_nested_buffers_than_MaxAttachments_end_the_connection(string client)
    {
        await using var server = await StartAsync(o => o.MaxAttachments = 3);
        await using var node = NodeClients.Start();
        await ConnectAsync(node, "a", server, client);

        var files = new JsonArray([.. Enumerable.Range(0, 4).Select(i => (JsonNode)Binary((byte)i))]);
        await node.EmitAsync("a", "doc", new JsonObject { ["name"] = "many", ["files"] = files });
        await node.WaitAsync("a", "disconnect");

        await ConnectAsync(node, "b", server, client);
        var reply = await node.EmitWithAckAsync("b", "doc", new JsonObject { ["name"] = "few", ["data"] = Binary(1), ["files"] = new JsonArray(Binary(2), Binary(3)) });
        Assert.Equal("few!", reply!["name"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task A_nested_buffer_over_MaxPayloadBytes_ends_the_connection(string client)
    {
        await using var server = await StartAsync(o => o.MaxPayloadBytes = 16 * 1024);
        await using var node = NodeClients.Start();
        await ConnectAsync(node, "a", server, client);

        await node.EmitAsync("a", "doc", new JsonObject { ["name"] = "big", ["data"] = Binary(new byte[20 * 1024]) });
        await node.WaitAsync("a", "disconnect");

        Assert.DoesNotContain(node.Seen, e => e["type"]?.GetValue<string>() == "ack");
    }
}
