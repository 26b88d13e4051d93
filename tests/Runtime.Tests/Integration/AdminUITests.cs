using System.Text.Json.Nodes;
using Channels.Dispatch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Channels.Tests.Integration;

/// <summary>
/// The Socket.IO Admin UI's protocol (docs/research/admin-ui-protocol.md) on <c>/admin</c>, driven with the
/// stock socket.io-client as the UI drives it: login, <c>config</c>, <c>all_sockets</c>, the live events,
/// <c>server_stats</c>, and the commands.
/// </summary>
public sealed class AdminUITests
{
    private static readonly object WebSocketOnly = new { transports = new[] { "websocket" } };
    private static readonly object Admin = new { transports = new[] { "websocket" }, auth = new { username = "admin", password = "s3cret" } };

    private static HandlerList Handlers()
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Event, _ => ValueTask.FromResult(HandlerResult.Ack("hi")), eventName: "hello");
        return handlers;
    }

    private static Task<TestServer> StartAsync(Action<AdminUIOptions>? configure = null) =>
        TestServer.StartAsync(Handlers(), services: s => s.AddChannels().AddAdminUI(o =>
        {
            o.Username = "admin";
            o.Password = "s3cret";
            o.StatsInterval = TimeSpan.FromMilliseconds(200);
            configure?.Invoke(o);
        }));

    private static Func<JsonObject, bool> Event(string client, string name, Func<JsonArray, bool>? match = null) =>
        e => e["client"]?.GetValue<string>() == client && e["type"]?.GetValue<string>() == "event"
            && e["event"]?.GetValue<string>() == name && (match is null || match(e["args"]!.AsArray()));

    private static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(static n => n!.GetValue<string>())];

    [Fact]
    public async Task Login_gets_config_then_all_sockets_then_live_socket_room_and_event_updates()
    {
        await using var server = await StartAsync();
        await using var node = NodeClients.Start();
        var a = await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        var admin = await node.ConnectedAsync("admin", server.Address, "/admin", Admin);

        var config = await node.WaitAsync(Event("admin", "config"), "config");
        Assert.Equal(
            ["EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT", "AGGREGATED_EVENTS", "ALL_EVENTS"],
            Strings(config["args"]![0]!["supportedFeatures"]));
        var all = (await node.WaitAsync(Event("admin", "all_sockets"), "all_sockets"))["args"]![0]!.AsArray();
        var socketA = Assert.Single(all, s => s!["id"]!.GetValue<string>() == a)!;
        Assert.Equal("/", socketA["nsp"]!.GetValue<string>());
        Assert.Equal("websocket", socketA["transport"]!.GetValue<string>());
        Assert.Equal([a], Strings(socketA["rooms"]));
        Assert.True(socketA["handshake"]!["issued"]!.GetValue<long>() > 0);
        Assert.Equal("4", socketA["handshake"]!["query"]!["EIO"]!.GetValue<string>());
        Assert.Contains(all, s => s!["id"]!.GetValue<string>() == admin && s["nsp"]!.GetValue<string>() == "/admin");

        await node.EmitWithAckAsync("a", "subscribe", "room-1");
        await node.WaitAsync(Event("admin", "room_joined", args => Strings(args)[..3].SequenceEqual(["/", "room-1", a])), "room_joined");
        Assert.Equal("hi", (await node.EmitWithAckAsync("a", "hello", "x"))!.GetValue<string>());
        var received = await node.WaitAsync(Event("admin", "event_received", args => args[2]![0]!.GetValue<string>() == "hello"), "event_received");
        Assert.Equal(["hello", "x"], Strings(received["args"]![2]));

        await server.Services.GetRequiredService<IChannelPublisher>().Socket(a).EmitAsync("news", 42);
        var sent = await node.WaitAsync(Event("admin", "event_sent", args => args[2]![0]!.GetValue<string>() == "news"), "event_sent");
        Assert.Equal(a, sent["args"]![1]!.GetValue<string>());

        var b = await node.ConnectedAsync("b", server.Address, options: WebSocketOnly);
        await node.WaitAsync(Event("admin", "socket_connected", args => args[0]!["id"]!.GetValue<string>() == b), "socket_connected");
        await node.DisconnectAsync("b");
        var gone = await node.WaitAsync(Event("admin", "socket_disconnected", args => args[1]!.GetValue<string>() == b), "socket_disconnected");
        Assert.Equal("client namespace disconnect", gone["args"]![2]!.GetValue<string>());

        var stats = (await node.WaitAsync(Event("admin", "server_stats"), "server_stats"))["args"]![0]!;
        Assert.Equal(Environment.ProcessId, stats["pid"]!.GetValue<int>());
        Assert.True(stats["clientsCount"]!.GetValue<int>() >= 2);
        var namespaces = stats["namespaces"]!.AsArray().ToDictionary(n => n!["name"]!.GetValue<string>(), n => n!["socketsCount"]!.GetValue<int>());
        Assert.Equal(1, namespaces["/"]);
        Assert.Equal(1, namespaces["/admin"]);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("admin", "wrong")]
    [InlineData("root", "s3cret")]
    public async Task Login_without_the_right_credentials_is_refused_with_the_message_the_UI_knows(string? username, string? password)
    {
        await using var server = await StartAsync();
        await using var node = NodeClients.Start();
        object options = username is null ? WebSocketOnly : new { transports = new[] { "websocket" }, auth = new { username, password } };
        await node.ConnectAsync("admin", server.Address, "/admin", options);

        var refused = await node.WaitAsync("admin", "connect_error");
        Assert.Equal("invalid credentials", refused["message"]!.GetValue<string>());
        Assert.DoesNotContain(node.Seen, e => e["type"]?.GetValue<string>() == "event");
    }

    [Fact]
    public async Task A_callback_decides_the_login_instead_of_a_username_and_password()
    {
        await using var server = await TestServer.StartAsync(Handlers(), services: s => s.AddChannels().AddAdminUI(o =>
            o.Authenticate = auth => ValueTask.FromResult(auth.TryGetProperty("token", out var token) && token.GetString() == "t0k3n")));
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("good", server.Address, "/admin", new { transports = new[] { "websocket" }, auth = new { token = "t0k3n" } });
        await node.ConnectAsync("bad", server.Address, "/admin", new { transports = new[] { "websocket" }, auth = new { token = "nope" } });
        Assert.Equal("invalid credentials", (await node.WaitAsync("bad", "connect_error"))["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddAdminUI_without_credentials_or_a_callback_stops_the_app_from_starting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestServer.StartAsync(Handlers(), services: s => s.AddChannels().AddAdminUI(_ => { })));
        Assert.Contains("AddAdminUI needs authentication", failure.Message);
    }

    [Fact]
    public async Task Read_only_mode_advertises_no_command_and_ignores_commands()
    {
        await using var server = await StartAsync(o => o.ReadOnly = true);
        await using var node = NodeClients.Start();
        var a = await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        await node.ConnectedAsync("admin", server.Address, "/admin", Admin);
        var config = await node.WaitAsync(Event("admin", "config"), "config");
        Assert.Equal(["AGGREGATED_EVENTS", "ALL_EVENTS"], Strings(config["args"]![0]!["supportedFeatures"]));

        await node.EmitAsync("admin", "join", "/", "room-1", a);
        await node.EmitAsync("admin", "_disconnect", "/", false, a);
        // Handled in order on the admin's connection: once this is answered, the commands before it were dropped.
        await node.EmitWithAckAsync("admin", "ping");

        var sockets = await server.Services.GetRequiredService<IChannelPublisher>().Socket(a).FetchSocketsAsync();
        Assert.Empty(Assert.Single(sockets).Channels);
        Assert.DoesNotContain(node.Seen, e => e["client"]?.GetValue<string>() == "a" && e["type"]?.GetValue<string>() == "disconnect");
    }

    [Fact]
    public async Task Production_mode_sends_config_and_stats_but_no_socket()
    {
        await using var server = await StartAsync(o => o.Mode = AdminUIMode.Production);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        await node.ConnectedAsync("admin", server.Address, "/admin", Admin);
        var config = await node.WaitAsync(Event("admin", "config"), "config");
        Assert.DoesNotContain("ALL_EVENTS", Strings(config["args"]![0]!["supportedFeatures"]));
        await node.WaitAsync(Event("admin", "server_stats"), "server_stats");
        Assert.DoesNotContain(node.Seen, e => e["event"]?.GetValue<string>() is "all_sockets" or "socket_connected");
    }

    [Fact]
    public async Task Join_leave_emit_and_disconnect_commands_act_on_the_sockets_they_name()
    {
        await using var server = await StartAsync();
        await using var node = NodeClients.Start();
        var a = await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        var b = await node.ConnectedAsync("b", server.Address, options: WebSocketOnly);
        await node.ConnectedAsync("admin", server.Address, "/admin", Admin);
        await node.WaitAsync(Event("admin", "all_sockets"), "all_sockets");

        await node.EmitAsync("admin", "join", "/", "room-9", a);
        await node.WaitAsync(Event("admin", "room_joined", args => Strings(args)[..3].SequenceEqual(["/", "room-9", a])), "a joined room-9");
        await node.EmitAsync("admin", "join", "/", "room-all");
        await node.WaitAsync(Event("admin", "room_joined", args => Strings(args)[..3].SequenceEqual(["/", "room-all", b])), "b joined room-all");

        await node.EmitAsync("admin", "emit", "/", "room-9", "fromadmin", 1, 2);
        var got = await node.WaitAsync(Event("a", "fromadmin"), "a's event from the admin");
        Assert.Equal([1, 2], got["args"]!.AsArray().Select(n => n!.GetValue<int>()));

        await node.EmitAsync("admin", "leave", "/", "room-9", a);
        await node.WaitAsync(Event("admin", "room_left", args => Strings(args)[..3].SequenceEqual(["/", "room-9", a])), "a left room-9");

        await node.EmitAsync("admin", "_disconnect", "/", false, a);
        Assert.Equal("io server disconnect", (await node.WaitAsync("a", "disconnect"))["reason"]!.GetValue<string>());
        var gone = await node.WaitAsync(Event("admin", "socket_disconnected", args => args[1]!.GetValue<string>() == a), "socket_disconnected");
        Assert.Equal("server namespace disconnect", gone["args"]![2]!.GetValue<string>());
        Assert.DoesNotContain(node.Seen, e => e["client"]?.GetValue<string>() == "b" && e["type"]?.GetValue<string>() == "disconnect");
    }
}
