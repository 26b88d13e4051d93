using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Channels.Dispatch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Tests.Integration;

/// <summary>The ordering and error rules of DESIGN.md ("Ordering"), observed with real clients.</summary>
public sealed class DispatchRulesTests
{
    /// <summary>Records every event a handler sees, as "kind:channel".</summary>
    private sealed class Journal
    {
        private readonly ConcurrentQueue<string> _entries = new();
        private readonly SemaphoreSlim _finished = new(0);

        public IReadOnlyList<string> Entries => [.. _entries];

        public void Add(string entry)
        {
            _entries.Enqueue(entry);
            if (entry.StartsWith("finish", StringComparison.Ordinal))
            {
                _finished.Release();
            }
        }

        public Task WaitForFinishAsync() => _finished.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(t => Assert.True(t.Result, "no [OnFinish] within 10 s"), TaskScheduler.Default);
    }

    private static HandlerList Recording(Journal journal)
    {
        var handlers = new HandlerList();
        foreach (var kind in new[] { ChannelEventKind.Disconnect, ChannelEventKind.Unsubscribe, ChannelEventKind.Finish })
        {
            var name = kind.ToString().ToLowerInvariant();
            handlers.Add(kind, e => journal.Add($"{name}:{e.Channel}:{string.Join(",", e.Socket.Channels)}"));
        }

        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-");
        handlers.Add(ChannelEventKind.Message, _ => throw new InvalidOperationException("boom"), pattern: "^room-");
        handlers.Add(ChannelEventKind.Message, e => journal.Add($"message:{e.Channel}:{e.Payload.GetString(0)}"), pattern: "^room-");
        handlers.Add(ChannelEventKind.Error, e => journal.Add($"error:{e.Channel}:{e.Exception!.Message}"));
        handlers.Add(ChannelEventKind.Finish, async e =>
        {
            await e.Socket.BroadcastChannelAsync("leaves");
            return HandlerResult.Continue;
        }, pattern: "^room-");
        return handlers;
    }

    [Fact]
    public async Task Clean_disconnect_runs_disconnect_then_unsubscribe_then_finish_with_channels_still_listed()
    {
        var journal = new Journal();
        await using var server = await TestServer.StartAsync(Recording(journal));
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: new { transports = new[] { "websocket" } });
        await node.ConnectedAsync("b", server.Address, options: new { transports = new[] { "websocket" } });
        await node.EmitWithAckAsync("a", "subscribe", "room-1");
        await node.EmitWithAckAsync("a", "subscribe", "room-2");
        await node.EmitWithAckAsync("b", "subscribe", "room-1");

        await node.DisconnectAsync("a");
        await journal.WaitForFinishAsync();
        var leaves = await node.WaitAsync("b", "event", "message");

