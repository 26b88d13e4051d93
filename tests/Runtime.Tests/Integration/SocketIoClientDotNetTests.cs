using System.Text.Json;
using SocketIOClient;
using SocketIOClient.Transport;

namespace Channels.Tests.Integration;

/// <summary>The runtime driven by the .NET <c>SocketIOClient</c> package (3.0.6), on polling and WebSocket.</summary>
public sealed class SocketIoClientDotNetTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static TheoryData<TransportProtocol> Transports => new() { TransportProtocol.Polling, TransportProtocol.WebSocket };

    private static SocketIOClient.SocketIO Client(TestServer server, TransportProtocol transport, string @namespace = "", object? auth = null) =>
        new(new Uri(server.Address, @namespace), new SocketIOOptions
        {
            EIO = 4,
            Transport = transport,
            AutoUpgrade = false,
            Reconnection = false,
            ConnectionTimeout = Timeout,
            Auth = auth ?? new Dictionary<string, string>(),
        });

    /// <summary>
    /// Connects and waits for the namespace's CONNECT reply. SocketIOClient 3.0.6's <c>ConnectAsync</c> returns
    /// once its transport is up (the WebSocket handshake done), not once the namespace is connected, so an
    /// emit right after it can reach the server before the client's CONNECT; the server then ends the
    /// connection for an event on a namespace that is not connected, as socket.io's does (a test failed so in
    /// CI). The package's own examples emit from <c>OnConnected</c>.
    /// </summary>
    private static async Task ConnectedAsync(SocketIOClient.SocketIO client)
    {
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.OnConnected += (_, _) => connected.TrySetResult();
        await client.ConnectAsync().WaitAsync(Timeout);
        await connected.Task.WaitAsync(Timeout);
    }

    private static async Task<JsonElement> AckAsync(SocketIOClient.SocketIO client, string eventName, params object[] args)
    {
        var ack = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        await client.EmitAsync(eventName, response => ack.TrySetResult(response.GetValue(0)), args);
        return await ack.Task.WaitAsync(Timeout);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Connects_with_auth_and_gets_acks(TransportProtocol transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        using var client = Client(server, transport, auth: new Dictionary<string, string> { ["token"] = "abc" });

        await ConnectedAsync(client);
        var auth = await AckAsync(client, "whoami");

        Assert.True(client.Connected);
        Assert.Equal("abc", auth.GetProperty("token").GetString());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Channel_messages_cross_between_two_clients(TransportProtocol transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        using var alice = Client(server, transport);
        using var bob = Client(server, transport);
        var received = new TaskCompletionSource<(string Text, string Channel)>(TaskCreationOptions.RunContinuationsAsynchronously);
        bob.On("message", response => received.TrySetResult((response.GetValue(0).GetProperty("text").GetString()!, response.GetValue<string>(1))));
        await ConnectedAsync(alice);
        await ConnectedAsync(bob);

        var subscribedA = await AckAsync(alice, "subscribe", "room-dotnet");
        var subscribedB = await AckAsync(bob, "subscribe", "room-dotnet");
        var published = await AckAsync(alice, "publish", "room-dotnet", new { text = "hello bob" });

        Assert.True(subscribedA.GetProperty("ok").GetBoolean());
        Assert.True(subscribedB.GetProperty("ok").GetBoolean());
        Assert.True(published.GetProperty("ok").GetBoolean());
        Assert.Equal(("hello bob", "room-dotnet"), await received.Task.WaitAsync(Timeout));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Binary_is_echoed_as_binary(TransportProtocol transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        using var client = Client(server, transport);
        var pushed = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.On("binary", response => pushed.TrySetResult(response.InComingBytes[0]));
        await ConnectedAsync(client);

        await client.EmitAsync("send-binary");

        Assert.Equal(new byte[] { 1, 2, 3 }, await pushed.Task.WaitAsync(Timeout));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Custom_namespace_runs_its_connect_handler(TransportProtocol transport)
    {
        await using var server = await TestServer.StartAsync(TestApp.Handlers(), map: TestApp.Map);
        using var client = Client(server, transport, "/admin");
        var welcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.On("welcome", response => welcome.TrySetResult(response.GetValue<string>(0)));

        await ConnectedAsync(client);

        Assert.Equal("/admin", await welcome.Task.WaitAsync(Timeout));
    }
}
