using System.Net;
using System.Text.Json.Nodes;

namespace Channels.Tests.Integration;

/// <summary>The browser client served by MapChannels (channels.js), run in Node against the real server.</summary>
public sealed class ChannelsJsClientTests
{
    private static readonly object Options = new { events = new[] { "binary", "question" } };

    [Fact]
    public async Task The_client_and_its_types_are_served_beside_the_endpoint()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        using var http = new HttpClient { BaseAddress = server.Address };

        var script = await http.GetAsync("socket.io/channels.js");
        var types = await http.GetAsync("socket.io/channels.d.ts");
        using var again = new HttpRequestMessage(HttpMethod.Get, "socket.io/channels.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", script.Headers.ETag!.ToString());
        var cached = await http.SendAsync(again);

        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        Assert.Contains("export function connect", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("export declare function connect", await types.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
    }

    [Fact]
    public async Task Subscribe_publish_and_receive_with_acks()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var ours = NodeClients.Start("channels-driver.mjs");
        await using var stock = NodeClients.Start();
        await ours.ConnectedAsync("a", server.Address, options: Options);
        await stock.ConnectedAsync("b", server.Address, options: new { transports = new[] { "websocket" } });

        var subscribed = await ours.EmitWithAckAsync("a", "subscribe", "room-js");
        await stock.EmitWithAckAsync("b", "subscribe", "room-js");
        await stock.EmitWithAckAsync("b", "publish", "room-js", new JsonObject { ["text"] = "from stock" });
        var received = await ours.WaitAsync("a", "event", "message");
        var published = await ours.EmitWithAckAsync("a", "publish", "room-js", new JsonObject { ["text"] = "from ours" });
        var echoed = await stock.WaitAsync("b", "event", "message");

        Assert.True(subscribed!["ok"]!.GetValue<bool>());
        Assert.True(published!["ok"]!.GetValue<bool>());
        Assert.Equal("from stock", received["args"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("room-js", received["args"]![1]!.GetValue<string>());
        Assert.Equal("from ours", echoed["args"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Binary_and_server_acks_work_both_ways()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var ours = NodeClients.Start("channels-driver.mjs");
        await ours.ConnectedAsync("a", server.Address, options: Options);

        var echoed = await ours.EmitWithAckAsync("a", "echo", new JsonObject { ["$binary"] = Convert.ToBase64String([5, 6, 7]) });
        await ours.EmitAsync("a", "send-binary");
        var pushed = await ours.WaitAsync("a", "event", "binary");
        var answer = await ours.EmitWithAckAsync("a", "ask-me");

        Assert.Equal(Convert.ToBase64String([5, 6, 7]), echoed!["$binary"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String([1, 2, 3]), pushed["args"]![0]!["$binary"]!.GetValue<string>());
        Assert.True(answer!["acked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task After_a_server_restart_it_reconnects_resubscribes_and_sends_what_waited_once()
    {
        var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        var port = server.Address.Port;
        await using var ours = NodeClients.Start("channels-driver.mjs");
        await using var stock = NodeClients.Start();
        await ours.ConnectedAsync("a", server.Address, options: Options);
        await ours.EmitWithAckAsync("a", "subscribe", "room-r");

        await server.DisposeAsync();
        await ours.WaitAsync("a", "disconnect");
        await ours.SendMessageAsync("a", new JsonObject { ["text"] = "sent while down" });
        await using var restarted = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map, port: port);
        var reconnected = await ours.WaitAsync("a", "connect", timeout: TimeSpan.FromSeconds(15));
        var replayed = await ours.WaitAsync("a", "event", "message");

        await stock.ConnectedAsync("b", restarted.Address, options: new { transports = new[] { "websocket" } });
        await stock.EmitWithAckAsync("b", "subscribe", "room-r");
        await stock.EmitWithAckAsync("b", "publish", "room-r", new JsonObject { ["text"] = "after restart" });
        var delivered = await ours.WaitAsync("a", "event", "message");
        var confirm = await ours.EmitWithAckAsync("a", "echo", "sync");

        Assert.Equal(["room-r"], reconnected["channels"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("sent while down", replayed["args"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("after restart", delivered["args"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("sync", confirm!.GetValue<string>());
        Assert.Single(ours.Seen, e => e["args"]?[0] is JsonObject line && line["text"]?.GetValue<string>() == "sent while down");
    }

    [Fact]
    public async Task Restarted_again_while_many_clients_reconnect_each_comes_back_resubscribed_and_nothing_arrives_twice()
    {
        const int Clients = 40;
        string[] names = [.. Enumerable.Range(0, Clients).Select(i => $"c{i}")];
        var first = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        var port = first.Address.Port;
        await using var ours = NodeClients.Start("channels-driver.mjs");
        foreach (var name in names)
        {
            await ours.ConnectedAsync(name, first.Address, options: Options);
            await ours.EmitWithAckAsync(name, "subscribe", "room-chaos");
        }

        await first.DisposeAsync();
        foreach (var name in names)
        {
            await ours.WaitAsync(name, "disconnect");
            await ours.SendMessageAsync(name, new JsonObject { ["text"] = $"{name} while down" });
        }

        // The second server goes down again as soon as the first client is back, the others still reconnecting.
        var second = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map, port: port);
        await ours.WaitAsync(e => e["type"]?.GetValue<string>() == "connect", "a first reconnection", TimeSpan.FromSeconds(15));
        await second.DisposeAsync();
        await using var third = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map, port: port);

        // A broadcast reaches a client only once it is connected to the third server and subscribed again;
        // it is repeated until every client has it (those still reconnecting miss a round: that is the
        // documented loss without recovery), and the rounds are told apart.
        using var http = new HttpClient { BaseAddress = third.Address };
        var arrived = new HashSet<string>();
        for (var round = 0; arrived.Count < Clients; round++)
        {
            Assert.True(round < 100, $"after 100 rounds only {arrived.Count} of {Clients} clients are back");
            using var body = new StringContent($"{{\"text\":\"after {round}\"}}", System.Text.Encoding.UTF8, "application/json");
            (await http.PostAsync("notify/room-chaos", body)).EnsureSuccessStatusCode();
            await Task.Delay(100);
            arrived.UnionWith(Texts(ours).Where(t => t.Text.StartsWith("after ", StringComparison.Ordinal)).Select(t => t.Client));
        }

        foreach (var name in names)
        {
            Assert.Equal("sync", (await ours.EmitWithAckAsync(name, "echo", "sync"))!.GetValue<string>());
        }

        // Nothing twice: no round, and no message that waited in an outbox (relayed to the room by the
        // server it reached; one sent to the second server just before it stopped may be lost), reaches a
        // client more than once.
        var received = Texts(ours);
        Assert.Empty(received.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    private static List<(string Client, string Text)> Texts(NodeClients clients) =>
        [.. clients.Seen
            .Where(e => e["type"]?.GetValue<string>() == "event" && e["event"]?.GetValue<string>() == "message" && e["args"]?[0] is JsonObject)
            .Select(e => (e["client"]!.GetValue<string>(), e["args"]![0]!["text"]?.GetValue<string>() ?? ""))];
}
