using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Channels.Tests.Integration;

/// <summary>
/// The runtime driven by the real socket.io-client 4.8.4 from npm, over both default transports
/// (polling, then the upgrade to WebSocket) and WebSocket only.
/// </summary>
public sealed class SocketIoClientJsTests
{
    public static TheoryData<string> Transports => new() { "default", "websocket" };

    private static object Options(string transport, object? auth = null) => transport == "websocket"
        ? new { transports = new[] { "websocket" }, auth = auth ?? new { } }
        : new { auth = auth ?? new { } };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Connects_and_the_server_sees_the_auth_payload(string transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();

        var id = await node.ConnectedAsync("a", server.Address, options: Options(transport, new { token = "123", user = "ada" }));
        var auth = await node.EmitWithAckAsync("a", "whoami");

        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal("123", auth!["token"]!.GetValue<string>());
        Assert.Equal("ada", auth["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task Default_transports_upgrade_from_polling_to_websocket()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();

        await node.ConnectAsync("a", server.Address);
        var opened = await node.WaitAsync("a", "open");
        var upgraded = await node.WaitAsync("a", "upgrade");

        Assert.Equal("polling", opened["transport"]!.GetValue<string>());
        Assert.Equal("websocket", upgraded["transport"]!.GetValue<string>());
        Assert.Equal("pong", (await node.EmitWithAckAsync("a", "echo", "pong"))!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Connect_rejected_by_handler_reaches_the_client_as_connect_error(string transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();

        await node.ConnectAsync("a", server.Address, options: Options(transport, new { token = "bad" }));
        var error = await node.WaitAsync("a", "connect_error");

        Assert.Equal("bad token", error["message"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Subscribe_and_unsubscribe_are_acked(string transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: Options(transport));

        var subscribed = await node.EmitWithAckAsync("a", "subscribe", "room-1");
        var unsubscribed = await node.EmitWithAckAsync("a", "unsubscribe", "room-1");
        var again = await node.EmitWithAckAsync("a", "unsubscribe", "room-1");

        Assert.True(subscribed!["ok"]!.GetValue<bool>());
        Assert.True(unsubscribed!["ok"]!.GetValue<bool>());
        Assert.False(again!["ok"]!.GetValue<bool>());
        Assert.Contains("not subscribed", again["error"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Subscribe_rejected_by_handler_is_acked_with_error(string transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: Options(transport));

        var ack = await node.EmitWithAckAsync("a", "subscribe", "private-1");

        Assert.False(ack!["ok"]!.GetValue<bool>());
        Assert.Equal("private channels need an invitation", ack["error"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Publish_reaches_the_other_subscribers_but_not_the_sender(string transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();
        foreach (var client in new[] { "a", "b", "c" })
        {
            await node.ConnectedAsync(client, server.Address, options: Options(transport));
        }

        await node.EmitWithAckAsync("a", "subscribe", "room-1");
        await node.EmitWithAckAsync("b", "subscribe", "room-1");
        await node.EmitWithAckAsync("c", "subscribe", "room-2");

        var ack = await node.EmitWithAckAsync("a", "publish", "room-1", new JsonObject { ["text"] = "hi" });
        var received = await node.WaitAsync("b", "event", "message");
        await node.EmitWithAckAsync("a", "publish", "room-1", "second");
        await node.WaitAsync(e => e["client"]?.GetValue<string>() == "b" && e["args"]?[0]?.ToString() == "second", "second message on b");

        Assert.True(ack!["ok"]!.GetValue<bool>());
        Assert.Equal("hi", received["args"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("room-1", received["args"]![1]!.GetValue<string>());
        Assert.DoesNotContain(node.Seen, e => e["client"]?.GetValue<string>() is "a" or "c" && e["event"]?.GetValue<string>() == "message");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Publish_to_a_channel_not_subscribed_is_refused(string transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: Options(transport));

        var ack = await node.EmitWithAckAsync("a", "publish", "room-9", "hello?");

        Assert.False(ack!["ok"]!.GetValue<bool>());
        Assert.Contains("room-9", ack["error"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Plain_message_is_answered_with_send(string transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: Options(transport));

        await node.SendMessageAsync("a", new JsonObject { ["n"] = 1 });
        var reply = await node.WaitAsync("a", "event", "message");

        Assert.Equal(1, reply["args"]![0]!["n"]!.GetValue<int>());
        Assert.Single(reply["args"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Publisher_from_an_http_endpoint_reaches_the_channel(string transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: Options(transport));
        await node.EmitWithAckAsync("a", "subscribe", "room-7");

        using var http = new HttpClient { BaseAddress = server.Address };
        var response = await http.PostAsJsonAsync("notify/room-7", new { system = "maintenance at noon" });
        var received = await node.WaitAsync("a", "event", "message");

        response.EnsureSuccessStatusCode();
        Assert.Equal("maintenance at noon", received["args"]![0]!["system"]!.GetValue<string>());
        Assert.Equal("room-7", received["args"]![1]!.GetValue<string>());
    }

    [Fact]
    public async Task Publisher_works_with_no_clients_connected()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        using var http = new HttpClient { BaseAddress = server.Address };

        var response = await http.PostAsJsonAsync("notify/room-1", new { system = "nobody listens" });

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Custom_namespace_connects_and_runs_its_own_handlers(string transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();

        await node.ConnectedAsync("admin", server.Address, "/admin", Options(transport));
        var welcome = await node.WaitAsync("admin", "event", "welcome");
        await node.ConnectAsync("nowhere", server.Address, "/nowhere", Options(transport));
        var refused = await node.WaitAsync("nowhere", "connect_error");

        Assert.Equal("/admin", welcome["args"]![0]!.GetValue<string>());
        Assert.Equal("Invalid namespace", refused["message"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Acks_work_in_both_directions(string transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: Options(transport));

        var echoed = await node.EmitWithAckAsync("a", "echo", 1, "two", new JsonObject { ["three"] = 3 });
        var answer = await node.EmitWithAckAsync("a", "ask-me");

        Assert.Equal(1, echoed!.GetValue<int>());
        Assert.True(answer!["acked"]!.GetValue<bool>());
        Assert.Equal("what is 6x7?", answer["args"]![0]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Binary_travels_in_both_directions(string transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: Options(transport));

        var echoed = await node.EmitWithAckAsync("a", "echo", new JsonObject { ["$binary"] = Convert.ToBase64String([9, 8, 7]) });
        await node.EmitAsync("a", "send-binary");
        var pushed = await node.WaitAsync("a", "event", "binary");

        Assert.Equal(Convert.ToBase64String([9, 8, 7]), echoed!["$binary"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String([1, 2, 3]), pushed["args"]![0]!["$binary"]!.GetValue<string>());
        Assert.Equal("text", pushed["args"]![1]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Client_reconnects_after_the_server_restarts(string transport)
    {
        var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        var port = server.Address.Port;
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: Options(transport));

        await server.DisposeAsync();
        await node.WaitAsync("a", "disconnect");
        await using var restarted = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map, port: port);
        await node.WaitAsync("a", "connect", timeout: TimeSpan.FromSeconds(15));

        Assert.Equal("back", (await node.EmitWithAckAsync("a", "echo", "back"))!.GetValue<string>());
    }
}