        Assert.Equal(
            ["disconnect::room-1,room-2", "unsubscribe:room-1:room-1,room-2", "unsubscribe:room-2:room-1,room-2", "finish::room-1,room-2"],
            journal.Entries);
        Assert.Equal("leaves", leaves["args"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_throwing_handler_reaches_OnError_the_others_still_run_and_the_publish_is_acked_with_an_error()
    {
        var journal = new Journal();
        await using var server = await TestServer.StartAsync(Recording(journal));
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: new { transports = new[] { "websocket" } });
        await node.EmitWithAckAsync("a", "subscribe", "room-1");

        var ack = await node.EmitWithAckAsync("a", "publish", "room-1", "hi");
        var second = await node.EmitWithAckAsync("a", "publish", "room-1", "still connected");

        // The client learns that its message was not handled as it should be, not why (that is the server's).
        Assert.Equal("""{"ok":false,"error":"internal server error"}""", ack!.ToJsonString());
        Assert.Equal("""{"ok":false,"error":"internal server error"}""", second!.ToJsonString());
        Assert.Equal(
            ["error:room-1:boom", "message:room-1:hi", "error:room-1:boom", "message:room-1:still connected"],
            journal.Entries);
    }

    [Fact]
    public async Task Events_of_one_connection_are_dispatched_one_at_a_time_in_order()
    {
        var seen = new ConcurrentQueue<int>();
        var running = 0;
        var overlapped = false;
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            overlapped |= Interlocked.Increment(ref running) > 1;
            await Task.Yield();
            seen.Enqueue(e.Payload.Deserialize(0, ChannelsTestJson.Default.Int32));
            Interlocked.Decrement(ref running);
            return HandlerResult.Ack(seen.Count);
        }, eventName: "n");
        await using var server = await TestServer.StartAsync(handlers);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: new { transports = new[] { "websocket" } });

        for (var i = 0; i < 20; i++)
        {
            await node.EmitAsync("a", "n", i);
        }

        Assert.Equal(21, (await node.EmitWithAckAsync("a", "n", 20))!.GetValue<int>());
        Assert.Equal(Enumerable.Range(0, 21), seen);
        Assert.False(overlapped);
    }

    [Fact]
    public async Task Fifty_concurrent_connections_all_join_one_channel()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        await using var node = NodeClients.Start();
        var clients = Enumerable.Range(0, 50).Select(i => $"c{i}").ToArray();

        await Task.WhenAll(clients.Select(c => node.ConnectAsync(c, server.Address, options: new { transports = new[] { "websocket" } })));
        foreach (var c in clients)
        {
            await node.WaitAsync(c, "connect");
        }

        var acks = await Task.WhenAll(clients.Select(c => node.EmitWithAckAsync(c, "subscribe", "room-all")));
        var registry = server.Services.GetRequiredService<ChannelRegistry>();

        Assert.All(acks, a => Assert.True(a!["ok"]!.GetValue<bool>()));
        Assert.Equal(50, registry.CountSubscribers("/", "room-all"));
        using var http = new HttpClient { BaseAddress = server.Address };
        (await http.PostAsync("notify/room-all", new StringContent("\"all\""))).EnsureSuccessStatusCode();
        foreach (var c in clients)
        {
            await node.WaitAsync(c, "event", "message");
        }
    }

    [Fact]
    public async Task Server_shutdown_closes_the_transport_and_runs_finish_but_not_disconnect()
    {
        var journal = new Journal();
        var server = await TestServer.StartAsync(Recording(journal));
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: new { transports = new[] { "websocket" }, reconnection = false });
        await node.EmitWithAckAsync("a", "subscribe", "room-1");

        await server.DisposeAsync();
        var disconnected = await node.WaitAsync("a", "disconnect");

        Assert.Equal("transport close", disconnected["reason"]!.GetValue<string>());
        Assert.Equal(["unsubscribe:room-1:room-1", "finish::room-1"], journal.Entries);
    }

    [Fact]
    public async Task Subscriptions_beyond_the_limit_are_refused()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), configure: o => o.MaxSubscriptionsPerSocket = 2, map: TestApp.Map);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: new { transports = new[] { "websocket" } });

        var acks = new List<JsonNode?>();
        foreach (var channel in new[] { "room-1", "room-2", "room-3" })
        {
            acks.Add(await node.EmitWithAckAsync("a", "subscribe", channel));
        }

        var empty = await node.EmitWithAckAsync("a", "subscribe", "");
        var longName = await node.EmitWithAckAsync("a", "unsubscribe", "room-1");
        var tooLong = await node.EmitWithAckAsync("a", "subscribe", new string('x', 201));

        Assert.True(acks[0]!["ok"]!.GetValue<bool>());
        Assert.True(acks[1]!["ok"]!.GetValue<bool>());
        Assert.Contains("limit", acks[2]!["error"]!.GetValue<string>());
        Assert.Contains("non-empty", empty!["error"]!.GetValue<string>());
        Assert.True(longName!["ok"]!.GetValue<bool>());
        Assert.Contains("longer than 200", tooLong!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_event_is_reported_to_OnError_and_acked_with_an_error()
    {
        var errors = new ConcurrentQueue<string>();
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Error, e => errors.Enqueue(e.Exception!.Message));
        await using var server = await TestServer.StartAsync(handlers);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: new { transports = new[] { "websocket" } });

        var ack = await node.EmitWithAckAsync("a", "nobody-handles-this");

        Assert.False(ack!["ok"]!.GetValue<bool>());
        Assert.Equal(["event: no handler for event 'nobody-handles-this'"], errors);
    }

    [Fact]
    public async Task Origin_outside_the_allow_list_is_refused_on_both_transports()
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), configure: o => o.AllowedOrigins.Add("https://good.example"), map: TestApp.Map);
        using var http = new HttpClient { BaseAddress = server.Address };

        async Task<System.Net.HttpStatusCode> PollAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "socket.io/?EIO=4&transport=polling");
            request.Headers.Add("Origin", origin);
            return (await http.SendAsync(request)).StatusCode;
        }

        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "https://evil.example");
        var wsUri = new Uri($"ws://127.0.0.1:{server.Address.Port}/socket.io/?EIO=4&transport=websocket");
        var refused = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => socket.ConnectAsync(wsUri, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.OK, await PollAsync("https://good.example"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, await PollAsync("https://evil.example"));
        Assert.Equal(System.Net.HttpStatusCode.OK, await PollAsync(server.Address.GetLeftPart(UriPartial.Authority)));
        Assert.NotNull(refused);
    }

    [Fact]
    public async Task RequireAuthorization_on_MapChannels_applies_to_every_request()
    {
        await using var server = await TestApp.StartWithAuthorizationAsync();
        using var http = new HttpClient { BaseAddress = server.Address };

        var anonymous = await http.GetAsync("socket.io/?EIO=4&transport=polling");
        using var request = new HttpRequestMessage(HttpMethod.Get, "socket.io/?EIO=4&transport=polling");
        request.Headers.Add("X-User", "ada");
        var authenticated = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, authenticated.StatusCode);
        Assert.StartsWith("0{", await authenticated.Content.ReadAsStringAsync());
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
internal sealed partial class ChannelsTestJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>Authenticates any request with an <c>X-User</c> header.</summary>
internal sealed class HeaderAuthentication(
    Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions> options,
    Microsoft.Extensions.Logging.ILoggerFactory logger,
    System.Text.Encodings.Web.UrlEncoder encoder)
    : Microsoft.AspNetCore.Authentication.AuthenticationHandler<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<Microsoft.AspNetCore.Authentication.AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue("X-User", out var user))
        {
            return Task.FromResult(Microsoft.AspNetCore.Authentication.AuthenticateResult.NoResult());
        }

        var identity = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("name", user.ToString())], "test");
        var ticket = new Microsoft.AspNetCore.Authentication.AuthenticationTicket(new System.Security.Claims.ClaimsPrincipal(identity), "test");
        return Task.FromResult(Microsoft.AspNetCore.Authentication.AuthenticateResult.Success(ticket));
    }
}
