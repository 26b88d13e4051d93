using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;
using Channels.Dispatch;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Tests.Integration;

/// <summary>
/// The server API, target first (<see cref="IChannelPublisher"/>, <see cref="ChannelTarget"/>), driven
/// against real socket.io-client sockets on one server (the Redis tests take it across servers).
/// </summary>
public sealed class ServerApiTests
{
    private static readonly object WebSocketOnly = new { transports = new[] { "websocket" } };

    private static HandlerList Handlers(ConcurrentQueue<string> journal)
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, e => journal.Enqueue($"subscribe:{e.Socket.Id}:{e.Channel}"), pattern: "^room-");
        handlers.Add(ChannelEventKind.Unsubscribe, e => journal.Enqueue($"unsubscribe:{e.Socket.Id}:{e.Channel}"));
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^room-", @namespace: "/admin");
        handlers.Add(ChannelEventKind.Event, async e =>
        {
            // From a handler: the socket's own targets.
            await e.Socket.Others.Channel(e.Payload.GetString(0)!).EmitAsync("shout", e.Payload.GetString(1));
            return HandlerResult.Ack(await e.Socket.Server.Channel(e.Payload.GetString(0)!).CountAsync());
        }, eventName: "shout");
        return handlers;
    }

    private static Func<JsonObject, bool> Event(string client, string name, string firstArg) =>
        e => e["client"]?.GetValue<string>() == client && e["event"]?.GetValue<string>() == name && e["args"]?[0]?.ToString() == firstArg;

    private static bool Received(NodeClients node, string client, string name, string firstArg) =>
        node.Seen.Any(Event(client, name, firstArg));

    [Fact]
    public async Task A_target_reaches_exactly_its_sockets_and_Except_leaves_one_out()
    {
        await using var server = await TestServer.StartAsync(Handlers(new()));
        await using var node = NodeClients.Start();
        var a = await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        await node.ConnectedAsync("b", server.Address, options: WebSocketOnly);
        await node.ConnectedAsync("c", server.Address, options: WebSocketOnly);
        await node.ConnectedAsync("admin", server.Address, "/admin", WebSocketOnly);
        await node.EmitWithAckAsync("a", "subscribe", "room-1");
        await node.EmitWithAckAsync("b", "subscribe", "room-1");
        await node.EmitWithAckAsync("admin", "subscribe", "room-1");
        var publisher = server.Services.GetRequiredService<IChannelPublisher>();

        await publisher.Channel("room-1").Except(a).SendAsync("to room-1 but a");
        await publisher.Namespace("/admin").Channel("room-1").EmitAsync("alert", "admins of room-1");
        await publisher.All.EmitAsync("done", "marker");

        var sent = await node.WaitAsync(Event("b", "message", "to room-1 but a"), "b's channel message");
        Assert.Equal("room-1", sent["args"]![1]!.GetValue<string>());
        await node.WaitAsync(Event("admin", "alert", "admins of room-1"), "the admin's event");
        foreach (var client in new[] { "a", "b", "c" })
        {
            await node.WaitAsync(Event(client, "done", "marker"), "the marker on " + client);
        }

        // The marker came after the channel send on the same connection, so what has not arrived will not.
        Assert.False(Received(node, "a", "message", "to room-1 but a"));
        Assert.False(Received(node, "c", "message", "to room-1 but a"));
        Assert.False(Received(node, "b", "alert", "admins of room-1"));
        Assert.False(Received(node, "admin", "done", "marker"));
    }

    [Fact]
    public async Task Subscribe_unsubscribe_count_fetch_and_disconnect_act_on_the_target_and_run_handlers()
    {
        var journal = new ConcurrentQueue<string>();
        await using var server = await TestServer.StartAsync(Handlers(journal));
        await using var node = NodeClients.Start();
        var a = await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        var b = await node.ConnectedAsync("b", server.Address, options: WebSocketOnly);
        var admin = await node.ConnectedAsync("admin", server.Address, "/admin", WebSocketOnly);
        var publisher = server.Services.GetRequiredService<IChannelPublisher>();

        Assert.Equal(2, await publisher.All.SubscribeAsync("room-7"));
        Assert.Contains($"subscribe:{a}:room-7", journal);
        Assert.Contains($"subscribe:{b}:room-7", journal);
        Assert.Equal(2, await publisher.Channel("room-7").CountAsync());
        Assert.Equal(1, await publisher.Channel("room-7").Except(a).CountAsync());
        Assert.Equal(0, await publisher.Namespace("/admin").Channel("room-7").CountAsync());
        Assert.Equal(1, await publisher.Namespace("/admin").CountAsync());
        Assert.Equal(1, await publisher.Socket(admin).CountAsync());

        var fetched = await publisher.Channel("room-7").FetchSocketsAsync();
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), fetched.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.All(fetched, s => Assert.Equal("/", s.Namespace));
        Assert.All(fetched, s => Assert.Equal(["room-7"], s.Channels));
        var adminInfo = Assert.Single(await publisher.Socket(admin).FetchSocketsAsync());
        Assert.Equal("/admin", adminInfo.Namespace);

        // The server may subscribe sockets to a channel no [OnSubscribe] declares (a client may not).
        Assert.Equal(2, await publisher.All.SubscribeAsync("lobby"));
        Assert.Equal(2, await publisher.Channel("lobby").Channel("room-7").CountAsync());

        // Messages to the channel now reach the sockets subscribed from the server.
        await publisher.Channel("room-7").SendAsync("after the server subscribed them");
        await node.WaitAsync(Event("a", "message", "after the server subscribed them"), "a's message");

        Assert.Equal(1, await publisher.Socket(a).UnsubscribeAsync("room-7"));
        Assert.Contains($"unsubscribe:{a}:room-7", journal);
        Assert.Equal(0, await publisher.Socket(a).UnsubscribeAsync("room-7"));
        Assert.Equal([b], (await publisher.Channel("room-7").FetchSocketsAsync()).Select(s => s.Id));

        Assert.Equal(1, await publisher.Channel("room-7").DisconnectAsync());
        var disconnected = await node.WaitAsync("b", "disconnect");
        Assert.Equal("io server disconnect", disconnected["reason"]!.GetValue<string>());
        Assert.Contains($"unsubscribe:{b}:room-7", journal); // the close sequence ran before DisconnectAsync returned
        Assert.Equal(1, await publisher.All.CountAsync());
    }

    [Fact]
    public async Task A_socket_target_emits_with_an_ack_and_says_when_no_socket_or_no_answer()
    {
        await using var server = await TestServer.StartAsync(Handlers(new()));
        await using var node = NodeClients.Start();
        var admin = await node.ConnectedAsync("admin", server.Address, "/admin", WebSocketOnly);
        var publisher = server.Services.GetRequiredService<IChannelPublisher>();

        var answer = await publisher.Socket(admin).EmitWithAckAsync("question", ["what time is it?", 42], TimeSpan.FromSeconds(10));
        Assert.Equal(1, answer.Count);
        var reply = answer.GetElement(0);
        Assert.True(reply.GetProperty("acked").GetBoolean());
        Assert.Equal("what time is it?", reply.GetProperty("args")[0].GetString());
        Assert.Equal(42, reply.GetProperty("args")[1].GetInt32());
        var asked = await node.WaitAsync("admin", "ack_request", "question");
        Assert.Equal("what time is it?", asked["args"]![0]!.GetValue<string>());

        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            publisher.Socket("no-such-socket").EmitWithAckAsync("question", [], TimeSpan.FromSeconds(1)));
        Assert.Contains("no-such-socket", missing.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => publisher.All.EmitWithAckAsync("question", [], TimeSpan.FromSeconds(1)).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task A_client_that_never_answers_makes_EmitWithAck_time_out()
    {
        await using var server = await TestServer.StartAsync(new HandlerList());
        using var raw = new Conformance.RawClient(server.Address);
        var (client, _) = await raw.OpenWebSocketAsync("/socket.io");
        await using var _ = client;
        await client.SendTextAsync("40");
        var connect = await client.ReceivePacketAsync();
        var id = System.Text.Json.JsonDocument.Parse(connect[2..]).RootElement.GetProperty("sid").GetString()!;
        var publisher = server.Services.GetRequiredService<IChannelPublisher>();

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() =>
            publisher.Socket(id).EmitWithAckAsync("question", [], TimeSpan.FromMilliseconds(200)));
        Assert.Contains(id, timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_reaches_the_other_subscribers_through_its_socket()
    {
        await using var server = await TestServer.StartAsync(Handlers(new()));
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("a", server.Address, options: WebSocketOnly);
        await node.ConnectedAsync("b", server.Address, options: WebSocketOnly);
        await node.EmitWithAckAsync("a", "subscribe", "room-2");
        await node.EmitWithAckAsync("b", "subscribe", "room-2");

        var count = await node.EmitWithAckAsync("a", "shout", "room-2", "hey");
        Assert.Equal(2, count!.GetValue<int>());
        await node.WaitAsync(Event("b", "shout", "hey"), "b's shout");
        await node.EmitWithAckAsync("b", "shout", "room-2", "back");
        await node.WaitAsync(Event("a", "shout", "back"), "a's shout");
        Assert.False(Received(node, "a", "shout", "hey"));
    }

    [Fact]
    public void Targets_refuse_what_cannot_be_meant()
    {
        var publisher = new ServiceCollection().AddLogging().AddChannels().Services.BuildServiceProvider().GetRequiredService<IChannelPublisher>();

        Assert.Throws<ArgumentException>(() => publisher.Namespace("admin"));
        Assert.Throws<InvalidOperationException>(() => publisher.Socket("x").Channel("room-1"));
        Assert.Throws<InvalidOperationException>(() => publisher.Socket("x").Except("y"));
        Assert.Throws<InvalidOperationException>(() => publisher.All.Except("x").Except("y"));
        Assert.Equal("the subscribers of 'room-1', 'room-2' in /admin, except 'x'", publisher.Namespace("/admin").Channel("room-1").Channel("room-2").Except("x").ToString());
    }

    /// <summary>
    /// No public method takes two strings side by side (or a string beside a generic value, which can be a
    /// string) whose meanings differ: where the seed's verbs do, strings bind to an obsolete overload whose
    /// warning names the target form. (Backplane interfaces are implemented, not called, by apps; types
    /// hidden from IntelliSense, such as <c>GeneratedHandlerSupport</c>, are called by generated code only.)
    /// </summary>
    [Fact]
    public void No_public_method_takes_two_adjacent_strings_that_can_be_swapped_unnoticed()
    {
        var offenders = new List<string>();
        foreach (var type in typeof(IChannelPublisher).Assembly.GetExportedTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.IsDefined(typeof(ObsoleteAttribute)) || type.Namespace == "Channels.Backplane" && type.IsInterface
                    || type.GetCustomAttribute<System.ComponentModel.EditorBrowsableAttribute>()?.State == System.ComponentModel.EditorBrowsableState.Never)
                {
                    continue;
                }

                var parameters = method.GetParameters();
                for (var i = 1; i < parameters.Length; i++)
                {
                    if (CanBeString(parameters[i - 1].ParameterType) && CanBeString(parameters[i].ParameterType) && !HasObsoleteTextOverload(type, method))
                    {
                        offenders.Add($"{type.Name}.{method.Name}({parameters[i - 1].Name}, {parameters[i].Name})");
                    }
                }
            }
        }

        Assert.Empty(offenders);

        static bool CanBeString(Type type) => type == typeof(string) || type.IsGenericMethodParameter;

        // A generic verb is fine when strings go to an obsolete overload (C# prefers it), whose warning says what to write.
        static bool HasObsoleteTextOverload(Type type, MethodInfo method) =>
            method.IsGenericMethodDefinition
            && type.GetMethods().Any(m => m.Name == method.Name
                && m.IsDefined(typeof(ObsoleteAttribute))
                && m.GetParameters().Length == method.GetParameters().Length
                && m.GetParameters().All(p => p.ParameterType == typeof(string)));
    }
}
